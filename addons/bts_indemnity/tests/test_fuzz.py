# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Hostile input (issue 15, point 4): malformed import files and ORM calls
generated from a fixed seed, as an HR user of the lycée.

Whatever they hold, the server answers with a user error (never another
exception), a mixed file keeps every valid row and refuses every invalid
one with its row number, and the database still answers afterwards."""
import configparser
import csv
import datetime as dt
import io
import random
import unittest
from decimal import Decimal
from pathlib import Path

import openpyxl
from werkzeug.exceptions import RequestEntityTooLarge

from trytond.exceptions import UserError
from trytond.modules.bts_indemnity.declaration import DAY_MAX_LESSONS
from trytond.modules.bts_indemnity.declaration_import import (
    COLUMNS,
    MAX_CELL,
    DeclarationImporter,
    DeclarationImportError,
    read_rows,
)
from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
)
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import (
    Transaction,
    check_access,
    without_check_access,
)

SEED = 15
FILES = 300
CALLS = 300
# The national numbers of the two lecturers: as typed, with spaces, in
# full-width and in Arabic-Indic digits (all read as the same number)
PEOPLE = ['1980041210026', '1990010100160']
FULL_WIDTH = str.maketrans('0123456789', '０１２３４５６７８９')
ARABIC = str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩')
# Their contracts run from 1 October; the winter semester ends on 14
# February
FIRST_DAY, LAST_DAY = dt.date(2025, 10, 1), dt.date(2026, 2, 14)
WINTER_DAYS = [FIRST_DAY + dt.timedelta(days=n)
    for n in range((LAST_DAY - FIRST_DAY).days + 1)]

# Values that are never a valid cell of their column
BAD = {
    'national_id': ['1985020300010', '123', 'abc', '=cmd|calc!A1', '☃',
        '1980041210027', '1980041210026' * 3, 'x' * (MAX_CELL + 1)],
    'programme': ['NOPE', 'p', 'P P', '<script>', 'x' * (MAX_CELL + 1)],
    'course': ['C9', 'c1', 'C1.1', 'DROP TABLE', 'y' * (MAX_CELL + 1)],
    'date': ['2025-02-30', '31/02/2026', 'demain', '2025-10-06T10:00',
        '0001-01-01', '9999-12-31', '1900-01-01', '2026-03-02',
        '2025-09-20', '06.10.2025', '2025-1O-06'],
    'lessons': ['0', '-1', '0.01', '1.5', '1e308', '9' * 40, 'NaN', 'inf',
        '-0', 'abc', str(DAY_MAX_LESSONS + 1), '1,000.5', '0x10',
        '١.٥'],
    }
# Cells of an XLSX file that are never valid, typed
BAD_XLSX = {
    'date': [45936, 1.5, True],
    'lessons': [1e308, 0.01, -3, True, 2.5, 10 ** 30],
    }
# Malformed whole files: each refused without a change
BROKEN = [
    ('random.csv', lambda r: bytes(r.randrange(256) for _ in range(300))),
    ('random.xlsx', lambda r: b'PK\x03\x04' + r.randbytes(500)),
    ('latin1.csv', lambda r: ','.join(COLUMNS).encode()
        + b'\n1980041210026,P,2025-10-06,C1,2\nL\xe9a,P,x,C1,1\n'),
    ('header.csv', lambda r: b'a,b,c\n1,2,3\n'),
    ('empty.csv', lambda r: b''),
    ('blank.csv', lambda r: b'\n\n,,,\n'),
    ('twice.csv', lambda r: ','.join(COLUMNS + ('date',)).encode()),
    ('quote.csv', lambda r: ','.join(COLUMNS).encode()
        + b'\n"1980041210026"x,P,2025-10-06,C1,2\n'),
    ('file.pdf', lambda r: b'%PDF-1.4'),
    ]


def _valid_id(rng, code):
    return rng.choice([code, f'{code[:8]} {code[8:]}',
            code.translate(FULL_WIDTH), code.translate(ARABIC)])


def _valid_date(rng, day, xlsx):
    choices = [day.isoformat(), day.strftime('%d/%m/%Y')]
    if xlsx:
        choices.append(dt.datetime.combine(day, dt.time()))
    return rng.choice(choices)


def _valid_lessons(rng, quantity, xlsx):
    choices = [str(quantity), f'{quantity},0', f' {quantity}.0 ',
        str(quantity).translate(ARABIC)]
    if xlsx:
        choices += [quantity, float(quantity)]
    return rng.choice(choices)


def mixed_file(rng):
    """Return (filename, data, valid row numbers, invalid row numbers): a
    file of valid and invalid rows in random order and format"""
    xlsx = rng.random() < 0.35
    rows, valid, invalid = [], [], []
    days = rng.sample(WINTER_DAYS, 12)
    for _ in range(rng.randrange(1, 12)):
        kind = rng.random()
        code = rng.choice(PEOPLE)
        day = days.pop()
        # Each person's lessons of a day in one row: never a duplicate,
        # never a full day
        row = {
            'national_id': _valid_id(rng, code),
            'programme': 'P',
            'date': _valid_date(rng, day, xlsx),
            'course': 'C1',
            'lessons': _valid_lessons(rng, rng.randrange(1, 6), xlsx),
            }
        if kind < 0.4:
            valid.append(len(rows))
        elif kind < 0.5:
            # The day filled by a valid row, then passed by the next
            quantity = rng.randrange(1, DAY_MAX_LESSONS)
            row['lessons'] = str(quantity)
            valid.append(len(rows))
            rows.append(row)
            row = dict(row, lessons=str(DAY_MAX_LESSONS + 1 - quantity))
            invalid.append(len(rows))
        else:
            column = rng.choice(COLUMNS)
            values = BAD[column] + (BAD_XLSX.get(column, []) if xlsx else [])
            row[column] = rng.choice(values + ['', None])
            invalid.append(len(rows))
        rows.append(row)
    if not xlsx and rng.random() < 0.1:
        # A cell larger than the csv module reads refuses its row only
        rows.append(dict(rows[0], course='z' * 140_000))
        invalid.append(len(rows) - 1)
    header = list(COLUMNS)
    rng.shuffle(header)
    table = [[row[c] for c in header] for row in rows]
    if not xlsx and rng.random() < 0.2:
        # A separator inside an unquoted value: a cell beyond the header
        table.append(table[0] + ['extra'])
        invalid.append(len(table) - 1)
    if xlsx:
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(header)
        for cells in table:
            sheet.append(cells)
        output = io.BytesIO()
        workbook.save(output)
        data, filename = output.getvalue(), 'lessons.xlsx'
    else:
        text = io.StringIO(newline='')
        writer = csv.writer(text, delimiter=rng.choice(',;\t'),
            lineterminator=rng.choice(['\n', '\r\n']))
        writer.writerow(header)
        writer.writerows(table)
        data = text.getvalue().encode(
            rng.choice(['utf-8', 'utf-8-sig']))
        filename = rng.choice(['lessons.csv', 'lessons.txt', 'lessons'])
    # Row 1 is the header
    return (filename, data, {i + 2 for i in valid}, {i + 2 for i in invalid})


def _hostile(rng):
    "A value a client should never send"
    return rng.choice([
            'evil', '', ['', ''], {'a': 1}, None, -1, 0, 2 ** 40, 10 ** 30,
            Decimal('NaN'), Decimal('sNaN'), Decimal('-Infinity'),
            Decimal('1e308'), Decimal('0.01'), Decimal('-5'),
            float('inf'), float('nan'), True, 1.5,
            dt.datetime(2025, 10, 6, 12), dt.date(1, 1, 1),
            dt.date(9999, 12, 31), dt.date(2026, 3, 2), 'x' * 300_000,
            [('create', [{'quantity': 'x'}])], [('evil', [1])], b'\x00',
            ])


class FuzzTestCase(unittest.TestCase):
    "Malformed files and calls answer with user errors only"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_indemnity'])
        with Transaction().start(DB_NAME, 0) as transaction:
            cls.ids = cls.create_data()
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @staticmethod
    def create_data():
        """The lycée L, its programme P with the course C1 (winter) of 1000
        planned lessons, two lecturers under active contracts of 1000
        lessons of C1 in the winter of 2025/2026, and an HR user of L"""
        pool = Pool()
        Party = pool.get('party.party')
        Lycee = pool.get('bts.lycee')
        AcademicYear = pool.get('bts.academic_year')
        Contract = pool.get('bts.contract')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        year, = AcademicYear.create([{'start_date': dt.date(2025, 9, 15)}])
        lycee_party, = Party.create([{'name': "Lycée"}])
        lycee, = Lycee.create([{'code': 'L', 'party': lycee_party.id}])
        programme, course = create_one_course_programme(
            'P', lycee, 1000, decision_year=2024)
        winter, = [s for s in year.semesters if s.kind == 'winter']
        contracts = []
        for i, code in enumerate(PEOPLE):
            party, = Party.create([{'name': f"Lecturer {i}",
                        'identifiers': [('create', [{
                                        'type': 'lu_matricule',
                                        'code': code}])]}])
            contract, = Contract.create([{
                        'party': party.id, 'role': 'external',
                        'programme': programme.id, 'lycee': lycee.id,
                        'academic_year': year.id,
                        'start_date': FIRST_DAY, 'end_date': year.end_date,
                        'lines': [('create', [{
                                        'course': course.id,
                                        'semester': winter.id,
                                        'quantity': 1000,
                                        'rate_kind': 'external_r1',
                                        'rate_amount': Decimal('12.07'),
                                        }])],
                        }])
            contracts.append(contract)
        Contract.write(contracts, {'state': 'active'})
        hr, = User.create([{'login': 'hr', 'name': "HR",
                    'groups': [('add', [ModelData.get_id(
                                    'bts_programme', 'group_lycee_hr')])],
                    'bts_lycees': [('add', [lycee.id])],
                    }])
        return {'lycee': lycee.id, 'hr': hr.id, 'course': course.id,
            'contracts': [c.id for c in contracts]}

    def assertAnswers(self):
        "The database still answers"
        with Transaction().start(DB_NAME, 0) as transaction:
            Contract = Pool().get('bts.contract')
            self.assertEqual(
                len(Contract.search([('state', '=', 'active')])), 2)
            transaction.rollback()

    def test_files(self):
        """Mixed files keep their valid rows and refuse their invalid ones
        by row; broken files are refused whole, nothing written"""
        rng = random.Random(SEED)
        for n in range(FILES):
            if rng.random() < 0.15:
                filename, make = rng.choice(BROKEN)
                data, valid, invalid = make(rng), None, None
            else:
                filename, data, valid, invalid = mixed_file(rng)
            with self.subTest(file=n, filename=filename), \
                    Transaction().start(DB_NAME, self.ids['hr']) as t:
                pool = Pool()
                Lycee = pool.get('bts.lycee')
                Line = pool.get('bts.declaration.line')
                before = Line.search_count([])
                try:
                    report = DeclarationImporter(
                        Lycee(self.ids['lycee'])).import_rows(
                        read_rows(data, filename))
                except DeclarationImportError as error:
                    self.assertIsNone(valid, error.message)
                    self.assertTrue(error.message)
                    self.assertEqual(Line.search_count([]), before)
                else:
                    self.assertIsNotNone(valid)
                    self.assertEqual(set(report.refused_rows), invalid,
                        report.text())
                    self.assertEqual(len(report.lines), len(valid),
                        report.text())
                    self.assertEqual(
                        Line.search_count([]), before + len(valid))
                    for _, column, reason in report.refusals:
                        self.assertIn(column, COLUMNS + ('-',))
                        self.assertTrue(reason.strip())
                t.rollback()
        self.assertAnswers()

    def test_calls(self):
        """ORM calls of an HR user with hostile values: a user error or
        accepted, never another exception"""
        rng = random.Random(SEED)
        outcomes = {'refused': 0, 'accepted': 0}
        for n in range(CALLS):
            model, method = rng.choice([
                    ('bts.declaration', 'create'),
                    ('bts.declaration.line', 'create'),
                    ('bts.declaration.line', 'write'),
                    ('bts.declaration', 'write'),
                    ('party.party', 'create'),
                    ('bts.programme.course', 'write'),
                    ])
            with self.subTest(call=n, model=model, method=method), \
                    Transaction().start(DB_NAME, self.ids['hr']) as t:
                try:
                    with check_access():
                        self.call(rng, model, method)
                except UserError as error:
                    self.assertTrue(error.message.strip())
                    outcomes['refused'] += 1
                else:
                    outcomes['accepted'] += 1
                t.rollback()
        self.assertGreater(outcomes['refused'], CALLS // 2, outcomes)
        self.assertAnswers()

    def call(self, rng, model, method):
        "Call model.method with a hostile value in one of its fields"
        pool = Pool()
        Declaration = pool.get('bts.declaration')
        contract = rng.choice(self.ids['contracts'])
        line = {'date': dt.date(2025, 10, 6), 'course': self.ids['course'],
            'quantity': Decimal(2)}
        declaration = {'kind': 'lessons', 'contract': contract,
            'lycee': self.ids['lycee'], 'month': dt.date(2025, 10, 1)}
        values = {
            'bts.declaration': declaration,
            'bts.declaration.line': line,
            'party.party': {'name': "Person"},
            'bts.programme.course': {'planned_lessons': 10},
            }[model]
        name = rng.choice(list(values) + ['lines', 'state', 'amount'])
        values = dict(values, **{name: _hostile(rng)})
        Model = pool.get(model)
        if model == 'bts.declaration.line' or method == 'write':
            with without_check_access():
                draft, = Declaration.create([dict(declaration,
                            lines=[('create', [line])])])
        if method == 'create':
            if model == 'bts.declaration.line':
                values['declaration'] = draft.id
            Model.create([values])
        elif model == 'bts.programme.course':
            Model.write([Model(self.ids['course'])], values)
        else:
            records = draft.lines if model == 'bts.declaration.line' else [
                draft]
            Model.write(list(records), values)

    def test_bounds(self):
        """A name of 5 MB, 10^12 or 5000 planned lessons, 13 lessons on a
        day, 0.01 lesson and a summer date of a winter course are refused
        with a user error naming the rule"""
        with Transaction().start(DB_NAME, 0) as transaction, check_access():
            pool = Pool()
            Party = pool.get('party.party')
            Course = pool.get('bts.programme.course')
            Declaration = pool.get('bts.declaration')
            course = Course(self.ids['course'])
            with self.assertRaises(UserError):
                Party.create([{'name': 'x' * 5_000_000}])
            for lessons in [10 ** 12, 5000]:
                with self.assertRaises(UserError) as error:
                    Course.write([course], {'planned_lessons': lessons})
                self.assertIn("at most 4050", error.exception.message)
            declaration = {'kind': 'lessons',
                'contract': self.ids['contracts'][0],
                'lycee': self.ids['lycee']}
            for date, quantity, words in [
                    (dt.date(2025, 10, 6), 13, "at most 12 lessons"),
                    (dt.date(2025, 10, 6), Decimal('0.01'), "whole"),
                    (dt.date(2026, 3, 2), 2, "only in"),
                    ]:
                with self.assertRaises(UserError) as error:
                    Declaration.create([dict(declaration,
                                month=date.replace(day=1), lines=[
                                    ('create', [{'date': date,
                                                'course': course.id,
                                                'quantity': Decimal(
                                                    quantity)}])])])
                self.assertIn(words, error.exception.message)
            transaction.rollback()



class RequestLimitsTestCase(unittest.TestCase):
    "The configurations bound the records of a call and a request's size"

    def test_configurations(self):
        """Each configuration sets trytond's records_limit: a write on
        200 000 ids is refused before it runs"""
        root = Path(__file__).resolve().parents[3]
        for path in [root / 'config' / 'trytond.conf',
                root / 'config' / 'trytond-postgresql.conf',
                root / 'docker' / 'trytond.conf']:
            with self.subTest(path=path.name):
                config = configparser.ConfigParser(interpolation=None)
                config.read(path)
                limit = config.getint('request', 'records_limit')
                self.assertLessEqual(limit, 10_000)
                self.assertLessEqual(config.getint(
                        'request', 'max_size_authenticated'), 64 << 20)
                # trytond's write RPC with this limit (ModelStorage)
                write = RPC(readonly=False, instantiate=slice(0, None, 2),
                    size_limits={(0, None, 2): limit})
                with self.assertRaises(RequestEntityTooLarge):
                    write._check_size_limits(
                        [list(range(200_000)), {'name': 'x'}], {})


if __name__ == '__main__':
    unittest.main()
