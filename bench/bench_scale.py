"""Scale benchmark: the ministry's operations at ×1, ×10 and ×100 of a
year's data (scale_data.py), each beside a plain-SQL baseline.

For each scale the database bench_scale_x<N> (prefix --database-prefix) is
built by scale_data.build, or reused with its schema brought up to date.
Each operation runs the product's own code in a trytond transaction as the
demo user who does it, with the user's preferences as context (and
``_check_access`` where the web client's call checks access), retried after
a record lock as the RPC dispatcher does, then rolled back: the data stay the
same from run to run. Beside it, in the same process, psycopg 3 runs the same
work in plain SQL on the same tables (the same aggregations; for the import
COPY and INSERT ... SELECT of the same rows), rolled back too. Each figure
comes with the peak resident memory of the process during the operation.

- import: DeclarationImporter(lycée).import_file of a CSV of IMPORT_ROWS
  valid rows (lessons of July 2026 of the lycée's external lecturers) as
  rh.ltc, the HR of the first lycée; rows/s.
- cap check: Declaration.check_caps_lessons of one submitted declaration,
  median of 50 transactions.
- approve: Declaration.approve of June's verified declarations in one call
  as ministere.finances; lines/s.
- lists: the first page as sao opens it: search(domain, 0, limit, order),
  search_count when the page is full, read of the tree view's fields (with
  their rec_name, _timestamp, _write, _delete) in sao's chunks; the tab
  domains' PYSON Date() is evaluated as on AS_OF (the data's year), and the
  declaration tabs' counts are measured apart.
- payment run of May 2026 (bench_payment_run's steps through proteus, on a
  copy of the database dropped after), at ×1, and at ×10 only when the ×1
  rate says it ends within PAYMENT_LIMIT.

Run: .venv/bin/python bench/bench_scale.py --scale 1 [10 100]
    [--database-prefix bench_scale_] [--no-results]
The table is printed and written to the "Scale" section of RESULTS.md.
"""
import argparse
import csv
import datetime as dt
import io
import os
import pickle
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time
import traceback
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_payment_run as bpr  # noqa: E402
import scale_data  # noqa: E402

from proteus import Model, Report  # noqa: E402
from proteus import config as proteus_config  # noqa: E402
from trytond import backend  # noqa: E402
from trytond.modules.bts_indemnity.declaration_import import (  # noqa: E402
    DeclarationImporter,
    template_csv,
)
from trytond.pool import Pool  # noqa: E402
from trytond.pyson import PYSONDecoder  # noqa: E402
from trytond.transaction import Transaction, TransactionError  # noqa: E402

# proteus.config.set_trytond changes the environment's URI: the one given
URI = os.environ['TRYTOND_DATABASE_URI']
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
    'RESULTS.md')
SECTION = '## Scale (bench_scale.py)'
AS_OF = dt.date(2026, 6, 15)
IMPORT_ROWS = 500
CAP_RUNS = 50
PAYMENT_LIMIT = OPERATION_LIMIT = 600
SAO_LIMIT = 1000
COUNTED = ('submitted', 'countersigned', 'verified', 'approved', 'paid')
JULY, JUNE, MAY = (dt.date(2026, m, 1) for m in (7, 6, 5))
# label, action, tab (None: the first), user
LISTS = [
    ("declarations to approve", 'bts_indemnity.act_declaration',
        'bts_indemnity.act_declaration_domain_verified', 'ministere.finances'),
    ("contracts (active)", 'bts_programme.act_contract',
        'bts_programme.act_contract_domain_active', 'ministere.admin'),
    ("lessons per provider", 'bts_programme.act_provider_usage', None,
        'ministere.admin'),
    ("external share", 'bts_programme.act_programme_share', None,
        'ministere.admin'),
    ("payment runs", 'bts_indemnity.act_payment_run', None,
        'ministere.finances'),
    ]


def postgresql():
    return os.environ['TRYTOND_DATABASE_URI'].startswith('postgresql')


# Measuring


def peak_reset():
    "Reset the peak resident memory of the process (Linux)"
    try:
        with open('/proc/self/clear_refs', 'w') as clear:
            clear.write('5')
    except OSError:
        pass


def peak_mb():
    "The peak resident memory of the process since peak_reset, in MB"
    try:
        with open('/proc/self/status') as status:
            return int(re.search(r'VmHWM:\s+(\d+)', status.read())[1]) / 1024
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(function, *args):
    "Return the seconds, the peak memory (MB) and the result of function"
    peak_reset()
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, peak_mb(), result


