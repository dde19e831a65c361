# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The ``bts`` command: batch jobs of the BTS modules for ministry staff.

Each BTS module adds its sub-commands through the ``bts.commands`` entry
point group: a function that receives the argparse sub-parsers.
"""
import argparse
import configparser
import os
import sys
import urllib.parse
from importlib.metadata import entry_points


def database_uri(database, config_file=None, environ=os.environ):
    """The URI of database for proteus. A name alone takes the server of
    the [database] uri of the configuration file given (-c), else of
    TRYTOND_DATABASE_URI, else of $TRYTOND_CONFIG's: proteus would put the
    environment's URI before the file given and connect elsewhere,
    silently. A URI is kept; a SQLite database is a file of the
    configuration's [database] path, found by its name alone."""
    if urllib.parse.urlparse(database).scheme:
        return database
    if not config_file:
        if environ.get('TRYTOND_DATABASE_URI'):
            return database
        config_file = environ.get('TRYTOND_CONFIG')
    if not config_file:
        return database
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config_file)
    uri = urllib.parse.urlparse(
        parser.get('database', 'uri', fallback=''))
    if uri.scheme in {'', 'sqlite'}:
        return database
    return urllib.parse.urlunparse(uri._replace(path='/' + database))


def _connect(options):
    from proteus import config
    return config.set_trytond(
        database_uri(options.database, options.config),
        config_file=options.config)


def load_demo(options):
    "Load the demo data of every activated BTS module, in dependency order"
    from proteus import Model
    from trytond import config
    from trytond.modules import create_graph
    cfg = _connect(options)
    if any('totp' in m.split('+') for m in config.get(
                'session', 'authentications').split(',')):
        # A production configuration (strong authentication, art. 32 of
        # the law of 21 July 2023) never gets the demo users and their
        # published password
        sys.exit("The demo data are not loaded where a second factor is "
            "required ([session] authentications)")
    Module = Model.get('ir.module')
    activated = {m.name for m in Module.find([('state', '=', 'activated')])}
    loaders = {
        ep.name: ep for ep in entry_points(group='bts.demo')
        if ep.name in activated}
    for node in create_graph(activated):
        if node.name in loaders:
            print(f"Loading the demo data of {node.name}...")
            loaders[node.name].load()(cfg)
    print("Demo data loaded.")


def demo_commands(subparsers):
    parser = subparsers.add_parser(
        'load-demo', help="load the demo data into a database")
    parser.set_defaults(func=load_demo)


def totp_reset(options):
    """Let the users log in without the second factor until the enrolment
    deadline, to set it up (art. 32 of the law of 21 July 2023): the first
    login of the administrator of a new production database, or a user
    who lost the phone and the recovery codes"""
    from proteus import Model
    _connect(options)
    User = Model.get('res.user')
    for login in options.logins:
        user, = User.find([('login', '=', login)]) or [None]
        if not user:
            sys.exit(f"No active user {login!r}")
        user.click('totp_reset')
        print(f"{login}: may set up the second factor until "
            f"{user.totp_enrolment_deadline:%Y-%m-%d %H:%M} (UTC)")


def authentication_commands(subparsers):
    parser = subparsers.add_parser(
        'totp-reset', help="let users set up their second factor again")
    parser.add_argument('logins', nargs='+', metavar='login')
    parser.set_defaults(func=totp_reset)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='bts', description="Batch jobs of the BTS modules")
    parser.add_argument(
        '-c', '--config', default=None,
        help="the trytond configuration file (default: $TRYTOND_CONFIG)")
    parser.add_argument(
        '-d', '--database', required=True, help="the database name")
    subparsers = parser.add_subparsers(required=True, metavar='command')
    for ep in sorted(entry_points(group='bts.commands'), key=lambda e: e.name):
        ep.load()(subparsers)
    options = parser.parse_args(argv)
    return options.func(options)


if __name__ == '__main__':
    sys.exit(main())
