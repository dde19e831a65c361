# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from weakref import WeakKeyDictionary

from sql.aggregate import Sum
from sql.operators import Equal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Exclude,
    Index,
    ModelSQL,
    ModelView,
    Workflow,
    fields,
    sequence_ordered,
)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

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
# The summaries of the counted contracts' lines (usage.py), and the fields
# of a contract and of its lines they depend on
SUMMARIES = ['bts.provider.usage', 'bts.programme.external_share']
SUMMARISED = {'state', 'lines', 'party', 'programme', 'academic_year', 'role',
    'contract', 'quantity', 'semester'}
# The pending (ids, keys before) of the outermost summarised block of each
# transaction
_summarising = WeakKeyDictionary()
# Contracts whose lessons count against the caps.
COUNTED_STATES = ('signed', 'active', 'closed')
# Roles whose lessons count in the 40 % external share (art. 9(2) al. 4).
SHARE_ROLES = ('external', 'specialised')
_READONLY = Eval('state') != 'draft'


def _of_parent(parent, name, alone=True):
    """The value of the field name of a line's parent (its contract or
    amendment), for the line's domains: the value in the parent's form (the
    client computes a new line's function fields only once the parent is
    saved: it does not call their on_change_with for the parent field),
    else, with alone, the line's own field of that name (a line opened
    alone)"""
    return Eval(f'_parent_{parent}', {}).get(
        name, Eval(name, -1) if alone else -1)


class OfContractMixin:
    """The provider, programme and academic year of the record's contract
    (its field contract), for the domains of the lines"""
    __slots__ = ()
    party = fields.Function(
        fields.Many2One('party.party', "Provider"), 'on_change_with_party')
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"),
        'on_change_with_programme')
    academic_year = fields.Function(
        fields.Many2One('bts.academic_year', "Academic Year"),
        'on_change_with_academic_year')

    @fields.depends('contract', '_parent_contract.party')
    def on_change_with_party(self, name=None):
        return self.contract.party if self.contract else None

    @fields.depends('contract', '_parent_contract.programme')
    def on_change_with_programme(self, name=None):
        return self.contract.programme if self.contract else None

    @fields.depends('contract', '_parent_contract.academic_year')
    def on_change_with_academic_year(self, name=None):
        return self.contract.academic_year if self.contract else None


