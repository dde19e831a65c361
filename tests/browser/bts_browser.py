"""Drive the sao web client with Selenium and Debian's chromium.

Shared by test_web_client.py and screenshots.py.  Only the element ids and
classes that sao 8.0 builds are used (src/session.js, src/common.js,
src/sao.js, src/view/tree.js); menu entries and list cells are found by
their ``title`` attribute, which sao sets to the displayed text.
"""
import contextlib
import os
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path(os.environ.get('BTS_CHROMIUM', '/usr/bin/chromium'))
CHROMEDRIVER = Path(
    os.environ.get('BTS_CHROMEDRIVER', '/usr/bin/chromedriver'))
# Upper bound of every explicit wait, in seconds
TIMEOUT = 30
CHROMIUM_FLAGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ]

MENU = '//div[@id="menu"]'
CHAR_CELL = 'div[contains(concat(" ", @class, " "), " column-char ")]'
# The list of the tab on display (the main menu is outside #tabcontent)
ACTIVE_LIST = '#tabcontent .tab-pane.active .treeview > table > tbody'
# Every dialog of sao that reports a problem (src/common.js)
PROBLEM_DIALOGS = '.error-dialog, .warning-dialog, .user-warning-dialog'


class SaoError(AssertionError):
    "sao displayed an error dialog or did not reach the expected state"


class SaoTimeout(SaoError):
    "sao did not reach the expected state in time"


def missing_requirements():
    "Return why the browser cannot run here, or None"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is not installed"
    return None


def start_browser(user_data_dir=None, width=1400, height=900, lang=None):
    """Start a headless chromium with a fresh profile

    The viewport is forced to width x height so that screenshots have
    exactly this size.  lang (e.g. "fr") sets the language of the browser,
    which sao uses before the login.
    """
    # Never let Selenium Manager look for (or download) a driver or a
    # browser: both paths are given explicitly.
    os.environ.setdefault('SE_OFFLINE', 'true')
    if user_data_dir is None:
        user_data_dir = tempfile.mkdtemp(prefix='bts-chromium-')
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f'--user-data-dir={user_data_dir}')
    options.add_argument(f'--window-size={width},{height}')
    if lang:
        options.add_argument(f'--lang={lang}')
        options.add_experimental_option(
            'prefs', {'intl.accept_languages': lang})
    driver = webdriver.Chrome(
        options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(TIMEOUT)
    driver.set_script_timeout(TIMEOUT)
    driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride', {
            'width': width,
            'height': height,
            'deviceScaleFactor': 1,
            'mobile': False,
            })
    return driver


def wait(driver, timeout=TIMEOUT):
    return WebDriverWait(
        driver, timeout, poll_frequency=0.1,
        ignored_exceptions=[StaleElementReferenceException])


def error_dialog_text(driver):
    "Return the text of the visible sao error or warning dialog, or None"
    for dialog in driver.find_elements(By.CSS_SELECTOR, PROBLEM_DIALOGS):
        if dialog.is_displayed():
            return dialog.text.strip() or '(empty dialog)'
    return None


def wait_for(driver, condition, what, timeout=TIMEOUT):
    """Wait until condition(driver) is truthy and return its value

    Fail early, with its message, when sao shows an error dialog.
    """
    def check(driver):
        if (error := error_dialog_text(driver)) is not None:
            raise SaoError(f"sao error while waiting for {what}: {error}")
        return condition(driver)
    try:
        return wait(driver, timeout).until(check)
    except TimeoutException:
        raise SaoTimeout(f"Timed out after {timeout}s waiting for {what}")


def open_login_page(driver, url, database):
    "Load the web client and wait for its login dialog"
    driver.get(f'{url.rstrip("/")}/#{database}')
    return wait_for(
        driver, EC.visibility_of_element_located((By.ID, 'login')),
        "the login dialog")


