# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Payment runs: the approved declarations of a period, booked in one
accounting move and paid by SEPA credit transfer through account_payment
(DESIGN.md §3, payment runs; RULES.md §C.14)."""
import datetime as dt
import unicodedata
from collections import defaultdict
from decimal import Decimal
from functools import partial

from genshi.core import TEXT
from sql import Literal, Select, Values
from sql.aggregate import Count
from sql.operators import Equal
from stdnum import iban

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Exclude, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.bts_programme import batch
from trytond.modules.bts_programme.academic_year import window_end
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.modules.bts_programme.wage_index import EuroMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.rpc import RPC
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

from .configuration import INDEMNITY_KINDS
from .exceptions import PaymentRunError

_DRAFT = Eval('state') != 'draft'
# The structured postal address banks require of a creditor since
# 15 November 2026 (EPC SEPA rulebooks 2025, unstructured addresses
# rejected): street, building number, postcode, town and country.
STRUCTURED_ADDRESS = [
    'street_name', 'building_number', 'postal_code', 'city', 'country']
# The Latin character set of the EPC guidelines for SEPA credit transfers.
SEPA_CHARACTERS = frozenset(
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
    "/-?:().,'+ ")
SEPA_SPECIAL = {
    'ß': 'ss', 'æ': 'ae', 'Æ': 'AE', 'œ': 'oe', 'Œ': 'OE', 'ø': 'o',
    'Ø': 'O', 'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', '&': '+',
    '’': "'", '‘': "'", '–': '-', '—': '-', '"': "'",
    }


def sepa_text(text):
    """Transliterate text to the SEPA character set: accents dropped
    (account_payment_sepa's NFKD of its German flavours), ligatures spelt
    out, any other character a space; line breaks of the XML layout kept"""
    result = []
    for char in unicodedata.normalize('NFKD', text):
        if char in SEPA_CHARACTERS or char in '\n\t\r':
            result.append(char)
        elif char in SEPA_SPECIAL:
            result.append(SEPA_SPECIAL[char])
        elif unicodedata.combining(char):
            continue
        else:
            result.append(' ')
    return ''.join(result)


def _sepa_filter(stream):
    for kind, data, pos in stream:
        if kind is TEXT:
            data = sepa_text(data)
        yield kind, data, pos


class _SEPATemplate:
    "account_payment_sepa's template, its text in the SEPA character set"

    def __init__(self, template):
        self.template = template

    def generate(self, *args, **kwargs):
        return self.template.generate(*args, **kwargs).filter(_sepa_filter)


def month_period(month):
    "Return the first and last days of a month given as YYYY-MM"
    try:
        start = dt.datetime.strptime(month, '%Y-%m').date()
    except ValueError:
        raise PaymentRunError(gettext(
                'bts_indemnity.msg_run_month_invalid', month=month))
    return start, window_end(start, 1)


def payment_details(party_ids):
    """Return per party id: the first valid IBAN of its bank accounts with a
    bank, and why SEPA credit transfer cannot pay it (no such IBAN, no
    national identification number, no structured address); the accounts,
    numbers, identifiers and addresses read a slice of parties at a time"""
    details = {}
    for sub_ids in grouped_slice(party_ids, batch.SLICE):
        details.update(_payment_details(list(sub_ids)))
    return details


def payment_status(reasons):
    "The status of a beneficiary: blocked if SEPA cannot pay it"
    return 'blocked' if reasons else 'payable'


def _payment_details(ids):
    pool = Pool()
    Party = pool.get('party.party')
    Account = pool.get('bank.account')
    Number = pool.get('bank.account.number')
    Address = pool.get('party.address')
    with without_check_access():
        values = {v['id']: v for v in Party.read(ids,
                ['national_id', 'bank_accounts_used', 'addresses'])}
        accounts = {a['id']: a for a in Account.read(
                sorted({a for v in values.values()
                        for a in v['bank_accounts_used']}),
                ['bank', 'numbers'])}
        numbers = {n['id']: n for n in Number.read(
                sorted({n for a in accounts.values() for n in a['numbers']}),
                ['type', 'number'])}
        addresses = {a['id']: a for a in Address.read(
                sorted({v['addresses'][0] for v in values.values()
                        if v['addresses']}), STRUCTURED_ADDRESS)}
    labels = Address.fields_get(STRUCTURED_ADDRESS)
    details = {}
    for party_id in ids:
        party = values[party_id]
        number = next((number for account in (
                    accounts[a] for a in party['bank_accounts_used'])
                for number in (numbers[n] for n in account['numbers'])
                if number['type'] == 'iban' and account['bank']
                and iban.is_valid(number['number'] or '')), None)
        reasons = []
        if not number:
            reasons.append(gettext('bts_indemnity.msg_beneficiary_no_iban'))
        if not party['national_id']:
            reasons.append(gettext('bts_indemnity.msg_beneficiary_no_id'))
        address = (addresses[party['addresses'][0]]
            if party['addresses'] else None)
        missing = [name for name in STRUCTURED_ADDRESS
            if not address or not address[name]]
        if missing:
            reasons.append(gettext('bts_indemnity.msg_beneficiary_address',
                    fields=', '.join(labels[n]['string'] for n in missing)))
        details[party_id] = (
            Number(number['id']) if number else None, party['national_id'],
            reasons)
    return details


def _stamp(name):
    return (
        fields.Many2One('res.user', f"{name} by", readonly=True),
        fields.DateTime(f"{name} on", readonly=True))


class Run(EuroMixin, ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Payment run: the approved, unpaid declaration lines of a period, per
    beneficiary, booked in one move and paid by SEPA credit transfer. A
    posted run is reversed only by a correction run.

    Three persons pay a run (two-person rule of the ministry's payment
    procedure): finance computes and posts it, another person of the
    payment approval group approves its payments (account_payment's
    approval), a third, the accountant, processes them into the SEPA
    message. Each step is stamped on the run."""
    __name__ = 'bts.payment.run'
    __string__ = "Payment Run"
    _rec_name = 'number'
    number = fields.Char("Number", readonly=True)
    kind = fields.Selection([
            ('payment', "Payment"),
            ('correction', "Correction"),
            ], "Kind", readonly=True, required=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    start_date = fields.Date(
        "Start Date", required=True, states={'readonly': _DRAFT},
        domain=[('start_date', '<=', Eval('end_date', None))])
    end_date = fields.Date(
        "End Date", required=True, states={'readonly': _DRAFT})
    semester = fields.Many2One(
        'bts.semester', "Semester", states={'readonly': _DRAFT},
        help="Fill the period with the dates of a semester.")
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", states={'readonly': _DRAFT},
        help="Only the declarations of this lycée.")
    programme = fields.Many2One(
        'bts.programme', "Programme", states={'readonly': _DRAFT},
        help="Only the declarations of this programme.")
    date = fields.Date(
        "Payment Date", required=True, states={'readonly': _DRAFT},
        help="The date of the move and of the credit transfers.")
    beneficiaries = fields.One2Many(
        'bts.payment.run.beneficiary', 'run', "Beneficiaries", readonly=True)
    lines = fields.One2Many(
        'bts.payment.run.line', 'run', "Lines", readonly=True)
    declarations = fields.Many2Many(
        'bts.payment.run-bts.declaration', 'run', 'declaration',
        "Declarations", readonly=True,
        states={'invisible': ~Eval('declarations')},
        help="Only these declarations: the run was started from a "
        "selection of the declarations list.")
    months = fields.Function(fields.Char(
            "Months Covered",
            help="The months of service of the lines the run pays: every "
            "approved, unpaid line up to the end of the period, earlier "
            "months approved late included."), 'get_months')
    amount = fields.Function(
        fields.Numeric("Amount to Pay", digits=(16, 2)), 'get_amounts')
    blocked_amount = fields.Function(
        fields.Numeric("Blocked Amount", digits=(16, 2)), 'get_amounts')
    move = fields.Many2One(
        'account.move', "Move", readonly=True, ondelete='RESTRICT')
    payment_group = fields.Many2One(
        'account.payment.group', "Payment Group", readonly=True,
        ondelete='RESTRICT')
    payments = fields.Function(fields.Many2Many(
            'account.payment', None, None, "Payments"), 'get_payments')
    sepa_messages = fields.Function(fields.Many2Many(
            'account.payment.sepa.message', None, None, "SEPA Messages"),
        'get_sepa_messages')
    corrected_run = fields.Many2One(
        'bts.payment.run', "Corrects", readonly=True, ondelete='RESTRICT',
        states={'invisible': Eval('kind') != 'correction'})
    correction = fields.Function(fields.Many2One(
            'bts.payment.run', "Corrected by",
            states={'invisible': ~Eval('correction')}),
        'get_correction')
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ('corrected', "Corrected"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    posted_by, posted_on = _stamp("Posted")
    payments_approved_by, payments_approved_on = _stamp("Payments Approved")
    processed_by, processed_on = _stamp("Payments Processed")
    # The steps of a run, by their stamps: a person takes one of them.
    _duties = ['posted', 'payments_approved', 'processed']

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'posted'),
            ('draft', 'cancelled'),
            ('posted', 'corrected'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh', 'depends': ['state']},
                'post': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok', 'depends': ['state']},
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-cancel', 'depends': ['state']},
                'approve_payments': {
                    'invisible': ((Eval('state') != 'posted')
                        | (Eval('kind') != 'payment')
                        | Bool(Eval('payments_approved_by'))),
                    'icon': 'tryton-forward',
                    'depends': ['state', 'kind', 'payments_approved_by']},
                'process_payments': {
                    'invisible': ((Eval('state') != 'posted')
                        | (Eval('kind') != 'payment')
                        | ~Eval('payments_approved_by')
                        | Eval('payment_group')),
                    'icon': 'tryton-launch',
                    'depends': [
                        'state', 'kind', 'payments_approved_by',
                        'payment_group']},
                'correct': {
                    'invisible': ((Eval('state') != 'posted')
                        | (Eval('kind') != 'payment')),
                    'icon': 'tryton-undo', 'depends': ['state', 'kind']},
                })
        # As account_payment's approval: a fresh login approves.
        cls.__rpc__.update({
                'approve_payments': RPC(
                    readonly=False, instantiate=0, fresh_session=True),
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'payment'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('semester')
    def on_change_semester(self):
        if self.semester:
            self.start_date = self.semester.start_date
            self.end_date = self.semester.end_date

    @classmethod
    def get_months(cls, runs, name):
        "The months of service of the runs' lines, as MM/YYYY"
        months = defaultdict(set)
        for run_id, day in cls._line_figures(runs, 'date'):
            months[run_id].add((day.year, day.month))
        return {r.id: ', '.join(f'{month:02d}/{year}'
                for year, month in sorted(months[r.id])) for r in runs}

    @classmethod
    def _line_figures(cls, runs, name):
        "The rows (run, declaration line's name) of the runs' lines"
        pool = Pool()
        RunLine = pool.get('bts.payment.run.line')
        Line = pool.get('bts.declaration.line')
        run_line, line = RunLine.__table__(), Line.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(
                [r.id for r in runs], backend.MAX_QUERY_PARAMS):
            cursor.execute(*run_line.join(line,
                    condition=run_line.declaration_line == line.id
                    ).select(run_line.run, getattr(line, name),
                    where=reduce_ids(run_line.run, sub_ids),
                    group_by=[run_line.run, getattr(line, name)]))
            yield from cursor

    @classmethod
    def get_amounts(cls, runs, names):
        "The amounts to pay and blocked, per status of the beneficiaries"
        Beneficiary = Pool().get('bts.payment.run.beneficiary')
        beneficiary = Beneficiary.__table__()
        cursor = Transaction().connection.cursor()
        status = {'amount': 'payable', 'blocked_amount': 'blocked'}
        result = {n: dict.fromkeys((r.id for r in runs), Decimal(0))
            for n in names}
        for sub_ids in grouped_slice(
                [r.id for r in runs], backend.MAX_QUERY_PARAMS):
            # Summed here: SQLite sums numeric columns as floats.
            cursor.execute(*beneficiary.select(
                    beneficiary.run, beneficiary.status, beneficiary.amount,
                    where=reduce_ids(beneficiary.run, sub_ids)))
            for run_id, state, amount in cursor:
                for name in names:
                    if status[name] == state:
                        result[name][run_id] += amount
        return result

    @classmethod
    def get_payments(cls, runs, name):
        payments = {r.id: [] for r in runs}
        for run_id, payment_id in cls._payments(runs):
            payments[run_id].append(payment_id)
        return payments

    @classmethod
    def _payments(cls, runs, *where):
        """The rows (run, payment) of the runs' payments, in one query;
        where: clauses on the payment's table"""
        pool = Pool()
        Beneficiary = pool.get('bts.payment.run.beneficiary')
        Payment = pool.get('account.payment')
        beneficiary = Beneficiary.__table__()
        payment = Payment.__table__()
        condition = reduce_ids(beneficiary.run, [r.id for r in runs])
        for clause in where:
            condition &= clause(payment)
        cursor = Transaction().connection.cursor()
        cursor.execute(*beneficiary.join(payment,
                condition=beneficiary.payment == payment.id
                ).select(beneficiary.run, payment.id,
                where=condition, order_by=[beneficiary.id]))
        return cursor.fetchall()

    @classmethod
    def payments_of(cls, runs, *where):
        "The runs' payments, built a slice at a time"
        Payment = Pool().get('account.payment')
        return batch.browse(
            Payment, [p for _, p in cls._payments(runs, *where)])

    def get_sepa_messages(self, name):
        if self.payment_group:
            return [m.id for m in self.payment_group.sepa_messages]
        return []

    def get_correction(self, name):
        corrections = self.search([('corrected_run', '=', self.id)], limit=1)
        return corrections[0].id if corrections else None

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            configuration = cls.configuration()
            values['number'] = configuration.run_sequence.get()
        return values

    @classmethod
    def copy(cls, runs, default=None):
        "A copy is a new draft run of the same period, to compute"
        default = default.copy() if default is not None else {}
        for name in ['number', 'move', 'payment_group', 'corrected_run']:
            default.setdefault(name, None)
        for duty in cls._duties:
            default.setdefault(f'{duty}_by', None)
            default.setdefault(f'{duty}_on', None)
        default.setdefault('beneficiaries', None)
        default.setdefault('lines', None)
        default.setdefault('kind', 'payment')
        default.setdefault('state', 'draft')
        return super().copy(runs, default=default)

    @classmethod
    def configuration(cls):
        return Pool().get('bts.payment.configuration')(1)

    @classmethod
    def check_modification(cls, mode, runs, values=None, external=False):
        if mode == 'delete':
            for run in runs:
                if run.state not in {'draft', 'cancelled'}:
                    raise PaymentRunError(gettext(
                            'bts_indemnity.msg_run_delete_posted',
                            run=run.rec_name))
        super().check_modification(
            mode, runs, values=values, external=external)

    @classmethod
    def _stamp(cls, runs, duty, **values):
        "Stamp who took the step duty of the runs, and when"
        cls.write(runs, {
                f'{duty}_by': Transaction().user,
                f'{duty}_on': dt.datetime.now(),
                **values})

    def check_duty(self, duty):
        """The user took no other step of the run: posting it, approving its
        payments and processing them are three persons' steps"""
        user = Transaction().user
        for other in self._duties:
            stamp = getattr(self, f'{other}_by')
            if other != duty and stamp and stamp.id == user:
                raise PaymentRunError(gettext(
                        'bts_indemnity.msg_run_duties',
                        run=self.rec_name,
                        stamp=self.fields_get(
                            [f'{other}_by'])[f'{other}_by']['string']))

    @classmethod
    def of_payments(cls, payments):
        "The payment runs that pay the payments, in one query"
        Beneficiary = Pool().get('bts.payment.run.beneficiary')
        beneficiary = Beneficiary.__table__()
        cursor = Transaction().connection.cursor()
        runs = set()
        for sub_ids in grouped_slice(
                [p.id for p in payments], backend.MAX_QUERY_PARAMS):
            cursor.execute(*beneficiary.select(beneficiary.run,
                    where=reduce_ids(beneficiary.payment, sub_ids),
                    group_by=[beneficiary.run]))
            runs.update(r for r, in cursor)
        return cls.browse(sorted(runs))

    def _lines_query(self):
        """The query of the ids of the approved declaration lines of the
        filters that no posted run paid, with a date of service up to the
        end of the period: a line approved late is paid by the next run,
        its earlier month included"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        RunLine = pool.get('bts.payment.run.line')
        paid = RunLine.__table__()
        domain = [
            ('declaration.state', '=', 'approved'),
            ('date', '<=', self.end_date),
            ('id', 'not in', paid.select(paid.declaration_line,
                    where=paid.paid == Literal(True))),
            ]
        if self.lycee:
            domain.append(('declaration.lycee', '=', self.lycee.id))
        if self.programme:
            domain.append(('declaration.programme', '=', self.programme.id))
        if self.declarations:
            domain.append(('declaration', 'in',
                    [d.id for d in self.declarations]))
        return Line.search(domain, order=[], query=True)

    def _beneficiaries(self):
        """The beneficiaries of the run as values to create, each with the
        values of its lines, by name: the lines read in one query, their
        declarations and parties a slice at a time"""
        pool = Pool()
        Declaration = pool.get('bts.declaration')
        Line = pool.get('bts.declaration.line')
        Party = pool.get('party.party')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(
                line.id, line.declaration, line.quantity, line.amount,
                where=line.id.in_(self._lines_query()),
                order_by=[line.date.asc, line.id.asc]))
        rows = cursor.fetchall()
        kinds, parties = {}, {}
        for declaration in batch.browse(
                Declaration, sorted({r[1] for r in rows})):
            kinds[declaration.id] = declaration.indemnity_kind()
            parties[declaration.id] = declaration.party.id
        by_party = defaultdict(list)
        for id_, declaration, quantity, amount in rows:
            by_party[parties[declaration]].append({
                    'declaration_line': id_,
                    'kind': kinds[declaration],
                    'quantity': quantity,
                    'amount': amount,
                    'paid': False,
                    })
        names = {}
        with without_check_access():
            for sub_ids in grouped_slice(list(by_party), batch.SLICE):
                names.update((p['id'], p['name'])
                    for p in Party.read(list(sub_ids), ['name']))
        details = payment_details(list(by_party))
        beneficiaries = []
        for party in sorted(by_party, key=lambda p: (names[p], p)):
            lines = by_party[party]
            number, national_id, reasons = details[party]
            beneficiaries.append(({
                        'run': self.id,
                        'party': party,
                        'national_id': national_id,
                        'bank_account_number': number.id if number else None,
                        'quantity': sum(line['quantity'] for line in lines),
                        'amount': sum(line['amount'] for line in lines),
                        'status': payment_status(reasons),
                        'reason': '\n'.join(reasons) or None,
                        }, lines))
        return beneficiaries

    @classmethod
    @ModelView.button
    @batch.sliced
    def compute(cls, runs):
        """Gather the approved, unpaid lines per beneficiary; the
        beneficiaries SEPA cannot pay are listed as blocked with the
        reason. The beneficiaries and run lines are the server's own values
        from checked declarations: inserted with plain SQL"""
        pool = Pool()
        Beneficiary = pool.get('bts.payment.run.beneficiary')
        RunLine = pool.get('bts.payment.run.line')
        runs = [r for r in runs if r.state == 'draft']
        beneficiary = Beneficiary.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*beneficiary.select(beneficiary.id,
                where=reduce_ids(beneficiary.run, [r.id for r in runs])))
        Beneficiary.delete(batch.browse(Beneficiary, [i for i, in cursor]))
        computed = [b for r in runs for b in r._beneficiaries()]
        if not computed:
            return
        names = list(computed[0][0])
        ids = batch.insert(Beneficiary, names,
            [[values[n] for n in names] for values, _ in computed])
        lines = [{**line, 'run': values['run'], 'beneficiary': id_}
            for id_, (values, lines) in zip(ids, computed, strict=True)
            for line in lines]
        names = list(lines[0])
        batch.insert(RunLine, names,
            [[line[n] for n in names] for line in lines])

    @classmethod
    def _run_lines(cls, runs, *where):
        """The rows (beneficiary's party, status, run line, declaration line,
        declaration, kind, amount) of the runs' lines"""
        pool = Pool()
        Beneficiary = pool.get('bts.payment.run.beneficiary')
        RunLine = pool.get('bts.payment.run.line')
        Line = pool.get('bts.declaration.line')
        beneficiary = Beneficiary.__table__()
        run_line = RunLine.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        condition = reduce_ids(run_line.run, [r.id for r in runs])
        for clause in where:
            condition &= clause(beneficiary)
        cursor.execute(*run_line.join(beneficiary,
                condition=run_line.beneficiary == beneficiary.id
                ).join(line, condition=run_line.declaration_line == line.id
                ).select(beneficiary.party, beneficiary.status, run_line.id,
                line.id, line.declaration, run_line.kind, run_line.amount,
                where=condition, order_by=[run_line.id]))
        return cursor.fetchall()

    @classmethod
    def lock_lines(cls, runs):
        """Lock the runs, their declaration lines and declarations until the
        transaction ends: a second post of the same lines waits and then
        sees them paid"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        Declaration = pool.get('bts.declaration')
        RunLine = pool.get('bts.payment.run.line')
        cls.lock(runs)
        if backend.name != 'sqlite' and not RunLine.native_constraints():
            # The table lock trytond takes to check the constraint when
            # the lines are marked paid, taken first: a transaction
            # retried to take a lock is retried before the work.
            RunLine.lock()
        rows = cls._run_lines(runs)
        Line.lock(batch.browse(Line, sorted({row[3] for row in rows})))
        Declaration.lock(
            batch.browse(Declaration, sorted({row[4] for row in rows})))

    def check_unchanged(self):
        """Under lock: no line paid by another run meanwhile, and the run
        still pays what the preview showed: its lines are those a run would
        gather now (a set query each way: no declaration rejected or
        approved meanwhile) and no beneficiary's status changed (an IBAN,
        identification or address removed)"""
        pool = Pool()
        RunLine = pool.get('bts.payment.run.line')
        Beneficiary = pool.get('bts.payment.run.beneficiary')
        run_line = RunLine.__table__()
        beneficiary = Beneficiary.__table__()
        stored = run_line.select(run_line.declaration_line,
            where=run_line.run == self.id)
        paid = RunLine.paid_line(stored)
        if paid:
            raise PaymentRunError(gettext(
                    'bts_indemnity.msg_run_line_already_paid',
                    run=self.rec_name,
                    line=paid.declaration_line.rec_name,
                    paid_run=paid.run.rec_name))
        cursor = Transaction().connection.cursor()
        current = self._lines_query()
        changed = False
        for query in [stored - current, current - stored]:
            cursor.execute(*query)
            changed |= cursor.fetchone() is not None
        cursor.execute(*beneficiary.select(
                beneficiary.party, beneficiary.status,
                where=beneficiary.run == self.id))
        statuses = dict(cursor)
        details = payment_details(sorted(statuses))
        if changed or any(payment_status(details[party][2]) != status
                for party, status in statuses.items()):
            raise PaymentRunError(gettext(
                    'bts_indemnity.msg_run_changed', run=self.rec_name))
        if 'payable' not in statuses.values():
            raise PaymentRunError(gettext(
                    'bts_indemnity.msg_run_nothing_to_pay',
                    run=self.rec_name))

    def _move(self):
        """The values of the move and of its lines: expense per account,
        payable per beneficiary, from one query of the payable lines"""
        Period = Pool().get('account.period')
        configuration = self.configuration()
        configuration.check_complete()
        expenses = defaultdict(Decimal)
        payables = defaultdict(Decimal)
        for party, _, _, _, _, kind, amount in self._run_lines(
                [self], lambda b: b.status == 'payable'):
            expenses[configuration.expense_account(kind)] += amount
            payables[party] += amount
        lines = [{
                'account': account.id, 'debit': amount, 'credit': Decimal(0),
                'description': self.number,
                } for account, amount in sorted(
                expenses.items(), key=lambda i: i[0].code or '')]
        lines += [{
                'account': configuration.payable_account.id,
                'party': party, 'debit': Decimal(0),
                'credit': payables[party], 'maturity_date': self.date,
                'description': self.number,
                } for party in sorted(payables)]
        return {
            'company': self.company.id,
            'journal': configuration.journal.id,
            'period': Period.find(self.company, date=self.date).id,
            'date': self.date, 'origin': str(self),
            'description': self.rec_name,
            }, lines

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    @batch.sliced
    def post(cls, runs):
        """Book and pay the run in one transaction: one posted move, the
        declaration lines marked paid (a line is paid at most once), the
        declarations paid in full marked paid, one payment per
        beneficiary"""
        pool = Pool()
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        RunLine = pool.get('bts.payment.run.line')
        Declaration = pool.get('bts.declaration')
        cls.lock_lines(runs)
        for run in runs:
            run.check_unchanged()
        with without_check_access():
            # The move's thousands of lines created a slice at a time
            moved = [run._move() for run in runs]
            moves = Move.create([values for values, _ in moved])
            batch.create(MoveLine, [{**line, 'move': move.id}
                    for move, (_, lines) in zip(moves, moved, strict=True)
                    for line in lines])
            Move.post(moves)
            for run, move in zip(runs, moves, strict=True):
                run.move = move
            cls.save(runs)
            cls._stamp(runs, 'posted')
            RunLine.mark_paid(batch.browse(RunLine, [
                        row[2] for row in cls._run_lines(
                            runs, lambda b: b.status == 'payable')]), True)
            Declaration.pay(cls._paid_declarations(runs))
            cls.create_payments(runs)

    @classmethod
    def _paid_declarations(cls, runs):
        "The declarations of the runs whose every line is paid, in one query"
        pool = Pool()
        Declaration = pool.get('bts.declaration')
        Line = pool.get('bts.declaration.line')
        RunLine = pool.get('bts.payment.run.line')
        line, paid = Line.__table__(), RunLine.__table__()
        declarations = sorted({row[4] for row in cls._run_lines(runs)})
        cursor = Transaction().connection.cursor()
        ids = []
        for sub_ids in grouped_slice(
                declarations, backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.join(paid, 'LEFT',
                    condition=(paid.declaration_line == line.id)
                    & (paid.paid == Literal(True))
                    ).select(line.declaration,
                    where=reduce_ids(line.declaration, sub_ids),
                    group_by=[line.declaration],
                    having=Count(paid.id) == Count(line.id)))
            ids.extend(row[0] for row in cursor)
        return batch.browse(Declaration, sorted(ids))

    @classmethod
    def create_payments(cls, runs):
        """One submitted payable payment per payable beneficiary of the
        posted runs on its line of the run's move, created from the values
        of one query; the line and the payment written on the beneficiaries
        with one UPDATE"""
        pool = Pool()
        Payment = pool.get('account.payment')
        Beneficiary = pool.get('bts.payment.run.beneficiary')
        MoveLine = pool.get('account.move.line')
        beneficiary = Beneficiary.__table__()
        move_line = MoveLine.__table__()
        run = cls.__table__()
        configuration = cls.configuration()
        cursor = Transaction().connection.cursor()
        cursor.execute(*beneficiary.join(run,
                condition=beneficiary.run == run.id
                ).join(move_line,
                condition=(move_line.move == run.move)
                & (move_line.party == beneficiary.party)
                ).select(beneficiary.id, beneficiary.run, beneficiary.party,
                beneficiary.amount, beneficiary.bank_account_number,
                move_line.id,
                where=reduce_ids(run.id, [r.id for r in runs])
                & (beneficiary.status == 'payable'),
                order_by=[beneficiary.id]))
        rows = cursor.fetchall()
        runs = {r.id: r for r in runs}
        references = {r.id: gettext('bts_indemnity.msg_payment_reference',
                run=r.number, start=r.start_date, end=r.end_date)[:140]
            for r in runs.values()}
        payments = batch.create(Payment, [{
                    'company': runs[run_id].company.id,
                    'journal': configuration.payment_journal.id,
                    'kind': 'payable', 'party': party, 'amount': amount,
                    'line': line, 'date': runs[run_id].date,
                    'origin': f'{Beneficiary.__name__},{id_}',
                    'sepa_payable_bank_account_number': number,
                    'reference': references[run_id],
                    } for id_, run_id, party, amount, number, line in rows])
        Payment.submit(payments)
        for sub in grouped_slice(list(zip(rows, payments, strict=True)),
                backend.MAX_QUERY_PARAMS // 3):
            values = Values([[row[0], row[5], payment.id]
                    for row, payment in sub])
            cursor.execute(*beneficiary.update(
                    [beneficiary.move_line, beneficiary.payment],
                    [values.column2, values.column3], from_=[values],
                    where=beneficiary.id == values.column1))
        batch.forget(Beneficiary, [row[0] for row in rows])
        return payments

    @classmethod
    @ModelView.button
    @batch.sliced
    def approve_payments(cls, runs):
        """Approve the runs' submitted payments with account_payment: by
        another person than the one who posted the run"""
        Payment = Pool().get('account.payment')
        Payment.approve(cls.payments_of(
                runs, lambda p: p.state == 'submitted'))

    @classmethod
    @ModelView.button
    @batch.sliced
    def process_payments(cls, runs):
        """Process the runs' approved payments with account_payment in one
        payment group per run: account_payment_sepa writes the SEPA message.
        By a third person: neither the one who posted the run nor the one
        who approved its payments"""
        Payment = Pool().get('account.payment')
        configuration = cls.configuration()
        for run in runs:
            if run.state != 'posted' or run.payment_group:
                continue
            Payment.process(cls.payments_of([run]), partial(
                    cls._payment_group, run, configuration))

    def check_processable(self, payments):
        """The run's payments are processed together, all approved, by a
        person who took no other step of the run"""
        self.check_duty('processed')
        processed = {p.id for p in payments}
        for payment in self.payments_of([self]):
            if payment.state != 'approved':
                raise PaymentRunError(gettext(
                        'bts_indemnity.msg_run_payments_not_approved',
                        run=self.rec_name, payment=payment.rec_name,
                        state=payment.state_string))
            if payment.id not in processed:
                raise PaymentRunError(gettext(
                        'bts_indemnity.msg_run_payments_together',
                        run=self.rec_name, payment=payment.rec_name))

    @staticmethod
    def _payment_group(run, configuration):
        Group = Pool().get('account.payment.group')
        group = Group(company=run.company, kind='payable',
            journal=configuration.payment_journal)
        group.save()
        return group

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, runs):
        "A draft run cancelled releases its lines"
        Beneficiary = Pool().get('bts.payment.run.beneficiary')
        Beneficiary.delete([b for r in runs for b in r.beneficiaries])

    @classmethod
    @ModelView.button
    @Workflow.transition('corrected')
    @batch.sliced
    def correct(cls, runs):
        """Reverse posted runs by correction runs: account's cancel move of
        each move, the unprocessed payments deleted, the lines released back
        to approved so that a later run pays them again"""
        pool = Pool()
        Payment = pool.get('account.payment')
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        RunLine = pool.get('bts.payment.run.line')
        Declaration = pool.get('bts.declaration')
        Date = pool.get('ir.date')
        cls.lock_lines(runs)
        corrections = []
        with without_check_access():
            for run in runs:
                payments = cls.payments_of([run])
                sent = [p for p in payments
                    if p.state in {'processing', 'succeeded'}]
                if sent:
                    raise PaymentRunError(gettext(
                            'bts_indemnity.msg_run_correct_sent',
                            run=run.rec_name, payment=sent[0].rec_name))
                pending = [p for p in payments if p.state != 'failed']
                Payment.draft(pending)
                Payment.delete(pending)
                cancel_move = run.move.cancel(reversal=True)
                Move.post([cancel_move])
                to_reconcile = defaultdict(list)
                for line in run.move.lines + cancel_move.lines:
                    if line.account.reconcile:
                        to_reconcile[(line.account, line.party)].append(line)
                for lines in to_reconcile.values():
                    MoveLine.reconcile(lines)
                with Transaction().set_context(company=run.company.id):
                    today = Date.today()
                corrections.append(cls(kind='correction', company=run.company,
                        start_date=run.start_date, end_date=run.end_date,
                        lycee=run.lycee, programme=run.programme,
                        date=cancel_move.date or today, corrected_run=run,
                        move=cancel_move, state='posted'))
            cls.save(corrections)
            cls._stamp(corrections, 'posted')
            lines = [line for r in runs for line in r.lines if line.paid]
            declarations = {line.declaration_line.declaration
                for line in lines}
            Declaration.release(sorted(
                    (d for d in declarations if d.state == 'paid'),
                    key=lambda d: d.id))
            RunLine.mark_paid(lines, False)


class RunDeclaration(ModelSQL):
    "A declaration of the selection a payment run was started from"
    __name__ = 'bts.payment.run-bts.declaration'
    __string__ = "Payment Run - Declaration"
    run = fields.Many2One(
        'bts.payment.run', "Payment Run", required=True, ondelete='CASCADE')
    declaration = fields.Many2One(
        'bts.declaration', "Declaration", required=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('run')


class Beneficiary(EuroMixin, ClientGuardMixin, ModelSQL, ModelView):
    """A beneficiary of a payment run: their lines and total, the IBAN and
    identification used, or why SEPA cannot pay them (blocked); computed by
    the run, never written by a client"""
    __name__ = 'bts.payment.run.beneficiary'
    __string__ = "Payment Run Beneficiary"
    _guard_parent = ('run', 'beneficiaries')
    run = fields.Many2One(
        'bts.payment.run', "Run", required=True, readonly=True,
        ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Beneficiary", required=True, readonly=True,
        ondelete='RESTRICT')
    national_id = fields.Char(
        "National Identification Number", readonly=True)
    bank_account_number = fields.Many2One(
        'bank.account.number', "IBAN", readonly=True, ondelete='RESTRICT')
    quantity = fields.Numeric("Quantity", digits=(16, 2), readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)
    status = fields.Selection([
            ('payable', "Payable"),
            ('blocked', "Blocked"),
            ], "Status", required=True, readonly=True)
    status_string = status.translated('status')
    reason = fields.Text("Reason", readonly=True)
    lines = fields.One2Many(
        'bts.payment.run.line', 'beneficiary', "Lines", readonly=True)
    lycees = fields.Function(fields.Char("Lycées"), 'get_lycees')
    budget_articles = fields.Function(
        fields.Char("Budget Articles"), 'get_budget_articles')
    move_line = fields.Many2One(
        'account.move.line', "Move Line", readonly=True, ondelete='RESTRICT')
    payment = fields.Many2One(
        'account.payment', "Payment", readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('run')
        cls._order = [('run', 'DESC'), ('status', 'DESC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return f'{self.run.rec_name} {self.party.rec_name}'

    def get_lycees(self, name):
        return ', '.join(sorted({line.declaration_line.declaration.lycee.code
                    for line in self.lines}))

    def get_budget_articles(self, name):
        configuration = self.run.configuration()
        return ', '.join(sorted({configuration.budget_article(line.kind) or ''
                    for line in self.lines} - {''}))


class RunLine(EuroMixin, ClientGuardMixin, ModelSQL, ModelView):
    """A declaration line in a payment run; paid while its run is posted and
    not corrected: a declaration line is paid at most once. Computed and
    marked paid by the run, never written by a client"""
    __name__ = 'bts.payment.run.line'
    __string__ = "Payment Run Line"
    _guard_parent = ('run', 'lines')
    run = fields.Many2One(
        'bts.payment.run', "Run", required=True, readonly=True,
        ondelete='CASCADE')
    beneficiary = fields.Many2One(
        'bts.payment.run.beneficiary', "Beneficiary", required=True,
        readonly=True, ondelete='CASCADE')
    declaration_line = fields.Many2One(
        'bts.declaration.line', "Declaration Line", required=True,
        readonly=True, ondelete='RESTRICT')
    kind = fields.Selection(
        INDEMNITY_KINDS, "Kind", required=True, readonly=True)
    quantity = fields.Numeric("Quantity", digits=(16, 2), readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)
    paid = fields.Boolean("Paid", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('run')
        t = cls.__table__()
        cls._sql_constraints += [
            ('declaration_line_paid_once', Exclude(t,
                    (t.declaration_line, Equal),
                    where=t.paid == Literal(True)),
                'bts_indemnity.msg_run_line_paid_once'),
            ]

    # Where the database has no native exclusion constraint (SQLite),
    # trytond checks it with one OR clause per record written, which
    # SQLite's parser refuses beyond about a hundred: write in slices.
    _slice = 50

    @classmethod
    def native_constraints(cls):
        "Whether the database enforces the constraints of the run lines"
        database = Transaction().database
        return all(database.has_constraint(constraint)
            for _, constraint, _ in cls._sql_constraints)

    @classmethod
    def mark_paid(cls, lines, paid):
        size = (backend.MAX_QUERY_PARAMS if cls.native_constraints()
            else cls._slice)
        for sub_lines in grouped_slice(lines, size):
            cls.write(list(sub_lines), {'paid': paid})

    @classmethod
    def paid_line(cls, declaration_lines):
        """A run line that pays one of the declaration lines (or of the query
        of their ids), or None"""
        if not isinstance(declaration_lines, Select):
            declaration_lines = [int(line) for line in declaration_lines]
        lines = cls.search([
                ('paid', '=', True),
                ('declaration_line', 'in', declaration_lines),
                ], limit=1)
        return lines[0] if lines else None

    @classmethod
    def default_paid(cls):
        return False


class Declaration(metaclass=PoolMeta):
    __name__ = 'bts.declaration'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # A correction run releases the declarations it paid.
        cls._transitions.add(('paid', 'approved'))

    @classmethod
    @Workflow.transition('paid')
    def pay(cls, declarations):
        "Every line of the declarations is paid by a posted run"

    @classmethod
    @Workflow.transition('approved')
    def release(cls, declarations):
        "A correction run reversed the payment"

    @classmethod
    def reset(cls, declarations, reason):
        "A declaration with paid lines is not rejected"
        RunLine = Pool().get('bts.payment.run.line')
        paid = RunLine.search([
                ('paid', '=', True),
                ('declaration_line.declaration', 'in',
                    [d.id for d in declarations]),
                ], limit=1)
        if paid:
            raise PaymentRunError(gettext(
                    'bts_indemnity.msg_declaration_paid_lines',
                    declaration=paid[0].declaration_line.declaration.rec_name,
                    run=paid[0].run.rec_name))
        super().reset(declarations, reason)


class DeclarationLine(metaclass=PoolMeta):
    __name__ = 'bts.declaration.line'
    payment_run = fields.Function(fields.Many2One(
            'bts.payment.run', "Payment Run"), 'get_payment_run')

    @classmethod
    def get_payment_run(cls, lines, name):
        RunLine = Pool().get('bts.payment.run.line')
        runs = dict.fromkeys((line.id for line in lines), None)
        for line in RunLine.search([
                    ('paid', '=', True),
                    ('declaration_line', 'in', list(runs)),
                    ]):
            runs[line.declaration_line.id] = line.run.id
        return runs


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['bts.payment.run']


class Payment(metaclass=PoolMeta):
    """The payments of a payment run are approved by another person than
    the one who posted the run, all by the same person, and processed
    together by a third one: from the run's buttons or account_payment's
    own"""
    __name__ = 'account.payment'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['bts.payment.run.beneficiary']

    @classmethod
    def check_modification(cls, mode, payments, values=None, external=False):
        "A run's payments are created and changed only by the workflows"
        Beneficiary = Pool().get('bts.payment.run.beneficiary')
        super().check_modification(
            mode, payments, values=values, external=external)
        if external:
            for payment in payments:
                if isinstance(payment.origin, Beneficiary):
                    raise AccessError(gettext(
                            'bts_indemnity.msg_run_payment_readonly',
                            payment=payment.rec_name,
                            run=payment.origin.run.rec_name))

    @classmethod
    def write(cls, *args):
        """A run's thousands of payments written a slice at a time: what
        trytond and account_payment do per write (validation of each
        payment's line, the lines' paid amounts) grows with the square of
        the payments written together"""
        for payments, values in zip(args[::2], args[1::2], strict=True):
            # At least one write: trytond checks the access there
            for sub_payments in [list(s) for s in grouped_slice(
                        payments, batch.SLICE)] or [[]]:
                super().write(sub_payments, values)

    @classmethod
    @ModelView.button
    @batch.sliced
    def approve(cls, payments):
        Run = Pool().get('bts.payment.run')
        runs = Run.of_payments(payments)
        user = Transaction().user
        for run in runs:
            run.check_duty('payments_approved')
            approver = run.payments_approved_by
            if approver and approver.id != user:
                raise PaymentRunError(gettext(
                        'bts_indemnity.msg_run_payments_approver',
                        run=run.rec_name, user=approver.rec_name))
        super().approve(payments)
        Run._stamp(runs, 'payments_approved')

    @classmethod
    @batch.sliced
    def process(cls, payments, group=None):
        Run = Pool().get('bts.payment.run')
        runs = Run.of_payments(payments)
        for run in runs:
            run.check_processable(payments)
        group = super().process(payments, group)
        if runs and group:
            Run._stamp(runs, 'processed', payment_group=group.id)
        return group


class PaymentGroup(metaclass=PoolMeta):
    __name__ = 'account.payment.group'

    def get_sepa_template(self):
        """The BTS credit transfers in the SEPA character set (EPC
        guidelines)"""
        Run = Pool().get('bts.payment.run')
        template = super().get_sepa_template()
        if (self.kind == 'payable' and template
                and self.journal == Run.configuration().payment_journal):
            return _SEPATemplate(template)
        return template
