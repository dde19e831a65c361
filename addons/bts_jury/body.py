# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from collections import Counter

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin,
    ModelSQL,
    ModelView,
    Unique,
    Workflow,
    fields,
)
from trytond.modules.bts_programme.academic_year import (
    day_of_month,
    window_end,
)
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import without_check_access

from .exceptions import CompositionError, MembershipError

# The body types that prepare a programme's accreditation, before it
# runs (art. 5(1)), and those that admit new students.
PREPARING = {'curriculum_group', 'coordinator'}
ADMITTING = {'admission', 'vae'}
ROLES = [
    ('president', "President"),
    ('secretary', "Secretary"),
    ('member', "Member"),
    ('direction', "Member of the Lycée Direction"),
    ('substitute', "Substitute"),
    ('government_commissioner', "Government Commissioner"),
    ('coordinator', "Coordinator"),
    ('teacher', "Teacher"),
    ('expert', "Professional Expert"),
    ('promoter', "Promoter"),
    ('tutor', "Tutor"),
    ]
# The teaching body of a programme: lycée teachers, external and specialised
# lecturers (art. 9(1)); auxiliaries and tutors are not part of it.
TEACHING_ROLES = ('teacher', 'external', 'specialised')
SCOPES = [
    ('programme', "Programme"),
    ('lycee', "Lycée"),
    ('national', "National"),
    ]


