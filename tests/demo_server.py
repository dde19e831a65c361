"""A demo database served by trytond, and a small JSON-RPC client.

Shared by the tests of this folder (through the session fixture
``demo_server`` of conftest.py) and by tests/access_table.py; it does not
need pytest.

``DemoDatabase.build()`` creates the database as bin/run-demo does:
``trytond-admin --all -u bts_programme bts_jury bts_indemnity
--activate-dependencies -l fr`` then ``bts load-demo``.  The database is
SQLite in a temporary folder (a copy of the file BTS_DEMO_SQLITE names, to
iterate quickly on the tests, when that variable is set), or, when
TRYTOND_DATABASE_URI starts with ``postgresql://``, a fresh PostgreSQL
database named ``<BTS_DEMO_DB_PREFIX><pid>`` (default prefix
``test_bts_demo_``, which bin/run-tests drops if a run left it behind)
that ``drop()`` removes.
``serve()`` starts ``trytond -d <database>`` on a free loopback port; the
subprocesses get a configuration file of their own and no TRYTOND_*
variable of the caller.
"""
import base64
import configparser
import datetime as dt
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / '.venv' / 'bin'
if not (VENV_BIN / 'trytond').exists():
    VENV_BIN = Path(sys.executable).parent
SAO_ROOT = ROOT / '.local' / 'sao'
CONFIG = ROOT / 'config' / 'trytond.conf'
MODULES = ['bts_programme', 'bts_jury', 'bts_indemnity', 'bts_student',
    'bts_oversight']
ADMIN_LOGIN = 'admin'
ADMIN_PASSWORD = 'admin-bts'
DEMO_PASSWORD = 'bts-demo-2026'
# Seconds: guards against a hung command, not limits on speed. With the
# SQLite and PostgreSQL runs side by side on 2 cores already busy with
# other work, trytond-admin on PostgreSQL was seen taking over 15 minutes.
ADMIN_TIMEOUT = 1800
LOAD_DEMO_TIMEOUT = 1200
START_TIMEOUT = 120


class DemoError(RuntimeError):
    "The demo database could not be built or served"


def tail(path, lines=40):
    "The last lines of the file path"
    try:
        return '\n'.join(Path(path).read_text(
                errors='replace').splitlines()[-lines:])
    except OSError:
        return ''


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _conninfo(uri, dbname):
    "The URI uri pointing to the database dbname"
    return urlsplit(uri)._replace(path='/' + dbname).geturl()


