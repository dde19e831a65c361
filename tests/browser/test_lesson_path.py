"""The lesson path walked in French in the web client, as its users do.

From a provider's contract to the SEPA file that pays his lessons, each
step by clicks and typing in sao (headless chromium, French), each by the
demo user whose role takes it: the lycée's HR enters and signs a contract,
the ministry activates it; the HR declares a month of lessons and submits
it, the lycée's director countersigns it, the ministry verifies it, a
second ministry person approves it; finance posts a payment run, the
ordonnateur approves its payments, the accountant processes them and
downloads the payroll (XLSX) and the SEPA file; the auditor reads
without a New or Save button.  BTS_SCREENSHOTS=1 saves a screenshot of
each step as doc/screenshots/walk-NN-*.png.  See tests/browser/README.md.

The walk runs on the demo database of the pytest session
(tests/conftest.py) and leaves in it what its users made (a contract of
Jeff Tutor in BTS-IOT, its paid declaration of October 2025 and a posted
payment run), none of which the other tests use.
"""
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import browser_skip
import pytest
from demo_server import DEMO_PASSWORD

browser_skip.skip_unless_runnable()

import bts_browser  # noqa: E402
import bts_walk as walk  # noqa: E402

# The contract of the walk: Jeff Tutor (the tutor of BTS-CLOUD) lectures
# in BTS-IOT at the LTC; test_web_client.py uses his BTS-CLOUD contracts.
PARTY = 'Jeff Tutor'
PROGRAMME = ('BTS-IOT', 'BTS-IOT - BTS Internet of Things')
YEAR = ('2025', '2025/2026')
LYCEE = ('LTC', 'LTC - Lycée Technique du Centre')
WINTER = ('hiver', "Semestre d'hiver 2025/2026")
QUALIFICATION = ('Ma', 'Master in Engineering (Jeff Tutor)')
CONTRACT = f'{PARTY} - BTS-IOT - 2025/2026'
MONTH = dt.date(2025, 10, 1)
# Lessons declared: date, (text, course), quantity
LESSONS = [
    (dt.date(2025, 10, 7), ('Electronics', 'M1.1 - Electronics'), 4),
    (dt.date(2025, 10, 14), ('Sensors', 'M1.3 - Sensors'), 3),
    ]


@pytest.fixture(scope='module')
def server(demo_server):
    """The demo database of the session (tests/conftest.py), served with
    the web client"""
    return SimpleNamespace(url=demo_server.url, database=demo_server.name)


@pytest.fixture
def downloads(tmp_path):
    return tmp_path / 'downloads'


@pytest.fixture
def browser(tmp_path, downloads):
    "Chromium in French (its number inputs too), saving its downloads"
    driver = bts_browser.start_browser(
        user_data_dir=tmp_path / 'chromium', lang='fr-FR')
    try:
        walk.allow_downloads(driver, downloads)
        yield driver
    finally:
        driver.quit()


def _french(admin, model, domain, field='name'):
    """The French label (field) of the one record of model matching domain
    (searched in English)"""
    record_id, = admin(model, 'search', domain)
    record, = admin(model, 'read', [record_id], [field],
        context={'language': 'fr'})
    return record[field]


def _messages(admin, text):
    "The French texts of the messages whose English text is text"
    ids = admin('ir.message', 'search', [('text', '=', text)])
    return {m['text'] for m in admin('ir.message', 'read', ids, ['text'],
            context={'language': 'fr'})}


def _tab(admin, model, name):
    "The French label of the tab (action domain) name of the list of model"
    return _french(admin, 'ir.action.act_window.domain', [
            ('act_window.res_model', '=', model), ('name', '=', name)])


def _state(admin, model, record_id):
    return admin(model, 'read', [record_id], ['state'])[0]['state']


def _wait_state(driver, admin, model, record_id, state):
    "Wait until the server has the record in state"
    bts_browser.wait_for(driver,
        lambda d: _state(admin, model, record_id) == state,
        f"{model} {record_id} {state}")


