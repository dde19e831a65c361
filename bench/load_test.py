"""Bounded load test of the production topology: many users at once.

PostgreSQL and gunicorn serving ``trytond.application:app`` with four
workers (docker/entrypoint.sh ``web``) configured by docker/trytond.conf
(its retries, caches invalidated through LISTEN/NOTIFY, the queue) on a
loopback port, driven over
JSON-RPC by simulated users who log in as real users, so that access
rights and record rules apply:

- clerks (default 50): users of the lycée HR group, each created for the
  run as a copy of a demo ``rh.*`` user (same password hash, groups,
  companies) attached to one lycée, the clerks spread over the lycées
  that have active contracts of external or specialised lecturers with
  planned lessons left. Each declares ``--declarations`` times: opens
  the list of its drafts (``search_read``), creates a draft declaration
  of 1 to 3 lines on such a contract of its lycée (save), reloads it
  (``read``), corrects the quantity of its first line (save: ``write``)
  and submits it (the Submit button);
- approvers (default 5): copies of ``ministere.finances`` (ministry
  finance and declaration approval groups), the lycées with verified
  declarations shared out between them. Each approves ``--batches``
  times the first page (``--batch-size``) of the verified declarations
  of its lycées (``search``) through the bulk wizard
  (``bts.declaration.process.approve``, which needs a fresh session: a
  401 is answered by a new login and the call again).

Every user logs in, waits for the others, then does a fixed number of
requests with a random think time (``--think`` seconds on average,
seeded) before each, and stops: the run ends by itself. At ×10 the
approvers approve the data's verified declarations (June's); when the
data has too few (the demo), the missing ones are staged before, untimed,
through the same server: created and submitted by the clerks,
countersigned by a copy of ``direction.ltc`` per lycée and verified by
``ministere.admin``, each step by the wizard of the list.

Reported: requests per second, latency p50/p95/p99 per kind of request
(a save is a create or a write), the answers per kind: a refusal
(UserError: a cap, the contract's planned lessons) is a valid business
answer; a deadlock, a serialization or lock failure, any other server
error, an HTTP error or a lost connection surfaced to the client is an
error. After the run, plain SQL (psycopg) checks that no external
lecturer is above 252 lessons per academic year and no specialised one
above 20 per semester counting the submitted to paid declarations, nor a
contract's course above its planned lessons (before the run too, to tell
the data's own from the run's), and that every declaration a client was
told was saved, submitted or approved exists in that state with the
lines and lessons it was told (nothing lost), and that the clerks
created no declaration they were not told of.

Data: ``--scale 10`` (the default) is the ×10 data set of
bench/scale_data.py, built once as the template database
``load_test_tpl_x10`` (kept for the next runs; drop it when done);
``--scale 0`` is the demo database of bench_payment_run.py
(``bench_pr_demo``, built when missing). Each run works on a copy
(``--database``, dropped at the end unless ``--keep``), updated by
``trytond-admin -u`` to the modules' current code. The server's log is
kept in a temporary folder named at the start. The exit status is 1 when
an error reached a client, a cap was passed or a declaration was lost.

Run (gunicorn is in docker/requirements.txt):
    .venv/bin/pip install 'gunicorn>=23'
    TRYTOND_DATABASE_URI=postgresql://bts:bts@127.0.0.1:5432/ \\
        .venv/bin/python bench/load_test.py [--scale 10] [--clerks 50]
        [--approvers 5] [--declarations 4] [--batches 4] [--batch-size 10]
        [--think 1.0] [--workers 4] [--retry N] [--seed 1]
"""
import argparse
import base64
import configparser
import contextlib
import datetime as dt
import http.client
import itertools
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from trytond.modules.bts_indemnity.declaration import COUNTED_STATES
from trytond.modules.bts_programme.caps import (
    EXTERNAL_YEAR_LIMIT,
    SPECIALISED_SEMESTER_LIMIT,
)
from trytond.modules.bts_programme.demo import DEMO_PASSWORD

HERE = Path(__file__).resolve().parent
DOCKER_CONFIG = HERE.parent / 'docker' / 'trytond.conf'
BIN = Path(sys.executable).parent
MODULES = ['bts_programme', 'bts_jury', 'bts_indemnity']
PREFIX = 'load_test_'
# The demo users copied: a lycée clerk, a lycée director, a ministry
# approver; the ministry user who verifies.
CLERK, DIRECTOR, APPROVER, VERIFIER = (
    'rh.ltc', 'direction.ltc', 'ministere.finances', 'ministere.admin')