def login(driver, url, database, user, password):
    """Log in through sao's dialogs and wait for the main menu

    sao asks for the database and the user name first, then the server
    asks for the password, which sao shows in a separate dialog.
    """
    login_input = open_login_page(driver, url, database)
    for database_input in driver.find_elements(
            By.CSS_SELECTOR, '.login-dialog input#database'):
        if (database_input.is_displayed()
                and not database_input.get_attribute('readonly')
                and not database_input.get_attribute('value')):
            database_input.send_keys(database)
    login_input.send_keys(user)
    driver.find_element(
        By.CSS_SELECTOR, '.login-dialog button[type="submit"]').click()
    password_input = wait_for(
        driver,
        EC.visibility_of_element_located((By.ID, 'ask-dialog-entry')),
        "the password dialog")
    password_input.send_keys(password)
    driver.find_element(
        By.CSS_SELECTOR, '.ask-dialog .modal-footer .btn-primary').click()
    wait_for(
        driver,
        EC.presence_of_element_located(
            (By.XPATH, f'{MENU}//tbody//{CHAR_CELL}')),
        f"the main menu after the login of {user}")


def _menu_cell_xpath(title):
    return f'{MENU}//tbody//{CHAR_CELL}[@title={_xpath_literal(title)}]'


def _xpath_literal(text):
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    parts = text.split('"')
    return 'concat(' + ', \'"\', '.join(f'"{p}"' for p in parts) + ')'


def menu_entry(driver, title):
    "Wait for the menu entry with this label and return its cell"
    return wait_for(
        driver,
        EC.visibility_of_element_located(
            (By.XPATH, _menu_cell_xpath(title))),
        f"the menu entry {title!r}")


_MENU_ROWS_SCRIPT = """
    // The visible menu rows: [path of labels, has children, expanded, <tr>]
    const rows = [];
    const stack = [];
    for (const row of document.querySelectorAll('#menu tbody > tr')) {
        if (row.offsetParent === null) {
            continue;
        }
        const cell = row.querySelector('.column-char');
        if (!cell) {
            continue;
        }
        const expander = row.querySelector('.expander');
        const img = expander ? expander.querySelector('img') : null;
        const depth = img ? Math.round(parseFloat(img.style.marginLeft) || 0)
            : 0;
        stack.length = depth;
        stack.push(cell.getAttribute('title'));
        const parent = !!expander && expander.style.visibility === 'visible';
        rows.push({path: stack.slice(), parent: parent, expanded: false,
            row: row});
    }
    for (let i = 0; i + 1 < rows.length; i++) {
        rows[i].expanded = rows[i + 1].path.length > rows[i].path.length;
    }
    return rows;
    """


def menu_rows(driver):
    """Return the visible menu entries as dicts: path (the labels from the
    top), parent (it has children), expanded and row (its <tr>)"""
    return driver.execute_script(_MENU_ROWS_SCRIPT)


def menu_entries(driver):
    """Return the visible menu entries as (depth, label) in display order,
    the depth counted from 1 at the top"""
    return [(len(row['path']), row['path'][-1]) for row in menu_rows(driver)]


def menu_children(driver, title):
    "Return the labels of the visible direct children of a menu entry"
    entries = menu_entries(driver)
    labels = [label for _, label in entries]
    index = labels.index(title)
    depth = entries[index][0]
    children, child_depth = [], None
    for entry_depth, label in entries[index + 1:]:
        if entry_depth <= depth:
            break
        if child_depth is None:
            child_depth = entry_depth
        if entry_depth == child_depth:
            children.append(label)
    return children


def expand_menu(driver, title):
    """Expand a menu entry and return the labels of its children

    sao may redraw the menu just after the login (a click is then lost or
    lands on a row moving under the pointer), so click the expander again
    until the children show up.
    """
    def children(driver):
        menu_entry(driver, title)
        try:
            return menu_children(driver, title)
        except (ValueError, StaleElementReferenceException):
            return []

    deadline = time.monotonic() + TIMEOUT
    while (remaining := deadline - time.monotonic()) > 0:
        if (labels := children(driver)):
            return labels
        row = menu_entry(driver, title).find_element(
            By.XPATH, './ancestor::tr[1]')
        try:
            row.find_element(By.CSS_SELECTOR, '.expander').click()
        except (StaleElementReferenceException,
                ElementClickInterceptedException):
            # The menu was redrawn under the pointer: find the row again
            continue
        try:
            return wait_for(
                driver, children, f"the children of the menu {title!r}",
                timeout=min(3, remaining))
        except SaoTimeout:
            continue
    raise SaoTimeout(
        f"Timed out after {TIMEOUT}s expanding the menu entry {title!r}")


