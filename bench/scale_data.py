"""Data of the scale benchmark (bench_scale.py): the demo database copied,
then ×N a year of BTS programmes built set-based.

×1 is one block: 12 lycées, 40 accredited programmes (copies of the demo's
BTS-GAME with their modules and courses), 500 lecturers (400 external, 100
specialised) with a national identification number, an address and a bank
account, each with two active contracts of 2025/2026 in two programmes (1,000
contracts, a winter and a summer course each), and their declarations of
lessons of September 2025 to July 2026: 6,000 declarations with 6,400 lines
and about 15,600 lessons. September to April are paid, May approved, June
verified (1,000 declarations: the month to approve), July submitted,
countersigned or draft. ×N is N such blocks.

The figures keep the product's checks: a lecturer's lessons stay under the
caps (at most 48 lessons a year for an external lecturer, 16 a semester for
a specialised one), the courses are the contract's programme's, a line's
date lies in its declaration's month and the semester of its course, each
course's declared lessons stay under the contract's (with room for the
bench's import in July), a programme's external lessons under 40 % of its
lycée courses' lessons; the academic year, semester, rate, index and amount
of the lines are filled as the submission does (drafts have no amount). The
stamps of each step are the demo users of its role.

The rows are copies of the demo's rows (bench_payment_run.copy_rows: one
INSERT of many rows per statement), one transaction per block; the schema
is brought up to date with the modules (trytond-admin -u) before, ANALYZE
after.

Run: .venv/bin/python bench/scale_data.py --scale N --database NAME
PostgreSQL when TRYTOND_DATABASE_URI says so, otherwise a SQLite file in
TRYTOND_DATABASE__PATH (default: a temporary folder).
"""
import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_payment_run as bpr  # noqa: E402

from trytond.modules.bts_programme.demo import lu_iban, matricule  # noqa: E402
from trytond.pool import Pool  # noqa: E402
from trytond.transaction import Transaction  # noqa: E402

LYCEES, PROGRAMMES, LECTURERS = 12, 40, 500
YEAR_START, YEAR_END = dt.date(2025, 9, 15), dt.date(2026, 9, 14)
SUMMER_START = dt.date(2026, 2, 15)
MONTHS = [dt.date(2025 + (m > 3), (m + 8) % 12 + 1, 1) for m in range(11)]
APPROVED, VERIFIED, LAST = (
    MONTHS.index(dt.date(2026, m, 1)) for m in (5, 6, 7))
JULY_STATES = ['submitted', 'countersigned', 'draft']
STEPS = [
    ('submitted', 'rh.ltc', 3), ('countersigned', 'direction.ltc', 5),
    ('verified', 'ministere.admin', 8), ('approved', 'ministere.finances', 12)]
STATES = ['draft', 'submitted', 'countersigned', 'verified', 'approved',
    'paid']
# Planned lessons of a contract line: (winter, summer) per role; a lycée
# course plans 300 lessons so that 40 % of a programme's (1,440) holds its
# 25 contracts
PLANNED = {'external': (20, 30), 'specialised': (8, 8)}
RATES = {'external': ('external_r4', 6.28), 'specialised': (
        'specialised', 12.07)}
COURSE_LESSONS = 300


def lycee_code(block, index):
    return f'S{block:03d}L{index:02d}'


def programme_code(block, index):
    return f'S{block:03d}P{index:02d}'


def contract_role(lecturer):
    return 'specialised' if lecturer % 5 == 4 else 'external'


def line_day(month, index, shift=0):
    """A day of month for the contract index: from the 15th in September
    (the year's start) and February (the summer semester's)"""
    first = 15 if month.month in {9, 2} else 1
    last = (month.replace(day=28) + dt.timedelta(days=4)).replace(
        day=1) - dt.timedelta(days=1)
    span = last.day - first + 1
    return month.replace(day=first + (index + shift) % span)


