"""The home of every role: the to-do list, through JSON-RPC as each demo user.

Each user lands on *To Do* at login and sees the tasks of the workflow
buttons of their groups, each with the count of the records that wait for
them within their lycées and one click (the button *Open*) to the list of
exactly those records. The expected counts are read as the admin with the
lycée written out, so they do not rely on the rules under test.

    TRYTOND_DATABASE_URI=sqlite:// .venv/bin/python -m pytest -q \\
        tests/test_todo.py
"""
import pytest

from trytond.pyson import PYSONDecoder


@pytest.fixture(scope='module')
def clients(demo_server):
    return {login: demo_server.client(login) for login in [
            'rh.ltc', 'direction.ltc', 'direction.lam', 'ministere.admin',
            'ministere.finances', 'ministere.ordonnateur', 'comptable',
            'auditeur']}


def _tasks(client):
    tasks = client.search_read(
        'bts.todo', [], ['name', 'count'], context={'language': 'en'})
    return {task['name']: task for task in tasks}


def _count(admin, model, domain):
    return admin(model, 'search_count', domain)


def test_login_opens_the_todo_list(clients, admin):
    todo, = admin.search_read('ir.action.act_window', [
            ('res_model', '=', 'bts.todo')], ['action'])
    for login, client in clients.items():
        preferences = client.call(
            'model.res.user.get_preferences', False, client.context())
        assert todo['action'] in preferences['actions'], login


def test_each_role_sees_its_tasks_only(clients):
    expected = {
        'rh.ltc': {'Declarations to submit',
            'Rejected declarations to correct', 'Bodies to propose',
            'Sittings held, attendance to record'},
        'direction.ltc': {'Contracts to sign',
            'Declarations to countersign', 'Bodies to propose',
            'Annual reports to send'},
        'direction.lam': {'Contracts to sign',
            'Declarations to countersign', 'Bodies to propose',
            'Annual reports to send'},
        'ministere.admin': {'Contracts to activate', 'Amendments to apply',
            'Bodies to propose', 'Bodies to nominate',
            'Declarations to verify',
            'Admissibility requests to decide',
            "Accreditation dossiers awaiting the agency's report",
            'Accreditations to decide',
            'Conditions of re-accreditation to verify',
            'Programmes to withdraw (cessation or non-use)',
            'Programme changes to approve', 'Programme changes to apply'},
        'ministere.finances': {'Payment runs to post',
            'Declarations to approve'},
        'ministere.ordonnateur': {'Payment runs to post',
            'Payment runs whose payments to approve'},
        'comptable': {'Payment runs to process'},
        'auditeur': set(),
        }
    for login, client in clients.items():
        tasks = set(_tasks(client))
        assert tasks == expected[login], login


def test_counts_are_what_waits_in_the_user_lycees(clients, admin):
    lycees = {code: admin('bts.lycee', 'search', [('code', '=', code)])[0]
        for code in ['LTC', 'LAM']}
    for login, code in [('direction.ltc', 'LTC'), ('direction.lam', 'LAM')]:
        task = _tasks(clients[login])['Declarations to countersign']
        expected = _count(admin, 'bts.declaration', [
                ('state', '=', 'submitted'), ('lycee', '=', lycees[code])])
        assert task['count'] == expected, login
    assert _tasks(clients['direction.ltc'])[
        'Declarations to countersign']['count'] > 0
    verify = _tasks(clients['ministere.admin'])['Declarations to verify']
    assert verify['count'] == _count(admin, 'bts.declaration', [
            ('state', '=', 'countersigned'),
            ('submitted_by.login', '!=', 'ministere.admin'),
            ('countersigned_by.login', '!=', 'ministere.admin')])
    rejected = _tasks(clients['rh.ltc'])['Rejected declarations to correct']
    assert rejected['count'] == _count(admin, 'bts.declaration', [
            ('state', '=', 'draft'), ('rejection_reason', '!=', None),
            ('lycee', '=', lycees['LTC'])])


def test_open_lists_exactly_the_records_that_wait(clients):
    director = clients['direction.ltc']
    task = _tasks(director)['Declarations to countersign']
    action = director('bts.todo', 'open', [task['id']])
    assert action['res_model'] == 'bts.declaration'
    domain = PYSONDecoder().decode(action['pyson_domain'])
    listed = director('bts.declaration', 'search', domain)
    assert len(listed) == task['count']
    states = director.search_read('bts.declaration', [
            ('id', 'in', listed)], ['state'])
    assert {d['state'] for d in states} == {'submitted'}


def test_tasks_are_not_changed_by_users(clients):
    director = clients['direction.ltc']
    task = _tasks(director)['Declarations to countersign']
    with pytest.raises(Exception) as error:
        director('bts.todo', 'write', [task['id']], {'domain': '[]'})
    assert getattr(error.value, 'type', None) == 'UserError'


def test_rejected_declarations_stand_apart(admin):
    "A rejected declaration is not one more draft: its own tab and flag"
    rejected = admin('bts.declaration', 'search', [('rejected', '=', True)])
    expected = admin('bts.declaration', 'search', [
            ('state', '=', 'draft'), ('rejection_reason', '!=', None)])
    assert rejected and sorted(rejected) == sorted(expected)
    others = admin('bts.declaration', 'search', [('rejected', '=', False)])
    assert not set(rejected) & set(others)
    assert len(rejected) + len(others) == admin(
        'bts.declaration', 'search_count', [])
    flags = admin.search_read('bts.declaration', [
            ('id', 'in', rejected + others)], ['rejected'])
    assert {d['id'] for d in flags if d['rejected']} == set(rejected)
    tabs = admin.search_read('ir.action.act_window.domain', [
            ('act_window.res_model', '=', 'bts.declaration')],
        ['name', 'domain'], context={'language': 'en'})
    assert {'Rejected', 'Paid'} <= {tab['name'] for tab in tabs}
