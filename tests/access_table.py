#!/usr/bin/env python3
"""Generate doc/access.rst: who may read, create, write and delete what.

For every model of the BTS modules and the standard models they expose,
and for every BTS group (and a user with no group), the table gives the
effective permission as trytond computes it and the record rules that
narrow each permission.  It is read from a database with the BTS modules
activated, never written by hand:

    # build a fresh demo database (as bin/run-demo does, about a minute on
    # SQLite) and write doc/access.rst from it
    .venv/bin/python tests/access_table.py --write

    # from an existing database (TRYTOND_CONFIG or -c names its
    # configuration, as for trytond-admin)
    .venv/bin/python tests/access_table.py -d bts_demo [-c CONFIG] --write

    # print the table instead of writing it
    .venv/bin/python tests/access_table.py -d bts_demo

How each cell is computed, in a transaction that is rolled back: a user
holding only that group (no group for the last row) is created, and as
that user

- read, create, write, delete: ``ir.model.access.get_access`` (the
  computation of every access check: the highest permission of the access
  records of the user's groups and of the records without group, on the
  model and on the models of its ``__access__`` fields; the default when no
  record applies);
- record rules: ``ir.rule.get`` for each granted permission (the rule
  groups of the model and of its ``__access__`` models that are global,
  default or linked to the user's groups); an ``ir.model.field.access``
  restriction of the model is added to the same cell.

tests/test_access_table.py fails when doc/access.rst differs from what the
database says, and walks the table through JSON-RPC.
"""
import argparse
import json
import os
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / 'doc' / 'access.rst'
COMMAND = '.venv/bin/python tests/access_table.py --write'
BTS_MODULES = ['bts_programme', 'bts_jury', 'bts_indemnity', 'bts_student',
    'bts_oversight']
# The standard models the BTS modules expose to their users
STANDARD_MODELS = [
    'party.party', 'party.identifier', 'party.address',
    'party.contact_mechanism', 'bank.account', 'bank.account.number',
    'account.move', 'account.move.line', 'account.payment',
    'account.payment.group', 'account.payment.sepa.message',
    'ir.attachment',
    ]
# The groups of bts_programme first, in the order of DESIGN.md
GROUP_ORDER = [
    'bts_programme.group_lycee_hr',
    'bts_programme.group_lycee_director',
    'bts_programme.group_ministry_admin',
    'bts_programme.group_ministry_finance',
    'bts_programme.group_accountant',
    'bts_programme.group_auditor',
    ]
NO_GROUP = 'no group'
PERMISSIONS = ['read', 'create', 'write', 'delete']
# What a model's kind means, written under its heading
KINDS = {
    'internal': "Not callable through RPC (no ``ModelView``): clients "
    "change it only through the fields of the models that use it.",
    'read_only': "Only read through RPC: its create, write and delete are "
    "not callable (an SQL view, or figures the server keeps up to date).",
    'singleton': "A singleton: ``create`` writes its one record, and "
    "``delete`` deletes it whatever records it is given.",
    'resource': "Attached to any record (``ResourceAccessMixin``): each "
    "record also needs the permission on the record it is attached to "
    "(its ``resource``): read to read it, write to create, write or "
    "delete it.",
    }
HEADER = ['Group', 'Read', 'Create', 'Write', 'Delete', 'Record rules']


# Reading the database (runs inside trytond)

def _format_domain(value):
    "A rule domain decoded without evaluation, clauses as tuples"
    def convert(value):
        if isinstance(value, list):
            items = [convert(v) for v in value]
            if (items and isinstance(items[0], str)
                    and items[0] not in {'AND', 'OR'}):
                return tuple(items)
            return items
        return value
    return repr(convert(value))


def compute(database):
    """Return the table of the database as a dict:
    {'groups': [name], 'models': [{'model', 'name', 'module', 'rows':
    [{'group', 'read', 'create', 'write', 'delete', 'rules'}]}],
    'users': [{'login', 'groups', 'lycees'}]}"""
    from trytond.ir.resource import ResourceAccessMixin
    from trytond.ir.rule import _get_access_models
    from trytond.model import ModelSingleton, ModelSQL, ModelStorage
    from trytond.pool import Pool
    from trytond.pyson import PYSONDecoder
    from trytond.transaction import Transaction

    pool = Pool(database)
    pool.init()
    transaction = Transaction()
    with transaction.start(database, 0, context={
                'language': 'en', 'active_test': False}):
        try:
            return _compute(pool, transaction, **{
                    'get_access_models': _get_access_models,
                    'ModelStorage': ModelStorage, 'ModelSQL': ModelSQL,
                    'ModelSingleton': ModelSingleton,
                    'ResourceAccessMixin': ResourceAccessMixin,
                    'PYSONDecoder': PYSONDecoder})
        finally:
            transaction.rollback()


