"""The helpers of the walk of the lesson path (test_lesson_path.py).

A user logs in and out through sao's own menus, opens a list from his
menu, picks a tab of the list, opens or selects a row, presses the buttons
of a form or the actions of the toolbar, answers sao's password dialog
when the server asks for a fresh login, and downloads the files sao
offers; the walk's screenshots are saved when BTS_SCREENSHOTS=1.

Built on bts_browser.py: every wait is explicit and bounded
(bts_browser.TIMEOUT) and fails at once on a sao error dialog.
"""
import os
import time
from pathlib import Path

import bts_browser as sao
from bts_browser import ACTIVE_PANE, SaoError, SaoTimeout, visible, wait_for
from demo_server import DEMO_PASSWORD, Client
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / 'doc' / 'screenshots'
# The password dialog of sao (the login's second step, and the fresh login
# the server asks for before an approval)
ASK_ENTRY = '#ask-dialog-entry'
ASK_OK = '.ask-dialog .modal-footer .btn-primary'


def screenshots_wanted():
    "Whether the walk saves its screenshots (never in CI)"
    return os.environ.get('BTS_SCREENSHOTS') == '1'


class Screenshots:
    """Save doc/screenshots/walk-NN-<name>.png, numbered in the order of
    the walk, when BTS_SCREENSHOTS=1; otherwise only count them"""

    def __init__(self, driver, folder=SCREENSHOTS):
        self.driver = driver
        self.folder = Path(folder)
        self.number = 0
        self.saved = []

    def __call__(self, name):
        self.number += 1
        if not screenshots_wanted():
            return None
        # No caret nor hover effect in the picture
        self.driver.execute_script(
            "if (document.activeElement) document.activeElement.blur();")
        sao.idle(self.driver, f"the screenshot {name!r}")
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f'walk-{self.number:02d}-{name}.png'
        self.driver.save_screenshot(str(path))
        self.saved.append(path)
        return path


# Log in and out

def login(driver, server, user):
    "Log in as user (on the login page sao shows after a logout)"
    sao.login(driver, server.url, server.database, user, DEMO_PASSWORD)
    sao.idle(driver, f"the home of {user}")


def logout(driver):
    """Log out by the user menu's Logout entry, as a user does, confirm
    that the tabs are closed, and wait for the login dialog"""
    label = sao.gettext(driver, "Logout")

    def logged_out(driver):
        if visible(driver, '.login-dialog #login'):
            return True
        with _clicks_lost():
            if (confirm := visible(driver,
                    '.confirmation-dialog .modal-footer .btn-primary')):
                confirm[0].click()
                return False
            entries = [a for a in visible(driver, '#user-preferences a')
                if a.text.strip() == label]
            if entries:
                entries[0].click()
            elif not visible(driver, '#user-preferences.open'):
                # sao fills the menu when it opens
                visible(driver, '#user-preferences > a')[0].click()
        return False
    wait_for(driver, logged_out, "the login dialog after the logout")


class _clicks_lost:
    "Ignore a click that missed an element still drawn or moving"

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        return kind is not None and issubclass(kind, (
                IndexError, StaleElementReferenceException,
                ElementClickInterceptedException,
                ElementNotInteractableException))


# The menu

def menu_path(server, user, model):
    """The labels (in French) of the entry of the menu of user that opens
    the list of model, the shortest if several do; read through JSON-RPC
    as the user"""
    client = Client(server.url, server.database, language='fr')
    client.login(user, DEMO_PASSWORD)
    menus = {m['id']: m for m in client.search_read(
            'ir.ui.menu', [], ['name', 'parent', 'action'])}
    actions = {int(m['action'].split(',')[1]): m for m in menus.values()
        if (m['action'] or '').startswith('ir.action.act_window,')}
    windows = client.search_read('ir.action.act_window',
        [('id', 'in', list(actions)), ('res_model', '=', model)], ['id'])

    def path(menu):
        parent = menus.get(menu['parent']) if menu['parent'] else None
        return (path(parent) if parent else ()) + (menu['name'],)
    paths = sorted((path(actions[w['id']]) for w in windows),
        key=lambda p: (len(p), p))
    if not paths:
        raise SaoError(f"{user} has no menu entry opening {model}")
    return paths[0]


