# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The sub-commands of the ``bts`` command for the indemnities:

    bts -d DATABASE import-declarations FILE --lycee CODE

imports a CSV or XLSX file of lessons into draft declarations (see
doc/import.rst), prints a summary and every refused row, commits and exits
with 0 when every row was imported, 1 when rows were refused and 2 when the
file or the lycée is unusable (nothing is changed then).
"""
import os
import sys

from trytond.modules.bts_programme.cli import _connect

EXIT_OK, EXIT_REFUSED, EXIT_ERROR = 0, 1, 2


def import_declarations(options):
    "Import the lessons of a file into draft declarations of the lycée"
    from trytond.exceptions import UserError
    from trytond.i18n import gettext
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from .declaration_import import DeclarationImporter

    try:
        with open(options.file, 'rb') as file:
            data = file.read()
    except OSError as exception:
        print(f"bts: {options.file}: {exception.strerror}", file=sys.stderr)
        return EXIT_ERROR
    config = _connect(options)
    with Transaction().start(config.database_name, config.user,
            context=config.context) as transaction:
        Lycee = Pool().get('bts.lycee')
        lycees = Lycee.search([('code', '=', options.lycee)], limit=1)
        if not lycees:
            print(gettext('bts_indemnity.msg_import_lycee_unknown',
                    code=options.lycee), file=sys.stderr)
            return EXIT_ERROR
        lycee, = lycees
        try:
            report = DeclarationImporter(lycee).import_file(
                data, os.path.basename(options.file))
        except UserError as exception:
            transaction.rollback()
            print(exception.message, file=sys.stderr)
            return EXIT_ERROR
        print(report.text())
        # Leaving the block commits.
    return EXIT_REFUSED if report.refusals else EXIT_OK


def commands(subparsers):
    parser = subparsers.add_parser(
        'import-declarations',
        help="import lessons from a CSV or XLSX file into draft declarations",
        description="Import the lessons of a CSV or XLSX file (columns "
        "national_id, programme, date, course, lessons) into draft "
        "declarations of the lycée. Exits with 0 when every row is "
        "imported, 1 when rows are refused and 2 when the file cannot be "
        "imported.")
    parser.add_argument('file', metavar='FILE', help="the CSV or XLSX file")
    parser.add_argument(
        '--lycee', required=True, metavar='CODE',
        help="the code of the lycée that declares the lessons")
    parser.set_defaults(func=import_declarations)
