"""End-to-end tests of the sao web client against the demo database.

The demo database of the pytest session (the fixture ``demo_server`` of
tests/conftest.py: trytond-admin then ``bts load-demo`` in a temporary
folder, as bin/run-demo does, served by trytond on a free port with the
web client) is built once for these tests and the JSON-RPC tests of
tests/; the tests drive headless chromium with Selenium.  See
tests/browser/README.md.
"""
import json
import os

import pytest
from demo_server import DEMO_PASSWORD, SAO_ROOT, DemoError

USERS = ['ministere.admin', 'rh.ltc']
# The menus of bts_programme checked, by XML id: their labels are
# translated, they are read from the database (see _menu_labels).
BTS_MENU = 'menu_bts'
BTS_CHILDREN = ['menu_programme', 'menu_lycee', 'menu_configuration']
PROGRAMMES_MENU = 'menu_programme'
# Run by the virtualenv's python: print {login: {xml id: label}} in the
# language of each user.
MENU_LABELS_SCRIPT = """
import json, sys
from trytond.pool import Pool
from trytond.transaction import Transaction
database, xml_ids, logins = sys.argv[1], sys.argv[2].split(','), sys.argv[3:]
pool = Pool(database)
pool.init()
with Transaction().start(database, 0, readonly=True) as transaction:
    Config = pool.get('ir.configuration')
    Data = pool.get('ir.model.data')
    Menu = pool.get('ir.ui.menu')
    User = pool.get('res.user')
    labels = {}
    for login in logins:
        user, = User.search([('login', '=', login)])
        language = user.language.code if user.language else (
            Config.get_language())
        with transaction.set_context(language=language):
            labels[login] = {
                xml_id: Menu(Data.get_id('bts_programme', xml_id)).name
                for xml_id in xml_ids}
print(json.dumps(labels))
"""

if os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'):
    pytest.skip(
        "the web client is tested once, on the SQLite demo database, in the "
        "SQLite run", allow_module_level=True)
if not (SAO_ROOT / 'index.html').is_file():
    pytest.skip(
        f"the web client is not installed ({SAO_ROOT}/index.html is "
        "missing, run bin/setup)", allow_module_level=True)
pytest.importorskip(
    'selenium', reason="selenium is not installed "
    "(pip install -r tests/browser/requirements.txt)")

import bts_browser  # noqa: E402

if (reason := bts_browser.missing_requirements()):
    pytest.skip(reason, allow_module_level=True)


def _menu_labels(demo):
    "{login: {xml id: label}} of the BTS menus, read from the database"
    output = demo.python(
        MENU_LABELS_SCRIPT, demo.name,
        ','.join([BTS_MENU, *BTS_CHILDREN]), *USERS, timeout=120)
    return json.loads(output.strip().splitlines()[-1])


class Server:
    def __init__(self, url, database, menu_labels):
        self.url = url
        self.database = database
        # {login: {xml id: label}}
        self.menu_labels = menu_labels


@pytest.fixture(scope='module')
def server(demo_server):
    """The demo database of the session (tests/conftest.py), served with
    the web client"""
    if not (SAO_ROOT / 'index.html').is_file():
        pytest.skip(f"the web client is not served: {SAO_ROOT} is missing")
    try:
        labels = _menu_labels(demo_server)
    except DemoError as error:
        pytest.fail(str(error), pytrace=False)
    return Server(demo_server.url, demo_server.name, labels)


@pytest.fixture
def browser(tmp_path):
    driver = bts_browser.start_browser(user_data_dir=tmp_path / 'chromium')
    try:
        yield driver
    finally:
        driver.quit()


def _open_programmes(driver, server, user):
    """Log in, expand the BTS menu and open the programmes

    Return the labels of the BTS menu and the text cells of the list.
    """
    labels = server.menu_labels[user]
    bts_browser.login(
        driver, server.url, server.database, user, DEMO_PASSWORD)
    children = bts_browser.expand_menu(driver, labels[BTS_MENU])
    bts_browser.open_menu_entry(driver, labels[PROGRAMMES_MENU])
    values = bts_browser.wait_list_contains(driver, 'BTS-CLOUD')
    return labels, children, values


def test_ministere_admin_menu_and_programmes(server, browser):
    "The ministry administrator sees the BTS menu and all the programmes"
    labels, children, values = _open_programmes(
        browser, server, 'ministere.admin')

    for xml_id in BTS_CHILDREN:
        assert labels[xml_id] in children, (xml_id, children)
    assert 'BTS-CLOUD' in values
    # Programme of another lycée (LAM): hidden from rh.ltc below
    assert 'BTS-GAME' in values


def test_lycee_user_sees_only_programmes_of_his_lycee(server, browser):
    "rh.ltc only sees the programmes of the lycée LTC (record rule)"
    labels, children, values = _open_programmes(browser, server, 'rh.ltc')

    assert labels[PROGRAMMES_MENU] in children
    assert 'BTS-CLOUD' in values
    assert 'BTS-IOT' in values  # taught at LTC and LAM
    assert 'BTS-GAME' not in values  # LAM only