def open_menu_entry(driver, title):
    "Open the action of a menu entry (sao opens it on double-click)"
    cell = menu_entry(driver, title)
    ActionChains(driver).double_click(cell).perform()


def list_values(driver):
    "Return the labels of the text cells of the list on display"
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".map(e => e.getAttribute('title'));",
        f'{ACTIVE_LIST} .column-char')


def wait_list_contains(driver, value, settle=0.5):
    """Wait until the list on display has a cell with this text

    Return all the text cells of the list, read once sao has finished
    loading (its "processing" notice hidden) and the rows are stable.
    """
    wait_for(
        driver,
        EC.presence_of_element_located(
            (By.CSS_SELECTOR,
                f'{ACTIVE_LIST} .column-char[title="{value}"]')),
        f"{value!r} in the list")

    previous = []

    def stable(driver):
        if any(e.is_displayed()
                for e in driver.find_elements(By.ID, 'processing')):
            return False
        values = list_values(driver)
        if not previous or values != previous[-1]:
            previous.append(values)
            time.sleep(settle)
            return False
        return values
    return wait_for(driver, stable, "the list to be loaded")


# The whole menu, its actions and the tabs they open

# The labels sao shows for a cell it could not load (src/view/tree.js)
ERROR_CELL_TEXTS = ('#ERROR', '#ERREUR')
TABS = '#tablist > li'
ACTIVE_PANE = '#tabcontent > .tab-pane.active'

def idle(driver, what, settle=0.1, interrupt=None):
    """Wait until sao has no request pending (jQuery.active) and no
    processing notice, twice settle seconds apart; fail on an error dialog.
    interrupt(driver), when given, is called first at each look: when it
    returns true (it answered something), the wait starts again."""
    seen = []

    def quiet(driver):
        if interrupt and interrupt(driver):
            seen.clear()
            return False
        busy = driver.execute_script(
            "return !window.jQuery || jQuery.active > 0"
            " || Array.from(document.querySelectorAll('#processing'))"
            ".some(e => e.offsetParent !== null);")
        if busy:
            seen.clear()
            return False
        if not seen:
            seen.append(True)
            time.sleep(settle)
            return False
        return True
    wait_for(driver, quiet, what)


def expand_whole_menu(driver):
    """Expand every entry of the menu; return the paths of its entries

    Each round clicks the expanders of the collapsed entries on display and
    waits for sao to load their children (sao redraws the menu just after
    the login: a lost click is clicked again in the next round).
    """
    wait_for(driver, menu_rows, "the menu")
    deadline = time.monotonic() + 4 * TIMEOUT
    while time.monotonic() < deadline:
        idle(driver, "the menu to load")
        rows = menu_rows(driver)
        collapsed = [r for r in rows if r['parent'] and not r['expanded']]
        if not collapsed:
            return [tuple(r['path']) for r in rows]
        for row in collapsed:
            with contextlib.suppress(StaleElementReferenceException):
                row['row'].find_element(
                    By.CSS_SELECTOR, '.expander').click()
    raise SaoTimeout(
        f"Timed out after {4 * TIMEOUT}s expanding the whole menu")


def _menu_row(driver, path):
    "The <tr> of the visible menu entry at path (a list of labels)"
    for row in menu_rows(driver):
        if row['path'] == list(path):
            return row['row']
    raise SaoError(f"No menu entry {' / '.join(path)!r}")


def open_menu_path(driver, path):
    """Open the action of the menu entry at path (a list of labels) by a
    click, as a user does (sao opens an entry of its menu on one click: a
    double-click would start a wizard three times); wait until its tab (or
    the dialog of its wizard) is loaded and return the kind: 'tab' or
    'wizard'"""
    what = ' / '.join(path)
    count = len(driver.find_elements(By.CSS_SELECTOR, TABS))
    _menu_row(driver, path).find_element(
        By.CSS_SELECTOR, '.column-char').click()
    kind = wait_for(driver,
        lambda d: ('tab' if len(d.find_elements(By.CSS_SELECTOR, TABS))
            > count else 'wizard' if _wizard_dialog(d) else None),
        f"the tab of the menu entry {what!r}")
    idle(driver, f"the {kind} of {what!r} to load")
    return kind


def _wizard_dialog(driver):
    "The visible dialog of a wizard, or None"
    for dialog in driver.find_elements(By.CSS_SELECTOR, '.wizard-dialog'):
        if dialog.is_displayed():
            return dialog
    return None