_contexts = {}


def user(database, login):
    "The id and the preferences context of the demo user login"
    if login not in _contexts:
        with Transaction().start(database, 0):
            User = Pool().get('res.user')
            user_id, = [u.id for u in User.search([('login', '=', login)])]
        with Transaction().start(database, user_id):
            context = Pool().get('res.user').get_preferences(True)
        _contexts[login] = user_id, context
    return _contexts[login]


def run(database, login, work, access=False):
    """Return work() run as login and rolled back, the transaction started
    again with the locks it asks, as the dispatcher does"""
    user_id, context = user(database, login)
    if access:
        context = {**context, '_check_access': True}
    extras = {}
    while True:
        try:
            with Transaction().start(
                    database, user_id, context=context, **extras) as t:
                try:
                    return work()
                finally:
                    t.rollback()
        except TransactionError as exception:
            exception.fix(extras)


class Baseline:
    "Plain SQL on the same tables with psycopg 3, each work rolled back"

    def __init__(self, database):
        import psycopg
        uri = urlsplit(URI)
        self.connection = psycopg.connect(host=uri.hostname,
            port=uri.port or 5432, user=uri.username, password=uri.password,
            dbname=database)

    def __call__(self, work, *args):
        "Return the seconds of work(cursor, *args) and its result"
        with self.connection.cursor() as cursor:
            start = time.perf_counter()
            result = work(cursor, *args)
            seconds = time.perf_counter() - start
        self.connection.rollback()
        return seconds, result

    def close(self):
        self.connection.close()


def one(cursor, query, *params):
    cursor.execute(query, params)
    return cursor.fetchall()


def in_child(figures, key, function, *args):
    """Return function(*args) run in a forked process (its own connections
    and peak memory), or None when it failed or did not end within
    OPERATION_LIMIT: then figures[key] says why"""
    read, write = os.pipe()
    pid = os.fork()
    if not pid:
        os.close(read)
        try:
            result = 'ok', function(*args)
        except BaseException as exception:
            result = 'failed', ''.join(traceback.format_exception_only(
                    exception)).strip().splitlines()[-1][:300]
            traceback.print_exc()
        with os.fdopen(write, 'wb') as output:
            pickle.dump(result, output)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, 'rb') as answer:
        if select.select([answer], [], [], OPERATION_LIMIT)[0]:
            status, result = pickle.load(answer)
        else:
            os.kill(pid, signal.SIGKILL)
            status, result = 'failed', (
                f"not measured: > {OPERATION_LIMIT // 60} min")
    os.waitpid(pid, 0)
    if status == 'ok':
        return result
    figures[key] = dict(seconds=None, sql=None, memory=None, note=result)
    print(f"  {key}: {result}", flush=True)


def disconnect(database):
    "Close trytond's connections to database"
    if database in backend.Database._databases.get(os.getpid(), {}):
        backend.Database(database).close()


# The data


def prepare(scale, database):
    "Build the database, or bring the schema of a reused one up to date"
    if not bpr._exists(database):
        scale_data.build(scale, database)
    else:
        print(f"{database}: reused, schema updated", flush=True)
        scale_data.update_schema(database)
    Pool(database).init()


