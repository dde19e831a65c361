# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The sub-commands of the ``bts`` command for the indemnities:

    bts -d DATABASE import-declarations FILE --lycee CODE

imports a CSV or XLSX file of lessons into draft declarations (see
doc/import.rst), prints a summary and every refused row, commits and exits
with 0 when every row was imported, 1 when rows were refused and 2 when the
file or the lycée is unusable (nothing is changed then).

    bts -d DATABASE payment-run --period YYYY-MM [--lycee CODE] [--post]
        [--xlsx FILE] [--csv FILE] [--sepa FILE]

computes the payment run of a month (see doc/payment.rst), prints the
total per beneficiary, the blocked beneficiaries with the reason and the
grand total; with --post posts it and processes its payments (the SEPA
message), in one transaction. Exits with 0 when everything was payable, 1
when beneficiaries were blocked and 2 on error (nothing is changed then).
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


def _print_run(run):
    from trytond.i18n import gettext
    for beneficiary in run.beneficiaries:
        print('\t'.join([
                    beneficiary.party.rec_name, beneficiary.national_id or '',
                    str(beneficiary.quantity), str(beneficiary.amount),
                    beneficiary.status_string]))
        if beneficiary.status == 'blocked':
            for reason in beneficiary.reason.splitlines():
                print(f'\t{reason}')
    print(f"{gettext('bts_indemnity.msg_payroll_total')}\t{run.amount}")
    if run.blocked_amount:
        print(f"{gettext('bts_indemnity.msg_payroll_blocked')}"
            f"\t{run.blocked_amount}")


def _run(options):
    """Compute (and post) the run of the month; return it and the files to
    write"""
    from trytond.exceptions import UserError
    from trytond.i18n import gettext
    from trytond.modules.bts_indemnity.payment import month_period
    from trytond.modules.bts_indemnity.payroll import (
        payroll_csv,
        payroll_xlsx,
    )
    from trytond.pool import Pool
    pool = Pool()
    Run = pool.get('bts.payment.run')
    Lycee = pool.get('bts.lycee')
    start, end = month_period(options.period)
    lycee = None
    if options.lycee:
        lycees = Lycee.search([('code', '=', options.lycee)], limit=1)
        if not lycees:
            raise UserError(gettext(
                    'bts_indemnity.msg_import_lycee_unknown',
                    code=options.lycee))
        lycee, = lycees
    configuration = Run.configuration()
    configuration.check_complete()
    run = Run(company=configuration.company, start_date=start, end_date=end,
        lycee=lycee)
    run.save()
    Run.compute([run])
    if options.post and run.amount:
        Run.post([run])
        Run.process_payments([run])
    run = Run(run.id)
    files = {}
    if options.xlsx:
        files[options.xlsx] = payroll_xlsx(run)
    if options.csv:
        files[options.csv] = payroll_csv(run).encode('utf-8')
    if options.sepa:
        for message in run.sepa_messages:
            files[options.sepa] = message.message
    return run, files


def payment_run(options):
    "Compute, and with --post post, the payment run of a month"
    from trytond.exceptions import UserError
    from trytond.transaction import Transaction, TransactionError

    if options.sepa and not options.post:
        print("bts: --sepa needs --post: the SEPA message is written when "
            "the run's payments are processed", file=sys.stderr)
        return EXIT_ERROR
    config = _connect(options)
    extras = {}
    while True:
        with Transaction().start(config.database_name, config.user,
                context=config.context, **extras) as transaction:
            try:
                run, files = _run(options)
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            except UserError as exception:
                transaction.rollback()
                print(exception.message, file=sys.stderr)
                return EXIT_ERROR
            _print_run(run)
            blocked = run.blocked_amount > 0
            if run.state == 'posted':
                transaction.commit()
            else:
                transaction.rollback()
            break
    for path, data in files.items():
        try:
            with open(path, 'wb') as file:
                file.write(data)
        except OSError as exception:
            print(f"bts: {path}: {exception.strerror}", file=sys.stderr)
            return EXIT_ERROR
    return EXIT_REFUSED if blocked else EXIT_OK


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

    parser = subparsers.add_parser(
        'payment-run',
        help="compute and post the payment run of a month",
        description="Compute the payment run of the approved, unpaid "
        "declaration lines of a month: the total per beneficiary, the "
        "blocked beneficiaries with the reason, the grand total. With "
        "--post the run is posted (one move, one SEPA payment per "
        "beneficiary, processed) in one transaction; without, nothing is "
        "changed. Exits with 0 when every beneficiary is payable, 1 when "
        "some are blocked and 2 on error.")
    parser.add_argument(
        '--period', required=True, metavar='YYYY-MM',
        help="the month of the declarations' lines")
    parser.add_argument(
        '--lycee', metavar='CODE',
        help="only the declarations of the lycée with this code")
    parser.add_argument(
        '--post', action='store_true',
        help="post the run and process its payments")
    parser.add_argument(
        '--xlsx', metavar='FILE', help="write the payroll export (XLSX)")
    parser.add_argument(
        '--csv', metavar='FILE', help="write the payroll export (CSV)")
    parser.add_argument(
        '--sepa', metavar='FILE',
        help="write the SEPA message (pain.001), with --post")
    parser.set_defaults(func=payment_run)
