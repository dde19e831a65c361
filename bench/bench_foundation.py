"""Benchmarks of the foundation: the amounts of lines and the study-plan
check, each compared in the same run with a baseline that does the same
reads with plain SQL and Python.

Run: .venv/bin/python bench/bench_foundation.py [--conversions N]
(SQLite in memory unless TRYTOND_DATABASE_URI says otherwise)
"""
import argparse
import bisect
import datetime as dt
import os
import time
from decimal import Decimal

os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
os.environ.setdefault('DB_NAME', ':memory:')

from trytond.pool import Pool  # noqa: E402
from trytond.tests.test_tryton import DB_NAME, activate_module  # noqa: E402
from trytond.transaction import Transaction  # noqa: E402


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def report(name, seconds, count, baseline_seconds):
    print(f"{name:<44} {count / seconds:>12,.0f} /s"
        f"   baseline {count / baseline_seconds:>12,.0f} /s"
        f"   ratio {seconds / baseline_seconds:5.1f}x")


def bench_conversions(count):
    """The amounts of lines through WageIndex.line_amount, as every caller
    computes them, against the same indexes read from a plain table: the
    amounts are computed and rounded in line_amount only"""
    WageIndex = Pool().get('bts.wage_index')
    cursor = Transaction().connection.cursor()
    first = dt.date(2014, 1, 1)
    dates = [first + dt.timedelta(days=i % 4700) for i in range(count)]
    rate, quantity = Decimal('12.07'), Decimal(3)

    def orm():
        return [WageIndex.line_amount(rate, quantity, d) for d in dates]

    cursor.execute(
        'SELECT valid_from, value FROM bts_wage_index ORDER BY valid_from')
    table = [(dt.date.fromisoformat(str(f)[:10]), Decimal(str(v)))
        for f, v in cursor]
    starts = [f for f, _ in table]

    def baseline():
        return [table[bisect.bisect_right(starts, d) - 1][1] for d in dates]

    orm_seconds, orm_result = timed(orm)
    base_seconds, base_result = timed(baseline)
    assert [index for index, _, _ in orm_result] == base_result
    report("line amounts (line_amount)", orm_seconds, count, base_seconds)


def bench_study_plan(programmes, rounds):
    Programme = Pool().get('bts.programme')
    cursor = Transaction().connection.cursor()

    def orm():
        for _ in range(rounds):
            for programme in Programme.browse(programmes):
                programme.study_plan_errors()

    def baseline():
        for _ in range(rounds):
            cursor.execute(
                'SELECT m.programme, m.kind, SUM(c.ects) '
                'FROM bts_programme_module AS m '
                'JOIN bts_programme_course AS c ON c.module = m.id '
                'GROUP BY m.programme, m.kind')
            cursor.fetchall()

    orm_seconds, _ = timed(orm)
    base_seconds, _ = timed(baseline)
    report(f"study-plan check ({len(programmes)} programmes)",
        orm_seconds / rounds, len(programmes), base_seconds / rounds)

    def list_view():
        for _ in range(rounds):
            Programme.read(programmes, [
                    'code', 'total_ects', 'lycee_share', 'internship_hours',
                    'planned_lessons'])

    list_seconds, _ = timed(list_view)
    report(f"programme list with plan figures ({len(programmes)})",
        list_seconds / rounds, len(programmes), base_seconds / rounds)


def create_programmes(count):
    "Create count programmes of 19 modules and 39 courses each"
    pool = Pool()
    Lycee = pool.get('bts.lycee')
    Party = pool.get('party.party')
    Programme = pool.get('bts.programme')
    party, = Party.create([{'name': "Lycée"}])
    lycee, = Lycee.create([{'code': 'L', 'party': party.id}])
    modules = [{
            'code': f'M{i}', 'name': f'M{i}', 'kind': 'lycee',
            'year_of_study': '1', 'semester': 'winter',
            'courses': [('create', [{
                            'code': f'C{i}.{j}', 'name': 'C',
                            'ects': Decimal(2), 'planned_lessons': 20}
                        for j in range(2)])]}
        for i in range(18)]
    modules.append({
            'code': 'T', 'name': 'T', 'kind': 'tfe', 'year_of_study': '2',
            'semester': 'summer',
            'courses': [('create', [{'code': 'T1', 'name': 'T',
                            'ects': Decimal(12), 'planned_lessons': 0}])]})
    return Programme.create([{
                'code': f'P{i}', 'name': f'P{i}',
                'lycees': [('add', [lycee.id])],
                'modules': [('create', modules)]}
            for i in range(count)])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--conversions', type=int, default=20000)
    parser.add_argument('--programmes', type=int, default=50)
    options = parser.parse_args()
    activate_module(['bts_programme'])
    with Transaction().start(DB_NAME, 0):
        bench_conversions(options.conversions)
        programmes = create_programmes(options.programmes)
        bench_study_plan([p.id for p in programmes], 3)


if __name__ == '__main__':
    main()
