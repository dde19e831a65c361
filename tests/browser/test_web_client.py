"""End-to-end tests of the sao web client against the demo database.

The demo database of the pytest session (the fixture ``demo_server`` of
tests/conftest.py: trytond-admin then ``bts load-demo`` in a temporary
folder, as bin/run-demo does, served by trytond on a free port with the
web client) is built once for these tests and the JSON-RPC tests of
tests/; the tests drive headless chromium with Selenium.  See
tests/browser/README.md.
"""
import contextlib
import datetime as dt
import json
from types import SimpleNamespace

import browser_skip
import pytest
from demo_server import DEMO_PASSWORD, SAO_ROOT, Client, DemoError, RPCError

from trytond.modules.bts_programme.demo import USERS as DEMO_USERS
from trytond.pyson import PYSONDecoder

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

browser_skip.skip_unless_runnable()

import bts_browser  # noqa: E402


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


@contextlib.contextmanager
def _browser(tmp_path):
    "Headless chromium with a fresh profile in tmp_path"
    driver = bts_browser.start_browser(user_data_dir=tmp_path / 'chromium')
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(tmp_path):
    with _browser(tmp_path) as driver:
        yield driver


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


# Contracts and amendments entered in one form


def _model_path(server, admin, login, model):
    """The path of labels of the entry of the menu of login that opens the
    list of model"""
    entries = [(path, int(action.split(',')[1]))
        for path, action, _ in _menu_actions(_client(server, login))
        if action.startswith('ir.action.act_window,')]
    models = {a['id']: a['res_model'] for a in admin(
            'ir.action.act_window', 'read', [a for _, a in entries],
            ['res_model'])}
    path, = [path for path, action in entries if models[action] == model]
    return path


def _open_new(driver, server, admin, login, model):
    "Log in, open the list of model from the menu and start a new record"
    path = _model_path(server, admin, login, model)
    bts_browser.login(
        driver, server.url, server.database, login, DEMO_PASSWORD)
    bts_browser.expand_whole_menu(driver)
    bts_browser.open_menu_path(driver, path)
    bts_browser.click_tool(driver, 'new_')


def _save(driver):
    "Save the record on display and return its id once stored"
    bts_browser.click_tool(driver, 'save')
    record_id, unsaved = bts_browser.current_record(driver)
    assert record_id > 0 and not unsaved, (record_id, unsaved)
    return record_id


def test_lycee_hr_enters_a_contract_with_two_lines(server, browser, admin):
    """rh.ltc enters a contract of Jeff Tutor (the tutor of BTS-CLOUD) as
    external lecturer and its two lines in one form and saves it once: a
    new line offers the courses of the contract's programme (not
    the IoT's Networks), the semesters of its year and the provider's
    qualifications (the pickers were empty until the contract was saved);
    the planned quantity adds the lines before the contract is saved; the
    role stays the one chosen (config/sao/custom.js: sao 8.0.11 took
    the first role when New was clicked on the lines)"""
    _open_new(browser, server, admin, 'rh.ltc', 'bts.contract')
    offered = bts_browser.enter_contract(browser,
        ('Jeff Tutor', 'Jeff Tutor'),
        ('BTS-CLOUD', 'BTS-CLOUD - BTS Cloud Computing'),
        ('2025', '2025/2026'), [
            (('Linux', 'M1.1 - Linux systems'),
                ('hiver', "Semestre d'hiver 2025/2026"), 10),
            (('Networks', 'M1.2 - Networks'),
                ('hiver', "Semestre d'hiver 2025/2026"), 12,
                ('Ma', 'Master in Engineering (Jeff Tutor)')),
            ])
    # The planned quantity adds the lines as they are entered
    assert bts_browser.form_value(browser, 'quantity') == '22'
    contract_id = _save(browser)
    try:
        assert offered['course'] == [
            ['M1.1 - Linux systems'], ['M1.2 - Networks']]
        assert offered['semester'] == [
            ["Semestre d'hiver 2025/2026", "Semestre d'été 2025/2026"]] * 2
        assert offered['qualification'] == [
            ['Master in Engineering (Jeff Tutor)']]
        contract, = admin('bts.contract', 'read', [contract_id], [
                'party.name', 'programme.code', 'academic_year.name',
                'role', 'state', 'create_uid.login'])
        assert (contract['party.']['name'], contract['programme.']['code'],
            contract['academic_year.']['name'], contract['role'],
            contract['state'], contract['create_uid.']['login']) == (
            'Jeff Tutor', 'BTS-CLOUD', '2025/2026', 'external', 'draft',
            'rh.ltc')
        lines = admin.search_read('bts.contract.line',
            [('contract', '=', contract_id)],
            ['course.code', 'semester.kind', 'quantity',
                'qualification.title'], order=[('id', 'ASC')])
        assert [(line['course.']['code'], line['semester.']['kind'],
                line['quantity'], (line['qualification.'] or {}).get(
                    'title')) for line in lines] == [
            ('M1.1', 'winter', 10, None),
            ('M1.2', 'winter', 12, 'Master in Engineering')]
    finally:
        admin('bts.contract', 'delete', [contract_id])


