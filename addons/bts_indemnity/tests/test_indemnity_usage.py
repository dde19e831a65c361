# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""What the ministry reads in the graphs of the indemnities: the approved,
unpaid and the paid amounts per month, lycée and programme, equal to the
amounts of the declaration lines, and each programme's cost against its
budget, computed for all the budgets of a list at once."""
import datetime as dt
import unittest
from decimal import Decimal

from proteus import Model
from trytond.modules.bts_programme.tests.tools import create_lycee
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction

from .tools import (
    active_contract,
    approve,
    create_programme,
    lessons,
    ministry_and_contract,
    step_user,
)


class IndemnityUsageTestCase(unittest.TestCase):
    "Indemnities per month and lycée, programme budgets"

    @classmethod
    def setUpClass(cls):
        """CLOUD at the LTC: October approved and paid, November approved;
        GAME at the LAM: October approved, unpaid; a draft stays out"""
        cls.config = activate_modules('bts_indemnity')
        cloud = ministry_and_contract(40)
        year = cloud.academic_year
        game = active_contract("Zoë Müller-Weiß", 2, create_programme(
                'GAME', create_lycee('LAM', "Lycée des Arts et Métiers")),
            year, 'M1.1', 40)
        cls.october = [
            approve(lessons(cloud, dt.date(2025, 10, 6), 'M1.1', 12)),
            approve(lessons(cloud, dt.date(2025, 10, 20), 'M1.1', 8)),
            ]
        run = Model.get('bts.payment.run')(start_date=dt.date(2025, 10, 1),
            end_date=dt.date(2025, 10, 31), date=dt.date(2025, 10, 31))
        run.save()
        run.click('compute')
        run.click('post')
        cls.november = approve(
            lessons(cloud, dt.date(2025, 11, 3), 'M1.1', 2))
        cls.game = approve(lessons(game, dt.date(2025, 10, 7), 'M1.1', 10))
        lessons(game, dt.date(2025, 10, 14), 'M1.1', 3)
        Budget = Model.get('bts.programme.budget')
        cls.budgets = []
        for contract in [cloud, game]:
            budget = Budget(programme=contract.programme, academic_year=year,
                amount=Decimal('5000.00'))
            budget.save()
            cls.budgets.append(budget)
        cls.lycees = {c.lycee.code: c.lycee for c in [cloud, game]}

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def amount(self, *declarations):
        "The sum of the amounts of the declarations' lines"
        return sum((line.amount for d in declarations for line in d.lines),
            Decimal(0))

    def monthly(self):
        "The rows of the view: (month, lycée, programme, approved, paid)"
        Monthly = Model.get('bts.indemnity.monthly')
        return [(m.month, m.lycee.code, m.programme.code, m.approved, m.paid)
            for m in Monthly.find([],
                order=[('month', 'ASC'), ('lycee.code', 'ASC')])]

    def test_monthly(self):
        "Approved and paid amounts per month and lycée, those of the lines"
        for declaration in self.october:
            declaration.reload()
            self.assertEqual(declaration.state, 'paid')
        self.assertEqual(self.monthly(), [
                (dt.date(2025, 10, 1), 'LAM', 'GAME',
                    self.amount(self.game), Decimal(0)),
                (dt.date(2025, 10, 1), 'LTC', 'CLOUD',
                    Decimal(0), self.amount(*self.october)),
                (dt.date(2025, 11, 1), 'LTC', 'CLOUD',
                    self.amount(self.november), Decimal(0)),
                ])
        self.assertEqual(self.amount(*self.october), Decimal('2336.80'))
        self.assertEqual(self.amount(self.game), Decimal('1168.40'))

    def test_monthly_own_lycee(self):
        "Lycée HR reads the rows of its own lycée only"
        User = Model.get('res.user')
        admin = (self.config.user, self.config._context)
        user = step_user('rh.lam', [('bts_programme', 'group_lycee_hr')],
            self.lycees['LAM'])
        self.config.user = user.id
        self.config._context = User.get_preferences(True, {})
        try:
            self.assertEqual([row[1:3] for row in self.monthly()],
                [('LAM', 'GAME')])
        finally:
            self.config.user, self.config._context = admin

    def test_budget_cost(self):
        """The paid, approved and remaining amounts of two budgets in one
        call of get_cost"""
        paid = self.amount(*self.october)
        approved = {'CLOUD': self.amount(self.november),
            'GAME': self.amount(self.game)}
        with Transaction().start(DB_NAME, 0, readonly=True):
            Budget = Pool().get('bts.programme.budget')
            budgets = Budget.browse([b.id for b in self.budgets])
            cost = Budget.get_cost(budgets, ['paid', 'approved', 'remaining'])
            self.assertEqual(
                {b.programme.code: (cost['paid'][b.id],
                        cost['approved'][b.id], cost['remaining'][b.id])
                    for b in budgets}, {
                    'CLOUD': (paid, approved['CLOUD'],
                        Decimal('5000.00') - paid - approved['CLOUD']),
                    'GAME': (Decimal(0), approved['GAME'],
                        Decimal('5000.00') - approved['GAME']),
                    })
