# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The diploma (brevet de technicien supérieur, BTS) of a student, its
mention, the transcript (relevé de notes) and the diploma supplement
(supplément au diplôme), and the list of graduates the lycée sends to the
minister (law of 21 July 2023, arts. 14(3) and 26)."""
import datetime as dt
from decimal import ROUND_DOWN, Decimal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    Index,
    ModelSQL,
    ModelView,
    Unique,
    Workflow,
    fields,
)
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction

REGIMES = [
    ('law_2023', "Law of 21 July 2023"),
    ('rgd_2010', "Grand-Ducal Regulation of 2010"),
    ('rm_1997', "Ministerial Regulation of 1997"),
    ]
MENTIONS = [
    (None, ""),
    ('passable', "Pass"),
    ('satisfactory', "Satisfactory"),
    ('fairly_good', "Fairly Good"),
    ('good', "Good"),
    ('very_good', "Very Good"),
    ('excellent', "Excellent"),
    ]
# The BTS is delivered from this average of the module grades on.
PASS_MARK = Decimal(10)
# The mentions of each regime: (lower bound of the average, mention), highest
# first; None is a BTS without mention (art. 26(1) of the law of 21 July
# 2023; art. 14 of the regulation of 2010; art. 8.2 of the regulation of
# 1997).
MENTION_TABLES = {
    'law_2023': (
        (Decimal(18), 'excellent'), (Decimal(16), 'very_good'),
        (Decimal(14), 'good'), (Decimal(12), 'fairly_good'),
        (PASS_MARK, 'passable')),
    'rgd_2010': (
        (Decimal(18), 'excellent'), (Decimal(16), 'very_good'),
        (Decimal(14), 'good'), (Decimal(12), 'fairly_good'),
        (PASS_MARK, None)),
    'rm_1997': (
        (Decimal(17), 'very_good'), (Decimal(15), 'good'),
        (Decimal(12), 'fairly_good'), (PASS_MARK, 'satisfactory')),
    }
# Regimes under which an exemption (VAE, art. 11(2); re-admission,
# art. 13(5)) means a BTS without mention (art. 26(1) of the law of 2023).
NO_MENTION_WITH_EXEMPTION = {'law_2023'}
# The graduates of an academic year are reported by this day and month of
# the year it ends (art. 26(4)).
REPORT_MONTH, REPORT_DAY = 10, 15
AVERAGE_UNIT = Decimal('0.01')


class DiplomaError(UserError):
    pass


def mention(average, regime='law_2023', exempted=False):
    """Return the mention of average under regime, None for a BTS without
    mention; raise ValueError below the pass mark (no BTS)"""
    if average < PASS_MARK:
        raise ValueError(average)
    if exempted and regime in NO_MENTION_WITH_EXEMPTION:
        return None
    for bound, name in MENTION_TABLES[regime]:
        if average >= bound:
            return name


def truncate(average):
    """The average shown with two decimals, truncated so that it never
    shows a bound it does not reach (9.995 is not 10.00)"""
    return average.quantize(AVERAGE_UNIT, rounding=ROUND_DOWN)


class OneStepMixin:
    """A draft record that one button moves to its final state, given in
    _final_step as (state, button, icon)"""
    __slots__ = ()
    _final_step = None

    @classmethod
    def __setup__(cls):
        super().__setup__()
        state, button, icon = cls._final_step
        cls._transitions |= {('draft', state)}
        cls._buttons.update({
                button: {
                    'invisible': Eval('state') != 'draft',
                    'icon': icon,
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'


class Student(metaclass=PoolMeta):
    __name__ = 'bts.student'
    diplomas = fields.One2Many(
        'bts.student.diploma', 'student', "Diplomas", readonly=True)

    def plan_results(self):
        """Return per module of the plan its result and whether it is
        exempted (VAE, art. 11(2); re-admission, art. 13(5)): (module,
        module result or None, exempted)"""
        pool = Pool()
        ModuleResult = pool.get('bts.student.module_result')
        Exemption = pool.get('bts.student.exemption')
        results = {r.module: r for r in ModuleResult.search([
                    ('student', '=', self.id),
                    ])}
        exempted = {e.module for e in Exemption.search([
                    ('student', '=', self.id),
                    ])}
        exempted |= {m for m, r in results.items() if r.exempted}
        return [(m, results.get(m), m in exempted)
            for m in self.programme.modules]

    def transcript(self, date=None):
        """The lines of the transcript on date: per module of the plan its
        ECTS, grade and whether it gives its ECTS (art. 13(2)) or is
        exempted"""
        date = date or Pool().get('ir.date').today()
        return [{
                'module': module,
                'ects': module.ects,
                'grade': result.grade if result and not exempted else None,
                'validated': exempted or bool(
                    result and result.valid_on(date)),
                'exempted': exempted,
                } for module, result, exempted in self.plan_results()]


class Diploma(OneStepMixin, ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Diploma

    The brevet de technicien supérieur awarded when the total ECTS of the
    programme is validated, with its mention (art. 26(1)); a historical
    record keeps the regime of its time and its average."""
    __name__ = 'bts.student.diploma'
    __string__ = "Diploma"
    _final_step = ('awarded', 'award', 'tryton-ok')
    _states = {'readonly': Eval('state') != 'draft'}
    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='RESTRICT',
        states=_states)
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"),
        'on_change_with_programme')
    lycee = fields.Function(
        fields.Many2One('bts.lycee', "Lycée"), 'on_change_with_lycee',
        searcher='search_lycee')
    regime = fields.Selection(
        REGIMES, "Regime", required=True, states=_states,
        help="The texts the mention follows: the law of 2023, or for "
        "historical records the regulations of 2010 and 1997.")
    issue_date = fields.Date(
        "Issue Date", required=True, states=_states)
    average = fields.Numeric(
        "Average", digits=(16, 2), states={
            'readonly': (Eval('state') != 'draft')
            | (Eval('regime') == 'law_2023'),
            'required': Eval('regime') != 'law_2023',
            },
        help="The average of the module grades weighted by their ECTS; "
        "computed from the module results under the law of 2023, entered "
        "from the records under the older regimes.")
    ects = fields.Numeric("ECTS", digits=(16, 1), readonly=True)
    exempted = fields.Boolean(
        "With Exemptions", readonly=True,
        help="Modules exempted after a VAE (art. 11(2)) or a re-admission "
        "(art. 13(5)): the BTS is delivered without mention.")
    mention = fields.Selection(MENTIONS, "Mention", readonly=True)
    mention_string = mention.translated('mention')
    state = fields.Selection([
            ('draft', "Draft"),
            ('awarded', "Awarded"),
            ], "State", readonly=True, required=True, sort=False)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('student_unique', Unique(t, t.student),
                'bts_student.msg_diploma_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.issue_date, Index.Range())))
        cls._order.insert(0, ('issue_date', 'DESC'))

    @classmethod
    def default_regime(cls):
        return 'law_2023'

    @classmethod
    def default_issue_date(cls):
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return f'{self.student.rec_name} - {self.issue_date}'

    @fields.depends('student', '_parent_student.programme')
    def on_change_with_programme(self, name=None):
        return self.student.programme if self.student else None

    @fields.depends('student', '_parent_student.lycee')
    def on_change_with_lycee(self, name=None):
        return self.student.lycee if self.student else None

    @classmethod
    def search_lycee(cls, name, clause):
        return [('student.lycee',) + tuple(clause[1:])]

    def signatories(self):
        """The director(s) of the lycée(s) and the government commissioner
        sign the diploma (art. 26(2))"""
        programme = self.student.programme
        directors = [y.director for y in programme.lycees if y.director]
        return directors + [c for c in [programme.government_commissioner]
            if c]

    def compute(self):
        """Set the ECTS, the average and the exemptions from the results of
        the plan's modules; refuse a module neither validated nor
        exempted (art. 26(1))"""
        lines = self.student.transcript(self.issue_date)
        missing = [line['module'].rec_name for line in lines
            if not line['validated']]
        if missing:
            raise DiplomaError(gettext(
                    'bts_student.msg_diploma_modules_missing',
                    student=self.student.rec_name,
                    modules=', '.join(missing)))
        graded = [line for line in lines if not line['exempted']]
        weights = sum(line['ects'] for line in graded)
        self.ects = sum(line['ects'] for line in lines)
        self.exempted = len(graded) < len(lines)
        if weights:
            self.average = truncate(sum(
                    line['grade'] * line['ects'] for line in graded)
                / weights)
        else:
            self.average = None

    def set_mention(self):
        "Set the mention of the average; refuse below the pass mark"
        if self.average is None:
            raise DiplomaError(gettext(
                    'bts_student.msg_diploma_no_average',
                    student=self.student.rec_name))
        try:
            self.mention = mention(self.average, self.regime, self.exempted)
        except ValueError:
            raise DiplomaError(gettext(
                    'bts_student.msg_diploma_below_pass_mark',
                    student=self.student.rec_name, average=self.average,
                    pass_mark=PASS_MARK))

    @classmethod
    @ModelView.button
    @Workflow.transition('awarded')
    def award(cls, diplomas):
        """Award the BTS: the student graduates on the issue date"""
        Student = Pool().get('bts.student')
        for diploma in diplomas:
            if diploma.student.state != 'enrolled':
                raise DiplomaError(gettext(
                        'bts_student.msg_diploma_student_state',
                        student=diploma.student.rec_name,
                        state=diploma.student.state))
            if diploma.regime == 'law_2023':
                diploma.compute()
            diploma.set_mention()
        cls.save(diplomas)
        students = []
        for diploma in diplomas:
            diploma.student.graduation_date = diploma.issue_date
            students.append(diploma.student)
        Student.save(students)
        Student.graduate(students)


class GraduateList(
        OneStepMixin, ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Graduate List

    The graduates of an academic year a lycée sends to the minister for the
    registre des titres de formation by 15 October (art. 26(4))."""
    __name__ = 'bts.student.graduate_list'
    __string__ = "Graduate List"
    _final_step = ('sent', 'send', 'tryton-forward')
    _states = {'readonly': Eval('state') != 'draft'}
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='RESTRICT',
        states=_states)
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT', states=_states)
    due_date = fields.Function(
        fields.Date("Due Date"), 'on_change_with_due_date')
    sent_date = fields.Date("Sent", readonly=True)
    late = fields.Function(fields.Boolean("Late"), 'get_late')
    diplomas = fields.Function(
        fields.Many2Many('bts.student.diploma', None, None, "Graduates"),
        'get_diplomas')
    state = fields.Selection([
            ('draft', "Draft"),
            ('sent', "Sent"),
            ], "State", readonly=True, required=True, sort=False)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('lycee_year_unique', Unique(t, t.lycee, t.academic_year),
                'bts_student.msg_graduate_list_unique'),
            ]
        cls._order.insert(0, ('academic_year', 'DESC'))

    def get_rec_name(self, name):
        return f'{self.lycee.rec_name} - {self.academic_year.rec_name}'

    @fields.depends('academic_year')
    def on_change_with_due_date(self, name=None):
        "15 October of the year the academic year ends"
        if self.academic_year and self.academic_year.end_date:
            return dt.date(self.academic_year.end_date.year,
                REPORT_MONTH, REPORT_DAY)

    def get_late(self, name):
        """Sent after the due date, or not sent and the due date is
        past"""
        if not self.due_date:
            return False
        sent = self.sent_date or Pool().get('ir.date').today()
        return sent > self.due_date

    def get_diplomas(self, name):
        "The diplomas awarded by the lycée in the academic year"
        Diploma = Pool().get('bts.student.diploma')
        return [d.id for d in Diploma.search([
                    ('student.lycee', '=', self.lycee.id),
                    ('state', '=', 'awarded'),
                    ('issue_date', '>=', self.academic_year.start_date),
                    ('issue_date', '<=', self.academic_year.end_date),
                    ], order=[('student.party.name', 'ASC')])]

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, lists):
        Date = Pool().get('ir.date')
        for list_ in lists:
            list_.sent_date = Date.today()
        cls.save(lists)


class TranscriptReport(Report):
    "Relevé de notes: the grades and ECTS validated, signed by the director"
    __name__ = 'bts.student.transcript'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['today'] = Pool().get('ir.date').today()
        context['format_grade'] = cls.format_grade
        context['format_number'] = cls.format_number
        context['language_names'] = cls.language_names
        return context

    @classmethod
    def format_grade(cls, value):
        "A grade with two decimals in the user's language"
        return cls.format_number(value, 2)

    @classmethod
    def format_number(cls, value, digits=1):
        Lang = Pool().get('ir.lang')
        lang = Lang.get(Transaction().language)
        return lang.format(f'%.{digits}f', value) if value is not None else ''

    @classmethod
    def language_names(cls, programme):
        "The teaching languages of programme in the user's language"
        Programme = Pool().get('bts.programme')
        names = dict(Programme.fields_get(['languages'])['languages'][
                'selection'])
        return ', '.join(names[c] for c in programme.languages or ())


class SupplementReport(TranscriptReport):
    "Supplément au diplôme (art. 26(3))"
    __name__ = 'bts.student.diploma.supplement'


class GraduateListReport(TranscriptReport):
    "The graduates sent to the minister (art. 26(4))"
    __name__ = 'bts.student.graduate_list.report'