def test_lycee_hr_adds_a_line_by_amendment(server, browser, admin):
    """rh.ltc starts an amendment of Sophie Klein's active CLOUD contract:
    it lists the contract's two lines kept; a new line offers the courses
    of the contract's programme only (every programme's before), the
    semesters of its year and the provider's qualifications (none before);
    the draft is saved"""
    _open_new(
        browser, server, admin, 'rh.ltc', 'bts.contract.amendment')
    form = bts_browser.active_form(browser)
    bts_browser.pick(browser, form, 'contract', 'Sophie',
        'Sophie Klein - BTS-CLOUD - 2025/2026')
    bts_browser.type_value(browser, form, 'date',
        bts_browser.format_date(browser, dt.date(2025, 11, 3)))
    bts_browser.type_value(browser, form, 'reason', "Un cours de plus")
    lines = bts_browser.visible(form, '.form-one2many')[0]
    bts_browser.new_line(browser, lines)
    courses = bts_browser.pick(
        browser, lines, 'course', 'Networks', 'M1.2 - Networks')
    semesters = bts_browser.pick(
        browser, lines, 'semester', 'hiver', "Semestre d'hiver 2025/2026")
    bts_browser.type_value(browser, lines, 'quantity', 5)
    qualifications = bts_browser.pick(browser, lines, 'qualification', 'Ma',
        'Master in Computer Science (Sophie Klein)')
    amendment_id = _save(browser)
    try:
        assert courses == ['M1.2 - Networks']
        assert semesters == [
            "Semestre d'hiver 2025/2026", "Semestre d'été 2025/2026"]
        assert qualifications == ['Master in Computer Science (Sophie Klein)']
        lines = admin.search_read('bts.contract.amendment.line',
            [('amendment', '=', amendment_id)],
            ['action', 'course.code', 'quantity'], order=[('id', 'ASC')])
        assert sorted((line['action'], line['course.']['code'],
                line['quantity']) for line in lines) == [
            ('add', 'M1.2', 5), ('keep', 'M1.1', 100), ('keep', 'M3.1', 100)]
    finally:
        admin('bts.contract.amendment', 'delete', [amendment_id])


# Every menu entry of every demo user: each user's whole menu through
# JSON-RPC, as the web client opens it; each entry in the browser once, by
# the first demo user whose menu has it (a walk of 1.5 to 3 s an entry).

LOGINS = [user[0] for user in DEMO_USERS]
# The rows sao searches for a list (Sao.config.limit)
SAO_LIMIT = 1000


def _client(server, login):
    "A JSON-RPC client of login in French, the language of the demo users"
    client = Client(server.url, server.database, language='fr')
    client.login(login, DEMO_PASSWORD)
    return client


def _menu_actions(client):
    """The entries of the menu of the client's user that open an action, as
    (path of labels, action, menu id) in the order of their paths"""
    menus = {m['id']: m for m in client.search_read(
            'ir.ui.menu', [], ['name', 'parent', 'action'])}

    def path(menu):
        parent = menus[menu['parent']] if menu['parent'] else None
        return (path(parent) if parent else ()) + (menu['name'],)
    return sorted((path(m), m['action'], m['id'])
        for m in menus.values() if m['action'])


