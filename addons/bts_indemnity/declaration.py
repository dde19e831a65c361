# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.bts_jury.body import PREPARING
from trytond.modules.bts_jury.conflict import kinship_degree
from trytond.modules.bts_jury.curriculum import WORK_KINDS
from trytond.modules.bts_jury.exceptions import ConflictOfInterestError
from trytond.modules.bts_programme import caps
from trytond.modules.bts_programme.contract import SHARE_ROLES
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.modules.bts_programme.rate import UNITS as RATE_UNITS
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import DeclarationError

STATES = [
    ('draft', "Draft"),
    ('submitted', "Submitted"),
    ('countersigned', "Countersigned"),
    ('verified', "Verified"),
    ('approved', "Approved"),
    ('paid', "Paid"),
    ]
# Declarations whose lessons count against the caps: on submission every
# declaration on its way, on approval the approved ones.
COUNTED_STATES = ('submitted', 'countersigned', 'verified', 'approved',
    'paid')
APPROVED_STATES = ('approved', 'paid')
_DRAFT = Eval('state') != 'draft'


def counted_lessons(quantity):
    """The quantity as counted and shown: every declared lesson, never
    truncated (law of 21 July 2023, art. 9(2); RULES.md §K.2), a whole
    number when it is one"""
    quantity = Decimal(quantity or 0)
    if quantity == quantity.to_integral_value():
        return int(quantity)
    return quantity.normalize()


def _counted(lessons):
    return {code: counted_lessons(quantity)
        for code, quantity in lessons.items()}


def declared_period(month, yearly):
    """Return the first and last day of the month, or of its academic year
    when the declaration is yearly"""
    AcademicYear = Pool().get('bts.academic_year')
    if yearly:
        year = AcademicYear.find(month)
        return year.start_date, year.end_date
    month = month.replace(day=1)
    following = (month + dt.timedelta(days=31)).replace(day=1)
    return month, following - dt.timedelta(days=1)


def _stamp(name):
    return (
        fields.Many2One('res.user', f"{name} by", readonly=True),
        fields.DateTime(f"{name} on", readonly=True))


