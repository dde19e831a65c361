"""The attacks of issue 11, through JSON-RPC, as the role that must be refused.

Any logged-in user can call ``model.<name>.<method>`` without the web
client: each test makes the calls the issue lists, as the demo user the
issue names, against the demo database of the session (tests/conftest.py),
asserts that the server refuses them with a user error (trytond's
``UserError``/``AccessError`` kind, never an internal error with its
traceback) and that nothing changed afterwards, as the admin reads it.

    TRYTOND_DATABASE_URI=sqlite:// .venv/bin/python -m pytest -q \\
        tests/test_attacks.py

The tests are the acceptance tests of issue 11: they are written as the
issue states the attacks, not as the code does today.  Each test works on
records of its own (its own month, contract or party) so that one attack
that gets through does not hide another.
"""
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_server import DEMO_PASSWORD, RPCError  # noqa: E402

NATIONAL_ID = 'lu_matricule'


# Helpers

class Attempts:
    """Collect the attacks that got through and the changes they left, and
    fail once at the end with all of them"""

    def __init__(self):
        self.failures = []

    def refused(self, client, model, method, *args, context=None,
            hidden=()):
        """Call model.method(*args) as client: the server must refuse it
        with a user error whose text names none of the hidden strings.
        Return the error (None when accepted)."""
        call = f"{client.login_name}: {model}.{method}{_short(args)}"
        try:
            result = client(model, method, *args, context=context)
        except RPCError as error:
            if error.type != 'UserError':
                self.failures.append(
                    f"{call} answered {error.type} {error.message!r}, not a "
                    "user error" + (" (with a traceback)"
                        if error.traceback else ''))
            else:
                for name in hidden:
                    if name and name in error.text:
                        self.failures.append(
                            f"{call} refused with a message naming "
                            f"{name!r}, which the user cannot read: "
                            f"{error.message!r}")
            return error
        self.failures.append(f"{call} was accepted (answered {result!r})")
        return None

    def check(self, condition, message):
        if not condition:
            self.failures.append(message)

    def equal(self, actual, expected, what):
        if actual != expected:
            self.failures.append(
                f"{what}: {actual!r} instead of {expected!r}")

    def verify(self):
        if self.failures:
            pytest.fail('\n'.join(self.failures), pytrace=False)


def _short(args):
    text = repr(args)
    return text if len(text) < 200 else text[:200] + '...'


@pytest.fixture
def attempts():
    return Attempts()


@pytest.fixture(scope='module')
def login(demo_server):
    """login(name): a client of the demo user (cached); login(name,
    fresh=True): a new session, for the calls that need a fresh one"""
    clients = {}

    def get(name, fresh=False):
        if fresh or name not in clients:
            clients[name] = demo_server.client(name)
        return clients[name]
    return get


def _one(client, model, domain, fields_names):
    records = client.search_read(model, domain, fields_names)
    assert len(records) == 1, (model, domain, records)
    return records[0]


def _id(client, model, domain):
    return _one(client, model, domain, ['id'])['id']


def _lycee(admin, code):
    return _id(admin, 'bts.lycee', [('code', '=', code)])


def _contract(admin, party, programme):
    return _one(admin, 'bts.contract', [
            ('party.name', '=', party),
            ('programme.code', '=', programme),
            ], ['rec_name', 'lycee', 'state', 'lines', 'professional_milieu',
            'party'])


def _declaration(admin, party, programme, month):
    return _one(admin, 'bts.declaration', [
            ('contract.party.name', '=', party),
            ('contract.programme.code', '=', programme),
            ('month', '=', month),
            ], ['rec_name', 'state', 'lines', 'approved_by', 'lycee'])


def _course(admin, programme, code):
    return _id(admin, 'bts.programme.course', [
            ('programme.code', '=', programme), ('code', '=', code)])


def _lines(admin, ids):
    return {r['id']: r for r in admin('bts.declaration.line', 'read', ids,
            ['quantity', 'amount', 'rate', 'euro_rate', 'declaration'])}


def _preview_run(admin, start, end):
    """Compute a draft payment run of the period as the admin, return
    {declaration line id: amount} of its lines and the amounts of its
    beneficiaries, then cancel it: what a run of the period would pay"""
    run_id, = admin('bts.payment.run', 'create', [{
                'start_date': start, 'end_date': end,
                'date': end + dt.timedelta(days=10),
                }])
    try:
        admin('bts.payment.run', 'compute', [run_id])
        lines = admin.search_read('bts.payment.run.line',
            [('run', '=', run_id)], ['declaration_line', 'amount'])
        beneficiaries = admin.search_read('bts.payment.run.beneficiary',
            [('run', '=', run_id)], ['amount'])
    finally:
        admin('bts.payment.run', 'cancel', [run_id])
    return ({line['declaration_line']: line['amount'] for line in lines},
        [b['amount'] for b in beneficiaries])