def _menu_tree(client):
    """The paths of the entries of the menu as the web client shows it:
    its roots and, level by level, the children of each entry"""
    paths = set()
    level = [((), client('ir.ui.menu', 'search', [('parent', '=', None)]))]
    while level:
        ids = [i for _, children in level for i in children]
        menus = {m['id']: m for m in client(
                'ir.ui.menu', 'read', ids, ['name', 'childs'])}
        next_level = []
        for prefix, children in level:
            for menu in map(menus.get, children):
                path = prefix + (menu['name'],)
                paths.add(path)
                if menu['childs']:
                    next_level.append((path, menu['childs']))
        level = next_level
    return paths


@pytest.fixture(scope='module')
def views():
    "The views loaded by the JSON-RPC checks, by groups (_open_window)"
    return {}


@pytest.fixture(scope='module')
def menus(server):
    """{login: SimpleNamespace(client, entries, walked)} for each demo user:
    his JSON-RPC client, the entries of his menu (_menu_actions) and those
    his browser walk opens, the ones no earlier demo user's menu has"""
    menus, opened = {}, set()
    for login in LOGINS:
        client = _client(server, login)
        entries = _menu_actions(client)
        walked = [e for e in entries if e[2] not in opened]
        opened.update(menu_id for _, _, menu_id in walked)
        menus[login] = SimpleNamespace(
            client=client, entries=entries, walked=walked)
    return menus


def _read_fields(fields):
    """The names sao reads for the fields of a view: the fields eagerly
    loaded, the rec_name of the relations, the label of the selections"""
    names = ['rec_name', '_timestamp', '_write', '_delete']
    for name, field in fields.items():
        if field.get('loading', 'eager') != 'eager':
            continue
        names.append(name)
        if field['type'] in {'many2one', 'one2one', 'reference'}:
            names.append(f'{name}.rec_name')
        elif field['type'] in {'selection', 'multiselection'}:
            names.append(f'{name}:string')
    return names


def _open_window(client, action, menu_id, views):
    """Open an ir.action.act_window as sao does from the menu: its context
    (and the defaults of its context model), every view, the toolbar, then
    the first page of each tab (its action's domains): its first rows read
    with the fields of the first view; the counts of the tabs.

    views caches the views by the user's groups, as the server does
    (ModelView.fields_view_get): the users of the same groups get the same
    views."""
    values = {**client.preferences, 'active_model': 'ir.ui.menu',
        'active_id': menu_id, 'active_ids': [menu_id],
        '_user': client.user_id}
    context = PYSONDecoder(values).decode(action['pyson_context'] or '{}')
    values.update(context)
    values['context'] = dict(values)
    decode = PYSONDecoder(values).decode
    domain = decode(action['pyson_domain'] or '[]')
    order = decode(action['pyson_order'] or 'null')
    search_value = decode(action.get('pyson_search_value') or '[]')
    if (context_model := action.get('context_model')):
        fields = client(context_model, 'fields_view_get', None, 'form',
            context=context)['fields']
        defaults = client(context_model, 'default_get', list(fields), False,
            context=context)
        context.update((k, v) for k, v in defaults.items()
            if not k.endswith('.'))
    model = action['res_model']
    loaded = []
    for view_id, view_type in action['views'] or [[None, 'tree']]:
        key = (tuple(client.preferences['groups']), model, view_id,
            view_type)
        if key not in views:
            views[key] = client(model, 'fields_view_get', view_id,
                view_type, context=context)
        loaded.append(views[key])
    client(model, 'view_toolbar_get', context=context)
    names = _read_fields(loaded[0]['fields'])
    limit = action.get('limit') or SAO_LIMIT
    # sao reads the rows of a list by chunks (Sao.Record.load)
    rows = SAO_LIMIT // min(len(names), 10)
    for _, tab_domain, count in action['domains'] or [('', '[]', False)]:
        search = [domain, decode(tab_domain), search_value]
        ids = client(model, 'search', search, 0, limit, order,
            context=context)
        client(model, 'read', ids[:rows], names, context=context)
        if count:
            client(model, 'search_count', search, 0, SAO_LIMIT,
                context=context)