def test_lesson_path_in_french(server, browser, admin, downloads):
    """The lesson path from the contract to the SEPA file, in French, each
    step by the user of its role, by clicks and typing"""
    driver = browser
    shot = walk.Screenshots(driver)

    # 1. rh.ltc enters the contract with two lines and signs it
    walk.login(driver, server, 'rh.ltc')
    assert driver.execute_script(
        "return Sao.i18n.getlang();").startswith('fr')
    walk.open_list(driver, server, 'rh.ltc', 'bts.contract')
    bts_browser.click_tool(driver, 'new_')
    bts_browser.enter_contract(driver, (PARTY, PARTY), PROGRAMME, YEAR, [
            (('Electronics', 'M1.1 - Electronics'), WINTER, 10),
            (('Sensors', 'M1.3 - Sensors'), WINTER, 12, QUALIFICATION),
            ])
    form = bts_browser.active_form(driver)
    # BTS-IOT is taught at two lycées: the lycée is chosen
    walk.pick(driver, form, 'lycee', *LYCEE)
    assert bts_browser.form_value(driver, 'quantity') == '22'
    contract_id = walk.save(driver)
    shot('contract')
    walk.show_page(driver, 'provider_signature_date')
    walk.type_date(driver, form, 'provider_signature_date',
        dt.date(2025, 9, 8))
    walk.type_date(driver, form, 'director_signature_date',
        dt.date(2025, 9, 10))
    walk.save(driver)
    walk.click_button(driver, 'sign')
    _wait_state(driver, admin, 'bts.contract', contract_id, 'signed')
    shot('contract-signed')
    walk.logout(driver)

    # 2. ministere.admin signs for the minister and activates it
    walk.login(driver, server, 'ministere.admin')
    walk.open_list(driver, server, 'ministere.admin', 'bts.contract')
    walk.show_tab(driver, _tab(admin, 'bts.contract', 'Signed'))
    form = walk.open_row(driver, PARTY, PROGRAMME[0])
    walk.show_page(driver, 'minister_signature_date')
    walk.type_date(driver, form, 'minister_signature_date',
        dt.date(2025, 9, 12))
    walk.save(driver)
    walk.click_button(driver, 'activate')
    _wait_state(driver, admin, 'bts.contract', contract_id, 'active')
    shot('contract-active')
    walk.logout(driver)

    # 3. rh.ltc declares two lessons of October and submits them
    walk.login(driver, server, 'rh.ltc')
    walk.open_list(driver, server, 'rh.ltc', 'bts.declaration')
    bts_browser.click_tool(driver, 'new_')
    form = bts_browser.active_form(driver)
    walk.type_month(driver, form, 'month', MONTH)
    walk.pick(driver, form, 'contract', 'Jeff', CONTRACT)
    # The contract gives the lycée
    bts_browser.wait_for(driver, lambda d: bts_browser.form_value(
            d, 'lycee') == LYCEE[1], "the lycée of the contract")
    lines = bts_browser.visible(form, '.form-one2many')[0]
    for date, course, quantity in LESSONS:
        bts_browser.new_line(driver, lines)
        bts_browser.type_value(driver, lines, 'date',
            bts_browser.format_date(driver, date))
        walk.pick(driver, lines, 'course', *course)
        bts_browser.type_value(driver, lines, 'quantity', quantity)
    declaration_id = walk.save(driver)
    shot('declaration')
    walk.click_button(driver, 'submit')
    _wait_state(
        driver, admin, 'bts.declaration', declaration_id, 'submitted')
    shot('declaration-submitted')
    walk.logout(driver)
    declared = admin.search_read('bts.declaration.line',
        [('declaration', '=', declaration_id)],
        ['date', 'course.code', 'quantity', 'amount'],
        order=[('date', 'ASC')])
    assert [(line['date'], line['course.']['code'], line['quantity'])
        for line in declared] == [
        (dt.date(2025, 10, 7), 'M1.1', Decimal(4)),
        (dt.date(2025, 10, 14), 'M1.3', Decimal(3))]
    assert all(line['amount'] > 0 for line in declared)

    # 4. direction.ltc countersigns it in bulk: the submitted declarations
    # selected in the list, the action "Countersign the Selection"
    walk.login(driver, server, 'direction.ltc')
    walk.open_list(driver, server, 'direction.ltc', 'bts.declaration')
    walk.show_tab(driver, _tab(admin, 'bts.declaration', 'Submitted'))
    walk.select_row(driver, PARTY, PROGRAMME[0])
    shot('countersign')
    walk.toolbar_menu(driver, 'action', _french(admin, 'ir.action.wizard',
            [('wiz_name', '=', 'bts.declaration.process.countersign')]))
    summary = walk.wizard_dialog(driver, "the countersignature")
    # The summary: the declaration countersigned, none refused
    bts_browser.wait_for(driver, lambda d: walk.dialog_rows(
            summary, PARTY, PROGRAMME[0]), "the declaration countersigned")
    summary_text = walk.dialog_text(summary)
    assert any(none in summary_text for none in _messages(admin, "None."))
    _wait_state(
        driver, admin, 'bts.declaration', declaration_id, 'countersigned')
    shot('countersigned')
    walk.close_wizard(driver, "the countersignature")
    walk.logout(driver)

    # 5. ministere.admin verifies it, ministere.finances approves it
    walk.login(driver, server, 'ministere.admin')
    walk.open_list(driver, server, 'ministere.admin', 'bts.declaration')
    walk.show_tab(driver, _tab(admin, 'bts.declaration', 'Countersigned'))
    walk.open_row(driver, PARTY, PROGRAMME[0])
    walk.click_button(driver, 'verify')
    _wait_state(
        driver, admin, 'bts.declaration', declaration_id, 'verified')
    shot('verified')
    walk.logout(driver)

    walk.login(driver, server, 'ministere.finances')
    walk.open_list(driver, server, 'ministere.finances', 'bts.declaration')
    walk.show_tab(driver, _tab(admin, 'bts.declaration', 'Verified'))
    walk.open_row(driver, PARTY, PROGRAMME[0])
    # A fresh login: sao asks the password again when the session is
    # older than trytond's session timeout
    walk.click_button(driver, 'approve', password=DEMO_PASSWORD)
    _wait_state(
        driver, admin, 'bts.declaration', declaration_id, 'approved')
    shot('approved')

    # 6. ministere.finances pays October in a payment run
    bts_browser.close_all_tabs(driver)
    walk.open_list(driver, server, 'ministere.finances', 'bts.payment.run')
    bts_browser.click_tool(driver, 'new_')
    form = bts_browser.active_form(driver)
    walk.type_date(driver, form, 'start_date', dt.date(2025, 10, 1))
    walk.type_date(driver, form, 'end_date', dt.date(2025, 10, 31))
    walk.type_date(driver, form, 'date', dt.date(2025, 11, 10))
    run_id = walk.save(driver)
    walk.click_button(driver, 'compute')
    walk.wait_row(driver, PARTY)
    shot('payment-run')
    beneficiaries = admin.search_read('bts.payment.run.beneficiary',
        [('run', '=', run_id)], ['party.name', 'status', 'amount'])
    assert [(b['party.']['name'], b['status'], b['amount'])
        for b in beneficiaries] == [
        (PARTY, 'payable', sum(line['amount'] for line in declared))]
    walk.click_button(driver, 'post')
    _wait_state(driver, admin, 'bts.payment.run', run_id, 'posted')
    assert _state(admin, 'bts.declaration', declaration_id) == 'paid'
    number, = [r['number'] for r in admin('bts.payment.run', 'read',
            [run_id], ['number'])]
    shot('payment-run-posted')
    walk.logout(driver)

    walk.login(driver, server, 'ministere.ordonnateur')
    walk.open_list(
        driver, server, 'ministere.ordonnateur', 'bts.payment.run')
    walk.show_tab(driver,
        _tab(admin, 'bts.payment.run', 'Posted, Payments to Approve'))
    walk.open_row(driver, number)
    walk.click_button(driver, 'approve_payments', password=DEMO_PASSWORD)
    bts_browser.wait_for(driver, lambda d: admin(
            'bts.payment.run', 'read', [run_id],
            ['payments_approved_by.login'])[0]['payments_approved_by.'],
        "the payments approved")
    shot('payments-approved')
    walk.logout(driver)

    walk.login(driver, server, 'comptable')
    walk.open_list(driver, server, 'comptable', 'bts.payment.run')
    walk.show_tab(driver,
        _tab(admin, 'bts.payment.run', 'Posted, to Process'))
    walk.open_row(driver, number)
    walk.click_button(driver, 'process_payments')
    run, = admin('bts.payment.run', 'read', [run_id],
        ['processed_by.login', 'posted_by.login',
            'payments_approved_by.login', 'sepa_messages'])
    assert (run['posted_by.']['login'], run['payments_approved_by.']['login'],
        run['processed_by.']['login']) == (
        'ministere.finances', 'ministere.ordonnateur', 'comptable')
    assert len(run['sepa_messages']) == 1
    shot('payments-processed')
    walk.toolbar_menu(driver, 'print', _french(admin, 'ir.action.report',
            [('report_name', '=', 'bts.payment.run.payroll')]))
    payroll = walk.download(driver, downloads, '.xlsx')
    assert payroll.read_bytes()[:2] == b'PK'  # a zip: an XLSX workbook
    walk.show_page(driver, 'sepa_messages')
    walk.open_embedded_row(driver, 'sepa_messages')
    shot('sepa-message')
    walk.click_title(driver, bts_browser.gettext(driver, "Save As..."))
    sepa = walk.download(driver, downloads, '.xml')
    assert b'CstmrCdtTrfInitn' in sepa.read_bytes()
    assert PARTY.encode() in sepa.read_bytes()
    walk.close_record_dialog(driver)
    walk.logout(driver)

    # 7. auditeur reads the declarations and the contracts: no New, no Save
    walk.login(driver, server, 'auditeur')
    for model in ['bts.declaration', 'bts.contract']:
        walk.open_list(driver, server, 'auditeur', model)
        walk.show_tab(driver, _tab(admin, model, 'All'))
        walk.wait_row(driver, PARTY, PROGRAMME[0])
        assert not walk.tool_enabled(driver, 'new_'), model
        assert not walk.tool_enabled(driver, 'save'), model
        if model == 'bts.declaration':
            shot('auditor')
        bts_browser.close_current_tab(driver)
    assert shot.number == 15