START_TIMEOUT = 180
# The refusals, by the texts of their messages (bts_programme and
# bts_indemnity message.xml, in English)
REFUSALS = [
    ('cap 252/year', 'per academic year of an external lecturer'),
    ('cap 20/semester', 'per semester of a specialised lecturer'),
    ('cap 40 % share', 'of external lessons exceeded'),
    ('planned lessons', 'an amendment is needed first'),
    ]
# The server errors, by the texts of PostgreSQL's and Tryton's exceptions
ERRORS = [
    ('deadlock', 'deadlock'),
    ('serialization', 'could not serialize'),
    ('lock', 'could not obtain lock'),
    ]


def uri(dbname=''):
    "The URI of TRYTOND_DATABASE_URI pointing to the database dbname"
    return urlsplit(os.environ['TRYTOND_DATABASE_URI'])._replace(
        path='/' + dbname).geturl()


def maintenance(statement, *args):
    "Run statement on the server's maintenance database: its rows"
    with psycopg.connect(uri('postgres'), autocommit=True) as conn:
        cursor = conn.execute(statement, args)
        return cursor.fetchall() if cursor.description else []


def exists(name):
    return bool(maintenance(
            'SELECT 1 FROM pg_database WHERE datname = %s', name))


def drop(name):
    maintenance(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(
            sql.Identifier(name)))


def template(scale, rebuild):
    "The template database of the scale, built when missing"
    if not scale:
        sys.path.insert(0, str(HERE))
        from bench_payment_run import TEMPLATE, build_template
        if not exists(TEMPLATE):
            build_template()
        return TEMPLATE
    name = f'{PREFIX}tpl_x{scale}'
    if rebuild:
        drop(name)
    if not exists(name):
        print(f"building {name} with bench/scale_data.py (once)", flush=True)
        subprocess.run([sys.executable, HERE / 'scale_data.py',
                '--scale', str(scale), '--database', name], check=True)
    return name


def prepare(options):
    "The run's database: a copy of the template, updated to the code"
    source = template(options.scale, options.rebuild)
    drop(options.database)
    start = time.perf_counter()
    maintenance(sql.SQL('CREATE DATABASE {} TEMPLATE {}').format(
            sql.Identifier(options.database), sql.Identifier(source)))
    print(f"copied {source} as {options.database} in "
        f"{time.perf_counter() - start:.1f} s", flush=True)
    if options.update:
        start = time.perf_counter()
        subprocess.run([BIN / 'trytond-admin', '-d', options.database,
                '-u', *MODULES], check=True, stdout=subprocess.DEVNULL,
            env={**os.environ, 'TRYTOND_DATABASE__URI': uri()})
        print(f"modules updated in {time.perf_counter() - start:.1f} s",
            flush=True)


# Set-up in plain SQL: users and what may be declared

def copy_user(cursor, source, login, lycee=None):
    """Insert a copy of the user source as login (same password hash,
    groups, companies, employees, actions), of the lycée if given, else of
    the source's lycées; return its id"""
    cursor.execute("SELECT * FROM res_user WHERE login = %s", (source,))
    row = dict(zip([c.name for c in cursor.description], cursor.fetchone(),
            strict=True))
    source_id = row.pop('id')
    row.update(login=login, name=login, create_date=dt.datetime.now())
    cursor.execute(sql.SQL('INSERT INTO res_user ({}) VALUES ({}) '
            'RETURNING id').format(
            sql.SQL(', ').join(map(sql.Identifier, row)),
            sql.SQL(', ').join(sql.Placeholder() * len(row))),
        list(row.values()))
    user_id, = cursor.fetchone()
    for table, column in [('res_user-res_group', 'group'),
            ('res_user-company_company', 'company'),
            ('res_user-company_employee', 'employee'),
            ('res_user-ir_action', 'action'),
            ('bts_lycee-res_user', 'lycee')]:
        value = sql.Identifier(column)
        if table == 'bts_lycee-res_user' and lycee:
            value = sql.Literal(lycee)
        cursor.execute(sql.SQL('INSERT INTO {} ("user", {}, create_date, '
                'create_uid) SELECT %s, {}, now(), 0 FROM {} '
                'WHERE "user" = %s').format(sql.Identifier(table),
                sql.Identifier(column), value, sql.Identifier(table)),
            (user_id, source_id))
    return user_id


