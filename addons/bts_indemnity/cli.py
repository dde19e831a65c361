# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The sub-commands of the ``bts`` command for the indemnities:

    bts -d DATABASE --user LOGIN import-declarations FILE --lycee CODE

imports a CSV or XLSX file of lessons into draft declarations (see
doc/import.rst), prints a summary and every refused row, commits and exits
with 0 when every row was imported, 1 when rows were refused and 2 when the
file or the lycée is unusable (nothing is changed then). On a terminal it
shows the progress, a chunk of rows at a time. The lines are created as
the user LOGIN, whom the processing log names.

    bts -d DATABASE --user LOGIN payment-run --period YYYY-MM
        [--lycee CODE] [--post | --approve-payments | --process]
        [--xlsx FILE] [--csv FILE] [--sepa FILE]

computes the payment run of a month (see doc/payment.rst): every approved,
unpaid line up to the end of the month, earlier months approved late
included; prints the months it covers, the total per beneficiary, the
blocked beneficiaries with the reason and the grand total; as the user LOGIN
takes one step of it: --post posts it (a user of the ministry's finance
group), --approve-payments approves its payments, --process processes them
into the SEPA message. Three different persons take the three steps. The
processing log names the user for the step and for the national numbers
printed. Exits with 0 when everything was payable, 1
when beneficiaries were blocked, 2 on error (nothing is changed then) and 3
when another run paid the lines meanwhile (the losing side of two posts at
once: nothing is posted). On a terminal it shows the progress, a step at
a time.
"""
import argparse
import os
import sys

from trytond.modules.bts_programme.cli import _connect

EXIT_OK, EXIT_REFUSED, EXIT_ERROR, EXIT_PAID_MEANWHILE = 0, 1, 2, 3
# The losing side of two posts at once waits, BUSY_WAIT seconds at a time,
# up to BUSY_TIMEOUT seconds for the winner's locks.
BUSY_WAIT, BUSY_TIMEOUT = 0.5, 120


def _progress(done, total):
    """Show the progress on a terminal, a line written over in place and
    ended once everything is done; nothing when the output is a file"""
    if not sys.stdout.isatty():
        return
    percent = 100 * done // total if total else 100
    print(f'\r{percent:3d} % ({done}/{total})', end='', flush=True)
    if done >= total:
        print()


def _progress_break():
    "End the line of a progress stopped by an error, on a terminal"
    if sys.stdout.isatty():
        print()


def import_declarations(options):
    "Import the lessons of a file into draft declarations of the lycée"
    from trytond.exceptions import UserError
    from trytond.i18n import gettext
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from .declaration_import import (
        MAX_FILE_BYTES,
        check_size,
        import_in_chunks,
        read_rows,
    )

    try:
        with open(options.file, 'rb') as file:
            # Never more than an import takes: check_size refuses the file
            size = os.fstat(file.fileno()).st_size
            data = file.read(MAX_FILE_BYTES + 1)
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
            check_size(size, os.path.basename(options.file))
            rows = read_rows(data, os.path.basename(options.file))
            _progress(0, len(rows))
            report = import_in_chunks(lycee, rows, progress=_progress)
        except UserError as exception:
            transaction.rollback()
            _progress_break()
            print(exception.message, file=sys.stderr)
            return EXIT_ERROR
        print(report.text())
        # Leaving the block commits.
    return EXIT_REFUSED if report.refusals else EXIT_OK


def _print_run(run):
    from trytond.i18n import gettext
    if not run.beneficiaries:
        print(gettext('bts_indemnity.msg_run_cli_nothing',
                end=run.end_date.strftime('%d/%m/%Y')))
    else:
        print(gettext('bts_indemnity.msg_run_cli_months', months=run.months))
    for beneficiary in run.beneficiaries:
        print('\t'.join([
                    beneficiary.party.rec_name, beneficiary.national_id or '',
                    str(beneficiary.quantity), str(beneficiary.amount),
                    beneficiary.status_string]))
        if beneficiary.status == 'blocked':
            for reason in beneficiary.reason.splitlines():
                print(f'\t{reason}')
    print(f"{gettext('bts_indemnity.msg_payroll_total')}\t{run.amount:.2f}")
    if run.blocked_amount:
        print(f"{gettext('bts_indemnity.msg_payroll_blocked')}"
            f"\t{run.blocked_amount}")


def _log_printed(config, parties):
    """Log that the national numbers of parties were shown to the user
    (art. 32 of the law of 21 July 2023), also when the run is only
    previewed and not kept"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(config.database_name, config.user,
            context=config.context):
        pool = Pool()
        pool.get('ir.model.log').add(
            pool.get('party.party'), 'read', parties, target='national_id')


