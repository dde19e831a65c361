"""doc/access.rst says what the database says, and the server does it.

``test_access_table_is_up_to_date`` regenerates the table from the demo
database of the session (tests/access_table.py) and fails, with the diff
and the command that regenerates it, when doc/access.rst differs.

``test_access_table_walk`` walks the table (as generated from the
database: equal to doc/access.rst when the first test passes) through
JSON-RPC, one group at a time, as a user holding only that group (the
demo user of the group when one holds exactly that group: rh.ltc,
direction.ltc, ministere.admin, auditeur; otherwise a user
``test.access.*`` created with that group, the lycée LTC for a lycée group
and the ministry's company), both ways: every permission the table grants
works, every permission it refuses is refused with trytond's access error
(a UserError, never an internal error).  Each
check is a real call:

- read: ``search_read([], limit=5)``; for a model whose read rule follows
  the user's lycées, ``read`` of a record of another lycée (found by the
  admin) is refused too;
- write: ``write([id], {})`` on the records the user reads until one
  passes (an empty write goes through the model access, the guards of the
  model and the write record rules without changing anything; a record
  that the workflow guards refuse is only noted); refused:
  ``write([id] or [], {})``; a record of another lycée is refused;
- create: ``create([])``: the model access of creation, checked before
  anything else (a real record needs data of its own per model; the create
  rules on real records, e.g. a declaration on another lycée's contract,
  are attacks of test_attacks.py);
- delete: ``delete([])`` (model access); a record of another lycée is
  refused (``delete([id])``: the rules and guards).
"""
import difflib
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import access_table  # noqa: E402
from demo_server import DEMO_PASSWORD, RPCError  # noqa: E402

DOCUMENT = access_table.DOCUMENT
# The demo users tried first for each group, LTC for the lycée groups.
PREFERRED_USERS = [
    'rh.ltc', 'direction.ltc', 'ministere.admin', 'ministere.finances',
    'comptable', 'auditeur']
LYCEE = 'LTC'
# Records read by the admin per model, to find another lycée's
ADMIN_LIMIT = 80
DENIED = 'You are not allowed to'
# The records the demo attaches files to
RESOURCE_MODEL = 'bts.qualification'


def _document():
    try:
        return DOCUMENT.read_text()
    except FileNotFoundError:
        return ''


def _table():
    return access_table.parse(_document())[0]


def _groups():
    table = _table()
    groups = []
    for rows in table.values():
        for group in rows:
            if group not in groups:
                groups.append(group)
    return groups or [access_table.NO_GROUP]


@pytest.fixture(scope='module')
def generated(demo_server):
    "The table that tests/access_table.py makes of the session's database"
    return demo_server.python(
        Path(access_table.__file__), '-d', demo_server.name, timeout=600)


def test_access_table_is_up_to_date(generated):
    "doc/access.rst is what tests/access_table.py says of the database"
    current = _document()
    if generated != current:
        diff = ''.join(list(difflib.unified_diff(
                    current.splitlines(True), generated.splitlines(True),
                    'doc/access.rst', 'database'))[:200])
        pytest.fail(
            "doc/access.rst differs from the database; regenerate it with\n"
            f"    {access_table.COMMAND}\n{diff}", pytrace=False)