def import_file(database):
    """A CSV with the template's columns: IMPORT_ROWS lessons of July 2026 on
    the summer course of the external contracts of the first lycée, one
    lesson each on distinct days"""
    header = next(csv.reader(io.StringIO(template_csv().decode('utf-8'))))
    with Transaction().start(database, 0):
        cursor = Transaction().connection.cursor()
        cursor.execute(
            "SELECT i.code, p.code, co.code FROM bts_contract c "
            "JOIN bts_lycee y ON y.id = c.lycee "
            "JOIN party_identifier i ON i.party = c.party "
            "AND i.type = 'lu_matricule' "
            "JOIN bts_programme p ON p.id = c.programme "
            "JOIN bts_contract_line l ON l.contract = c.id "
            "JOIN bts_semester s ON s.id = l.semester AND s.kind = 'summer' "
            "JOIN bts_programme_course co ON co.id = l.course "
            "WHERE y.code = %s AND c.role = 'external' "
            "AND c.state = 'active' ORDER BY c.id",
            (scale_data.lycee_code(0, 0),))
        contracts = cursor.fetchall()
    output = io.StringIO(newline='')
    writer = csv.writer(output, lineterminator='\r\n')
    writer.writerow(header)
    for row in range(IMPORT_ROWS):
        national_id, programme, course = contracts[row % len(contracts)]
        day = JULY.replace(day=1 + row // len(contracts))
        values = {'national_id': national_id, 'programme': programme,
            'date': day.isoformat(), 'course': course, 'lessons': 1}
        writer.writerow([values[c] for c in header])
    return output.getvalue().encode('utf-8')


def ids(database, query, *params):
    with Transaction().start(database, 0):
        cursor = Transaction().connection.cursor()
        cursor.execute(query, params)
        return [r[0] for r in cursor]


# The operations and their baselines


def op_import(database, baseline, figures):
    data = import_file(database)
    lycee, = ids(database, "SELECT id FROM bts_lycee WHERE code = %s",
        scale_data.lycee_code(0, 0))

    def work():
        Lycee = Pool().get('bts.lycee')
        report = DeclarationImporter(Lycee(lycee)).import_file(
            data, 'x.csv')
        return len(report.lines), report.refusals[:3]
    measured = in_child(figures, 'import', measure,
        run, database, 'rh.ltc', work)
    if not measured:
        return
    seconds, memory, (lines, refusals) = measured
    if refusals:
        print(f"  import: refused rows {refusals}", flush=True)
    sql_seconds, sql_lines = (baseline(import_sql, data, lycee)
        if baseline else (None, None))
    figures['import'] = dict(seconds=seconds, memory=memory,
        sql=sql_seconds, count=lines, rate=lines / seconds,
        note=f"{lines}/{IMPORT_ROWS} rows" + (
            f", SQL {sql_lines} rows" if baseline else ''))


def import_sql(cursor, data, lycee):
    """The file's rows copied into a table, their keys resolved by one join,
    the missing draft declarations and the lines inserted"""
    cursor.execute("CREATE TEMP TABLE import_row (national_id varchar, "
        "programme varchar, date date, course varchar, lessons numeric) "
        "ON COMMIT DROP")
    rows = list(csv.DictReader(io.StringIO(data.decode('utf-8'))))
    with cursor.copy("COPY import_row FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row['national_id'], row['programme'],
                    row['date'], row['course'], row['lessons']])
    cursor.execute("CREATE TEMP TABLE import_line ON COMMIT DROP AS "
        "SELECT c.id AS contract, c.lycee, r.date, "
        "CAST(date_trunc('month', r.date) AS date) AS month, "
        "co.id AS course, r.lessons, y.id AS academic_year, s.id AS semester "
        "FROM import_row r "
        "JOIN party_identifier i ON i.type = 'lu_matricule' "
        "AND i.code = r.national_id "
        "JOIN bts_programme p ON p.code = r.programme "
        "JOIN bts_academic_year y ON r.date BETWEEN y.start_date "
        "AND y.end_date "
        "JOIN bts_semester s ON r.date BETWEEN s.start_date AND s.end_date "
        "JOIN bts_contract c ON c.party = i.party AND c.programme = p.id "
        "AND c.academic_year = y.id AND c.state = 'active' "
        "JOIN bts_programme_module m ON m.programme = p.id "
        "JOIN bts_programme_course co ON co.module = m.id "
        "AND co.code = r.course WHERE c.lycee = %s", (lycee,))
    cursor.execute("INSERT INTO bts_declaration "
        "(kind, contract, lycee, month, state, create_uid, create_date) "
        "SELECT DISTINCT 'lessons', contract, lycee, month, 'draft', 1, "
        "now() FROM import_line l WHERE NOT EXISTS (SELECT 1 "
        "FROM bts_declaration d WHERE d.contract = l.contract "
        "AND d.month = l.month AND d.lycee = l.lycee AND d.state = 'draft')")
    cursor.execute("INSERT INTO bts_declaration_line (declaration, date, "
        "course, quantity, academic_year, semester, create_uid, create_date) "
        "SELECT (SELECT min(d.id) FROM bts_declaration d "
        "WHERE d.contract = l.contract AND d.month = l.month "
        "AND d.lycee = l.lycee AND d.state = 'draft'), l.date, l.course, "
        "l.lessons, l.academic_year, l.semester, 1, now() FROM import_line l")
    return cursor.rowcount


