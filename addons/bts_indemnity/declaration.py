# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Declarations and their lines, one set of methods per kind of indemnity.

Each kind declared (the ``kind`` selection) has its methods named after it,
as account_payment dispatches on ``process_<method>``: ``_paths_<kind>``,
``_join_<kind>`` (the same paths in SQL, for the lists and total.py),
``_allowed_lycees_<kind>``, ``_yearly_<kind>``, ``_same_declarant_<kind>``,
``_indemnity_kind_<kind>``, ``_locked_<kind>`` and ``check_caps_<kind>`` of
the declaration, ``_whole_<kind>``, ``_check_entry_<kind>``,
``check_<kind>``, ``_rate_<kind>`` and ``_index_unit_<kind>`` of its lines.
This module declares lessons; act.py adds the Annex E acts when bts_jury is
activated."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum
from sql.functions import CurrentTimestamp
from sql.operators import Or

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.bts_programme import batch, caps
from trytond.modules.bts_programme.academic_year import (
    format_date,
    window_end,
)
from trytond.modules.bts_programme.caps import counted_lessons
from trytond.modules.bts_programme.contract import SHARE_ROLES
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.modules.bts_programme.rate import UNITS as RATE_UNITS
from trytond.modules.bts_programme.wage_index import EuroMixin, quantize
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.rpc import RPC
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .configuration import ROLE_KINDS
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
# A lesson is an hour of service (vademecum §II.1, "prestations horaires"
# paid "par leçon"; RULES.md §K.2) and the texts set no daily maximum: a day
# of teaching from 8:00 to 20:00 holds at most 12 of them, for a provider
# over all his contracts and declarations. A tutor declares students, not
# lessons.
DAY_MAX_LESSONS = 12
DAILY_ROLES_EXCLUDED = ('tutor',)


def _counted(lessons):
    return {code: counted_lessons(quantity)
        for code, quantity in lessons.items()}


def declared_period(month, yearly):
    """Return the first and last day of the month, or of its academic year
    when the declaration is yearly"""
    AcademicYear = Pool().get('bts.academic_year')
    month = month.replace(day=1)
    end = window_end(month, 1)
    if yearly:
        # September's year starts on the 15th: the month's last day is in it
        year = AcademicYear.find(end)
        return year.start_date, year.end_date
    return month, end


class MonthMixin:
    "A record of a month (its field month), stored as the month's first day"
    __slots__ = ()

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('month'):
            values['month'] = values['month'].replace(day=1)
        return values


def _stamp(name):
    return (
        fields.Many2One('res.user', f"{name} by", readonly=True),
        fields.DateTime(f"{name} on", readonly=True))


