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


class UnknownUser(Exception):
    "No active user has the login of --user"


def _connect(options):
    """Connect to the database as the user of --user (admin for the demo
    data): the processing log (art. 32 of the law of 21 July 2023) names
    that person for everything the command does"""
    from proteus import config
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    login = options.user or 'admin'
    try:
        cfg = config.set_trytond(
            database_uri(options.database, options.config), user=login,
            config_file=options.config)
    except IndexError:
        raise UnknownUser(login)
    with Transaction().start(cfg.database_name, 0):
        if not Pool().get('res.user')(cfg.user).active:
            raise UnknownUser(login)
    return cfg


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


def retention(options):
    """List the persons whose personal data passed their retention on the
    date (the dry run), or pseudonymise them today, as the cron does"""
    import datetime as dt

    from trytond.pool import Pool
    from trytond.transaction import Transaction

    config = _connect(options)
    with Transaction().start(config.database_name, config.user,
            context=config.context):
        pool = Pool()
        Retention = pool.get('bts.retention')
        Party = pool.get('party.party')
        Date = pool.get('ir.date')
        sources = dict(Retention.fields_get(['source'])['source']['selection'])
        date = (dt.date.fromisoformat(options.date) if options.date
            else Date.today())
        if options.pseudonymise:
            lines = [{
                    'name': r.pseudonym, 'end_point': r.end_point,
                    'source': r.source, 'keep_until': r.keep_until,
                    } for r in Retention.pseudonymise()]
        else:
            lines = Retention.preview(date)
            names = {p.id: p.rec_name
                for p in Party.browse([line['party'] for line in lines])}
            for line in lines:
                line['name'] = names[line['party']]
        for line in lines:
            print('\t'.join([
                        line['name'], line['end_point'].isoformat(),
                        sources[line['source']],
                        line['keep_until'].isoformat(),
                        line.get('refusal') or '']))
    return 0


def retention_commands(subparsers):
    parser = subparsers.add_parser(
        'retention',
        help="list or pseudonymise the persons past their retention",
        description="Without --pseudonymise (the dry run): list the "
        "persons whose personal data passed five years beyond their end "
        "point on the date (art. 33(2) of the law of 21 July 2023): name, "
        "end point, its reason, last day kept, and why the erase refuses "
        "them, if it does; nothing is changed. With --pseudonymise: "
        "pseudonymise them today as the daily scheduled action does, and "
        "list them with their pseudonym.")
    steps = parser.add_mutually_exclusive_group()
    steps.add_argument(
        '--date', metavar='YYYY-MM-DD',
        help="the day of the dry run (default: today)")
    steps.add_argument(
        '--pseudonymise', action='store_true',
        help="pseudonymise them, today")
    parser.set_defaults(func=retention)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='bts', description="Batch jobs of the BTS modules")
    parser.add_argument(
        '-c', '--config', default=None,
        help="the trytond configuration file (default: $TRYTOND_CONFIG)")
    parser.add_argument(
        '-d', '--database', required=True, help="the database name")
    parser.add_argument(
        '-u', '--user', metavar='LOGIN',
        help="the login of the person who runs the command: the processing "
        "log names that person for every change, import and read (required "
        "by the commands that process personal data or money)")
    subparsers = parser.add_subparsers(required=True, metavar='command')
    for ep in sorted(entry_points(group='bts.commands'), key=lambda e: e.name):
        ep.load()(subparsers)
    options = parser.parse_args(argv)
    if getattr(options, 'needs_user', False) and not options.user:
        parser.error("the command needs --user LOGIN: the processing log "
            "(art. 32 of the law of 21 July 2023) names who ran it")
    try:
        return options.func(options)
    except UnknownUser as exception:
        print(f"bts: there is no user with the login {exception}",
            file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
