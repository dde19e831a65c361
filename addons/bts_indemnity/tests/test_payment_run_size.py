# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""A payment run of a beneficiary with many lines: computed, posted and
corrected on every backend (SQLite checks the paid-once constraint with one
clause per line written).

120 lines: written at once, more than about 86 run lines overflow SQLite's
parser stack ("parser stack overflow", measured with SQLite 3.40: 90 lines
fail, 80 pass), so the run proves that it writes them in slices
(RunLine.mark_paid).  The lines of the declaration are created in one
batch: added one by one to the declaration's form, each recomputed the
whole declaration (5 minutes for 120 lines instead of 7 seconds)."""
import datetime as dt
import unittest
from decimal import Decimal

from proteus import Model
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

LINES = 120


class PaymentRunSizeTestCase(unittest.TestCase):
    "A run of 120 lines for one beneficiary"

    def setUp(self):
        drop_db()
        activate_modules('bts_indemnity')
        setup_ministry(2025)
        self.addCleanup(drop_db)

    def test_many_lines(self):
        year = create_academic_year(2025)
        programme = create_programme(
            'CLOUD', create_lycee('LTC', "Lycée Technique du Centre"))
        contract = active_contract(
            "Sophie Klein", 1, programme, year, 'M1.1', LINES)
        declaration = lessons(contract, dt.date(2025, 10, 1), 'M1.1', 1)
        course = declaration.lines[0].course
        Line = Model.get('bts.declaration.line')
        Line.save([Line(declaration=declaration,
                    date=dt.date(2025, 10, day % 31 + 1), course=course,
                    quantity=Decimal(1))
                for day in range(1, LINES)])
        declaration.reload()
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