class _PaidMeanwhile(Exception):
    "The lines the run computed were paid by another run meanwhile"


def _period(options):
    "The first and last days of the month and the lycée of the options"
    from trytond.exceptions import UserError
    from trytond.i18n import gettext
    from trytond.modules.bts_indemnity.payment import month_period
    from trytond.pool import Pool
    start, end = month_period(options.period)
    if not options.lycee:
        return start, end, None
    lycees = Pool().get('bts.lycee').search(
        [('code', '=', options.lycee)], limit=1)
    if not lycees:
        raise UserError(gettext(
                'bts_indemnity.msg_import_lycee_unknown', code=options.lycee))
    return start, end, lycees[0]


def _computed_run(options):
    "A new run of the month, computed"
    from trytond.pool import Pool
    Run = Pool().get('bts.payment.run')
    start, end, lycee = _period(options)
    configuration = Run.configuration()
    configuration.check_complete()
    run = Run(company=configuration.company, start_date=start, end_date=end,
        lycee=lycee)
    run.save()
    Run.compute([run])
    if options.post:
        _progress(1, 2)
    return run


def _preview(options, computed):
    "The run of the month, computed and not kept"
    return _computed_run(options), None


def _check_finance():
    "Refuse to post for a user outside the ministry's finance group"
    from trytond.exceptions import UserError
    from trytond.i18n import gettext
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    finance = ModelData.get_id('bts_programme', 'group_ministry_finance')
    if finance not in User.get_groups():
        raise UserError(gettext('bts_indemnity.msg_run_cli_post_finance',
                user=User(Transaction().user).login))


def _post(options, computed):
    """Post the run of the month; the lines a first attempt computed and
    another run paid meanwhile refuse it"""
    from trytond.i18n import gettext
    from trytond.pool import Pool
    from trytond.transaction import check_access
    pool = Pool()
    Run = pool.get('bts.payment.run')
    RunLine = pool.get('bts.payment.run.line')
    _check_finance()
    run = _computed_run(options)
    lines = computed.setdefault('lines', [
            line.declaration_line.id for b in run.beneficiaries
            if b.status == 'payable' for line in b.lines])
    paid = RunLine.paid_line(lines)
    if paid:
        raise _PaidMeanwhile(gettext(
                'bts_indemnity.msg_run_paid_meanwhile', run=paid.run.rec_name))
    if not run.amount:
        return run, None
    with check_access():
        Run.post([run])
    return run, gettext('bts_indemnity.msg_run_cli_posted', run=run.rec_name)


def _awaiting(options, domain, message):
    "The first posted payment run of the month whose payments await a step"
    from trytond.exceptions import UserError
    from trytond.i18n import gettext
    from trytond.pool import Pool
    Run = Pool().get('bts.payment.run')
    start, end, lycee = _period(options)
    runs = Run.search([
            ('start_date', '=', start),
            ('end_date', '=', end),
            ('lycee', '=', lycee.id if lycee else None),
            ('state', '=', 'posted'),
            ('kind', '=', 'payment'),
            ] + domain, order=[('id', 'ASC')], limit=1)
    if not runs:
        raise UserError(gettext(message, start=start, end=end))
    return runs[0]


def _approve(options, computed):
    "Approve the payments of the month's posted run"
    from trytond.i18n import gettext
    from trytond.pool import Pool
    from trytond.transaction import check_access
    Run = Pool().get('bts.payment.run')
    run = _awaiting(options, [('payments_approved_by', '=', None)],
        'bts_indemnity.msg_run_none_to_approve')
    with check_access():
        Run.approve_payments([run])
    return run, gettext(
        'bts_indemnity.msg_run_cli_approved', run=run.rec_name)


def _process(options, computed):
    "Process the approved payments of the month's posted run"
    from trytond.i18n import gettext
    from trytond.pool import Pool
    from trytond.transaction import check_access
    Run = Pool().get('bts.payment.run')
    run = _awaiting(options, [
            ('payments_approved_by', '!=', None),
            ('payment_group', '=', None),
            ], 'bts_indemnity.msg_run_none_to_process')
    with check_access():
        Run.process_payments([run])
    return run, gettext(
        'bts_indemnity.msg_run_cli_processed', run=run.rec_name)