def open_menu(driver, path):
    """Expand the menu down to the entry at path (labels from the top) and
    open it by a click; sao may redraw the menu just after the login (a
    click is then lost): the expander is clicked again"""
    for depth in range(1, len(path)):
        parent, child = list(path[:depth]), list(path[:depth + 1])
        deadline = time.monotonic() + sao.TIMEOUT
        while True:
            rows = {tuple(r['path']): r for r in wait_for(driver,
                    lambda d, parent=parent, depth=depth: [
                        r for r in sao.menu_rows(d)
                        if r['path'][:depth] == parent],
                    f"the menu entry {' / '.join(parent)!r}")}
            if tuple(child) in rows:
                break
            if time.monotonic() > deadline:
                raise SaoTimeout(f"Timed out after {sao.TIMEOUT}s "
                    f"expanding the menu {' / '.join(parent)!r}")
            with _clicks_lost():
                rows[tuple(parent)]['row'].find_element(
                    By.CSS_SELECTOR, '.expander').click()
            try:
                wait_for(driver, lambda d, child=child: any(
                        r['path'] == child for r in sao.menu_rows(d)),
                    f"the menu entry {' / '.join(child)!r}", timeout=3)
            except SaoTimeout:
                continue
    return sao.open_menu_path(driver, path)


def open_list(driver, server, user, model):
    "Open the list of model from the menu of user; return the menu path"
    path = menu_path(server, user, model)
    open_menu(driver, path)
    return path


# Lists

def show_tab(driver, label):
    "Show the tab (an action's domain) of the list on display by its label"
    labels = [link.text.strip() for link in sao.domain_tabs(driver)]
    # The tabs show a count after the name: "Soumises (2)"
    matching = [i for i, text in enumerate(labels)
        if text == label or text.startswith(label + ' ')]
    if not matching:
        raise SaoError(f"No tab {label!r} in the list: {labels}")
    return sao.show_domain_tab(driver, matching[0])


_ROW_SCRIPT = """
    // The rows of the list on display whose cells show every text (in a
    // cell's text or title: "BTS-IOT" in "BTS-IOT - BTS Internet of
    // Things")
    const texts = arguments[1];
    return Array.from(document.querySelectorAll(arguments[0] + ' > tr'))
        .filter(row => row.offsetParent !== null)
        .filter(row => texts.every(text => Array.from(
            row.querySelectorAll('td')).some(cell =>
                cell.innerText.includes(text)
                || Array.from(cell.querySelectorAll('[title]')).some(
                    e => e.getAttribute('title').includes(text)))));
    """


def rows(driver, *texts):
    "The rows of the list on display showing each of texts in a cell"
    return driver.execute_script(_ROW_SCRIPT, sao.ACTIVE_LIST, list(texts))


def wait_row(driver, *texts):
    "Wait for the one row of the list on display showing texts"
    found = wait_for(driver, lambda d: rows(d, *texts),
        f"the row {' | '.join(texts)!r} in the list")
    if len(found) != 1:
        raise SaoError(
            f"{len(found)} rows {' | '.join(texts)!r} in the list")
    return found[0]


def open_row(driver, *texts):
    """Open the row of the list on display showing texts (a double click)
    and wait for its form"""
    row = wait_row(driver, *texts)
    cell = [c for c in row.find_elements(By.CSS_SELECTOR, 'td')
        if c.is_displayed()
        and 'selection-state' not in (c.get_attribute('class') or '')][1]
    ActionChains(driver).double_click(cell).perform()
    form = sao.active_form(driver)
    sao.idle(driver, f"the form of {' | '.join(texts)!r}")
    return form


def select_row(driver, *texts):
    "Tick the selection box of the row of the list showing texts"
    row = wait_row(driver, *texts)
    box = row.find_element(By.CSS_SELECTOR, 'td.selection-state input')
    if not box.is_selected():
        box.click()
    wait_for(driver, lambda d: box.is_selected(),
        f"the row {' | '.join(texts)!r} selected")
    return row


# Forms

def show_page(driver, field):
    """Show the page of the notebook of the form on display that holds the
    field"""
    form = sao.active_form(driver)

    def shown(driver):
        if visible(form, f'[name="{field}"]'):
            return True
        for link in visible(form, '.nav-tabs > li > a'):
            link.click()
            if visible(form, f'[name="{field}"]'):
                return True
        return False
    wait_for(driver, shown, f"the page of the field {field!r}")
    sao.idle(driver, f"the page of {field!r}")