def plannable(cursor):
    """The courses of the active contracts of external and specialised
    lecturers with planned lessons left: [{contract, lycee, course, left,
    windows}], windows the periods of the contract's lines of the course
    (their semester within the contract's dates)"""
    cursor.execute("""
        SELECT c.id, c.lycee, cl.course, sum(cl.quantity),
            array_agg(greatest(c.start_date, s.start_date)),
            array_agg(least(c.end_date, s.end_date))
        FROM bts_contract c
        JOIN bts_contract_line cl ON cl.contract = c.id
        JOIN bts_semester s ON s.id = cl.semester
        WHERE c.state = 'active' AND c.role IN ('external', 'specialised')
        GROUP BY c.id, c.lycee, cl.course""")
    planned = cursor.fetchall()
    cursor.execute("""
        SELECT d.contract, l.course, sum(l.quantity)
        FROM bts_declaration_line l
        JOIN bts_declaration d ON d.id = l.declaration
        WHERE d.state = ANY(%s) GROUP BY d.contract, l.course""",
        (list(COUNTED_STATES),))
    declared = {(c, course): q for c, course, q in cursor}
    return [dict(contract=contract, lycee=lycee, course=course,
            left=int(quantity - declared.get((contract, course), 0)),
            windows=[(s, e) for s, e in zip(starts, ends, strict=True)
                if s <= e])
        for contract, lycee, course, quantity, starts, ends in planned
        if quantity > declared.get((contract, course), 0)]


def set_up(options):
    """Create the run's users and read what may be declared: (clerks
    [(login, lycée)], directors {lycée: login}, approvers [login],
    slots {lycée: [slot]})"""
    with psycopg.connect(uri(options.database)) as conn:
        cursor = conn.cursor()
        slots = defaultdict(list)
        for slot in plannable(cursor):
            if slot['windows']:
                slots[slot['lycee']].append(slot)
        if not slots:
            sys.exit("no active contract with planned lessons left")
        lycees = sorted(slots, key=lambda lycee: (
                -sum(s['left'] for s in slots[lycee]), lycee))
        clerks = [(f'load.rh.{n:02d}', lycee) for n, lycee in zip(
                range(1, options.clerks + 1), itertools.cycle(lycees))]
        directors = {lycee: f'load.direction.{lycee}'
            for lycee in {lycee for _, lycee in clerks}}
        approvers = [f'load.approver.{n}'
            for n in range(1, options.approvers + 1)]
        for login, lycee in clerks:
            copy_user(cursor, CLERK, login, lycee)
        for lycee, login in directors.items():
            copy_user(cursor, DIRECTOR, login, lycee)
        for login in approvers:
            copy_user(cursor, APPROVER, login)
        conn.commit()
    print(f"{len(clerks)} clerks on {len(directors)} lycées, "
        f"{len(approvers)} approvers; {len(lycees)} lycées have "
        f"{sum(len(s) for s in slots.values())} contract courses with "
        f"{sum(s['left'] for v in slots.values() for s in v)} planned "
        "lessons left", flush=True)
    return clerks, directors, approvers, slots


class Planner:
    """Hands out the lines of new declarations within the planned lessons
    left, shared by the clerks of a lycée (several may declare under the
    same contract at once)"""

    def __init__(self, slots):
        self.slots = slots
        self.lock = threading.Lock()

    def lines(self, lycee, rng, count):
        """A plan of count lines of one lesson of one course in one month:
        (slot, values of the declaration), or None when nothing is left"""
        with self.lock:
            slots = [s for s in self.slots[lycee] if s['left'] >= count]
            if not slots:
                return None
            slot = rng.choice(slots)
            slot['left'] -= count
        start, end = rng.choice(slot['windows'])
        day = start + dt.timedelta(rng.randrange((end - start).days + 1))
        month = day.replace(day=1)
        month_end = (month + dt.timedelta(days=31)).replace(
            day=1) - dt.timedelta(days=1)
        low, high = max(start, month), min(end, month_end)
        return slot, {
            'kind': 'lessons', 'contract': slot['contract'],
            'lycee': lycee, 'month': month,
            'lines': [['create', [{
                            'date': low + dt.timedelta(
                                rng.randrange((high - low).days + 1)),
                            'course': slot['course'],
                            'quantity': Decimal(1)}
                        for _ in range(count)]]],
            }

    def more(self, slot, lessons):
        "Take up to lessons more of slot: how many were taken"
        with self.lock:
            lessons = min(lessons, slot['left'])
            slot['left'] -= lessons
            return lessons


# The client

def _json_default(value):
    if isinstance(value, Decimal):
        return {'__class__': 'Decimal', 'decimal': str(value)}
    if isinstance(value, dt.date):
        return {'__class__': 'date', 'year': value.year,
            'month': value.month, 'day': value.day}
    raise TypeError(f"cannot encode {value!r}")


def _json_object_hook(dct):
    if dct.get('__class__') == 'Decimal':
        return Decimal(dct['decimal'])
    return dct


