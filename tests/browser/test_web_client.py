"""End-to-end tests of the sao web client against a fresh demo database.

The module fixture builds its own SQLite database in a temporary folder
(trytond-admin then ``bts load-demo``, as bin/run-demo does) and serves it
with trytond on a free port; the tests drive headless chromium with
Selenium.  See tests/browser/README.md.
"""
import configparser
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / '.venv' / 'bin'
SAO_ROOT = ROOT / '.local' / 'sao'
CONFIG = ROOT / 'config' / 'trytond.conf'
DATABASE = 'bts_browser'
ADMIN_PASSWORD = 'admin-bts'
DEMO_PASSWORD = 'bts-demo-2026'
MODULES = ['bts_programme', 'bts_jury', 'bts_indemnity']
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
        "the web client is tested once, on its own SQLite database, in the "
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


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _tail(path, lines=40):
    try:
        return '\n'.join(path.read_text(errors='replace').splitlines()[
                -lines:])
    except OSError:
        return ''


def _run(args, env, log, timeout):
    with log.open('a') as output:
        output.write(f"$ {' '.join(map(str, args))}\n")
        output.flush()
        try:
            process = subprocess.run(
                list(map(str, args)), env=env, cwd=ROOT, timeout=timeout,
                stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"{args[0]} took more than {timeout}s:\n{_tail(log)}")
    if process.returncode:
        pytest.fail(
            f"{args[0]} failed ({process.returncode}):\n{_tail(log)}")


def _menu_labels(env, log):
    args = [
        VENV_BIN / 'python', '-c', MENU_LABELS_SCRIPT, DATABASE,
        ','.join([BTS_MENU, *BTS_CHILDREN]), *USERS]
    try:
        process = subprocess.run(
            list(map(str, args)), env=env, cwd=ROOT, timeout=120,
            stdin=subprocess.DEVNULL, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        pytest.fail("Reading the menu labels took more than 120s")
    with log.open('a') as output:
        output.write(process.stderr)
    if process.returncode:
        pytest.fail(f"Reading the menu labels failed:\n{process.stderr}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def _wait_http(url, process, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"trytond exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    pytest.fail(f"trytond did not answer on {url} within {timeout}s")


class Server:
    def __init__(self, url, menu_labels):
        self.url = url
        # {login: {xml id: label}}
        self.menu_labels = menu_labels


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    "Build a demo database in a temporary folder and serve it"
    tmp = tmp_path_factory.mktemp('bts-web-client')
    db_path = tmp / 'db'
    db_path.mkdir()
    (db_path / f'{DATABASE}.sqlite').touch()
    password_file = tmp / 'admin-password'
    password_file.write_text(ADMIN_PASSWORD + '\n')
    log = tmp / 'trytond.log'
    env = {
        **os.environ,
        'TRYTONPASSFILE': str(password_file),
        'TRYTOND_CONFIG': str(CONFIG),
        'TRYTOND_DATABASE__PATH': str(db_path),
        'TRYTOND_WEB__ROOT': str(SAO_ROOT),
        }
    _run([
            VENV_BIN / 'trytond-admin', '-d', DATABASE, '--all',
            '-u', *MODULES, '--activate-dependencies', '-l', 'fr',
            '--email', 'a@example.org'],
        env, log, timeout=600)
    _run([VENV_BIN / 'bts', '-d', DATABASE, 'load-demo'],
        env, log, timeout=300)
    menu_labels = _menu_labels(env, log)

    # Options of the configuration file beat the environment variables and
    # config/trytond.conf sets [web] listen: serve with a copy on a free
    # port.
    port = _free_port()
    config = configparser.ConfigParser(interpolation=None)
    config.read(CONFIG)
    if not config.has_section('web'):
        config.add_section('web')
    config.set('web', 'listen', f'127.0.0.1:{port}')
    server_config = tmp / 'trytond.conf'
    with server_config.open('w') as file:
        config.write(file)
    env['TRYTOND_CONFIG'] = str(server_config)

    # -d initialises the pool of the database before serving: with
    # trytond 8.0.12, a server started without it answers the first
    # login of a database with the error "'res.user'" (see the README).
    with log.open('a') as output:
        process = subprocess.Popen(
            [str(VENV_BIN / 'trytond'), '-c', str(server_config),
                '-d', DATABASE],
            env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=output,
            stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    try:
        _wait_http(url + '/', process, log)
        yield Server(url, menu_labels)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


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
    bts_browser.login(driver, server.url, DATABASE, user, DEMO_PASSWORD)
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
