# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""A payment run pays every approved, unpaid line up to the end of its
period: a declaration approved after its month's run is paid by the next
one, each line once; a run with nothing to pay says so."""
import contextlib
import datetime as dt
import io
import unittest
from decimal import Decimal

from proteus import Model
from trytond.modules.bts_indemnity.cli import _print_run
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction

from .tools import approve, lessons, ministry_and_contract


class PaymentRunPeriodTestCase(unittest.TestCase):
    "The months a payment run covers"

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules('bts_indemnity')
        cls.contract = ministry_and_contract(40)
        # admin's context once the ministry is its company: runs need it
        cls.admin = (cls.config.user, cls.config._context)

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def run_of(self, month, last_day):
        Run = Model.get('bts.payment.run')
        run = Run(start_date=month, end_date=month.replace(day=last_day),
            date=month.replace(day=last_day))
        run.save()
        run.click('compute')
        return run

    def printed(self, run):
        output = io.StringIO()
        with Transaction().start(DB_NAME, 0, readonly=True), \
                contextlib.redirect_stdout(output):
            _print_run(Pool().get('bts.payment.run')(run.id))
        return output.getvalue()

    def test_late_approval_paid_next_run(self):
        "October approved after October's run is paid in November's"
        approve(lessons(self.contract, dt.date(2025, 10, 6), 'M1.1', 2))
        late = lessons(self.contract, dt.date(2025, 10, 20), 'M1.1', 3)
        late.click('submit')
        october = self.run_of(dt.date(2025, 10, 1), 31)
        self.assertEqual((october.amount, october.months),
            (Decimal('233.68'), '10/2025'))
        october.click('post')

        approve(lessons(self.contract, dt.date(2025, 11, 3), 'M1.1', 1))
        late.reload()
        for button, login in [('countersign', 'countersigner'),
                ('verify', 'verifier'), ('approve', 'approver')]:
            self.as_login(login)
            Model.get('bts.declaration')(late.id).click(button)
        self.config.user, self.config._context = self.admin
        november = self.run_of(dt.date(2025, 11, 1), 30)
        self.assertEqual((november.amount, november.months),
            (Decimal('467.36'), '10/2025, 11/2025'))
        self.assertEqual(
            sorted(line.declaration_line.date for line in november.lines),
            [dt.date(2025, 10, 20), dt.date(2025, 11, 3)])
        self.assertIn("Months covered: 10/2025, 11/2025",
            self.printed(november))

    def test_nothing_to_pay(self):
        "A run with nothing to pay says so and totals 0.00"
        run = self.run_of(dt.date(2025, 9, 15), 30)
        self.assertEqual((run.amount, list(run.beneficiaries)),
            (Decimal(0), []))
        printed = self.printed(run)
        self.assertIn(
            "Nothing to pay: no approved, unpaid line up to 30/09/2025.",
            printed)
        self.assertIn("\t0.00", printed)

    def as_login(self, login):
        User = Model.get('res.user')
        user, = User.find([('login', '=', login)])
        self.config.user = user.id
        self.config._context = User.get_preferences(True, {})