class DemoDatabase:
    """A demo database: build() it, serve() it, stop() and drop() it.

    ``env`` is the environment of the trytond commands run on it (its
    TRYTOND_CONFIG names the configuration file of the database)."""

    def __init__(self, folder=None, uri=None, name=None):
        if uri is None:
            uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        self.postgresql = uri.startswith('postgresql://')
        self.uri = uri if self.postgresql else 'sqlite://'
        self._own_folder = folder is None
        self.folder = Path(folder or tempfile.mkdtemp(prefix='bts-demo-'))
        self.folder.mkdir(parents=True, exist_ok=True)
        if name is None:
            if self.postgresql:
                prefix = os.environ.get(
                    'BTS_DEMO_DB_PREFIX', 'test_bts_demo_')
                name = f'{prefix}{os.getpid()}'
            else:
                name = 'bts_demo_test'
        self.name = name
        self.log = self.folder / 'trytond.log'
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.process = None
        self.config = self.folder / 'trytond.conf'
        self._write_config()
        password_file = self.folder / 'admin-password'
        password_file.write_text(ADMIN_PASSWORD + '\n')
        self.env = {
            k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_')
            and k not in {'DB_NAME', 'DB_CACHE'}}
        self.env.update({
                'TRYTOND_CONFIG': str(self.config),
                'TRYTONPASSFILE': str(password_file),
                })

    def _write_config(self):
        # Options of the configuration file beat the environment variables,
        # and config/trytond.conf sets [web] listen: a copy of it with this
        # database and a free port.
        config = configparser.ConfigParser(interpolation=None)
        config.read(CONFIG)
        for section in ['database', 'web']:
            if not config.has_section(section):
                config.add_section(section)
        config.set('database', 'uri', self.uri)
        # The SQLite files and, on both backends, the filestore of the
        # attachments
        (self.folder / 'db').mkdir(exist_ok=True)
        config.set('database', 'path', str(self.folder / 'db'))
        config.set('web', 'listen', f'127.0.0.1:{self.port}')
        if (SAO_ROOT / 'index.html').is_file():
            config.set('web', 'root', str(SAO_ROOT))
        with self.config.open('w') as file:
            config.write(file)

    # The database

    def _maintenance(self):
        import psycopg
        return psycopg.connect(
            _conninfo(self.uri, 'postgres'), autocommit=True)

    def _drop_postgresql(self):
        from psycopg import sql
        with self._maintenance() as conn:
            conn.execute(
                sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(
                    sql.Identifier(self.name)))

    def create(self):
        "Create the empty database"
        if self.postgresql:
            from psycopg import sql
            self._drop_postgresql()
            with self._maintenance() as conn:
                conn.execute(sql.SQL('CREATE DATABASE {}').format(
                        sql.Identifier(self.name)))
        else:
            path = self.folder / 'db' / f'{self.name}.sqlite'
            path.unlink(missing_ok=True)
            path.touch()

    def run(self, *args, timeout):
        "Run the command args (a script of the virtualenv) on the database"
        args = [str(VENV_BIN / args[0]), *map(str, args[1:])]
        with self.log.open('a') as output:
            output.write(f"$ {' '.join(args)}\n")
            output.flush()
            try:
                process = subprocess.run(
                    args, env=self.env, cwd=ROOT, timeout=timeout,
                    stdin=subprocess.DEVNULL, stdout=output,
                    stderr=subprocess.STDOUT)
            except subprocess.TimeoutExpired:
                raise DemoError(
                    f"{args[0]} took more than {timeout}s:\n"
                    f"{tail(self.log)}")
        if process.returncode:
            raise DemoError(
                f"{' '.join(args[:4])} failed ({process.returncode}):\n"
                f"{tail(self.log)}")

    def python(self, script, *args, timeout=300):
        """Run the python script (a path or code) of the virtualenv on the
        database; return its standard output"""
        if isinstance(script, Path):
            command = [str(VENV_BIN / 'python'), str(script)]
        else:
            command = [str(VENV_BIN / 'python'), '-c', script]
        command.extend(map(str, args))
        try:
            process = subprocess.run(
                command, env=self.env, cwd=ROOT, timeout=timeout,
                stdin=subprocess.DEVNULL, capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            raise DemoError(f"{command[1]} took more than {timeout}s")
        with self.log.open('a') as output:
            output.write(process.stderr)
        if process.returncode:
            raise DemoError(
                f"{' '.join(command[:3])} failed ({process.returncode}):\n"
                f"{process.stderr[-4000:]}")
        return process.stdout

    def build(self):
        "Create the database, activate the BTS modules, load the demo data"
        start = time.monotonic()
        template = os.environ.get('BTS_DEMO_SQLITE')
        if template and not self.postgresql:
            # A copy of a demo database built before from the same sources,
            # to iterate on the tests quickly
            shutil.copyfile(
                template, self.folder / 'db' / f'{self.name}.sqlite')
            self.build_time = time.monotonic() - start
            return self
        self.create()
        self.run(
            'trytond-admin', '-d', self.name, '--all',
            '-u', *MODULES, '--activate-dependencies', '-l', 'fr',
            '--email', 'admin@example.org', timeout=ADMIN_TIMEOUT)
        self.run('bts', '-d', self.name, 'load-demo',
            timeout=LOAD_DEMO_TIMEOUT)
        self.build_time = time.monotonic() - start
        return self

    def drop(self):
        "Stop the server, drop the database and remove the folder"
        self.stop()
        try:
            if self.postgresql:
                self._drop_postgresql()
        finally:
            if self._own_folder:
                shutil.rmtree(self.folder, ignore_errors=True)

    # The server

    def serve(self):
        "Serve the database with trytond on self.url"
        # -d initialises the pool of the database before serving: with
        # trytond 8.0.12, a server started without it answers the first
        # login of a database with the error "'res.user'" (see
        # tests/browser/README.md).
        with self.log.open('a') as output:
            self.process = subprocess.Popen(
                [str(VENV_BIN / 'trytond'), '-c', str(self.config),
                    '-d', self.name],
                env=self.env, cwd=ROOT, stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise DemoError(
                    f"trytond exited ({self.process.returncode}):\n"
                    f"{tail(self.log)}")
            try:
                with urllib.request.urlopen(
                        self.url + '/', timeout=2) as response:
                    if response.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise DemoError(
                    f"trytond did not answer on {self.url} within "
                    f"{START_TIMEOUT}s:\n{tail(self.log)}")
            time.sleep(0.3)

    def stop(self):
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)

    def client(self, login, password=None, language='en'):
        "A JSON-RPC client logged in as login"
        if password is None:
            password = (
                ADMIN_PASSWORD if login == ADMIN_LOGIN else DEMO_PASSWORD)
        client = Client(self.url, self.name, language=language)
        client.login(login, password)
        return client


# JSON-RPC

def _json_default(value):
    if isinstance(value, Decimal):
        return {'__class__': 'Decimal', 'decimal': str(value)}
    if isinstance(value, dt.datetime):
        return {
            '__class__': 'datetime',
            'year': value.year, 'month': value.month, 'day': value.day,
            'hour': value.hour, 'minute': value.minute,
            'second': value.second, 'microsecond': value.microsecond,
            }
    if isinstance(value, dt.date):
        return {
            '__class__': 'date',
            'year': value.year, 'month': value.month, 'day': value.day,
            }
    if isinstance(value, bytes):
        return {
            '__class__': 'bytes',
            'base64': base64.b64encode(value).decode(),
            }
    raise TypeError(f"cannot encode {value!r}")


def _json_object_hook(dct):
    cls = dct.get('__class__')
    if cls == 'Decimal':
        return Decimal(dct['decimal'])
    if cls == 'date':
        return dt.date(dct['year'], dct['month'], dct['day'])
    if cls == 'datetime':
        return dt.datetime(
            dct['year'], dct['month'], dct['day'], dct['hour'],
            dct['minute'], dct['second'], dct.get('microsecond', 0))
    if cls == 'time':
        return dt.time(
            dct['hour'], dct['minute'], dct['second'],
            dct.get('microsecond', 0))
    if cls == 'timedelta':
        return dt.timedelta(seconds=dct['seconds'])
    if cls == 'bytes':
        return base64.b64decode(dct['base64'])
    return dct


# The errors trytond sends as [type, args] (trytond/exceptions.py); any
# other exception is sent as [str(exception), traceback].
USER_ERROR_TYPES = {
    'UserError', 'UserWarning', 'LoginException', 'ConcurrencyException'}


class RPCError(Exception):
    """An error answered by the server

    ``type`` is 'UserError', 'UserWarning', 'LoginException' or
    'ConcurrencyException' (the server sends AccessError, ValidationError
    and every other UserError under the name 'UserError'), or 'internal'
    for any other exception, whose ``traceback`` the server sent along,
    or 'HTTP <status>' when the server refused the request itself (403: a
    method not callable through RPC).
    """

    def __init__(self, method, error, http_status=None):
        self.method = method
        self.error = error
        self.traceback = ''
        self.description = ''
        self.http_status = http_status
        if http_status is not None:
            self.type = self.message = f'HTTP {http_status}'
        elif (isinstance(error, list) and len(error) == 2
                and error[0] in USER_ERROR_TYPES):
            self.type, args = error
            if self.type == 'UserError':
                self.message, self.description = args[0], args[1]
            elif self.type == 'UserWarning':
                self.message, self.description = args[1], args[2]
            elif self.type == 'LoginException':
                self.message = args[1]
            else:
                self.message = str(args)
        else:
            self.type = 'internal'
            if isinstance(error, list) and error:
                self.message = str(error[0])
                self.traceback = str(error[1]) if len(error) > 1 else ''
            else:
                self.message = str(error)
        super().__init__(f"{method}: {self.type}: {self.message}"
            + (f" ({self.description})" if self.description else '')
            + (f"\n{self.traceback}" if self.traceback else ''))

    @property
    def text(self):
        return f"{self.message}\n{self.description}"


class Client:
    "A JSON-RPC client of a trytond server, as the sao web client talks"
    _ids = itertools.count(1)

    def __init__(self, url, database, language='en'):
        self.url = url
        self.database = database
        self.language = language
        self.login_name = None
        self.user_id = None
        self.authorization = None
        self.preferences = {}

    def call(self, method, *params):
        body = json.dumps({
                'id': next(self._ids),
                'method': method,
                'params': list(params),
                }, default=_json_default).encode()
        headers = {'Content-Type': 'application/json'}
        if self.authorization:
            headers['Authorization'] = self.authorization
        request = urllib.request.Request(
            f'{self.url}/{self.database}/rpc/', data=body, headers=headers,
            method='POST')
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                data = response.read()
        except urllib.error.HTTPError as error:
            # 403: the method is not callable through RPC, 401: no session
            raise RPCError(method, [f"HTTP {error.code}", ''],
                http_status=error.code)
        reply = json.loads(data, object_hook=_json_object_hook)
        if reply.get('error') is not None:
            raise RPCError(method, reply['error'])
        return reply['result']

    def login(self, login, password):
        # As sao does (src/session.js): common.db.login answers
        # [user id, session key, ...].
        user_id, session = self.call(
            'common.db.login', login, {'password': password},
            self.language)[:2]
        token = base64.b64encode(
            f'{login}:{user_id}:{session}'.encode()).decode()
        self.authorization = f'Session {token}'
        self.login_name = login
        self.user_id = user_id
        # The context of the calls, as sao builds it: the user's
        # preferences (company, companies, ...), in self.language
        self.preferences = self.call(
            'model.res.user.get_preferences', True, {})
        return user_id

    def context(self, context=None):
        return {
            **self.preferences, 'language': self.language,
            **(context or {})}

    def __call__(self, model, method, *args, context=None):
        "Call model.<model>.<method>(*args) with the user's context"
        return self.call(
            f'model.{model}.{method}', *args, self.context(context))

    def search_read(self, model, domain, fields_names, limit=None,
            order=None, context=None):
        return self(model, 'search_read', domain, 0, limit, order,
            fields_names, context=context)

    def wizard(self, name, data_by_state, start_context=None):
        """Run the wizard name, answering each state with
        data_by_state[state] (a dict of the state's values) and pressing the
        button named in data_by_state[state]['_button'].  Return the last
        result."""
        context = self.context(start_context)
        session, start, end = self.call(
            f'wizard.{name}.create', context)
        state = start
        result = None
        try:
            while state != end:
                answer = data_by_state.get(state, {})
                button = answer.get('_button', end)
                values = {k: v for k, v in answer.items() if k != '_button'}
                data = {state: values} if values else {}
                result = self.call(
                    f'wizard.{name}.execute', session, data, button,
                    context)
                state = button if button != end else end
                if 'view' in result:
                    state = result['view']['state']
                else:
                    break
        finally:
            self.call(f'wizard.{name}.delete', session, context)
        return result