def op_caps(database, baseline, figures):
    declaration, = ids(database,
        "SELECT d.id FROM bts_declaration d "
        "JOIN bts_contract c ON c.id = d.contract "
        "JOIN bts_lycee y ON y.id = d.lycee WHERE d.state = 'submitted' "
        "AND d.month = %s AND y.code = %s AND c.role = 'external' "
        "ORDER BY d.id LIMIT 1", JULY, scale_data.lycee_code(0, 0))

    def work():
        Declaration = Pool().get('bts.declaration')
        start = time.perf_counter()
        Declaration.check_caps_lessons([Declaration(declaration)])
        return time.perf_counter() - start
    def runs():
        peak_reset()
        return [run(database, 'rh.ltc', work)
            for _ in range(CAP_RUNS)], peak_mb()
    measured = in_child(figures, 'caps', runs)
    if not measured:
        return
    times, memory = measured
    sql = None
    if baseline:
        sql = statistics.median(baseline(caps_sql, declaration)[0]
            for _ in range(CAP_RUNS))
    seconds = statistics.median(times)
    figures['caps'] = dict(seconds=seconds, memory=memory, sql=sql,
        note=f"median of {CAP_RUNS}, min {min(times) * 1000:.1f} ms")


_LESSONS = ("SELECT p.code, SUM(l.quantity) FROM bts_declaration_line l "
    "JOIN bts_declaration d ON d.id = l.declaration "
    "JOIN bts_contract c ON c.id = d.contract "
    "JOIN bts_programme p ON p.id = c.programme "
    "WHERE d.state = ANY(%s) AND d.id <> %s AND {} GROUP BY p.code")


def caps_sql(cursor, declaration):
    """The declaration's lines, the lessons counted in the scopes of its
    lecturer's role (year or semester) and of its programme's share, and the
    share's denominator"""
    lines = one(cursor, "SELECT c.party, c.programme, c.role, "
        "l.academic_year, l.semester, l.quantity FROM bts_declaration_line l "
        "JOIN bts_declaration d ON d.id = l.declaration "
        "JOIN bts_contract c ON c.id = d.contract WHERE d.id = %s",
        declaration)
    for party, programme, role, year, semester, _ in lines:
        if role == 'external':
            one(cursor, _LESSONS.format("c.role = 'external' "
                    "AND c.party = %s AND l.academic_year = %s"),
                list(COUNTED), declaration, party, year)
        else:
            one(cursor, _LESSONS.format("c.role = 'specialised' "
                    "AND c.party = %s AND l.semester = %s"),
                list(COUNTED), declaration, party, semester)
        one(cursor, _LESSONS.format("c.role IN ('external', 'specialised') "
                "AND c.programme = %s AND l.academic_year = %s"),
            list(COUNTED), declaration, programme, year)
        one(cursor, "SELECT SUM(co.planned_lessons) "
            "FROM bts_programme_course co "
            "JOIN bts_programme_module m ON m.id = co.module "
            "WHERE m.programme = %s AND m.kind = 'lycee'", programme)


def op_approve(database, baseline, figures):
    batch = ids(database, "SELECT id FROM bts_declaration "
        "WHERE state = 'verified' AND month = %s ORDER BY id", JUNE)
    lines, = ids(database, "SELECT COUNT(*) FROM bts_declaration_line "
        "WHERE declaration IN (SELECT id FROM bts_declaration "
        "WHERE state = 'verified' AND month = %s)", JUNE)

    def work():
        Declaration = Pool().get('bts.declaration')
        Declaration.approve(Declaration.browse(batch))
    measured = in_child(figures, 'approve', measure,
        run, database, 'ministere.finances', work, True)
    if not measured:
        return
    seconds, memory, _ = measured
    sql = baseline(approve_sql, JUNE)[0] if baseline else None
    figures['approve'] = dict(seconds=seconds, memory=memory, sql=sql,
        count=lines, rate=lines / seconds,
        note=f"{len(batch)} declarations, {lines} lines")


