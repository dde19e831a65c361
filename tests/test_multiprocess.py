"""Several trytond processes on one PostgreSQL database (docker/ topology).

Two ``trytond`` servers run on the same database with ``[cache]
clean_timeout = 0``: the caches of every process are invalidated at once
through PostgreSQL LISTEN/NOTIFY. Through JSON-RPC, a change made through
server A is seen through server B, including through the
``bts.wage_index.get_index`` cache of B.

Runs only on PostgreSQL:

    TRYTOND_DATABASE_URI=postgresql://bts:bts@127.0.0.1:5432/ \\
        .venv/bin/python -m pytest -q tests/test_multiprocess.py

Each run gets a fresh database ``bts_multiprocess_<pid>``, dropped at the
end. Initialising it with trytond-admin takes about a minute on a
two-core machine, so the first run keeps a copy of the initialised database
as the template ``bts_multiprocess_tpl_<hash>`` (the hash covers the
sources of bts_programme and the versions of the Tryton packages) and the
next runs clone it in a second. BTS_MULTIPROCESS_TEMPLATE=0 disables the
template: every run then initialises its database with trytond-admin.
"""
import base64
import contextlib
import datetime as dt
import hashlib
import http.client
import importlib.metadata
import itertools
import json
import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest

URI = os.environ.get('TRYTOND_DATABASE_URI', '')
pytestmark = pytest.mark.skipif(
    not URI.startswith('postgresql://'),
    reason="needs PostgreSQL: set TRYTOND_DATABASE_URI=postgresql://... "
    "(several trytond processes cannot share a SQLite database)")

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
if not (BIN / 'trytond').exists():
    BIN = ROOT / '.venv' / 'bin'
MODULE = 'bts_programme'
TEMPLATE_PREFIX = 'bts_multiprocess_tpl_'
USE_TEMPLATE = os.environ.get('BTS_MULTIPROCESS_TEMPLATE', '1') != '0'
# Fixed, as the template keeps the password of the run that made it: the
# database lives only on the local test server.
ADMIN_PASSWORD = 'admin-multiprocess'

ADMIN_TIMEOUT = 600  # seconds for trytond-admin
START_TIMEOUT = 120  # seconds for a server to listen
PROPAGATION_TIMEOUT = 10  # seconds for a change to be seen by the other

INDEX_DATE = dt.date(2026, 7, 1)
INDEX_RECORD_FROM = dt.date(2026, 6, 1)
SHIPPED_INDEX = Decimal('992.24')


def _conninfo(dbname):
    "The URI of TRYTOND_DATABASE_URI pointing to the database dbname"
    return urlsplit(URI)._replace(path='/' + dbname).geturl()


def _free_ports(count):
    "count distinct free TCP ports of 127.0.0.1"
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(('127.0.0.1', 0))
        return [sock.getsockname()[1] for sock in sockets]


def _environ(**values):
    "The environment of the subprocesses: the config file says it all"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_')}
    env.update(values)
    return env


def _tail(path, lines=40):
    try:
        return '\n'.join(
            Path(path).read_text(errors='replace').splitlines()[-lines:])
    except OSError:
        return ''


def _template_name():
    "The template database name for the current sources and packages"
    digest = hashlib.sha256()
    module_dir = ROOT / 'addons' / MODULE
    for path in sorted(module_dir.rglob('*')):
        relative = path.relative_to(module_dir)
        if (not path.is_file()
                or relative.parts[0] == 'tests'
                or '__pycache__' in relative.parts
                or relative.parts[0].endswith('.egg-info')):
            continue
        digest.update(str(relative).encode())
        digest.update(path.read_bytes())
    for dist in sorted(
            f"{d.metadata['Name']}=={d.version}"
            for d in importlib.metadata.distributions()
            if (d.metadata['Name'] or '').lower().startswith(
                ('trytond', 'psycopg'))):
        digest.update(dist.encode())
    return TEMPLATE_PREFIX + digest.hexdigest()[:16]


def _drop_database(conn, name):
    from psycopg import sql
    conn.execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(
            sql.Identifier(name)))


def _create_database(conn, name, template=None):
    "Create the database name, as a copy of template if given"
    from psycopg import sql
    query = sql.SQL('CREATE DATABASE {}').format(sql.Identifier(name))
    if template:
        query += sql.SQL(' TEMPLATE {}').format(sql.Identifier(template))
    conn.execute(query)


def _database_exists(conn, name):
    cursor = conn.execute(
        'SELECT 1 FROM pg_database WHERE datname = %s', (name,))
    return cursor.fetchone() is not None


