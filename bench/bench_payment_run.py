"""Benchmark of a payment run: compute, post (move and payments), SEPA
message and payroll XLSX for N beneficiaries with three approved lines
each, through the client API (proteus) as a user gets them. Compared in the
same run with baselines of the same work without the run: the approved
lines read by the client and summed per beneficiary, and one move with the
same lines saved and posted by Tryton's account module.

Run: .venv/bin/python bench/bench_payment_run.py [--beneficiaries N]
    [--lines L]
(SQLite in memory unless TRYTOND_DATABASE_URI says otherwise)
"""
import argparse
import datetime as dt
import os
import time
from decimal import Decimal

os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
os.environ.setdefault('DB_NAME', ':memory:')

from proteus import Model, Report  # noqa: E402
from proteus.config import get_config  # noqa: E402
from trytond.modules.bts_indemnity.tests.tools import (  # noqa: E402
    active_contract,
    approve,
    create_programme,
    lessons,
    setup_ministry,
    step_user,
)
from trytond.modules.bts_programme.tests.tools import (  # noqa: E402
    create_academic_year,
    create_lycee,
)
from trytond.tests.tools import activate_modules  # noqa: E402

PER_PROGRAMME = 40
MONTHS = [dt.date(2025, 10, 6), dt.date(2025, 11, 3), dt.date(2025, 12, 1)]


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def report(name, seconds, baseline=None):
    line = f"{name:<40} {seconds:8.2f} s"
    if baseline:
        line += (f"   baseline {baseline:8.2f} s"
            f"   ratio {seconds / baseline:5.1f}x")
    print(line)


def approved_declarations(count, per_month):
    """count lecturers, each with an approved declaration of per_month
    lines of one lesson in three months"""
    lycee = create_lycee('LTC', "Lycée Technique du Centre")
    year = create_academic_year(2025)
    programme = None
    for index in range(count):
        if index % PER_PROGRAMME == 0:
            programme = create_programme(f'P{index // PER_PROGRAMME}', lycee)
        course = f'M1.{index % 3 + 1}'
        contract = active_contract(f"Lecturer {index:04d}", index + 1,
            programme, year, course, len(MONTHS) * per_month)
        for day in MONTHS:
            declaration = lessons(contract, day, course, 1)
            for _ in range(per_month - 1):
                declaration.lines.new(date=day, course=course_record(course),
                    quantity=Decimal(1))
            declaration.save()
            approve(declaration)


def as_user(user):
    "Act as user from now on, in the company of the ministry"
    config = get_config()
    config.user = user.id
    config._context = Model.get('res.user').get_preferences(True, {})


def course_record(code):
    Course = Model.get('bts.programme.course')
    return Course.find([('code', '=', code)], limit=1)[0]


def baseline_sums():
    "The approved lines read by the client and summed per beneficiary"
    Line = Model.get('bts.declaration.line')
    sums = {}
    for line in Line.find([('declaration.state', '=', 'approved')]):
        party = line.declaration.contract.party.id
        sums[party] = sums.get(party, Decimal(0)) + line.amount
    return sums


def baseline_move(configuration, run):
    "The run's move written and posted directly with account"
    Move = Model.get('account.move')
    Journal = Model.get('account.journal')
    Period = Model.get('account.period')
    journal = Journal(configuration.journal.id)
    period, = Period.find([('start_date', '<=', run.date),
            ('end_date', '>=', run.date), ('type', '=', 'standard')])
    move = Move(journal=journal, period=period, date=run.date)
    for line in run.move.lines:
        move.lines.new(account=line.account, party=line.party,
            debit=line.debit, credit=line.credit)
    move.save()
    move.click('post')
    return move


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--beneficiaries', type=int, default=40)
    parser.add_argument('--lines', type=int, default=1,
        help="lines of one lesson per beneficiary and month")
    options = parser.parse_args()

    activate_modules('bts_indemnity')
    configuration = setup_ministry(2025)
    seconds, _ = timed(approved_declarations, options.beneficiaries,
        options.lines)
    lines = options.beneficiaries * len(MONTHS) * options.lines
    print(f"set-up: {options.beneficiaries} beneficiaries, {lines} approved "
        f"lines in {seconds:.1f} s")

    Run = Model.get('bts.payment.run')
    run = Run(start_date=dt.date(2025, 10, 1), end_date=dt.date(2025, 12, 31),
        date=dt.date(2026, 1, 15))
    run.save()
    read_seconds, sums = timed(baseline_sums)
    compute_seconds, _ = timed(run.click, 'compute')
    report(f"compute ({lines} lines)", compute_seconds, read_seconds)
    assert {b.party.id: b.amount for b in run.beneficiaries} == sums
    post_seconds, _ = timed(run.click, 'post')
    move_seconds, _ = timed(baseline_move, configuration, run)
    report(f"post ({len(run.move.lines)} move lines, payments)",
        post_seconds, move_seconds)
    # Another person approves the payments, a third processes them; admin
    # creates both users first (neither may create users).
    config = get_config()
    admin = (config.user, config._context)
    steps = []
    for login, groups, button in [
            ('ordonnateur', [('bts_programme', 'group_ministry_finance'),
                    ('bts_indemnity', 'group_payment_approval')],
                'approve_payments'),
            ('comptable', [('bts_programme', 'group_accountant'),
                    ('account_payment', 'group_payment')],
                'process_payments')]:
        user = step_user(login, groups)
        user.companies.append(Model.get('company.company')(
                configuration.company.id))
        user.company = Model.get('company.company')(configuration.company.id)
        user.save()
        steps.append((user, button))
    for user, button in steps:
        as_user(user)
        step_seconds, _ = timed(Run(run.id).click, button)
        report(button.replace('_', ' '), step_seconds)
    config.user, config._context = admin
    run = Run(run.id)
    assert [u.login for u in [run.payments_approved_by, run.processed_by]
        ] == ['ordonnateur', 'comptable'], run.processed_by
    payroll = Report('bts.payment.run.payroll')
    xlsx_seconds, (_, data, _, _) = timed(payroll.execute, [run])
    report(f"payroll XLSX ({len(data):,} bytes)", xlsx_seconds)
    total = sum(b.amount for b in run.beneficiaries)
    assert total == sum(line.debit for line in run.move.lines) > Decimal(0)
    print(f"paid {total} EUR to {len(run.beneficiaries)} beneficiaries")


if __name__ == '__main__':
    main()
