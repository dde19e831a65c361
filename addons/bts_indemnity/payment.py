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
from sql import Literal
from sql.operators import Equal
from stdnum import iban

from trytond.i18n import gettext
from trytond.model import Exclude, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.bts_programme.academic_year import window_end
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.rpc import RPC
from trytond.tools import grouped_slice
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


def bank_account_number(party):
    "Return the first valid IBAN of party's bank accounts with a bank"
    for account in party.bank_accounts_used:
        for number in account.numbers:
            if (number.type == 'iban' and account.bank
                    and iban.is_valid(number.number or '')):
                return number


def blocking_reasons(party):
    """Return why party cannot be paid by SEPA credit transfer: no valid
    IBAN, no national identification number, no structured address"""
    Address = Pool().get('party.address')
    reasons = []
    if not bank_account_number(party):
        reasons.append(gettext('bts_indemnity.msg_beneficiary_no_iban'))
    if not party.national_id:
        reasons.append(gettext('bts_indemnity.msg_beneficiary_no_id'))
    address = party.address_get()
    missing = [name for name in STRUCTURED_ADDRESS
        if not address or not getattr(address, name)]
    if missing:
        labels = Address.fields_get(missing)
        reasons.append(gettext('bts_indemnity.msg_beneficiary_address',
                fields=', '.join(labels[n]['string'] for n in missing)))
    return reasons


def _stamp(name):
    return (
        fields.Many2One('res.user', f"{name} by", readonly=True),
        fields.DateTime(f"{name} on", readonly=True))


