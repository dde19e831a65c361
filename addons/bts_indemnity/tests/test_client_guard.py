# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The money path bent through plain RPC calls: every workflow field, stamp,
computed amount and record past draft is refused to the clients, as the
role that tries it (issue: a write approving a declaration and setting its
amount used to end in the SEPA file)."""
import datetime as dt
import unittest
from decimal import Decimal

from proteus import Model, Wizard
from trytond.exceptions import UserError
from trytond.model.modelstorage import AccessError
from trytond.modules.bts_programme.tests.tools import (
    create_academic_year,
    create_contract,
    create_lycee,
    create_provider,
)
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules, set_user

from .tools import active_contract, create_programme, lessons, step_user


class ClientGuardTestCase(unittest.TestCase):
    "Workflow fields and amounts are moved only by their transitions"

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules('bts_indemnity')
        cls.year = create_academic_year(2025)
        cls.lycee = create_lycee('LTC', "Lycée Technique du Centre")
        cls.programme = create_programme('CLOUD', cls.lycee)
        cls.contract = active_contract(
            "Sophie Klein", 1, cls.programme, cls.year, 'M1.1', 60)
        cls.draft_contract = create_contract(
            create_provider("Marc Reuter", [dict(title="Master",
                        clq_level='7', registration='national')]),
            cls.programme, cls.year, [('M1.2', 'winter', 10)])
        cls.admin = cls.config.user
        cls.hr = step_user('rh', [('bts_programme', 'group_lycee_hr')],
            cls.lycee)
        cls.director = step_user('direction',
            [('bts_programme', 'group_lycee_director')], cls.lycee)
        cls.ministry = step_user('ministere',
            [('bts_programme', 'group_ministry_admin')])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def tearDown(self):
        self.config.user = self.admin

    def as_user(self, user):
        set_user(user, self.config)

    def refused(self, model, method, *args):
        "Call method of model through RPC and expect the guard's refusal"
        proxy = self.config.get_proxy(model)
        with self.assertRaises(AccessError) as refusal:
            getattr(proxy, method)(*args, {})
        return str(refusal.exception)

    def declaration(self, state, day=dt.date(2025, 10, 6)):
        """A declaration of 2 lessons, submitted by HR and countersigned by
        the director up to state"""
        self.as_user(self.hr)
        declaration = lessons(self.contract, day, 'M1.1', 2)
        steps = [('submitted', self.hr, 'submit'),
            ('countersigned', self.director, 'countersign')]
        for step, user, button in steps:
            if state == 'draft':
                break
            self.as_user(user)
            Model.get('bts.declaration')(declaration.id).click(button)
            if state == step:
                break
        declaration.reload()
        return declaration

    def test_state_and_stamps_refused(self):
        "HR cannot approve its declaration with a write"
        declaration = self.declaration('draft')
        self.as_user(self.hr)
        message = self.refused('bts.declaration', 'write',
            [declaration.id], {'state': 'approved'})
        self.assertIn('State', message)
        self.refused('bts.declaration', 'write',
            [declaration.id], {'approved_by': self.hr.id})
        declaration.reload()
        self.assertEqual(
            (declaration.state, declaration.approved_by), ('draft', None))

    def test_amounts_refused(self):
        "Nobody sets the amount, rate or index of a line"
        declaration = self.declaration('draft')
        line, = declaration.lines
        self.as_user(self.hr)
        for name, value in [('amount', Decimal('99999')),
                ('rate', Decimal('999')), ('index', Decimal('2000')),
                ('euro_rate', Decimal('500'))]:
            self.refused('bts.declaration.line', 'write',
                [line.id], {name: value})
        self.refused('bts.declaration.line', 'create', [{
                    'declaration': declaration.id,
                    'date': dt.date(2025, 10, 7),
                    'course': line.course.id, 'quantity': Decimal(1),
                    'amount': Decimal('99999')}])
        # What the form edits in draft still works.
        Line = Model.get('bts.declaration.line')
        line = Line(line.id)
        line.quantity = Decimal(3)
        line.save()
        Model.get('bts.declaration')(declaration.id).click('submit')
        line.reload()
        self.assertEqual(line.quantity, Decimal(3))
        WageIndex = Model.get('bts.wage_index')
        self.assertEqual(
            (line.index, line.euro_rate, line.amount),
            tuple(WageIndex.line_amount(line.rate, Decimal(3),
                    line.index_date, self.config.context)))

    def test_director_skips_verification(self):
        "A director cannot write the ministry's verification"
        declaration = self.declaration('submitted')
        self.as_user(self.director)
        self.refused('bts.declaration', 'write',
            [declaration.id], {'state': 'verified'})
        self.refused('bts.declaration', 'write',
            [declaration.id], {'verified_by': self.director.id})

    def test_declaration_past_draft_frozen(self):
        "Past draft, no line is added, changed or deleted by a client"
        declaration = self.declaration('countersigned')
        line, = declaration.lines
        self.as_user(self.hr)
        self.refused('bts.declaration.line', 'create', [{
                    'declaration': declaration.id,
                    'date': dt.date(2025, 10, 8),
                    'course': line.course.id, 'quantity': Decimal(5)}])
        self.refused('bts.declaration.line', 'write',
            [line.id], {'quantity': Decimal(40)})
        self.refused('bts.declaration', 'write', [declaration.id],
            {'lines': [('create', [{'date': dt.date(2025, 10, 8),
                                'course': line.course.id,
                                'quantity': Decimal(5)}])]})
        self.refused('bts.declaration.line', 'delete', [line.id])
        self.refused('bts.declaration', 'delete', [declaration.id])
        self.refused('bts.declaration', 'write', [declaration.id],
            {'month': dt.date(2025, 11, 1)})
        declaration.reload()
        self.assertEqual(
            [(x.quantity, x.date) for x in declaration.lines],
            [(Decimal(2), dt.date(2025, 10, 6))])

    def test_line_moved_to_frozen_declaration(self):
        "A draft line cannot be moved into a submitted declaration"
        submitted = self.declaration('submitted', dt.date(2025, 10, 13))
        draft = self.declaration('draft', dt.date(2025, 10, 14))
        line, = draft.lines
        self.as_user(self.hr)
        self.refused('bts.declaration.line', 'write',
            [line.id], {'declaration': submitted.id})

    def test_contract_rate_and_state(self):
        "HR sets no rate and activates no contract with a write"
        self.as_user(self.hr)
        contract_line = self.contract.lines[0]
        self.refused('bts.contract.line', 'write',
            [contract_line.id], {'rate_amount': Decimal(999)})
        self.refused('bts.contract', 'write',
            [self.draft_contract.id], {'state': 'active'})
        self.refused('bts.contract.line', 'write',
            [contract_line.id], {'quantity': 400})
        self.refused('bts.contract', 'write',
            [self.contract.id], {'end_date': dt.date(2026, 9, 14)})
        self.refused('bts.contract', 'delete', [self.contract.id])
        draft_line = self.draft_contract.lines[0]
        self.refused('bts.contract.line', 'create', [{
                    'contract': self.draft_contract.id,
                    'course': draft_line.course.id,
                    'semester': draft_line.semester.id, 'quantity': 10,
                    'rate_amount': Decimal(999)}])
        self.contract.reload()
        self.assertEqual(
            (self.contract.state, self.contract.quantity), ('active', 60))
        # The draft contract is still edited as its form allows.
        draft_line = Model.get('bts.contract.line')(draft_line.id)
        draft_line.quantity = 12
        draft_line.save()

    def test_programme_accreditation_state(self):
        "The accreditation state moves only through its procedure"
        self.as_user(self.ministry)
        self.refused('bts.programme', 'write',
            [self.programme.id], {'state': 'accredited'})

    def test_copy_starts_afresh(self):
        "A copy of an approved declaration is a draft without amounts"
        declaration = self.declaration('countersigned', dt.date(2025, 10, 20))
        self.as_user(self.hr)
        copy, = Model.get('bts.declaration').duplicate([declaration])
        self.assertEqual(
            (copy.state, copy.submitted_by, copy.countersigned_by),
            ('draft', None, None))
        self.assertEqual([(x.quantity, x.amount, x.academic_year.id)
                for x in copy.lines],
            [(Decimal(2), None, declaration.lines[0].academic_year.id)])

    def test_declaration_on_another_lycee_contract(self):
        "A declaration belongs to its contract's lycée"
        lam = create_lycee('LAM', "Lycée des Arts et Métiers")
        programme = create_programme('GAME', lam)
        contract = active_contract(
            "Paul Schmit", 2, programme, self.year, 'M1.1', 10)
        Declaration = Model.get('bts.declaration')
        declaration = Declaration(kind='lessons', contract=contract,
            lycee=Model.get('bts.lycee')(self.lycee.id),
            month=dt.date(2025, 10, 1))
        with self.assertRaises(UserError) as refusal:
            declaration.save()
        self.assertNotIn("Paul Schmit", str(refusal.exception))

    def test_reject_wizard_needs_the_button_groups(self):
        "HR cannot send a countersigned declaration back through the wizard"
        declaration = self.declaration('countersigned', dt.date(2025, 10, 27))
        self.as_user(self.hr)
        with self.assertRaises(AccessError):
            Wizard('bts.declaration.reject', [declaration])
        self.as_user(self.director)
        reject = Wizard('bts.declaration.reject', [declaration])
        reject.form.reason = "Le cours du 27 n'a pas eu lieu."
        reject.execute('reject')
        declaration.reload()
        self.assertEqual(declaration.state, 'draft')
