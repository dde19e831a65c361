# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Import of the applications of the national portal (MyGuichet.lu) from
its CSV export: each row becomes a submitted application of an intake of
the lycée; a refused row is reported with its row number, field, rule and
article and leaves nothing behind, the valid rows are kept. The keys of
the file (persons, programmes, lycées, years, intakes, applications
already there) are read in sets, the records created in batches."""
import csv
import io
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.bts_programme.party import (
    NATIONAL_ID,
    compact_matricule,
    is_valid_matricule,
)
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .application import ACCESS_BASES, VAE_MIN_YEARS

COLUMNS = ('reference', 'national_id', 'last_name', 'first_name',
    'programme', 'lycee', 'academic_year', 'access_basis', 'diploma',
    'vae_years', 'third_country', 'residence_authorisation',
    'health_insurance')
REQUIRED = COLUMNS[:8]
DIPLOMA_BASES = {'leaving_diploma', 'access_diploma', 'foreign_diploma',
    'technician'}
BOOLEANS = {'': False, '0': False, 'no': False, 'non': False,
    'false': False, '1': True, 'yes': True, 'oui': True, 'true': True}
MAX_FILE_BYTES = 5 * 1024 * 1024
LAW = "law of 21 July 2023"
NO_ARTICLE = '-'


class ApplicationImportError(UserError):
    "A file that cannot be imported at all: nothing is imported"


def _msg(name, **variables):
    return gettext(f'bts_student.msg_import_{name}', **variables)


@dataclass
class ImportReport:
    "What an import did: the rows read, the applications, the refusals"
    rows: int = 0
    applications: list = field(default_factory=list)
    # (row number, field, rule, article)
    refusals: list = field(default_factory=list)

    def refuse(self, row, column, rule, article=NO_ARTICLE):
        self.refusals.append((row, column, rule, article))

    @property
    def refused_rows(self):
        return sorted({r[0] for r in self.refusals})

    def text(self):
        lines = [_msg('summary', rows=self.rows,
                applications=len(self.applications),
                refused=len(self.refused_rows))]
        lines += [_msg('report_line', row=row, column=column, rule=rule,
                article=article)
            for row, column, rule, article in sorted(
                self.refusals, key=lambda r: r[0])]
        return '\n'.join(lines)


def read_rows(data, filename):
    """Return [(row number, {column: text})] of a UTF-8 CSV file separated
    by ',' or ';', or raise ApplicationImportError"""
    filename = os.path.basename(filename or '')
    if not data:
        raise ApplicationImportError(_msg('empty', filename=filename,
                columns=', '.join(REQUIRED)))
    if len(data) > MAX_FILE_BYTES:
        raise ApplicationImportError(_msg('too_large', filename=filename))
    try:
        text = bytes(data).decode('utf-8-sig')
    except UnicodeDecodeError:
        raise ApplicationImportError(_msg('encoding', filename=filename))
    first = text.split('\n', 1)[0]
    delimiter = ';' if first.count(';') > first.count(',') else ','
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if missing := [c for c in REQUIRED if c not in header]:
        raise ApplicationImportError(_msg('header_missing',
                filename=filename, missing=', '.join(missing)))
    rows = []
    for number, cells in enumerate(reader, 2):
        if not any(c.strip() for c in cells):
            continue
        rows.append((number, {column: (cells[i].strip()
                        if i < len(cells) else '')
                    for i, column in enumerate(header)
                    if column in COLUMNS}))
    return rows


class ApplicationImporter:
    """Import rows of the portal into submitted applications of the
    intakes of lycee"""

    def __init__(self, lycee):
        self.lycee = lycee

    def import_rows(self, rows):
        report = ImportReport(rows=len(rows))
        self._resolve_keys([values for _, values in rows])
        entries = []
        seen = set()
        for number, values in rows:
            entry = self._read_row(number, values, report)
            if entry is None:
                continue
            key = (entry['national_id'], entry['intake'].id)
            if key in seen or key in self._applied:
                report.refuse(number, 'national_id', _msg('duplicate'))
                continue
            seen.add(key)
            entries.append(entry)
        self._write(entries, report)
        return report

    def _resolve_keys(self, rows):
        "Read what the rows name, one query per model"
        pool = Pool()
        Identifier = pool.get('party.identifier')
        Programme = pool.get('bts.programme')
        Lycee = pool.get('bts.lycee')
        AcademicYear = pool.get('bts.academic_year')
        Intake = pool.get('bts.student.intake')
        Application = pool.get('bts.student.application')
        codes = {compact_matricule(v.get('national_id', '')) for v in rows}
        self._parties = {i.code_compact: i.party for i in Identifier.search([
                    ('type', '=', NATIONAL_ID),
                    ('code_compact', 'in', sorted(codes)),
                    ])}
        self._programmes = {p.code: p for p in Programme.search([
                    ('code', 'in', sorted({v.get('programme', '')
                                for v in rows})),
                    ])}
        self._lycees = {lycee.code: lycee for lycee in Lycee.search([
                    ('code', 'in', sorted({v.get('lycee', '')
                                for v in rows})),
                    ])}
        self._years = {y.name: y for y in AcademicYear.search([
                    ('name', 'in', sorted({v.get('academic_year', '')
                                for v in rows})),
                    ])}
        self._intakes = {
            (i.programme.id, i.lycee.id, i.academic_year.id): i
            for i in Intake.search([('lycee', '=', self.lycee.id)])}
        codes = {party.id: code for code, party in self._parties.items()}
        self._applied = {(codes[a.party.id], a.intake.id)
            for a in Application.search([
                    ('intake', 'in', [i.id for i in self._intakes.values()]),
                    ('party', 'in', list(codes)),
                    ])}

    def _read_row(self, number, values, report):
        "Return the entry of the row, or None with its refusals reported"
        refusals = len(report.refusals)

        def refuse(column, rule, article=NO_ARTICLE):
            report.refuse(number, column, rule, article)

        for column in REQUIRED:
            if not values.get(column):
                refuse(column, _msg('missing'))
        if len(report.refusals) > refusals:
            return
        code = compact_matricule(values['national_id'])
        if not is_valid_matricule(code):
            refuse('national_id', _msg('national_id'),
                f"art. 30(1) 1° of the {LAW}")
        keys = {}
        for column, found in [('programme', self._programmes),
                ('lycee', self._lycees), ('academic_year', self._years)]:
            keys[column] = found.get(values[column])
            if keys[column] is None:
                refuse(column, _msg('unknown', value=values[column]))
        if keys['lycee'] and keys['lycee'] != self.lycee:
            refuse('lycee', _msg('other_lycee', lycee=self.lycee.code))
        intake = None
        if all(keys.values()):
            intake = self._intakes.get(tuple(k.id for k in keys.values()))
            if intake is None and keys['lycee'] == self.lycee:
                refuse('programme', _msg('no_intake'))
        basis = values['access_basis']
        if basis not in dict(ACCESS_BASES):
            refuse('access_basis', _msg('access_basis',
                    bases=', '.join(dict(ACCESS_BASES))),
                f"art. 10 of the {LAW}")
        elif basis in DIPLOMA_BASES and not values.get('diploma'):
            refuse('diploma', _msg('diploma'), f"art. 10(1) of the {LAW}")
        booleans = {}
        for column in ['third_country', 'residence_authorisation',
                'health_insurance']:
            booleans[column] = BOOLEANS.get(values.get(column, '').lower())
            if booleans[column] is None:
                refuse(column, _msg('boolean'))
        vae_years = None
        if basis == 'vae':
            try:
                vae_years = Decimal(values.get('vae_years', '').replace(
                        ',', '.'))
            except InvalidOperation:
                vae_years = Decimal(-1)
            if not vae_years.is_finite() or vae_years < VAE_MIN_YEARS:
                refuse('vae_years', _msg('vae_years', minimum=VAE_MIN_YEARS),
                    f"art. 11(1) of the {LAW}")
        if booleans['third_country'] and not booleans[
                'residence_authorisation']:
            refuse('residence_authorisation', _msg('residence'),
                f"art. 10(4) of the {LAW}")
        if len(report.refusals) > refusals:
            return
        return dict(booleans, number=number, national_id=code,
            name=f"{values['first_name']} {values['last_name']}",
            reference=values['reference'], intake=intake,
            access_basis=basis, diploma=values.get('diploma') or None,
            vae_years=vae_years)

    def _write(self, entries, report):
        "Create the new persons, then the applications, in batches"
        pool = Pool()
        Party = pool.get('party.party')
        Application = pool.get('bts.student.application')
        new = sorted({e['national_id']: e for e in entries
                if e['national_id'] not in self._parties}.values(),
            key=lambda e: e['number'])
        for entry, party in zip(new, Party.create([{
                        'name': e['name'],
                        'identifiers': [('create', [{
                                        'type': NATIONAL_ID,
                                        'code': e['national_id']}])],
                        } for e in new]), strict=True):
            self._parties[entry['national_id']] = party
        applications = Application.create([{
                    'party': self._parties[e['national_id']].id,
                    'intake': e['intake'].id,
                    'reference': e['reference'],
                    'access_basis': e['access_basis'],
                    'diploma': e['diploma'],
                    'vae_years': e['vae_years'],
                    'third_country': e['third_country'],
                    'residence_authorisation': e['residence_authorisation'],
                    'health_insurance': e['health_insurance'],
                    } for e in entries])
        Application.submit(applications)
        report.applications = applications


class ImportStart(ModelView):
    "Import applications: the lycée and the file"
    __name__ = 'bts.student.application.import.start'
    __string__ = "Import Applications"
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True,
        help="The lycée whose intakes receive the applications.")
    file = fields.Binary(
        "File", required=True, filename='filename',
        help="The CSV export (UTF-8) of MyGuichet.lu with the columns "
        "reference, national_id, last_name, first_name, programme, lycee, "
        "academic_year, access_basis and optionally diploma, vae_years, "
        "third_country, residence_authorisation, health_insurance.")
    filename = fields.Char("File Name")

    @classmethod
    def default_lycee(cls):
        return Pool().get('res.user').get_lycee()


class ImportResult(ModelView):
    "Import applications: the report"
    __name__ = 'bts.student.application.import.result'
    __string__ = "Application Import Report"
    report = fields.Text("Report", readonly=True)
    applications = fields.Many2Many(
        'bts.student.application', None, None, "Applications",
        readonly=True)


class Import(Wizard):
    "Import the applications of the national portal from its CSV export"
    __name__ = 'bts.student.application.import'
    start = StateView('bts.student.application.import.start',
        'bts_student.application_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    result = StateView('bts.student.application.import.result',
        'bts_student.application_import_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        pool = Pool()
        User = pool.get('res.user')
        lycee = self.start.lycee
        if Transaction().user and lycee.id not in User.get_lycees():
            raise ApplicationImportError(_msg('lycee_forbidden'))
        rows = read_rows(self.start.file, self.start.filename)
        report = ApplicationImporter(lycee).import_rows(rows)
        self.result.report = report.text()
        self.result.applications = report.applications
        return 'result'

    def default_result(self, fields):
        return {
            'report': self.result.report,
            'applications': [a.id for a in self.result.applications],
            }