class Answer(Exception):
    "A call that did not return a result: kind is its class in the report"

    def __init__(self, kind, detail):
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


def classify(error):
    "The Answer of a JSON-RPC error"
    if error[0] == 'UserError':
        message = error[1][0]
        for kind, text in REFUSALS:
            if text in message:
                return Answer(f'refused: {kind}', message)
        return Answer('refused: other', message)
    text = json.dumps(error)
    for kind, marker in ERRORS:
        if marker in text.lower():
            return Answer(f'error: {kind}', text[:300])
    return Answer(f'error: {error[0]}'[:60], text[:300])


def classify_http(status, data):
    """The Answer of an HTTP error: trytond answers 503 when the database
    failed after its retries (a lock not obtained, a serialization
    failure, a deadlock)"""
    text = data.decode(errors='replace')
    for kind, marker in ERRORS:
        if marker in text.lower():
            return Answer(f'error: {kind} (HTTP {status})', text[-300:])
    return Answer(f'error: HTTP {status}', text[-300:])


class Recorder:
    "Latencies and answers per kind of request, shared by the threads"

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.answers = defaultdict(Counter)
        self.samples = {}

    def add(self, kind, seconds, answer='ok', detail=None):
        with self.lock:
            self.latencies[kind].append(seconds)
            self.answers[kind][answer] += 1
            if detail and answer not in self.samples:
                self.samples[answer] = detail


class Client:
    "A user's JSON-RPC session on the server, each call timed"
    _ids = itertools.count(1)

    def __init__(self, port, database, login, recorder=None):
        self.port, self.database, self.login = port, database, login
        self.recorder = recorder
        self.authorization = None

    def call(self, kind, method, *params):
        body = json.dumps({'id': next(self._ids), 'method': method,
                'params': list(params)}, default=_json_default)
        headers = {'Content-Type': 'application/json'}
        if self.authorization:
            headers['Authorization'] = self.authorization
        start = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(
                '127.0.0.1', self.port, timeout=300)
            try:
                conn.request('POST', f'/{self.database}/rpc/', body, headers)
                response = conn.getresponse()
                data = response.read()
            finally:
                conn.close()
            if response.status == 401:
                # Tryton's fresh_session: the user must log in again
                raise Answer('asked to log in again', data[:300])
            if response.status != 200:
                raise classify_http(response.status, data)
            reply = json.loads(data, object_hook=_json_object_hook)
            if reply.get('error'):
                raise classify(reply['error'])
        except OSError as error:
            answer = Answer('error: connection', repr(error))
            self._record(kind, start, answer)
            raise answer from error
        except Answer as answer:
            self._record(kind, start, answer)
            raise
        self._record(kind, start)
        return reply['result']

    def _record(self, kind, start, answer=None):
        if self.recorder:
            self.recorder.add(kind, time.perf_counter() - start,
                answer.kind if answer else 'ok',
                answer.detail if answer else None)

    def log_in(self):
        user_id, session, *_ = self.call('login', 'common.db.login',
            self.login, {'password': DEMO_PASSWORD}, 'en')
        token = base64.b64encode(
            f'{self.login}:{user_id}:{session}'.encode()).decode()
        self.authorization = f'Session {token}'
        return self

    def model(self, kind, model, method, *args):
        return self.call(
            kind, f'model.{model}.{method}', *args, {'language': 'en'})

    def wizard(self, kind, name, ids):
        """Run the bulk wizard name on the declarations ids: the result's
        (done, refused); a 401 (fresh session required) is answered by a
        new login and the call again"""
        context = {'language': 'en', 'active_model': 'bts.declaration',
            'active_id': ids[0], 'active_ids': ids}
        method = f'wizard.{name}'
        session, _, _ = self.call('wizard', f'{method}.create', context)
        try:
            for attempt in range(2):
                try:
                    result = self.call(kind, f'{method}.execute',
                        session, {}, 'start', context)
                    break
                except Answer as answer:
                    if answer.kind != 'asked to log in again' or attempt:
                        raise
                    self.log_in()
        finally:
            self.call('wizard', f'{method}.delete', session, context)
        defaults = result['view']['defaults']
        return defaults['done'], defaults['refused']


# The server