def _sepa_messages(admin):
    return [m['message'] or b'' for m in admin.search_read(
            'account.payment.sepa.message', [], ['message'])]


def _restore(admin, model, values):
    "Write back the values (with their id) read before an attack"
    values = dict(values)
    record_id = values.pop('id')
    current, = admin(model, 'read', [record_id], list(values))
    changed = {k: v for k, v in values.items() if current.get(k) != v}
    if changed:
        admin(model, 'write', [record_id], changed)


def _matricule(birth_date, sequence):
    "A valid Luxembourg national identification number"
    from stdnum import luhn, verhoeff
    code = birth_date.strftime('%Y%m%d') + f'{sequence:03d}'
    return code + luhn.calc_check_digit(code) + verhoeff.calc_check_digit(
        code)


def _iban(sequence):
    "A valid Luxembourg IBAN"
    from stdnum import iban
    number = f'LU000019{sequence:012d}'
    return number[:2] + iban.calc_check_digits(number) + number[4:]


# 1. The money path: a plain write bypasses the workflow

def test_hr_approves_own_declaration_and_sets_99999(
        admin, login, attempts):
    """rh.ltc creates a declaration, then writes state='approved',
    approved_by and amount=99999 on its line: refused, and the month's run
    does not pay 99,999.00"""
    hr = login('rh.ltc')
    contract = _contract(admin, "Sophie Klein", 'BTS-CLOUD')
    month = dt.date(2026, 2, 1)
    declaration_id, = hr('bts.declaration', 'create', [{
                'kind': 'lessons',
                'contract': contract['id'],
                'lycee': contract['lycee'],
                'month': month,
                'lines': [('create', [{
                                'date': dt.date(2026, 2, 2),
                                'course': _course(
                                    admin, 'BTS-CLOUD', 'M1.1'),
                                'quantity': Decimal(2),
                                }])],
                }])
    declaration, = admin('bts.declaration', 'read', [declaration_id],
        ['lines', 'state'])
    line_id, = declaration['lines']
    before = _lines(admin, [line_id])[line_id]

    # approved_by 6 in the issue: rh.ltc, the attacker
    attempts.refused(hr, 'bts.declaration', 'write', [declaration_id],
        {'state': 'approved', 'approved_by': hr.user_id})
    attempts.refused(hr, 'bts.declaration.line', 'write', [line_id],
        {'amount': Decimal(99999)})

    declaration, = admin('bts.declaration', 'read', [declaration_id],
        ['state', 'approved_by'])
    attempts.equal(declaration['state'], 'draft', "the declaration's state")
    attempts.equal(declaration['approved_by'], None,
        "the declaration's approver")
    attempts.equal(_lines(admin, [line_id])[line_id]['amount'],
        before['amount'], "the line's amount")
    paid, amounts = _preview_run(admin, month, dt.date(2026, 2, 28))
    attempts.check(line_id not in paid,
        f"the run of February 2026 pays the line of the draft declaration: "
        f"{paid.get(line_id)}")
    attempts.check(Decimal(99999) not in amounts,
        f"the run of February 2026 pays 99,999.00: {amounts}")
    attempts.check(not any(b'99999.00' in m for m in _sepa_messages(admin)),
        "a SEPA message pays 99999.00")
    attempts.verify()


def test_hr_adds_line_to_countersigned_declaration(admin, login, attempts):
    "rh.ltc adds a line to a countersigned declaration: refused"
    hr = login('rh.ltc')
    declaration = _declaration(
        admin, "Sophie Klein", 'BTS-CLOUD', dt.date(2025, 12, 1))
    assert declaration['state'] == 'countersigned', declaration
    line = {
        'date': dt.date(2025, 12, 9),
        'course': _course(admin, 'BTS-CLOUD', 'M1.1'),
        'quantity': Decimal(4),
        }

    attempts.refused(hr, 'bts.declaration.line', 'create',
        [{**line, 'declaration': declaration['id']}])
    attempts.refused(hr, 'bts.declaration', 'write', [declaration['id']],
        {'lines': [('create', [line])]})

    after, = admin('bts.declaration', 'read', [declaration['id']],
        ['lines'])
    attempts.equal(sorted(after['lines']), sorted(declaration['lines']),
        "the lines of the countersigned declaration")
    attempts.verify()