def test_decimal_comma_in_a_french_browser(server, browser, admin):
    """In a French browser, "2,25" typed in a quantity of hours is 2.25
    (an auxiliary collaborator's hours, in a declaration of rh.lam): read
    back through the server, and shown as typed"""
    driver = browser
    walk.login(driver, server, 'rh.lam')
    walk.open_list(driver, server, 'rh.lam', 'bts.declaration')
    bts_browser.click_tool(driver, 'new_')
    form = bts_browser.active_form(driver)
    walk.type_month(driver, form, 'month', MONTH)
    walk.pick(driver, form, 'contract', 'Nina', _french(
            admin, 'bts.contract', [('party.name', '=', 'Nina Model')],
            'rec_name'))
    lines = bts_browser.visible(form, '.form-one2many')[0]
    bts_browser.new_line(driver, lines)
    bts_browser.type_value(driver, lines, 'date',
        bts_browser.format_date(driver, dt.date(2025, 10, 7)))
    walk.pick(driver, lines, 'course', 'Drawing', 'M1.1 - Drawing')
    bts_browser.type_value(driver, lines, 'quantity', '2,25')
    declaration_id = walk.save(driver)
    try:
        line, = admin.search_read('bts.declaration.line',
            [('declaration', '=', declaration_id)], ['quantity'])
        assert line['quantity'] == Decimal('2.25')
        assert '2,25' in walk.rows(driver, 'M1.1 - Drawing')[0].text
    finally:
        admin('bts.declaration', 'delete', [declaration_id])