def _save_template(conn, dbname, template):
    "Copy dbname as template and drop the templates of older sources"
    import psycopg
    # Another run may have saved it first
    with contextlib.suppress(
            psycopg.errors.DuplicateDatabase, psycopg.errors.ObjectInUse):
        _create_database(conn, template, template=dbname)
    cursor = conn.execute(
        'SELECT datname FROM pg_database '
        'WHERE starts_with(datname, %s) AND datname <> %s',
        (TEMPLATE_PREFIX, template))
    for old, in cursor.fetchall():
        with contextlib.suppress(psycopg.Error):
            _drop_database(conn, old)


def _wait_for_port(port, process, log):
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            pytest.fail(
                f"trytond on port {port} exited with {process.returncode}:"
                f"\n{_tail(log)}")
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"trytond did not listen on port {port} within "
                    f"{START_TIMEOUT} s:\n{_tail(log)}")
            time.sleep(0.2)


def _wait_for_listeners(dbname, count):
    """Wait until count trytond processes listen to the cache channel.

    Each process starts its listener thread in the background and clears
    all its caches once it listens: waiting for it keeps that first clear
    out of the test. With [cache] select_timeout = 1 a listener runs
    "SELECT 1" every second, and only the listener does."""
    import psycopg
    deadline = time.monotonic() + START_TIMEOUT
    with psycopg.connect(_conninfo('postgres'), autocommit=True) as conn:
        while True:
            listeners, = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = %s AND query = 'SELECT 1'",
                (dbname,)).fetchone()
            if listeners >= count:
                return
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{listeners} of {count} trytond processes listen to "
                    f"the cache channel after {START_TIMEOUT} s")
            time.sleep(0.2)


def _json_default(value):
    if isinstance(value, Decimal):
        return {'__class__': 'Decimal', 'decimal': str(value)}
    if isinstance(value, dt.date):
        return {
            '__class__': 'date',
            'year': value.year, 'month': value.month, 'day': value.day,
            }
    raise TypeError(f"cannot encode {value!r}")


def _json_object_hook(dct):
    cls = dct.get('__class__')
    if cls == 'Decimal':
        return Decimal(dct['decimal'])
    if cls == 'date':
        return dt.date(dct['year'], dct['month'], dct['day'])
    return dct


class RPCError(Exception):
    pass