def test_director_verifies_declaration(admin, login, attempts):
    """direction.ltc writes state='verified' on a countersigned
    declaration: refused, and finance's approval cannot skip the ministry's
    verification"""
    director = login('direction.ltc')
    declaration = _declaration(
        admin, "Sophie Klein", 'BTS-CLOUD', dt.date(2025, 12, 1))
    assert declaration['state'] == 'countersigned', declaration

    attempts.refused(director, 'bts.declaration', 'write',
        [declaration['id']], {'state': 'verified'})
    finance = login('ministere.finances', fresh=True)
    try:
        finance('bts.declaration', 'approve', [declaration['id']])
    except RPCError as error:
        attempts.check(error.type == 'UserError',
            f"approve answered {error.type} {error.message!r}")

    state, = admin('bts.declaration', 'read', [declaration['id']],
        ['state'])
    attempts.equal(state['state'], 'countersigned',
        "the countersigned declaration's state")
    attempts.verify()


def test_hr_sets_approved_line_to_40_lessons(admin, login, attempts):
    "rh.ltc sets a line of an approved declaration to 40 lessons: refused"
    hr = login('rh.ltc')
    declaration = _declaration(
        admin, "Sophie Klein", 'BTS-CLOUD', dt.date(2025, 11, 1))
    assert declaration['state'] == 'approved', declaration
    line_id = declaration['lines'][0]
    before = _lines(admin, [line_id])[line_id]

    attempts.refused(hr, 'bts.declaration.line', 'write', [line_id],
        {'quantity': Decimal(40)})

    after = _lines(admin, [line_id])[line_id]
    attempts.equal(after['quantity'], before['quantity'],
        "the approved line's lessons")
    attempts.equal(after['amount'], before['amount'],
        "the approved line's amount")
    attempts.verify()


def test_hr_writes_rate_on_contract_line(admin, login, attempts):
    "rh.ltc writes rate_amount = 999 on a contract line: refused"
    hr = login('rh.ltc')
    contract = _contract(admin, "Sophie Klein", 'BTS-CLOUD')
    line_id = contract['lines'][0]
    before, = admin('bts.contract.line', 'read', [line_id],
        ['rate_amount', 'rate_kind'])

    attempts.refused(hr, 'bts.contract.line', 'write', [line_id],
        {'rate_amount': Decimal(999)})

    after, = admin('bts.contract.line', 'read', [line_id],
        ['rate_amount', 'rate_kind'])
    attempts.equal(after, before, "the contract line's rate")
    attempts.verify()


def test_hr_activates_unsigned_contract_past_cap(admin, login, attempts):
    """rh.ltc writes state='active' on a 400-lesson contract with no
    signatures and past the 252 cap: refused"""
    hr = login('rh.ltc')
    year = _one(admin, 'bts.academic_year',
        [('start_date', '=', dt.date(2025, 9, 15))], ['end_date'])
    semesters = {s['kind']: s['id'] for s in admin.search_read(
            'bts.semester', [('academic_year', '=', year['id'])], ['kind'])}
    party = _id(admin, 'party.party', [('name', '=', "Tom Weber")])
    # Each line names the person's qualification linked to its course
    qualification = _id(admin, 'bts.qualification', [('party', '=', party)])
    contract_id, = hr('bts.contract', 'create', [{
                'party': party,
                'role': 'external',
                'programme': _id(admin, 'bts.programme',
                    [('code', '=', 'BTS-CLOUD')]),
                'lycee': _lycee(admin, 'LTC'),
                'academic_year': year['id'],
                'start_date': dt.date(2025, 10, 1),
                'end_date': year['end_date'],
                'professional_milieu': "Private sector",
                'lines': [('create', [{
                                'course': _course(admin, 'BTS-CLOUD', 'M1.2'),
                                'semester': semesters['winter'],
                                'quantity': 200,
                                'qualification': qualification,
                                }, {
                                'course': _course(admin, 'BTS-CLOUD', 'M2.2'),
                                'semester': semesters['summer'],
                                'quantity': 200,
                                'qualification': qualification,
                                }])],
                }])
    try:
        attempts.refused(hr, 'bts.contract', 'write', [contract_id],
            {'state': 'active'})
        contract, = admin('bts.contract', 'read', [contract_id], ['state'])
        attempts.equal(contract['state'], 'draft',
            "the unsigned 400-lesson contract's state")
    finally:
        contract, = admin('bts.contract', 'read', [contract_id], ['state'])
        if contract['state'] == 'draft':
            hr('bts.contract', 'delete', [contract_id])
    attempts.verify()