def start_server(options, folder):
    "gunicorn with the workers on a free loopback port: (process, port)"
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    # docker/trytond.conf with the file store in the run's folder, without
    # [web] (gunicorn binds, no web client), the cache listeners polling
    # every second so that their start is seen
    parser = configparser.ConfigParser()
    parser.read(DOCKER_CONFIG)
    parser.remove_section('web')
    # The simulated users log in with their password alone (no
    # authenticator app): password+totp only adds a login step
    parser['session']['authentications'] = 'password'
    parser['database']['path'] = str(folder)
    if options.retry is not None:
        parser['database']['retry'] = str(options.retry)
    parser['cache']['select_timeout'] = '1'
    config = folder / 'trytond.conf'
    with config.open('w') as file:
        parser.write(file)
    options.retry = parser['database'].getint('retry')
    env = {k: v for k, v in os.environ.items() if not k.startswith('TRYTOND')}
    env.update(TRYTOND_CONFIG=str(config),
        TRYTOND_DATABASE__URI=uri(), TRYTOND_DATABASE_NAMES=options.database)
    log = (folder / 'gunicorn.log').open('wb')
    process = subprocess.Popen([BIN / 'gunicorn',
            '--bind', f'127.0.0.1:{port}', '--workers', str(options.workers),
            '--timeout', '120', '--graceful-timeout', '30',
            '--worker-tmp-dir', '/dev/shm', 'trytond.application:app'],
        env=env, stdin=subprocess.DEVNULL, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True)
    # Each worker loads the pool before it accepts a request and starts
    # its cache listener with its first transaction: log in from several
    # threads at once until every worker listens.
    deadline = time.monotonic() + START_TIMEOUT
    with psycopg.connect(uri('postgres'), autocommit=True) as conn:
        while True:
            if process.poll() is not None:
                sys.exit(f"gunicorn exited with {process.returncode}, see "
                    f"{folder / 'gunicorn.log'}")
            listeners, = conn.execute("SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = %s AND query = 'SELECT 1'",
                (options.database,)).fetchone()
            if listeners >= options.workers:
                return process, port
            if time.monotonic() > deadline:
                stop_server(process)
                sys.exit(f"{listeners} of {options.workers} workers ready "
                    f"after {START_TIMEOUT} s")
            logins = [threading.Thread(target=_try_login,
                    args=(port, options.database))
                for _ in range(2 * options.workers)]
            for thread in logins:
                thread.start()
            for thread in logins:
                thread.join()
            time.sleep(1)


def _try_login(port, database):
    with contextlib.suppress(Answer):
        Client(port, database, VERIFIER).log_in()


def stop_server(process):
    "Stop gunicorn and its workers: the process group it leads"
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def cpu_seconds(pid):
    "The CPU time of the process pid and of its waited-for children"
    with open(f'/proc/{pid}/stat') as stat:
        fields = stat.read().rsplit(')', 1)[1].split()
    return sum(map(int, fields[11:15])) / os.sysconf('SC_CLK_TCK')


def server_cpu(process, database):
    """The CPU seconds of gunicorn's workers (its running children) and of
    the PostgreSQL backends of the database (those connected now)"""
    workers = [pid for child in Path(f'/proc/{process.pid}/task').glob(
            '*/children') for pid in child.read_text().split()]
    backends = [pid for pid, in maintenance(
            'SELECT pid FROM pg_stat_activity WHERE datname = %s', database)]
    totals = []
    for pids in [workers, backends]:
        total = 0
        for pid in pids:
            with contextlib.suppress(OSError):
                total += cpu_seconds(pid)
        totals.append(total)
    return totals


# The work

class Ledger:
    """What the clients were told: per declaration its state, lines and
    lessons"""

    def __init__(self):
        self.lock = threading.Lock()
        self.told = {}

    def tell(self, declaration, **values):
        with self.lock:
            self.told.setdefault(declaration, {}).update(values)


def session(port, database, login, recorder, barrier):
    """The user's session, opened before all start together: None when the
    login failed"""
    client = Client(port, database, login, recorder)
    try:
        client.log_in()
    except Answer:
        client = None
    barrier.wait()
    return client


def think(rng, options):
    "Wait a random think time, --think seconds on average"
    time.sleep(rng.uniform(0, 2 * options.think))


