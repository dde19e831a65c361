# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""A payment run of a beneficiary with many lines: computed, posted and
corrected on every backend (SQLite checks the paid-once constraint with one
clause per line written)."""
import datetime as dt
import unittest
from decimal import Decimal

from proteus import Model
from trytond.modules.bts_programme.tests.tools import (
    add_valid_plan,
    create_academic_year,
    create_contract,
    create_lycee,
    create_provider,
)
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules

from .tools import approve, complete_party, lessons, setup_ministry

LINES = 120


class PaymentRunSizeTestCase(unittest.TestCase):
    "A run of 120 lines for one beneficiary"

    def setUp(self):
        drop_db()
        activate_modules('bts_indemnity')
        setup_ministry(2025)
        self.addCleanup(drop_db)

    def test_many_lines(self):
        lycee = create_lycee('LTC', "Lycée Technique du Centre")
        year = create_academic_year(2025)
        programme = Model.get('bts.programme')(code='CLOUD', name="Cloud")
        programme.lycees.append(Model.get('bts.lycee')(lycee.id))
        add_valid_plan(programme)
        programme.save()
        party = complete_party(create_provider("Sophie Klein", [dict(
                        title="Master", clq_level='7',
                        registration='national')]), 1)
        contract = create_contract(party, programme, year,
            [('M1.1', 'winter', LINES)], signed=dt.date(2025, 9, 20))
        contract.minister_signature_date = dt.date(2025, 9, 25)
        contract.click('activate')
        declaration = lessons(contract, dt.date(2025, 10, 1), 'M1.1', 1)
        course = declaration.lines[0].course
        for day in range(1, LINES):
            declaration.lines.new(date=dt.date(2025, 10, day % 31 + 1),
                course=course, quantity=Decimal(1))
        declaration.save()
        approve(declaration)

        Run = Model.get('bts.payment.run')
        run = Run(start_date=dt.date(2025, 10, 1),
            end_date=dt.date(2025, 10, 31), date=dt.date(2025, 11, 10))
        run.save()
        run.click('compute')
        beneficiary, = run.beneficiaries
        self.assertEqual(len(beneficiary.lines), LINES)
        # 120 lessons at 12.07 and the index 968.04: 116.84 each.
        self.assertEqual(beneficiary.amount, Decimal('14020.80'))
        run.click('post')
        self.assertEqual(run.state, 'posted')
        self.assertTrue(all(line.paid for line in run.lines))
        declaration.reload()
        self.assertEqual(declaration.state, 'paid')

        run.click('correct')
        self.assertEqual(run.state, 'corrected')
        self.assertFalse(any(line.paid for line in run.lines))
        declaration.reload()
        self.assertEqual(declaration.state, 'approved')