# 2. Finance changes the amounts of a computed run

def test_finance_writes_50000_on_computed_run(admin, login, attempts):
    """ministere.finances writes amount = 50000 on a beneficiary and a run
    line of a computed run: refused, the run still pays what the
    declarations say"""
    finance = login('ministere.finances')
    declaration = _declaration(
        admin, "Sophie Klein", 'BTS-CLOUD', dt.date(2025, 11, 1))
    assert declaration['state'] == 'approved', declaration
    due = _lines(admin, declaration['lines'])
    run_id, = finance('bts.payment.run', 'create', [{
                'start_date': dt.date(2025, 11, 1),
                'end_date': dt.date(2025, 11, 30),
                'date': dt.date(2025, 12, 10),
                }])
    try:
        finance('bts.payment.run', 'compute', [run_id])
        beneficiaries = admin.search_read('bts.payment.run.beneficiary',
            [('run', '=', run_id)], ['amount', 'party'])
        lines = admin.search_read('bts.payment.run.line',
            [('run', '=', run_id)], ['amount', 'declaration_line'])
        assert beneficiaries and lines, (beneficiaries, lines)

        attempts.refused(finance, 'bts.payment.run.beneficiary', 'write',
            [beneficiaries[0]['id']], {'amount': Decimal(50000)})
        attempts.refused(finance, 'bts.payment.run.line', 'write',
            [lines[0]['id']], {'amount': Decimal(50000)})

        for line in admin('bts.payment.run.line', 'read',
                [line['id'] for line in lines],
                ['amount', 'declaration_line']):
            if line['declaration_line'] in due:
                attempts.equal(line['amount'],
                    due[line['declaration_line']]['amount'],
                    f"run line {line['id']}'s amount")
        for beneficiary in admin('bts.payment.run.beneficiary', 'read',
                [b['id'] for b in beneficiaries], ['amount', 'lines']):
            lines_amount = sum((line['amount'] for line in admin(
                        'bts.payment.run.line', 'read',
                        beneficiary['lines'], ['amount'])), Decimal(0))
            attempts.equal(beneficiary['amount'], lines_amount,
                f"beneficiary {beneficiary['id']}'s amount")
    finally:
        run, = admin('bts.payment.run', 'read', [run_id], ['state'])
        if run['state'] == 'draft':
            admin('bts.payment.run', 'cancel', [run_id])
    attempts.verify()


