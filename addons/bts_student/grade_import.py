# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Import of the grades of an evaluation from a CSV or XLSX file.

The file has a header row with the columns ``student`` (the student's
national identification number or the person's code) and ``grade`` (a
number from 0 to 20 written with '.' or ',', ``ABS`` for absent, ``FRAUD``
for fraud or plagiarism). Each row is checked on its own: a refused row is
reported with its number, column and reason and changes nothing; the other
rows are written."""
import csv
import io
import os
import re
import warnings
from decimal import Decimal

import openpyxl

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.bts_programme.party import compact_matricule
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

COLUMNS = ('student', 'grade')
ABSENT, FRAUD = 'ABS', 'FRAUD'
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_CELL = 100
_NUMBER = re.compile(r'\d{1,2}([.,]\d{1,2})?')


class GradeImportError(UserError):
    "A file that cannot be imported at all: nothing is imported"


def _text(value):
    "The text of a cell; whole numbers of XLSX cells without '.0'"
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:MAX_CELL + 1]


def _xlsx_rows(data):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [[_text(c) for c in row] for row in
                workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()


def _csv_rows(data):
    text = data.decode('utf-8-sig')
    first = text.split('\n', 1)[0]
    delimiter = max([',', ';', '\t'], key=first.count)
    return [[_text(c) for c in row]
        for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def read_rows(data, filename):
    """Return the data rows of the file as (number, {column: text}), blank
    rows left out; raise GradeImportError for a file that cannot be read"""
    filename = os.path.basename(filename or '')
    if not data:
        raise GradeImportError(gettext(
                'bts_student.msg_grade_import_empty', filename=filename,
                columns=', '.join(COLUMNS)))
    if len(data) > MAX_FILE_BYTES:
        raise GradeImportError(gettext(
                'bts_student.msg_grade_import_too_large', filename=filename))
    try:
        if filename.lower().endswith(('.xlsx', '.xlsm')):
            rows = _xlsx_rows(data)
        else:
            rows = _csv_rows(data)
    except Exception as exception:
        # csv, UTF-8, zip and XML errors mean the same to the user
        raise GradeImportError(gettext(
                'bts_student.msg_grade_import_unreadable',
                filename=filename, error=str(exception)[:MAX_CELL]))
    header = [c.lower() for c in rows[0]] if rows else []
    if missing := [c for c in COLUMNS if c not in header]:
        raise GradeImportError(gettext(
                'bts_student.msg_grade_import_header', filename=filename,
                missing=', '.join(missing), columns=', '.join(COLUMNS)))
    index = {c: header.index(c) for c in COLUMNS}
    return [(number, {c: row[i] if i < len(row) else ''
                for c, i in index.items()})
        for number, row in enumerate(rows[1:], 2) if any(row)]


def parse_grade(text):
    """Return the values of a grade cell, or raise ValueError: a number
    from 0 to 20 with at most two decimals, ABS or FRAUD"""
    text = text.strip()
    if text.upper() == ABSENT:
        return {'absent': True, 'fraud': False, 'value': None}
    if text.upper() == FRAUD:
        return {'fraud': True, 'absent': False}
    if not _NUMBER.fullmatch(text):
        raise ValueError(text)
    value = Decimal(text.replace(',', '.'))
    if value > 20:
        raise ValueError(text)
    return {'value': value, 'absent': False, 'fraud': False}


def import_grades(evaluation, data, filename):
    """Write the grades of the file's rows to evaluation, each row on its
    own; return (written rows, refused rows as (number, column, reason))"""
    pool = Pool()
    Grade = pool.get('bts.student.grade')
    rows = read_rows(data, filename)
    students = {}
    for student in _students(evaluation):
        students[student.party.code] = student
        for identifier in student.party.identifiers:
            students[identifier.code] = student
    existing = {g.student: g for g in evaluation.grades}
    written, refused = 0, []
    for number, values in rows:
        code = values['student']
        student = students.get(code) or students.get(compact_matricule(code))
        if student is None:
            refused.append((number, 'student', gettext(
                        'bts_student.msg_grade_import_student',
                        student=code)))
            continue
        try:
            grade_values = parse_grade(values['grade'])
        except ValueError:
            refused.append((number, 'grade', gettext(
                        'bts_student.msg_grade_import_value',
                        value=values['grade'])))
            continue
        try:
            _write(Grade, evaluation, student, existing, grade_values)
        except (UserError, ValidationError) as error:
            refused.append((number, 'grade', error.message))
            continue
        written += 1
    return written, refused


def _students(evaluation):
    "The students of the evaluation's programme and lycée"
    Student = Pool().get('bts.student')
    return Student.search([
            ('programme', '=', evaluation.programme.id),
            ('lycee', '=', evaluation.lycee.id),
            ])


def _write(Grade, evaluation, student, existing, values):
    "Create or change the grade of student, undone when it is refused"
    transaction = Transaction()
    savepoint = f'grade_import_{student.id}'
    cursor = transaction.connection.cursor()
    cursor.execute(f'SAVEPOINT "{savepoint}"')
    try:
        grade = existing.get(student)
        if grade:
            Grade.write([grade], values)
        else:
            existing[student], = Grade.create([{
                        'evaluation': evaluation.id,
                        'student': student.id, **values}])
    except Exception:
        cursor.execute(f'ROLLBACK TO SAVEPOINT "{savepoint}"')
        raise
    cursor.execute(f'RELEASE SAVEPOINT "{savepoint}"')


class ImportStart(ModelView):
    "Import Grades"
    __name__ = 'bts.student.grade.import.start'
    __string__ = "Import Grades"
    file = fields.Binary("File", required=True, filename='filename',
        help="CSV or XLSX with the columns student (national identification "
        "number or code) and grade (0 to 20, ABS or FRAUD).")
    filename = fields.Char("File Name")


class ImportResult(ModelView):
    "Import Grades Report"
    __name__ = 'bts.student.grade.import.result'
    __string__ = "Import Grades Report"
    report = fields.Text("Report", readonly=True)


class Import(Wizard):
    "Import the grades of an evaluation"
    __name__ = 'bts.student.grade.import'
    __string__ = "Import Grades"
    start = StateView('bts.student.grade.import.start',
        'bts_student.grade_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    result = StateView('bts.student.grade.import.result',
        'bts_student.grade_import_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        written, refused = import_grades(
            self.record, self.start.file, self.start.filename)
        lines = [gettext('bts_student.msg_grade_import_summary',
                written=written, refused=len(refused))]
        lines.extend(gettext('bts_student.msg_grade_import_row',
                row=number, column=column, reason=reason)
            for number, column, reason in refused)
        self.result.report = '\n'.join(lines)
        return 'result'

    def default_result(self, fields):
        return {'report': self.result.report}