def pick(driver, scope, name, text, label):
    """Type text in the many2one field name (under scope) and pick label
    among the completions; return the labels sao offered

    As bts_browser.pick, but the labels are read from the document, not
    as Selenium sees them: a completion of a line of an editable list
    low in the window is clipped by the list (Selenium reads its text as
    empty); the completion is scrolled into view before the click.  The
    text is typed again when no completion shows within a few seconds
    (the list may redraw the cell while the text is typed)."""
    deadline = time.monotonic() + sao.TIMEOUT
    while True:
        field = wait_for(driver, lambda d: sao.field_input(scope, name),
            f"the field {name!r}")
        try:
            field.click()
            field.clear()
            field.send_keys(text)
            dropdown = field.find_element(By.XPATH,
                './ancestor::div[contains(@class, "dropdown")][1]')
            items = wait_for(driver, lambda d, dropdown=dropdown: [
                    a for a in dropdown.find_elements(
                        By.CSS_SELECTOR, 'li.completion a')
                    if a.get_attribute('textContent').strip()],
                f"the records offered for {text!r} in {name!r}",
                timeout=min(5, max(deadline - time.monotonic(), 0.1)))
            labels = [a.get_attribute('textContent').strip() for a in items]
            break
        except (SaoTimeout, StaleElementReferenceException,
                ElementNotInteractableException):
            if time.monotonic() > deadline:
                raise SaoTimeout(f"Timed out after {sao.TIMEOUT}s waiting "
                    f"for the records offered for {text!r} in {name!r}")
    if label not in labels:
        raise SaoError(
            f"{label!r} is not offered in {name!r} for {text!r}: {labels}")
    item = items[labels.index(label)]
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'nearest'});", item)
    item.click()
    sao.idle(driver, f"{label!r} in {name!r}")
    return labels


def type_date(driver, scope, name, date):
    "Type the date as the user does (his language's format) in a field"
    sao.type_value(driver, scope, name, sao.format_date(driver, date))
    driver.execute_script("document.activeElement.blur();")
    sao.idle(driver, f"the date in {name!r}")


def type_month(driver, scope, name, date):
    "Type the month of date as month/year in a field (a month's format)"
    sao.type_value(driver, scope, name, f'{date:%m/%Y}')
    driver.execute_script("document.activeElement.blur();")
    sao.idle(driver, f"the month in {name!r}")


def save(driver):
    "Save the record on display; return its id once stored"
    driver.execute_script(
        "if (document.activeElement) document.activeElement.blur();")
    sao.idle(driver, "the last field")
    sao.click_tool(driver, 'save')
    record_id, unsaved = wait_for(driver, lambda d: (lambda r: r
            if r[0] > 0 and not r[1] else None)(sao.current_record(d)),
        "the record to be saved")
    return record_id


def _answer_password(driver, password):
    """Type password in sao's password dialog if it is on display; return
    whether it was"""
    entries = visible(driver, ASK_ENTRY)
    if not entries:
        return False
    entries[0].clear()
    entries[0].send_keys(password)
    visible(driver, ASK_OK)[0].click()
    return True


def settle(driver, what, password=None):
    """Wait until sao has finished (bts_browser.idle), answering its
    password dialog with password when the server asks for a fresh login
    (trytond's fresh_session: sao logs in again, then repeats the call);
    return whether the password was asked"""
    asked = []

    def answer(driver):
        if password and _answer_password(driver, password):
            asked.append(True)
            return True
        if visible(driver, ASK_ENTRY):
            raise SaoError(f"sao asks for a password during {what}")
        return False
    sao.idle(driver, what, settle=0.3, interrupt=answer)
    return bool(asked)


def click_button(driver, name, password=None):
    """Click the button name of the form on display (or of the wizard's
    dialog); answer the password dialog when sao shows it; return whether
    the password was asked"""
    button = wait_for(driver, lambda d: visible(
            d, f'{ACTIVE_PANE} button[name="{name}"], '
            f'.modal button[name="{name}"]'),
        f"the button {name!r}")[0]
    wait_for(driver, lambda d: button.is_enabled(),
        f"the button {name!r} enabled")
    button.click()
    return settle(driver, f"the button {name!r}", password=password)


def toolbar_menu(driver, tool, label, password=None):
    """Open the menu of the toolbar's button tool ('action', 'print', ...)
    of the tab on display and click its entry label; return the labels of
    its entries"""
    def entries(driver):
        found = [a for a in visible(driver, f'{ACTIVE_PANE} '
                f'ul[aria-labelledby="{tool}"] > li > a')
            if a.text.strip()]
        if not found:
            with _clicks_lost():
                visible(driver, f'{ACTIVE_PANE} button#{tool}')[0].click()
        return found
    links = wait_for(driver, entries, f"the menu {tool!r} of the toolbar")
    labels = [a.text.strip() for a in links]
    if label not in labels:
        raise SaoError(f"No {label!r} in the menu {tool!r}: {labels}")
    links[labels.index(label)].click()
    settle(driver, f"{label!r} of the menu {tool!r}", password=password)
    return labels


# Downloads