def declarations(contract):
    """The declarations of a contract (its index in the block): (month
    index, state, [(date, winter course, quantity)])"""
    role = contract_role(contract // 2)
    result = []
    for m, month in enumerate(MONTHS):
        if (contract + m) % 2 and m != VERIFIED:
            continue
        if m == LAST:
            state = JULY_STATES[contract % 3]
        else:
            state = ('paid' if m < APPROVED else 'approved'
                if m == APPROVED else 'verified')
        if role == 'external':
            quantity = 2 + bool((contract * 7 + m) % 3)
        else:
            quantity = 1 + (contract + m) % 2
        lines = [(line_day(month, contract), month < SUMMER_START, quantity)]
        if not result and contract % 5 < 2:
            lines.append((line_day(month, contract, 1),
                    month < SUMMER_START, quantity))
        result.append((m, state, lines))
    return result


class Builder:
    "The demo's records copied and the amounts computed, for the blocks"

    def __init__(self, amounts):
        pool = Pool()
        User = pool.get('res.user')
        Lycee = pool.get('bts.lycee')
        Programme = pool.get('bts.programme')
        Declaration = pool.get('bts.declaration')
        Semester = pool.get('bts.semester')
        LyceeUser = pool.get('bts.lycee-res.user')
        Link = pool.get('bts.programme-bts.lycee')
        Identifier = pool.get('party.identifier')
        Relation = pool.get('bank.account-party.party')
        self.users = {u.login: u.id for u in User.search([
                    ('login', 'in', [login for _, login, _ in STEPS])])}
        self.lycee, = Lycee.search([('code', '=', 'LTC')])
        self.lycee_user = LyceeUser.search(
            [('lycee', '=', self.lycee.id)], limit=1)[0].id
        self.programme, = Programme.search([('code', '=', 'BTS-GAME')])
        self.link = Link.search(
            [('programme', '=', self.programme.id)], limit=1)[0].id
        self.declaration, = Declaration.search([
                ('kind', '=', 'lessons'), ('state', '=', 'approved'),
                ('contract.role', '=', 'external')], limit=1)
        contract = self.declaration.contract
        self.contract = contract
        self.party = contract.party
        self.year = contract.academic_year
        self.semesters = {s.kind: s.id for s in Semester.search(
                [('academic_year', '=', self.year.id)])}
        self.account = self.party.bank_accounts_used[0]
        self.relation, = Relation.search([
                ('account', '=', self.account.id),
                ('owner', '=', self.party.id)])
        self.identifier, = Identifier.search([
                ('party', '=', self.party.id), ('type', '=', 'lu_matricule')])
        self.amounts = amounts

    def amount(self, rate, quantity, date):
        "The index, euro rate and amount of a line, as the submission"
        WageIndex = Pool().get('bts.wage_index')
        key = rate, quantity, date
        if key not in self.amounts:
            self.amounts[key] = WageIndex.line_amount(rate, quantity, date)
        return self.amounts[key]

    def block(self, block):
        "Insert the records of one block"
        lycees = self.lycees(block)
        programmes, courses = self.programmes(block, lycees)
        parties = self.lecturers(block)
        contracts = self.contracts(
            block, parties, programmes, courses, lycees)
        self.declarations(contracts, courses, lycees)
        if block == 0:
            # The demo's lycée HR and direction also work for the first lycée
            bpr.copy_rows('bts.lycee-res.user', self.lycee_user, [
                    {'lycee': lycees[0], 'user': self.user_id(login)}
                    for login in ['rh.ltc', 'direction.ltc']])

    def user_id(self, login):
        User = Pool().get('res.user')
        if login not in self.users:
            self.users[login], = [u.id for u in User.search(
                    [('login', '=', login)])]
        return self.users[login]

    def lycees(self, block):
        party = self.lycee.party
        parties = bpr.copy_rows('party.party', party.id, [
                {'name': f"Lycée {lycee_code(block, i)}",
                    'code': f'SCALE-{lycee_code(block, i)}'}
                for i in range(LYCEES)])
        bpr.copy_rows('party.address', party.addresses[0].id, [
                {'party': p} for p in parties])
        return bpr.copy_rows('bts.lycee', self.lycee.id, [
                {'party': p, 'code': lycee_code(block, i)}
                for i, p in enumerate(parties)])

    def programmes(self, block, lycees):
        """Copies of the demo's accredited programme, each at one lycée;
        return their ids and per programme {course code: id}"""
        template = self.programme
        programmes = bpr.copy_rows('bts.programme', template.id, [
                {'code': programme_code(block, j),
                    'name': f"BTS Scale {programme_code(block, j)}",
                    'languages': json.dumps(list(template.languages))}
                for j in range(PROGRAMMES)])
        bpr.copy_rows('bts.programme-bts.lycee', self.link, [
                {'programme': p, 'lycee': lycees[j % LYCEES]}
                for j, p in enumerate(programmes)])
        courses = [{} for _ in programmes]
        for module in template.modules:
            modules = bpr.copy_rows('bts.programme.module', module.id, [
                    {'programme': p} for p in programmes])
            for course in module.courses:
                lessons = COURSE_LESSONS if module.kind == 'lycee' else 0
                ids = bpr.copy_rows('bts.programme.course', course.id, [
                        {'module': m, 'planned_lessons': lessons}
                        for m in modules])
                for j, id_ in enumerate(ids):
                    courses[j][course.code] = id_
        return programmes, courses

    def lecturers(self, block):
        "The lecturers with identification number, address and IBAN"
        numbers = [block * LECTURERS + i for i in range(LECTURERS)]
        parties = bpr.copy_rows('party.party', self.party.id, [
                {'name': f"Scale Lecturer {n:06d}", 'code': f'SCALE-{n:06d}'}
                for n in numbers])
        bpr.copy_rows('party.address', self.party.addresses[0].id, [
                {'party': p, 'building_number': str(n % 200 + 1)}
                for n, p in zip(numbers, parties, strict=True)])
        codes = [matricule(dt.date(1940, 1, 1) + dt.timedelta(n // 1000),
                n % 1000) for n in numbers]
        bpr.copy_rows('party.identifier', self.identifier.id, [
                {'party': p, 'code': c, 'code_compact': c}
                for c, p in zip(codes, parties, strict=True)])
        accounts = bpr.copy_rows(
            'bank.account', self.account.id, [{}] * len(parties))
        bpr.copy_rows('bank.account-party.party', self.relation.id, [
                {'account': a, 'owner': p}
                for a, p in zip(accounts, parties, strict=True)])
        ibans = [lu_iban(700000 + n) for n in numbers]
        bpr.copy_rows('bank.account.number', self.account.numbers[0].id, [
                {'account': a, 'number': i, 'number_compact': i}
                for a, i in zip(accounts, ibans, strict=True)])
        return parties

    def contracts(self, block, parties, programmes, courses, lycees):
        """Two active contracts per lecturer in two programmes, a winter and
        a summer course each; return per contract (id, programme index,
        lecturer role, course codes)"""
        contracts = []
        for i, party in enumerate(parties):
            for k in range(2):
                j = (i + k * PROGRAMMES // 2) % PROGRAMMES
                x = 1 + i % 3
                contracts.append((party, j, contract_role(i),
                        (f'M{1 + 2 * k}.{x}', f'M{2 + 2 * k}.{x}')))
        ids = bpr.copy_rows('bts.contract', self.contract.id, [
                {'party': party, 'programme': programmes[j],
                    'lycee': lycees[j % LYCEES], 'role': role,
                    'number': f'S{block:03d}-{c:04d}',
                    'start_date': YEAR_START, 'end_date': YEAR_END,
                    'state': 'active', 'version': 1,
                    'provider_signature_date': dt.date(2025, 9, 1),
                    'director_signature_date': dt.date(2025, 9, 2),
                    'minister_signature_date': dt.date(2025, 9, 5),
                    'late_signature_justification': None}
                for c, (party, j, role, _) in enumerate(contracts)])
        template = self.contract.lines[0].id
        rows = []
        for id_, (_, j, role, codes) in zip(ids, contracts, strict=True):
            kind, amount = RATES[role]
            for code, semester, quantity in zip(codes, ['winter', 'summer'],
                    PLANNED[role], strict=True):
                rows.append({'contract': id_, 'course': courses[j][code],
                        'semester': self.semesters[semester],
                        'quantity': quantity, 'qualification': None,
                        'rate_kind': kind, 'rate_amount': amount,
                        'sequence': None})
        bpr.copy_rows('bts.contract.line', template, rows)
        return [(id_, j, role, codes) for id_, (_, j, role, codes)
            in zip(ids, contracts, strict=True)]

    def declarations(self, contracts, courses, lycees):
        "The declarations of the contracts, with their lines"
        rows, lines = [], []
        for c, (contract, j, role, codes) in enumerate(contracts):
            for m, state, entries in declarations(c):
                following = (MONTHS[m + 1] if m + 1 < len(MONTHS)
                    else dt.date(2026, 8, 1))
                values = {'contract': contract, 'lycee': lycees[j % LYCEES],
                    'month': MONTHS[m], 'state': state, 'kind': 'lessons',
                    'rejection_reason': None}
                reached = STATES.index(state)
                for step, login, days in STEPS:
                    done = reached >= STATES.index(step)
                    values[f'{step}_by'] = (
                        self.user_id(login) if done else None)
                    values[f'{step}_on'] = (dt.datetime.combine(
                            following + dt.timedelta(days=days),
                            dt.time(10)) if done else None)
                rows.append(values)
                lines.append((j, role, codes, state, entries))
        ids = bpr.copy_rows('bts.declaration', self.declaration.id, rows)
        rows = []
        for id_, (j, role, codes, state, entries) in zip(
                ids, lines, strict=True):
            rate = Decimal(str(RATES[role][1]))
            for date, winter, quantity in entries:
                values = {'declaration': id_, 'date': date,
                    'course': courses[j][codes[0 if winter else 1]],
                    'quantity': Decimal(quantity),
                    'academic_year': self.year.id,
                    'semester': self.semesters[
                        'winter' if date < SUMMER_START else 'summer'],
                    'rate': None, 'index_date': None, 'index': None,
                    'euro_rate': None, 'amount': None}
                if state != 'draft':
                    values['rate'], values['index_date'] = rate, date
                    (values['index'], values['euro_rate'],
                        values['amount']) = self.amount(
                        rate, Decimal(quantity), date)
                rows.append(values)
        bpr.copy_rows(
            'bts.declaration.line', self.declaration.lines[0].id, rows)


def update_schema(database):
    "The tables and indexes of the modules as the code declares them now"
    subprocess.run([bpr._bin('trytond-admin'), '-d', database,
            '-u', *bpr.MODULES], check=True, stdout=subprocess.DEVNULL)


def build(scale, database):
    "Create database: the demo's, then scale blocks of data"
    start = time.perf_counter()
    bpr.create_database(database)
    update_schema(database)
    Pool(database).init()
    print(f"{database}: demo copied and updated "
        f"in {time.perf_counter() - start:.0f} s", flush=True)
    amounts = {}
    for block in range(scale):
        with Transaction().start(database, 0) as transaction:
            Builder(amounts).block(block)
            transaction.commit()
        if block % 10 == 9 or block == scale - 1:
            print(f"{database}: {block + 1}/{scale} blocks "
                f"in {time.perf_counter() - start:.0f} s", flush=True)
    with Transaction().start(database, 0) as transaction:
        # The contracts were copied in SQL: their summaries computed once
        pool = Pool()
        for name in ['bts.provider.usage', 'bts.programme.external_share']:
            pool.get(name).refresh()
        transaction.connection.cursor().execute('ANALYZE')
        transaction.commit()
    print(f"{database}: ×{scale} built in "
        f"{time.perf_counter() - start:.0f} s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--scale', type=int, default=1)
    parser.add_argument('--database', required=True)
    options = parser.parse_args()
    build(options.scale, options.database)


if __name__ == '__main__':
    main()
