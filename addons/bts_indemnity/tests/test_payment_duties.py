# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Three persons pay a payment run, through RPC as each would: finance
computes and posts it, another person of the payment approval group
approves its payments, the accountant processes them. Nobody takes two
steps of one run, admin (who holds every group) included, and no client
writes what the run computed."""
import datetime as dt
import unittest
from contextlib import contextmanager
from decimal import Decimal

from proteus import Model, Wizard
from proteus.config import get_config
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.bts_indemnity.exceptions import PaymentRunError
from trytond.modules.bts_programme.tests.tools import (
    create_academic_year,
    create_lycee,
)
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules

from .tools import (
    active_contract,
    approve,
    create_programme,
    lessons,
    setup_ministry,
)

# The persons of the tests and their groups: admin holds every group.
PERSONS = {
    'finances': [('bts_programme', 'group_ministry_finance')],
    'ordonnateur': [
        ('bts_programme', 'group_ministry_finance'),
        ('bts_indemnity', 'group_payment_approval')],
    'comptable': [('bts_programme', 'group_accountant')],
    }


class PaymentDutiesTestCase(unittest.TestCase):
    "The duties of a payment run, separated and enforced by the server"

    @classmethod
    def setUpClass(cls):
        drop_db()
        cls.config = activate_modules('bts_indemnity')
        cls.company = setup_ministry(2025).company
        year = create_academic_year(2025)
        programme = create_programme(
            'CLOUD', create_lycee('LTC', "Lycée Technique du Centre"))
        cls.contract = active_contract(
            "Sophie Klein", 1, programme, year, 'M1.1', 200)
        cls.users = {login: cls.create_user(login, groups)
            for login, groups in PERSONS.items()}
        cls.users['admin'] = cls.config.user
        # A run pays every approved line no posted run paid with a date up
        # to its end (late approvals included, vademecum §II.5): each test
        # takes a day before those of the tests before it, so that its run
        # pays its own declaration only, whatever they left unpaid.
        cls.days = (dt.date(2025, 10, day) for day in range(28, 0, -1))

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @classmethod
    def create_user(cls, login, groups):
        "A user of the ministry, an employee of it, with groups"
        User = Model.get('res.user')
        Group = Model.get('res.group')
        ModelData = Model.get('ir.model.data')
        Employee = Model.get('company.employee')
        Party = Model.get('party.party')
        party = Party(name=login.title())
        party.save()
        employee = Employee(party=party, company=cls.company)
        employee.save()
        user = User(login=login, name=login.title())
        for module, fs_id in groups:
            user.groups.append(Group(ModelData.get_id(
                        module, fs_id, cls.config.context)))
        user.companies.append(Model.get('company.company')(cls.company.id))
        user.company = Model.get('company.company')(cls.company.id)
        user.employees.append(employee)
        user.employee = employee
        user.save()
        return user.id

    @contextmanager
    def as_user(self, login):
        "Call the server as login, with its access rights"
        config = get_config()
        user, context = config.user, config._context
        config.user = self.users[login]
        config._context = Model.get('res.user').get_preferences(True, {})
        try:
            yield
        finally:
            config.user, config._context = user, context

    def computed_run(self, login='finances'):
        """A run computed by login of a new day with one approved
        declaration of 3 lessons"""
        day = next(self.days)
        declaration = approve(lessons(self.contract, day, 'M1.1', 3))
        with self.as_user(login):
            Run = Model.get('bts.payment.run')
            run = Run(start_date=day, end_date=day, date=day)
            run.save()
            run.click('compute')
        self.assertEqual(run.amount, declaration.amount)
        return run.id

    def click(self, login, run_id, button):
        "Click button on the run as login"
        with self.as_user(login):
            Model.get('bts.payment.run')(run_id).click(button)

    def posted_run(self, login='finances'):
        run_id = self.computed_run(login)
        self.click(login, run_id, 'post')
        return run_id

    def test_computed_money_not_written(self):
        """Finance writes 50,000 on a beneficiary and on a run line: refused,
        and the run posts what the declarations say"""
        run_id = self.computed_run()
        Run = Model.get('bts.payment.run')
        amount = Run(run_id).amount
        with self.as_user('finances'):
            Beneficiary = Model.get('bts.payment.run.beneficiary')
            RunLine = Model.get('bts.payment.run.line')
            beneficiary, = Beneficiary.find([('run', '=', run_id)])
            line, = RunLine.find([('run', '=', run_id)])
            for Model_, record in [(Beneficiary, beneficiary),
                    (RunLine, line)]:
                with self.assertRaises(AccessError):
                    Model_.write([record.id], {'amount': Decimal(50000)},
                        get_config().context)
            with self.assertRaises(AccessError):
                RunLine.create([{'run': run_id,
                            'beneficiary': beneficiary.id,
                            'declaration_line': line.declaration_line.id,
                            'kind': 'lessons', 'amount': Decimal(50000)}],
                    get_config().context)
            with self.assertRaises(AccessError):
                Beneficiary.delete([beneficiary])
        self.click('finances', run_id, 'post')
        run = Run(run_id)
        self.assertEqual(run.amount, amount)
        self.assertEqual(
            sum(line.credit for line in run.move.lines), amount)

    def test_paid_not_unset(self):
        """A paid run line is not set unpaid by any client, admin included:
        a new run of the month pays nothing again"""
        run_id = self.posted_run()
        RunLine = Model.get('bts.payment.run.line')
        line, = RunLine.find([('run', '=', run_id)])
        self.assertTrue(line.paid)
        for login in ['finances', 'comptable', 'admin']:
            with self.as_user(login), self.assertRaises(AccessError):
                Model.get('bts.payment.run.line').write(
                    [line.id], {'paid': False}, get_config().context)
        run = Model.get('bts.payment.run')(run_id)
        with self.as_user('finances'):
            Run = Model.get('bts.payment.run')
            again = Run(start_date=run.start_date, end_date=run.end_date,
                date=run.date)
            again.save()
            again.click('compute')
            self.assertEqual(again.beneficiaries, [])

    def test_payment_not_written(self):
        """The payments of a run are not written by a client, not even by
        admin who holds account_payment's groups"""
        run_id = self.posted_run()
        payment, = Model.get('bts.payment.run')(run_id).payments
        with self.as_user('admin'):
            Payment = Model.get('account.payment')
            with self.assertRaises(AccessError):
                Payment.write([payment.id], {'amount': Decimal(50000)},
                    get_config().context)
            Payment.click([Payment(payment.id)], 'draft')
            with self.assertRaises(AccessError):
                Payment.write([payment.id], {'amount': Decimal(50000)},
                    get_config().context)
            with self.assertRaises(AccessError):
                Payment.delete([Payment(payment.id)])
        payment.reload()
        self.assertEqual(payment.amount,
            Model.get('bts.payment.run')(run_id).amount)

    def test_run_workflow_not_written(self):
        "The stamps and the state of a run are not written by a client"
        run_id = self.posted_run()
        for values in [{'state': 'draft'}, {'posted_by': None},
                {'payments_approved_by': self.users['ordonnateur']}]:
            with self.as_user('finances'), self.assertRaises(AccessError):
                Model.get('bts.payment.run').write(
                    [run_id], values, get_config().context)

    def test_accountant_cannot_post(self):
        "The accountant neither creates, computes nor posts a run"
        run_id = self.computed_run()
        for button in ['compute', 'post']:
            with self.assertRaises(UserError):
                self.click('comptable', run_id, button)
        with self.as_user('comptable'), self.assertRaises(AccessError):
            Run = Model.get('bts.payment.run')
            Run(start_date=dt.date(2025, 11, 1),
                end_date=dt.date(2025, 11, 30)).save()
        self.assertEqual(Model.get('bts.payment.run')(run_id).state, 'draft')

    def test_finance_cannot_process(self):
        "Finance does not approve nor process the payments"
        run_id = self.posted_run()
        for button in ['approve_payments', 'process_payments']:
            with self.assertRaises(UserError):
                self.click('finances', run_id, button)

    def test_same_person_posts_and_approves(self):
        """Who posted a run does not approve its payments, neither from the
        run nor with account_payment's own approval"""
        run_id = self.posted_run('admin')
        with self.assertRaises(PaymentRunError) as error:
            self.click('admin', run_id, 'approve_payments')
        self.assertIn('Posted by', error.exception.message)
        self.assertIn('two-person rule', error.exception.message)
        payments = Model.get('bts.payment.run')(run_id).payments
        with self.as_user('admin'), self.assertRaises(PaymentRunError):
            Model.get('account.payment').click(
                [Model.get('account.payment')(p.id) for p in payments],
                'approve')
        self.assertEqual([p.state for p in payments], ['submitted'])

    def test_same_person_approves_and_processes(self):
        "Who approved the payments does not process them"
        run_id = self.posted_run()
        self.click('admin', run_id, 'approve_payments')
        with self.assertRaises(PaymentRunError) as error:
            self.click('admin', run_id, 'process_payments')
        self.assertIn('Payments Approved by', error.exception.message)
        self.assertFalse(Model.get('bts.payment.run')(run_id).payment_group)

    def test_account_payment_process_wizard(self):
        """account_payment's own processing of a run's payments is held to
        the same rules"""
        run_id = self.posted_run()
        self.click('admin', run_id, 'approve_payments')
        payments = Model.get('bts.payment.run')(run_id).payments
        with self.as_user('admin'), self.assertRaises(PaymentRunError):
            Wizard('account.payment.process',
                [Model.get('account.payment')(p.id) for p in payments])
        self.assertEqual([p.state for p in payments], ['approved'])

    def test_same_person_posts_and_processes(self):
        "Who posted the run does not process its payments"
        run_id = self.posted_run('admin')
        self.click('ordonnateur', run_id, 'approve_payments')
        with self.assertRaises(PaymentRunError) as error:
            self.click('admin', run_id, 'process_payments')
        self.assertIn('Posted by', error.exception.message)
        self.assertFalse(Model.get('bts.payment.run')(run_id).payment_group)

    def test_three_persons(self):
        """Posted by finance, approved by another person, processed by the
        accountant: the SEPA message only after the approval, each step
        stamped on the run"""
        run_id = self.posted_run()
        with self.assertRaises(UserError):
            self.click('comptable', run_id, 'process_payments')
        run = Model.get('bts.payment.run')(run_id)
        self.assertEqual(run.sepa_messages, [])
        self.click('ordonnateur', run_id, 'approve_payments')
        run.reload()
        payment, = run.payments
        self.assertEqual(payment.state, 'approved')
        self.assertEqual(payment.approved_by.party.name, "Ordonnateur")
        self.click('comptable', run_id, 'process_payments')
        run.reload()
        message, = run.sepa_messages
        self.assertIn(b'CstmrCdtTrfInitn', message.message)
        self.assertEqual(
            [run.posted_by.id, run.payments_approved_by.id,
                run.processed_by.id],
            [self.users[login]
                for login in ['finances', 'ordonnateur', 'comptable']])
        self.assertTrue(
            run.posted_on <= run.payments_approved_on <= run.processed_on)
        self.assertEqual(
            [p.state for p in run.payment_group.payments], ['processing'])