def approve_sql(cursor, month):
    """The batch's providers and programmes locked; the approved lessons
    with the batch's per provider and year, per provider and semester, per
    programme and year, the share's denominators and the planned lessons
    per contract and course, one grouped query each; lines and
    declarations updated"""
    cursor.execute("CREATE TEMP TABLE batch ON COMMIT DROP AS "
        "SELECT d.id, d.contract, c.party, c.programme, c.role "
        "FROM bts_declaration d JOIN bts_contract c ON c.id = d.contract "
        "WHERE d.state = 'verified' AND d.month = %s", (month,))
    one(cursor, "SELECT id FROM party_party WHERE id IN "
        "(SELECT party FROM batch) ORDER BY id FOR UPDATE")
    one(cursor, "SELECT id FROM bts_programme WHERE id IN "
        "(SELECT programme FROM batch) ORDER BY id FOR UPDATE")
    lessons = ("SELECT {0}, p.code, SUM(l.quantity) "
        "FROM bts_declaration_line l "
        "JOIN bts_declaration d ON d.id = l.declaration "
        "JOIN bts_contract c ON c.id = d.contract "
        "JOIN bts_programme p ON p.id = c.programme "
        "WHERE (d.state IN ('approved', 'paid') "
        "OR d.id IN (SELECT id FROM batch)) AND c.role IN {1} "
        "AND c.{2} IN (SELECT {2} FROM batch) GROUP BY {0}, p.code")
    for keys, roles, subject in [
            ('c.party, l.academic_year', "('external')", 'party'),
            ('c.party, l.semester', "('specialised')", 'party'),
            ('c.programme, l.academic_year', "('external', 'specialised')",
                'programme')]:
        one(cursor, lessons.format(keys, roles, subject))
    one(cursor, "SELECT m.programme, SUM(co.planned_lessons) "
        "FROM bts_programme_course co "
        "JOIN bts_programme_module m ON m.id = co.module "
        "WHERE m.kind = 'lycee' AND m.programme IN "
        "(SELECT programme FROM batch) GROUP BY m.programme")
    one(cursor, "SELECT d.contract, l.course, SUM(l.quantity), "
        "(SELECT SUM(cl.quantity) FROM bts_contract_line cl "
        "WHERE cl.contract = d.contract AND cl.course = l.course) "
        "FROM bts_declaration_line l "
        "JOIN bts_declaration d ON d.id = l.declaration "
        "WHERE d.contract IN (SELECT contract FROM batch) "
        "AND d.state = ANY(%s) GROUP BY d.contract, l.course", list(COUNTED))
    cursor.execute("UPDATE bts_declaration_line "
        "SET amount = ROUND(euro_rate * quantity, 2), write_uid = 3, "
        "write_date = now() WHERE declaration IN (SELECT id FROM batch)")
    cursor.execute("UPDATE bts_declaration SET state = 'approved', "
        "approved_by = 3, approved_on = now(), write_uid = 3, "
        "write_date = now() WHERE id IN (SELECT id FROM batch)")


def decode(value, context):
    "Decode a PYSON string, Date() as on AS_OF"
    result = PYSONDecoder(context).decode(value) if value else None
    today = dt.date.today()

    def as_of(item):
        if isinstance(item, list):
            return [as_of(i) for i in item]
        if isinstance(item, tuple):
            return tuple(as_of(i) for i in item)
        return AS_OF if item == today else item
    return as_of(result)


def open_list(action_id, tab_id):
    """Open the list of the action as sao: return the ids of the first
    page, the names read and the counts of the tabs"""
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    ActWindow = pool.get('ir.action.act_window')
    TabDomain = pool.get('ir.action.act_window.domain')
    context = Transaction().context
    action = ActWindow(ModelData.get_id(*action_id.split('.')))
    Model = pool.get(action.res_model)
    tabs = list(action.act_window_domains)
    tab = (TabDomain(ModelData.get_id(*tab_id.split('.'))) if tab_id
        else tabs[0] if tabs else None)
    domain = [d for d in [decode(action.pyson_domain, context),
            decode(tab.domain, context) if tab else None] if d]
    order = decode(action.pyson_order, context)
    limit = action.limit or SAO_LIMIT
    view, = [v.view for v in action.act_window_views
        if v.view.real_type == 'tree']
    names = list(Model.fields_view_get(view.id, 'tree')['fields'])
    fields = Model.fields_get(names)
    fetch = names + [f'{n}.rec_name' for n in names
        if fields[n]['type'] in {'many2one', 'one2one', 'reference'}] + [
        'rec_name', '_timestamp', '_write', '_delete']
    counted = [decode(t.domain, context) or [] for t in tabs if t.count]

    def first_page():
        found = list(map(int, Model.search(domain, 0, limit, order)))
        if len(found) == limit:
            Model.search_count(domain, 0, limit * 100)
        chunk = SAO_LIMIT // min(len(fetch), 10)
        for start in range(0, len(found), chunk):
            Model.read(found[start:start + chunk], fetch)
        return len(found)

    def tab_counts():
        for tab_domain in counted:
            Model.search_count(
                [d for d in [decode(action.pyson_domain, context),
                        tab_domain] if d], 0, 1000)
        return len(counted)
    return first_page, tab_counts