def clerk(port, database, login, lycee, options, planner, ledger, recorder,
        barrier, seed):
    """A clerk's fixed run: log in, then per declaration open the list of
    drafts, create a draft of 1 to 3 lines of one lesson, reload it,
    correct its first line to 1 or 2 lessons and submit it"""
    rng = random.Random(seed)
    client = session(port, database, login, recorder, barrier)
    if not client:
        return
    for _ in range(options.declarations):
        think(rng, options)
        with contextlib.suppress(Answer):
            client.model('list', 'bts.declaration', 'search_read',
                [('state', '=', 'draft')], 0, 20, None,
                ['rec_name', 'month', 'state', 'amount'])
        think(rng, options)
        count = rng.randint(1, 3)
        plan = planner.lines(lycee, rng, count)
        if not plan:
            recorder.add('create', 0, 'nothing left to declare')
            continue
        slot, values = plan
        try:
            declaration, = client.model(
                'create', 'bts.declaration', 'create', [values])
            ledger.tell(declaration, state='draft', lines=count,
                lessons=count)
            record, = client.model('read', 'bts.declaration', 'read',
                [declaration], ['lines', 'amount', 'state'])
            think(rng, options)
            extra = planner.more(slot, rng.randint(0, 1))
            client.model('write', 'bts.declaration', 'write',
                [declaration], {'lines': [['write', [min(record['lines'])],
                            {'quantity': Decimal(1 + extra)}]]})
            ledger.tell(declaration, lessons=count + extra)
            think(rng, options)
            client.model('submit', 'bts.declaration', 'submit',
                [declaration])
            ledger.tell(declaration, state='submitted')
        except Answer:
            continue


def approver(port, database, login, options, pool, ledger, recorder,
        barrier, seed):
    """An approver's fixed run: log in, then approve pages of the
    verified declarations of the lycées of the pool"""
    rng = random.Random(seed)
    client = session(port, database, login, recorder, barrier)
    if not client:
        return
    for _ in range(options.batches):
        think(rng, options)
        try:
            ids = client.model('search', 'bts.declaration', 'search',
                [('state', '=', 'verified'), ('lycee', 'in', pool)], 0,
                options.batch_size, None)
            if not ids:
                recorder.add('approve', 0, 'nothing left to approve')
                continue
            think(rng, options)
            done, refused = client.wizard('approve',
                'bts.declaration.process.approve', ids)
        except Answer:
            continue
        for declaration in done:
            ledger.tell(declaration, state='approved')
        if len(done) < len(ids):
            recorder.add('approve: refused in the batch', 0,
                f'{len(ids) - len(done)} of {len(ids)}', refused)


def verified(options):
    "The verified declarations of lessons per lycée: {lycée: count}"
    with psycopg.connect(uri(options.database)) as conn:
        return dict(conn.execute("""SELECT lycee, count(*)
            FROM bts_declaration WHERE state = 'verified'
                AND kind = 'lessons'
            GROUP BY lycee""").fetchall())


def pools(options):
    """The lycées of each approver: the lycées with verified
    declarations shared out so that each approver has about as many to
    approve (a lycée may be shared when there are fewer lycées)"""
    counts = verified(options)
    result = [[] for _ in range(options.approvers)]
    totals = [0] * options.approvers
    for lycee, count in sorted(counts.items(), key=lambda i: (-i[1], i[0])):
        n = totals.index(min(totals))
        result[n].append(lycee)
        totals[n] += count
    for n, pool in enumerate(result):
        if not pool and counts:
            pool.append(sorted(counts)[n % len(counts)])
    return result


def stage(port, options, clerks, directors, planner, ledger, count):
    """count verified declarations for the approvers when the data has too
    few (the demo), of one line of one lesson each: created and submitted
    by a clerk of each lycée, countersigned by the lycée's director,
    verified by the ministry, each step in bulk by the wizard of the list;
    untimed"""
    rng = random.Random(options.seed)
    lycees = sorted({lycee for _, lycee in clerks})
    logins = {lycee: login for login, lycee in reversed(clerks)}
    plans = defaultdict(list)
    for n in range(count):
        lycee = lycees[n % len(lycees)]
        if plan := planner.lines(lycee, rng, 1):
            plans[lycee].append(plan[1])
    verifier = Client(port, options.database, VERIFIER).log_in()
    for lycee, values in sorted(plans.items()):
        clerk = Client(port, options.database, logins[lycee]).log_in()
        done = clerk.model('stage', 'bts.declaration', 'create', values)
        done, _ = clerk.wizard(
            'stage', 'bts.declaration.process.submit', done)
        if done:
            director = Client(
                port, options.database, directors[lycee]).log_in()
            done, _ = director.wizard(
                'stage', 'bts.declaration.process.countersign', done)
        if done:
            done, _ = verifier.wizard(
                'stage', 'bts.declaration.process.verify', done)
        for declaration in done:
            ledger.tell(declaration, state='verified', lines=1, lessons=1)


def run(port, options, clerks, approvers, lycees, planner, ledger, recorder):
    "Every simulated user at once; return the wall time"
    barrier = threading.Barrier(len(clerks) + len(approvers) + 1)
    threads = [threading.Thread(target=clerk, args=(port, options.database,
                login, lycee, options, planner, ledger, recorder, barrier,
                options.seed * 1000 + n))
        for n, (login, lycee) in enumerate(clerks)]
    threads += [threading.Thread(target=approver, args=(port,
                options.database, login, options, pool, ledger, recorder,
                barrier, options.seed * 1000 + 500 + n))
        for n, (login, pool) in enumerate(zip(approvers, lycees,
                strict=True))]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


