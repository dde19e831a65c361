# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Bulk import of declared lessons from a CSV or XLSX file.

``read_rows`` reads the whole file first, a row at a time, and raises a
``DeclarationImportError`` for a file that cannot be imported at all, before
anything is written (a file too large before it is read).
``DeclarationImporter`` then turns each row into a line of a draft
declaration of its contract and month, with the checks of the submission;
a refused row is reported with its row number, column and reason and
leaves nothing behind. The wizard and the ``bts import-declarations``
command (cli.py) both use them.
"""
import csv
import datetime as dt
import io
import itertools
import os
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
import xlsxwriter

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.bts_programme import batch
from trytond.modules.bts_programme.exceptions import AcademicYearError
from trytond.modules.bts_programme.party import (
    NATIONAL_ID,
    compact_matricule,
    is_valid_matricule,
)
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access
from trytond.wizard import (
    Button,
    StateAction,
    StateTransition,
    StateView,
    Wizard,
)

from .declaration import (
    COUNTED_STATES,
    DAILY_ROLES_EXCLUDED,
    DAY_MAX_LESSONS,
)

# The header row, in any order; other columns are ignored.
COLUMNS = ('national_id', 'programme', 'date', 'course', 'lessons')
# The example row of the template.
EXAMPLE = ('1980041210026', 'CLOUD', dt.date(2025, 10, 6), 'M1.1', 2)
CSV_DELIMITERS = (',', ';', '\t')
XLSX_SUFFIXES = {'.xlsx', '.xlsm'}
CSV_SUFFIXES = {'.csv', '.txt'}
ZIP_MAGIC = b'PK\x03\x04'
_ISO_DATE = re.compile(r'(\d{4})-(\d{1,2})-(\d{1,2})')
_FRENCH_DATE = re.compile(r'(\d{1,2})/(\d{1,2})/(\d{4})')
_NUMBER = re.compile(r'\d+(\.\d*)?|\.\d+')
NO_COLUMN = '-'
# Bounds of a file: its size, checked before it is read (a year of a
# lycée's lessons is far below), its data rows and the characters of a cell
# (a national number, a code, a date or a number are short).
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_CELL = 200


class DeclarationImportError(UserError):
    "A file that cannot be imported at all: nothing is imported"


def may_import_for(lycee):
    """Whether the current user may import declarations of lycee: the users
    of the lycée, the ministry administration and the root user. The wizard
    and the command run without access rules, so this is their only check
    of the lycée."""
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    user = Transaction().user
    if not user:
        return True
    if lycee.id in User.get_lycees():
        return True
    ministry = ModelData.get_id('bts_programme', 'group_ministry_admin')
    return ministry in User.get_groups()


def readable(record):
    """Whether the current user may read record under the access rules, as
    a client would: the messages name only such records"""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    Model = record.__class__
    if not Transaction().user:
        return True
    with check_access():
        if not ModelAccess.check(
                Model.__name__, 'read', raise_exception=False):
            return False
        return bool(Model.search([('id', '=', record.id)], limit=1))


def _msg(name, **variables):
    return gettext(f'bts_indemnity.msg_import_{name}', **variables)


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value):
    "Return the text of a cell; whole numbers of XLSX cells without '.0'"
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _format_quantity(quantity):
    return f'{quantity.normalize():f}'


def parse_date(value):
    """Return the date of a cell: a date or datetime of an XLSX cell, or a
    text as YYYY-MM-DD or DD/MM/YYYY; raise ValueError otherwise"""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        value = value.strip()
        if match := _ISO_DATE.fullmatch(value):
            year, month, day = match.groups()
        elif match := _FRENCH_DATE.fullmatch(value):
            day, month, year = match.groups()
        else:
            raise ValueError(value)
        return dt.date(int(year), int(month), int(day))
    raise ValueError(value)


def parse_lessons(value):
    """Return the lessons of a cell as a whole Decimal greater than 0,
    written with '.' or ',' (lessons are counted whole: law of 21 July 2023,
    art. 9(2)); raise ValueError otherwise"""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        quantity = Decimal(value)
    elif isinstance(value, float):
        quantity = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(',', '.')
        if not _NUMBER.fullmatch(text):
            raise ValueError(value)
        quantity = Decimal(text)
    else:
        raise ValueError(value)
    if (not quantity.is_finite() or quantity <= 0
            or quantity != quantity.to_integral_value()):
        raise ValueError(value)
    return quantity


@dataclass
class Row:
    "A data row of the file: its number as a spreadsheet shows it"
    number: int
    values: dict
    # Why the whole row is refused already: a CSV row with more cells than
    # the header, from a separator inside an unquoted value.
    error: str = None


def read_rows(data, filename):
    """Return the data rows of a CSV or XLSX file, blank rows left out, or
    raise DeclarationImportError when the file cannot be imported; a file
    larger than MAX_FILE_BYTES is refused before it is read, one of more
    than MAX_ROWS data rows as soon as they are passed"""
    filename = os.path.basename(filename or '')
    data = data or b''
    if not data:
        raise DeclarationImportError(_msg(
                'empty', filename=filename, columns=', '.join(COLUMNS)))
    check_size(len(data), filename)
    suffix = os.path.splitext(filename)[1].lower()
    if suffix in XLSX_SUFFIXES or (not suffix and data.startswith(ZIP_MAGIC)):
        return _table(_read_xlsx(data, filename), filename)
    elif suffix in CSV_SUFFIXES or not suffix:
        rows, delimiter = _read_csv(data, filename)
        return _table(rows, filename, delimiter=delimiter)
    raise DeclarationImportError(_msg('format', filename=filename))


def check_size(size, filename):
    "Refuse a file of size bytes larger than MAX_FILE_BYTES"
    if size > MAX_FILE_BYTES:
        raise DeclarationImportError(_msg('too_large', filename=filename,
                size=_megabytes(size), maximum=_megabytes(MAX_FILE_BYTES)))


def _megabytes(size):
    return f'{size / 1024 / 1024:.1f}'


def _read_xlsx(data, filename):
    "Yield the numbered rows of the first worksheet, read as a stream"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                yield from enumerate(sheet.iter_rows(values_only=True), 1)
            finally:
                workbook.close()
    except DeclarationImportError:
        raise
    except Exception as exception:
        # openpyxl, zipfile and the XML parser raise many kinds of errors
        # on damaged files: all mean the same to the user.
        raise DeclarationImportError(_msg('xlsx_unreadable',
                filename=filename,
                error=str(exception)[:MAX_CELL]
                or type(exception).__name__))


def _lines(data, filename):
    """Yield the lines of a UTF-8 file one at a time; a line that is not
    UTF-8 refuses the file with its number"""
    for number, line in enumerate(io.BytesIO(data), 1):
        try:
            yield line.decode('utf-8-sig' if number == 1 else 'utf-8')
        except UnicodeDecodeError:
            raise DeclarationImportError(_msg(
                    'encoding', filename=filename, row=number))


def _read_csv(data, filename):
    """Return the numbered rows of a UTF-8 CSV file, read a line at a time,
    and its separator, found in the header among ',', ';' and tab"""
    lines = _lines(data, filename)
    first = next(lines, '')
    for delimiter in CSV_DELIMITERS:
        header = next(csv.reader([first], delimiter=delimiter), [])
        if set(COLUMNS) <= set(_header(header)):
            break
    else:
        delimiter = max(CSV_DELIMITERS, key=first.count)
    return _csv_rows(itertools.chain([first], lines), delimiter,
        filename), delimiter


def _csv_rows(lines, delimiter, filename):
    """Yield the numbered rows of the CSV lines; a row with a cell larger
    than the csv module reads has no cells (None): only it is refused"""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exception:
            if 'field limit' not in str(exception):
                raise DeclarationImportError(_msg('csv_malformed',
                        filename=filename, row=number, error=exception))
            cells = None
        yield number, cells


def _header(cells):
    return [_text(cell).lower() for cell in cells]


def _too_long(cells, header):
    "Return the name of the first cell longer than MAX_CELL, or None"
    for i, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL:
            return header[i] if i < len(header) else str(i + 1)


def _table(rows, filename, delimiter=None):
    "Return the Rows under the header of the first row"
    rows = iter(rows)
    _, first = next(rows, (None, None))
    if not first or all(_blank(cell) for cell in first):
        raise DeclarationImportError(_msg(
                'empty', filename=filename, columns=', '.join(COLUMNS)))
    header = _header(first)
    if missing := [c for c in COLUMNS if c not in header]:
        raise DeclarationImportError(_msg('header_missing',
                filename=filename, missing=', '.join(missing),
                columns=', '.join(COLUMNS)))
    for column in COLUMNS:
        if header.count(column) > 1:
            raise DeclarationImportError(_msg('header_duplicate',
                    filename=filename, column=column))
    index = {column: header.index(column) for column in COLUMNS}
    result = []
    for number, cells in rows:
        if cells is not None and all(_blank(cell) for cell in cells):
            continue
        if len(result) >= MAX_ROWS:
            raise DeclarationImportError(_msg('too_many_rows',
                    filename=filename, maximum=MAX_ROWS))
        error = None
        if cells is None or (column := _too_long(cells, header)):
            error = _msg('cell_too_long',
                column=column if cells is not None else NO_COLUMN,
                maximum=MAX_CELL)
            cells = ()
        elif delimiter and any(not _blank(c) for c in cells[len(header):]):
            error = _msg('row_overflow', cells=len(cells),
                columns=len(header), delimiter=delimiter)
        values = {
            column: cells[i] if i < len(cells) else None
            for column, i in index.items()}
        result.append(Row(number, values, error))
    return result


@dataclass
class ImportReport:
    "What an import did: the counts and the refused rows"
    # The data rows read, blank rows left out
    rows: int = 0
    # The ids of the lines created
    lines: list = field(default_factory=list)
    # The declarations that received lines, in the order of the file
    declarations: list = field(default_factory=list)
    # (row number, column or '-', reason)
    refusals: list = field(default_factory=list)

    def refuse(self, row, column, reason):
        self.refusals.append((row, column, reason))

    @property
    def refused_rows(self):
        return sorted({row for row, _, _ in self.refusals})

    def summary(self):
        return _msg('summary', rows=self.rows, lines=len(self.lines),
            declarations=len(self.declarations),
            refused=len(self.refused_rows))

    def report_lines(self):
        "Return 'row N, column C: reason' for each refusal"
        return [_msg('report_line', row=row, column=column, reason=reason)
            for row, column, reason in self.refusals]

    def text(self):
        return '\n'.join([self.summary()] + self.report_lines())


class DeclarationImporter:
    """Import rows of lessons into draft declarations of a lycée, one per
    contract and month, with the checks of the submission for each line.

    The file's keys are resolved in sets, every row is checked in memory
    against the totals read once and kept running (planned lessons, caps,
    duplicates), and the lines accepted are created in one batch, which
    runs the entry checks again on the server."""

    def __init__(self, lycee):
        if not may_import_for(lycee):
            raise DeclarationImportError(_msg('lycee_forbidden'))
        self.lycee = lycee
        self._parties = {}
        self._programmes = {}
        self._courses = {}
        self._years = {}
        self._contracts = {}
        # (contract id, month): the draft declaration the rows go to
        self._declarations = {}
        # (contract id, date, course id, quantity): a line's declaration
        self._lines = {}
        # Running totals: lessons per (contract id, course id) declared on
        # their way, per declaration and course, per declaration and cap
        self._declared, self._planned = {}, {}
        self._drafted = defaultdict(Decimal)
        self._requested = defaultdict(
            lambda: defaultdict(lambda: defaultdict(Decimal)))
        self._used = {}
        self._once = {}
        # Lessons per (party id, date) of every declaration of lessons
        self._days = defaultdict(Decimal)

    def import_file(self, data, filename):
        """Import the file or raise DeclarationImportError before any change
        when it cannot be read"""
        return self.import_rows(read_rows(data, filename))

    def import_rows(self, rows):
        report = ImportReport(rows=len(rows))
        self._resolve_keys(rows)
        entries = [entry for row in rows
            if (entry := self._read_row(row, report))]
        self._resolve_totals(entries)
        accepted = [entry for entry in entries
            if self._check_row(entry, report)]
        self._write(accepted, report)
        report.refusals.sort(key=lambda refusal: refusal[0])
        return report

    def _resolve_keys(self, rows):
        """Read the people, programmes and courses that the rows name, a
        query per model"""
        pool = Pool()
        Identifier = pool.get('party.identifier')
        Programme = pool.get('bts.programme')
        Course = pool.get('bts.programme.course')
        values = [row.values for row in rows if not row.error]
        codes = {compact_matricule(_text(v['national_id'])) for v in values
            if not _blank(v['national_id'])}
        codes = {c for c in codes if is_valid_matricule(c)}
        found = defaultdict(list)
        for identifier in Identifier.search([
                    ('type', '=', NATIONAL_ID),
                    ('code_compact', 'in', sorted(codes)),
                    ], order=[('id', 'ASC')]):
            code = ''.join(identifier.code.split())
            if identifier.party not in found[code]:
                found[code].append(identifier.party)
        for code in codes:
            self._parties[code] = self._person(code, found[code])
        programme_codes = {_text(v['programme']) for v in values
            if not _blank(v['programme'])}
        for programme in Programme.search(
                [('code', 'in', sorted(programme_codes))],
                order=[('id', 'DESC')]):
            self._programmes[programme.code] = programme
        for code in programme_codes - set(self._programmes):
            self._programmes[code] = None
        course_codes = {_text(v['course']) for v in values
            if not _blank(v['course'])}
        programmes = [p for p in self._programmes.values() if p]
        for course in Course.search([
                    ('programme', 'in', [p.id for p in programmes]),
                    ('code', 'in', sorted(course_codes)),
                    ], order=[('id', 'DESC')]):
            self._courses[course.programme.id, course.code] = course

    def _read_row(self, row, report):
        """Return the entry of a row: its values read and resolved, or None
        and the reasons reported"""
        if row.error:
            report.refuse(row.number, NO_COLUMN, row.error)
            return
        values = row.values
        errors = []

        def missing(column):
            if _blank(values[column]):
                errors.append((column, _msg('missing')))
                return True

        party = programme = date = year = course = quantity = None
        if not missing('national_id'):
            code = compact_matricule(_text(values['national_id']))
            party, reason = self._party(code)
            if reason:
                errors.append(('national_id', reason))
        if not missing('programme'):
            code = _text(values['programme'])
            programme = self._programmes.get(code)
            if not programme:
                errors.append(('programme', _msg(
                            'programme_unknown', code=code)))
        if not missing('date'):
            try:
                date = parse_date(values['date'])
            except ValueError:
                errors.append(('date', _msg(
                            'date_bad', value=_text(values['date']))))
            else:
                year = self._year(date)
                if not year:
                    errors.append(('date', _msg(
                                'date_no_year', date=date.isoformat())))
        if not missing('course') and programme:
            code = _text(values['course'])
            course = self._courses.get((programme.id, code))
            if not course:
                errors.append(('course', _msg('course_unknown',
                            code=code, programme=programme.code)))
        if not missing('lessons'):
            try:
                quantity = parse_lessons(values['lessons'])
            except ValueError:
                errors.append(('lessons', _msg(
                            'lessons_bad', value=_text(values['lessons']))))
        if errors:
            for column, reason in errors:
                report.refuse(row.number, column, reason)
            return
        return _Entry(row.number, party, programme, course, date, year,
            quantity)

    def _resolve_totals(self, entries):
        """Read at once for the rows: the contracts, the draft declarations
        of their months and the lines they hold, the lines on the same days
        (duplicates), the lessons declared per course and counted in the
        caps"""
        pool = Pool()
        Contract = pool.get('bts.contract')
        Declaration = pool.get('bts.declaration')
        Line = pool.get('bts.declaration.line')
        Semester = pool.get('bts.semester')
        for contract in Contract.search([
                    ('party', 'in', list({e.party.id for e in entries})),
                    ('programme', 'in',
                        list({e.programme.id for e in entries})),
                    ('academic_year', 'in',
                        list({e.year.id for e in entries})),
                    ('state', '=', 'active'),
                    ], order=[('id', 'DESC')]):
            self._contracts[contract.party.id, contract.programme.id,
                contract.academic_year.id] = contract
        for entry in entries:
            entry.contract = self._contracts.get(
                (entry.party.id, entry.programme.id, entry.year.id))
            entry.semester = Semester.find(entry.date)
        entries = [e for e in entries
            if e.contract and e.contract.lycee == self.lycee]
        contracts = {e.contract.id: e.contract for e in entries}
        if not contracts:
            return
        for declaration in Declaration.search([
                    ('kind', '=', 'lessons'),
                    ('contract', 'in', list(contracts)),
                    ('lycee', '=', self.lycee.id),
                    ('month', 'in', list({e.month for e in entries})),
                    ('state', '=', 'draft'),
                    ], order=[('id', 'DESC')]):
            self._declarations[declaration.contract.id, declaration.month] = (
                declaration)
        for declaration in self._declarations.values():
            for line in declaration.lines:
                self._add(declaration, line.course, line.quantity,
                    Declaration.cap_keys(declaration.contract, line))
        for line in Line.search([
                    ('declaration.contract', 'in', list(contracts)),
                    ('date', 'in', list({e.date for e in entries})),
                    ], order=[('id', 'DESC')]):
            self._lines[line.declaration.contract.id, line.date,
                line.course.id if line.course else None,
                line.quantity] = line.declaration
        self._declared = Declaration.declared_per_course(contracts)
        self._planned = Declaration.planned_per_course(contracts)
        dates = [e.date for e in entries]
        self._days.update(Declaration.lessons_per_day(
                {c.party.id for c in contracts.values()},
                min(dates), max(dates)))
        self._used = Declaration.used_lessons({key: None
                for e in entries
                for key in Declaration.cap_keys(e.contract, e)},
            COUNTED_STATES)

    def _add(self, declaration, course, quantity, keys):
        "Count a line in the running totals of its declaration"
        key = declaration.contract.id, declaration.month
        self._drafted[key, course.id] += quantity
        for cap in keys:
            self._requested[key][cap][
                declaration.contract.programme.code] += quantity

    def _check_row(self, entry, report):
        """Check the entry as the submission would with the lines accepted
        before; return whether it is accepted, else report why"""
        pool = Pool()
        Declaration = pool.get('bts.declaration')
        Line = pool.get('bts.declaration.line')
        contract = entry.contract
        if not contract:
            report.refuse(entry.number, NO_COLUMN, _msg('no_contract',
                    party=entry.party.rec_name,
                    programme=entry.programme.code,
                    year=entry.year.rec_name))
            return False
        if contract.lycee != self.lycee:
            # Another lycée's contract is named only to who may read it.
            if readable(contract):
                reason = _msg('other_lycee',
                    contract=contract.rec_name,
                    contract_lycee=contract.lycee.rec_name,
                    lycee=self.lycee.rec_name)
            else:
                reason = _msg('other_lycee_unreadable',
                    programme=entry.programme.code,
                    year=entry.year.rec_name, lycee=self.lycee.rec_name)
            report.refuse(entry.number, NO_COLUMN, reason)
            return False
        duplicate = self._lines.get(
            (contract.id, entry.date, entry.course.id, entry.quantity))
        if duplicate:
            states = dict(Declaration.fields_get(
                    ['state'])['state']['selection'])
            report.refuse(entry.number, NO_COLUMN, _msg('duplicate',
                    declaration=duplicate.rec_name,
                    state=states[duplicate.state],
                    quantity=_format_quantity(entry.quantity),
                    course=entry.course.code, date=entry.date.isoformat()))
            return False
        declaration = self._declaration(contract, entry.month)
        key = contract.id, entry.month
        line = Line(declaration=declaration, date=entry.date,
            course=entry.course, quantity=entry.quantity,
            academic_year=entry.year, semester=entry.semester)
        keys = Declaration.cap_keys(contract, line)
        code = contract.programme.code
        try:
            line.check_entry()
            if key not in self._once:
                self._once[key] = None
                declaration.check_once_a_year()
            Declaration.check_plan(contract, entry.course.id,
                self._declared[contract.id, entry.course.id]
                + self._drafted[key, entry.course.id] + entry.quantity,
                self._planned[contract.id, entry.course.id])
            requested = {cap: {**self._requested[key][cap]} for cap in keys}
            for cap in keys:
                requested[cap][code] = (
                    requested[cap].get(code, 0) + entry.quantity)
            Declaration.check_caps_requested(requested, self._used)
            day = contract.party.id, entry.date
            daily = contract.role not in DAILY_ROLES_EXCLUDED
            if daily and self._days[day] + entry.quantity > DAY_MAX_LESSONS:
                Declaration.raise_day_full(contract.party, entry.date,
                    self._days[day] + entry.quantity)
        except UserError as exception:
            report.refuse(entry.number, NO_COLUMN, exception.message)
            return False
        self._add(declaration, entry.course, entry.quantity, keys)
        if daily:
            self._days[day] += entry.quantity
        self._lines[contract.id, entry.date, entry.course.id,
            entry.quantity] = declaration
        entry.declaration = declaration
        return True

    def _declaration(self, contract, month):
        """The draft declaration of the contract and month at the lycée:
        an existing one or a new one, created with the lines"""
        Declaration = Pool().get('bts.declaration')
        key = contract.id, month
        if key not in self._declarations:
            self._declarations[key] = Declaration(kind='lessons',
                contract=contract, lycee=self.lycee, month=month,
                state='draft', party=contract.party,
                programme=contract.programme)
        return self._declarations[key]

    def _write(self, entries, report):
        """Create the new declarations and the lines accepted, each in one
        batch"""
        pool = Pool()
        Declaration = pool.get('bts.declaration')
        Line = pool.get('bts.declaration.line')
        declarations = list(dict.fromkeys(e.declaration for e in entries))
        Declaration.save([d for d in declarations if d.id is None])
        lines = batch.create(Line, [{
                    'declaration': e.declaration.id,
                    'date': e.date,
                    'course': e.course.id,
                    'quantity': e.quantity,
                    } for e in entries])
        report.lines.extend(line.id for line in lines)
        report.declarations.extend(declarations)

    def _party(self, code):
        "Return the party of the national identification number, or a reason"
        if code not in self._parties:
            self._parties[code] = self._person(code, [])
        return self._parties[code]

    @staticmethod
    def _person(code, parties):
        "The one party of the code found as parties, or the reason why not"
        if not is_valid_matricule(code):
            return None, _msg('person_invalid', code=code)
        if not parties:
            return None, _msg('person_unknown', code=code)
        if len(parties) > 1:
            return None, _msg('person_ambiguous', code=code,
                parties=', '.join(p.rec_name for p in parties))
        return parties[0], None

    def _year(self, date):
        AcademicYear = Pool().get('bts.academic_year')
        if date not in self._years:
            try:
                self._years[date] = AcademicYear.find(date)
            except AcademicYearError:
                self._years[date] = None
        return self._years[date]


@dataclass
class _Entry:
    "A row read: the records it names and the values of its line"
    number: int
    party: object
    programme: object
    course: object
    date: dt.date
    year: object
    quantity: Decimal
    contract: object = None
    semester: object = None
    declaration: object = None

    @property
    def month(self):
        return self.date.replace(day=1)

    @property
    def academic_year(self):
        return self.year


def template_xlsx():
    """Return the XLSX template: the header with each column explained in a
    comment, frozen, and an example row"""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {'in_memory': True})
    sheet = workbook.add_worksheet('Lessons')
    bold = workbook.add_format({'bold': True})
    text = workbook.add_format({'num_format': '@'})
    date = workbook.add_format({'num_format': 'yyyy-mm-dd'})
    number = workbook.add_format({'num_format': '0.##'})
    formats = {'national_id': text, 'programme': text, 'date': date,
        'course': text, 'lessons': number}
    widths = {'national_id': 18, 'programme': 12, 'date': 12, 'course': 10,
        'lessons': 10}
    for i, column in enumerate(COLUMNS):
        sheet.set_column(i, i, widths[column], formats[column])
        sheet.write_string(0, i, column, bold)
        sheet.write_comment(0, i, _msg(f'help_{column}'),
            {'x_scale': 2, 'y_scale': 1.5})
    national_id, programme, day, course, lessons = EXAMPLE
    sheet.write_string(1, 0, national_id, text)
    sheet.write_string(1, 1, programme, text)
    sheet.write_datetime(1, 2, dt.datetime.combine(day, dt.time()), date)
    sheet.write_string(1, 3, course, text)
    sheet.write_number(1, 4, lessons, number)
    last = 1048575
    sheet.data_validation(1, 2, last, 2, {
            'validate': 'date', 'criteria': '>=',
            'value': dt.date(2000, 1, 1)})
    sheet.data_validation(1, 4, last, 4, {
            'validate': 'decimal', 'criteria': '>', 'value': 0})
    sheet.freeze_panes(1, 0)
    workbook.close()
    return output.getvalue()


def template_csv():
    "Return the CSV template: UTF-8, ',' separated, with an example row"
    output = io.StringIO(newline='')
    writer = csv.writer(output, lineterminator='\r\n')
    writer.writerow(COLUMNS)
    national_id, programme, day, course, lessons = EXAMPLE
    writer.writerow([national_id, programme, day.isoformat(), course, lessons])
    return output.getvalue().encode('utf-8')


class ImportStart(ModelView):
    "Import declarations: the lycée and the file"
    __name__ = 'bts.declaration.import.start'
    __string__ = "Import Declarations"
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True,
        help="The lycée that declares the lessons; the rows under contracts "
        "of other lycées are refused.")
    file = fields.Binary(
        "File", required=True, filename='filename',
        help="A CSV (UTF-8) or Excel (.xlsx) file with the columns "
        "national_id, programme, date, course and lessons; see the "
        "template.")
    filename = fields.Char("File Name")

    @classmethod
    def default_lycee(cls):
        return Pool().get('res.user').get_lycee()


class ImportTemplate(ModelView):
    "Import declarations: the templates"
    __name__ = 'bts.declaration.import.template'
    __string__ = "Declaration Import Templates"
    xlsx = fields.Binary(
        "Excel Template", filename='xlsx_filename', readonly=True)
    xlsx_filename = fields.Char("Excel File Name", readonly=True)
    csv = fields.Binary("CSV Template", filename='csv_filename', readonly=True)
    csv_filename = fields.Char("CSV File Name", readonly=True)


class ImportResult(ModelView):
    "Import declarations: the report"
    __name__ = 'bts.declaration.import.result'
    __string__ = "Declaration Import Report"
    report = fields.Text("Report", readonly=True)
    declarations = fields.Many2Many(
        'bts.declaration', None, None, "Declarations", readonly=True,
        help="The declarations that received lines.")


class ImportQueued(ModelView):
    "Import declarations: the background job of a large file"
    __name__ = 'bts.declaration.import.queued'
    __string__ = "Declaration Import Queued"
    job = fields.Many2One('bts.job', "Job", readonly=True)


class Import(Wizard):
    """Import lines of draft declarations of lessons from a CSV or XLSX
    file: a file of more than SYNC_ROWS rows by a background job"""
    __name__ = 'bts.declaration.import'
    start = StateView('bts.declaration.import.start',
        'bts_indemnity.declaration_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Download Template", 'template', 'tryton-download'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    template = StateView('bts.declaration.import.template',
        'bts_indemnity.declaration_import_template_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Close", 'end', 'tryton-close', default=True),
            ])
    import_ = StateTransition()
    result = StateView('bts.declaration.import.result',
        'bts_indemnity.declaration_import_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])
    queued = StateView('bts.declaration.import.queued',
        'bts_indemnity.declaration_import_queued_view_form', [
            Button("Close", 'end', 'tryton-close'),
            Button("Open Job", 'open_job', 'tryton-forward', default=True),
            ])
    open_job = StateAction('bts_indemnity.act_job_form')

    def default_start(self, fields):
        values = {}
        if getattr(self.start, 'lycee', None):
            values['lycee'] = self.start.lycee.id
        return values

    def default_template(self, fields):
        return {
            'xlsx': template_xlsx(),
            'xlsx_filename': 'declarations.xlsx',
            'csv': template_csv(),
            'csv_filename': 'declarations.csv',
            }

    def transition_import_(self):
        Job = Pool().get('bts.job')
        importer = DeclarationImporter(self.start.lycee)
        rows = read_rows(self.start.file, self.start.filename)
        if len(rows) > SYNC_ROWS:
            job = Job(kind='import', lycee=self.start.lycee,
                file=self.start.file, filename=self.start.filename)
            Job.enqueue([job])
            self.queued.job = job
            return 'queued'
        report = importer.import_rows(rows)
        self.result.report = report.text()
        self.result.declarations = report.declarations
        return 'result'

    def default_result(self, fields):
        return {
            'report': self.result.report,
            'declarations': [d.id for d in self.result.declarations],
            }

    def default_queued(self, fields):
        return {'job': self.queued.job.id}

    def do_open_job(self, action):
        return action, {'res_id': [self.queued.job.id]}


# A file of up to SYNC_ROWS rows is imported by the wizard at once, a
# larger one by a background job, about CHUNK rows at a time.
SYNC_ROWS = 200
CHUNK = 500


def _chunks(rows):
    """The rows in chunks of about CHUNK rows, the rows of a person in one
    chunk: the checks of a row involve only the lines of its contract"""
    by_person = defaultdict(list)
    for row in rows:
        code = ''.join(_text(row.values.get('national_id')).split())
        by_person[code].append(row)
    chunk = []
    for person_rows in by_person.values():
        chunk.extend(person_rows)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk or not rows:
        yield chunk


def import_in_chunks(lycee, rows, progress=None):
    """Import the rows a chunk at a time, each chunk reading what the
    chunks before wrote, and call progress(done, total) after each; return
    the report of all the rows (the declarations in the order of their
    persons' first rows)"""
    report = ImportReport(rows=len(rows))
    done = 0
    for chunk in _chunks(rows):
        part = DeclarationImporter(lycee).import_rows(chunk)
        report.lines.extend(part.lines)
        report.declarations.extend(part.declarations)
        report.refusals.extend(part.refusals)
        done += len(chunk)
        if progress:
            progress(done, len(rows))
    report.declarations = list(dict.fromkeys(report.declarations))
    report.refusals.sort(key=lambda refusal: refusal[0])
    return report
