# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The ``bts import-declarations`` and ``bts payment-run`` command lines,
without a database: the imports and runs themselves, with their exit codes
0, 1 and 2, run against the scenarios' databases in
scenario_declaration_import.rst and scenario_payment_run.rst, the losing
side of two posts at once (status 3) on PostgreSQL in
test_payment_run.py"""
import io
import os
import tempfile
import unittest
import unittest.mock
from contextlib import redirect_stderr, redirect_stdout
from importlib.metadata import entry_points

from trytond.modules.bts_indemnity import cli
from trytond.modules.bts_programme.cli import UnknownUser, main


class CliTestCase(unittest.TestCase):
    "Test the bts import-declarations command line"

    def test_entry_point(self):
        "The command is registered in the bts.commands group"
        commands = {
            ep.name: ep for ep in entry_points(group='bts.commands')}
        self.assertIs(commands['indemnity'].load(), cli.commands)

    def test_help(self):
        "The help names the arguments and the exit codes"
        output = io.StringIO()
        with redirect_stdout(output), self.assertRaises(SystemExit) as cm:
            main(['-d', 'db', 'import-declarations', '--help'])
        self.assertEqual(cm.exception.code, 0)
        self.assertIn('--lycee CODE', output.getvalue())
        self.assertIn('FILE', output.getvalue())

    def test_lycee_required(self):
        "Without --lycee the command stops with status 2"
        output = io.StringIO()
        with redirect_stderr(output), self.assertRaises(SystemExit) as cm:
            main(['-d', 'db', 'import-declarations', 'lessons.csv'])
        self.assertEqual(cm.exception.code, 2)
        self.assertIn('--lycee', output.getvalue())

    def test_file_missing(self):
        "A file that cannot be read gives status 2 before any connection"
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, 'missing.csv')
            output = io.StringIO()
            with redirect_stderr(output):
                status = main([
                        '-d', 'db', '--user', 'rh.ltc', 'import-declarations',
                        path, '--lycee', 'LTC'])
        self.assertEqual(status, 2)
        self.assertEqual(
            output.getvalue(),
            f"bts: {path}: No such file or directory\n")

    def test_payment_run_help(self):
        "The payment-run help names its options, steps and exit codes"
        output = io.StringIO()
        with redirect_stdout(output), self.assertRaises(SystemExit) as cm:
            main(['-d', 'db', 'payment-run', '--help'])
        self.assertEqual(cm.exception.code, 0)
        text = ' '.join(output.getvalue().split())
        for option in ['--period YYYY-MM', '--lycee CODE', '--user LOGIN',
                '--post', '--approve-payments', '--process', '--xlsx FILE',
                '--csv FILE', '--sepa FILE']:
            self.assertIn(option, text)
        self.assertIn("3 when another run paid the lines meanwhile", text)

    def test_payment_run_period_required(self):
        "Without --period the command stops with status 2"
        output = io.StringIO()
        with redirect_stderr(output), self.assertRaises(SystemExit) as cm:
            main(['-d', 'db', 'payment-run'])
        self.assertEqual(cm.exception.code, 2)
        self.assertIn('--period', output.getvalue())

    def test_payment_run_one_step(self):
        """One invocation takes one step of a run: posting, approving and
        processing are three persons' steps"""
        for steps in [['--post', '--approve-payments'],
                ['--approve-payments', '--process'],
                ['--post', '--process']]:
            output = io.StringIO()
            with redirect_stderr(output), \
                    self.assertRaises(SystemExit) as cm:
                main(['-d', 'db', 'payment-run', '--period', '2026-10',
                        *steps])
            self.assertEqual(cm.exception.code, 2)
            self.assertIn('not allowed with argument', output.getvalue())

    def test_payment_run_sepa_needs_process(self):
        """The SEPA message exists once the payments are processed: status 2
        before any connection"""
        for step in [[], ['--post']]:
            output = io.StringIO()
            with redirect_stderr(output):
                status = main(['-d', 'db', '--user', 'finance', 'payment-run',
                        '--period', '2026-10', *step, '--sepa', 'run.xml'])
            self.assertEqual(status, 2)
            self.assertIn('--sepa needs --process', output.getvalue())

    def test_user_required(self):
        """The commands that process personal data or money need the
        person's login: status 2 before any connection"""
        for args in [['import-declarations', 'lessons.csv', '--lycee', 'LTC'],
                ['payment-run', '--period', '2026-10']]:
            output = io.StringIO()
            with redirect_stderr(output), \
                    self.assertRaises(SystemExit) as cm:
                main(['-d', 'db', *args])
            self.assertEqual(cm.exception.code, 2)
            self.assertIn('needs --user LOGIN', output.getvalue())
            self.assertIn('art. 32', output.getvalue())

    def test_user_after_payment_run(self):
        "payment-run takes --user after its name too, that one first"
        def connect(options):
            raise UnknownUser(options.user)
        for args, user in [
                (['--user', 'a', 'payment-run', '--period', '2026-10'], 'a'),
                (['payment-run', '--period', '2026-10', '--user', 'b'], 'b'),
                (['--user', 'a', 'payment-run', '--period', '2026-10',
                        '--user', 'b'], 'b'),
                ]:
            output = io.StringIO()
            with unittest.mock.patch.object(cli, '_connect', connect), \
                    redirect_stderr(output):
                status = main(['-d', 'db', *args])
            self.assertEqual(status, 2)
            self.assertEqual(output.getvalue(),
                f"bts: there is no user with the login {user}\n")