def close_wizard_dialog(driver):
    """Leave the wizard dialog on display by its button that ends the
    wizard (sao styles it as a link); click again while the dialog still
    slides in"""
    def closed(driver):
        if not (dialog := _wizard_dialog(driver)):
            return True
        # The dialog may still slide in, or already fade out
        with contextlib.suppress(ElementClickInterceptedException,
                ElementNotInteractableException):
            dialog.find_element(
                By.CSS_SELECTOR, '.modal-footer button.btn-link').click()
        return False
    wait_for(driver, closed, "the wizard dialog to close")
    idle(driver, "the wizard to end")


def error_cells(driver):
    """The texts of the error cells (#ERROR) of the wizard dialog or the
    tab on display"""
    return driver.execute_script("""
        const dialogs = Array.from(
            document.querySelectorAll('.wizard-dialog'))
            .filter(e => e.offsetParent !== null);
        const pane = dialogs.length ? dialogs[0]
            : document.querySelector(arguments[0]);
        if (!pane) {
            return [];
        }
        const found = [];
        for (const e of pane.querySelectorAll('*')) {
            const title = e.getAttribute('title');
            const own = Array.from(e.childNodes)
                .filter(n => n.nodeType === Node.TEXT_NODE)
                .map(n => n.textContent.trim()).join('');
            for (const text of arguments[1]) {
                if (title === text || own === text) {
                    found.push(text);
                }
            }
        }
        return found;
        """, ACTIVE_PANE, list(ERROR_CELL_TEXTS))


def script_errors(driver):
    """The JavaScript errors logged in the console since the last call
    (the log is read once)"""
    return [entry['message'] for entry in driver.get_log('browser')
        if entry.get('source') == 'javascript'
        and entry['level'] == 'SEVERE']


def recover(driver):
    """Close the dialogs reporting a problem (by their button) and every
    tab: back to the menu after a failure"""
    for dialog in visible(driver, PROBLEM_DIALOGS):
        dialog.find_element(By.CSS_SELECTOR, '.modal-footer button').click()
    wait_for(driver, lambda d: not visible(d, PROBLEM_DIALOGS),
        "the dialogs to close")
    close_all_tabs(driver)


def close_all_tabs(driver):
    "Close every tab (the home action of the user too)"
    while driver.find_elements(By.CSS_SELECTOR, TABS):
        close_current_tab(driver)


def domain_tabs(driver):
    "The links of the tabs of the list on display (its action's domains)"
    return driver.find_elements(
        By.CSS_SELECTOR, f'{ACTIVE_PANE} .tab-domain .nav-tabs > li > a')


def show_domain_tab(driver, index):
    "Show the index-th tab of the list on display and wait for its rows"
    link = domain_tabs(driver)[index]
    label = link.text.strip()
    link.click()
    wait_for(driver, lambda d: domain_tabs(d)[index].find_element(
            By.XPATH, './..').get_attribute('class') == 'active',
        f"the tab {label!r} of the list")
    idle(driver, f"the tab {label!r} of the list to load")
    return label


def close_current_tab(driver):
    "Close the tab on display and wait until it is gone"
    count = len(driver.find_elements(By.CSS_SELECTOR, TABS))
    driver.find_element(
        By.CSS_SELECTOR, f'{TABS}.active button.close').click()
    wait_for(driver,
        lambda d: len(d.find_elements(By.CSS_SELECTOR, TABS)) < count,
        "the tab to close")


# Forms

def visible(scope, css):
    "The displayed elements matching the CSS selector css under scope"
    return [e for e in scope.find_elements(By.CSS_SELECTOR, css)
        if e.is_displayed()]


def gettext(driver, text):
    "The translation of a label of sao in the language of the session"
    return driver.execute_script(
        "return Sao.i18n.gettext(arguments[0]);", text)


def click_tool(driver, tool_id):
    """Click the button tool_id (new_, save, ...) of the toolbar of the
    tab on display and wait for sao"""
    visible(driver, f'{ACTIVE_PANE} #{tool_id}')[0].click()
    idle(driver, f"the button {tool_id}")


def active_form(driver):
    "The form of the tab on display"
    return wait_for(driver, lambda d: visible(d, f'{ACTIVE_PANE} .form'),
        "the form")[0]