def _run_wizard(client, action, menu_id):
    """Start an ir.action.wizard as sao does from the menu: its first state
    (its form and defaults), then leave it"""
    name = action['wiz_name']
    context = client.context({'active_model': 'ir.ui.menu',
            'active_id': menu_id, 'active_ids': [menu_id],
            'action_id': action['id']})
    session, start, _ = client.call(f'wizard.{name}.create', context)
    try:
        client.call(f'wizard.{name}.execute', session, {}, start, context)
    finally:
        client.call(f'wizard.{name}.delete', session, context)


@pytest.mark.parametrize('login', LOGINS)
def test_every_menu_entry_loads_through_rpc(menus, views, login):
    """Each demo user's menu, through JSON-RPC in French as sao opens it:
    the tree shows every entry the server lists; every entry opens an
    action of the user; a window loads its views and the first page of
    every tab (the fields of its list, their rec_names too: a record or a
    field the user may not read is an error), a wizard its first state"""
    client = menus[login].client
    shown = _menu_tree(client)
    problems = []
    for path, action, menu_id in menus[login].entries:
        where = ' / '.join(path)
        if path not in shown:
            problems.append(f"{where}: not in the menu")
            continue
        try:
            opened = client('ir.action.keyword', 'get_keyword', 'tree_open',
                ['ir.ui.menu', menu_id])
            if not opened:
                problems.append(f"{where} ({action}): opens nothing")
            elif opened[0]['type'] == 'ir.action.act_window':
                _open_window(client, opened[0], menu_id, views)
            elif opened[0]['type'] == 'ir.action.wizard':
                _run_wizard(client, opened[0], menu_id)
        except RPCError as error:
            problems.append(f"{where} ({action}): {error}")
    assert not problems, '\n'.join(problems)


def _check_tab(driver, where, problems):
    """Record in problems the error cells of the tab or dialog on display
    and the JavaScript errors"""
    if (cells := bts_browser.error_cells(driver)):
        problems.append(f"{where}: {len(cells)} cells {cells[0]}")
    for error in bts_browser.script_errors(driver):
        problems.append(f"{where}: JavaScript error {error}")


@pytest.mark.parametrize('login', LOGINS)
def test_every_menu_entry_opens_without_error(server, menus, tmp_path, login):
    """Each entry of the demo users' menus is opened once in the browser,
    in French, with every tab of its list, by the first demo user whose
    menu has it: no cell of a list shows #ERREUR (a record or field the
    user may not read), no error dialog, no JavaScript error, no entry that
    opens nothing; the menu of the user shows every entry the server lists
    (test_every_menu_entry_loads_through_rpc checks every user's whole
    menu)"""
    menu = menus[login]
    if not menu.walked:
        pytest.skip(f"every entry of the menu of {login} is opened by an "
            "earlier user")
    with _browser(tmp_path) as browser:
        bts_browser.login(
            browser, server.url, server.database, login, DEMO_PASSWORD)
        assert browser.execute_script(
            "return Sao.i18n.getlang();").startswith('fr')
        shown = bts_browser.expand_whole_menu(browser)
        # The home action of the user (his to-do list) opened at the login:
        # its entry of the menu opens it again below
        bts_browser.close_all_tabs(browser)
        problems = [f"login: JavaScript error {error}"
            for error in bts_browser.script_errors(browser)]
        problems.extend(f"{' / '.join(path)}: not in the menu"
            for path, _, _ in menu.entries if path not in shown)
        for path, action, _ in menu.walked:
            if path not in shown:
                continue
            where = ' / '.join(path)
            try:
                kind = bts_browser.open_menu_path(browser, path)
                _check_tab(browser, where, problems)
                if kind == 'wizard':
                    bts_browser.close_wizard_dialog(browser)
                    continue
                for index in range(
                        1, len(bts_browser.domain_tabs(browser))):
                    label = bts_browser.show_domain_tab(browser, index)
                    _check_tab(browser, f"{where} [{label}]", problems)
                bts_browser.close_current_tab(browser)
            except bts_browser.SaoError as error:
                problems.append(f"{where} ({action}): {error}")
                bts_browser.recover(browser)
    assert not problems, '\n'.join(problems)