def op_lists(database, baseline, figures):
    for (label, action, tab, login), sql in zip(LISTS, LIST_SQL,
            strict=True):
        def work(timed, action=action, tab=tab):
            first_page, tab_counts = open_list(action, tab)
            function = first_page if timed == 'page' else tab_counts
            start = time.perf_counter()
            count = function()
            return time.perf_counter() - start, count
        def page(work=work, login=login):
            run(database, login, lambda: work('page'), True)  # caches warm
            peak_reset()
            return run(database, login, lambda: work('page'), True), peak_mb()
        key = f'list {label}'
        measured = in_child(figures, key, page)
        if not measured:
            continue
        (seconds, rows), memory = measured
        sql_seconds = baseline(sql)[0] if baseline else None
        figures[key] = dict(seconds=seconds, memory=memory,
            sql=sql_seconds, note=f"{rows} rows")
        if action == 'bts_indemnity.act_declaration':
            key = 'list declarations: tab counts'
            measured = in_child(figures, key, run, database, login,
                lambda: work('tabs'), True)
            if not measured:
                continue
            seconds, tabs = measured
            figures[key] = dict(
                seconds=seconds, sql=None, memory=None,
                note=f"{tabs} counted tabs")


def declarations_sql(cursor):
    return one(cursor, "SELECT d.id, d.month, pa.name, d.kind, y.code, "
        "p.code || ' - ' || p.name, (SELECT SUM(l.amount) "
        "FROM bts_declaration_line l WHERE l.declaration = d.id), d.state "
        "FROM bts_declaration d JOIN bts_contract c ON c.id = d.contract "
        "JOIN party_party pa ON pa.id = c.party "
        "JOIN bts_programme p ON p.id = c.programme "
        "JOIN bts_lycee y ON y.id = d.lycee WHERE d.state = 'verified' "
        "ORDER BY d.month DESC, d.id DESC LIMIT %s", SAO_LIMIT)


def contracts_sql(cursor):
    return one(cursor, "SELECT c.id, c.number, pa.name, c.role, "
        "p.code || ' - ' || p.name, y.code, a.name, c.start_date, "
        "(SELECT SUM(l.quantity) FROM bts_contract_line l "
        "WHERE l.contract = c.id), c.version, c.state FROM bts_contract c "
        "JOIN party_party pa ON pa.id = c.party "
        "JOIN bts_programme p ON p.id = c.programme "
        "JOIN bts_lycee y ON y.id = c.lycee "
        "JOIN bts_academic_year a ON a.id = c.academic_year "
        "WHERE c.state = 'active' ORDER BY a.start_date DESC, c.id DESC "
        "LIMIT %s", SAO_LIMIT)


def usage_sql(cursor):
    "The stored lessons per provider (usage.py), as the list shows them"
    return one(cursor, "SELECT pa.name, a.name, u.lessons, u.programmes "
        "FROM bts_provider_usage u "
        "JOIN party_party pa ON pa.id = u.party "
        "JOIN bts_academic_year a ON a.id = u.academic_year "
        "WHERE u.role = 'external' "
        "AND %s BETWEEN a.start_date AND a.end_date "
        "ORDER BY a.start_date DESC, u.lessons DESC LIMIT %s",
        AS_OF, SAO_LIMIT)


def share_sql(cursor):
    "The stored external share (usage.py) with the planned lessons"
    return one(cursor, "SELECT p.code, a.name, s.lessons, (SELECT "
        "SUM(co.planned_lessons) FROM bts_programme_course co "
        "JOIN bts_programme_module m ON m.id = co.module "
        "WHERE m.programme = p.id AND m.kind = 'lycee') "
        "FROM bts_programme_external_share s "
        "JOIN bts_programme p ON p.id = s.programme "
        "JOIN bts_academic_year a ON a.id = s.academic_year "
        "WHERE %s BETWEEN a.start_date AND a.end_date "
        "ORDER BY a.start_date DESC, p.code LIMIT %s", AS_OF, SAO_LIMIT)


def runs_sql(cursor):
    return one(cursor, "SELECT r.id, r.number, r.kind, r.date, r.start_date, "
        "r.end_date, r.state, (SELECT SUM(b.amount) "
        "FROM bts_payment_run_beneficiary b WHERE b.run = r.id) "
        "FROM bts_payment_run r ORDER BY r.id DESC LIMIT %s", SAO_LIMIT)


LIST_SQL = [declarations_sql, contracts_sql, usage_sql, share_sql, runs_sql]


def copy_database(source, target):
    disconnect(source)
    if postgresql():
        bpr._postgresql(f'DROP DATABASE IF EXISTS "{target}"')
        bpr._postgresql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    else:
        shutil.copy(bpr._sqlite_file(source), bpr._sqlite_file(target))