class Contract(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Contract of an external provider: one per provider, programme,
    academic year and role (vademecum §II.4; RULES.md §K.13, §K.9: an
    external lecturer may also be the programme's tutor or a specialised
    lecturer), changed only by numbered amendments (avenants)."""
    __name__ = 'bts.contract'
    __string__ = "Contract"
    number = fields.Char(
        "Number", readonly=True,
        help="Given when the contract is signed, from the sequence of the "
        "contracts.")
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
            ('provider_programme_year_role_exclude', Exclude(t,
                    (t.party, Equal),
                    (t.programme, Equal),
                    (t.academic_year, Equal),
                    (t.role, Equal),
                    where=t.state != 'cancelled'),
                'bts_programme.msg_contract_unique'),
            ]
        # The caps and the lists filter on these
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Equality()),
                    (t.academic_year, Index.Equality())),
                Index(t, (t.programme, Index.Equality()),
                    (t.academic_year, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
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
    def __register__(cls, module):
        table_h = cls.__table_handler__(module)
        super().__register__(module)
        # Migration: one contract per provider, programme, year and role
        table_h.drop_constraint('provider_programme_year_exclude')

    @classmethod
    def write(cls, *args):
        ids = {c.id
            for contracts, values in zip(args[::2], args[1::2], strict=True)
            if values.keys() & SUMMARISED for c in contracts}
        with cls.summarised(ids):
            super().write(*args)

    @classmethod
    def delete(cls, contracts):
        with cls.summarised({c.id for c in contracts}):
            super().delete(contracts)

    @classmethod
    def counted_keys(cls, ids):
        """The (party, programme, academic_year) of the contracts of ids
        whose lessons count in the programme's share"""
        contract = cls.__table__()
        cursor = Transaction().connection.cursor()
        keys = set()
        for sub_ids in grouped_slice(sorted(ids), backend.MAX_QUERY_PARAMS):
            cursor.execute(*contract.select(
                    contract.party, contract.programme,
                    contract.academic_year,
                    where=reduce_ids(contract.id, sub_ids)
                    & contract.state.in_(COUNTED_STATES)
                    & contract.role.in_(SHARE_ROLES)))
            keys.update(cursor)
        return keys

    @classmethod
    @contextmanager
    def summarised(cls, ids):
        """Compute again the summaries of the contracts of ids counted
        before or after the block, under the lock of their providers and
        programmes that the caps take; a block inside another one leaves
        the work to the outer block, which refreshes once"""
        pool = Pool()
        Party = pool.get('party.party')
        Programme = pool.get('bts.programme')
        transaction = Transaction()
        outer = _summarising.get(transaction)
        if not ids:
            yield
            return
        before = cls.counted_keys(ids)
        if outer is not None:
            outer[0].update(ids)
            outer[1].update(before)
            yield
            return
        _summarising[transaction] = pending = (set(ids), before)
        try:
            yield
        finally:
            del _summarising[transaction]
        keys = pending[1] | cls.counted_keys(pending[0])
        if keys:
            caps.lock(Party.browse({k[0] for k in keys})
                + Programme.browse({k[1] for k in keys}))
            for name in SUMMARIES:
                pool.get(name).refresh(keys)

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
        name = (f'{self.party.rec_name} - {self.programme.code} - '
            f'{self.academic_year.name}')
        if self.role != 'external':
            # A person may hold a contract per role (RULES.md §K.9)
            name += f' ({self.role_string})'
        return name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('number', operator, value),
            ('party.rec_name', operator, value),
            ('programme.rec_name', operator, value),
            ]

    @fields.depends('lines')
    def on_change_with_quantity(self, name=None):
        "The lessons of the lines, shown as they are entered"
        return sum(line.quantity or 0 for line in self.lines)

    @classmethod
    def get_quantity(cls, contracts, name):
        "The lessons of the lines, summed in one query for a list"
        Line = Pool().get('bts.contract.line')
        line = Line.__table__()
        quantities = dict.fromkeys((c.id for c in contracts), 0)
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(
                [c.id for c in contracts], backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.select(line.contract, Sum(line.quantity),
                    where=reduce_ids(line.contract, sub_ids),
                    group_by=[line.contract]))
            for contract, quantity in cursor:
                quantities[contract] = int(quantity or 0)
        return quantities

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
        code, leaving out the contracts of exclude"""
        Line = Pool().get('bts.contract.line')
        contract, line = cls.__table__(), Line.__table__()
        where = contract.state.in_(COUNTED_STATES)
        if exclude:
            where &= ~reduce_ids(contract.id, [c.id for c in exclude])
        return caps.lessons_per_programme(
            line.join(contract, condition=line.contract == contract.id),
            line, contract, where, role, line_criteria={'semester'},
            **criteria)

    @classmethod
    def check_caps(cls, contracts):
        """Check every cap of art. 9(2) on the contracts' lessons with the
        other counted contracts, under a lock of the providers and the
        programmes. Each cap counts the lessons of its role (RULES.md §K.9):
        the 252 lessons a year the external lecturer's, the 20 a semester
        the specialised lecturer's, the 40 % both, so that one person's
        lessons in the two roles add up in the programme's share."""
        caps.lock([c.party for c in contracts]
            + [c.programme for c in contracts])
        requested = defaultdict(lambda: defaultdict(int))
        for contract in contracts:
            code = contract.programme.code
            for line in contract.lines:
                if contract.role == 'external':
                    requested[('year', contract.party,
                            contract.academic_year)][code] += line.quantity
                elif contract.role == 'specialised':
                    requested[('semester', contract.party,
                            line.semester)][code] += line.quantity
                if contract.role in SHARE_ROLES:
                    requested[('share', contract.programme,
                            contract.academic_year)][
                        contract.party.rec_name] += line.quantity
        for (scope, subject, period), lessons in requested.items():
            if scope == 'year':
                caps.check_external_year(subject, period,
                    cls.contracted('external', exclude=contracts,
                        party=subject, academic_year=period), dict(lessons))
            elif scope == 'semester':
                caps.check_specialised_semester(subject, period,
                    cls.contracted('specialised', exclude=contracts,
                        party=subject, semester=period), dict(lessons))
            else:
                caps.check_external_share(subject, period,
                    cls.contracted(SHARE_ROLES, exclude=contracts,
                        programme=subject, academic_year=period),
                    dict(lessons))

    @classmethod
    def check_running(cls, contracts):
        """The programme is accredited for the contract's academic year and
        each line's course belongs to a study year that runs then (law of
        21 July 2023, arts. 35 and 41, in Programme.check_running)"""
        for contract in contracts:
            contract.programme.check_running(contract.academic_year,
                courses=[line.course for line in contract.lines])

    @classmethod
    def check_qualifications(cls, contracts, documents=False):
        """The qualification each line links to its course gives a rate
        (vademecum §II.1, §II.4; RULES.md §K.17, §K.18) and, with
        documents, has its documents attached (vademecum §II.4)"""
        for contract in contracts:
            for line in contract.lines:
                line.check_qualification()
                if (documents and line.qualification
                        and contract.role == 'external'
                        and (message
                            := line.qualification.missing_documents())):
                    raise ContractError(message)

    @classmethod
    def declared_lessons(cls, contracts):
        """Return per contract id the lessons already declared under it per
        (course id, semester id), of the declarations that count: what an
        amendment may not go below (vademecum §II.4).

        bts_programme does not depend on the module of the declarations
        (bts_indemnity): it reads their tables by name when that module is
        activated; ``_declared_condition`` says which declarations count."""
        pool = Pool()
        result = {c.id: defaultdict(int) for c in contracts}
        try:
            Declaration = pool.get('bts.declaration')
            DeclarationLine = pool.get('bts.declaration.line')
        except KeyError:
            return result
        declaration = Declaration.__table__()
        line = DeclarationLine.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(
                [c.id for c in contracts], backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.join(declaration,
                    condition=line.declaration == declaration.id
                    ).select(
                    declaration.contract, line.course, line.semester,
                    Sum(line.quantity),
                    where=declaration.contract.in_(list(sub_ids))
                    & cls._declared_condition(declaration),
                    group_by=[declaration.contract, line.course,
                        line.semester]))
            for contract, course, semester, quantity in cursor:
                quantity = Decimal(str(quantity or 0))
                if quantity == quantity.to_integral_value():
                    quantity = int(quantity)
                result[contract][(course, semester)] += quantity
        return result

    @classmethod
    def _declared_condition(cls, declaration):
        """Return the condition on the declaration table of the declarations
        whose lessons count as declared: every one past draft (submitted up
        to paid). The module of the declarations may extend it."""
        return declaration.state != 'draft'

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
        """Sign: the lines, the provider's and the director's signatures,
        an accredited programme running the courses, the qualifications
        linked to the courses, the caps; then the rates"""
        pool = Pool()
        Line = pool.get('bts.contract.line')
        for contract in contracts:
            if not contract.lines:
                raise ContractError(gettext(
                        'bts_programme.msg_contract_no_line',
                        contract=contract.rec_name))
        cls._check_signatures(contracts,
            ['provider_signature_date', 'director_signature_date'])
        cls.check_running(contracts)
        cls.check_qualifications(contracts)
        cls.check_caps(contracts)
        Line.set_rates([line for c in contracts for line in c.lines])
        cls.set_number(contracts)

    @classmethod
    def set_number(cls, contracts):
        "Number the contracts signed for the first time"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')
        # The number is the server's, whoever signs
        with without_check_access():
            sequence = Sequence(ModelData.get_id(
                    'bts_programme', 'sequence_contract'))
            for contract in contracts:
                if not contract.number:
                    contract.number = sequence.get()
        cls.save(contracts)

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, contracts):
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
        cls.check_running(contracts)
        cls.check_qualifications(contracts, documents=True)

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


