"""Drive the sao web client with Selenium and Debian's chromium.

Shared by test_web_client.py and screenshots.py.  Only the element ids and
classes that sao 8.0 builds are used (src/session.js, src/common.js,
src/sao.js, src/view/tree.js); menu entries and list cells are found by
their ``title`` attribute, which sao sets to the displayed text.
"""
import os
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (
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
        driver, timeout, ignored_exceptions=[StaleElementReferenceException])


def error_dialog_text(driver):
    "Return the text of the visible sao error or warning dialog, or None"
    for dialog in driver.find_elements(
            By.CSS_SELECTOR, '.error-dialog, .warning-dialog'):
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


def menu_entries(driver):
    """Return the visible menu entries as (depth, label) in display order

    The depth comes from the indentation sao gives to the expander image
    (margin-left in em, one per level).
    """
    return driver.execute_script("""
        const entries = [];
        for (const row of document.querySelectorAll('#menu tbody > tr')) {
            if (row.offsetParent === null) {
                continue;
            }
            const cell = row.querySelector('.column-char');
            if (!cell) {
                continue;
            }
            const img = row.querySelector('.expander img');
            const margin = img ? parseFloat(img.style.marginLeft) || 0 : 0;
            entries.push([margin, cell.getAttribute('title')]);
        }
        return entries;
        """)


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

    sao may redraw the menu just after the login (a click is then lost),
    so click the expander again until the children show up.
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
        except StaleElementReferenceException:
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