def drop_database(name):
    disconnect(name)
    if postgresql():
        bpr._postgresql(f'DROP DATABASE IF EXISTS "{name}"')
    else:
        os.remove(bpr._sqlite_file(name))


def op_payment_run(database, figures, rate):
    """The payment run of May on a copy of database, through proteus as
    bench_payment_run does it; return the seconds per line"""
    lines, = ids(database, "SELECT COUNT(*) FROM bts_declaration_line l "
        "JOIN bts_declaration d ON d.id = l.declaration "
        "WHERE d.state = 'approved' AND l.date < %s", JUNE)
    if rate and rate * lines > PAYMENT_LIMIT:
        figures['payment run'] = dict(seconds=None, sql=None, memory=None,
            count=lines, note=f"not measured: > {PAYMENT_LIMIT // 60} min "
            f"(×1 rate {1 / rate:.1f} lines/s: {rate * lines / 60:.0f} min "
            f"for {lines} lines)")
        return rate
    copy = f'{database}_run'
    copy_database(database, copy)
    try:
        bpr.MONTH, bpr.MONTH_END = MAY, JUNE - dt.timedelta(days=1)
        config = proteus_config.set_trytond(copy)
        bpr.as_user(config, bpr.FINANCE)
        Run = Model.get('bts.payment.run')
        payment = Run(start_date=bpr.MONTH, end_date=bpr.MONTH_END,
            date=dt.date(2026, 6, 10))
        payment.save()
        total = sql_total = 0
        peak_reset()
        for login, button, work in [
                (bpr.FINANCE, 'compute', bpr.compute_sql),
                (bpr.FINANCE, 'post', bpr.post_sql),
                (bpr.APPROVER, 'approve_payments', bpr.approve_sql),
                (bpr.ACCOUNTANT, 'process_payments', bpr.process_sql)]:
            bpr.as_user(config, login)
            seconds, _ = bpr.timed(Run(payment.id).click, button)
            total += seconds
            sql_total += bpr.baseline(copy, work, payment.id)[0]
            print(f"  payment run {button}: {seconds:.1f} s", flush=True)
        bpr.as_user(config, bpr.FINANCE)
        seconds, _ = bpr.timed(Report('bts.payment.run.payroll').execute,
            [Run(payment.id)])
        total += seconds
        sql_total += bpr.baseline(copy, bpr.payroll_sql, payment.id)[0]
        figures['payment run'] = dict(seconds=total, memory=peak_mb(),
            sql=sql_total, count=lines, rate=lines / total,
            note=f"{lines} lines, compute + post + SEPA + XLSX")
    finally:
        os.environ['TRYTOND_DATABASE_URI'] = URI
        drop_database(copy)
    return total / lines


# The report

OPERATIONS = [
    ('import', "import (rows/s)", 'rate', lambda f: f['rate'] >= 1000,
        "≥ 1,000 rows/s"),
    ('caps', "cap check of one declaration (ms)", 'ms',
        lambda f: f['seconds'] <= 0.005, "≤ 5 ms"),
    ('approve', "approve one month (s)", 's',
        lambda f: f['sql'] and f['seconds'] <= 5 * f['sql'], "≤ 5× SQL"),
    *((f'list {label}', f"list: {label} (ms)", 'ms',
            lambda f: f['seconds'] <= 0.5, "≤ 500 ms at ×100")
        for label, *_ in LISTS),
    ('list declarations: tab counts', "list: declaration tab counts (ms)",
        'ms', lambda f: f['seconds'] <= 0.5, "≤ 500 ms at ×100"),
    ('payment run', "payment run of May (s)", 's',
        lambda f: f['seconds'] <= 30, "≤ 30 s at ×10"),
    ]


def show(figure, unit):
    if not figure or figure.get('seconds') is None:
        return 'n/m'
    if unit == 'rate':
        return f"{figure['rate']:,.0f} ({figure['seconds']:.1f} s)"
    if unit == 'ms':
        return f"{figure['seconds'] * 1000:,.1f}"
    return f"{figure['seconds']:,.2f}"


