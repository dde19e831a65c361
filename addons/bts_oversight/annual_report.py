# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The lycée's annual report per accredited programme (rapport annuel, law
of 21 July 2023, art. 64): due by 31 December on the academic year that
ended on 14 September; the teaching body from the contracts, the declared
lessons and the teachers of the programme, the students from bts_student
when it is activated (tryton.cfg: [register bts_student]), and the forecast
of student numbers to the end of the accreditation."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.bts_programme.caps import counted_lessons
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction

from .simulation import SpreadsheetReport, sheets_xlsx

# The declarations whose lessons count as delivered: approved for payment
# or paid.
DELIVERED_STATES = ('approved', 'paid')
STATUSES = [
    ('due', "Due"),
    ('sent', "Sent"),
    ('late', "Late"),
    ]
TEACHING_FIGURES = ['teachers', 'external_providers', 'planned_lessons',
    'external_lessons', 'specialised_lessons', 'teacher_lessons',
    'external_share']


def selection_labels(Model, name):
    "The labels of the values of the selection field name of Model"
    return dict(Model.fields_get([name])[name]['selection'])


def percent(part, whole):
    "part of whole in per cent with one decimal, none of nothing"
    if whole:
        return (Decimal(part) * 100 / whole).quantize(Decimal('0.1'))


