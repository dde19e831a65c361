"""Benchmark of a payment run at a month's volume: compute, post (move and
payments), approve, process (the SEPA message) and the payroll XLSX, through
the client API (proteus) as the users of each step get them. Each step is
printed beside a baseline measured in the same run: the same work in plain
SQL (one query reading what the step reads, the rows it wrote written again
with INSERT ... SELECT or UPDATE, the XML and the XLSX written from one
query by the same writers), rolled back.

The data set is built set-based: the demo database (``bts load-demo``,
built once as the template database bench_pr_demo), copied, then per
beneficiary a copy of the demo's approved declaration of November 2025, of
its contract with its lines and of its lecturer with a structured address,
a national identification number and a bank account with a valid IBAN.
These copies are plain SQL inserts of the demo's rows with new keys: valid
records, written without the ORM because creating 21,000 declaration lines
through proteus would take hours.

Run: .venv/bin/python bench/bench_payment_run.py [--scale S]
    [--beneficiaries B] [--lines L] [--database NAME]
×1 (--scale 1) is a month of service: 700 beneficiaries with 3 lines each;
--scale 10 is 21,000 lines. PostgreSQL when TRYTOND_DATABASE_URI says so
(postgresql://user:password@host:port/, the user may create databases),
otherwise SQLite files in a temporary folder.
"""
import argparse
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlsplit

os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
if os.environ['TRYTOND_DATABASE_URI'].startswith('sqlite'):
    os.environ.setdefault(
        'TRYTOND_DATABASE__PATH', tempfile.mkdtemp(prefix='bench_pr_'))

import xlsxwriter  # noqa: E402
from sql import Cast, Literal, Null, Table  # noqa: E402
from sql.aggregate import Count, Sum  # noqa: E402
from sql.operators import Concat  # noqa: E402

from proteus import Model, Report  # noqa: E402
from proteus import config as proteus_config  # noqa: E402
from trytond.modules.bts_programme.demo import lu_iban, matricule  # noqa: E402
from trytond.pool import Pool  # noqa: E402
from trytond.transaction import Transaction  # noqa: E402

TEMPLATE = 'bench_pr_demo'
MODULES = ['bts_programme', 'bts_jury', 'bts_indemnity']
MONTH = dt.date(2025, 11, 1)
MONTH_END = dt.date(2025, 11, 30)
PAYMENT_DATE = dt.date(2025, 12, 10)
PER_SCALE = 700
LINES = 3
# The steps' users of the demo: finance computes and posts, the ordonnateur
# approves the payments, the accountant processes them.
FINANCE, APPROVER, ACCOUNTANT = (
    'ministere.finances', 'ministere.ordonnateur', 'comptable')


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def report(name, seconds, baseline):
    print(f"{name:<44} {seconds:8.2f} s   SQL baseline {baseline:7.2f} s"
        f"   ratio {seconds / baseline:5.1f}x", flush=True)