def allow_downloads(driver, folder):
    """Let chromium save the files sao offers to folder (headless chromium
    refuses downloads until told where to save them)"""
    Path(folder).mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd('Browser.setDownloadBehavior', {
            'behavior': 'allow', 'downloadPath': str(folder),
            'eventsEnabled': True})


def download(driver, folder, suffix):
    """Wait for the file ending with suffix that sao saves to folder (sao
    shows a Download dialog and clicks its link itself, src/common.js
    download_file), then for the dialog to close; return its path"""
    folder = Path(folder)

    def saved(driver):
        files = sorted(folder.glob(f'*{suffix}'))
        if (files and not list(folder.glob('*.crdownload'))
                and files[0].stat().st_size):
            return files[0]
        return None
    path = wait_for(driver, saved, f"the download of the {suffix} file")
    wait_for(driver, lambda d: not visible(d, '.modal-dialog a[download]'),
        "the Download dialog to close")
    return path


def wizard_dialog(driver, what):
    "Wait for the dialog of a wizard and return it"
    return wait_for(driver, lambda d: sao._wizard_dialog(d),
        f"the dialog of {what}")


def close_wizard(driver, what):
    """Close the dialog of the wizard on display by the button of its
    footer (its one button, or the last: the default) and wait for sao"""
    def closed(driver):
        if not (dialog := sao._wizard_dialog(driver)):
            return True
        with _clicks_lost():
            visible(dialog, '.modal-footer button')[-1].click()
        return False
    wait_for(driver, closed, f"the dialog of {what} to close")
    settle(driver, f"the end of {what}")


def open_embedded_row(driver, name, index=0):
    """Open the index-th row of the list of the many2many field name of the
    form on display by a double click: sao opens it in a dialog"""
    form = sao.active_form(driver)
    row = wait_for(driver, lambda d: _field_rows(form, name),
        f"the rows of {name!r}")[index]
    cell = [c for c in row.find_elements(By.CSS_SELECTOR, 'td')
        if c.is_displayed() and c.text.strip()][0]
    ActionChains(driver).double_click(cell).perform()
    wait_for(driver, lambda d: visible(d, '.modal-dialog .form'),
        f"the dialog of the row of {name!r}")
    sao.idle(driver, f"the dialog of the row of {name!r}")


def _field_rows(form, name):
    """The visible rows of the list of the many2many field name under form
    (found by its entry, named after the field)"""
    return form.parent.execute_script("""
        const entry = arguments[0].querySelector(
            `.form-many2many input[name="${arguments[1]}"]`);
        const widget = entry ? entry.closest('.form-many2many') : null;
        if (!widget || widget.offsetParent === null) {
            return [];
        }
        return Array.from(widget.querySelectorAll('tbody > tr'))
            .filter(r => r.offsetParent !== null && r.querySelector('td'));
        """, form, name)


def click_title(driver, title):
    """Click the visible button with this title (on top: a dialog's
    first) and wait for sao"""
    buttons = wait_for(driver, lambda d: visible(
            d, f'.modal-dialog button[title="{title}"]')
        or visible(d, f'{ACTIVE_PANE} button[title="{title}"]'),
        f"the button {title!r}")
    buttons[0].click()
    settle(driver, f"the button {title!r}")


def tool_enabled(driver, tool_id):
    "Whether the toolbar's button tool_id of the tab on display is enabled"
    buttons = visible(driver, f'{ACTIVE_PANE} #{tool_id}')
    return bool(buttons) and buttons[0].is_enabled()


def close_record_dialog(driver):
    """Close the dialog of a record (opened from a list of a form) by its
    default button and wait until it is gone"""
    def closed(driver):
        dialogs = [m for m in visible(driver, '.modal')
            if visible(m, '.form')]
        if not dialogs:
            return True
        with _clicks_lost():
            visible(dialogs[-1], '.modal-footer .btn-primary')[0].click()
        return False
    wait_for(driver, closed, "the dialog of the record to close")
    settle(driver, "the dialog of the record closed")


def dialog_rows(dialog, *texts):
    "The rows of the lists of dialog showing each of texts in a cell"
    script = _ROW_SCRIPT.replace(
        "document.querySelectorAll(arguments[0] + ' > tr')",
        "arguments[0].querySelectorAll('tbody > tr')")
    return dialog.parent.execute_script(script, dialog, list(texts))


def dialog_text(dialog):
    "The text of dialog with the values of its text fields"
    return dialog.text + '\n' + '\n'.join(dialog.parent.execute_script(
            "return Array.from(arguments[0].querySelectorAll('textarea'))"
            ".map(e => e.value);", dialog))
