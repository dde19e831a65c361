# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from collections import defaultdict

from sql.aggregate import Sum
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import (
    Exclude,
    ModelSQL,
    ModelView,
    Workflow,
    fields,
    sequence_ordered,
)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import reduce_ids
from trytond.transaction import Transaction

from . import caps
from .exceptions import ContractError
from .guard import ClientGuardMixin
from .rate import KINDS as RATE_KINDS

ROLES = [
    ('external', "External Lecturer (Intervenant externe)"),
    ('specialised', "Specialised Lecturer (Conférencier spécialisé)"),
    ('auxiliary', "Auxiliary Collaborator (Collaborateur auxiliaire)"),
    ('tutor', "External Tutor (Tuteur)"),
    ]
# Contracts whose lessons count against the caps.
COUNTED_STATES = ('signed', 'active', 'closed')
# Roles whose lessons count in the 40 % external share (art. 9(2) al. 4).
SHARE_ROLES = ('external', 'specialised')
_READONLY = Eval('state') != 'draft'


class Contract(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Contract of an external provider: one per provider, programme and
    academic year (vademecum §II.4; RULES.md §K.13), changed only by
    numbered amendments (avenants)."""
    __name__ = 'bts.contract'
    __string__ = "Contract"
    party = fields.Many2One(
        'party.party', "Provider", required=True, ondelete='RESTRICT',
        states={'readonly': _READONLY})
    role = fields.Selection(
        ROLES, "Role", required=True, states={'readonly': _READONLY})
    role_string = role.translated('role')
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, ondelete='RESTRICT',
        states={'readonly': _READONLY})
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='RESTRICT',
        domain=[('programmes', '=', Eval('programme', -1))],
        states={'readonly': _READONLY})
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT', states={'readonly': _READONLY})
    start_date = fields.Date(
        "Start Date", required=True, states={'readonly': _READONLY},
        help="The day of the first service.")
    end_date = fields.Date(
        "End Date", required=True, states={'readonly': _READONLY},
        domain=[('end_date', '>=', Eval('start_date'))])
    professional_milieu = fields.Char(
        "Professional Milieu", states={'readonly': _READONLY},
        help="The professional setting the provider comes from "
        "(art. 9(1)).")
    provider_signature_date = fields.Date(
        "Signed by the Provider",
        states={'readonly': Eval('state').in_(['active', 'closed'])})
    director_signature_date = fields.Date(
        "Signed by the Director",
        states={'readonly': Eval('state').in_(['active', 'closed'])})
    minister_signature_date = fields.Date(
        "Signed by the Minister's Representative",
        states={'readonly': Eval('state').in_(['active', 'closed'])})
    late_signature_justification = fields.Text(
        "Justification of a Late Signature",
        states={'readonly': Eval('state').in_(['active', 'closed'])},
        help="The duly motivated exceptional case in which the minister's "
        "representative signs on or after the first day of service "
        "(vademecum §II.4).")
    lines = fields.One2Many(
        'bts.contract.line', 'contract', "Lines",
        states={'readonly': _READONLY})
    quantity = fields.Function(
        fields.Integer("Planned Quantity"), 'get_quantity')
    version = fields.Integer("Version", readonly=True)
    amendments = fields.One2Many(
        'bts.contract.amendment', 'contract', "Amendments", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('signed', "Signed"),
            ('active', "Active"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('provider_programme_year_exclude', Exclude(t,
                    (t.party, Equal),
                    (t.programme, Equal),
                    (t.academic_year, Equal),
                    where=t.state != 'cancelled'),
                'bts_programme.msg_contract_unique'),
            ]
        cls._order = [('academic_year', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'signed'),
            ('signed', 'draft'),
            ('signed', 'active'),
            ('active', 'closed'),
            ('draft', 'cancelled'),
            ('signed', 'cancelled'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'signed',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'sign': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'activate': {
                    'invisible': Eval('state') != 'signed',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'active',
                    'icon': 'tryton-archive',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'signed']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_version(cls):
        return 1

    @classmethod
    def default_role(cls):
        return 'external'

    def get_rec_name(self, name):
        return (f'{self.party.rec_name} - {self.programme.code} - '
            f'{self.academic_year.name}')

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('party.rec_name', operator, value),
            ('programme.rec_name', operator, value),
            ]

    def get_quantity(self, name):
        return sum(line.quantity or 0 for line in self.lines)

    @fields.depends('programme', 'lycee')
    def on_change_programme(self):
        if self.programme and len(self.programme.lycees) == 1:
            self.lycee, = self.programme.lycees

    @fields.depends('academic_year', 'start_date', 'end_date')
    def on_change_academic_year(self):
        if self.academic_year:
            self.start_date = self.start_date or self.academic_year.start_date
            self.end_date = self.end_date or self.academic_year.end_date

    @classmethod
    def validate_fields(cls, contracts, field_names):
        super().validate_fields(contracts, field_names)
        cls.check_dates(contracts, field_names)

    @classmethod
    def check_dates(cls, contracts, field_names=None):
        "The service lies inside the contract's academic year (art. 1, 4°)"
        if field_names and not (field_names & {
                    'start_date', 'end_date', 'academic_year'}):
            return
        for contract in contracts:
            year = contract.academic_year
            if not (year.start_date <= contract.start_date
                    <= contract.end_date <= year.end_date):
                raise ContractError(gettext(
                        'bts_programme.msg_contract_dates_year',
                        contract=contract.rec_name,
                        start_date=contract.start_date,
                        end_date=contract.end_date, year=year.rec_name,
                        year_start=year.start_date,
                        year_end=year.end_date))

    # Caps

    @classmethod
    def contracted(cls, role, exclude=(), **criteria):
        """Return the lessons of the counted contracts of role matching
        criteria (party, academic_year, programme, semester), per programme
        name, leaving out the contracts of exclude"""
        pool = Pool()
        Line = pool.get('bts.contract.line')
        Programme = pool.get('bts.programme')
        contract, line = cls.__table__(), Line.__table__()
        programme = Programme.__table__()
        where = (contract.state.in_(COUNTED_STATES)
            & contract.role.in_(role if isinstance(role, tuple) else (role,)))
        for name, value in criteria.items():
            column = line.semester if name == 'semester' else getattr(
                contract, name)
            where &= column == value.id
        if exclude:
            where &= ~reduce_ids(contract.id, [c.id for c in exclude])
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(contract,
                condition=line.contract == contract.id
                ).join(programme,
                condition=contract.programme == programme.id
                ).select(programme.code, Sum(line.quantity),
                where=where, group_by=[programme.code]))
        return {code: int(quantity or 0) for code, quantity in cursor}

    def requested(self, semester=None):
        "Return this contract's lessons per programme, for a semester"
        quantity = sum(line.quantity or 0 for line in self.lines
            if semester is None or line.semester == semester)
        return {self.programme.code: quantity} if quantity else {}

    @classmethod
    def check_caps(cls, contracts):
        """Check every cap of art. 9(2) on the contracts' lessons with the
        other counted contracts, under a lock of the providers and the
        programmes"""
        caps.lock([c.party for c in contracts]
            + [c.programme for c in contracts])
        for contract in contracts:
            party, year = contract.party, contract.academic_year
            if contract.role == 'external':
                caps.check_external_year(party, year,
                    cls.contracted('external', exclude=contracts,
                        party=party, academic_year=year),
                    contract.requested())
            elif contract.role == 'specialised':
                for semester in {line.semester for line in contract.lines}:
                    caps.check_specialised_semester(party, semester,
                        cls.contracted('specialised', exclude=contracts,
                            party=party, semester=semester),
                        contract.requested(semester))
            if contract.role in SHARE_ROLES:
                requested = defaultdict(int)
                for other in contracts:
                    if (other.role in SHARE_ROLES
                            and other.programme == contract.programme
                            and other.academic_year == year):
                        requested[other.party.rec_name] += other.quantity
                caps.check_external_share(contract.programme, year,
                    cls.contracted(SHARE_ROLES, exclude=contracts,
                        programme=contract.programme, academic_year=year),
                    dict(requested))

    # Workflow

    @classmethod
    def _check_signatures(cls, contracts, fields_):
        "Vademecum §II.4: no signature after the first day of service"
        for contract in contracts:
            for field in fields_:
                date = getattr(contract, field)
                label = cls.fields_get([field])[field]['string']
                if not date:
                    raise ContractError(gettext(
                            'bts_programme.msg_contract_signature_missing',
                            contract=contract.rec_name, signature=label))
                if date > contract.start_date:
                    raise ContractError(gettext(
                            'bts_programme.msg_contract_signature_late',
                            contract=contract.rec_name, signature=label,
                            date=date, start_date=contract.start_date))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, contracts):
        cls.write(contracts, {'lines': [('write', [
                            line.id for c in contracts for line in c.lines], {
                            'rate_kind': None, 'rate_amount': None})]})

    @classmethod
    @ModelView.button
    @Workflow.transition('signed')
    def sign(cls, contracts):
        pool = Pool()
        Line = pool.get('bts.contract.line')
        for contract in contracts:
            if not contract.lines:
                raise ContractError(gettext(
                        'bts_programme.msg_contract_no_line',
                        contract=contract.rec_name))
        cls._check_signatures(contracts,
            ['provider_signature_date', 'director_signature_date'])
        cls.check_caps(contracts)
        Line.set_rates([line for c in contracts for line in c.lines])

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, contracts):
        pool = Pool()
        Qualification = pool.get('bts.qualification')
        cls._check_signatures(contracts,
            ['provider_signature_date', 'director_signature_date'])
        for contract in contracts:
            if not contract.minister_signature_date:
                raise ContractError(gettext(
                        'bts_programme.msg_contract_signature_missing',
                        contract=contract.rec_name,
                        signature=cls.fields_get(
                            ['minister_signature_date'])[
                            'minister_signature_date']['string']))
            if (contract.minister_signature_date >= contract.start_date
                    and not contract.late_signature_justification):
                raise ContractError(gettext(
                        'bts_programme.msg_contract_minister_late',
                        contract=contract.rec_name,
                        date=contract.minister_signature_date,
                        start_date=contract.start_date))
            if contract.role == 'external':
                qualifications = contract.party.bts_qualifications
                for qualification in qualifications:
                    if message := qualification.missing_documents():
                        raise ContractError(message)
                if (qualifications and any(q.needs_registration
                            and not q.interim_justification
                            for q in qualifications)):
                    raise ContractError(gettext(
                            'bts_programme.msg_contract_registration_needed',
                            contract=contract.rec_name))
                if not Qualification.best_rate_kind(qualifications):
                    raise ContractError(gettext(
                            'bts_programme.msg_contract_not_rated',
                            contract=contract.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, contracts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, contracts):
        pass


class ContractLine(
        ClientGuardMixin, sequence_ordered(), ModelSQL, ModelView):
    "Line of a contract: the planned lessons of a course in a semester"
    __name__ = 'bts.contract.line'
    __string__ = "Contract Line"
    _guard_parent = ('contract', 'lines')
    contract = fields.Many2One(
        'bts.contract', "Contract", required=True, ondelete='CASCADE')
    course = fields.Many2One(
        'bts.programme.course', "Course", required=True, ondelete='RESTRICT',
        domain=[('programme', '=', Eval('programme', -1))])
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"),
        'on_change_with_programme')
    semester = fields.Many2One(
        'bts.semester', "Semester", required=True, ondelete='RESTRICT',
        domain=[('academic_year', '=', Eval('academic_year', -1))])
    academic_year = fields.Function(
        fields.Many2One('bts.academic_year', "Academic Year"),
        'on_change_with_academic_year')
    quantity = fields.Integer(
        "Planned Quantity", required=True,
        domain=[('quantity', '>', 0)],
        help="Lessons, or hours for an auxiliary collaborator, or students "
        "followed for a tutor.")
    subject_linked = fields.Boolean(
        "Directly Linked to the Subject",
        help="Whether the qualification has a direct link with the course; "
        "without it the lesson is paid 6.28 (vademecum §II.1).")
    rate_kind = fields.Selection(
        [(None, '')] + RATE_KINDS, "Rate Category", readonly=True)
    rate_amount = fields.Numeric(
        "Rate at Index 100", digits=(16, 3), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('contract')

    @classmethod
    def default_subject_linked(cls):
        return True

    @fields.depends('contract', '_parent_contract.programme')
    def on_change_with_programme(self, name=None):
        return self.contract.programme if self.contract else None

    @fields.depends('contract', '_parent_contract.academic_year')
    def on_change_with_academic_year(self, name=None):
        return self.contract.academic_year if self.contract else None

    def get_rec_name(self, name):
        return f'{self.course.rec_name} ({self.semester.rec_name})'

    def rate_kind_for(self):
        "Return the rate category the line's role and qualification give"
        pool = Pool()
        Qualification = pool.get('bts.qualification')
        contract = self.contract
        if contract.role != 'external':
            return contract.role
        if not self.subject_linked:
            return 'external_r4'
        kind = Qualification.best_rate_kind(
            contract.party.bts_qualifications)
        if not kind:
            raise ContractError(gettext(
                    'bts_programme.msg_contract_not_rated',
                    contract=contract.rec_name))
        return kind

    @classmethod
    def set_rates(cls, lines):
        "Store on each line its rate at index 100 in force at the start"
        Rate = Pool().get('bts.rate')
        for line in lines:
            kind = line.rate_kind_for()
            line.rate_kind = kind
            line.rate_amount = Rate.get(kind, line.contract.start_date).amount
        cls.save(lines)


class Amendment(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Avenant: a numbered amendment of an active contract that replaces its
    planned lessons or its dates (vademecum §II.4; RULES.md §K.13). The caps
    are checked again before it applies."""
    __name__ = 'bts.contract.amendment'
    __string__ = "Contract Amendment"
    contract = fields.Many2One(
        'bts.contract', "Contract", required=True, ondelete='CASCADE',
        domain=[If(Eval('state') == 'draft',
                ('state', '=', 'active'), ())],
        states={'readonly': _READONLY})
    number = fields.Integer("Number", readonly=True)
    date = fields.Date("Date", required=True, states={'readonly': _READONLY})
    reason = fields.Text("Reason", required=True,
        states={'readonly': _READONLY})
    end_date = fields.Date("New End Date", states={'readonly': _READONLY})
    lines = fields.One2Many(
        'bts.contract.amendment.line', 'amendment', "New Lines",
        states={'readonly': _READONLY},
        help="The planned lessons of the contract once amended; leave empty "
        "to keep them.")
    previous = fields.Text("Before the Amendment", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('applied', "Applied"),
            ], "State", readonly=True, required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('contract')
        cls._order[0:0] = [('contract', 'ASC'), ('number', 'DESC')]
        cls._transitions |= {('draft', 'applied')}
        cls._buttons.update({
                'apply': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return f'{self.contract.rec_name} #{self.number or "-"}'

    @staticmethod
    def _describe(contract):
        lines = '\n'.join(
            f'{line.course.code} / {line.semester.rec_name}: '
            f'{line.quantity}' for line in contract.lines)
        return (f'v{contract.version}: {contract.start_date} - '
            f'{contract.end_date}\n{lines}')

    @classmethod
    @ModelView.button
    @Workflow.transition('applied')
    def apply(cls, amendments):
        pool = Pool()
        Contract = pool.get('bts.contract')
        Line = pool.get('bts.contract.line')
        for amendment in amendments:
            contract = amendment.contract
            if contract.state != 'active':
                raise ContractError(gettext(
                        'bts_programme.msg_amendment_not_active',
                        contract=contract.rec_name))
            amendment.previous = cls._describe(contract)
            amendment.number = contract.version
            if amendment.lines:
                Line.delete(contract.lines)
                contract.lines = [Line(
                        course=line.course, semester=line.semester,
                        quantity=line.quantity,
                        subject_linked=line.subject_linked)
                    for line in amendment.lines]
            if amendment.end_date:
                contract.end_date = amendment.end_date
            contract.version += 1
            contract.save()
            Contract.check_caps([contract])
            Line.set_rates(contract.lines)
        cls.save(amendments)


class AmendmentLine(ClientGuardMixin, ModelSQL, ModelView):
    "Line of an amendment: the new planned lessons of a course"
    __name__ = 'bts.contract.amendment.line'
    __string__ = "Contract Amendment Line"
    _guard_parent = ('amendment', 'lines')
    amendment = fields.Many2One(
        'bts.contract.amendment', "Amendment", required=True,
        ondelete='CASCADE')
    course = fields.Many2One(
        'bts.programme.course', "Course", required=True, ondelete='RESTRICT')
    semester = fields.Many2One(
        'bts.semester', "Semester", required=True, ondelete='RESTRICT')
    quantity = fields.Integer(
        "Planned Quantity", required=True, domain=[('quantity', '>', 0)])
    subject_linked = fields.Boolean("Directly Linked to the Subject")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('amendment')

    @classmethod
    def default_subject_linked(cls):
        return True