# The checks, in plain SQL

def over_caps(cursor):
    "The totals above a cap or above the planned lessons: {check: rows}"
    counted = list(COUNTED_STATES)
    lessons = """
        FROM bts_declaration_line l
        JOIN bts_declaration d ON d.id = l.declaration
        JOIN bts_contract c ON c.id = d.contract
        WHERE d.state = ANY(%s) AND d.kind = 'lessons'"""
    checks = {}
    cursor.execute(f"""SELECT c.party, l.academic_year, sum(l.quantity)
        {lessons} AND c.role = 'external'
        GROUP BY c.party, l.academic_year HAVING sum(l.quantity) > %s""",
        (counted, EXTERNAL_YEAR_LIMIT))
    checks[f'external > {EXTERNAL_YEAR_LIMIT} lessons per academic year'] = (
        cursor.fetchall())
    cursor.execute(f"""SELECT c.party, l.semester, sum(l.quantity)
        {lessons} AND c.role = 'specialised'
        GROUP BY c.party, l.semester HAVING sum(l.quantity) > %s""",
        (counted, SPECIALISED_SEMESTER_LIMIT))
    checks[f'specialised > {SPECIALISED_SEMESTER_LIMIT} lessons per '
        'semester'] = cursor.fetchall()
    cursor.execute(f"""SELECT d.contract, l.course, sum(l.quantity)
        {lessons} GROUP BY d.contract, l.course
        HAVING sum(l.quantity) > (SELECT sum(cl.quantity)
            FROM bts_contract_line cl
            WHERE cl.contract = d.contract AND cl.course = l.course)""",
        (counted,))
    checks['course of a contract > its planned lessons'] = cursor.fetchall()
    return checks


def lost(cursor, ledger, clerk_logins):
    """The declarations told saved, submitted or approved that are not so
    in the database, and those the clerks created unknown to them"""
    told = ledger.told
    cursor.execute("""SELECT d.id, d.state, count(l.id), sum(l.quantity)
        FROM bts_declaration d
        LEFT JOIN bts_declaration_line l ON l.declaration = d.id
        WHERE d.id = ANY(%s) GROUP BY d.id""", (list(told),))
    found = {i: dict(state=s, lines=n, lessons=q) for i, s, n, q in cursor}
    missing = [(declaration, values, found.get(declaration))
        for declaration, values in told.items()
        if any(found.get(declaration, {}).get(key) != value
            for key, value in values.items())]
    cursor.execute("""SELECT d.id FROM bts_declaration d
        JOIN res_user u ON u.id = d.create_uid WHERE u.login = ANY(%s)""",
        (clerk_logins,))
    unknown = sorted({i for i, in cursor} - set(told))
    return missing, unknown


# The report

def percentile(values, q):
    "The q-th percentile of values (nearest rank)"
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * len(values))
                - 1))]