class Run(ClientGuardMixin, Workflow, ModelSQL, ModelView):
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

    def get_months(self, name):
        "The months of service of the run's lines, as MM/YYYY"
        months = sorted({(line.declaration_line.date.year,
                    line.declaration_line.date.month) for line in self.lines})
        return ', '.join(f'{month:02d}/{year}' for year, month in months)

    def get_amounts(self, name):
        status = 'payable' if name == 'amount' else 'blocked'
        return sum((b.amount for b in self.beneficiaries
                if b.status == status), Decimal(0))

    def get_payments(self, name):
        return [b.payment.id for b in self.beneficiaries if b.payment]

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
        "The payment runs that pay the payments"
        Beneficiary = Pool().get('bts.payment.run.beneficiary')
        return sorted({p.origin.run for p in payments
                if isinstance(p.origin, Beneficiary)}, key=lambda r: r.id)

    def _declaration_lines(self):
        """The approved declaration lines of the filters that no posted run
        paid, with a date of service up to the end of the period: a line
        approved late is paid by the next run, its earlier month included"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        RunLine = pool.get('bts.payment.run.line')
        domain = [
            ('declaration.state', '=', 'approved'),
            ('date', '<=', self.end_date),
            ]
        if self.lycee:
            domain.append(('declaration.lycee', '=', self.lycee.id))
        if self.programme:
            domain.append(['OR',
                    ('declaration.contract.programme', '=',
                        self.programme.id),
                    ('declaration.member.body.programme', '=',
                        self.programme.id),
                    ])
        lines = Line.search(domain, order=[('date', 'ASC'), ('id', 'ASC')])
        paid = {r.declaration_line.id for r in RunLine.search([
                    ('paid', '=', True),
                    ('declaration_line', 'in', [line.id for line in lines]),
                    ])}
        return [line for line in lines if line.id not in paid]

    def _beneficiaries(self):
        "The beneficiaries of the run, new, with their lines"
        pool = Pool()
        Beneficiary = pool.get('bts.payment.run.beneficiary')
        RunLine = pool.get('bts.payment.run.line')
        by_party = defaultdict(list)
        for line in self._declaration_lines():
            by_party[line.declaration.party].append(line)
        beneficiaries = []
        for party, lines in sorted(
                by_party.items(), key=lambda i: (i[0].name, i[0].id)):
            reasons = blocking_reasons(party)
            number = bank_account_number(party)
            beneficiaries.append(Beneficiary(
                    run=self, party=party,
                    national_id=party.national_id,
                    bank_account_number=number,
                    quantity=sum(line.quantity for line in lines),
                    amount=sum(line.amount for line in lines),
                    status='blocked' if reasons else 'payable',
                    reason='\n'.join(reasons) or None,
                    lines=[RunLine(
                            run=self, declaration_line=line,
                            kind=line.declaration.indemnity_kind(),
                            quantity=line.quantity, amount=line.amount,
                            paid=False)
                        for line in lines]))
        return beneficiaries

    @classmethod
    @ModelView.button
    def compute(cls, runs):
        """Gather the approved, unpaid lines per beneficiary; the
        beneficiaries SEPA cannot pay are listed as blocked with the
        reason"""
        pool = Pool()
        Beneficiary = pool.get('bts.payment.run.beneficiary')
        RunLine = pool.get('bts.payment.run.line')
        runs = [r for r in runs if r.state == 'draft']
        Beneficiary.delete([b for r in runs for b in r.beneficiaries])
        beneficiaries = [b for r in runs for b in r._beneficiaries()]
        lines = [b.lines for b in beneficiaries]
        for beneficiary in beneficiaries:
            beneficiary.lines = []
        Beneficiary.save(beneficiaries)
        for beneficiary, sub_lines in zip(beneficiaries, lines, strict=True):
            for line in sub_lines:
                line.beneficiary = beneficiary
        RunLine.save_in_slices([line for sub_lines in lines
                for line in sub_lines])

    @classmethod
    def lock_lines(cls, runs):
        """Lock the runs, their declaration lines and declarations until the
        transaction ends: a second post of the same lines waits and then
        sees them paid"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        Declaration = pool.get('bts.declaration')
        cls.lock(runs)
        lines = [line.declaration_line for r in runs for line in r.lines]
        Line.lock(sorted(lines, key=lambda line: line.id))
        Declaration.lock(sorted({line.declaration for line in lines},
                key=lambda d: d.id))

    def check_unchanged(self):
        """Under lock: no line paid by another run meanwhile, and the run
        still pays what the preview showed (no declaration rejected, no
        beneficiary blocked meanwhile)"""
        RunLine = Pool().get('bts.payment.run.line')
        paid = RunLine.paid_line(
            [line.declaration_line for line in self.lines])
        if paid:
            raise PaymentRunError(gettext(
                    'bts_indemnity.msg_run_line_already_paid',
                    run=self.rec_name,
                    line=paid.declaration_line.rec_name,
                    paid_run=paid.run.rec_name))
        expected = {(b.party, b.status, frozenset(
                    line.declaration_line.id for line in b.lines))
            for b in self.beneficiaries}
        current = {(b.party, b.status, frozenset(
                    line.declaration_line.id for line in b.lines))
            for b in self._beneficiaries()}
        if expected != current:
            raise PaymentRunError(gettext(
                    'bts_indemnity.msg_run_changed', run=self.rec_name))
        if not any(b.status == 'payable' for b in self.beneficiaries):
            raise PaymentRunError(gettext(
                    'bts_indemnity.msg_run_nothing_to_pay',
                    run=self.rec_name))

    def _move(self):
        "The move: expense per account, payable per beneficiary"
        pool = Pool()
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        configuration = self.configuration()
        configuration.check_complete()
        expenses = defaultdict(Decimal)
        lines = []
        for beneficiary in self.beneficiaries:
            if beneficiary.status != 'payable':
                continue
            for line in beneficiary.lines:
                expenses[configuration.expense_account(line.kind)] += (
                    line.amount)
            lines.append(MoveLine(
                    account=configuration.payable_account,
                    party=beneficiary.party, debit=Decimal(0),
                    credit=beneficiary.amount, maturity_date=self.date,
                    description=self.number))
        expense_lines = [MoveLine(
                account=account, debit=amount, credit=Decimal(0),
                description=self.number)
            for account, amount in sorted(
                expenses.items(), key=lambda i: i[0].code or '')]
        return Move(
            company=self.company, journal=configuration.journal,
            period=Period.find(self.company, date=self.date),
            date=self.date, origin=self, description=self.rec_name,
            lines=expense_lines + lines)

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, runs):
        """Book and pay the run in one transaction: one posted move, the
        declaration lines marked paid (a line is paid at most once), the
        declarations paid in full marked paid, one payment per
        beneficiary"""
        pool = Pool()
        Move = pool.get('account.move')
        RunLine = pool.get('bts.payment.run.line')
        Beneficiary = pool.get('bts.payment.run.beneficiary')
        Declaration = pool.get('bts.declaration')
        cls.lock_lines(runs)
        for run in runs:
            run.check_unchanged()
        with without_check_access():
            moves = [run._move() for run in runs]
            Move.save(moves)
            Move.post(moves)
            beneficiaries = []
            for run, move in zip(runs, moves, strict=True):
                run.move = move
                payables = {
                    line.party: line for line in move.lines if line.party}
                for beneficiary in run.beneficiaries:
                    if beneficiary.status == 'payable':
                        beneficiary.move_line = payables[beneficiary.party]
                        beneficiaries.append(beneficiary)
            Beneficiary.save(beneficiaries)
            cls.save(runs)
            cls._stamp(runs, 'posted')
            RunLine.mark_paid(
                [line for b in beneficiaries for line in b.lines], True)
            Declaration.pay(cls._paid_declarations(runs))
            cls.create_payments(beneficiaries)

    @classmethod
    def _paid_declarations(cls, runs):
        "The declarations of the runs whose every line is paid"
        RunLine = Pool().get('bts.payment.run.line')
        declarations = {line.declaration_line.declaration
            for r in runs for line in r.lines}
        paid = {line.declaration_line.id for line in RunLine.search([
                    ('paid', '=', True),
                    ('declaration_line.declaration', 'in',
                        [d.id for d in declarations]),
                    ])}
        return sorted((d for d in declarations
                if all(line.id in paid for line in d.lines)),
            key=lambda d: d.id)

    @classmethod
    def create_payments(cls, beneficiaries):
        "One submitted payable payment per beneficiary on the move line"
        pool = Pool()
        Payment = pool.get('account.payment')
        configuration = cls.configuration()
        payments = []
        for beneficiary in beneficiaries:
            run = beneficiary.run
            payments.append(Payment(
                    company=run.company, journal=configuration.payment_journal,
                    kind='payable', party=beneficiary.party,
                    amount=beneficiary.amount, line=beneficiary.move_line,
                    date=run.date, origin=beneficiary,
                    sepa_payable_bank_account_number=(
                        beneficiary.bank_account_number),
                    reference=gettext('bts_indemnity.msg_payment_reference',
                        run=run.number, start=run.start_date,
                        end=run.end_date)[:140]))
        Payment.save(payments)
        Payment.submit(payments)
        for beneficiary, payment in zip(beneficiaries, payments, strict=True):
            beneficiary.payment = payment
        pool.get('bts.payment.run.beneficiary').save(beneficiaries)
        return payments

    @classmethod
    @ModelView.button
    def approve_payments(cls, runs):
        """Approve the runs' submitted payments with account_payment: by
        another person than the one who posted the run"""
        Payment = Pool().get('account.payment')
        Payment.approve([p for r in runs for p in r.payments
                if p.state == 'submitted'])

    @classmethod
    @ModelView.button
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
            Payment.process(run.payments, partial(
                    cls._payment_group, run, configuration))

    def check_processable(self, payments):
        """The run's payments are processed together, all approved, by a
        person who took no other step of the run"""
        self.check_duty('processed')
        for payment in self.payments:
            if payment.state != 'approved':
                raise PaymentRunError(gettext(
                        'bts_indemnity.msg_run_payments_not_approved',
                        run=self.rec_name, payment=payment.rec_name,
                        state=payment.state_string))
            if payment not in payments:
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
                payments = run.payments
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


class Beneficiary(ClientGuardMixin, ModelSQL, ModelView):
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


class RunLine(ClientGuardMixin, ModelSQL, ModelView):
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
    def save_in_slices(cls, lines):
        for sub_lines in grouped_slice(lines, cls._slice):
            cls.save(list(sub_lines))

    @classmethod
    def mark_paid(cls, lines, paid):
        for sub_lines in grouped_slice(lines, cls._slice):
            cls.write(list(sub_lines), {'paid': paid})

    @classmethod
    def paid_line(cls, declaration_lines):
        "A run line that pays one of the declaration lines, or None"
        lines = cls.search([
                ('paid', '=', True),
                ('declaration_line', 'in',
                    [int(line) for line in declaration_lines]),
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
    @ModelView.button
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