class Client:
    "A minimal JSON-RPC client of a trytond server"
    _ids = itertools.count(1)

    def __init__(self, port, dbname):
        self.port = port
        self.dbname = dbname
        self.authorization = None

    def call(self, method, *params):
        body = json.dumps({
                'id': next(self._ids),
                'method': method,
                'params': list(params),
                }, default=_json_default)
        headers = {'Content-Type': 'application/json'}
        if self.authorization:
            headers['Authorization'] = self.authorization
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=30)
        try:
            conn.request('POST', f'/{self.dbname}/rpc/', body, headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise RPCError(
                f"{method} on port {self.port}: HTTP {response.status} "
                f"{data[:500]!r}")
        reply = json.loads(data, object_hook=_json_object_hook)
        if reply.get('error'):
            raise RPCError(f"{method} on port {self.port}: {reply['error']}")
        return reply['result']

    def login(self, login, password):
        user_id, session, _ = self.call(
            'common.db.login', login, {'password': password}, 'en')
        token = base64.b64encode(
            f'{login}:{user_id}:{session}'.encode()).decode()
        self.authorization = f'Session {token}'

    def model(self, model, method, *args, context=None):
        return self.call(
            f'model.{model}.{method}', *args, context or {})


@pytest.fixture(scope='module')
def servers(request, tmp_path_factory):
    """Two trytond servers on a fresh database: (dbname, ports)"""
    psycopg = pytest.importorskip('psycopg')
    tmp = tmp_path_factory.mktemp('multiprocess')
    dbname = f'bts_multiprocess_{os.getpid()}'
    maintenance = psycopg.connect(_conninfo('postgres'), autocommit=True)
    request.addfinalizer(maintenance.close)

    _drop_database(maintenance, dbname)
    request.addfinalizer(lambda: _drop_database(maintenance, dbname))
    template = _template_name() if USE_TEMPLATE else None
    cloned = False
    if template and _database_exists(maintenance, template):
        try:
            _create_database(maintenance, dbname, template=template)
            cloned = True
        except psycopg.Error:
            pass
    if not cloned:
        _create_database(maintenance, dbname)

    ports = _free_ports(2)
    configs = []
    for port in ports:
        config = tmp / f'trytond-{port}.conf'
        config.write_text(
            "[database]\n"
            f"uri = {URI}\n"
            "[cache]\n"
            "clean_timeout = 0\n"
            "select_timeout = 1\n"
            "[web]\n"
            f"listen = 127.0.0.1:{port}\n")
        configs.append(config)

    if not cloned:
        passfile = tmp / 'admin-password'
        passfile.write_text(ADMIN_PASSWORD + '\n')
        log = tmp / 'trytond-admin.log'
        with log.open('wb') as output:
            result = subprocess.run([
                    BIN / 'trytond-admin', '-c', configs[0], '-d', dbname,
                    '--all', '-u', MODULE, '--activate-dependencies',
                    '--email', 'a@example.org'],
                env=_environ(TRYTONPASSFILE=str(passfile)),
                stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT, timeout=ADMIN_TIMEOUT)
        assert result.returncode == 0, (
            f"trytond-admin failed:\n{_tail(log)}")
        if template:
            _save_template(maintenance, dbname, template)

    processes = []

    def stop():
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    request.addfinalizer(stop)
    logs = []
    for port, config in zip(ports, configs, strict=True):
        log = tmp / f'trytond-{port}.log'
        logs.append(log)
        with log.open('wb') as output:
            processes.append(subprocess.Popen([
                        BIN / 'trytond', '-c', config, '-d', dbname],
                    env=_environ(), stdin=subprocess.DEVNULL,
                    stdout=output, stderr=subprocess.STDOUT))
    for port, process, log in zip(ports, processes, logs, strict=True):
        _wait_for_port(port, process, log)

    return dbname, ports


@pytest.fixture
def clients(servers):
    dbname, ports = servers
    a, b = (Client(port, dbname) for port in ports)
    a.login('admin', ADMIN_PASSWORD)
    b.login('admin', ADMIN_PASSWORD)
    _wait_for_listeners(dbname, 2)
    return a, b


def _poll(read, expected):
    "Call read until it returns expected or PROPAGATION_TIMEOUT is over"
    deadline = time.monotonic() + PROPAGATION_TIMEOUT
    while True:
        value = read()
        if value == expected or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _index_records(client, valid_from):
    return client.model(
        'bts.wage_index', 'search_read',
        [('valid_from', '=', valid_from)], 0, None, None,
        ['valid_from', 'value'])


def test_record_created_through_a_is_read_through_b(clients):
    "A record created through one process is found through the other"
    a, b = clients
    valid_from = dt.date(2031, 1, 1)
    assert _index_records(b, valid_from) == []

    record_id, = a.model('bts.wage_index', 'create', [{
                'valid_from': valid_from,
                'value': Decimal('1111.11'),
                'source': "test_multiprocess",
                }])

    records = _poll(lambda: _index_records(b, valid_from), [{
                'id': record_id,
                'valid_from': valid_from,
                'value': Decimal('1111.11'),
                }])
    assert records == [{
            'id': record_id,
            'valid_from': valid_from,
            'value': Decimal('1111.11'),
            }]


def test_write_through_a_clears_get_index_cache_of_b(clients, servers):
    """get_index is cached in each process: a write through A clears the
    cache of B through PostgreSQL NOTIFY ([cache] clean_timeout = 0)"""
    import psycopg
    dbname = servers[0]
    a, b = clients

    def b_get_index():
        return b.model('bts.wage_index', 'get_index', INDEX_DATE)

    record, = _index_records(b, INDEX_RECORD_FROM)
    assert record['value'] == SHIPPED_INDEX
    # Fill the cache of B
    assert b_get_index() == SHIPPED_INDEX

    # Change the value behind the back of trytond (no notification): B
    # reads the new value from the table but keeps serving its cache, which
    # proves that the next check goes through the cache.
    with psycopg.connect(_conninfo(dbname), autocommit=True) as conn:
        conn.execute(
            'UPDATE bts_wage_index SET value = %s WHERE id = %s',
            (Decimal('1.00'), record['id']))
    record, = _index_records(b, INDEX_RECORD_FROM)
    assert record['value'] == Decimal('1.00')
    assert b_get_index() == SHIPPED_INDEX, "B does not cache get_index"

    # A write through A is seen by the cache of B
    new_value = Decimal('1003.57')
    a.model('bts.wage_index', 'write', [record['id']], {'value': new_value})
    assert _poll(b_get_index, new_value) == new_value
    assert a.model(
        'bts.wage_index', 'get_index', INDEX_DATE) == new_value