def table(results):
    scales = sorted(results)
    head = ["operation"] + [f"×{s}" for s in scales] + [
        "SQL baseline", "ratio", "growth", "target", "met?"]
    rows = [head, ['---'] * len(head)]
    for key, label, unit, check, target in OPERATIONS:
        figures = [results[s].get(key) for s in scales]
        measured = [f for f in figures if f and f.get('seconds')]
        sql = ' / '.join(
            f"{f['sql'] * 1000:,.1f} ms" if f and f.get('sql') else 'n/m'
            for f in figures)
        ratio = ' / '.join(
            f"{f['seconds'] / f['sql']:,.1f}×"
            if f and f.get('sql') and f.get('seconds') else 'n/m'
            for f in figures)
        growth = ' → '.join(f"{f['seconds'] / measured[0]['seconds']:.1f}"
            for f in measured) if measured else 'n/m'
        met = ('yes' if check(measured[-1]) else 'no') if measured else 'n/m'
        rows.append([label] + [show(f, unit) for f in figures] + [
                sql, ratio, growth, target, met])
    lines = ['| ' + ' | '.join(r) + ' |' for r in rows]
    notes = []
    for scale in scales:
        for key, figure in results[scale].items():
            memory = (f", peak RSS {figure['memory']:,.0f} MB"
                if figure.get('memory') else '')
            notes.append(f"- ×{scale} {key}: {figure['note']}{memory}")
    return '\n'.join(lines), '\n'.join(notes)


def uptime():
    return subprocess.run(['uptime'], capture_output=True,
        text=True).stdout.strip()


def write_results(text):
    with open(RESULTS) as file:
        content = file.read()
    start = content.find(SECTION)
    if start < 0:
        content = content.rstrip('\n') + '\n\n' + text
    else:
        following = content.find('\n## ', start + len(SECTION))
        content = content[:start] + text + (
            content[following + 1:] if following >= 0 else '')
    with open(RESULTS, 'w') as file:
        file.write(content.rstrip('\n') + '\n')


def section(results, databases, loads, commands):
    grid, notes = table(results)
    backend_name = 'PostgreSQL' if postgresql() else 'SQLite'
    return f"""{SECTION}

The ministry's operations on {backend_name} at ×1 (12 lycées, 40 programmes,
500 lecturers, 1,000 contracts, 6,000 declarations with 6,400 lines and
about 15,600 lessons of September 2025 to July 2026: scale_data.py) and its
multiples, each run with the product's own code as the demo user who does it
and rolled back, beside the same work in plain SQL (psycopg 3, same process,
same tables, rolled back). Times in seconds (s) or milliseconds (ms); the
SQL baseline and the ratio per scale in the order of the columns; growth is
the time at each scale over the time at the smallest (the import's file and
the cap check stay the same size, the month approved, the lists and the
payment run grow with the scale); "met?" is judged on the largest scale
measured.

    {commands}

Databases: {', '.join(databases)} (kept, reused by the next run: the
schema is updated with `trytond-admin -u`, the data are not rebuilt).
Machine load (uptime) before and after: {loads[0]}; {loads[-1]}.

{grid}

{notes}
"""


STEPS = {
    'import': op_import, 'caps': op_caps, 'approve': op_approve,
    'lists': op_lists, 'payment': op_payment_run,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--scale', type=int, nargs='+', default=[1])
    parser.add_argument('--database-prefix', default='bench_scale_')
    parser.add_argument('--no-results', action='store_true',
        help="print the table only, leave RESULTS.md as it is")
    parser.add_argument('--only', nargs='+', choices=sorted(STEPS),
        help="measure only these operations (implies --no-results)")
    options = parser.parse_args()
    loads = [uptime()]
    results, databases = {}, []
    rate = None
    for scale in sorted(options.scale):
        database = f'{options.database_prefix}x{scale}'
        databases.append(database)
        prepare(scale, database)
        _contexts.clear()
        figures = results[scale] = {}
        baseline = Baseline(database) if postgresql() else None
        try:
            for name, operation in STEPS.items():
                if name == 'payment' or (
                        options.only and name not in options.only):
                    continue
                known = set(figures)
                operation(database, baseline, figures)
                for key in set(figures) - known:
                    print(f"×{scale} {key}: {figures[key]}", flush=True)
        finally:
            if baseline:
                baseline.close()
        if not options.only or 'payment' in options.only:
            rate = op_payment_run(database, figures, rate)
        grid, notes = table(results)
        print(grid, notes, sep='\n', flush=True)
    loads.append(uptime())
    command = ' '.join(['.venv/bin/python', 'bench/bench_scale.py',
            '--scale', *map(str, sorted(options.scale))])
    text = section(results, databases, loads,
        f"TRYTOND_DATABASE_URI={URI} "
        f"{command}")
    if not (options.no_results or options.only):
        write_results(text)
    print(text)


if __name__ == '__main__':
    main()
