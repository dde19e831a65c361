# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""``bts -c CONF -d NAME`` connects to the server of the configuration
file, not to the one of the environment nor to a SQLite file; the
``bts retention`` command is registered."""
from importlib.metadata import entry_points

import pytest

from trytond.modules.bts_programme import cli
from trytond.modules.bts_programme.cli import database_uri

SERVER = 'postgresql://bts:secret@db.example:5432/'


def _conf(tmp_path, text):
    path = tmp_path / 'trytond.conf'
    path.write_text(text)
    return str(path)


def test_name_takes_the_server_of_the_configuration(tmp_path):
    conf = _conf(tmp_path, f'[database]\nuri = {SERVER}\n')
    expected = SERVER + 'bts_prod'
    assert database_uri('bts_prod', conf, environ={}) == expected
    # The file given wins over the environment
    assert database_uri('bts_prod', conf, environ={
            'TRYTOND_DATABASE_URI': 'sqlite://'}) == expected
    # $TRYTOND_CONFIG when no file is given and no URI in the environment
    assert database_uri('bts_prod', environ={
            'TRYTOND_CONFIG': conf}) == expected


def test_left_to_proteus(tmp_path):
    conf = _conf(tmp_path, f'[database]\nuri = {SERVER}\n')
    # A URI, the environment's URI without a file given
    assert database_uri('sqlite:///x', conf, environ={}) == 'sqlite:///x'
    assert database_uri('bts_prod', environ={
            'TRYTOND_DATABASE_URI': 'sqlite://',
            'TRYTOND_CONFIG': conf}) == 'bts_prod'
    # No file, a file without URI, a SQLite file found by its name
    assert database_uri('bts_prod', None, environ={}) == 'bts_prod'
    assert database_uri('bts_prod', _conf(tmp_path, '[web]\nlisten = x\n'),
        environ={}) == 'bts_prod'
    assert database_uri('bts_prod', _conf(
            tmp_path, '[database]\nuri = sqlite://\npath = /srv/db\n'),
        environ={}) == 'bts_prod'


def test_retention_command(capsys):
    "bts retention is registered; its run and a date exclude each other"
    commands = {ep.name: ep for ep in entry_points(group='bts.commands')}
    assert commands['retention'].load() is cli.retention_commands
    with pytest.raises(SystemExit) as exit_:
        cli.main(['-d', 'db', 'retention', '--date', '2031-09-15',
                '--pseudonymise'])
    assert exit_.value.code == 2
    assert 'not allowed with argument' in capsys.readouterr().err
