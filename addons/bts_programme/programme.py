# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin,
    ModelSQL,
    ModelView,
    Unique,
    Workflow,
    fields,
)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .academic_year import add_months, window_end
from .exceptions import AccreditationError, StudyPlanError
from .guard import ClientGuardMixin
from .party import NAME_SIZE

# Law of 21 July 2023, art. 41(1): valid for five academic years, in force
# from 15 September of the year of the decision.
ACCREDITATION_YEARS = 5
ACCREDITED_STATES = {'accredited', 'conditional'}
# Art. 41(2): after a refused re-accreditation the programme stays
# accredited three whole academic years for the students already enrolled,
# without new admissions.
TEACH_OUT_YEARS = 3
STUDY_YEARS = ('1', '2')
ECTS_UNIT = Decimal('0.1')
# The characters of a code of a programme, a module or a course
CODE_SIZE = 30
MODULE_KINDS = ('lycee', 'internship', 'tfe')


def _share(value, total):
    "Return value as a percentage of total"
    if total:
        return (value * 100 / total).quantize(ECTS_UNIT)


class Programme(
        ClientGuardMixin, DeactivableMixin, Workflow, ModelSQL, ModelView):
    """Programme d'études menant au BTS: a programme offered by one lycée or
    jointly by several (law of 21 July 2023, art. 3(2)), accredited by the
    minister for five academic years (arts. 35-43)."""
    __name__ = 'bts.programme'
    __string__ = "Programme"
    _guard_deletable = {'requested'}
    code = fields.Char("Code", required=True, strip=True, size=CODE_SIZE)
    name = fields.Char("Name", required=True, size=NAME_SIZE)
    speciality = fields.Char(
        "Speciality", help="The professional speciality (art. 3(1)).")
    lycees = fields.Many2Many(
        'bts.programme-bts.lycee', 'programme', 'lycee', "Lycées",
        required=True,
        help="The lycée offering the programme, or all the lycées of a joint "
        "programme (art. 3(2)).")
    joint = fields.Function(fields.Boolean("Joint"), 'get_joint')
    form = fields.Selection([
            ('standard', "Standard"),
            ('alternance', "Alternance"),
            ], "Form", required=True,
        help="Alternance derogates from the ECTS shares (art. 4(2) al. 2).")
    languages = fields.MultiSelection([
            ('lb', "Luxembourgish"),
            ('fr', "French"),
            ('de', "German"),
            ('en', "English"),
            ('pt', "Portuguese"),
            ], "Teaching Languages", sort=False)
    coordinator = fields.Many2One(
        'party.party', "Coordinator", ondelete='RESTRICT')
    government_commissioner = fields.Many2One(
        'party.party', "Government Commissioner", ondelete='RESTRICT')
    modules = fields.One2Many(
        'bts.programme.module', 'programme', "Modules")

    state = fields.Selection([
            ('requested', "Requested"),
            ('admissible', "Admissible"),
            ('accredited', "Accredited"),
            ('conditional', "Conditionally Re-accredited"),
            ('expired', "Expired"),
            ('withdrawn', "Withdrawn"),
            ], "Accreditation State", readonly=True, required=True,
        sort=False)
    state_string = state.translated('state')
    accreditation_kind = fields.Selection([
            ('initial', "Initial Accreditation"),
            ('renewal', "Re-accreditation"),
            ], "Accreditation Kind", required=True,
        states={'readonly': Eval('state') != 'requested'})
    legal_basis = fields.Selection([
            ('law_2023', "Law of 21 July 2023"),
            ('law_2009', "Law of 19 June 2009 (transitional, art. 73)"),
            ], "Legal Basis", required=True)
    request_date = fields.Date(
        "Admissibility Request Date",
        help="The date the admissibility request was filed (art. 38(1)).")
    admissibility_date = fields.Date(
        "Admissibility Notification Date",
        states={
            'required': ~Eval('state').in_(['requested']),
            },
        help="Starts the 24 months of the coordinator and the curriculum "
        "group of an initial accreditation (art. 5(1)).")
    decision_date = fields.Date(
        "Accreditation Decision Date",
        domain=[If(Bool(Eval('decision_date')) & Bool(Eval('request_date'))
                # A requested re-accreditation keeps the previous decision
                & ~Eval('state').in_(['requested', 'admissible']),
                ('decision_date', '>=', Eval('request_date')), ())],
        states={
            'required': Eval('state').in_(
                ['accredited', 'conditional', 'expired']),
            })
    decision_reference = fields.Char("Decision Reference")
    refusal_date = fields.Date(
        "Re-accreditation Refusal Date",
        domain=[If(Bool(Eval('refusal_date')) & Bool(Eval('request_date')),
                ('refusal_date', '>=', Eval('request_date')), ())],
        states={
            'invisible': Eval('accreditation_kind') != 'renewal',
            'readonly': ~Eval('state').in_(['requested', 'admissible']),
            },
        help="The minister's refusal of the re-accreditation (art. 40(1)): "
        "the students enrolled at that date finish their studies during the "
        "next three academic years, no new student is admitted "
        "(art. 41(2)).")
    valid_from = fields.Function(
        fields.Date("Valid From"), 'get_validity')
    valid_until = fields.Function(
        fields.Date("Valid Until"), 'get_validity')

    total_ects = fields.Function(
        fields.Numeric("Total ECTS", digits=(16, 1)), 'get_plan_figures')
    lycee_ects = fields.Function(
        fields.Numeric("Lycée ECTS", digits=(16, 1)), 'get_plan_figures')
    internship_ects = fields.Function(
        fields.Numeric("Internship ECTS", digits=(16, 1)),
        'get_plan_figures')
    lycee_share = fields.Function(
        fields.Numeric("Lycée Share (%)", digits=(16, 1)), 'get_plan_figures')
    internship_share = fields.Function(
        fields.Numeric("Internship Share (%)", digits=(16, 1)),
        'get_plan_figures')
    internship_hours = fields.Function(
        fields.Integer("Internship Hours"), 'get_plan_figures')
    planned_lessons = fields.Function(
        fields.Integer(
            "Planned Lessons at the Lycée",
            help="Lessons of the courses taught at the lycée; internships "
            "are excluded."),
        'get_plan_figures')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'bts_programme.msg_programme_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))
        cls._transitions |= {
            ('requested', 'admissible'),
            ('admissible', 'accredited'),
            ('admissible', 'conditional'),
            ('conditional', 'accredited'),
            ('conditional', 'withdrawn'),
            ('accredited', 'expired'),
            ('accredited', 'withdrawn'),
            ('accredited', 'requested'),
            ('expired', 'requested'),
            }
        cls._buttons.update({
                'declare_admissible': {
                    'invisible': Eval('state') != 'requested',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'accredit': {
                    'invisible': ~Eval('state').in_(
                        ['admissible', 'conditional']),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'accredit_with_conditions': {
                    'invisible': (
                        (Eval('state') != 'admissible')
                        | (Eval('accreditation_kind') != 'renewal')),
                    'icon': 'tryton-ok',
                    'depends': ['state', 'accreditation_kind'],
                    },
                'expire': {
                    'invisible': Eval('state') != 'accredited',
                    'icon': 'tryton-archive',
                    'depends': ['state'],
                    },
                'withdraw': {
                    'invisible': ~Eval('state').in_(
                        ['accredited', 'conditional']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'request_renewal': {
                    'invisible': ~Eval('state').in_(
                        ['accredited', 'expired']),
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'requested'

    @classmethod
    def default_form(cls):
        return 'standard'

    @classmethod
    def default_accreditation_kind(cls):
        return 'initial'

    @classmethod
    def default_legal_basis(cls):
        return 'law_2023'

    def get_rec_name(self, name):
        return f'{self.code} - {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('code', operator, value),
            ('name', operator, value),
            ]

    def get_joint(self, name):
        return len(self.lycees) > 1

    @classmethod
    def get_validity(cls, programmes, names):
        "Art. 41(1): from 15 September of the decision year, five years"
        result = {n: {} for n in names}
        for programme in programmes:
            valid_from = valid_until = None
            if programme.decision_date:
                year = programme.decision_date.year
                valid_from = dt.date(year, 9, 15)
                valid_until = window_end(
                    valid_from, 12 * ACCREDITATION_YEARS)
            if 'valid_from' in result:
                result['valid_from'][programme.id] = valid_from
            if 'valid_until' in result:
                result['valid_until'][programme.id] = valid_until
        return result

    def accreditation_period(self):
        """Return the first and last day of the accreditation decided for
        the programme (art. 41(1)), or None when none was decided: the
        decision of an accredited, conditionally re-accredited or expired
        programme, or the previous decision of a programme whose
        re-accreditation is requested, which runs until its term"""
        if not self.decision_date or self.state == 'withdrawn':
            return None
        if (self.state in ACCREDITED_STATES | {'expired'}
                or self.accreditation_kind == 'renewal'):
            return self.valid_from, self.valid_until
        return None

    def teach_out_period(self):
        """Return the first and last day of the three academic years after
        a refused re-accreditation (art. 41(2)), or None"""
        if not self.refusal_date or self.accreditation_kind != 'renewal':
            return None
        start = dt.date(self.refusal_date.year, 9, 15)
        if start <= self.refusal_date:
            start = add_months(start, 12)
        return start, window_end(start, 12 * TEACH_OUT_YEARS)

    # The fields running_study_years reads
    RUNNING_FIELDS = ['state', 'decision_date', 'accreditation_kind',
        'refusal_date', 'valid_from', 'valid_until']

    def running_study_years(self, academic_year):
        """Return the study years of the plan that run in academic_year and
        the message saying why the others do not; no study year and the
        message saying why when the programme may not run then.

        - Accredited (art. 35, 41(1)): from 15 September of the decision's
          year, five academic years, both study years; the first academic
          year of an initial accreditation opens the first study year only.
        - Teach-out (art. 41(2)): after a refused re-accreditation, beyond
          the accreditation's term, three academic years in which the
          students already enrolled finish and no new student is admitted:
          the second study year only.
        - Requested, admissible (initial), withdrawn, or outside these
          academic years: nothing runs."""
        start = academic_year.start_date
        if self.state == 'withdrawn':
            return (), 'msg_programme_withdrawn'
        period = self.accreditation_period()
        if period and period[0] <= start <= period[1]:
            if (self.accreditation_kind == 'initial'
                    and start == period[0]):
                return ('1',), 'msg_programme_first_year'
            return STUDY_YEARS, None
        teach_out = self.teach_out_period()
        if teach_out and teach_out[0] <= start <= teach_out[1]:
            return ('2',), 'msg_programme_teach_out'
        if period or teach_out:
            return (), 'msg_programme_not_running'
        return (), 'msg_programme_not_accredited'

    def check_running(self, when, courses=None):
        """Return the study years of the accredited plan that run in the
        academic year of when (a date or a bts.academic_year), or raise an
        AccreditationError: a programme is offered only while accredited
        (law of 21 July 2023, art. 35, 41); courses, if given, must belong
        to the study years that run then.

        The one gate of contracts, bodies, declarations and payments on a
        programme."""
        pool = Pool()
        AcademicYear = pool.get('bts.academic_year')
        Module = pool.get('bts.programme.module')
        if isinstance(when, dt.date):
            year = AcademicYear.find(when)
        else:
            year = when
        study_years, reason = self.running_study_years(year)
        if not study_years:
            # The academic years it may run: its accreditation, then the
            # teach-out of a refused re-accreditation
            periods = [p for p in [self.accreditation_period(),
                    self.teach_out_period()] if p] or [('', '')]
            raise AccreditationError(gettext(
                    f'bts_programme.{reason}',
                    programme=self.rec_name, year=year.rec_name,
                    state=self.state_string,
                    valid_from=periods[0][0], valid_until=periods[-1][1]))
        for course in courses or ():
            if course.module.year_of_study not in study_years:
                names = dict(Module.fields_get(
                        ['year_of_study'])['year_of_study']['selection'])
                raise AccreditationError(gettext(
                        'bts_programme.msg_programme_course_not_running',
                        course=course.rec_name, programme=self.rec_name,
                        study_year=names[course.module.year_of_study],
                        year=year.rec_name,
                        reason=gettext(f'bts_programme.{reason}',
                            date=self.refusal_date)))
        return study_years

    def lycee_lessons(self, study_years):
        """Return the planned lessons of the plan's courses organised at the
        lycée (internships and final project excluded) in study_years"""
        lessons = self.lycee_lessons_per_year([self])
        return sum(lessons[self.id, year] for year in study_years)

    @classmethod
    def lycee_lessons_per_year(cls, programmes):
        """Return the planned lessons of the courses organised at the lycée
        per programme id and study year, {(programme id, study year):
        lessons}: one grouped query for a list"""
        pool = Pool()
        Module = pool.get('bts.programme.module')
        Course = pool.get('bts.programme.course')
        module, course = Module.__table__(), Course.__table__()
        lessons = defaultdict(int)
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice([p.id for p in programmes],
                backend.MAX_QUERY_PARAMS):
            cursor.execute(*module.join(course,
                    condition=course.module == module.id
                    ).select(module.programme, module.year_of_study,
                    Sum(course.planned_lessons),
                    where=reduce_ids(module.programme, sub_ids)
                    & (module.kind == 'lycee'),
                    group_by=[module.programme, module.year_of_study]))
            for programme, year, quantity in cursor:
                lessons[programme, year] += int(quantity or 0)
        return lessons

    @classmethod
    def get_plan_figures(cls, programmes, names):
        figures = cls.plan_figures(programmes)
        return {n: {p.id: figures[p.id][n] for p in programmes}
            for n in names}

    @classmethod
    def plan_figures(cls, programmes):
        """Return per programme id the figures of the study plan that the
        law constrains, summed in SQL for list views"""
        pool = Pool()
        Module = pool.get('bts.programme.module')
        Course = pool.get('bts.programme.course')
        module, course = Module.__table__(), Course.__table__()
        cursor = Transaction().connection.cursor()
        sums = defaultdict(lambda: defaultdict(Decimal))
        for sub_ids in grouped_slice([p.id for p in programmes],
                backend.MAX_QUERY_PARAMS):
            sub_ids = list(sub_ids)
            cursor.execute(*module.join(course,
                    condition=course.module == module.id
                    ).select(
                    module.programme, module.kind,
                    Sum(course.ects), Sum(course.planned_lessons),
                    where=reduce_ids(module.programme, sub_ids),
                    group_by=[module.programme, module.kind]))
            for programme, kind, ects, lessons in cursor:
                sums[programme][kind] += Decimal(str(ects or 0))
                sums[programme][f'{kind}_lessons'] += lessons or 0
            cursor.execute(*module.select(
                    module.programme, Sum(module.internship_hours),
                    where=reduce_ids(module.programme, sub_ids)
                    & (module.kind == 'internship'),
                    group_by=[module.programme]))
            for programme, hours in cursor:
                sums[programme]['hours'] = hours or 0
        result = {}
        for programme in programmes:
            values = sums[programme.id]
            total = sum(values[k] for k in MODULE_KINDS).quantize(ECTS_UNIT)
            result[programme.id] = {
                'total_ects': total,
                'lycee_ects': values['lycee'].quantize(ECTS_UNIT),
                'internship_ects': values['internship'].quantize(ECTS_UNIT),
                'lycee_share': _share(values['lycee'], total),
                'internship_share': _share(values['internship'], total),
                'internship_hours': int(values['hours']),
                'planned_lessons': int(values['lycee_lessons']),
                }
        return result

    def study_plan_errors(self):
        """Return the messages of every rule of the law of 2023 that the study
        plan breaks (arts. 3(1), 4(1), 4(2), 7(1))"""
        Module = Pool().get('bts.programme.module')
        errors = Module.ects_errors([self])
        figures = self.plan_figures([self])[self.id]
        total = figures['total_ects']
        if not (120 <= total <= 135):
            errors.append(gettext(
                    'bts_programme.msg_programme_ects_range', total=total))
        if self.form == 'alternance':
            minima = {'lycee': 45, 'internship': 45}
            article = gettext('bts_programme.msg_article_4_2_2')
        else:
            minima = {'lycee': 60, 'internship': 15}
            article = gettext('bts_programme.msg_article_4_2_1')
        for kind, minimum in minima.items():
            value = figures[f'{kind}_ects']
            if value * 100 < minimum * total:
                errors.append(gettext(
                        f'bts_programme.msg_{kind}_share_minimum',
                        ects=value, total=total,
                        share=figures[f'{kind}_share'] or 0,
                        minimum=minimum, article=article))
        if figures['internship_hours'] < 228:
            errors.append(gettext(
                    'bts_programme.msg_internship_hours_minimum',
                    hours=figures['internship_hours']))
        if not any(m.kind == 'tfe' for m in self.modules):
            errors.append(gettext('bts_programme.msg_tfe_missing'))
        return errors

    @classmethod
    def check_study_plan(cls, programmes):
        "Raise an error listing the broken rules of the study plans"
        for programme in programmes:
            if errors := programme.study_plan_errors():
                raise StudyPlanError(gettext(
                        'bts_programme.msg_study_plan_invalid',
                        programme=programme.rec_name,
                        errors='\n'.join(f'- {e}' for e in errors)))

    @classmethod
    def validate(cls, programmes):
        super().validate(programmes)
        cls.check_study_plan(
            [p for p in programmes if p.state in ACCREDITED_STATES])

    @classmethod
    def copy(cls, programmes, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code', lambda data: data['code'] + ' (copy)')
        default.setdefault('state', 'requested')
        for name in ['request_date', 'admissibility_date', 'decision_date',
                'decision_reference', 'refusal_date']:
            default.setdefault(name, None)
        return super().copy(programmes, default=default)

    @classmethod
    def _require(cls, programmes, field_name):
        for programme in programmes:
            if not getattr(programme, field_name):
                raise AccreditationError(gettext(
                        'bts_programme.msg_accreditation_date_missing',
                        programme=programme.rec_name,
                        field=cls.fields_get([field_name])[
                            field_name]['string']))

    @classmethod
    def _check_not_refused(cls, programmes):
        "A refused re-accreditation is not granted (art. 40(1), 41(2))"
        for programme in programmes:
            if programme.refusal_date:
                raise AccreditationError(gettext(
                        'bts_programme.msg_programme_renewal_refused',
                        programme=programme.rec_name,
                        date=programme.refusal_date))

    @classmethod
    @ModelView.button
    @Workflow.transition('admissible')
    def declare_admissible(cls, programmes):
        cls._require(programmes, 'admissibility_date')

    @classmethod
    @ModelView.button
    @Workflow.transition('accredited')
    def accredit(cls, programmes):
        cls._require(programmes, 'decision_date')
        cls._check_not_refused(programmes)
        cls.check_study_plan(programmes)

    @classmethod
    @ModelView.button
    @Workflow.transition('conditional')
    def accredit_with_conditions(cls, programmes):
        "Art. 40(1): only a re-accreditation may carry conditions"
        cls._require(programmes, 'decision_date')
        cls._check_not_refused(programmes)
        cls.check_study_plan(programmes)

    @classmethod
    @ModelView.button
    @Workflow.transition('expired')
    def expire(cls, programmes):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('withdrawn')
    def withdraw(cls, programmes):
        "Art. 40(2), 41(1) al. 3: withdrawal by the minister"

    @classmethod
    @ModelView.button
    @Workflow.transition('requested')
    def request_renewal(cls, programmes):
        # The state in the same write: the dates it clears are required
        # while accredited.
        cls.write(programmes, {
                'state': 'requested',
                'accreditation_kind': 'renewal',
                'request_date': None,
                'admissibility_date': None,
                'refusal_date': None,
                })

    @classmethod
    def expire_accreditations(cls, date=None):
        "Cron: expire the accreditations whose five years have ended"
        Date = Pool().get('ir.date')
        if date is None:
            date = Date.today()
        cls.expire([p for p in cls.search([('state', '=', 'accredited')])
                if p.valid_until and p.valid_until < date])


class ProgrammeLycee(ModelSQL):
    "Programme - Lycée"
    __name__ = 'bts.programme-bts.lycee'
    __string__ = "Programme - Lycée"
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, ondelete='CASCADE')
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='RESTRICT')
