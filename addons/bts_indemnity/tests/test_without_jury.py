# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""bts_indemnity without bts_jury: it depends on bts_programme and the
account modules alone; lessons are declared, approved and paid, and nothing
of the acts is there."""
import datetime as dt
import unittest
from decimal import Decimal

from proteus import Model, Report
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules

from .tools import approve, lessons, ministry_and_contract


class WithoutJuryTestCase(unittest.TestCase):
    "Lessons declared and paid without bts_jury"

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules('bts_indemnity')
        cls.contract = ministry_and_contract(40)
        cls.programme = cls.contract.programme

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def test_no_acts(self):
        "Neither the acts nor the body submissions without bts_jury"
        Module = Model.get('ir.module')
        states = {m.name: m.state for m in Module.find([
                    ('name', 'in', ['bts_indemnity', 'bts_jury'])])}
        self.assertEqual(states,
            {'bts_indemnity': 'activated', 'bts_jury': 'not activated'})
        Declaration = Model.get('bts.declaration')
        self.assertEqual(
            [kind for kind, _ in Declaration._fields['kind']['selection']],
            ['lessons'])
        self.assertFalse({'member', 'submission'} & Declaration._fields.keys())
        self.assertFalse({'act', 'sitting', 'test_hours', 'candidate'}
            & Model.get('bts.declaration.line')._fields.keys())
        self.assertFalse(Model.get('ir.model').find(
                [('name', '=', 'bts.declaration.submission')]))

    def test_lessons_paid(self):
        "A declaration of lessons approved, totalled and paid by a run"
        declaration = approve(
            lessons(self.contract, dt.date(2025, 10, 6), 'M1.1', 2))
        self.assertEqual((declaration.state, declaration.amount),
            ('approved', Decimal('233.68')))
        Declaration = Model.get('bts.declaration')
        self.assertEqual(Declaration.find([
                    ('party', '=', self.contract.party.id),
                    ('programme', '=', self.programme.id),
                    ]), [declaration])
        total, = Model.get('bts.declaration.total').find([
                ('party', '=', self.contract.party.id),
                ('state', '=', 'approved'),
                ])
        self.assertEqual((total.programme, total.amount),
            (self.programme, Decimal('233.68')))

        Run = Model.get('bts.payment.run')
        run = Run(start_date=dt.date(2025, 10, 1),
            end_date=dt.date(2025, 10, 31), date=dt.date(2025, 10, 31))
        run.save()
        run.click('compute')
        line, = run.lines
        self.assertEqual((line.kind, run.amount),
            ('lessons', Decimal('233.68')))
        run.click('post')
        self.assertEqual(run.state, 'posted')
        declaration.reload()
        self.assertEqual(declaration.state, 'paid')
        # The payroll export of the run names the course of each line
        _, data, _, _ = Report('bts.payment.run.payroll_csv').execute([run])
        text = data.decode('utf-8-sig') if isinstance(data, bytes) else data
        self.assertIn('Course', text)
        self.assertIn('233.68', text)