def field_input(scope, name):
    "The displayed input (select, textarea) of the field name under scope"
    return visible(scope, ', '.join(f'{tag}[name="{name}"]'
            for tag in ['input', 'select', 'textarea']))[0]


def pick(driver, scope, name, text, label):
    """Type text in the many2one field name (under scope) and pick label
    among the completions; return the labels sao offered

    An editable list may redraw the cell while the text is typed: the text
    is typed again when no completion shows within a few seconds."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        field = wait_for(driver, lambda d: field_input(scope, name),
            f"the field {name!r}")
        field.click()
        field.clear()
        field.send_keys(text)
        dropdown = field.find_element(
            By.XPATH, './ancestor::div[contains(@class, "dropdown")][1]')
        try:
            items = wait_for(driver,
                lambda d, dropdown=dropdown: visible(
                    dropdown, 'li.completion a'),
                f"the records offered for {text!r} in {name!r}",
                timeout=min(5, max(deadline - time.monotonic(), 0.1)))
            labels = [i.text for i in items]
            break
        except (SaoTimeout, StaleElementReferenceException):
            if time.monotonic() > deadline:
                raise SaoTimeout(f"Timed out after {TIMEOUT}s waiting for "
                    f"the records offered for {text!r} in {name!r}")
    if label not in labels:
        raise SaoError(
            f"{label!r} is not offered in {name!r} for {text!r}: {labels}")
    items[labels.index(label)].click()
    idle(driver, f"{label!r} in {name!r}")
    return labels


def type_value(driver, scope, name, value):
    """Type value in the field name under scope (an editable list may
    still be drawing the cell: type again until it takes the keys)"""
    def typed(driver):
        try:
            field = field_input(scope, name)
            field.click()
            field.clear()
            field.send_keys(str(value))
        except (IndexError, ElementNotInteractableException,
                StaleElementReferenceException):
            return False
        return True
    wait_for(driver, typed, f"the field {name!r} to take {value!r}")


def format_date(driver, date):
    "The date as the user types it (the date format of his language)"
    return driver.execute_script(
        "return Sao.common.format_date(Sao.common.date_format(), "
        "Sao.Date(arguments[0], arguments[1] - 1, arguments[2]));",
        date.year, date.month, date.day)


def new_line(driver, one2many):
    "Add a line to the one2many list by its New button and wait for it"
    new = gettext(driver, "New")
    visible(one2many, f'.form-one2many-toolbar button[title="{new}"]')[
        0].click()
    idle(driver, "the new line")


def form_value(driver, name):
    """The text of the field name of the form on display (not of its
    lists)"""
    return driver.execute_script("""
        for (const e of document.querySelectorAll(
                `${arguments[0]} [name="${arguments[1]}"]`)) {
            if (e.offsetParent !== null && !e.closest('.form-one2many')) {
                return e.value;
            }
        }
        return null;
        """, ACTIVE_PANE, name)


def current_record(driver):
    """The id and the unsaved changes of the record of the tab on
    display"""
    return driver.execute_script("""
        const record = Sao.Tab.tabs.get_current().screen.current_record;
        return [record.id, Object.keys(record.modified_fields)];
        """)


def enter_contract(driver, party, programme, year, lines):
    """Fill a new contract in the contract form on display: party,
    programme and year as (text to type, label to pick), lines as (course,
    semester, quantity[, qualification]) with (text, label) pickers.

    Return what the pickers of the lines offered: {field name: [labels
    offered for each line]}."""
    form = active_form(driver)
    for name, (text, label) in [('party', party), ('programme', programme),
            ('academic_year', year)]:
        pick(driver, form, name, text, label)
    one2many = visible(form, '.form-one2many')[0]
    offered = {}
    for course, semester, quantity, *qualification in lines:
        new_line(driver, one2many)
        for name, (text, label) in [('course', course),
                ('semester', semester), *(
                    [('qualification', qualification[0])]
                    if qualification else [])]:
            offered.setdefault(name, []).append(
                pick(driver, one2many, name, text, label))
        type_value(driver, one2many, 'quantity', quantity)
    # Leave the last cell: sao takes its value
    driver.execute_script("document.activeElement.blur();")
    idle(driver, "the last line")
    return offered