class Walker:
    "The users of the walk and the records the admin reads"

    def __init__(self, server, admin):
        self.server = server
        self.admin = admin
        self._admin_ids = {}
        self._users = None
        groups = admin.search_read(
            'res.group', [], ['name'], context={'language': 'en'})
        self.group_ids = {g['name']: g['id'] for g in groups}
        lycee, = admin.search_read(
            'bts.lycee', [('code', '=', LYCEE)], ['id'])
        self.lycee = lycee['id']
        admin_user, = admin('res.user', 'read', [admin.user_id],
            ['companies', 'company'])
        self.companies = admin_user['companies']
        self.company = admin_user['company']

    def user_of(self, group):
        "The login of a user holding exactly group (created if none)"
        if self._users is None:
            users = self.admin.search_read(
                'res.user', [('login', '!=', 'admin')],
                ['login', 'groups'])
            self._users = {u['login']: set(u['groups']) for u in users}
        wanted = {self.group_ids[group]} if group in self.group_ids else set()
        if group != access_table.NO_GROUP and not wanted:
            raise LookupError(f"no group named {group!r}")
        logins = PREFERRED_USERS + sorted(self._users)
        for login in logins:
            if (not login.startswith('test.')
                    and self._users.get(login) == wanted and wanted):
                return login
        login = 'test.access.' + ''.join(
            c if c.isalnum() else '_' for c in group.lower())
        if login not in self._users:
            lycee_group = 'Lycée' in group
            values = {
                'login': login,
                'name': f"Access table walk: {group}",
                'password': DEMO_PASSWORD,
                'groups': [('add', sorted(wanted))],
                'companies': [('add', self.companies)],
                'company': self.company,
                }
            if lycee_group:
                values['bts_lycees'] = [('add', [self.lycee])]
            self.admin('res.user', 'create', [values])
            self._users[login] = wanted
        return login

    def admin_ids(self, model):
        if model not in self._admin_ids:
            self._admin_ids[model] = [r['id'] for r in self.admin.search_read(
                    model, [], ['id'], limit=ADMIN_LIMIT)]
        return self._admin_ids[model]


@pytest.fixture(scope='module')
def walker(demo_server, admin):
    return Walker(demo_server, admin)


def _call(client, model, method, *args):
    "Return (result, None) or (None, RPCError)"
    try:
        return client(model, method, *args), None
    except RPCError as error:
        return None, error


def _is_denied(error):
    return (error is not None and error.type == 'UserError'
        and error.message.startswith(DENIED))


def _describe(error):
    if error is None:
        return "allowed"
    if error.type == 'internal':
        return f"internal error {error.message!r} (traceback sent)"
    return f"{error.type} {error.message!r}"


