# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The accreditation procedure of a programme, its deadlines counted from
the year of the accreditation, and what follows from the decision (law of
21 July 2023, arts. 5(1), 35-42 and 73, Annexes A-B)."""
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.bts_programme.academic_year import (
    YEAR_START,
    add_months,
    window_end,
)
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.modules.bts_programme.programme import (
    ACCREDITATION_YEARS,
    ACCREDITED_STATES,
)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

# Art. 37: the announcement at least three months before the admissibility
# deadline; art. 38(2): the minister decides within two months of filing;
# art. 5(1): the coordinator and the curriculum group for 24 months from
# the notification of admissibility; art. 39(2): one extension of the
# agency's report of two months at most; art. 40(2): conditions curable
# within one year.
ANNOUNCEMENT_MONTHS = 3
ADMISSIBILITY_DECISION_MONTHS = 2
PREPARATION_MONTHS = 24
REPORT_EXTENSION_MONTHS = 2
CONDITIONS_MONTHS = 12
# Annex A, 2° c): deviations of 10 % or more, up or down, are justified
DEVIATION_PERCENT = 10
# Art. 41(1) al. 3: withdrawal after more than one academic year of
# voluntary cessation, or more than two of non-use after the grant
CESSATION_YEARS = 2
NON_USE_YEARS = 3

# The criteria of the admissibility request (Annex A) and of the dossier
# (Annex B) the lycée declares met, with the kinds and forms they concern
ANNEX_A = ['offer_study', 'market_study', 'external_share_planned',
    'premises_attested', 'joint_arrangements', 'graduates_follow_up']
ANNEX_B = ['title_ii_conformity', 'ects_structure', 'clq_descriptors',
    'information_published', 'vae_procedure', 'diploma_supplement',
    'sufficient_resources', 'external_share_limit', 'teacher_training',
    'trainer_programme', 'tutoring', 'quality_assurance',
    'recommendations_followed']
# The steps with a deadline, in their order: (date done, deadline)
STEPS = [
    ('announcement_date', 'announcement_deadline'),
    ('request_date', 'request_deadline'),
    ('admissibility_date', 'admissibility_deadline'),
    ('dossier_date', 'dossier_deadline'),
    ('report_date', 'report_deadline'),
    ]
# The state in which each step of STEPS is still to be done
OPEN_STATES = ['draft', 'announced', 'filed', 'admissible', 'submitted']


class ProcedureError(UserError):
    pass


def academic_year_start(date):
    "The first day of the academic year that contains date"
    start = dt.date(date.year, *YEAR_START)
    return start if start <= date else dt.date(date.year - 1, *YEAR_START)


class Procedure(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Procédure d'accréditation: the accreditation or re-accreditation of
    a programme expected for the academic year starting in N, in three
    steps: the announcement, the admissibility request (demande de
    recevabilité, Annex A) and the accreditation dossier (Annex B) that the
    quality agency evaluates before the minister decides (law of 21 July
    2023, arts. 36-41)."""
    __name__ = 'bts.accreditation.procedure'
    __string__ = "Accreditation Procedure"
    _draft = {'readonly': Eval('state') != 'draft'}
    _request = {'readonly': ~Eval('state').in_(['draft', 'announced'])}
    _dossier = {'readonly': Eval('state') != 'admissible'}
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, ondelete='RESTRICT',
        states=_draft)
    kind = fields.Selection([
            ('initial', "Initial Accreditation"),
            ('renewal', "Re-accreditation"),
            ], "Kind", required=True, states=_draft)
    year = fields.Integer(
        "Year of the Accreditation", required=True, states=_draft,
        domain=[('year', '>=', 2000), ('year', '<=', 2999)],
        help="N: the year of the academic year the accreditation is "
        "expected to start (art. 38(1)).")
    state = fields.Selection([
            ('draft', "Draft"),
            ('announced', "Announced"),
            ('filed', "Admissibility Requested"),
            ('admissible', "Admissible"),
            ('inadmissible', "Inadmissible"),
            ('submitted', "Dossier Submitted"),
            ('reported', "Evaluated"),
            ('accredited', "Accredited"),
            ('conditional', "Accredited with Conditions"),
            ('refused', "Refused"),
            ('withdrawn', "Withdrawn"),
            ], "State", readonly=True, required=True, sort=False)
    late = fields.Function(fields.Boolean("Late"), 'get_late')
    late_steps = fields.Function(fields.Char("Late Steps"), 'get_late')

    announcement_deadline = fields.Function(
        fields.Date("Announcement Deadline"), 'get_deadline')
    announcement_date = fields.Date(
        "Announcement Date", states=_draft,
        help="The director's letter to the minister (art. 37).")
    request_deadline = fields.Function(
        fields.Date("Admissibility Request Deadline"), 'get_deadline')
    request_date = fields.Date(
        "Admissibility Request Date",
        states=_request)
    # Annex A
    offer_study = fields.Boolean(
        "Study of the Existing Offer",
        states=_request,
        help="In Luxembourg and the Greater Region (Annex A).")
    market_study = fields.Boolean(
        "Market Study",
        states=_request,
        help="With the companies' interest in hosting interns (Annex A).")
    internship_places = fields.Integer(
        "Internship Places",
        domain=['OR', ('internship_places', '=', None),
            ('internship_places', '>=', 0)],
        states=_request,
        help="The potential internship places, at least the largest "
        "forecast of students (Annex A).")
    external_share_planned = fields.Boolean(
        "External Share Kept",
        states=_request,
        help="The lessons of external providers keep the share of "
        "art. 9(2) (Annex A, 2° a)).")
    premises_attested = fields.Boolean(
        "Premises Attested",
        states=_request,
        help="By the services of the ministry of Education (Annex A).")
    joint_arrangements = fields.Boolean(
        "Joint Arrangements",
        states=_request,
        help="The split of responsibilities and costs of a joint "
        "programme (Annex A).")
    graduates_follow_up = fields.Boolean(
        "Graduates Followed Up",
        states={
            **_request,
            'invisible': Eval('kind') != 'renewal',
            },
        help="The graduates' numbers, employment and further studies "
        "(Annex A, re-accreditation).")
    forecasts = fields.One2Many(
        'bts.accreditation.forecast', 'procedure', "Student Forecast",
        states=_request,
        help="The students forecast for each academic year of the "
        "accreditation; for a re-accreditation also the previous forecast "
        "against the actual students (Annex A).")

    admissibility_deadline = fields.Function(
        fields.Date("Admissibility Decision Deadline"), 'get_deadline')
    admissibility_date = fields.Date(
        "Admissibility Notification Date",
        states={'readonly': Eval('state') != 'filed'},
        help="The notification of the minister's decision on the request "
        "(art. 38(2)).")
    admissibility_reference = fields.Char(
        "Admissibility Decision Reference",
        states={'readonly': Eval('state') != 'filed'})
    preparation_end = fields.Function(
        fields.Date("Coordinator and Curriculum Group Until"),
        'get_deadline')
    coordinator_body = fields.Many2One(
        'bts.jury.body', "Coordinator", ondelete='RESTRICT',
        domain=[
            ('programme', '=', Eval('programme', -1)),
            ('body_type.code', '=', 'coordinator'),
            ],
        states={
            'readonly': Eval('state') != 'admissible',
            'invisible': Eval('kind') != 'initial',
            },
        help="Named for 24 months from the notification of admissibility "
        "(art. 5(1)).")
    curriculum_group = fields.Many2One(
        'bts.jury.body', "Curriculum Group", ondelete='RESTRICT',
        domain=[
            ('programme', '=', Eval('programme', -1)),
            ('body_type.code', '=', 'curriculum_group'),
            ],
        states={
            'readonly': Eval('state') != 'admissible',
            'invisible': Eval('kind') != 'initial',
            },
        help="Named for 24 months from the notification of admissibility "
        "(art. 5(1)).")

    dossier_deadline = fields.Function(
        fields.Date("Dossier Deadline"), 'get_deadline')
    dossier_date = fields.Date(
        "Dossier Date", states=_dossier)
    # Annex B
    title_ii_conformity = fields.Boolean(
        "Title II Kept", states=_dossier,
        help="The programme keeps title II of the law (Annex B).")
    ects_structure = fields.Boolean(
        "ECTS Modules and Courses",
        states=_dossier,
        help="Modules and courses of 1 to 20 ECTS (Annex B).")
    clq_descriptors = fields.Boolean(
        "Level 5 Descriptors", states=_dossier,
        help="The learning outcomes of level 5 of the qualifications "
        "framework (Annex B).")
    information_published = fields.Boolean(
        "Information Published",
        states=_dossier,
        help="Including the registration fees and the total cost "
        "(Annex B).")
    vae_procedure = fields.Boolean(
        "VAE Procedure", states=_dossier,
        help="The validation of prior experience per art. 11 (Annex B).")
    diploma_supplement = fields.Boolean(
        "Diploma and Supplement",
        states=_dossier,
        help="Per art. 26(2) and (3) (Annex B).")
    sufficient_resources = fields.Boolean(
        "Sufficient Resources",
        states=_dossier)
    external_share_limit = fields.Boolean(
        "External Share within the Limit",
        states=_dossier,
        help="The lessons of external providers do not exceed the share of "
        "art. 9(2) (Annex B, 3° d)).")
    teacher_training = fields.Boolean(
        "Continuing Training of Teachers",
        states=_dossier)
    trainer_programme = fields.Boolean(
        "Training of In-company Trainers",
        states=_dossier,
        help="For a programme in alternance (Annex B, 3° f)).")
    tutoring = fields.Boolean(
        "Tutoring Programme", states=_dossier,
        help="Annex B, 3° g).")
    quality_assurance = fields.Boolean(
        "Internal Quality Assurance",
        states=_dossier,
        help="Compliant with the ESG, with teachers and students "
        "represented (Annex B).")
    recommendations_followed = fields.Boolean(
        "Previous Recommendations Followed",
        states={
            **_dossier,
            'invisible': Eval('kind') != 'renewal',
            },
        help="Annex B, re-accreditation.")

    agency = fields.Many2One(
        'party.party', "Quality Agency", ondelete='RESTRICT',
        states={'readonly': ~Eval('state').in_(['admissible', 'submitted'])},
        help="Registered in the European register EQAR (art. 39(2)).")
    site_visit_date = fields.Date(
        "Site Visit Date", states={'readonly': Eval('state') != 'submitted'},
        help="The evaluation includes a visit on site (art. 39(2)).")
    report_deadline = fields.Function(
        fields.Date("Report Deadline"), 'get_deadline')
    report_extended_until = fields.Date(
        "Report Extended Until",
        states={'readonly': Eval('state') != 'submitted'},
        help="The minister may extend the deadline once, by two months at "
        "most (art. 39(2)).")
    report_date = fields.Date(
        "Report Date", states={'readonly': Eval('state') != 'submitted'})
    report_url = fields.Char(
        "Public Report", states={'readonly': Eval('state') != 'submitted'},
        help="Where the evaluation report is published (art. 39(2)).")

    decision_date = fields.Date(
        "Decision Date", states={'readonly': Eval('state') != 'reported'})
    decision_reference = fields.Char(
        "Decision Reference",
        states={'readonly': Eval('state') != 'reported'})
    conditions = fields.Text(
        "Conditions", states={
            'readonly': Eval('state') != 'reported',
            'invisible': Eval('kind') != 'renewal',
            })
    conditions_deadline = fields.Date(
        "Conditions Deadline",
        states={
            'readonly': ~Eval('state').in_(['reported', 'conditional']),
            'invisible': Eval('kind') != 'renewal',
            },
        help="At most one year after the decision (art. 40(2)); the "
        "minister may extend it.")
    conditions_met_date = fields.Date(
        "Conditions Met On",
        states={
            'readonly': Eval('state') != 'conditional',
            'invisible': Eval('kind') != 'renewal',
            })
    valid_from = fields.Function(fields.Date("Valid From"), 'get_deadline')
    valid_until = fields.Function(fields.Date("Valid Until"), 'get_deadline')
    del _draft, _request, _dossier

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('programme')
        cls._order = [('year', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'announced'),
            ('announced', 'filed'),
            ('filed', 'admissible'),
            ('filed', 'inadmissible'),
            ('admissible', 'submitted'),
            ('submitted', 'reported'),
            ('reported', 'accredited'),
            ('reported', 'conditional'),
            ('reported', 'refused'),
            ('conditional', 'accredited'),
            ('conditional', 'withdrawn'),
            }
        cls._buttons.update({
                'announce': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward', 'depends': ['state']},
                'file_request': {
                    'invisible': Eval('state') != 'announced',
                    'icon': 'tryton-forward', 'depends': ['state']},
                'declare_admissible': {
                    'invisible': Eval('state') != 'filed',
                    'icon': 'tryton-ok', 'depends': ['state']},
                'declare_inadmissible': {
                    'invisible': Eval('state') != 'filed',
                    'icon': 'tryton-cancel', 'depends': ['state']},
                'submit_dossier': {
                    'invisible': Eval('state') != 'admissible',
                    'icon': 'tryton-forward', 'depends': ['state']},
                'record_report': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-forward', 'depends': ['state']},
                'accredit': {
                    'invisible': Eval('state') != 'reported',
                    'icon': 'tryton-ok', 'depends': ['state']},
                'accredit_with_conditions': {
                    'invisible': ((Eval('state') != 'reported')
                        | (Eval('kind') != 'renewal')),
                    'icon': 'tryton-ok', 'depends': ['state', 'kind']},
                'refuse': {
                    'invisible': Eval('state') != 'reported',
                    'icon': 'tryton-cancel', 'depends': ['state']},
                'declare_conditions_met': {
                    'invisible': Eval('state') != 'conditional',
                    'icon': 'tryton-ok', 'depends': ['state']},
                'withdraw': {
                    'invisible': Eval('state') != 'conditional',
                    'icon': 'tryton-cancel', 'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'initial'

    def get_rec_name(self, name):
        return f'{self.programme.rec_name} ({self.year})'

    # Deadlines (art. 37-41), all counted from N

    @property
    def _request_deadline(self):
        "Art. 38(1): 15 January of the year before N"
        return dt.date(self.year - 1, 1, 15)

    def deadlines(self):
        "Return the deadlines and the validity by field name"
        request = self._request_deadline
        report = dt.date(self.year, 3, 1)
        result = {
            'announcement_deadline': add_months(
                request, -ANNOUNCEMENT_MONTHS),
            'request_deadline': request,
            'admissibility_deadline': add_months(
                self.request_date or request, ADMISSIBILITY_DECISION_MONTHS),
            'dossier_deadline': dt.date(self.year - 1, 7, 15),
            'report_deadline': self.report_extended_until or report,
            'preparation_end': None,
            'valid_from': None,
            'valid_until': None,
            }
        if self.admissibility_date and self.kind == 'initial':
            result['preparation_end'] = window_end(
                self.admissibility_date, PREPARATION_MONTHS)
        if self.decision_date and self.state in ACCREDITED_STATES:
            start = dt.date(self.decision_date.year, *YEAR_START)
            result['valid_from'] = start
            result['valid_until'] = window_end(
                start, 12 * ACCREDITATION_YEARS)
        return result

    def get_deadline(self, name):
        if self.year:
            return self.deadlines()[name]

    def late_step_names(self, today):
        """Return the labels of the steps done after their deadline, or
        still to be done when it has passed"""
        deadlines = self.deadlines()
        names = self.fields_get([d for d, _ in STEPS])
        pending = (OPEN_STATES.index(self.state)
            if self.state in OPEN_STATES else len(STEPS))
        late = []
        for index, (done, deadline) in enumerate(STEPS):
            date = getattr(self, done)
            if index < pending and not date:
                # A step skipped by the procedure's end (inadmissible)
                continue
            if (date or today) > deadlines[deadline]:
                late.append(names[done]['string'])
        return late

    @classmethod
    def get_late(cls, procedures, names):
        today = Pool().get('ir.date').today()
        result = {n: {} for n in names}
        for procedure in procedures:
            steps = procedure.late_step_names(today) if procedure.year else []
            if 'late' in names:
                result['late'][procedure.id] = bool(steps)
            if 'late_steps' in names:
                result['late_steps'][procedure.id] = ', '.join(steps)
        return result

    @classmethod
    def validate_fields(cls, procedures, field_names):
        super().validate_fields(procedures, field_names)
        cls.check_report_extension(procedures, field_names)
        cls.check_renewal_year(procedures, field_names)

    @classmethod
    def check_report_extension(cls, procedures, field_names):
        "Art. 39(2): the report's deadline extended by 2 months at most"
        if not (field_names & {'report_extended_until', 'year'}):
            return
        for procedure in procedures:
            extended = procedure.report_extended_until
            report = dt.date(procedure.year, 3, 1)
            if extended and not (
                    report < extended
                    <= add_months(report, REPORT_EXTENSION_MONTHS)):
                raise ProcedureError(gettext(
                        'bts_oversight.msg_report_extension',
                        procedure=procedure.rec_name, date=extended,
                        deadline=report,
                        latest=add_months(report, REPORT_EXTENSION_MONTHS)))

    @classmethod
    def check_renewal_year(cls, procedures, field_names):
        """A re-accreditation starts when the accreditation in force ends:
        art. 41(1), five academic years; art. 73, a programme accredited
        under the law of 2009 keeps it to the end of its five-year term"""
        if not (field_names & {'year', 'kind', 'programme'}):
            return
        for procedure in procedures:
            programme = procedure.programme
            if (procedure.kind == 'renewal' and programme.valid_until
                    and procedure.state == 'draft'
                    and procedure.year < programme.valid_until.year):
                article = gettext(
                    'bts_oversight.msg_article_73'
                    if programme.legal_basis == 'law_2009'
                    else 'bts_oversight.msg_article_41_1')
                raise ProcedureError(gettext(
                        'bts_oversight.msg_renewal_too_early',
                        programme=programme.rec_name, year=procedure.year,
                        valid_until=programme.valid_until,
                        article=article))

    def check_programme_state(self):
        "The programme is in the procedure's kind and has no other one open"
        programme = self.programme
        expected = ({'requested'} if self.kind == 'initial'
            else {'accredited', 'expired'})
        if (programme.state not in expected
                or (self.kind == 'initial'
                    and programme.accreditation_kind != 'initial')):
            raise ProcedureError(gettext(
                    f'bts_oversight.msg_procedure_{self.kind}_state',
                    programme=programme.rec_name,
                    state=programme.state_string))
        others = self.search([
                ('programme', '=', programme.id),
                ('id', '!=', self.id),
                ('state', 'in', OPEN_STATES + ['reported', 'conditional']),
                ])
        if others:
            raise ProcedureError(gettext(
                    'bts_oversight.msg_procedure_open',
                    programme=programme.rec_name,
                    procedure=others[0].rec_name))

    def check_no_conditional(self):
        """Art. 42: a lycée with a conditionally re-accredited programme
        submits no new programme until the conditions are declared met"""
        if self.kind != 'initial':
            return
        Programme = Pool().get('bts.programme')
        with without_check_access():
            blocking = Programme.search([
                    ('lycees', 'in', [y.id for y in self.programme.lycees]),
                    ('state', '=', 'conditional'),
                    ('id', '!=', self.programme.id),
                    ], limit=1)
        if blocking:
            raise ProcedureError(gettext(
                    'bts_oversight.msg_art42_conditional',
                    programme=self.programme.rec_name,
                    conditional=blocking[0].rec_name))

    def annex_a_errors(self):
        """Return the criteria of Annex A the request lacks: the declared
        criteria, the forecast of every academic year of the accreditation,
        internship places for the largest forecast and, for a
        re-accreditation, the justification of every deviation of 10 % or
        more between the previous forecast and the actual students"""
        criteria = [n for n in ANNEX_A if n not in {
                'joint_arrangements', 'graduates_follow_up'}]
        if self.programme.joint:
            criteria.append('joint_arrangements')
        if self.kind == 'renewal':
            criteria.append('graduates_follow_up')
        errors = self._missing_criteria(criteria)
        years = {f.year for f in self.forecasts}
        missing = [y for y in range(self.year, self.year + ACCREDITATION_YEARS)
            if y not in years]
        if missing:
            errors.append(gettext('bts_oversight.msg_forecast_missing',
                    years=', '.join(f'{y}/{y + 1}' for y in missing)))
        largest = max((f.students or 0 for f in self.forecasts
                if f.year >= self.year), default=0)
        if (self.internship_places or 0) < largest:
            errors.append(gettext('bts_oversight.msg_internship_places',
                    places=self.internship_places or 0, students=largest))
        for forecast in self.forecasts:
            if forecast.needs_justification() and not forecast.justification:
                errors.append(gettext(
                        'bts_oversight.msg_deviation_unjustified',
                        year=forecast.rec_name,
                        deviation=forecast.deviation,
                        students=forecast.students, actual=forecast.actual))
        return errors

    def annex_b_errors(self):
        "Return the criteria of Annex B the dossier lacks"
        criteria = [n for n in ANNEX_B if n not in {
                'trainer_programme', 'recommendations_followed'}]
        if self.programme.form == 'alternance':
            criteria.append('trainer_programme')
        if self.kind == 'renewal':
            criteria.append('recommendations_followed')
        errors = self._missing_criteria(criteria)
        if self.kind == 'initial':
            errors.extend(self._missing_criteria(
                    ['coordinator_body', 'curriculum_group']))
        return errors

    def _missing_criteria(self, names):
        strings = self.fields_get(names)
        return [gettext('bts_oversight.msg_criterion_missing',
                criterion=strings[n]['string'])
            for n in names if not getattr(self, n)]

    def _check(self, errors, message):
        if errors:
            raise ProcedureError(gettext(
                    f'bts_oversight.{message}', procedure=self.rec_name,
                    errors='\n'.join(f'- {e}' for e in errors)))

    def _require(self, *names):
        self._check(self._missing_criteria(names),
            'msg_procedure_step_incomplete')

    # The programme's own transitions carry the decision

    def _write_programme(self, **values):
        Programme = Pool().get('bts.programme')
        Programme.write([self.programme], values)

    @classmethod
    def _transition_programmes(cls, procedures, method, state):
        """Call the programmes' transition method and check they reached
        state: a workflow ignores a programme its state does not allow"""
        Programme = Pool().get('bts.programme')
        programmes = Programme.browse([p.programme.id for p in procedures])
        getattr(Programme, method)(programmes)
        for programme in Programme.browse(programmes):
            if programme.state != state:
                raise ProcedureError(gettext(
                        'bts_oversight.msg_programme_transition',
                        programme=programme.rec_name,
                        state=programme.state_string))

    @classmethod
    def _today(cls):
        return Pool().get('ir.date').today()

    @classmethod
    @ModelView.button
    @Workflow.transition('announced')
    def announce(cls, procedures):
        for procedure in procedures:
            procedure.check_programme_state()
            procedure.check_no_conditional()
            if not procedure.announcement_date:
                procedure.announcement_date = cls._today()
        cls.save(procedures)

    @classmethod
    @ModelView.button
    @Workflow.transition('filed')
    def file_request(cls, procedures):
        Programme = Pool().get('bts.programme')
        for procedure in procedures:
            procedure.check_no_conditional()
            procedure._check(procedure.annex_a_errors(),
                'msg_annex_a_incomplete')
            if not procedure.request_date:
                procedure.request_date = cls._today()
            if procedure.programme.state not in {'requested', 'admissible'}:
                Programme.request_renewal([procedure.programme])
            procedure._write_programme(request_date=procedure.request_date)
        cls.save(procedures)

    @classmethod
    @ModelView.button
    @Workflow.transition('admissible')
    def declare_admissible(cls, procedures):
        "Art. 38(2); art. 5(1): the 24 months start at the notification"
        for procedure in procedures:
            procedure._require('admissibility_date')
            procedure._write_programme(
                admissibility_date=procedure.admissibility_date)
        cls._transition_programmes(
            procedures, 'declare_admissible', 'admissible')

    @classmethod
    @ModelView.button
    @Workflow.transition('inadmissible')
    def declare_inadmissible(cls, procedures):
        for procedure in procedures:
            procedure._require('admissibility_date')

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit_dossier(cls, procedures):
        for procedure in procedures:
            procedure._check(procedure.annex_b_errors(),
                'msg_annex_b_incomplete')
            if not procedure.dossier_date:
                procedure.dossier_date = cls._today()
        cls.save(procedures)

    @classmethod
    @ModelView.button
    @Workflow.transition('reported')
    def record_report(cls, procedures):
        "Art. 39(2): a site visit, then the public report"
        for procedure in procedures:
            procedure._require('agency', 'site_visit_date', 'report_date',
                'report_url')
            if procedure.site_visit_date > procedure.report_date:
                raise ProcedureError(gettext(
                        'bts_oversight.msg_site_visit_after_report',
                        procedure=procedure.rec_name,
                        visit=procedure.site_visit_date,
                        report=procedure.report_date))

    def _write_decision(self):
        self._require('decision_date', 'decision_reference')
        self._write_programme(decision_date=self.decision_date,
            decision_reference=self.decision_reference,
            legal_basis='law_2023')

    @classmethod
    @ModelView.button
    @Workflow.transition('accredited')
    def accredit(cls, procedures):
        for procedure in procedures:
            procedure._write_decision()
        cls._transition_programmes(procedures, 'accredit', 'accredited')

    @classmethod
    @ModelView.button
    @Workflow.transition('conditional')
    def accredit_with_conditions(cls, procedures):
        "Art. 40: conditions curable within one year, re-accreditation only"
        for procedure in procedures:
            procedure._require('decision_date', 'conditions',
                'conditions_deadline')
            latest = add_months(procedure.decision_date, CONDITIONS_MONTHS)
            if not (procedure.decision_date < procedure.conditions_deadline
                    <= latest):
                raise ProcedureError(gettext(
                        'bts_oversight.msg_conditions_deadline',
                        procedure=procedure.rec_name,
                        date=procedure.conditions_deadline, latest=latest))
            procedure._write_decision()
        cls._transition_programmes(
            procedures, 'accredit_with_conditions', 'conditional')

    @classmethod
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, procedures):
        """Art. 40(1); art. 41(2): a refused re-accreditation leaves the
        enrolled students three academic years, without new admissions"""
        for procedure in procedures:
            procedure._require('decision_date', 'decision_reference')
            if procedure.kind == 'renewal':
                procedure._write_programme(
                    refusal_date=procedure.decision_date)

    @classmethod
    @ModelView.button
    @Workflow.transition('accredited')
    def declare_conditions_met(cls, procedures):
        "Art. 40(2), 41(1) al. 2: the conditions met in time"
        for procedure in procedures:
            procedure._require('conditions_met_date')
            if procedure.conditions_met_date > procedure.conditions_deadline:
                raise ProcedureError(gettext(
                        'bts_oversight.msg_conditions_late',
                        procedure=procedure.rec_name,
                        date=procedure.conditions_met_date,
                        deadline=procedure.conditions_deadline))
        cls._transition_programmes(procedures, 'accredit', 'accredited')

    @classmethod
    @ModelView.button
    @Workflow.transition('withdrawn')
    def withdraw(cls, procedures):
        "Art. 40(2): the conditional re-accreditation withdrawn"
        cls._transition_programmes(procedures, 'withdraw', 'withdrawn')


class Forecast(ClientGuardMixin, ModelSQL, ModelView):
    """The students forecast for an academic year and, once it has run,
    the actual students: a deviation of 10 % or more, up or down, is
    justified (law of 21 July 2023, Annex A, 2° c))"""
    __name__ = 'bts.accreditation.forecast'
    __string__ = "Student Forecast"
    _guard_parent = ('procedure', 'forecasts')
    procedure = fields.Many2One(
        'bts.accreditation.procedure', "Procedure", required=True,
        ondelete='CASCADE')
    year = fields.Integer(
        "Academic Year", required=True,
        help="The year the academic year starts.")
    students = fields.Integer(
        "Forecast Students", required=True,
        domain=[('students', '>=', 0)])
    actual = fields.Integer(
        "Actual Students",
        domain=['OR', ('actual', '=', None), ('actual', '>=', 0)])
    deviation = fields.Function(
        fields.Numeric("Deviation (%)", digits=(16, 2)), 'get_deviation')
    justification = fields.Text(
        "Justification",
        help="Required to file the request when the deviation is 10 % or "
        "more (Annex A, 2° c)).")
    justification_needed = fields.Function(
        fields.Boolean("Justification Needed"), 'get_deviation')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('procedure')
        cls._order.insert(0, ('year', 'ASC'))

    def get_rec_name(self, name):
        return f'{self.year}/{self.year + 1}'

    def needs_justification(self):
        "|actual - forecast| >= 10 % of the forecast, exactly"
        if self.actual is None or self.students is None:
            return False
        return (abs(self.actual - self.students) * 100
            >= DEVIATION_PERCENT * self.students)

    def get_deviation(self, name):
        if name == 'justification_needed':
            return self.needs_justification()
        if self.actual is not None and self.students:
            return (Decimal(self.actual - self.students) * 100
                / self.students).quantize(Decimal('0.01'))


class Programme(metaclass=PoolMeta):
    __name__ = 'bts.programme'
    accreditation_procedures = fields.One2Many(
        'bts.accreditation.procedure', 'programme',
        "Accreditation Procedures", readonly=True)
    procedure_managed = fields.Function(
        fields.Boolean("Managed by a Procedure"), 'get_procedure_managed')
    withdrawal_grounds = fields.Function(
        fields.Char("Grounds for Withdrawal",
            help="Art. 41(1) al. 3: more than one academic year of "
            "cessation, or more than two of non-use after the grant."),
        'get_withdrawal_grounds', searcher='search_withdrawal_grounds')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        managed = Eval('procedure_managed', False)
        for name in ['request_date', 'admissibility_date', 'decision_date',
                'decision_reference', 'refusal_date', 'legal_basis']:
            field = getattr(cls, name)
            field.states = field.states.copy()
            field.states['readonly'] = (
                field.states.get('readonly', False) | managed)
        for name in ['declare_admissible', 'accredit',
                'accredit_with_conditions', 'request_renewal']:
            button = cls._buttons[name]
            button['invisible'] = button['invisible'] | managed
            button['depends'] = button['depends'] + ['procedure_managed']
        withdraw = cls._buttons['withdraw']
        withdraw['invisible'] |= managed & (Eval('state') == 'conditional')
        withdraw['depends'] = withdraw['depends'] + ['procedure_managed']

    def get_procedure_managed(self, name):
        return bool(self.accreditation_procedures)

    @classmethod
    def copy(cls, programmes, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('accreditation_procedures', [])
        return super().copy(programmes, default=default)

    def admits_students(self, date):
        """Whether new students are admitted in the academic year of date:
        its first study year runs (arts. 35, 41: not in a teach-out after a
        refused re-accreditation, art. 41(2))"""
        AcademicYear = Pool().get('bts.academic_year')
        study_years, _ = self.running_study_years(AcademicYear.find(date))
        return '1' in study_years

    def check_admits_students(self, date):
        "Raise an error when the programme admits no new student at date"
        if not self.admits_students(date):
            raise ProcedureError(gettext(
                    'bts_oversight.msg_no_admission',
                    programme=self.rec_name, date=date))

    def active_years(self):
        """Return the first days of the academic years in which the
        programme ran: a lycée teacher or a contract of its teaching body"""
        TeachingBody = Pool().get('bts.teaching_body')
        with without_check_access():
            bodies = TeachingBody.search([
                    ('programme', '=', self.id),
                    ('academic_year', '!=', None),
                    ])
        return {b.academic_year.start_date for b in bodies}

    def withdrawal_ground(self, date):
        """Return the message naming the ground of art. 41(1) al. 3 for a
        withdrawal at date, or None: the academic years since the grant
        without the programme running, counting the one of date"""
        if self.state not in ACCREDITED_STATES or not self.valid_from:
            return None
        current = academic_year_start(date)
        if current < self.valid_from:
            return None
        years = [self.valid_from]
        while years[-1] < current:
            years.append(add_months(years[-1], 12))
        active = self.active_years()
        run = [y for y in years if y in active]
        idle = [y for y in years if not run or y > run[-1]]
        if not run and len(idle) >= NON_USE_YEARS:
            return gettext('bts_oversight.msg_withdrawal_non_use',
                years=len(idle))
        if run and len(idle) >= CESSATION_YEARS:
            return gettext('bts_oversight.msg_withdrawal_cessation',
                years=len(idle))

    def get_withdrawal_grounds(self, name):
        return self.withdrawal_ground(Pool().get('ir.date').today())

    @classmethod
    def search_withdrawal_grounds(cls, name, clause):
        """The accredited programmes with or without grounds today (the
        ministry's reminder): a few dozen programmes, computed each"""
        _, operator, value = clause[:3]
        assert operator in {'=', '!='} and value is None, clause
        with without_check_access():
            programmes = cls.search(
                [('state', 'in', list(ACCREDITED_STATES))])
        grounded = [p.id for p in programmes if p.withdrawal_grounds]
        return [('id', 'in' if operator == '!=' else 'not in', grounded)]