def _files(options, run):
    "The files to write: the payroll exports and the SEPA message"
    from trytond.modules.bts_indemnity.payroll import (
        payroll_csv,
        payroll_xlsx,
    )
    files = {}
    if options.xlsx:
        files[options.xlsx] = payroll_xlsx(run)
    if options.csv:
        files[options.csv] = payroll_csv(run).encode('utf-8')
    if options.sepa:
        for message in run.sepa_messages:
            files[options.sepa] = message.message
    return files


def _step(options):
    if options.post:
        return _post
    if options.approve_payments:
        return _approve
    if options.process:
        return _process
    return _preview


def payment_run(options):
    """Preview the payment run of a month, or take one step of it as the
    user: post it, approve its payments or process them"""
    import time

    from trytond import backend
    from trytond.exceptions import UserError
    from trytond.transaction import Transaction, TransactionError

    if options.sepa and not options.process:
        print("bts: --sepa needs --process: the SEPA message is written when "
            "the run's payments are processed", file=sys.stderr)
        return EXIT_ERROR
    config = _connect(options)
    user, context = config.user, config.context
    step = _step(options)
    # Posting computes the run first: two steps.
    steps = 2 if options.post else 1
    extras, computed = {}, {}
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            with Transaction().start(config.database_name, user,
                    context=context, **extras) as transaction:
                try:
                    _progress(0, steps)
                    run, done = step(options, computed)
                    _progress(steps, steps)
                except TransactionError as error:
                    transaction.rollback()
                    error.fix(extras)
                    continue
                except _PaidMeanwhile as exception:
                    transaction.rollback()
                    _progress_break()
                    print(exception, file=sys.stderr)
                    return EXIT_PAID_MEANWHILE
                except UserError as exception:
                    transaction.rollback()
                    _progress_break()
                    print(exception.message, file=sys.stderr)
                    return EXIT_ERROR
                _print_run(run)
                printed = [b.party.id for b in run.beneficiaries]
                if done:
                    print(done)
                files = _files(options, run)
                blocked = run.blocked_amount > 0
                if done:
                    transaction.commit()
                else:
                    transaction.rollback()
                break
        except backend.DatabaseOperationalError:
            # Another session holds the lines: wait for it to end.
            if time.monotonic() > deadline:
                print("bts: the database stayed busy: try again later",
                    file=sys.stderr)
                return EXIT_ERROR
            time.sleep(BUSY_WAIT)
    _log_printed(config, printed)
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
    parser.set_defaults(func=import_declarations, needs_user=True)

    parser = subparsers.add_parser(
        'payment-run',
        help="compute the payment run of a month, post it, approve or "
        "process its payments",
        description="Compute the payment run of the approved, unpaid "
        "declaration lines of a month: the total per beneficiary, the "
        "blocked beneficiaries with the reason, the grand total; without "
        "a step nothing is changed. Three persons pay a run, each with one "
        "invocation as --user (two-person rule): finance posts it (--post: "
        "one move, one SEPA payment per beneficiary), another person of the "
        "payment approval group approves its payments (--approve-payments), "
        "the accountant processes them into the SEPA message (--process, "
        "--sepa FILE). Exits with 0 when every beneficiary is payable, 1 "
        "when some are blocked, 2 on error (nothing is changed then) and 3 "
        "when another run paid the lines meanwhile (two posts at once: "
        "nothing is posted).")
    parser.add_argument(
        '--period', required=True, metavar='YYYY-MM',
        help="the month of the declarations' lines")
    parser.add_argument(
        '--lycee', metavar='CODE',
        help="only the declarations of the lycée with this code")
    parser.add_argument(
        '--user', default=argparse.SUPPRESS, metavar='LOGIN',
        help="the user who takes the step (as bts --user LOGIN)")
    steps = parser.add_mutually_exclusive_group()
    steps.add_argument(
        '--post', action='store_true',
        help="post the run (ministry finance)")
    steps.add_argument(
        '--approve-payments', action='store_true',
        help="approve the payments of the month's posted run (payment "
        "approval group; not the person who posted it)")
    steps.add_argument(
        '--process', action='store_true',
        help="process the approved payments of the month's posted run "
        "(accountant; neither the person who posted it nor the one who "
        "approved its payments)")
    parser.add_argument(
        '--xlsx', metavar='FILE', help="write the payroll export (XLSX)")
    parser.add_argument(
        '--csv', metavar='FILE', help="write the payroll export (CSV)")
    parser.add_argument(
        '--sepa', metavar='FILE',
        help="write the SEPA message (pain.001), with --process")
    parser.set_defaults(func=payment_run, needs_user=True)