class Declaration(
        MonthMixin, EuroMixin, ClientGuardMixin, Workflow, ModelSQL,
        ModelView):
    """Déclaration: the lessons a provider gave under a contract in a month
    (or, with bts_jury, the Annex E acts a body member performed), declared
    by lycée HR and approved up to the ministry (vademecum §I and §II;
    RULES.md §C.14)"""
    __name__ = 'bts.declaration'
    __string__ = "Declaration"
    kind = fields.Selection([
            ('lessons', "Lessons"),
            ], "Kind", required=True, states={'readonly': _DRAFT})
    contract = fields.Many2One(
        'bts.contract', "Contract", ondelete='RESTRICT',
        domain=[('state', '=', 'active')],
        states={
            'readonly': _DRAFT,
            'required': Eval('kind') == 'lessons',
            'invisible': Eval('kind') != 'lessons',
            })
    party = fields.Function(
        fields.Many2One('party.party', "Beneficiary"), 'get_by_kind',
        searcher='search_by_kind')
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='RESTRICT',
        states={'readonly': _DRAFT})
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"), 'get_by_kind',
        searcher='search_by_kind')
    month = fields.Date(
        "Month", required=True, states={'readonly': _DRAFT},
        context={'date_format': '%m/%Y'},
        help="The month declared (month/year).")
    lines = fields.One2Many(
        'bts.declaration.line', 'declaration', "Lines",
        states={'readonly': _DRAFT},
        context={'declaration_kind': Eval('kind')})
    amount = fields.Function(
        fields.Numeric("Amount", digits=(16, 2),
            help="The amount of the lines: in draft, at the rates and index "
            "of today, fixed at submission."),
        'get_amount')
    rejection_reason = fields.Text(
        "Reason of the Last Rejection", readonly=True)
    rejected = fields.Function(fields.Boolean(
            "Rejected",
            help="Back in draft after a rejection: to correct as the "
            "reason says and submit again."),
        'get_rejected', searcher='search_rejected')
    submitted_by, submitted_on = _stamp("Submitted")
    countersigned_by, countersigned_on = _stamp("Countersigned")
    verified_by, verified_on = _stamp("Verified")
    approved_by, approved_on = _stamp("Approved")
    state = fields.Selection(STATES, "State", readonly=True, required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The caps, the approval and the lists filter on these
        cls._sql_indexes.update({
                Index(t, (t.contract, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.month, Index.Range())),
                Index(t, (t.lycee, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                })
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
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward', 'depends': ['state']},
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
        # The party computed for the whole list, or through the path of
        # the kind for a declaration not saved yet
        party = (self.party if self.id is not None and self.id >= 0
            else self.follow('party'))
        return f'{party.rec_name if party else ""} {self.month:%m/%Y}'

    @classmethod
    def kinds(cls):
        "The kinds of indemnity declared, in the order of the selection"
        return [kind for kind, _ in cls.kind.selection]

    @classmethod
    def by_kind(cls, declarations):
        "The declarations per kind, every kind listed"
        result = {kind: [] for kind in cls.kinds()}
        for declaration in declarations:
            result[declaration.kind].append(declaration)
        return result

    @classmethod
    def _paths(cls, kind):
        "The paths of the beneficiary and the programme of a kind"
        return getattr(cls, f'_paths_{kind}')()

    @classmethod
    def _paths_lessons(cls):
        "The provider and the programme of the contract"
        return {'party': 'contract.party', 'programme': 'contract.programme'}

    def follow(self, name):
        "The record at the end of the path of name for the declaration's kind"
        record = self
        for field in self._paths(self.kind)[name].split('.'):
            record = getattr(record, field) if record else None
        return record

    @classmethod
    def _join(cls, kind, query, declaration):
        """The query, which has the declarations' table, joined to their
        beneficiary and programme for the kind: (query, party column,
        programme column)"""
        return getattr(cls, f'_join_{kind}')(query, declaration)

    @classmethod
    def _join_lessons(cls, query, declaration):
        "The contract: its provider and programme"
        contract = Pool().get('bts.contract').__table__()
        return (query.join(contract,
                condition=declaration.contract == contract.id),
            contract.party, contract.programme)

    @classmethod
    def get_by_kind(cls, declarations, names):
        """The ids at the end of the paths of names, one query per kind for
        a whole list"""
        result = {n: dict.fromkeys(d.id for d in declarations)
            for n in names}
        declaration = cls.__table__()
        cursor = Transaction().connection.cursor()
        for kind in cls.kinds():
            query, party, programme = cls._join(kind, declaration, declaration)
            columns = {'party': party, 'programme': programme}
            for sub_ids in grouped_slice([d.id for d in declarations],
                    backend.MAX_QUERY_PARAMS):
                cursor.execute(*query.select(declaration.id,
                        *(columns[n] for n in names),
                        where=reduce_ids(declaration.id, sub_ids)
                        & (declaration.kind == kind)))
                for id_, *values in cursor:
                    for name, value in zip(names, values, strict=True):
                        result[name][id_] = value
        return result

    @classmethod
    def search_by_kind(cls, name, clause):
        "Search name through its path for each kind"
        return ['OR'] + [
            (cls._paths(kind)[name],) + tuple(clause[1:])
            for kind in cls.kinds()]

    @fields.depends('contract')
    def on_change_contract(self):
        "The lycée of the contract"
        if self.contract:
            self.lycee = self.contract.lycee

    @fields.depends('kind', 'contract')
    def on_change_with_party(self, name=None):
        return self.follow('party')

    @fields.depends('kind', 'contract')
    def on_change_with_programme(self, name=None):
        return self.follow('programme')

    @classmethod
    def get_amount(cls, declarations, name):
        """The sum of the amounts stored on the lines, one query; a draft
        sums what its lines would be paid today"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        line = Line.__table__()
        amounts = dict.fromkeys((d.id for d in declarations), Decimal(0))
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice([d.id for d in declarations],
                backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.select(
                    line.declaration, Sum(line.amount),
                    where=reduce_ids(line.declaration, sub_ids),
                    group_by=[line.declaration]))
            for id_, amount in cursor:
                amounts[id_] = Decimal(str(amount or 0)).quantize(
                    Decimal('0.01'))
        # Browsed apart: only the drafts' lines are estimated
        for draft in cls.browse(cls._ids_where(
                    list(amounts), lambda d: d.state == 'draft')):
            amounts[draft.id] = draft.on_change_with_amount()
        return amounts

    @fields.depends('lines')
    def on_change_with_amount(self, name=None):
        return sum((line.total or 0 for line in self.lines), Decimal(0))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/form/group[@id="rejection"]', 'states', {
                    'invisible': ~Eval('rejected', False),
                    }),
            ('/tree', 'visual', If(Eval('rejected', False), 'danger', '')),
            ]

    @classmethod
    def get_rejected(cls, declarations, name):
        ids = [d.id for d in declarations]
        return dict.fromkeys(ids, False) | dict.fromkeys(
            cls._ids_where(ids, cls._rejected_condition), True)

    @classmethod
    def _rejected_condition(cls, declaration):
        return ((declaration.state == 'draft')
            & (declaration.rejection_reason != Null))

    @classmethod
    def _ids_where(cls, ids, condition):
        "The ids of ids whose row meets condition(table)"
        declaration = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = []
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*declaration.select(declaration.id,
                    where=reduce_ids(declaration.id, sub_ids)
                    & condition(declaration)))
            result.extend(i for i, in cursor)
        return result

    @classmethod
    def search_rejected(cls, name, clause):
        _, operator, value = clause
        rejected = [('state', '=', 'draft'), ('rejection_reason', '!=', None)]
        if (operator == '=') == bool(value):
            return rejected
        return ['OR',
            ('state', '!=', 'draft'), ('rejection_reason', '=', None)]

    # The steps of the approval, in their order: each is taken by another
    # person (segregation of duties of the ministry's approval procedure).
    STEPS = ['submitted', 'countersigned', 'verified', 'approved']

    @classmethod
    def validate_fields(cls, declarations, field_names):
        super().validate_fields(declarations, field_names)
        cls.check_lycee(declarations, field_names)

    @classmethod
    def _lycee_fields(cls):
        "The fields that give the lycées a declaration may belong to"
        return {'lycee', 'contract'}

    @classmethod
    def check_lycee(cls, declarations, field_names=None):
        """A declaration belongs to the lycée of its contract (or of its
        member's body and body submission): a lycée declares only its own
        providers"""
        if field_names and not (field_names & cls._lycee_fields()):
            return
        for declaration in declarations:
            lycees = declaration.allowed_lycees()
            if lycees is not None and declaration.lycee not in lycees:
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_declaration_lycee'))

    def allowed_lycees(self):
        "The lycées the declaration may belong to, None for any"
        return getattr(self, f'_allowed_lycees_{self.kind}')()

    def _allowed_lycees_lessons(self):
        "The contract's lycée"
        return {self.contract.lycee} if self.contract else None

    @classmethod
    def _stamp(cls, declarations, name):
        """Stamp the step name, refused to whoever took an earlier step,
        with the state of the step in the same write (one validation and
        one log entry of the changes for the batch); the transition is
        logged as the workflow does, which finds nothing left to write"""
        cls._check_person(declarations, name)
        cls.write(declarations, {
                f'{name}_by': Transaction().user,
                f'{name}_on': dt.datetime.now(),
                cls._transition_state: name,
                })
        cls.log(declarations, 'transition',
            f'{cls._transition_state}:{name}')

    @classmethod
    def _check_person(cls, declarations, name):
        """Refuse the step name to whoever took an earlier step: the stamps
        of the whole batch read by one query"""
        user = Transaction().user
        earlier = cls.STEPS[:cls.STEPS.index(name)]
        if not earlier:
            return
        declaration = cls.__table__()
        columns = [getattr(declaration, f'{step}_by') for step in earlier]
        cursor = Transaction().connection.cursor()
        stamps = {}
        for sub_ids in grouped_slice([d.id for d in declarations],
                backend.MAX_QUERY_PARAMS):
            cursor.execute(*declaration.select(declaration.id, *columns,
                    where=reduce_ids(declaration.id, sub_ids)
                    & Or([column == user for column in columns])))
            stamps.update((id_, by) for id_, *by in cursor)
        for record in declarations:
            for step, by in zip(earlier,
                    stamps.get(record.id, [None] * len(earlier)),
                    strict=True):
                if by == user:
                    field = f'{step}_by'
                    raise DeclarationError(gettext(
                            'bts_indemnity.msg_declaration_same_person',
                            declaration=record.rec_name,
                            step=cls.fields_get([field])[field]['string']))

    @classmethod
    def check(cls, declarations, counted=COUNTED_STATES):
        """The checks of submission and approval (RULES.md §C.14), the caps
        of each kind with the declarations in the counted states, under a
        lock of the rows the caps read"""
        Line = Pool().get('bts.declaration.line')
        declarations = list(batch.records(declarations))
        kinds = cls.by_kind(declarations)
        caps.lock([record for kind, same in kinds.items()
                for record in getattr(cls, f'_locked_{kind}')(same)])
        for declaration in declarations:
            if not declaration.lines:
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_declaration_empty',
                        declaration=declaration.rec_name))
            for line in declaration.lines:
                line.check()
        cls.check_entered(declarations)
        for kind, same in kinds.items():
            getattr(cls, f'check_caps_{kind}')(same, counted)
        Line.compute_amounts(
            [line for d in declarations for line in d.lines])

    @classmethod
    def _locked_lessons(cls, declarations):
        """The rows the caps of the lessons read, locked before: the
        providers and the programmes of the contracts, one query"""
        pool = Pool()
        Party, Programme = pool.get('party.party'), pool.get('bts.programme')
        paths = cls.get_by_kind(declarations, ['party', 'programme'])
        return (Party.browse(sorted(set(filter(None,
                            paths['party'].values()))))
            + Programme.browse(sorted(set(filter(None,
                            paths['programme'].values())))))

    @property
    def yearly(self):
        """Whether the declaration covers an academic year, not a month
        (vademecum §I.10; RULES.md §C.14 2.)"""
        return getattr(self, f'_yearly_{self.kind}')()

    def _yearly_lessons(self):
        "An external tutor declares the students followed once per year"
        return self.contract.role == 'tutor'

    def indemnity_kind(self):
        """The kind of indemnity a payment run books the declaration under
        (configuration.INDEMNITY_KINDS)"""
        return getattr(self, f'_indemnity_kind_{self.kind}')()

    def _indemnity_kind_lessons(self):
        "The kind of the contract's role"
        return ROLE_KINDS[self.contract.role]

    def period(self):
        "The first and last day of service the declaration covers"
        return declared_period(self.month, self.yearly)

    def check_once_a_year(self):
        "Refuse a second yearly declaration of the same person and year"
        if not self.yearly:
            return
        start, end = self.period()
        # The months whose last day is in the year (September's is)
        others = self.search(
            getattr(self, f'_same_declarant_{self.kind}')() + [
                ('id', '!=', self.id),
                ('month', '>=', start.replace(day=1)),
                ('month', '<', (end + dt.timedelta(days=1)).replace(day=1)),
                ('state', '!=', 'draft'),
                ], limit=1)
        if others:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_declaration_once_a_year',
                    declaration=self.rec_name, other=others[0].rec_name))

    def _same_declarant_lessons(self):
        "The declarations under the same contract"
        return [('contract', '=', self.contract.id)]

    @classmethod
    def declared(cls, role, counted, keys, subjects, exclude=()):
        """Return the declared lessons of role per subject and programme
        code, {(ids of keys): {code: lessons}}, of the declarations in the
        counted states, for subjects (tuples of records of keys: party,
        programme, academic_year, semester), leaving out those of exclude:
        one grouped query for a whole batch"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        Contract = pool.get('bts.contract')
        declaration, line = cls.__table__(), Line.__table__()
        contract = Contract.__table__()
        line_keys = {'semester', 'academic_year'}
        where = declaration.state.in_(counted)
        for index, name in enumerate(keys):
            table = line if name in line_keys else contract
            where &= reduce_ids(getattr(table, name),
                {subject[index].id for subject in subjects})
        # A batch is normally not counted yet (drafts on submission,
        # verified on approval): nothing to leave out then
        if counted_ids := [d.id for d in exclude if d.state in counted]:
            where &= ~reduce_ids(declaration.id, counted_ids)
        return caps.lessons_per_key(
            line.join(declaration,
                condition=line.declaration == declaration.id
                ).join(contract,
                condition=declaration.contract == contract.id),
            line, contract, where, role, keys, line_criteria=line_keys)

    @classmethod
    def check_entered(cls, declarations):
        """The checks of whole declarations, while drafting and at each
        step: one yearly declaration per person and year, and those of each
        kind"""
        for declaration in declarations:
            declaration.check_once_a_year()
        for kind, same in cls.by_kind(declarations).items():
            getattr(cls, f'_check_entered_{kind}')(same)

    @classmethod
    def _check_entered_lessons(cls, declarations):
        """The contracts' planned lessons and the lessons of a day, while
        drafting and at each step"""
        cls.check_planned_lessons(declarations)
        cls.check_daily_lessons(declarations)

    @classmethod
    def lessons_per_day(cls, parties, start, end, above=None):
        """Return the lessons (or hours) every declaration of lessons holds
        per provider and date from start to end, {(party id, date):
        lessons}, only the days above the quantity above when given: one
        grouped query per slice of providers"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        Contract = pool.get('bts.contract')
        line, declaration = Line.__table__(), cls.__table__()
        contract = Contract.__table__()
        quantity = Sum(line.quantity)
        result = {}
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(parties, backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.join(declaration,
                    condition=line.declaration == declaration.id
                    ).join(contract,
                    condition=declaration.contract == contract.id
                    ).select(contract.party, line.date, quantity,
                    where=reduce_ids(contract.party, sub_ids)
                    & (declaration.kind == 'lessons')
                    & ~contract.role.in_(DAILY_ROLES_EXCLUDED)
                    & (line.date >= start) & (line.date <= end),
                    group_by=[contract.party, line.date],
                    having=(quantity > above) if above is not None
                    else None))
            for party, date, lessons in cursor:
                result[party, date] = Decimal(str(lessons or 0))
        return result

    @classmethod
    def check_daily_lessons(cls, declarations):
        """No more lessons on a day for a provider, over all his
        declarations, than a day holds (DAY_MAX_LESSONS): one grouped query
        for the batch"""
        dates = [line.date for d in declarations
            if d.contract and d.contract.role not in DAILY_ROLES_EXCLUDED
            for line in d.lines if line.date]
        if not dates:
            return
        parties = {d.contract.party.id for d in declarations}
        over = cls.lessons_per_day(
            parties, min(dates), max(dates), above=DAY_MAX_LESSONS)
        for (party_id, date), lessons in sorted(over.items()):
            cls.raise_day_full(
                Pool().get('party.party')(party_id), date, lessons)

    @staticmethod
    def raise_day_full(party, date, lessons):
        "Refuse lessons of party on date beyond what a day holds"
        raise DeclarationError(gettext(
                'bts_indemnity.msg_line_day_full',
                party=party.rec_name, date=format_date(date),
                lessons=counted_lessons(lessons), maximum=DAY_MAX_LESSONS))

    @classmethod
    def check_planned_lessons(cls, declarations):
        """Lessons only within the contract's planned lessons of the course
        (vademecum §II.4): the declarations on their way and those of the
        batch together; beyond them an amendment is needed. One grouped
        query for the batch"""
        contracts = {d.contract.id: d.contract for d in declarations}
        declared = cls.declared_per_course(contracts)
        batch = defaultdict(Decimal)
        for record in declarations:
            if record.state not in COUNTED_STATES:
                for record_line in record.lines:
                    batch[record.contract.id, record_line.course.id] += (
                        record_line.quantity)
        planned = cls.planned_per_course(contracts)
        for (contract_id, course_id), quantity in batch.items():
            cls.check_plan(contracts[contract_id], course_id,
                declared[contract_id, course_id] + quantity,
                planned[contract_id, course_id])

    @classmethod
    def planned_per_course(cls, contracts):
        """Return the lessons planned per contract and course, {(contract
        id, course id): lessons}: one grouped query"""
        ContractLine = Pool().get('bts.contract.line')
        line = ContractLine.__table__()
        planned = defaultdict(int)
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice([getattr(c, 'id', c) for c in contracts],
                backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.select(
                    line.contract, line.course, Sum(line.quantity),
                    where=reduce_ids(line.contract, sub_ids),
                    group_by=[line.contract, line.course]))
            for contract, course, quantity in cursor:
                planned[contract, course] += quantity or 0
        return planned

    @classmethod
    def declared_per_course(cls, contracts):
        """Return the lessons declared on their way per contract and course,
        {(contract id, course id): lessons}: one grouped query"""
        Line = Pool().get('bts.declaration.line')
        line, declaration = Line.__table__(), cls.__table__()
        declared = defaultdict(Decimal)
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice([getattr(c, 'id', c) for c in contracts],
                backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.join(declaration,
                    condition=line.declaration == declaration.id
                    ).select(
                    declaration.contract, line.course, Sum(line.quantity),
                    where=reduce_ids(declaration.contract, sub_ids)
                    & declaration.state.in_(COUNTED_STATES),
                    group_by=[declaration.contract, line.course]))
            for contract, course, quantity in cursor:
                declared[contract, course] += Decimal(str(quantity or 0))
        return declared

    @staticmethod
    def check_plan(contract, course_id, total, planned):
        """Refuse total lessons of the course beyond the lessons planned by
        the contract"""
        if total > planned:
            course = Pool().get('bts.programme.course')(course_id)
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_beyond_plan',
                    course=course.rec_name, contract=contract.rec_name,
                    declared=counted_lessons(total), planned=planned))

    @classmethod
    def check_caps_lessons(cls, declarations, counted=COUNTED_STATES):
        """The caps of art. 9(2), on declared lessons, with the functions
        the contracts use; a lesson counts in the academic year and the
        semester of its date (RULES.md §H.3)"""
        requested = defaultdict(lambda: defaultdict(Decimal))
        for declaration in declarations:
            for line in declaration.lines:
                for key in cls.cap_keys(declaration.contract, line):
                    requested[key][declaration.contract.programme.code] += (
                        line.quantity)
        cls.check_caps_requested(requested,
            cls.used_lessons(requested, counted, exclude=declarations))

    @staticmethod
    def cap_keys(contract, line):
        """The keys of the caps a line of lessons counts in: (scope, role,
        subject, period)"""
        return [
            ('year', contract.role, contract.party, line.academic_year),
            ('semester', contract.role, contract.party, line.semester),
            ('share', contract.role, contract.programme,
                line.academic_year),
            ]

    @classmethod
    def used_lessons(cls, requested, counted, exclude=()):
        """Return the lessons already counted for the keys of requested,
        {(scope, subject id, period id): {code: lessons}}: one grouped query
        per cap"""
        used = {}
        for scope, role, keys in cls._cap_scopes():
            roles = role if isinstance(role, tuple) else (role,)
            subjects = {(subject, period)
                for scope_, role_, subject, period in requested
                if scope_ == scope and role_ in roles}
            if subjects:
                for (subject, period), lessons in cls.declared(
                        role, counted, keys, subjects,
                        exclude=exclude).items():
                    used[scope, subject, period] = lessons
        return used

    @staticmethod
    def _cap_scopes():
        "The caps per scope: the role counted and the keys of its subject"
        return [
            ('year', 'external', ('party', 'academic_year')),
            ('semester', 'specialised', ('party', 'semester')),
            ('share', SHARE_ROLES, ('programme', 'academic_year')),
            ]

    @classmethod
    def check_caps_requested(cls, requested, used):
        """Raise the CapError of the first cap that the requested lessons
        per key, with those used (used_lessons), would pass"""
        checks = {
            ('year', 'external'): caps.check_external_year,
            ('semester', 'specialised'): caps.check_specialised_semester,
            }
        share = defaultdict(lambda: defaultdict(Decimal))
        for (scope, role, subject, period), lessons in requested.items():
            if (scope, role) in checks:
                checks[scope, role](subject, period,
                    used.get((scope, subject.id, period.id), {}),
                    _counted(lessons))
            elif scope == 'share' and role in SHARE_ROLES:
                for code, quantity in lessons.items():
                    share[subject, period][code] += quantity
        for (programme, year), lessons in share.items():
            caps.check_external_share(programme, year,
                used.get(('share', programme.id, year.id), {}),
                _counted(lessons))

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, declarations):
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
        cls._check_person(declarations, 'approved')
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


class DeclarationLine(EuroMixin, ClientGuardMixin, ModelSQL, ModelView):
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
    courses = fields.Function(fields.Many2Many(
            'bts.programme.course', None, None, "Courses of the Contract"),
        'on_change_with_courses')
    quantity = fields.Numeric(
        "Quantity", digits=(16, Eval('quantity_digits', 2)), required=True,
        domain=[('quantity', '>', 0)],
        help="Lessons, hours, candidates, tests, files, students, decisions "
        "or meetings, as the unit of the rate says; only hours may have "
        "decimals.")
    quantity_digits = fields.Function(
        fields.Integer("Quantity Digits"), 'on_change_with_quantity_digits')
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
    total = fields.Function(fields.Numeric(
            "Amount", digits=(16, 2),
            help="In draft, what the line would be paid at the rates and "
            "index of today; from submission, the amount stored."),
        'on_change_with_total')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('declaration')
        cls._order.insert(0, ('date', 'ASC'))
        t = cls.__table__()
        # The caps count the lines per academic year, semester and course
        cls._sql_indexes.update({
                Index(t, (t.academic_year, Index.Equality())),
                Index(t, (t.semester, Index.Equality())),
                Index(t, (t.course, Index.Equality())),
                Index(t, (t.date, Index.Range())),
                })
        # The contract's courses only (the programme's, as contracted)
        cls.course.domain = [
            If(Bool(Eval('courses')), ('id', 'in', Eval('courses', [])), ()),
            ]

    @fields.depends('declaration', '_parent_declaration.kind',
        '_parent_declaration.contract')
    def on_change_with_courses(self, name=None):
        "The courses of the contract of a declaration of lessons"
        contract = getattr(self.declaration, 'contract', None)
        if contract:
            return sorted({line.course.id for line in contract.lines})
        return []

    @fields.depends('declaration', '_parent_declaration.kind',
        '_parent_declaration.contract')
    def on_change_with_quantity_digits(self, name=None):
        "No decimals for the quantities counted whole"
        return 0 if self.declaration and self.declaration.kind and (
            self.whole) else 2

    @fields.depends('amount', 'date', 'quantity', 'course', 'declaration',
        'academic_year', 'semester',
        '_parent_declaration.kind', '_parent_declaration.state',
        '_parent_declaration.contract', '_parent_declaration.month')
    def on_change_with_total(self, name=None):
        """The amount stored past draft; in draft, what the line would be
        paid now, as the submission computes it"""
        declaration = self.declaration
        if not declaration or not declaration.kind:
            return None
        if declaration.state not in {None, 'draft'}:
            return self.amount
        if not self.date or self.quantity is None:
            return None
        pool = Pool()
        WageIndex = pool.get('bts.wage_index')
        AcademicYear = pool.get('bts.academic_year')
        Semester = pool.get('bts.semester')
        try:
            if not self.academic_year:
                self.academic_year = AcademicYear.find(self.date)
            if not self.semester:
                self.semester = Semester.find(self.date)
            rate = self.rate_at_index_100()
            if rate is None:
                return None
            return WageIndex.line_amount(
                rate, self.quantity, self.get_index_date())[2]
        except UserError:
            # Not computable yet (no index, no academic year): the entry
            # checks say why when the line is saved.
            return None

    @classmethod
    def preprocess_values(cls, mode, values):
        """The academic year and semester of the date of service (art. 1,
        4°); a whole quantity without decimals"""
        pool = Pool()
        AcademicYear = pool.get('bts.academic_year')
        Semester = pool.get('bts.semester')
        values = super().preprocess_values(mode, values)
        if values.get('date'):
            values['academic_year'] = AcademicYear.find(values['date']).id
            values['semester'] = Semester.find(values['date']).id
        quantity = values.get('quantity')
        if (isinstance(quantity, Decimal) and quantity.is_finite()
                and quantity == quantity.to_integral_value()):
            # 2.0 lessons are 2 lessons, within the field's whole digits
            values['quantity'] = quantize(quantity, Decimal(1))
        return values

    @classmethod
    def _validate(cls, lines, field_names=None):
        # The rule of whole numbers, with its article, before the digits of
        # the field
        for line in lines:
            line.check_whole()
        super()._validate(lines, field_names=field_names)

    @classmethod
    def validate_fields(cls, lines, field_names):
        """What a line must be when it is entered, while drafting; not again
        when only its computed amounts are stored"""
        Declaration = Pool().get('bts.declaration')
        super().validate_fields(lines, field_names)
        if field_names and field_names <= cls._computed_fields():
            return
        for line in lines:
            line.check_entry()
        Declaration.check_entered(Declaration.browse(
                {line.declaration.id for line in lines}))

    def check_entry(self):
        """The checks of a line when it is entered, again on submission and
        approval: whole numbers, the date in the declared period and those
        of the kind"""
        self.check_whole()
        start, end = self.declaration.period()
        if self.date and not (start <= self.date <= end):
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_outside_period',
                    line=self.get_rec_name(None), start=format_date(start),
                    end=format_date(end)))
        getattr(self, f'_check_entry_{self.declaration.kind}')()

    def _check_entry_lessons(self):
        """Lessons only within an active contract's dates (vademecum §II.4)
        and while the programme runs; the contract's planned lessons are
        checked per declaration (Declaration.check_planned_lessons)"""
        contract = self.declaration.contract
        if (contract.state != 'active'
                or not (contract.start_date <= self.date
                    <= contract.end_date)):
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_outside_contract',
                    line=self.get_rec_name(None), contract=contract.rec_name,
                    start=format_date(contract.start_date),
                    end=format_date(contract.end_date)))
        contract.programme.check_running(self.date, courses=[self.course])
        self.check_course_semester()

    def check_course_semester(self):
        """The lessons of a course are given in the semesters the contract
        plans it for (vademecum §II.1 and §II.4; the semesters of law of 21
        July 2023, art. 1, 4°): the semester of the line's date is one of
        them. A tutor's students are declared once for the year; a course
        the contract does not plan is refused by its planned lessons."""
        contract = self.declaration.contract
        if (contract.role in DAILY_ROLES_EXCLUDED or not self.course
                or not self.semester):
            return
        semesters = {line.semester for line in contract.lines
            if line.course == self.course}
        if semesters and self.semester not in semesters:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_course_semester',
                    line=self.get_rec_name(None), course=self.course.rec_name,
                    contract=contract.rec_name,
                    semesters=', '.join(sorted(
                            s.rec_name for s in semesters)),
                    line_semester=self.semester.rec_name))

    @property
    def whole(self):
        """Whether the quantity is counted in whole units: lessons, students
        and every act but those paid by the hour (RULES.md §B.4, §K.2)"""
        return getattr(self, f'_whole_{self.declaration.kind}')()

    def _whole_lessons(self):
        "Lessons and students are whole, an auxiliary's hours are not"
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
                    line=self.get_rec_name(None),
                    quantity=counted_lessons(quantity)))

    def check(self):
        "The checks of a line on submission and approval"
        self.check_entry()
        getattr(self, f'check_{self.declaration.kind}')()

    def check_lessons(self):
        "A line of lessons has no check at submission beyond its entry's"

    def get_rec_name(self, name):
        return (f'{self.declaration.get_rec_name(name)} '
            f'{format_date(self.date)}')

    def rate_at_index_100(self):
        "The rate of the line's unit at index 100"
        return getattr(self, f'_rate_{self.declaration.kind}')()

    def _rate_lessons(self):
        "The rate of the contract line of the course"
        for line in getattr(self.declaration.contract, 'lines', []):
            if line.course == self.course:
                return line.rate_amount

    def get_index_date(self):
        """The day whose index applies: the end of the semester of a
        semestrial act, the end of the academic year of an annual act and
        of a tutor's students of the year, else the date of service
        (RULES.md §K.1)"""
        unit = getattr(self, f'_index_unit_{self.declaration.kind}')()
        if unit == 'semester':
            return self.semester.end_date
        if unit == 'year':
            return self.academic_year.end_date
        return self.date

    def _index_unit_lessons(self):
        "The students of a tutor's year take the index of the year's end"
        return 'year' if self.declaration.yearly else None

    @staticmethod
    def _computed_fields():
        "The fields compute_amounts stores"
        return {'rate', 'index_date', 'index', 'euro_rate', 'amount'}

    @classmethod
    def compute_amounts(cls, lines):
        """Store the rate at index 100, the index date and its index, the
        euro rate and the amount, each rounded half-up to the cent by the
        wage index (RULES.md §K.1, §D.3).

        Computed values written by the server only: one UPDATE per set of
        values, without the validation of what was entered (the lines were
        checked just before)"""
        WageIndex = Pool().get('bts.wage_index')
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        same = defaultdict(list)
        for line in lines:
            rate = line.rate_at_index_100()
            index_date = line.get_index_date()
            index, euro_rate, amount = WageIndex.line_amount(
                rate, line.quantity, index_date)
            same[rate, index_date, index, euro_rate, amount].append(line.id)
        for values, ids in same.items():
            for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
                cursor.execute(*table.update([
                            table.rate, table.index_date, table.index,
                            table.euro_rate, table.amount,
                            table.write_uid, table.write_date],
                        [*values, transaction.user, CurrentTimestamp()],
                        where=reduce_ids(table.id, sub_ids)))
        for line in lines:
            line._local_cache.pop(line.id, None)
        batch.forget(cls, [line.id for line in lines])


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