class AnnualReport(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Annual report of a lycée on an accredited programme for the academic
    year that ended on 14 September, due by 31 December (art. 64)"""
    __name__ = 'bts.oversight.annual_report'
    __string__ = "Annual Report"
    _states = {'readonly': Eval('state') != 'draft'}
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, ondelete='RESTRICT',
        states=_states)
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='RESTRICT',
        domain=[('programmes', '=', Eval('programme', -1))], states=_states)
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT', states=_states,
        help="The academic year reported on, ended on 14 September.")
    due_date = fields.Function(
        fields.Date("Due Date"), 'on_change_with_due_date')
    sent_date = fields.Date("Sent on", readonly=True)
    status = fields.Function(
        fields.Selection(STATUSES, "Status"), 'get_status',
        searcher='search_status')
    problems = fields.Text(
        "Problems Met", states=_states,
        help="The problems met during the academic year (art. 64 4°).")
    forecasts = fields.One2Many(
        'bts.oversight.annual_report.forecast', 'report',
        "Student Forecast", states=_states,
        help="The students expected in each academic year to the end of "
        "the accreditation.")
    teachers = fields.Function(
        fields.Integer("Lycée Teachers"), 'get_teaching_figures')
    external_providers = fields.Function(
        fields.Integer("External Providers",
            help="External and specialised lecturers with a counted "
            "contract at the lycée."), 'get_teaching_figures')
    planned_lessons = fields.Function(
        fields.Integer("Planned Lessons at the Lycée",
            help="Of the courses at the lycée of the study years that ran, "
            "internships excluded."), 'get_teaching_figures')
    external_lessons = fields.Function(
        fields.Integer("Lessons by External Lecturers",
            help="Declared and approved or paid."), 'get_teaching_figures')
    specialised_lessons = fields.Function(
        fields.Integer("Lessons by Specialised Lecturers",
            help="Declared and approved or paid."), 'get_teaching_figures')
    teacher_lessons = fields.Function(
        fields.Integer("Lessons by Lycée Teachers",
            help="The planned lessons not given by external providers: "
            "teachers declare no lessons, their BTS work is part of their "
            "task."), 'get_teaching_figures')
    external_share = fields.Function(
        fields.Numeric("External Share (%)", digits=(16, 1)),
        'get_teaching_figures')
    state = fields.Selection([
            ('draft', "Draft"),
            ('sent', "Sent"),
            ], "State", readonly=True, required=True)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('report_unique', Unique(
                    t, t.programme, t.lycee, t.academic_year),
                'bts_oversight.msg_annual_report_unique'),
            ]
        cls._order = [('academic_year', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'sent'), ('sent', 'draft')}
        cls._buttons.update({
                'send': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'sent',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return (f'{self.programme.rec_name} {self.lycee.rec_name} '
            f'{self.academic_year.rec_name}')

    @fields.depends('academic_year')
    def on_change_with_due_date(self, name=None):
        "31 December of the year the academic year ends (art. 64)"
        if self.academic_year:
            return dt.date(self.academic_year.end_date.year, 12, 31)

    def get_status(self, name):
        """Sent once sent; late from 1 January after the due date; due
        before"""
        Date = Pool().get('ir.date')
        if self.state == 'sent':
            return 'sent'
        return 'late' if Date.today() > self.due_date else 'due'

    @classmethod
    def search_status(cls, name, clause):
        "The status of the domain: by state and due date (31 December)"
        Date = Pool().get('ir.date')
        _, operator, value = clause
        values = value if operator in {'in', 'not in'} else [value]
        # The last academic year whose report is not yet late ends in
        # the year before today's unless today is before 1 January.
        today = Date.today()
        domains = {
            'sent': [('state', '=', 'sent')],
            'due': [('state', '=', 'draft'),
                ('academic_year.end_date', '>=', dt.date(today.year, 1, 1))],
            'late': [('state', '=', 'draft'),
                ('academic_year.end_date', '<', dt.date(today.year, 1, 1))],
            }
        domain = ['OR'] + [domains[v] for v in values if v in domains]
        if operator in {'!=', 'not in'}:
            return ['NOT', domain]
        return domain

    @classmethod
    def get_teaching_figures(cls, reports, names):
        result = {n: {} for n in names}
        for report in reports:
            figures = report.teaching_figures()
            for name in names:
                result[name][report.id] = figures[name]
        return result

    def delivered_lessons(self):
        """The lessons of the approved or paid declarations of the
        programme at the lycée in the academic year per provider and role:
        {(party, role): lessons}, in one aggregate"""
        pool = Pool()
        declaration = pool.get('bts.declaration').__table__()
        line = pool.get('bts.declaration.line').__table__()
        contract = pool.get('bts.contract').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(declaration,
                condition=line.declaration == declaration.id
                ).join(contract,
                condition=declaration.contract == contract.id
                ).select(contract.party, contract.role, Sum(line.quantity),
                where=(contract.programme == self.programme.id)
                & (declaration.lycee == self.lycee.id)
                & (line.academic_year == self.academic_year.id)
                & (declaration.kind == 'lessons')
                & declaration.state.in_(DELIVERED_STATES),
                group_by=[contract.party, contract.role]))
        return {(party, role): counted_lessons(quantity)
            for party, role, quantity in cursor}

    def teaching_body(self):
        """The teaching body's rows of the programme in the academic year:
        its teachers and the providers with a contract at the lycée"""
        TeachingBody = Pool().get('bts.teaching_body')
        return TeachingBody.search([
                ('programme', '=', self.programme.id),
                ('academic_year', '=', self.academic_year.id),
                ['OR',
                    ('role', '=', 'teacher'),
                    [('role', 'in', ['external', 'specialised']),
                        ('lycee', '=', self.lycee.id)],
                    ],
                ], order=[('role', 'ASC'), ('party', 'ASC')])

    def teaching_figures(self):
        """The teaching body's figures of art. 64: teachers, external
        providers, the lessons each group delivered and the external
        share of the planned lessons at the lycée"""
        rows = self.teaching_body()
        delivered = defaultdict(int)
        for (_, role), lessons in self.delivered_lessons().items():
            delivered[role] += lessons
        study_years, _ = self.programme.running_study_years(
            self.academic_year)
        planned = self.programme.lycee_lessons(study_years)
        external = delivered['external'] + delivered['specialised']
        return {
            'teachers': len({r.party for r in rows if r.role == 'teacher'}),
            'external_providers': len(
                {r.party for r in rows if r.role != 'teacher'}),
            'planned_lessons': planned,
            'external_lessons': delivered['external'],
            'specialised_lessons': delivered['specialised'],
            'teacher_lessons': max(planned - external, 0),
            'external_share': percent(external, planned),
            }

    def member_rows(self):
        """Each member of the teaching body: person, role, CLQ levels of
        the qualifications linked to the contract lines, rate categories,
        lessons under contract and delivered"""
        pool = Pool()
        roles = selection_labels(pool.get('bts.teaching_body'), 'role')
        levels = selection_labels(pool.get('bts.qualification'), 'clq_level')
        kinds = selection_labels(pool.get('bts.contract.line'), 'rate_kind')
        delivered = self.delivered_lessons()
        rows = []
        for row in self.teaching_body():
            lines = row.contract.lines if row.contract else []
            line_levels = sorted({levels[line_.qualification.clq_level]
                    for line_ in lines
                    if line_.qualification and line_.qualification.clq_level})
            line_kinds = sorted({kinds[line_.rate_kind] for line_ in lines
                    if line_.rate_kind})
            rows.append([row.party.rec_name, roles[row.role],
                    ', '.join(line_levels), ', '.join(line_kinds),
                    sum(line_.quantity for line_ in lines) if lines else None,
                    delivered.get((row.party.id, row.role))])
        return rows

    def student_figures(self):
        "The students' figures: none without the students module"
        return {}

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, reports):
        Date = Pool().get('ir.date')
        cls.write(reports, {'sent_date': Date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, reports):
        cls.write(reports, {'sent_date': None})


class AnnualReportForecast(ClientGuardMixin, ModelSQL, ModelView):
    "The students expected in an academic year (art. 64 6°)"
    __name__ = 'bts.oversight.annual_report.forecast'
    __string__ = "Student Forecast"
    _guard_parent = ('report', 'forecasts')
    report = fields.Many2One(
        'bts.oversight.annual_report', "Annual Report", required=True,
        ondelete='CASCADE')
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT')
    students = fields.Integer(
        "Students", required=True, domain=[('students', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('report')
        cls._order.insert(0, ('academic_year', 'ASC'))


class AnnualReportStudent(metaclass=PoolMeta):
    "The students' part of the annual report, from bts_student"
    __name__ = 'bts.oversight.annual_report'

    def student_figures(self):
        """Headcounts of the effective enrolments of the academic year, full-
        and part-time; admitted: of them, the students whose intake it is;
        graduated, excluded and withdrawn (drop-out): of them, the students
        in that state; the rates of the headcount"""
        pool = Pool()
        Enrolment = pool.get('bts.student.enrolment')
        enrolments = Enrolment.search([
                ('student.programme', '=', self.programme.id),
                ('student.lycee', '=', self.lycee.id),
                ('academic_year', '=', self.academic_year.id),
                ('state', '=', 'effective'),
                ])
        students = {e.student for e in enrolments}
        states = defaultdict(int)
        for student in students:
            states[student.state] += 1
        headcount = len(students)
        dropped = states['excluded'] + states['withdrawn']
        return {
            'headcount': headcount,
            'full_time': sum(1 for e in enrolments
                if e.time_status == 'full_time'),
            'part_time': sum(1 for e in enrolments
                if e.time_status == 'part_time'),
            'admitted': sum(1 for s in students
                if s.intake == self.academic_year),
            'graduated': states['graduated'],
            'excluded': states['excluded'],
            'withdrawn': states['withdrawn'],
            'success_rate': percent(states['graduated'], headcount),
            'drop_out_rate': percent(dropped, headcount),
            }


def student_labels():
    "The labels of the students' figures, in the user's language"
    return {
        'headcount': gettext('bts_oversight.msg_students_headcount'),
        'full_time': gettext('bts_oversight.msg_students_full_time'),
        'part_time': gettext('bts_oversight.msg_students_part_time'),
        'admitted': gettext('bts_oversight.msg_students_admitted'),
        'graduated': gettext('bts_oversight.msg_students_graduated'),
        'excluded': gettext('bts_oversight.msg_students_excluded'),
        'withdrawn': gettext('bts_oversight.msg_students_withdrawn'),
        'success_rate': gettext('bts_oversight.msg_students_success_rate'),
        'drop_out_rate': gettext('bts_oversight.msg_students_drop_out_rate'),
        }


class AnnualReportDocument(Report):
    "The annual report as an ODT document"
    __name__ = 'bts.oversight.annual_report'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['student_labels'] = student_labels()
        return context


class AnnualReportSpreadsheet(SpreadsheetReport):
    "The annual report's figures as a spreadsheet"
    __name__ = 'bts.oversight.annual_report.xlsx'

    @classmethod
    def spreadsheet(cls, record):
        return annual_report_xlsx(record)


def annual_report_xlsx(report):
    """Return the XLSX of report: the teaching body's figures, its members,
    the students' figures and the forecast"""
    Report = Pool().get('bts.oversight.annual_report')
    Forecast = Pool().get('bts.oversight.annual_report.forecast')
    figure_fields = Report.fields_get(TEACHING_FIGURES)
    figures = report.teaching_figures()
    value_label = gettext('bts_oversight.msg_value')
    teaching = [[figure_fields[n]['string'], figures[n]]
        for n in TEACHING_FIGURES]
    labels = student_labels()
    students = [[labels[n], v] for n, v in report.student_figures().items()]
    forecast_fields = Forecast.fields_get(['academic_year', 'students'])
    return sheets_xlsx([
            (gettext('bts_oversight.msg_sheet_teaching_body'),
                [gettext('bts_oversight.msg_figure'), value_label], teaching),
            (gettext('bts_oversight.msg_sheet_members'), [
                    gettext('bts_oversight.msg_member_person'),
                    gettext('bts_oversight.msg_member_role'),
                    gettext('bts_oversight.msg_member_clq'),
                    gettext('bts_oversight.msg_member_rate'),
                    gettext('bts_oversight.msg_member_contracted'),
                    gettext('bts_oversight.msg_member_delivered'),
                    ], report.member_rows()),
            (gettext('bts_oversight.msg_sheet_students'),
                [gettext('bts_oversight.msg_figure'), value_label],
                students),
            (gettext('bts_oversight.msg_sheet_forecast'),
                [forecast_fields['academic_year']['string'],
                    forecast_fields['students']['string']],
                [[f.academic_year.rec_name, f.students]
                    for f in report.forecasts]),
            ])