class BodyType(DeactivableMixin, ModelSQL, ModelView):
    """Kind of group, commission or jury with its composition rule, who
    presides, who nominates, its mandate and its proposal deadline (law of
    21 July 2023, arts. 5-23; vademecum §I)."""
    __name__ = 'bts.jury.body_type'
    __string__ = "Body Type"
    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    scope = fields.Selection(SCOPES, "Scope", required=True)
    presiding_role = fields.Selection(
        [(None, '')] + ROLES, "Presided by",
        help="The role whose holder presides the body.")
    nominated_by = fields.Selection([
            ('minister', "Minister, on the Director's Proposal"),
            ('minister_direct', "Minister Directly"),
            ('director', "Lycée Director"),
            ], "Nominated by", required=True)
    mandate_months = fields.Integer("Mandate (Months)", required=True)
    proposal_month = fields.Integer(
        "Proposal Deadline Month",
        domain=['OR',
            ('proposal_month', '=', None),
            [('proposal_month', '>=', 1), ('proposal_month', '<=', 12)],
            ],
        help="Proposals are due by this day and month of the first year of "
        "the mandate (vademecum §I, principes généraux).")
    proposal_day = fields.Integer(
        "Proposal Deadline Day",
        domain=['OR',
            ('proposal_day', '=', None),
            [('proposal_day', '>=', 1), ('proposal_day', '<=', 31)],
            ],
        help="A day the month does not have in a year (29 February) is "
        "the last day of that month.")
    evaluates = fields.Boolean(
        "Evaluates Students",
        help="A specialised lecturer cannot be a member (art. 9(1) 2°).")
    conflicts_apply = fields.Boolean(
        "Conflicts of Interest Apply",
        help="Members may not act for their spouse, partner or relatives "
        "and in-laws up to the 4th degree (all bodies but the curriculum "
        "group).")
    quorum = fields.Integer(
        "Quorum", help="Members present for a valid deliberation.")
    concurring = fields.Integer(
        "Concurring Members Needed",
        help="Members who must agree for a decision; empty: simple "
        "majority with the president's casting vote.")
    president_not_director = fields.Boolean(
        "Presided by Another than the Director",
        help="The member who presides belongs to the lycée direction but "
        "is not the director of the lycée (litigation commission, "
        "art. 23(2) 1°).")
    teaching_body_minimum = fields.Integer(
        "Members of the Teaching Body",
        help="How many members at least belong to the teaching body of the "
        "programme in the academic year: lycée teachers, external or "
        "specialised lecturers (TFE commission: 1, art. 7(2)).")
    teachers_outside_bts = fields.Boolean(
        "Teachers outside the BTS",
        help="Stricter policy of the vademecum (§I.8, \"au moins 2 "
        "enseignants hors programme BTS\"): the teachers the composition "
        "requires teach in no BTS programme that academic year. Off by "
        "default: the law (art. 23(2)) asks for teachers and bars only the "
        "teaching body of the programme concerned, case by case.")
    no_abstention = fields.Boolean(
        "No Abstention",
        help="Every member present votes for or against a decision "
        "(admission commission, vademecum §I.3 a)).")
    rules = fields.One2Many(
        'bts.jury.body_type.rule', 'body_type', "Composition")
    legal_reference = fields.Char("Legal Reference", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'bts_jury.msg_body_type_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    def composition_errors(self, members):
        """Return what is missing or too many in members per the rules; a
        rule counts the members of its role and of its other roles"""
        Member = Pool().get('bts.jury.member')
        roles = dict(Member.fields_get(['role'])['role']['selection'])
        counts = Counter(m.role for m in members)
        errors, expected = [], set()
        for rule in self.rules:
            rule_roles = [rule.role] + [
                r for r in (rule.other_roles or ()) if r != rule.role]
            expected.update(rule_roles)
            count = sum(counts[r] for r in rule_roles)
            label = ', '.join(roles[r] for r in rule_roles)
            if count < rule.minimum:
                errors.append(gettext(
                        'bts_jury.msg_composition_missing',
                        role=label, count=count, minimum=rule.minimum))
            if rule.maximum is not None and count > rule.maximum:
                errors.append(gettext(
                        'bts_jury.msg_composition_too_many',
                        role=label, count=count, maximum=rule.maximum))
        for role, count in counts.items():
            if role not in expected:
                errors.append(gettext(
                        'bts_jury.msg_composition_unexpected',
                        role=roles[role], count=count))
        return errors


class BodyTypeRule(ModelSQL, ModelView):
    "How many members of a role a body type has"
    __name__ = 'bts.jury.body_type.rule'
    __string__ = "Composition Rule"
    body_type = fields.Many2One(
        'bts.jury.body_type', "Body Type", required=True, ondelete='CASCADE')
    role = fields.Selection(ROLES, "Role", required=True)
    role_string = role.translated('role')
    minimum = fields.Integer("Minimum", required=True)
    maximum = fields.Integer("Maximum", help="Empty for no maximum.")
    other_roles = fields.MultiSelection(
        ROLES, "Counted with",
        help="Members of these roles count in this rule too (litigation "
        "commission: four members of the lycée staff, teachers included).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('body_type')


class Body(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """A group, commission or jury of a programme, a lycée or the whole
    country, for the academic year its mandate starts"""
    __name__ = 'bts.jury.body'
    __string__ = "Body"
    _states = {'readonly': Eval('state') != 'draft'}
    body_type = fields.Many2One(
        'bts.jury.body_type', "Type", required=True, ondelete='RESTRICT',
        states=_states)
    scope = fields.Function(
        fields.Selection(SCOPES, "Scope"), 'on_change_with_scope')
    programme = fields.Many2One(
        'bts.programme', "Programme", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'required': Eval('scope') == 'programme',
            'invisible': Eval('scope') != 'programme',
            })
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'required': Eval('scope') == 'lycee',
            'invisible': Eval('scope') == 'national',
            })
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT', states=_states,
        help="The academic year the mandate starts.")
    mandate_end = fields.Function(
        fields.Date("Mandate End"), 'on_change_with_mandate_end')
    members = fields.One2Many(
        'bts.jury.member', 'body', "Members", states=_states)
    proposal_date = fields.Date(
        "Proposal Date", states=_states,
        help="The day the director sent the nomination proposal.")
    proposal_deadline = fields.Function(
        fields.Date("Proposal Deadline"), 'on_change_with_proposal_deadline')
    late = fields.Function(fields.Boolean("Late Proposal"), 'get_late')
    decree_reference = fields.Char(
        "Ministerial Decree", states={
            'readonly': Eval('state') == 'nominated',
            })
    decree_date = fields.Date(
        "Decree Date", states={
            'readonly': Eval('state') == 'nominated',
            'required': Bool(Eval('decree_reference')),
            })
    complete = fields.Function(
        fields.Boolean("Complete"), 'get_complete')
    sittings = fields.One2Many(
        'bts.jury.sitting', 'body', "Sittings", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('proposed', "Proposed"),
            ('nominated', "Nominated"),
            ], "State", readonly=True, required=True)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('academic_year', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'proposed'),
            ('proposed', 'draft'),
            ('proposed', 'nominated'),
            ('draft', 'nominated'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'proposed',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'propose': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'nominate': {
                    'invisible': Eval('state') == 'nominated',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        where = (self.programme or self.lycee)
        where = f' {where.rec_name}' if where else ''
        return (f'{self.body_type.name}{where} '
            f'{self.academic_year.name}')

    @fields.depends('body_type')
    def on_change_with_scope(self, name=None):
        return self.body_type.scope if self.body_type else None

    @fields.depends('body_type', 'academic_year')
    def on_change_with_mandate_end(self, name=None):
        "The day before the same date mandate months later (RULES.md §K.16)"
        if (self.body_type and self.academic_year
                and self.body_type.mandate_months):
            return window_end(self.academic_year.start_date,
                self.body_type.mandate_months)

    @fields.depends('body_type', 'academic_year')
    def on_change_with_proposal_deadline(self, name=None):
        """Vademecum §I: 15 September for litigation, 15 October otherwise;
        a day the month lacks that year is its last day"""
        if (self.body_type and self.academic_year
                and self.body_type.proposal_month):
            return day_of_month(self.academic_year.start_date.year,
                self.body_type.proposal_month,
                self.body_type.proposal_day or 1)

    def get_late(self, name):
        return bool(self.proposal_date and self.proposal_deadline
            and self.proposal_date > self.proposal_deadline)

    def get_complete(self, name):
        return not self.composition_errors()

    def composition_errors(self):
        """Return what the members lack per the rules of the body type, who
        presides and the teaching body (arts. 7(2), 23(2))"""
        body_type = self.body_type
        errors = body_type.composition_errors(self.members)
        if body_type.president_not_director:
            lycees = [self.lycee] if self.lycee else (
                self.programme.lycees if self.programme else [])
            directors = {y.director for y in lycees if y.director}
            for member in self.members:
                if (member.role == body_type.presiding_role
                        and member.party in directors):
                    errors.append(gettext(
                            'bts_jury.msg_composition_director',
                            member=member.party.rec_name,
                            role=member.role_string))
        if body_type.teaching_body_minimum and self.programme:
            teaching = self.teaching_body(programme=self.programme)
            count = len({m.party for m in self.members} & teaching)
            if count < body_type.teaching_body_minimum:
                errors.append(gettext(
                        'bts_jury.msg_composition_teaching_body',
                        count=count, minimum=body_type.teaching_body_minimum,
                        programme=self.programme.rec_name,
                        year=self.academic_year.rec_name))
        if body_type.teachers_outside_bts:
            minimum = max((r.minimum for r in body_type.rules
                    if r.role == 'teacher'), default=0)
            teaching = self.teaching_body()
            count = len({m.party for m in self.members
                    if m.role == 'teacher'} - teaching)
            if count < minimum:
                errors.append(gettext(
                        'bts_jury.msg_composition_teachers_outside_bts',
                        count=count, minimum=minimum,
                        year=self.academic_year.rec_name))
        return errors

    def teaching_body(self, programme=None):
        """Return the persons of the teaching body in the academic year, of
        programme or of every BTS programme"""
        TeachingBody = Pool().get('bts.teaching_body')
        domain = [
            ('academic_year', '=', self.academic_year.id),
            ('role', 'in', TEACHING_ROLES),
            ]
        if programme:
            domain.append(('programme', '=', programme.id))
        with without_check_access():
            return {t.party for t in TeachingBody.search(domain)}

    @classmethod
    def check_composition(cls, bodies):
        for body in bodies:
            if errors := body.composition_errors():
                raise CompositionError(gettext(
                        'bts_jury.msg_composition_invalid',
                        body=body.rec_name,
                        legal_reference=body.body_type.legal_reference or '',
                        errors='\n'.join(f'- {e}' for e in errors)))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, bodies):
        pass

    def check_programme_running(self):
        """A body of a programme sits only while the programme runs
        (law of 21 July 2023, art. 35): a curriculum group and a
        coordinator prepare the accreditation before it; a body that admits
        new students needs the first study year, which a teach-out no
        longer opens (art. 41(2))"""
        if not self.programme or self.body_type.code in PREPARING:
            return
        study_years = self.programme.check_running(self.academic_year)
        if self.body_type.code in ADMITTING and '1' not in study_years:
            raise CompositionError(gettext(
                    'bts_jury.msg_body_no_admission',
                    body=self.rec_name,
                    programme=self.programme.rec_name,
                    year=self.academic_year.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('proposed')
    def propose(cls, bodies):
        Date = Pool().get('ir.date')
        for body in bodies:
            body.check_programme_running()
        cls.check_composition(bodies)
        for body in bodies:
            if not body.proposal_date:
                body.proposal_date = Date.today()
        cls.save(bodies)

    @classmethod
    @ModelView.button
    @Workflow.transition('nominated')
    def nominate(cls, bodies):
        for body in bodies:
            body.check_programme_running()
        cls.check_composition(bodies)
        Member = Pool().get('bts.jury.member')
        for body in bodies:
            if body.body_type.nominated_by != 'director' and not (
                    body.decree_reference and body.decree_date):
                raise CompositionError(gettext(
                        'bts_jury.msg_body_decree_missing',
                        body=body.rec_name))
        Member.check_legal_basis([m for b in bodies for m in b.members])


class Member(ClientGuardMixin, ModelSQL, ModelView):
    """Membership of a person in a body with a role and its legal basis: the
    ministerial decree or, where the law lets the director designate, the
    director's designation (vademecum §I; RULES.md §K.10)"""
    __name__ = 'bts.jury.member'
    __string__ = "Body Member"
    _guard_parent = ('body', 'members')
    body = fields.Many2One(
        'bts.jury.body', "Body", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Person", required=True, ondelete='RESTRICT')
    role = fields.Selection(ROLES, "Role", required=True)
    role_string = role.translated('role')
    legal_basis = fields.Selection([
            (None, ''),
            ('decree', "Ministerial Decree"),
            ('designation', "Director's Designation"),
            ], "Legal Basis")
    legal_reference = fields.Char(
        "Reference", states={'required': Bool(Eval('legal_basis'))},
        help="The decree or designation reference.")
    legal_date = fields.Date(
        "Date", states={'required': Bool(Eval('legal_basis'))})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('body')

    def get_rec_name(self, name):
        return f'{self.party.rec_name} ({self.role_string})'

    @classmethod
    def validate(cls, members):
        super().validate(members)
        cls.check_specialised_lecturer(members)

    @classmethod
    def check_specialised_lecturer(cls, members):
        """A specialised lecturer never takes part in evaluating students
        (law of 21 July 2023, art. 9(1) 2°)"""
        TeachingBody = Pool().get('bts.teaching_body')
        for member in members:
            body = member.body
            if not body.body_type.evaluates or not body.programme:
                continue
            roles = {r.role for r in TeachingBody.search([
                        ('party', '=', member.party.id),
                        ('programme', '=', body.programme.id),
                        ('academic_year', '=', body.academic_year.id),
                        ])}
            if 'specialised' in roles and not roles & {'teacher', 'external'}:
                raise MembershipError(gettext(
                        'bts_jury.msg_member_specialised',
                        party=member.party.rec_name, body=body.rec_name))

    @classmethod
    def check_legal_basis(cls, members):
        "Only nominated or designated people can be paid (§K.10)"
        for member in members:
            nominated_by = member.body.body_type.nominated_by
            expected = ('designation' if nominated_by == 'director'
                else 'decree')
            if member.legal_basis != expected:
                raise MembershipError(gettext(
                        f'bts_jury.msg_member_{expected}_missing',
                        member=member.rec_name, body=member.body.rec_name))