def _walk_model(client, walker, table, group, model, kind, lycee_narrowed):
    "Return the mismatches of the model's row, as lines of text"
    row = table[model][group]
    problems = []
    notes = []

    def expect(permission, allowed, error, what):
        if allowed and error is not None:
            problems.append(
                f"{model}: {permission} allowed by the table, but {what} "
                f"answered {_describe(error)}")
        elif not allowed and not (_is_denied(error) or (
                    # Only read: its other methods are not callable
                    # (HTTP 403, no internal error).
                    kind == 'read_only' and permission != 'read'
                    and error is not None and error.http_status == 403)):
            problems.append(
                f"{model}: {permission} refused by the table, but {what} "
                f"answered {_describe(error)}")

    if kind == 'internal':
        # Not callable through RPC at all: the server answers 403.
        for method, args in [
                ('search_read', ([], 0, 1, None, ['id'])),
                ('create', ([],)), ('write', ([], {})), ('delete', ([],))]:
            _, error = _call(client, model, method, *args)
            if error is None or error.http_status != 403:
                problems.append(f"{model}: not callable through RPC by "
                    f"the table, but {method} answered {_describe(error)}")
        return problems, notes

    # read
    domain = []
    if kind == 'resource':
        # Attachments: those of the qualifications (the demo's), which need
        # the permission on the qualification too
        domain = [('resource', 'like', f'{RESOURCE_MODEL},%')]
        resource = table[RESOURCE_MODEL][group]
        row = dict(row, read=row['read'] and resource['read'])
    records, error = _call(
        client, model, 'search_read', domain, 0, 5, None, ['id'])
    expect('read', row['read'], error, "search_read")
    ids = [r['id'] for r in records or []]

    # create: the model access of creation (a singleton's create writes
    # its record: nothing more to check than write)
    if kind != 'singleton':
        _, error = _call(client, model, 'create', [])
        expect('create', row['create'], error, "create([])")

    # write
    if kind == 'resource' and ids:
        # The record needs write on its resource too
        _, error = _call(client, model, 'write', ids[:1], {})
        expect('write', row['write'] and resource['write'], error,
            f"write({ids[:1]}, {{}}) of a {RESOURCE_MODEL}'s")
        ids = []
    if row['write']:
        errors = []
        for record_id in ids:
            _, error = _call(client, model, 'write', [record_id], {})
            if error is None:
                break
            errors.append(error)
        else:
            _, error = _call(client, model, 'write', [], {})
            expect('write', True, error, "write([], {})")
            rule_errors = [e for e in errors if _is_denied(e)]
            # Every record read is writable when the write rules are those
            # of read or none
            write_rule = _rule_of(row, 'write')
            same_rule = (not write_rule or 'every record' in write_rule
                or _domains(write_rule) == _domains(_rule_of(row, 'read')))
            if rule_errors and same_rule and len(rule_errors) == len(errors):
                expect('write', True, rule_errors[0],
                    f"write([{ids[0]}], {{}}) on a record it reads")
            elif errors:
                notes.append(
                    f"{model}: no record of {ids} written with {{}}: "
                    f"{_describe(errors[0])}")
    else:
        _, error = _call(client, model, 'write', ids[:1], {})
        expect('write', False, error, f"write({ids[:1]}, {{}})")

    # delete: the model access of deletion (a singleton's delete([]) would
    # delete its record: only a refusal is tried)
    if kind != 'singleton' or not row['delete']:
        _, error = _call(client, model, 'delete', [])
        expect('delete', row['delete'], error, "delete([])")

    # Another lycée's record
    if lycee_narrowed and row['read']:
        others = walker.admin_ids(model)
        if others:
            visible, error = _call(client, model, 'search_read',
                [('id', 'in', others)], 0, None, None, ['id'])
            visible = {r['id'] for r in visible or []}
            hidden = [i for i in others if i not in visible]
            if not hidden:
                notes.append(f"{model}: no record of another lycée found")
            else:
                other = hidden[:1]
                _, error = _call(client, model, 'read', other, ['id'])
                expect('read', False, error,
                    f"read({other}) of another lycée's record")
                if row['write']:
                    _, error = _call(client, model, 'write', other, {})
                    expect('write', False, error,
                        f"write({other}, {{}}) of another lycée's record")
                if row['delete']:
                    _, error = _call(client, model, 'delete', other)
                    expect('delete', False, error,
                        f"delete({other}) of another lycée's record")
    return problems, notes


def _domains(rule):
    "The domains of a rule text"
    return sorted(re.findall(r'``(.*?)``', rule))


def _rule_of(row, permission):
    "The rule text of permission in the row's cell"
    for part in row['rules'].split('; '):
        modes, _, text = part.partition(': ')
        if permission in modes.split(', '):
            return text
    return ''


@pytest.mark.parametrize('group', _groups())
def test_access_table_walk(demo_server, generated, walker, group):
    """The table of the group through JSON-RPC: allowed works, refused is
    not.  The table walked is the one generated from the database, which
    test_access_table_is_up_to_date compares with doc/access.rst: a drift
    fails that test, a server that does not do what the table says fails
    this one."""
    table, kinds = access_table.parse(generated)
    if not any(group in rows for rows in table.values()):
        pytest.fail(f"the database has no group {group!r}: regenerate "
            f"{DOCUMENT.name} with\n    {access_table.COMMAND}",
            pytrace=False)
    login = walker.user_of(group)
    client = demo_server.client(login)
    problems, notes = [], []
    for model, rows in table.items():
        row = rows.get(group)
        if row is None:
            problems.append(f"{model}: no row for {group}")
            continue
        lycee_narrowed = "Eval('lycees'" in _rule_of(row, 'read')
        model_problems, model_notes = _walk_model(
            client, walker, table, group, model, kinds.get(model, ''),
            lycee_narrowed)
        problems += model_problems
        notes += model_notes
    for note in notes:
        print(f"{group} ({login}): {note}")
    assert not problems, f"{group} as {login}:\n" + '\n'.join(problems)