def table(recorder, seconds):
    "The Markdown table of the timed requests"
    rows = ["| request | count | p50 ms | p95 ms | p99 ms | answers |",
        "| --- | ---: | ---: | ---: | ---: | --- |"]
    kinds = ['login', 'list', 'create', 'read', 'write', 'save', 'submit',
        'search', 'wizard', 'approve', 'approve: refused in the batch']
    latencies = dict(recorder.latencies)
    latencies['save'] = latencies.get('create', []) + latencies.get(
        'write', [])
    answers = dict(recorder.answers)
    answers['save'] = answers.get('create', Counter()) + answers.get(
        'write', Counter())
    for kind in kinds:
        values = [v for v in latencies.get(kind, []) if v]
        if kind not in answers:
            continue
        figures = [f'{percentile(values, q) * 1000:,.0f}' if values else '-'
            for q in (50, 95, 99)]
        summary = ', '.join(f'{answer} {count}' for answer, count
            in answers[kind].most_common())
        rows.append(f"| {kind} | {len(values)} | {' | '.join(figures)} "
            f"| {summary} |")
    # The logins before the start are not counted
    total = sum(len([v for v in values if v]) for kind, values
        in recorder.latencies.items() if kind != 'login')
    return rows, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--scale', type=int, default=10,
        help="the data of bench/scale_data.py; 0: the demo database")
    parser.add_argument('--database', help="the run's database "
        f"(default {PREFIX}x<scale>), dropped at the end")
    parser.add_argument('--keep', action='store_true',
        help="keep the run's database")
    parser.add_argument('--rebuild', action='store_true',
        help="build the template database again")
    parser.add_argument('--no-update', dest='update', action='store_false',
        help="do not update the copy's modules with trytond-admin -u")
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--retry', type=int,
        help="[database] retry of the server (default docker/trytond.conf's)")
    parser.add_argument('--clerks', type=int, default=50)
    parser.add_argument('--approvers', type=int, default=5)
    parser.add_argument('--declarations', type=int, default=4,
        help="declarations per clerk, 5 requests each")
    parser.add_argument('--batches', type=int, default=4,
        help="approvals per approver, 4 requests each")
    parser.add_argument('--batch-size', type=int, default=10)
    parser.add_argument('--think', type=float, default=1.0,
        help="mean think time between two requests of a user, seconds")
    parser.add_argument('--seed', type=int, default=1)
    options = parser.parse_args()
    if not os.environ.get('TRYTOND_DATABASE_URI', '').startswith(
            'postgresql'):
        sys.exit("set TRYTOND_DATABASE_URI=postgresql://...")
    options.database = options.database or f'{PREFIX}x{options.scale}'

    prepare(options)
    process = None
    try:
        clerks, directors, approvers, slots = set_up(options)
        planner = Planner(slots)
        ledger, recorder = Ledger(), Recorder()
        with psycopg.connect(uri(options.database)) as conn:
            before = over_caps(conn.cursor())
        folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        start = time.perf_counter()
        process, port = start_server(options, folder)
        print(f"gunicorn with {options.workers} workers on 127.0.0.1:{port}"
            f" ready in {time.perf_counter() - start:.1f} s "
            f"(log {folder / 'gunicorn.log'})", flush=True)
        needed = options.approvers * options.batches * options.batch_size
        if (missing := needed - sum(verified(options).values())) > 0:
            start = time.perf_counter()
            stage(port, options, clerks, directors, planner, ledger, missing)
            print(f"staged {missing} verified declarations in "
                f"{time.perf_counter() - start:.1f} s", flush=True)
        lycees = pools(options)
        load = os.getloadavg()[0]
        cpu = server_cpu(process, options.database)
        client_cpu = resource.getrusage(resource.RUSAGE_SELF)
        seconds = run(port, options, clerks, approvers, lycees, planner,
            ledger, recorder)
        cpu = [after - before for after, before in zip(
                server_cpu(process, options.database), cpu, strict=True)]
        client_cpu = sum(getattr(resource.getrusage(resource.RUSAGE_SELF), f)
            - getattr(client_cpu, f) for f in ('ru_utime', 'ru_stime'))
        loads = (load, os.getloadavg()[0])
    finally:
        if process:
            stop_server(process)
    with psycopg.connect(uri(options.database)) as conn:
        after = over_caps(conn.cursor())
        missing, unknown = lost(
            conn.cursor(), ledger, [login for login, _ in clerks])
    if not options.keep:
        drop(options.database)

    rows, total = table(recorder, seconds)
    told = Counter(v['state'] for v in ledger.told.values())
    print(f"\n{len(clerks)} clerks × {options.declarations} declarations, "
        f"{len(approvers)} approvers × {options.batches} batches of "
        f"{options.batch_size}, think time {options.think} s on average, "
        f"{options.workers} workers, retry {options.retry}, "
        f"scale ×{options.scale}:")
    print(f"{total} requests in {seconds:.1f} s: "
        f"{total / seconds:.1f} requests/s; CPU {cpu[0]:.0f} s in the "
        f"workers, {cpu[1]:.0f} s in PostgreSQL, {client_cpu:.0f} s in the "
        "clients; load average "
        f"{loads[0]:.1f} before, {loads[1]:.1f} after (on {os.cpu_count()}"
        " cores)\n")
    print('\n'.join(rows))
    print(f"\nTold: {dict(told)}")
    for name in before:
        print(f"{name}: {len(before[name])} before the run, "
            f"{len(after[name])} after"
            + (f" {after[name][:5]}" if after[name] else ""))
    print(f"lost or changed: {len(missing)} {missing[:5]}; created "
        f"unknown to the clerks: {len(unknown)} {unknown[:5]}")
    for answer, detail in recorder.samples.items():
        print(f"  sample of {answer}: {str(detail)[:300]}")
    errors = sum(count for answers in recorder.answers.values()
        for answer, count in answers.items() if answer.startswith('error'))
    passed = any(len(after[n]) > len(before[n]) for n in after)
    sys.exit(1 if errors or passed or missing or unknown else 0)


if __name__ == '__main__':
    main()