class ContractLine(OfContractMixin,
        ClientGuardMixin, sequence_ordered(), ModelSQL, ModelView):
    """Line of a contract: the planned lessons of a course in a semester,
    and the provider's qualification linked to the course that gives the
    rate of an external lecturer (vademecum §II.1; RULES.md §K.17)"""
    __name__ = 'bts.contract.line'
    __string__ = "Contract Line"
    _guard_parent = ('contract', 'lines')
    contract = fields.Many2One(
        'bts.contract', "Contract", required=True, ondelete='CASCADE')
    course = fields.Many2One(
        'bts.programme.course', "Course", required=True, ondelete='RESTRICT',
        domain=[('programme', '=', _of_parent('contract', 'programme'))])
    semester = fields.Many2One(
        'bts.semester', "Semester", required=True, ondelete='RESTRICT',
        domain=[('academic_year', '=',
                _of_parent('contract', 'academic_year'))])
    quantity = fields.Integer(
        "Planned Quantity", required=True,
        domain=[('quantity', '>', 0)],
        help="Lessons, or hours for an auxiliary collaborator, or students "
        "followed for a tutor.")
    qualification = fields.Many2One(
        'bts.qualification', "Linked Qualification", ondelete='RESTRICT',
        domain=[('party', '=', _of_parent('contract', 'party'))],
        states={
            'invisible': Eval('_parent_contract', {}).get(
                'role', 'external') != 'external',
            },
        help="The provider's diploma or regulated profession that has a "
        "direct link with the course: it gives the rate. Leave empty when "
        "none has: the lesson is paid 6.28 (vademecum §II.1).")
    rate_kind = fields.Selection(
        [(None, '')] + RATE_KINDS, "Rate Category", readonly=True)
    rate_amount = fields.Numeric(
        "Rate at Index 100", digits=(16, 3), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('contract')

    def get_rec_name(self, name):
        return f'{self.course.rec_name} ({self.semester.rec_name})'

    @classmethod
    def create(cls, vlist):
        Contract = Pool().get('bts.contract')
        with Contract.summarised({v.get('contract') for v in vlist} - {None}):
            return super().create(vlist)

    @classmethod
    def write(cls, *args):
        Contract = Pool().get('bts.contract')
        ids = set()
        for lines, values in zip(args[::2], args[1::2], strict=True):
            if values.keys() & SUMMARISED:
                ids |= {line.contract.id for line in lines}
                if values.get('contract'):
                    ids.add(values['contract'])
        with Contract.summarised(ids):
            super().write(*args)

    @classmethod
    def delete(cls, lines):
        Contract = Pool().get('bts.contract')
        with Contract.summarised({line.contract.id for line in lines}):
            super().delete(lines)

    def check_qualification(self):
        """The linked qualification is the provider's and gives a rate: a
        foreign title registered before 18 November 2016 without a CLQ
        level, or not registered, needs a new registration first, unless
        the ministry justified paying 6.28 meanwhile (vademecum §II.4;
        RULES.md §K.18)"""
        contract, qualification = self.contract, self.qualification
        if not qualification or contract.role != 'external':
            return
        if qualification.party != contract.party:
            raise ContractError(gettext(
                    'bts_programme.msg_contract_line_qualification_party',
                    contract=contract.rec_name, line=self.rec_name,
                    qualification=qualification.rec_name))
        if not qualification.rate_kind:
            raise ContractError(gettext(
                    'bts_programme.msg_contract_registration_needed',
                    contract=contract.rec_name, course=self.course.rec_name,
                    qualification=qualification.rec_name))

    def rate_kind_for(self):
        """Return the rate category of the line: the role's, or for an
        external lecturer the category of the qualification linked to the
        course, 6.28 without one (vademecum §II.1; RULES.md §K.17)"""
        contract = self.contract
        if contract.role != 'external':
            return contract.role
        if not self.qualification:
            return 'external_r4'
        self.check_qualification()
        return self.qualification.rate_kind

    @classmethod
    def set_rates(cls, lines):
        "Store on each line its rate at index 100 in force at the start"
        Rate = Pool().get('bts.rate')
        for line in lines:
            kind = line.rate_kind_for()
            line.rate_kind = kind
            line.rate_amount = Rate.get(kind, line.contract.start_date).amount
        cls.save(lines)


class Amendment(
        OfContractMixin, ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Avenant: a numbered amendment of an active contract (vademecum §II.4;
    RULES.md §K.13). It starts from the contract's current lines and
    changes them line by line (keep, change, remove) or adds new ones, or
    changes the end date; no line goes below the lessons already declared
    on it. The caps are checked again before it applies."""
    __name__ = 'bts.contract.amendment'
    __string__ = "Contract Amendment"
    contract = fields.Many2One(
        'bts.contract', "Contract", required=True, ondelete='CASCADE',
        domain=[If(Eval('state') == 'draft',
                ('state', '=', 'active'), ())],
        states={'readonly': _READONLY | Bool(Eval('lines', []))})
    number = fields.Integer("Number", readonly=True)
    date = fields.Date("Date", required=True, states={'readonly': _READONLY})
    reason = fields.Text("Reason", required=True,
        states={'readonly': _READONLY})
    end_date = fields.Date("New End Date", states={'readonly': _READONLY})
    lines = fields.One2Many(
        'bts.contract.amendment.line', 'amendment', "Lines",
        states={'readonly': _READONLY},
        help="The contract's lines, each kept, changed or removed, and the "
        "lines added. A line of the contract left out is kept.")
    quantity_before = fields.Function(
        fields.Integer("Planned Before"), 'on_change_with_quantity_before')
    quantity_after = fields.Function(
        fields.Integer("Planned After"), 'on_change_with_quantity_after')
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

    @fields.depends('contract', 'lines', 'state')
    def on_change_contract(self):
        "Start from the contract's current lines, each kept as it is"
        Line = Pool().get('bts.contract.amendment.line')
        if self.state != 'draft':
            return
        self.lines = [Line(**Line.values_of(line), action='keep')
            for line in (self.contract.lines if self.contract else [])]

    def _unlisted(self):
        "The contract's lines the draft amendment leaves out (all kept)"
        if self.state != 'draft' or not self.contract:
            return []
        listed = {line.contract_line for line in self.lines or []
            if line.contract_line}
        return [line for line in self.contract.lines if line not in listed]

    @fields.depends('contract', 'lines', 'state')
    def on_change_with_quantity_before(self, name=None):
        "The quantity the contract plans before the amendment"
        if self.state == 'draft':
            return self.contract.quantity if self.contract else None
        return sum(line.previous_quantity or 0 for line in self.lines)

    @fields.depends('contract', 'lines', 'state')
    def on_change_with_quantity_after(self, name=None):
        "The quantity the contract plans once amended"
        applied = self.state != 'draft'
        return (sum(line.new_quantity(applied) for line in self.lines or [])
            + sum(line.quantity for line in self._unlisted()))

    @staticmethod
    def _describe(contract):
        lines = '\n'.join(
            f'{line.course.code} / {line.semester.rec_name}: '
            f'{line.quantity}' for line in contract.lines)
        return (f'v{contract.version}: {contract.start_date} - '
            f'{contract.end_date}\n{lines}')

    def check_declared(self, lines, declared):
        """No line and no course of the contract below the lessons already
        declared on it (vademecum §II.4: an amendment changes the lessons
        still to give, not those given); lines lists every line of the
        contract, kept, changed or removed, and the lines added"""
        Course = Pool().get('bts.programme.course')
        declared_courses = defaultdict(int)
        for (course, _), quantity in declared.items():
            declared_courses[course] += quantity
        planned = defaultdict(int)
        for line in lines:
            quantity = line.new_quantity(applied=False)
            planned[line.course.id] += quantity
            key = (line.course.id, line.semester.id)
            if line.action != 'add' and quantity < declared.get(key, 0):
                raise ContractError(gettext(
                        'bts_programme.msg_amendment_below_declared',
                        amendment=self.rec_name, line=line.rec_name,
                        quantity=quantity, declared=declared[key]))
        for course, quantity in declared_courses.items():
            if planned[course] < quantity:
                raise ContractError(gettext(
                        'bts_programme.msg_amendment_below_declared',
                        amendment=self.rec_name,
                        line=Course(course).rec_name,
                        quantity=planned[course], declared=quantity))

    @classmethod
    @ModelView.button
    @Workflow.transition('applied')
    def apply(cls, amendments):
        """Apply the amendment line by line: a kept line stays, a changed
        line takes its new quantity and linked qualification (and its rate
        again), a removed line goes, an added line is created; then the
        checks of a signature again"""
        Contract = Pool().get('bts.contract')
        with Contract.summarised({a.contract.id for a in amendments}):
            cls._apply(amendments)

    @classmethod
    def _apply(cls, amendments):
        pool = Pool()
        Contract = pool.get('bts.contract')
        Line = pool.get('bts.contract.line')
        AmendmentLine = pool.get('bts.contract.amendment.line')
        for amendment in amendments:
            contract = amendment.contract
            if contract.state != 'active':
                raise ContractError(gettext(
                        'bts_programme.msg_amendment_not_active',
                        contract=contract.rec_name))
            # Every line of the contract listed, with its quantity before
            lines = list(amendment.lines) + [
                AmendmentLine(amendment=amendment, action='keep',
                    **AmendmentLine.values_of(line))
                for line in amendment._unlisted()]
            for line in lines:
                line.check_action(contract)
                current = line.contract_line
                line.previous_quantity = current.quantity if current else None
                if line.action == 'keep':
                    line.quantity = current.quantity
                    line.qualification = current.qualification
                elif line.action == 'remove':
                    line.quantity = None
            amendment.check_declared(lines,
                Contract.declared_lessons([contract])[contract.id])
            amendment.previous = cls._describe(contract)
            amendment.number = contract.version
            amendment.lines = lines
            amendment.save()
            removed, rated = [], []
            for line in lines:
                current = line.contract_line
                if line.action == 'remove':
                    removed.append(current)
                elif line.action == 'change':
                    current.quantity = line.quantity
                    current.qualification = line.qualification
                    rated.append(current)
                elif line.action == 'add':
                    rated.append(Line(contract=contract, course=line.course,
                            semester=line.semester, quantity=line.quantity,
                            qualification=line.qualification))
            Line.save(rated)
            Line.delete(removed)
            if amendment.end_date:
                contract.end_date = amendment.end_date
            contract.version += 1
            contract.save()
            contract = Contract(contract.id)
            amendment.check_lines_unique(contract)
            Contract.check_running([contract])
            Contract.check_qualifications([contract], documents=True)
            Contract.check_caps([contract])
            Line.set_rates(rated)

    def check_lines_unique(self, contract):
        "One line per course and semester, changed line by line"
        seen = set()
        for line in contract.lines:
            key = (line.course, line.semester)
            if key in seen:
                raise ContractError(gettext(
                        'bts_programme.msg_amendment_line_twice',
                        amendment=self.rec_name, line=line.rec_name))
            seen.add(key)


class AmendmentLine(ClientGuardMixin, ModelSQL, ModelView):
    """Line of an amendment: a line of the contract kept, changed or
    removed, or a line added"""
    __name__ = 'bts.contract.amendment.line'
    __string__ = "Contract Amendment Line"
    _guard_parent = ('amendment', 'lines')
    amendment = fields.Many2One(
        'bts.contract.amendment', "Amendment", required=True,
        ondelete='CASCADE')
    contract = fields.Function(
        fields.Many2One('bts.contract', "Contract"),
        'on_change_with_contract')
    party = fields.Function(
        fields.Many2One('party.party', "Provider"),
        'on_change_with_party')
    action = fields.Selection([
            ('keep', "Keep"),
            ('change', "Change"),
            ('remove', "Remove"),
            ('add', "Add"),
            ], "Action", required=True, sort=False)
    contract_line = fields.Many2One(
        'bts.contract.line', "Contract Line", ondelete='SET NULL',
        domain=[('contract', '=', _of_parent('amendment', 'contract'))],
        states={
            'invisible': Eval('action') == 'add',
            },
        help="The line of the contract kept, changed or removed (empty "
        "once removed).")
    course = fields.Many2One(
        'bts.programme.course', "Course", required=True, ondelete='RESTRICT',
        domain=[('programme', '=',
                _of_parent('amendment', 'programme', alone=False))],
        states={'readonly': Eval('action') != 'add'})
    semester = fields.Many2One(
        'bts.semester', "Semester", required=True, ondelete='RESTRICT',
        domain=[('academic_year', '=',
                _of_parent('amendment', 'academic_year', alone=False))],
        states={'readonly': Eval('action') != 'add'})
    previous_quantity = fields.Integer(
        "Planned Before", readonly=True,
        help="The line's planned quantity when the amendment was applied "
        "(until then, today's).")
    quantity = fields.Integer(
        "Planned After",
        domain=[If(Eval('action') == 'remove',
                (), ('quantity', '>', 0))],
        states={
            'required': Eval('action') != 'remove',
            'readonly': Eval('action').in_(['keep', 'remove']),
            })
    qualification = fields.Many2One(
        'bts.qualification', "Linked Qualification", ondelete='RESTRICT',
        domain=[('party', '=', _of_parent('amendment', 'party'))],
        states={'readonly': Eval('action').in_(['keep', 'remove'])},
        help="The provider's qualification that has a direct link with the "
        "course; empty: paid 6.28 (vademecum §II.1).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('amendment')

    @classmethod
    def default_action(cls):
        return 'add'

    @staticmethod
    def values_of(line):
        "The values of an amendment line that starts from a contract line"
        return {
            'contract_line': line,
            'course': line.course,
            'semester': line.semester,
            'quantity': line.quantity,
            'previous_quantity': line.quantity,
            'qualification': line.qualification,
            }

    @fields.depends('amendment', '_parent_amendment.contract')
    def on_change_with_contract(self, name=None):
        return self.amendment.contract if self.amendment else None

    @fields.depends('amendment', '_parent_amendment.contract')
    def on_change_with_party(self, name=None):
        if self.amendment and self.amendment.contract:
            return self.amendment.contract.party

    @fields.depends('contract_line', 'action', 'quantity')
    def on_change_contract_line(self):
        if self.contract_line:
            for name, value in self.values_of(self.contract_line).items():
                if name != 'quantity' or self.action == 'keep':
                    setattr(self, name, value)

    @fields.depends('action', 'quantity', 'contract_line')
    def on_change_action(self):
        if self.action == 'remove':
            self.quantity = None
        elif self.action == 'keep' and self.contract_line:
            self.quantity = self.contract_line.quantity
            self.qualification = self.contract_line.qualification

    @fields.depends('action', 'contract_line')
    def on_change_quantity(self):
        if self.action == 'keep' and self.contract_line:
            self.action = 'change'

    @fields.depends('action', 'contract_line')
    def on_change_qualification(self):
        if self.action == 'keep' and self.contract_line:
            self.action = 'change'

    @classmethod
    def preprocess_values(cls, mode, values):
        """A line that starts from a contract line takes its course,
        semester and current quantity from it"""
        ContractLine = Pool().get('bts.contract.line')
        values = super().preprocess_values(mode, values)
        if values.get('contract_line'):
            line = ContractLine(values['contract_line'])
            values['course'] = line.course.id
            values['semester'] = line.semester.id
            values['previous_quantity'] = line.quantity
        return values

    def get_rec_name(self, name):
        return f'{self.course.rec_name} ({self.semester.rec_name})'

    def new_quantity(self, applied):
        """The quantity the line plans once the amendment applies: a kept
        line's is the contract line's until the amendment is applied"""
        if self.action == 'remove':
            return 0
        if self.action == 'keep' and not applied and self.contract_line:
            return self.contract_line.quantity
        return self.quantity or 0

    def check_action(self, contract):
        """A kept, changed or removed line names a line of the contract; an
        added line does not"""
        if ((self.action == 'add') != (not self.contract_line)
                or (self.contract_line
                    and self.contract_line.contract != contract)):
            raise ContractError(gettext(
                    'bts_programme.msg_amendment_line_action',
                    amendment=self.amendment.rec_name, line=self.rec_name,
                    contract=contract.rec_name))
