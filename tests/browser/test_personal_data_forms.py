"""The forms of personal data protection, filled in French in the web client.

- The two-factor enrolment wizard (authentication.py, art. 32 of the law of
  21 July 2023): a user opens it from the BTS menu, sees the QR code and
  its key, types a wrong code (a French warning, no traceback), then the
  code of the key (computed here with the module's own RFC 6238 function)
  and gets his ten recovery codes; opened again, it says it is set up.
- The dry run of the retention (retention.py, art. 33(2)): the ministry's
  administrator opens the pseudonymisation wizard, sees today's date
  (read-only: the run never anticipates) and the persons due, among them
  the demo's former teacher Nicole Reding (2020/2021, kept until 14
  September 2026), and closes it: nothing is pseudonymised.

The tests run on the demo database of the pytest session
(tests/conftest.py).  The enrolment is done by a user of its own, created
here (no group but the auditors'): a demo user enrolled would find the
wizard refused in the walks of every menu (test_web_client.py).
"""
import base64
import contextlib
import datetime as dt
import re

import browser_skip
from demo_server import DEMO_PASSWORD

from trytond.modules.bts_programme.authentication import (
    RECOVERY_CODES,
    time_step,
    totp,
)

browser_skip.skip_unless_runnable()

import bts_browser  # noqa: E402
import bts_walk as walk  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.common.by import By  # noqa: E402

TOTP_USER = 'test.browser.totp'
FORMER_TEACHER = 'Nicole Reding'
# The end of her academic year 2020/2021 plus five years (art. 33(2))
FORMER_TEACHER_KEPT_UNTIL = dt.date(2026, 9, 14)
# A recovery code: 16 base32 characters in groups of four
RECOVERY_CODE = re.compile(r'[A-Z2-7]{4}(-[A-Z2-7]{4}){3}')


def _menu_path(demo_server, admin, user, wizard):
    """The French labels of the entry of the menu of user that runs the
    wizard, from the top (read as the user, as walk.menu_path does)"""
    action, = admin.search_read(
        'ir.action.wizard', [('wiz_name', '=', wizard)], ['id'])
    client = demo_server.client(user, language='fr')
    menus = {m['id']: m for m in client.search_read(
            'ir.ui.menu', [], ['name', 'parent', 'action'])}
    menu, = [m for m in menus.values()
        if m['action'] == f"ir.action.wizard,{action['id']}"]
    path = [menu['name']]
    while menu['parent']:
        menu = menus[menu['parent']]
        path.insert(0, menu['name'])
    return path


def _french(admin, text):
    "The French text of the message whose English text starts with text"
    message_id, = admin('ir.message', 'search', [('text', 'like', text + '%')])
    message, = admin('ir.message', 'read', [message_id], ['text'],
        context={'language': 'fr'})
    return message['text']


def _confirm(driver, dialog, label):
    """Click the button label of the wizard's dialog (without waiting for
    sao: it may answer with a warning)"""
    bts_browser.wait_for(driver,
        lambda d: bts_browser.visible(
            dialog, f'.modal-footer button[title="{label}"]'),
        f"the button {label!r}")[0].click()


def _warning(driver, what):
    """Wait for sao's warning dialog (a UserError of the server), close it
    and return its text; fail on an error dialog (a traceback)"""
    def shown(driver):
        if (errors := bts_browser.visible(driver, '.error-dialog')):
            raise bts_browser.SaoError(
                f"an error dialog instead of a warning: {errors[0].text}")
        return bts_browser.visible(driver, '.warning-dialog')
    try:
        dialog, = bts_browser.wait(driver).until(shown)
    except TimeoutException:
        raise bts_browser.SaoTimeout(f"Timed out after {bts_browser.TIMEOUT}"
            f"s waiting for the warning of {what}")
    text = dialog.text

    def closed(driver):
        # The dialog may still slide in (a click is then lost)
        for dialog in bts_browser.visible(driver, '.warning-dialog'):
            with contextlib.suppress(WebDriverException):
                dialog.find_element(
                    By.CSS_SELECTOR, '.modal-footer button').click()
            return False
        return True
    bts_browser.wait(driver).until(closed)
    return text


def _totp_user(admin):
    "A new French user who may open the BTS menu (the demo's auditor's groups)"
    if not admin.search_read('res.user', [('login', '=', TOTP_USER)], ['id']):
        language, = admin.search_read(
            'ir.lang', [('code', '=', 'fr')], ['id'])
        auditor, = admin.search_read(
            'res.user', [('login', '=', 'auditeur')], ['groups'])
        admin('res.user', 'create', [{
                    'login': TOTP_USER, 'name': "Two-factor browser test",
                    'password': DEMO_PASSWORD,
                    'language': language['id'],
                    'groups': [('add', auditor['groups'])],
                    }])
    return TOTP_USER


def _enrolled(admin, login):
    "Whether the user login has set up his second factor"
    user, = admin.search_read(
        'res.user', [('login', '=', login)], ['totp_enrolled'])
    return user['totp_enrolled']