def _compute(pool, transaction, get_access_models, ModelStorage, ModelSQL,
        ModelSingleton, ResourceAccessMixin, PYSONDecoder):
    IrModel = pool.get('ir.model')
    ModelData = pool.get('ir.model.data')
    ModelAccess = pool.get('ir.model.access')
    FieldAccess = pool.get('ir.model.field.access')
    Rule = pool.get('ir.rule')
    Group = pool.get('res.group')
    User = pool.get('res.user')

    def kind(Model):
        if 'search_read' not in Model.__rpc__:
            return 'internal'
        if 'create' not in Model.__rpc__:
            return 'read_only'
        if issubclass(Model, ModelSingleton):
            return 'singleton'
        if issubclass(Model, ResourceAccessMixin):
            return 'resource'
        return ''

    def storable(Model, permission):
        "Whether a client may create, write or delete at all"
        return permission == 'read' or permission in Model.__rpc__

    models = []
    for record in IrModel.search(
            [('module', 'in', BTS_MODULES)],
            order=[('module', 'ASC'), ('name', 'ASC')]):
        Model = pool.get(record.name)
        if issubclass(Model, ModelStorage):
            models.append(
                (record.name, record.string, record.module, kind(Model)))
    for name in STANDARD_MODELS:
        try:
            Model = pool.get(name)
        except KeyError:
            continue
        record, = IrModel.search([('name', '=', name)])
        models.append((name, record.string, 'standard', kind(Model)))
    names = [m for m, _, _, _ in models]

    data = ModelData.search([
            ('model', '=', 'res.group'),
            ('module', 'in', BTS_MODULES),
            ])
    xml_ids = {f'{d.module}.{d.fs_id}': d.db_id for d in data}
    order = [x for x in GROUP_ORDER if x in xml_ids] + sorted(
        x for x in xml_ids if x not in GROUP_ORDER)
    groups = [(Group(xml_ids[x]).name, [xml_ids[x]]) for x in order]
    groups.append((NO_GROUP, []))

    decoder = PYSONDecoder(noeval=True)

    def describe(rule_group, model):
        "The rule group's name and domains, through __access__ if so"
        _, model2field = get_access_models(pool.get(model))
        paths = model2field.get(rule_group.model, [])
        domains = []
        for rule in sorted(rule_group.rules, key=lambda r: r.domain):
            domain = _format_domain(decoder.decode(rule.domain))
            if paths:
                domain = ' or '.join(
                    f"({path!r}, 'where', {domain})" for path in paths)
            domains.append(domain)
        text = rule_group.name
        if rule_group.global_p:
            text += " (global)"
        elif rule_group.default_p:
            text += " (default)"
        if domains:
            text += ': ' + ' or '.join(f'``{d}``' for d in domains)
        return text

    def rules(model, mode):
        clause, clause_global = Rule.get(model, mode=mode)
        parts = [describe(g, model) for g in sorted(
                clause_global, key=lambda g: (g.model, g.name))]
        if any(d == [] for d in clause.values()):
            unrestricted = [g for g, d in clause.items() if d == []]
            parts.append(
                f"{unrestricted[0].name}: every record")
        elif clause:
            parts.append(' **or** '.join(describe(g, model) for g in sorted(
                        clause, key=lambda g: (g.model, g.name))))
        return ' **and** '.join(parts)

    tables = {name: [] for name in names}
    for index, (group_name, group_ids) in enumerate(groups):
        user, = User.create([{
                    'login': f'access-table-{index}',
                    'name': f"Access table {group_name}",
                    'groups': [('add', group_ids)],
                    }])
        with transaction.set_user(user.id):
            access = ModelAccess.get_access(names)
            for name in names:
                Model = pool.get(name)
                row = {'group': group_name}
                row.update({
                        p: bool(access[name][p]) and storable(Model, p)
                        for p in PERMISSIONS})
                by_text = {}
                for mode in PERMISSIONS:
                    if row[mode]:
                        text = rules(name, mode)
                        if text:
                            by_text.setdefault(text, []).append(mode)
                cells = [f"{', '.join(modes)}: {text}"
                    for text, modes in by_text.items()]
                fields = FieldAccess.get_access([name])[name]
                for permission in ['read', 'write']:
                    refused = sorted(f for f, perms in fields.items()
                        if not perms.get(permission, True))
                    if refused:
                        cells.append(f"fields refused to {permission} "
                            "(``ir.model.field.access``): "
                            + ', '.join(f'``{f}``' for f in refused))
                row['rules'] = '; '.join(cells)
                tables[name].append(row)

    users = []
    # The users of the database but those the tests create (test.*)
    for user in User.search([
                ('login', 'not like', 'access-table-%'),
                ('login', 'not like', 'test.%'),
                ('login', '!=', 'root'),
                ], order=[('login', 'ASC')]):
        users.append({
                'login': user.login,
                'groups': sorted(g.name for g in user.groups),
                'lycees': sorted(
                    lycee.code for lycee in getattr(user, 'bts_lycees', [])),
                })
    return {
        'groups': [name for name, _ in groups],
        'models': [{
                'model': name, 'name': string, 'module': module,
                'kind': kind, 'rows': tables[name]}
            for name, string, module, kind in models],
        'users': users,
        }