def test_double_payment(admin, login, attempts):
    """paid=False on a run line and state='approved' on its paid
    declaration, as finance and the accountant: refused, and a new run of
    the month pays nothing twice"""
    declaration = _declaration(
        admin, "Sophie Klein", 'BTS-CLOUD', dt.date(2025, 10, 1))
    assert declaration['state'] == 'paid', declaration
    line_id = declaration['lines'][0]
    run_line = _one(admin, 'bts.payment.run.line',
        [('declaration_line', '=', line_id), ('paid', '=', True)],
        ['paid'])

    for name in ['ministere.finances', 'comptable']:
        user = login(name)
        attempts.refused(user, 'bts.payment.run.line', 'write',
            [run_line['id']], {'paid': False})
        attempts.refused(user, 'bts.declaration', 'write',
            [declaration['id']], {'state': 'approved'})

    after, = admin('bts.payment.run.line', 'read', [run_line['id']],
        ['paid'])
    attempts.check(bool(after['paid']), "the paid run line is unpaid")
    state, = admin('bts.declaration', 'read', [declaration['id']],
        ['state'])
    attempts.equal(state['state'], 'paid', "the paid declaration's state")
    paid, _ = _preview_run(
        admin, dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    attempts.check(line_id not in paid,
        f"a new run of October 2025 pays the paid line again: "
        f"{paid.get(line_id)}")
    attempts.verify()


# 3. Duties separated

def test_accountant_alone_pays_a_run(admin, login, attempts):
    """comptable alone creates, computes, posts and processes a run: one
    of these steps is refused, nothing is paid"""
    accountant = login('comptable', fresh=True)
    declaration = _declaration(
        admin, "Sophie Klein", 'BTS-CLOUD', dt.date(2025, 11, 1))
    assert declaration['state'] == 'approved', declaration
    run_id = None
    error = None
    try:
        run_id, = accountant('bts.payment.run', 'create', [{
                    'start_date': dt.date(2025, 11, 1),
                    'end_date': dt.date(2025, 11, 30),
                    'date': dt.date(2025, 12, 10),
                    }])
        for button in ['compute', 'post', 'process_payments']:
            accountant('bts.payment.run', button, [run_id])
    except RPCError as exception:
        error = exception
    finally:
        if run_id is not None:
            run, = admin('bts.payment.run', 'read', [run_id], ['state'])
            if run['state'] == 'draft':
                admin('bts.payment.run', 'cancel', [run_id])
    if error is None:
        attempts.check(False, "comptable created, computed, posted and "
            "processed the run of November 2025 alone")
    else:
        attempts.check(error.type == 'UserError',
            f"{error.method} answered {error.type} {error.message!r}")
    state, = admin('bts.declaration', 'read', [declaration['id']],
        ['state'])
    attempts.equal(state['state'], 'approved',
        "November's declaration, after the accountant's attempt")
    attempts.verify()


def test_demo_run_steps_by_three_users(admin, attempts):
    """The demo's posted run was posted, its payments approved and
    processed by three different users, the approval recorded"""
    # The demo's run: the first of October 2025
    run = admin.search_read('bts.payment.run', [
            ('kind', '=', 'payment'),
            ('start_date', '=', dt.date(2025, 10, 1)),
            ('move', '!=', None),
            ], ['move', 'payment_group', 'beneficiaries'],
        order=[('id', 'ASC')], limit=1)[0]
    move, = admin('account.move', 'read', [run['move']], ['create_uid'])
    payments = admin.search_read('account.payment',
        [('origin', 'like', 'bts.payment.run.beneficiary,%'),
            ('group', '=', run['payment_group'])],
        ['approved_by', 'create_uid'])
    group, = admin('account.payment.group', 'read', [run['payment_group']],
        ['create_uid'])
    attempts.check(payments, "the demo run has no payment")
    approvers = {p['approved_by'] for p in payments}
    attempts.check(None not in approvers,
        "a payment of the demo run has no approver (approved_by)")
    poster = move['create_uid']
    processor = group['create_uid']
    for approver in approvers - {None}:
        attempts.check(len({poster, approver, processor}) == 3,
            f"the demo run was posted by user {poster}, its payments "
            f"approved by user {approver} and processed by user "
            f"{processor}: not three different users")
    attempts.verify()


# 4. Each lycée confined

def test_hr_reads_writes_deletes_other_lycee_contract(
        admin, login, attempts):
    """rh.ltc reads, writes and deletes LAM's contracts on the joint
    programme BTS-IOT: refused, without naming them"""
    hr = login('rh.ltc')
    lam = _lycee(admin, 'LAM')
    contracts = admin.search_read('bts.contract', [
            ('programme.code', '=', 'BTS-IOT'), ('lycee', '=', lam)],
        ['rec_name', 'state', 'professional_milieu'])
    assert contracts, "no LAM contract on BTS-IOT in the demo"
    for contract in contracts:
        hidden = [contract['rec_name']]
        attempts.refused(hr, 'bts.contract', 'read', [contract['id']],
            ['rec_name', 'party'], hidden=hidden)
        attempts.refused(hr, 'bts.contract', 'write', [contract['id']],
            {'professional_milieu': "Changed by rh.ltc"}, hidden=hidden)
        attempts.refused(hr, 'bts.contract', 'delete', [contract['id']],
            hidden=hidden)
        attempts.check(
            not hr.search_read('bts.contract', [('id', '=', contract['id'])],
                ['id']),
            f"rh.ltc finds LAM's contract {contract['rec_name']}")
    after = {c['id']: c for c in admin('bts.contract', 'read',
            [c['id'] for c in contracts],
            ['rec_name', 'state', 'professional_milieu'])}
    for contract in contracts:
        attempts.equal(after.get(contract['id']), contract,
            f"LAM's contract {contract['rec_name']}")
    attempts.verify()


def test_import_wizard_with_other_lycee(admin, login, attempts):
    """rh.ltc runs the import wizard with LAM's id: no line is added to
    LAM's declarations"""
    hr = login('rh.ltc')
    lam = _lycee(admin, 'LAM')
    national_id = _one(admin, 'party.identifier', [
            ('party.name', '=', "Sophie Klein"),
            ('type', '=', NATIONAL_ID)], ['code'])['code']
    before = admin.search_read('bts.declaration', [('lycee', '=', lam)],
        ['lines'])
    data = ('national_id,programme,date,course,lessons\r\n'
        f'{national_id},BTS-GAME,2026-03-12,M2.1,2\r\n').encode()
    context = hr.context()
    try:
        session, _, _ = hr.call('wizard.bts.declaration.import.create',
            context)
        try:
            hr.call('wizard.bts.declaration.import.execute', session, {},
                'start', context)
            hr.call('wizard.bts.declaration.import.execute', session, {
                    'start': {
                        'lycee': lam, 'file': data,
                        'filename': 'lam.csv'},
                    }, 'import_', context)
        finally:
            hr.call('wizard.bts.declaration.import.delete', session,
                context)
    except RPCError as error:
        attempts.check(error.type == 'UserError',
            f"the import answered {error.type} {error.message!r}")
    after = admin.search_read('bts.declaration', [('lycee', '=', lam)],
        ['lines'])
    attempts.equal(
        {d['id']: sorted(d['lines']) for d in after},
        {d['id']: sorted(d['lines']) for d in before},
        "LAM's declarations and their lines after rh.ltc's import")
    attempts.verify()


def test_hr_declares_on_other_lycee_contract(admin, login, attempts):
    """rh.ltc creates an LTC declaration on an LAM contract it cannot
    read: refused, without naming the contract"""
    hr = login('rh.ltc')
    contract = _contract(admin, "Sophie Klein", 'BTS-GAME')
    lam, ltc = _lycee(admin, 'LAM'), _lycee(admin, 'LTC')
    assert contract['lycee'] == lam, contract
    domain = [('contract', '=', contract['id']), ('lycee', '=', ltc)]
    before = admin.search_read('bts.declaration', domain, ['id'])

    attempts.refused(hr, 'bts.declaration', 'create', [{
                'kind': 'lessons',
                'contract': contract['id'],
                'lycee': ltc,
                'month': dt.date(2026, 4, 1),
                'lines': [('create', [{
                                'date': dt.date(2026, 4, 7),
                                'course': _course(admin, 'BTS-GAME', 'M2.1'),
                                'quantity': Decimal(2),
                                }])],
                }], hidden=[contract['rec_name']])

    after = admin.search_read('bts.declaration', domain, ['id'])
    attempts.equal(after, before,
        "LTC declarations on LAM's contract of Sophie Klein")
    attempts.verify()


def test_hr_writes_other_lycee_qualification(admin, login, attempts):
    """rh.ltc writes the qualification of an LAM provider and its diploma
    attachment: refused, without naming them"""
    hr = login('rh.ltc')
    qualification = _one(admin, 'bts.qualification',
        [('party.name', '=', "Tom Weber")], ['title', 'rec_name'])
    attachment = _one(admin, 'ir.attachment', [
            ('resource', '=', f"bts.qualification,{qualification['id']}")],
        ['name', 'data'])
    hidden = [qualification['title'], attachment['name']]

    attempts.refused(hr, 'bts.qualification', 'write', [qualification['id']],
        {'title': "Forged by rh.ltc"}, hidden=hidden)
    attempts.refused(hr, 'ir.attachment', 'write', [attachment['id']],
        {'name': "forged.pdf", 'data': b'%PDF-1.4 forged'}, hidden=hidden)
    attempts.refused(hr, 'ir.attachment', 'create', [{
                'resource': f"bts.qualification,{qualification['id']}",
                'name': "added.pdf", 'data': b'%PDF-1.4 added'}],
        hidden=hidden)

    after, = admin('bts.qualification', 'read', [qualification['id']],
        ['title'])
    attempts.equal(after['title'], qualification['title'],
        "the LAM provider's qualification")
    attachments = admin.search_read('ir.attachment', [
            ('resource', '=', f"bts.qualification,{qualification['id']}")],
        ['name', 'data'])
    attempts.equal(attachments, [attachment],
        "the attachments of the LAM provider's qualification")
    attempts.verify()


# 5. Personal data by need

def _providers(admin):
    "{party id: {'name', 'lycees'}} of the parties with a contract"
    providers = {}
    for contract in admin.search_read('bts.contract', [],
            ['party', 'party.name', 'lycee.code']):
        provider = providers.setdefault(contract['party'], {
                'name': contract['party.']['name'], 'lycees': set()})
        provider['lycees'].add(contract['lycee.']['code'])
    return providers


def _visible(client, model, domain, fields_names):
    "The records client reads, none when it may not search the model"
    try:
        return client.search_read(model, domain, fields_names)
    except RPCError as error:
        if error.type != 'UserError':
            raise
        return []


@pytest.fixture(scope='module')
def no_group_user(admin):
    "A new user with no group"
    login = 'test.attack.no_group'
    if not admin.search_read('res.user', [('login', '=', login)], ['id']):
        admin('res.user', 'create', [{
                    'login': login, 'name': "A user with no group",
                    'password': DEMO_PASSWORD}])
    return login


def test_personal_data_read_by_need(admin, login, no_group_user, attempts):
    """Directors, HR of other lycées and a user with no group read no
    national identification number, IBAN or diploma of a provider; HR of
    the provider's lycée, the ministry and the auditor do"""
    providers = _providers(admin)
    identifiers = {i['id']: i for i in admin.search_read('party.identifier',
            [('type', '=', NATIONAL_ID),
                ('party', 'in', list(providers))], ['code', 'party'])}
    ibans = {n['id']: n for n in admin.search_read('bank.account.number',
            [('account.owners', 'in', list(providers))],
            ['number', 'account.owners'])}
    documents = {a['id']: a for a in admin.search_read('ir.attachment',
            [('resource', 'like', 'bts.qualification,%')], ['resource'])}
    qualifications = {q['id']: q['party'] for q in admin.search_read(
            'bts.qualification', [], ['party'])}
    assert identifiers and ibans and documents

    def owner_lycees(party_ids):
        return set().union(*(providers.get(p, {}).get('lycees', set())
                for p in party_ids))

    users = {
        'direction.ltc': set(), 'direction.lam': set(),
        'direction.ecg': set(), 'direction.ltps': set(),
        no_group_user: set(),
        'rh.ltc': {'LTC'}, 'rh.lam': {'LAM'}, 'rh.ecg': {'ECG'},
        'rh.ltps': {'LTPS'},
        }
    def name_of(party):
        return providers.get(party, {}).get('name', str(party))

    for name, lycees in users.items():
        user = login(name)
        read = {}
        for record in _visible(user, 'party.identifier', [
                    ('type', '=', NATIONAL_ID),
                    ('id', 'in', list(identifiers))], ['party']):
            if not owner_lycees([record['party']]) & lycees:
                read.setdefault('national identification numbers (of '
                    'party.identifier)', []).append(name_of(record['party']))
        for record in _visible(user, 'party.party',
                [('id', 'in', list(providers))], ['national_id']):
            if (record['national_id']
                    and not owner_lycees([record['id']]) & lycees):
                read.setdefault('national_id of party.party', []).append(
                    name_of(record['id']))
        for record in _visible(user, 'bank.account.number',
                [('id', 'in', list(ibans))], ['id']):
            owners = ibans[record['id']]['account.']['owners']
            if not owner_lycees(owners) & lycees:
                read.setdefault('IBANs', []).append(
                    ', '.join(map(name_of, owners)))
        for record in _visible(user, 'ir.attachment',
                [('id', 'in', list(documents))], ['resource']):
            party = qualifications[int(record['resource'].split(',')[1])]
            if not owner_lycees([party]) & lycees:
                read.setdefault('qualification documents', []).append(
                    name_of(party))
        for what, names in read.items():
            attempts.check(False, f"{name} reads the {what} of "
                f"{len(names)} providers it does not need: "
                f"{', '.join(sorted(set(names)))}")

    sophie = _id(admin, 'party.party', [('name', '=', "Sophie Klein")])
    for name in ['rh.ltc', 'ministere.admin', 'ministere.finances',
            'auditeur']:
        records = _visible(login(name), 'party.party',
            [('id', '=', sophie)], ['national_id'])
        attempts.check(records and records[0]['national_id'],
            f"{name} does not read Sophie Klein's national identification "
            "number")
    attempts.verify()


def test_personal_data_changed_by_need(admin, login, no_group_user,
        attempts):
    """The auditor, a director, finance, the accountant, HR of another
    lycée and a user with no group change no national number, IBAN,
    address or name of a provider, and the auditor and the user with no
    group create no party"""
    sophie = _one(admin, 'party.party', [('name', '=', "Sophie Klein")],
        ['name', 'identifiers', 'addresses'])
    identifier = _one(admin, 'party.identifier', [
            ('party', '=', sophie['id']), ('type', '=', NATIONAL_ID)],
        ['code'])
    address = _one(admin, 'party.address', [('party', '=', sophie['id'])],
        ['street'])
    iban = _one(admin, 'bank.account.number', [
            ('account.owners', '=', sophie['id']), ('type', '=', 'iban')],
        ['number'])
    new_code = _matricule(dt.date(1980, 4, 12), 777)
    new_iban = _iban(777)

    try:
        for name in ['auditeur', 'direction.ltc', 'ministere.finances',
                'comptable', 'rh.ecg', no_group_user]:
            user = login(name)
            attempts.refused(user, 'party.identifier', 'write',
                [identifier['id']], {'code': new_code})
            attempts.refused(user, 'bank.account.number', 'write',
                [iban['id']], {'number': new_iban})
            attempts.refused(user, 'party.address', 'write',
                [address['id']], {'street': f"Changed by {name}"})
            attempts.refused(user, 'party.party', 'write', [sophie['id']],
                {'name': f"Changed by {name}"})
        for name in ['auditeur', no_group_user]:
            attempts.refused(login(name), 'party.party', 'create',
                [{'name': f"Party created by {name}"}])

        attempts.equal(admin('party.identifier', 'read',
                [identifier['id']], ['code'])[0],
            identifier, "Sophie Klein's national identification number")
        attempts.equal(admin('bank.account.number', 'read',
                [iban['id']], ['number'])[0],
            iban, "Sophie Klein's IBAN")
        attempts.equal(admin('party.address', 'read',
                [address['id']], ['street'])[0],
            address, "Sophie Klein's address")
        attempts.equal(admin('party.party', 'read',
                [sophie['id']], ['name'])[0]['name'],
            sophie['name'], "Sophie Klein's name")
        created = admin.search_read('party.party',
            [('name', 'like', 'Party created by %')], ['name'])
        attempts.equal(created, [], "the parties created by the attackers")
    finally:
        # What an attack changed is put back for the next tests.
        _restore(admin, 'party.identifier', identifier)
        _restore(admin, 'bank.account.number', iban)
        _restore(admin, 'party.address', address)
        _restore(admin, 'party.party',
            {'id': sophie['id'], 'name': sophie['name']})
        created = admin.search_read('party.party',
            [('name', 'like', 'Party created by %')], ['id'])
        if created:
            admin('party.party', 'delete', [p['id'] for p in created])

    # Allowed: HR of her lycée and the ministry administration
    for name in ['rh.ltc', 'ministere.admin']:
        try:
            login(name)('party.address', 'write', [address['id']],
                {'street': address['street']})
        except RPCError as error:
            attempts.check(False, f"{name} may not change Sophie Klein's "
                f"address: {error.message}")
    attempts.verify()


def test_national_number_given_to_second_party(admin, login, attempts):
    """Sophie Klein's national number given to an LAM provider by rh.ltc,
    by the LAM provider's HR or by the ministry: refused; a number with
    wrong check digits too"""
    sophie = _one(admin, 'party.identifier', [
            ('party.name', '=', "Sophie Klein"),
            ('type', '=', NATIONAL_ID)], ['code', 'party'])
    tom = _one(admin, 'party.identifier', [
            ('party.name', '=', "Tom Weber"), ('type', '=', NATIONAL_ID)],
        ['code', 'party'])
    nina = _id(admin, 'party.party', [('name', '=', "Nina Model")])
    wrong = sophie['code'][:-1] + str((int(sophie['code'][-1]) + 1) % 10)

    try:
        for name in ['rh.ltc', 'rh.lam', 'ministere.admin']:
            attempts.refused(login(name), 'party.identifier', 'write',
                [tom['id']], {'code': sophie['code']})
        admin_user = login('ministere.admin')
        attempts.refused(admin_user, 'party.identifier', 'create', [{
                    'party': nina, 'type': NATIONAL_ID,
                    'code': sophie['code']}])
        attempts.refused(admin_user, 'party.identifier', 'write',
            [tom['id']], {'code': wrong})

        attempts.equal(admin('party.identifier', 'read', [tom['id']],
                ['code', 'party'])[0],
            tom, "Tom Weber's national identification number")
        holders = admin.search_read('party.identifier', [
                ('type', '=', NATIONAL_ID), ('code', '=', sophie['code'])],
            ['party'])
        attempts.equal([h['party'] for h in holders], [sophie['party']],
            "the parties holding Sophie Klein's national number")
    finally:
        _restore(admin, 'party.identifier',
            {'id': tom['id'], 'code': tom['code']})
        extra = admin.search_read('party.identifier', [
                ('party', '=', nina), ('type', '=', NATIONAL_ID),
                ('code', '=', sophie['code'])], ['id'])
        if extra:
            admin('party.identifier', 'delete', [i['id'] for i in extra])
    attempts.verify()
