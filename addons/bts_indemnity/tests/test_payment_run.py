# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Payment runs on PostgreSQL: two runs posting the same lines at once pay
them once, two ``bts payment-run --post`` at once post once and the other
says which run paid, and a post killed half-way leaves nothing behind."""
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
import unittest

from proteus import Model
from trytond import backend
from trytond.model.modelsql import SQLConstraintError
from trytond.modules.bts_programme.tests.tools import race
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction

from .tools import approve, lessons, ministry_and_contract

# The post of a run in its own process, restarted with the records locked
# as trytond's dispatcher does, committed at the end.
POST = textwrap.dedent('''\
    import sys
    from trytond.tests.test_tryton import DB_NAME
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    Pool(DB_NAME).init()
    extras = {}
    while True:
        with Transaction().start(DB_NAME, 0, **extras) as transaction:
            Run = Pool().get('bts.payment.run')
            try:
                Run.post([Run(int(sys.argv[1]))])
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
            break
    ''')


@unittest.skipUnless(
    backend.name == 'postgresql', "locking is proven on PostgreSQL")
class PaymentRunPostgreSQLTestCase(unittest.TestCase):
    "Posting payment runs under concurrency and failure"

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules('bts_indemnity')
        cls.contract = ministry_and_contract(40)

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def setUp(self):
        "An approved declaration of 3 lessons in a new month"
        Declaration = Model.get('bts.declaration')
        count = len(Declaration.find([]))
        month = (dt.date(2025, 10, 1)
            + dt.timedelta(days=31 * count)).replace(day=6)
        self.declaration = approve(lessons(self.contract, month, 'M1.1', 3))
        self.month = month

    def run_for_month(self):
        Run = Model.get('bts.payment.run')
        run = Run(start_date=self.month.replace(day=1),
            end_date=self.month.replace(day=28), date=self.month)
        run.save()
        run.click('compute')
        self.assertEqual(run.amount, self.declaration.amount)
        return run

    def counts(self, run):
        Move = Model.get('account.move')
        Payment = Model.get('account.payment')
        RunLine = Model.get('bts.payment.run.line')
        return {
            'moves': len(Move.find([
                        ('origin', '=', f'bts.payment.run,{run.id}')])),
            'payments': len(Payment.find([
                        ('origin.run', '=', run.id,
                            'bts.payment.run.beneficiary')])),
            'paid lines': len(RunLine.find([
                        ('paid', '=', True),
                        ('declaration_line.declaration', '=',
                            self.declaration.id)])),
            'declaration': Model.get('bts.declaration')(
                self.declaration.id).state,
            'run': Model.get('bts.payment.run')(run.id).state,
            }

    def test_concurrent_posts(self):
        "Two runs posting the same lines at once: exactly one pays them"
        first, second = self.run_for_month(), self.run_for_month()
        outcome = race('bts.payment.run', 'post', [first.id, second.id])
        self.assertEqual(outcome[first.id], 'done')
        self.assertIn("is already paid by the run", outcome[second.id])
        self.assertEqual(self.counts(first), {
                'moves': 1, 'payments': 1, 'paid lines': 1,
                'declaration': 'paid', 'run': 'posted'})
        self.assertEqual(self.counts(second)['run'], 'draft')
        self.assertEqual(self.counts(second)['moves'], 0)

    def test_concurrent_cli_posts(self):
        """Two ``bts payment-run --post`` of the month at once, both having
        computed the run: one posts, the other exits with 3 naming the run
        that paid the lines, without a traceback"""
        database = backend.Database(DB_NAME).connect()
        locker = database.get_connection()
        observer = database.get_connection(autocommit=True)
        try:
            # Both compute; neither posts until the line is released.
            line, = self.declaration.lines
            locker.cursor().execute(
                'SELECT 1 FROM bts_declaration_line WHERE id = %s '
                'FOR NO KEY UPDATE', (line.id,))
            computed = self.run_lines_computed(observer)
            command = [sys.executable, '-m',
                'trytond.modules.bts_programme.cli', '-d', DB_NAME,
                '--user', 'admin', 'payment-run',
                '--period', self.month.strftime('%Y-%m'), '--post']
            processes = [subprocess.Popen(command, env=os.environ,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
            self.wait_computed(observer, computed + 2, processes)
            locker.rollback()
            outputs = [p.communicate(timeout=300) for p in processes]
        finally:
            database.put_connection(locker)
            database.put_connection(observer)
        errors = {p.returncode: error
            for p, (_, error) in zip(processes, outputs, strict=True)}
        self.assertEqual(sorted(errors), [0, 3], outputs)
        Run = Model.get('bts.payment.run')
        run, = Run.find([
                ('start_date', '=', self.month.replace(day=1)),
                ('state', '=', 'posted')])
        self.assertEqual(errors[0], '')
        self.assertEqual(errors[3].strip(),
            'Nothing was posted: the lines of the period were paid meanwhile '
            f'by the payment run "{run.number}". Run the command again to '
            'see what is left to pay.')
        self.assertEqual(self.counts(run), {
                'moves': 1, 'payments': 1, 'paid lines': 1,
                'declaration': 'paid', 'run': 'posted'})

    @staticmethod
    def run_lines_computed(observer):
        "The number of run lines computed so far, rolled back or not"
        cursor = observer.cursor()
        cursor.execute(
            'SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END '
            'FROM bts_payment_run_line_id_seq')
        return cursor.fetchone()[0]

    def wait_computed(self, observer, count, processes, timeout=120):
        "Wait until the processes computed count run lines in all"
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.run_lines_computed(observer) >= count:
                return
            if any(p.poll() is not None for p in processes):
                break
            time.sleep(0.2)
        self.fail("the commands did not both compute the run")

    def test_paid_once_constraint(self):
        """Without the lock, the database refuses a second paid link of a
        declaration line (the partial unique constraint)"""
        first, second = self.run_for_month(), self.run_for_month()
        first.click('post')
        with Transaction().start(DB_NAME, 0) as transaction:
            RunLine = Pool().get('bts.payment.run.line')
            line, = RunLine.search([('run', '=', second.id)])
            with self.assertRaises(SQLConstraintError) as error:
                RunLine.write([line], {'paid': True})
            transaction.rollback()
        self.assertIn("paid by one posted payment run at most",
            error.exception.message)

    def test_killed_post(self):
        """A post killed while it waits inside (the payments table locked by
        another transaction, after the move is posted and the lines marked)
        leaves no move, no paid line, no payment"""
        run = self.run_for_month()
        database = backend.Database(DB_NAME).connect()
        locker = database.get_connection()
        observer = database.get_connection(autocommit=True)
        try:
            locker.cursor().execute(
                'LOCK TABLE account_payment IN EXCLUSIVE MODE')
            process = subprocess.Popen(
                [sys.executable, '-c', POST, str(run.id)], env=os.environ)
            waiting = self.wait_blocked(observer, process)
            self.assertTrue(waiting, "the post never reached the payments")
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            locker.rollback()
            self.wait_gone(observer, waiting)
        finally:
            database.put_connection(locker)
            database.put_connection(observer)
        self.assertEqual(self.counts(run), {
                'moves': 0, 'payments': 0, 'paid lines': 0,
                'declaration': 'approved', 'run': 'draft'})
        run.click('post')
        self.assertEqual(self.counts(run), {
                'moves': 1, 'payments': 1, 'paid lines': 1,
                'declaration': 'paid', 'run': 'posted'})

    @staticmethod
    def wait_blocked(observer, process, timeout=120):
        "Return the backends waiting on the payments lock"
        cursor = observer.cursor()
        end = time.monotonic() + timeout
        while time.monotonic() < end and process.poll() is None:
            cursor.execute(
                "SELECT a.pid FROM pg_stat_activity a "
                "JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted "
                "WHERE a.datname = %s AND l.relation = "
                "'account_payment'::regclass", (DB_NAME,))
            pids = [pid for pid, in cursor]
            if pids:
                return pids
            time.sleep(0.2)
        return []

    @staticmethod
    def wait_gone(observer, pids, timeout=60):
        "Wait until the killed client's backends ended (rolled back)"
        cursor = observer.cursor()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
                (pids,))
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.2)
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid = ANY(%s)", (pids,))