# The document

def _escape(text):
    return text.replace('\n', ' ')


def render(table):
    "The reStructuredText of table"
    def paragraph(text):
        return [*textwrap.wrap(text, 72, break_on_hyphens=False), '']

    lines = [
        '.. This file is generated by tests/access_table.py from a database',
        '   with the BTS modules: do not edit it, regenerate it with',
        f'   {COMMAND}',
        '',
        'Access table',
        '============',
        '',
        *paragraph(
            "Who may read, create, write and delete the records of every "
            "model of the BTS modules and of the standard models they "
            "expose, by group, and which record rules narrow each "
            "permission.  Generated from a database by "
            "``tests/access_table.py`` (regenerate it with "
            f"``{COMMAND}``); ``tests/test_access_table.py`` fails when it "
            "differs from the database, and walks it through JSON-RPC "
            "with one user of each group, both ways (what is allowed "
            "works, what is refused is refused)."),
        *paragraph(
            "Each row is a user holding only that group: a user holding "
            "several groups gets the highest permission of each and the "
            "record rules of each, joined with *or* (the global rules "
            "always apply).  *Read*, *Create*, *Write* and *Delete* are "
            "``ir.model.access.get_access`` for that user: the access "
            "records of the group and those without group on the model "
            "and on the models of its ``__access__`` fields (a line "
            "follows the rights and rules of its parent); a model with no "
            "access record at all is open to everybody.  *Record rules* "
            "are the ``ir.rule`` groups that apply for each granted "
            "permission (a ``where`` clause is a rule of the parent "
            "reached through ``__access__``); \"every record\" means a "
            "rule group without rule lifts the non-global rules.  "
            "``lycees`` is the list of the lycées of the user (*Lycées* "
            "on the user form).  On a model only read through RPC create, "
            "write and delete are *no* whatever the access records say."),
        *paragraph(
            "The server refuses more than this table says: the workflow "
            "guards refuse changes of records past draft and of the "
            "fields only the workflow sets, and each button has its own "
            "groups (see each module's documentation)."),
        ]
    groups = table['groups']
    lines += paragraph(
        'Groups: ' + ', '.join(f'*{g}*' for g in groups) + '.')
    sections = [
        ('bts_programme', 'Programmes, contracts and the teaching body '
            '(bts_programme)'),
        ('bts_jury', 'Juries (bts_jury)'),
        ('bts_indemnity', 'Indemnities and payments (bts_indemnity)'),
        ('bts_student', 'Students (bts_student)'),
        ('bts_oversight', 'Oversight (bts_oversight)'),
        ('standard', 'Standard models'),
        ]
    for module, title in sections:
        models = [m for m in table['models'] if m['module'] == module]
        if not models:
            continue
        lines += [title, '-' * len(title), '']
        for model in models:
            heading = f"{model['name']} (``{model['model']}``)"
            lines += [heading, '~' * len(heading), '']
            if model['kind']:
                lines += paragraph(KINDS[model['kind']])
            lines += [
                '.. list-table::',
                '   :header-rows: 1',
                '   :widths: 20 6 6 6 6 56',
                '',
                ]
            lines.append(f'   * - {HEADER[0]}')
            lines += [f'     - {h}' for h in HEADER[1:]]
            for row in model['rows']:
                lines.append(f"   * - {row['group']}")
                lines += [f"     - {'yes' if row[p] else 'no'}"
                    for p in PERMISSIONS]
                lines.append(f"     - {_escape(row['rules']) or '—'}")
            lines.append('')
    title = 'Demo users'
    lines += [
        title, '-' * len(title), '',
        *paragraph("The users of ``bts load-demo`` and their groups (the "
            "rows of their groups above add up)."),
        '.. list-table::',
        '   :header-rows: 1',
        '',
        '   * - Login',
        '     - Groups',
        '     - Lycées',
        ]
    for user in table['users']:
        lines += [
            f"   * - ``{user['login']}``",
            f"     - {', '.join(user['groups']) or '—'}",
            f"     - {', '.join(user['lycees']) or '—'}",
            ]
    lines.append('')
    return '\n'.join(lines)