def _bin(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def _postgresql(sql):
    import psycopg
    uri = urlsplit(os.environ['TRYTOND_DATABASE_URI'])
    with psycopg.connect(host=uri.hostname, port=uri.port or 5432,
            user=uri.username, password=uri.password, dbname='postgres',
            autocommit=True) as connection:
        return connection.execute(sql).fetchall() if sql.startswith(
            'SELECT') else connection.execute(sql)


def _sqlite_file(name):
    return os.path.join(os.environ['TRYTOND_DATABASE__PATH'], f'{name}.sqlite')


def _exists(name):
    if os.environ['TRYTOND_DATABASE_URI'].startswith('postgresql'):
        return bool(_postgresql(
                f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))
    return os.path.exists(_sqlite_file(name))


def build_template():
    "The demo database, built once: modules activated, demo data loaded"
    print(f"building the template database {TEMPLATE} (once)", flush=True)
    if os.environ['TRYTOND_DATABASE_URI'].startswith('postgresql'):
        _postgresql(f'CREATE DATABASE "{TEMPLATE}"')
    else:
        open(_sqlite_file(TEMPLATE), 'w').close()
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as password:
        password.write('admin\n')
        password.flush()
        subprocess.run([_bin('trytond-admin'), '-d', TEMPLATE, '--all',
                '-u', *MODULES, '--activate-dependencies', '-l', 'fr', 'de',
                '--email', 'admin@example.org'], check=True,
            env={**os.environ, 'TRYTONPASSFILE': password.name})
    subprocess.run([_bin('bts'), '-d', TEMPLATE, 'load-demo'], check=True)


def create_database(name):
    "A fresh copy of the template database"
    if not _exists(TEMPLATE):
        build_template()
    if os.environ['TRYTOND_DATABASE_URI'].startswith('postgresql'):
        _postgresql(f'DROP DATABASE IF EXISTS "{name}"')
        _postgresql(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    else:
        shutil.copy(_sqlite_file(TEMPLATE), _sqlite_file(name))


def copy_rows(model, template_id, rows):
    """Insert a copy of the row template_id of model's table per values of
    rows, in slices; return the new ids in the order of rows"""
    table = Table(Pool().get(model)._table)
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(where=table.id == template_id))
    columns = [c[0] for c in cursor.description if c[0] != 'id']
    template = dict(zip(
            [c[0] for c in cursor.description], cursor.fetchone(),
            strict=True))
    ids = []
    size = 20000 // len(columns)
    for start in range(0, len(rows), size):
        values = [[Literal(row[c]) if c in row else template[c]
                for c in columns] for row in rows[start:start + size]]
        cursor.execute(*table.insert([getattr(table, c) for c in columns],
                values, returning=[table.id]))
        ids.extend(r[0] for r in cursor)
    return ids


def build_lines(database, beneficiaries, lines):
    """Per beneficiary, a copy of the approved November declaration of the
    demo with lines of one lesson, its contract and lecturer"""
    with Transaction().start(database, 0) as transaction:
        pool = Pool()
        Declaration = pool.get('bts.declaration')
        Identifier = pool.get('party.identifier')
        Relation = pool.get('bank.account-party.party')
        template, = Declaration.search([
                ('kind', '=', 'lessons'), ('state', '=', 'approved'),
                ('month', '=', MONTH)], limit=1)
        contract = template.contract
        party = contract.party
        account = party.bank_accounts_used[0]
        relation, = Relation.search([
                ('account', '=', account.id), ('owner', '=', party.id)])
        identifier, = Identifier.search([
                ('party', '=', party.id), ('type', '=', 'lu_matricule')])
        numbers = range(1, beneficiaries + 1)
        parties = copy_rows('party.party', party.id, [
                {'name': f"Bench Lecturer {n:05d}", 'code': f'BENCH-{n:05d}'}
                for n in numbers])
        copy_rows('party.address', party.addresses[0].id, [
                {'party': p, 'building_number': str(n % 200 + 1)}
                for n, p in zip(numbers, parties, strict=True)])
        codes = [matricule(dt.date(1950, 1, 1) + dt.timedelta(n // 1000),
                n % 1000) for n in numbers]
        copy_rows('party.identifier', identifier.id, [
                {'party': p, 'code': c, 'code_compact': c}
                for c, p in zip(codes, parties, strict=True)])
        accounts = copy_rows('bank.account', account.id, [{}] * beneficiaries)
        copy_rows('bank.account-party.party', relation.id, [
                {'account': a, 'owner': p}
                for a, p in zip(accounts, parties, strict=True)])
        ibans = [lu_iban(500000 + n) for n in numbers]
        copy_rows('bank.account.number', account.numbers[0].id, [
                {'account': a, 'number': i, 'number_compact': i}
                for a, i in zip(accounts, ibans, strict=True)])
        contracts = copy_rows('bts.contract', contract.id, [
                {'party': p, 'number': f'BENCH-{n:05d}'}
                for n, p in zip(numbers, parties, strict=True)])
        for line in contract.lines:
            copy_rows('bts.contract.line', line.id, [
                    {'contract': c} for c in contracts])
        declarations = copy_rows('bts.declaration', template.id, [
                {'contract': c} for c in contracts])
        copy_rows('bts.declaration.line', template.lines[0].id, [
                {'declaration': d, 'date': MONTH + dt.timedelta(i * 7)}
                for d in declarations for i in range(lines)])
        transaction.commit()


def as_user(config, login):
    "Act as the demo user login from now on"
    User = Model.get('res.user')
    config.user = 0
    config._context = {}
    user, = User.find([('login', '=', login)])
    config.user = user.id
    config._context = User.get_preferences(True, {})


def baseline(database, work, run_id):
    "Time work(run_id, cursor) in plain SQL, rolled back"
    with Transaction().start(database, 0) as transaction:
        cursor = transaction.connection.cursor()
        start = time.perf_counter()
        result = work(run_id, cursor)
        seconds = time.perf_counter() - start
        transaction.rollback()
    return seconds, result


def _tables(*models):
    pool = Pool()
    return [Table(pool.get(m)._table) for m in models]


def _copy(cursor, table, where, **values):
    "Insert again the rows of table where, with values"
    cursor.execute(*table.select(where=where, limit=1))
    columns = [c[0] for c in cursor.description if c[0] != 'id']
    cursor.execute(*table.insert([getattr(table, c) for c in columns],
            table.select(*[Literal(values[c]) if c in values
                    else getattr(table, c) for c in columns], where=where)))


def compute_sql(run_id, cursor):
    """The approved unpaid lines of the month with their beneficiary's
    identification, IBAN and address in one query, summed per party; the
    beneficiaries and run lines written again"""
    (line, declaration, contract, run_line, identifier, relation, number,
        address, beneficiary) = _tables(
        'bts.declaration.line', 'bts.declaration', 'bts.contract',
        'bts.payment.run.line', 'party.identifier',
        'bank.account-party.party', 'bank.account.number', 'party.address',
        'bts.payment.run.beneficiary')
    paid = run_line.select(run_line.declaration_line,
        where=run_line.paid == Literal(True))
    cursor.execute(*line.join(declaration,
            condition=line.declaration == declaration.id
            ).join(contract, condition=declaration.contract == contract.id
            ).join(identifier, 'LEFT',
            condition=(identifier.party == contract.party)
            & (identifier.type == 'lu_matricule')
            ).join(relation, 'LEFT',
            condition=relation.owner == contract.party
            ).join(number, 'LEFT',
            condition=(number.account == relation.account)
            & (number.type == 'iban')
            ).join(address, 'LEFT', condition=address.party == contract.party
            ).select(contract.party, identifier.code, number.id,
            address.street_name, address.postal_code, line.id,
            line.quantity, line.amount,
            where=(declaration.state == 'approved')
            & (line.date <= MONTH_END) & ~line.id.in_(paid)))
    sums = defaultdict(Decimal)
    for party, *_, amount in cursor:
        sums[party] += amount
    _copy(cursor, beneficiary, beneficiary.run == run_id)
    _copy(cursor, run_line, run_line.run == run_id)
    return sums


def post_sql(run_id, cursor):
    """The payable amounts per kind and party in one query; the move lines,
    the payments written again, the lines, declarations and beneficiaries
    updated"""
    (run, run_line, beneficiary, move_line, payment, line,
        declaration) = _tables(
        'bts.payment.run', 'bts.payment.run.line',
        'bts.payment.run.beneficiary', 'account.move.line',
        'account.payment', 'bts.declaration.line', 'bts.declaration')
    cursor.execute(*run_line.join(beneficiary,
            condition=run_line.beneficiary == beneficiary.id).select(
            run_line.kind, beneficiary.party, Sum(run_line.amount),
            where=(run_line.run == run_id)
            & (beneficiary.status == 'payable'),
            group_by=[run_line.kind, beneficiary.party]))
    cursor.fetchall()
    cursor.execute(*run.select(run.move, where=run.id == run_id))
    move, = cursor.fetchone()
    _copy(cursor, move_line, move_line.move == move)
    cursor.execute(*run_line.update([run_line.paid], [Literal(True)],
            where=run_line.run == run_id))
    cursor.execute(*declaration.update([declaration.state], ['paid'],
            where=declaration.id.in_(line.join(run_line,
                    condition=run_line.declaration_line == line.id).select(
                    line.declaration, where=run_line.run == run_id))))
    origins = beneficiary.select(Concat('bts.payment.run.beneficiary,',
            Cast(beneficiary.id, 'VARCHAR')), where=beneficiary.run == run_id)
    _copy(cursor, payment, payment.origin.in_(origins))
    cursor.execute(*beneficiary.update(
            [beneficiary.move_line, beneficiary.payment],
            [beneficiary.move_line, beneficiary.payment],
            where=beneficiary.run == run_id))


def _payments(payment, run_id):
    "The condition on payment of being one of the run's payments"
    beneficiary, = _tables('bts.payment.run.beneficiary')
    return payment.id.in_(beneficiary.select(
            beneficiary.payment, where=beneficiary.run == run_id))


def approve_sql(run_id, cursor):
    "The run's payments approved in one update"
    payment, = _tables('account.payment')
    cursor.execute(*payment.update(
            [payment.state, payment.write_date],
            ['approved', Literal(dt.datetime.now())],
            where=_payments(payment, run_id)))


def process_sql(run_id, cursor):
    """The run's payments processed in one update and their pain.001
    credit transfers written from one query by ElementTree"""
    payment, party, number = _tables(
        'account.payment', 'party.party', 'bank.account.number')
    cursor.execute(*payment.update([payment.state], ['processing'],
            where=_payments(payment, run_id)))
    cursor.execute(*payment.join(party, condition=payment.party == party.id
            ).join(number, condition=(
                payment.sepa_payable_bank_account_number == number.id)
            ).select(payment.id, party.name, number.number, payment.amount,
            payment.reference, where=_payments(payment, run_id)))
    document = ET.Element('Document')
    information = ET.SubElement(
        ET.SubElement(document, 'CstmrCdtTrfInitn'), 'PmtInf')
    for id_, name, iban, amount, reference in cursor:
        transfer = ET.SubElement(information, 'CdtTrfTxInf')
        ET.SubElement(ET.SubElement(transfer, 'PmtId'), 'EndToEndId').text = (
            str(id_))
        ET.SubElement(ET.SubElement(transfer, 'Amt'), 'InstdAmt',
            Ccy='EUR').text = str(amount)
        ET.SubElement(ET.SubElement(transfer, 'Cdtr'), 'Nm').text = name
        ET.SubElement(ET.SubElement(ET.SubElement(
                    transfer, 'CdtrAcct'), 'Id'), 'IBAN').text = iban
        ET.SubElement(ET.SubElement(transfer, 'RmtInf'), 'Ustrd').text = (
            reference)
    return ET.tostring(document)


def payroll_sql(run_id, cursor):
    "The payroll's rows from one query each, written by xlsxwriter"
    beneficiary, run_line, line, party = _tables(
        'bts.payment.run.beneficiary', 'bts.payment.run.line',
        'bts.declaration.line', 'party.party')
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {'in_memory': True})
    queries = [
        beneficiary.join(party, condition=beneficiary.party == party.id
            ).select(party.name, beneficiary.national_id,
            beneficiary.quantity, beneficiary.amount,
            where=(beneficiary.run == run_id)
            & (beneficiary.status == 'payable')),
        run_line.join(beneficiary,
            condition=run_line.beneficiary == beneficiary.id
            ).join(party, condition=beneficiary.party == party.id
            ).join(line, condition=run_line.declaration_line == line.id
            ).select(party.name, line.declaration, line.date, line.course,
            line.quantity, line.rate, line.index, line.euro_rate,
            run_line.amount, where=(run_line.run == run_id)
            & (beneficiary.status == 'payable')),
        beneficiary.join(party, condition=beneficiary.party == party.id
            ).select(party.name, beneficiary.amount, beneficiary.reason,
            where=(beneficiary.run == run_id)
            & (beneficiary.status == 'blocked')),
        ]
    for index, query in enumerate(queries):
        sheet = workbook.add_worksheet(str(index))
        cursor.execute(*query)
        for r, row in enumerate(cursor, 1):
            for c, value in enumerate(row):
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write(r, c, value if value is not None else '')
    workbook.close()
    return output.getvalue()


def count_lines(database):
    with Transaction().start(database, 0):
        line, declaration = _tables('bts.declaration.line', 'bts.declaration')
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(declaration,
                condition=line.declaration == declaration.id).select(
                Count(line.id), where=(declaration.state == 'approved')
                & (line.date <= MONTH_END) & (line.amount != Null)))
        return cursor.fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--scale', type=int, default=1,
        help=f"{PER_SCALE} beneficiaries with {LINES} lines each per unit")
    parser.add_argument('--beneficiaries', type=int)
    parser.add_argument('--lines', type=int, default=LINES,
        help="lines of one lesson per beneficiary")
    parser.add_argument('--database',
        help="the database to create (default: bench_pr_x<scale>)")
    options = parser.parse_args()
    beneficiaries = options.beneficiaries or PER_SCALE * options.scale
    database = options.database or f'bench_pr_x{options.scale}'

    create_database(database)
    config = proteus_config.set_trytond(database)
    seconds, _ = timed(build_lines, database, beneficiaries, options.lines)
    lines = count_lines(database)
    print(f"set-up: {beneficiaries} beneficiaries copied in {seconds:.1f} s, "
        f"{lines} approved lines up to {MONTH_END}", flush=True)

    as_user(config, FINANCE)
    Run = Model.get('bts.payment.run')
    run = Run(start_date=MONTH, end_date=MONTH_END, date=PAYMENT_DATE)
    run.save()
    total = 0
    steps = [
        (FINANCE, 'compute', compute_sql),
        (FINANCE, 'post', post_sql),
        (APPROVER, 'approve_payments', approve_sql),
        (ACCOUNTANT, 'process_payments', process_sql),
        ]
    for login, button, work in steps:
        as_user(config, login)
        seconds, _ = timed(Run(run.id).click, button)
        total += seconds
        sql_seconds, _ = baseline(database, work, run.id)
        report(f"{button} ({lines} lines)", seconds, sql_seconds)
    as_user(config, FINANCE)
    run = Run(run.id)
    seconds, (_, data, _, _) = timed(
        Report('bts.payment.run.payroll').execute, [run])
    total += seconds
    sql_seconds, _ = baseline(database, payroll_sql, run.id)
    report(f"payroll XLSX ({len(data):,} bytes)", seconds, sql_seconds)
    assert run.state == 'posted' and run.processed_by, run.state
    assert [u.login for u in [
            run.posted_by, run.payments_approved_by, run.processed_by]] == [
        FINANCE, APPROVER, ACCOUNTANT]
    paid = sum(b.amount for b in run.beneficiaries if b.status == 'payable')
    assert paid == sum(line.debit for line in run.move.lines) > Decimal(0)
    print(f"end to end {total:.1f} s: paid {paid} EUR to "
        f"{len(run.payments)} beneficiaries, {len(run.lines)} lines")


if __name__ == '__main__':
    main()