def test_totp_enrolment_in_french(server, browser, admin, demo_server):
    """A user sets up his second factor from the BTS menu: the QR code and
    the key shown, a wrong code refused by a French warning, the app's code
    accepted and the ten recovery codes shown once"""
    driver = browser
    user = _totp_user(admin)
    path = _menu_path(
        demo_server, admin, user, 'res.user.totp.enrol')
    assert path[-1] == "Mettre en place l'authentification à deux facteurs"
    walk.login(driver, server, user)
    assert walk.open_menu(driver, path) == 'wizard'
    dialog = walk.wizard_dialog(driver, "the enrolment")
    text = walk.dialog_text(dialog)
    assert "Scannez le code QR avec une application d'authentification" in (
        text)
    # The QR code is an image the browser decoded
    bts_browser.wait_for(driver, lambda d: d.execute_script(
            "return Array.from(arguments[0].querySelectorAll('img'))"
            ".some(i => i.naturalWidth >= 200);", dialog), "the QR code")
    key = bts_browser.field_input(dialog, 'secret')
    assert key.get_attribute('readonly')
    secret = key.get_attribute('value')
    assert re.fullmatch(r'[A-Z2-7]{32}', secret), secret

    # A wrong code: the server's warning, in French, and the wizard stays
    step = time_step()
    key_bytes = base64.b32decode(secret)
    wrong = next(c for c in ['000000', '111111', '222222']
        if c not in {totp(key_bytes, s) for s in range(step - 2, step + 3)})
    bts_browser.type_value(driver, dialog, 'code', wrong)
    _confirm(driver, dialog, "Confirmer")
    warning = _warning(driver, "the wrong code")
    assert _french(admin, '"%(code)s" is not the current code').replace(
        '%(code)s', wrong) in warning
    assert "n'est pas le code actuel de l'application" in warning
    assert 'Traceback' not in warning
    assert not _enrolled(admin, user)

    # The code the app shows now
    dialog = walk.wizard_dialog(driver, "the enrolment")
    assert bts_browser.field_input(dialog, 'secret').get_attribute(
        'value') == secret
    bts_browser.type_value(
        driver, dialog, 'code', totp(key_bytes, time_step()))
    _confirm(driver, dialog, "Confirmer")
    codes = bts_browser.wait_for(driver, lambda d: [
            e.get_attribute('value') for e in bts_browser.visible(
                d, '.wizard-dialog textarea[name="codes"]')
            if e.get_attribute('value')],
        "the recovery codes")[0].split('\n')
    assert len(codes) == len(set(codes)) == RECOVERY_CODES
    assert all(RECOVERY_CODE.fullmatch(c) for c in codes), codes
    dialog = walk.wizard_dialog(driver, "the recovery codes")
    assert "Conservez ces codes de secours en lieu sûr" in (
        walk.dialog_text(dialog))
    walk.close_wizard(driver, "the recovery codes")
    assert _enrolled(admin, user)

    # Set up: the wizard says so, in French
    bts_browser._menu_row(driver, path).find_element(
        By.CSS_SELECTOR, '.column-char').click()
    assert _french(admin,
        'Your two-factor authentication is already set up') in _warning(
        driver, "the wizard opened again")


def test_retention_dry_run_in_french(server, browser, admin, demo_server):
    """The ministry's administrator opens the dry run of the
    pseudonymisation: today's date, read-only, and the persons due, the
    former teacher among them; closed, nothing is pseudonymised"""
    driver = browser
    today = dt.date.today()
    assert today > FORMER_TEACHER_KEPT_UNTIL, "the demo's teacher is not due"
    minister = demo_server.client('ministere.admin', language='fr')
    assert not minister('bts.retention', 'search_count', [])
    path = _menu_path(
        demo_server, admin, 'ministere.admin', 'bts.retention.run')
    assert path == ['BTS', 'Configuration', 'Pseudonymisations',
        "Pseudonymiser les données au-delà de leur durée de conservation"]
    walk.login(driver, server, 'ministere.admin')
    assert walk.open_menu(driver, path) == 'wizard'
    dialog = walk.wizard_dialog(driver, "the pseudonymisation")
    assert ("Les données personnelles de ces personnes ont dépassé cinq ans"
        in walk.dialog_text(dialog))
    date = bts_browser.field_input(dialog, 'date')
    assert date.get_attribute('value') == bts_browser.format_date(
        driver, today)
    assert date.get_attribute('readonly')
    row, = bts_browser.wait_for(driver,
        lambda d: walk.dialog_rows(dialog, FORMER_TEACHER),
        f"{FORMER_TEACHER} in the persons due")
    for value in [dt.date(2021, 9, 14), FORMER_TEACHER_KEPT_UNTIL]:
        assert bts_browser.format_date(driver, value) in row.text
    assert "Fin de la dernière année d'études" in row.text, row.text

    # Closed by "Fermer": nothing is pseudonymised
    _confirm(driver, dialog, "Fermer")
    bts_browser.wait_for(driver,
        lambda d: not bts_browser._wizard_dialog(d),
        "the dialog of the pseudonymisation to close")
    walk.settle(driver, "the end of the pseudonymisation")
    assert not minister('bts.retention', 'search_count', [])
    assert [p['active'] for p in admin.search_read('party.party',
            [('name', '=', FORMER_TEACHER)], ['active'])] == [True]