_MODEL_HEADING = re.compile(r'^.* \(``(?P<model>[^`]+)``\)$')


def parse(text):
    """The rows of the document text:
    {model: {group: {'read', 'create', 'write', 'delete', 'rules'}}}
    and {model: kind}"""
    result = {}
    kinds = {}
    texts = {text.split(':')[0]: kind for kind, text in KINDS.items()}
    model = None
    row = None
    cells = []

    def flush():
        if model is not None and cells and cells[0] != HEADER[0]:
            group, *perms, rules = cells
            result[model][group] = {
                **{p: v == 'yes' for p, v in zip(
                        PERMISSIONS, perms, strict=True)},
                'rules': '' if rules == '—' else rules,
                }

    text_lines = text.splitlines()
    for index, line in enumerate(text_lines):
        underline = (text_lines[index + 1]
            if index + 1 < len(text_lines) else '')
        if ((match := _MODEL_HEADING.match(line))
                and underline == '~' * len(line)):
            flush()
            cells = []
            model = match['model']
            result[model] = {}
        elif line.startswith('   * - '):
            flush()
            row = line[len('   * - '):]
            cells = [row]
        elif line.startswith('     - ') and cells:
            cells.append(line[len('     - '):])
        elif not line.strip() and cells:
            flush()
            cells = []
        elif line and not line.startswith(' '):
            flush()
            cells = []
            if line.startswith('Demo users'):
                model = None
            elif model is not None and line.split(':')[0] in texts:
                kinds[model] = texts[line.split(':')[0]]
    flush()
    return result, kinds


# The command

def _demo_database():
    "Build a fresh demo database in a temporary folder"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import demo_server
    demo = demo_server.DemoDatabase()
    print(f"Building a demo database in {demo.folder}...", file=sys.stderr)
    return demo.build()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-d', '--database',
        help="an existing database (default: build a fresh demo database)")
    parser.add_argument('-c', '--config',
        help="its trytond configuration file (default: $TRYTOND_CONFIG)")
    parser.add_argument('--write', action='store_true',
        help=f"write {DOCUMENT.relative_to(ROOT)} instead of printing it")
    parser.add_argument('--json', action='store_true',
        help="print the table as JSON")
    options = parser.parse_args(argv)

    if options.database is None:
        demo = _demo_database()
        try:
            output = demo.python(
                Path(__file__), '-d', demo.name,
                *(['--json'] if options.json else []), timeout=600)
        finally:
            demo.drop()
    else:
        if options.config:
            os.environ['TRYTOND_CONFIG'] = options.config
        from trytond import config as config_module
        config_module.update_etc(os.environ.get('TRYTOND_CONFIG'))
        table = compute(options.database)
        output = (json.dumps(table, indent=1, ensure_ascii=False)
            if options.json else render(table))
    if options.write:
        DOCUMENT.parent.mkdir(exist_ok=True)
        DOCUMENT.write_text(output)
        print(f"{DOCUMENT.relative_to(ROOT)} written", file=sys.stderr)
    else:
        sys.stdout.write(output)


if __name__ == '__main__':
    sys.exit(main())