class Declaration(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Déclaration: the lessons a provider gave under a contract in a month,
    or the Annex E acts a body member performed, declared by lycée HR and
    approved up to the ministry (vademecum §I and §II; RULES.md §C.14)"""
    __name__ = 'bts.declaration'
    __string__ = "Declaration"
    kind = fields.Selection([
            ('lessons', "Lessons"),
            ('acts', "Acts"),
            ], "Kind", required=True, states={'readonly': _DRAFT})
    contract = fields.Many2One(
        'bts.contract', "Contract", ondelete='RESTRICT',
        domain=[('state', '=', 'active')],
        states={
            'readonly': _DRAFT,
            'required': Eval('kind') == 'lessons',
            'invisible': Eval('kind') != 'lessons',
            })
    member = fields.Many2One(
        'bts.jury.member', "Body Member", ondelete='RESTRICT',
        states={
            'readonly': _DRAFT,
            'required': Eval('kind') == 'acts',
            'invisible': Eval('kind') != 'acts',
            })
    submission = fields.Many2One(
        'bts.declaration.submission', "Body Submission", ondelete='RESTRICT',
        states={
            'readonly': _DRAFT,
            'invisible': Eval('kind') != 'acts',
            },
        help="The acts of a body's members are submitted together, once "
        "per body and period.")
    party = fields.Function(
        fields.Many2One('party.party', "Beneficiary"), 'get_party',
        searcher='search_party')
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='RESTRICT',
        states={'readonly': _DRAFT})
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"), 'get_programme')
    month = fields.Date(
        "Month", required=True, states={'readonly': _DRAFT},
        help="The first day of the month declared.")
    lines = fields.One2Many(
        'bts.declaration.line', 'declaration', "Lines",
        states={'readonly': _DRAFT})
    amount = fields.Function(
        fields.Numeric("Amount", digits=(16, 2)), 'get_amount')
    rejection_reason = fields.Text(
        "Reason of the Last Rejection", readonly=True)
    submitted_by, submitted_on = _stamp("Submitted")
    countersigned_by, countersigned_on = _stamp("Countersigned")
    verified_by, verified_on = _stamp("Verified")
    approved_by, approved_on = _stamp("Approved")
    state = fields.Selection(STATES, "State", readonly=True, required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'countersigned'),
            ('countersigned', 'verified'),
            ('verified', 'approved'),
            ('approved', 'paid'),
            ('submitted', 'draft'),
            ('countersigned', 'draft'),
            ('verified', 'draft'),
            ('approved', 'draft'),
            }
        cls._buttons.update({
                'submit': {
                    'invisible': ((Eval('state') != 'draft')
                        | (Eval('kind') == 'acts')),
                    'icon': 'tryton-forward', 'depends': ['state', 'kind']},
                'countersign': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-forward', 'depends': ['state']},
                'verify': {
                    'invisible': Eval('state') != 'countersigned',
                    'icon': 'tryton-forward', 'depends': ['state']},
                'approve': {
                    'invisible': Eval('state') != 'verified',
                    'icon': 'tryton-ok', 'depends': ['state']},
                'reject': {
                    'invisible': ~Eval('state').in_(
                        ['submitted', 'countersigned', 'verified',
                            'approved']),
                    'icon': 'tryton-back', 'depends': ['state']},
                })
        # Tryton's two-person pattern (account_payment): approving needs
        # a fresh login.
        cls.__rpc__.update({
                'approve': RPC(
                    readonly=False, instantiate=0, fresh_session=True),
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'lessons'

    def get_rec_name(self, name):
        return f'{self.party.rec_name} {self.month:%Y-%m}'

    def get_party(self, name):
        source = self.contract if self.kind == 'lessons' else self.member
        return source.party if source else None

    @classmethod
    def search_party(cls, name, clause):
        return ['OR',
            ('contract.party',) + tuple(clause[1:]),
            ('member.party',) + tuple(clause[1:]),
            ]

    def get_programme(self, name):
        if self.contract:
            return self.contract.programme
        if self.member:
            return self.member.body.programme

    def get_amount(self, name):
        return sum((line.amount or 0 for line in self.lines), Decimal(0))

    # The steps of the approval, in their order: each is taken by another
    # person (segregation of duties of the ministry's approval procedure).
    STEPS = ['submitted', 'countersigned', 'verified', 'approved']

    @classmethod
    def validate_fields(cls, declarations, field_names):
        super().validate_fields(declarations, field_names)
        cls.check_lycee(declarations, field_names)

    @classmethod
    def check_lycee(cls, declarations, field_names=None):
        """A declaration belongs to the lycée of its contract or of its
        member's body, and of its body submission: a lycée declares only
        its own providers"""
        if field_names and not (
                field_names & {'lycee', 'contract', 'member', 'submission'}):
            return
        for declaration in declarations:
            lycees = declaration.allowed_lycees()
            submission = declaration.submission
            if ((lycees is not None and declaration.lycee not in lycees)
                    or (submission and submission.lycee != declaration.lycee)):
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_declaration_lycee'))

    def allowed_lycees(self):
        """The lycées the declaration may belong to: its contract's, or its
        body's (the programme's for a programme body), None for a
        national body"""
        if self.kind == 'lessons':
            return {self.contract.lycee} if self.contract else None
        body = self.member.body if self.member else None
        if body and body.lycee:
            return {body.lycee}
        if body and body.programme:
            return set(body.programme.lycees)

    @classmethod
    def _stamp(cls, declarations, name):
        "Stamp the step name, refused to whoever took an earlier step"
        user = Transaction().user
        earlier = cls.STEPS[:cls.STEPS.index(name)]
        for declaration in declarations:
            for step in earlier:
                field = f'{step}_by'
                stamp = getattr(declaration, field)
                if stamp and stamp.id == user:
                    raise DeclarationError(gettext(
                            'bts_indemnity.msg_declaration_same_person',
                            declaration=declaration.rec_name,
                            step=cls.fields_get([field])[field]['string']))
        cls.write(declarations, {
                f'{name}_by': Transaction().user,
                f'{name}_on': dt.datetime.now(),
                })

    @classmethod
    def check(cls, declarations, counted=COUNTED_STATES):
        """The checks of submission and approval (RULES.md §C.14), the caps
        with the lessons of the declarations in the counted states"""
        Line = Pool().get('bts.declaration.line')
        lessons = [d for d in declarations if d.kind == 'lessons']
        caps.lock([d.contract.party for d in lessons]
            + [d.contract.programme for d in lessons])
        for declaration in declarations:
            if not declaration.lines:
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_declaration_empty',
                        declaration=declaration.rec_name))
            declaration.check_once_a_year()
            for line in declaration.lines:
                line.check()
        cls.check_lesson_caps(lessons, counted)
        cls.check_curriculum_hours(
            [d for d in declarations if d.kind == 'acts'], counted)
        Line.compute_amounts(
            [line for d in declarations for line in d.lines])

    @property
    def yearly(self):
        """An external tutor declares the students followed and a
        curriculum-group member the hours of work once per academic year
        (vademecum §I.10; RULES.md §C.14 2.)"""
        if self.kind == 'lessons':
            return self.contract.role == 'tutor'
        return self.member.body.body_type.code == 'curriculum_group'

    def period(self):
        "The first and last day of service the declaration covers"
        return declared_period(self.month, self.yearly)

    def check_once_a_year(self):
        "Refuse a second yearly declaration of the same person and year"
        if not self.yearly:
            return
        start, end = self.period()
        if self.kind == 'lessons':
            same = [('contract', '=', self.contract.id)]
        else:
            same = [('member', '=', self.member.id)]
        others = self.search(same + [
                ('id', '!=', self.id),
                ('month', '>=', start), ('month', '<=', end),
                ('state', '!=', 'draft'),
                ], limit=1)
        if others:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_declaration_once_a_year',
                    declaration=self.rec_name, other=others[0].rec_name))

    @classmethod
    def check_curriculum_hours(cls, declarations, counted=COUNTED_STATES):
        """The hours of work declared by a curriculum-group member in an
        academic year stay within the hours of the group's recap, whose
        caps Annex E sets (RULES.md §C.2, §K.6)"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        Work = pool.get('bts.jury.work')
        for declaration in declarations:
            if not declaration.yearly:
                continue
            member = declaration.member
            start, end = declaration.period()
            lines = Line.search([
                    ('declaration.member.party', '=', member.party.id),
                    ('declaration.member.body.programme', '=',
                        member.body.programme.id),
                    ('act.unit', '=', 'hour'),
                    ('date', '>=', start), ('date', '<=', end),
                    ['OR',
                        ('declaration.state', 'in', counted),
                        ('declaration', '=', declaration.id),
                        ],
                    ])
            declared = sum(line.quantity for line in lines)
            recorded = sum(Work.total_hours(member.body.programme, kind,
                    start, end, party=member.party)
                for kind, _ in WORK_KINDS)
            if declared > recorded:
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_declaration_curriculum_hours',
                        member=member.party.rec_name, declared=declared,
                        recorded=recorded, year=f'{start.year}/{end.year}'))

    @classmethod
    def declared(cls, role, counted, exclude=(), **criteria):
        """Return the declared lessons of role per programme code, of the
        declarations in the counted states matching criteria (party,
        academic_year, semester, programme)"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        Contract = pool.get('bts.contract')
        Programme = pool.get('bts.programme')
        declaration, line = cls.__table__(), Line.__table__()
        contract, programme = Contract.__table__(), Programme.__table__()
        roles = role if isinstance(role, tuple) else (role,)
        where = (declaration.state.in_(counted)
            & contract.role.in_(roles))
        for name, value in criteria.items():
            column = (line.semester if name == 'semester'
                else line.academic_year if name == 'academic_year'
                else getattr(contract, name))
            where &= column == value.id
        if exclude:
            where &= ~declaration.id.in_([d.id for d in exclude])
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(declaration,
                condition=line.declaration == declaration.id
                ).join(contract,
                condition=declaration.contract == contract.id
                ).join(programme,
                condition=contract.programme == programme.id
                ).select(programme.code, Sum(line.quantity),
                where=where, group_by=[programme.code]))
        return {code: counted_lessons(quantity)
            for code, quantity in cursor}

    @classmethod
    def check_lesson_caps(cls, declarations, counted=COUNTED_STATES):
        """The caps of art. 9(2), on declared lessons, with the functions
        the contracts use; a lesson counts in the academic year and the
        semester of its date (RULES.md §H.3)"""
        requested = defaultdict(lambda: defaultdict(Decimal))
        share = defaultdict(lambda: defaultdict(Decimal))
        for declaration in declarations:
            contract = declaration.contract
            for line in declaration.lines:
                for key in [
                        ('year', contract.role, contract.party,
                            line.academic_year),
                        ('semester', contract.role, contract.party,
                            line.semester),
                        ('share', contract.role, contract.programme,
                            line.academic_year)]:
                    requested[key][contract.programme.code] += (
                        line.quantity)
        for (scope, role, subject, period), lessons in requested.items():
            if scope == 'year' and role == 'external':
                caps.check_external_year(subject, period,
                    cls.declared('external', counted, exclude=declarations,
                        party=subject, academic_year=period),
                    _counted(lessons))
            elif scope == 'semester' and role == 'specialised':
                caps.check_specialised_semester(subject, period,
                    cls.declared('specialised', counted,
                        exclude=declarations,
                        party=subject, semester=period), _counted(lessons))
            elif scope == 'share' and role in SHARE_ROLES:
                for code, quantity in lessons.items():
                    share[(subject, period)][code] += quantity
        for (programme, year), lessons in share.items():
            caps.check_external_share(programme, year,
                cls.declared(SHARE_ROLES, counted, exclude=declarations,
                    programme=programme, academic_year=year),
                _counted(lessons))

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, declarations):
        """A body's act declarations go together with their body
        submission (vademecum §I, principes généraux)"""
        for declaration in declarations:
            if declaration.kind != 'acts':
                continue
            submission = declaration.submission
            if (not submission
                    or not set(submission.drafts) <= set(declarations)):
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_declaration_act_alone',
                        declaration=declaration.rec_name,
                        body=declaration.member.body.rec_name))
        cls.check(declarations)
        cls._stamp(declarations, 'submitted')

    @classmethod
    @ModelView.button
    @Workflow.transition('countersigned')
    def countersign(cls, declarations):
        cls._stamp(declarations, 'countersigned')

    @classmethod
    @ModelView.button
    @Workflow.transition('verified')
    def verify(cls, declarations):
        cls._stamp(declarations, 'verified')

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, declarations):
        cls.check(declarations, APPROVED_STATES)
        cls._stamp(declarations, 'approved')

    @classmethod
    @ModelView.button_action('bts_indemnity.wizard_declaration_reject')
    def reject(cls, declarations):
        pass

    @classmethod
    @Workflow.transition('draft')
    def reset(cls, declarations, reason):
        "Back to draft with the mandatory reason"
        if not (reason or '').strip():
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_declaration_reason_missing'))
        cls.write(declarations, {
                'rejection_reason': reason,
                'submitted_by': None, 'submitted_on': None,
                'countersigned_by': None, 'countersigned_on': None,
                'verified_by': None, 'verified_on': None,
                'approved_by': None, 'approved_on': None,
                })


class DeclarationLine(ClientGuardMixin, ModelSQL, ModelView):
    """A line of a declaration: a date of service and its quantity, with the
    rate at index 100, the index in force on the index date, the euro rate
    and the amount, stored so that later index changes never alter it
    (RULES.md §K.1, §K.14)"""
    __name__ = 'bts.declaration.line'
    __string__ = "Declaration Line"
    _guard_parent = ('declaration', 'lines')
    declaration = fields.Many2One(
        'bts.declaration', "Declaration", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    course = fields.Many2One(
        'bts.programme.course', "Course", ondelete='RESTRICT',
        states={
            'required': Eval('_parent_declaration', {}).get(
                'kind') == 'lessons',
            })
    act = fields.Many2One(
        'bts.jury.act', "Act", ondelete='RESTRICT',
        states={
            'required': Eval('_parent_declaration', {}).get(
                'kind') == 'acts',
            })
    test_hours = fields.Numeric(
        "Length of the Test (Hours)", digits=(4, 1),
        domain=[If(Eval('test_hours'), ('test_hours', '>', 0), ())],
        states={'invisible': ~Eval('correction', False)},
        help="The length of the written test corrected: its correction act "
        "follows from it (up to 2 hours, up to 3 hours, longer).")
    correction = fields.Function(
        fields.Boolean("Correction of a Written Test"),
        'on_change_with_correction')
    sitting = fields.Many2One(
        'bts.jury.sitting', "Sitting", ondelete='RESTRICT',
        domain=[If(Eval('sitting'), ('state', '=', 'recorded'), ())],
        help="The recorded sitting attended: required for the acts paid "
        "per meeting, decision, semester or year.")
    candidate = fields.Many2One(
        'party.party', "Candidate or Student", ondelete='RESTRICT',
        help="The person evaluated, for the acts per candidate, test, file "
        "or student.")
    quantity = fields.Numeric(
        "Quantity", digits=(16, 2), required=True,
        domain=[('quantity', '>', 0)],
        help="Lessons, hours, candidates, tests, files, students, decisions "
        "or meetings, as the unit of the rate says; only hours may have "
        "decimals.")
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", readonly=True)
    semester = fields.Many2One('bts.semester', "Semester", readonly=True)
    rate = fields.Numeric("Rate at Index 100", digits=(16, 3), readonly=True)
    index_date = fields.Date(
        "Index Date", readonly=True,
        help="The day whose index applies: the date of service, the end of "
        "the semester of a semestrial act, the end of the academic year of "
        "an annual act or of a tutor's students.")
    index = fields.Numeric("Index", digits=(16, 2), readonly=True)
    euro_rate = fields.Numeric("Rate in Euros", digits=(16, 2), readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('declaration')
        cls._order.insert(0, ('date', 'ASC'))

    @classmethod
    def preprocess_values(cls, mode, values):
        "The academic year and semester of the date of service (art. 1, 4°)"
        pool = Pool()
        AcademicYear = pool.get('bts.academic_year')
        Semester = pool.get('bts.semester')
        values = super().preprocess_values(mode, values)
        if values.get('date'):
            values['academic_year'] = AcademicYear.find(values['date']).id
            values['semester'] = Semester.find(values['date']).id
        return values

    @fields.depends('act')
    def on_change_with_correction(self, name=None):
        return bool(self.act and self.act.correction)

    @fields.depends('test_hours', 'date', 'act')
    def on_change_test_hours(self):
        "The correction act of the test's length (Annex E; RULES.md §K.5)"
        Act = Pool().get('bts.jury.act')
        if (self.test_hours and self.test_hours > 0 and self.date
                and (not self.act or self.act.correction)):
            self.act = Act.correction_act(self.test_hours, self.date)

    @classmethod
    def validate(cls, lines):
        "What a line must be when it is entered"
        super().validate(lines)
        for line in lines:
            line.check_entry()

    def check_entry(self):
        """The checks of a line when it is entered, again on submission and
        approval"""
        self.check_whole()
        declaration = self.declaration
        if declaration.kind == 'acts' and self.act and declaration.member:
            self.check_claimant()
            self.check_test_length()

    @property
    def whole(self):
        """Whether the quantity is counted in whole units: lessons, students
        and every act but those paid by the hour (RULES.md §B.4, §K.2)"""
        if self.declaration.kind == 'acts':
            return not self.act or self.act.whole
        contract = self.declaration.contract
        return not contract or RATE_UNITS.get(
            contract.role, 'lesson') != 'hour'

    def check_whole(self):
        "Lessons are whole: only hours may have decimals"
        quantity = self.quantity
        if (self.whole and quantity is not None
                and quantity != quantity.to_integral_value()):
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_whole',
                    line=self.rec_name, quantity=counted_lessons(quantity)))

    def check_claimant(self):
        """Only the roles of Annex E's row claim an act: the commissioner's
        rate replaces the member's (E12, not E11), the promoter's is not a
        member's (E14, not E13) (RULES.md §C.6, §C.7, §C.13, §K.5)"""
        member, act = self.declaration.member, self.act
        if act.claimable_by(member.role):
            return
        body_type = act.body_type
        raise DeclarationError(gettext(
                'bts_indemnity.msg_line_act_role',
                member=member.rec_name, act=act.rec_name,
                roles=', '.join(label for role, label in act.fields_get(
                        ['claimant_roles'])['claimant_roles']['selection']
                    if act.claimable_by(role)) or '-',
                legal_reference=(body_type.legal_reference
                    or 'law of 21 July 2023')))

    def check_test_length(self):
        """The correction of a written test is paid by the test's length:
        up to 2 hours, up to 3 hours, longer (Annex E; RULES.md §K.5)"""
        Act = Pool().get('bts.jury.act')
        act = self.act
        if not act.correction:
            return
        if not self.test_hours:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_test_hours_missing',
                    line=self.rec_name, act=act.rec_name))
        expected = Act.correction_act(self.test_hours, self.date)
        if expected != act:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_test_hours_act',
                    line=self.rec_name, act=act.rec_name,
                    hours=counted_lessons(self.test_hours),
                    expected=expected.rec_name if expected else '-'))

    def check(self):
        declaration = self.declaration
        start, end = declaration.period()
        if not (start <= self.date <= end):
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_outside_period',
                    line=self.rec_name, start=start, end=end))
        self.check_entry()
        if declaration.kind == 'lessons':
            self.check_lessons()
        else:
            self.check_act()

    def check_lessons(self):
        """Lessons only within an active contract's dates and planned
        lessons (vademecum §II.4); beyond them an amendment is needed"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        contract = self.declaration.contract
        if (contract.state != 'active'
                or not (contract.start_date <= self.date
                    <= contract.end_date)):
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_outside_contract',
                    line=self.rec_name, contract=contract.rec_name,
                    start=contract.start_date, end=contract.end_date))
        contract.programme.check_running(self.date, courses=[self.course])
        planned = sum(line.quantity for line in contract.lines
            if line.course == self.course)
        declared = sum(line.quantity for line in Line.search([
                    ('declaration.contract', '=', contract.id),
                    ['OR',
                        ('declaration.state', 'in', COUNTED_STATES),
                        ('declaration', '=', self.declaration.id),
                        ],
                    ('course', '=', self.course.id),
                    ]))
        if declared > planned:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_beyond_plan',
                    course=self.course.rec_name, contract=contract.rec_name,
                    declared=counted_lessons(declared), planned=planned))

    def check_act(self):
        """Acts only by members of the body with a legal basis (§K.10), of
        their role (§K.5), for sittings they attended, without conflict of
        interest"""
        member = self.declaration.member
        body = member.body
        if body.state != 'nominated' or not member.legal_basis:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_member_not_nominated',
                    member=member.rec_name, body=body.rec_name))
        if self.act.body_type != body.body_type:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_act_body',
                    act=self.act.rec_name, body=body.rec_name))
        if body.programme and body.body_type.code not in PREPARING:
            body.programme.check_running(self.date)
        self.check_sitting()
        if self.candidate and body.body_type.conflicts_apply:
            degree = kinship_degree(member.party, self.candidate)
            if degree is not None:
                raise ConflictOfInterestError(gettext(
                        'bts_indemnity.msg_line_conflict',
                        member=member.party.rec_name,
                        student=self.candidate.rec_name, degree=degree))
        self.check_once_per_period()

    def act_period(self):
        """The first and last day of the sitting that attests the act: the
        line's semester or academic year for the acts paid per semester or
        year, the line's date for the others"""
        unit = self.act.unit
        if unit == 'semester':
            return (self.semester.start_date, self.semester.end_date,
                self.semester.rec_name)
        if unit == 'year':
            return (self.academic_year.start_date,
                self.academic_year.end_date, self.academic_year.rec_name)
        return self.date, self.date, str(self.date)

    def check_sitting(self):
        """An act paid per meeting, decision, semester or year needs a
        recorded sitting of the body in its period, with the member on the
        attendance list (vademecum §I, principes généraux; RULES.md §C.0,
        §C.14); a meeting is paid once, the decisions taken at most"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        member, act, sitting = (
            self.declaration.member, self.act, self.sitting)
        start, end, period = self.act_period()
        if (sitting.body != member.body or sitting.state != 'recorded'
                if sitting else act.needs_sitting):
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_sitting_missing',
                    line=self.rec_name, act=act.rec_name,
                    body=member.body.rec_name, period=period,
                    member=member.rec_name))
        if not sitting:
            return
        if member not in sitting.attendees:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_not_attended',
                    member=member.rec_name, sitting=sitting.rec_name))
        if act.sitting_kind and sitting.kind != act.sitting_kind:
            kinds = dict(act.fields_get(
                    ['sitting_kind'])['sitting_kind']['selection'])
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_sitting_kind',
                    line=self.rec_name, act=act.rec_name,
                    sitting=sitting.rec_name,
                    kind=kinds[act.sitting_kind]))
        if act.needs_sitting and not (start <= sitting.date <= end):
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_sitting_period',
                    line=self.rec_name, act=act.rec_name,
                    sitting=sitting.rec_name, period=period))
        if act.unit in {'meeting', 'decision'}:
            limit = (1 if act.unit == 'meeting'
                else len(sitting.decisions))
            declared = sum(line.quantity for line in Line.search([
                        ('sitting', '=', sitting.id),
                        ('act.code', '=', act.code),
                        ('declaration.member', '=', member.id),
                        ['OR',
                            ('declaration.state', 'in', COUNTED_STATES),
                            ('declaration', '=', self.declaration.id),
                            ],
                        ]))
            if declared > limit:
                raise DeclarationError(gettext(
                        f'bts_indemnity.msg_line_sitting_{act.unit}s',
                        member=member.rec_name, act=act.rec_name,
                        sitting=sitting.rec_name,
                        declared=counted_lessons(declared), limit=limit))

    def check_once_per_period(self):
        """An annual act is paid once per member of a body and academic
        year, a semestrial act once per semester: a person on two bodies is
        paid on each (RULES.md §C.13: E7, E11, E12)"""
        Line = Pool().get('bts.declaration.line')
        if not self.act.once_per_period:
            return
        period = ('academic_year', self.academic_year) \
            if self.act.unit == 'year' else ('semester', self.semester)
        others = Line.search([
                ('id', '!=', self.id),
                ('act.code', '=', self.act.code),
                ('declaration.member', '=', self.declaration.member.id),
                (period[0], '=', period[1].id),
                ['OR',
                    ('declaration.state', 'in', COUNTED_STATES),
                    ('declaration', '=', self.declaration.id),
                    ],
                ], limit=1)
        if self.quantity != 1 or others:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_once_per_period',
                    line=self.rec_name, act=self.act.rec_name,
                    period=period[1].rec_name))

    def get_rec_name(self, name):
        return f'{self.declaration.rec_name} {self.date}'

    def rate_at_index_100(self):
        "The rate of the line's unit: the contract line's or the act's"
        declaration = self.declaration
        if declaration.kind == 'acts':
            return self.act.amount
        for line in declaration.contract.lines:
            if line.course == self.course:
                return line.rate_amount

    def get_index_date(self):
        """The day whose index applies: the end of the semester of a
        semestrial act, the end of the academic year of an annual act and
        of a tutor's students of the year, else the date of service
        (RULES.md §K.1)"""
        declaration = self.declaration
        if declaration.kind == 'acts':
            unit = self.act.unit
        else:
            unit = 'year' if declaration.yearly else None
        if unit == 'semester':
            return self.semester.end_date
        if unit == 'year':
            return self.academic_year.end_date
        return self.date

    @classmethod
    def compute_amounts(cls, lines):
        """Store the rate at index 100, the index date and its index, the
        euro rate and the amount, each rounded half-up to the cent by the
        wage index (RULES.md §K.1, §D.3)"""
        WageIndex = Pool().get('bts.wage_index')
        for line in lines:
            line.rate = line.rate_at_index_100()
            line.index_date = line.get_index_date()
            line.index, line.euro_rate, line.amount = WageIndex.line_amount(
                line.rate, line.quantity, line.index_date)
        cls.save(lines)


class RejectStart(ModelView):
    "Reject a declaration: the reason"
    __name__ = 'bts.declaration.reject.start'
    __string__ = "Reject Declaration"
    reason = fields.Text("Reason", required=True)


class Reject(Wizard):
    "Reject declarations back to draft with a mandatory reason"
    __name__ = 'bts.declaration.reject'
    start = StateView('bts.declaration.reject.start',
        'bts_indemnity.declaration_reject_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Reject", 'reject', 'tryton-ok', default=True),
            ])
    reject = StateTransition()

    def transition_reject(self):
        self.model.reset(self.records, self.start.reason)
        return 'end'
