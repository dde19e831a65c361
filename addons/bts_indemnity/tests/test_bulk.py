# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The steps of the approval taken on a selection from the list: each
declaration with the checks of the button alone, the refused ones left as
they were, the summary naming them and why; only the button's groups."""
import datetime as dt
import unittest
from contextlib import contextmanager

from proteus import Model, Wizard
from proteus.config import get_config
from trytond.model.exceptions import AccessError
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules

from .tools import APPROVAL_STEPS, lessons, ministry_and_contract, step_user


class BulkTestCase(unittest.TestCase):
    "Declarations submitted, countersigned, verified, approved in bulk"

    @classmethod
    def setUpClass(cls):
        drop_db()
        cls.config = activate_modules('bts_indemnity')
        # 30 lessons of M1.1 under contract
        cls.contract = ministry_and_contract(30)
        cls.users = {login: step_user(login, groups, cls.contract.lycee)
            for _, login, groups in APPROVAL_STEPS}

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @contextmanager
    def as_user(self, login):
        "Call the server as login, with its access rights"
        config = get_config()
        user, context = config.user, config._context
        config.user = self.users[login].id
        config._context = Model.get('res.user').get_preferences(True, {})
        try:
            yield
        finally:
            config.user, config._context = user, context

    def process(self, step, declarations):
        """Run the wizard of step on declarations; return the ids processed
        and the text of the refusals"""
        Declaration = Model.get('bts.declaration')
        wizard = Wizard(f'bts.declaration.process.{step}',
            [Declaration(d.id) for d in declarations])
        result = ({d.id for d in wizard.form.done}, wizard.form.refused)
        wizard.execute('end')
        return result

    def states(self, declarations):
        Declaration = Model.get('bts.declaration')
        return [Declaration(d.id).state for d in declarations]

    def test_bulk_steps(self):
        "Each declaration alone: the one over the plan refused, named"
        october, november, december = [
            lessons(self.contract, day, 'M1.1', quantity)
            for day, quantity in [
                (dt.date(2025, 10, 6), 10),
                (dt.date(2025, 11, 3), 10),
                (dt.date(2025, 12, 1), 15)]]
        selection = [october, november, december]

        # 35 lessons of 30 planned: together refused, one by one the
        # first two pass and December is refused for the plan
        done, refused = self.process('submit', selection)
        self.assertEqual(done, {october.id, november.id})
        self.assertEqual(self.states(selection),
            ['submitted', 'submitted', 'draft'])
        self.assertEqual(len(refused.splitlines()), 1)
        self.assertIn(december.rec_name, refused)
        self.assertIn('35', refused)

        # December is not submitted: left as it is, with its state
        with self.as_user('countersigner'):
            done, refused = self.process('countersign', selection)
        self.assertEqual(done, {october.id, november.id})
        self.assertIn(december.rec_name, refused)
        self.assertEqual(self.states(selection),
            ['countersigned', 'countersigned', 'draft'])

        # Who countersigned does not verify, in bulk as one by one
        Group = Model.get('res.group')
        ModelData = Model.get('ir.model.data')
        User = Model.get('res.user')
        countersigner = User(self.users['countersigner'].id)
        countersigner.groups.append(Group(ModelData.get_id(
                    'bts_programme', 'group_ministry_admin', {})))
        countersigner.save()
        with self.as_user('countersigner'):
            done, refused = self.process('verify', selection[:2])
        self.assertEqual(done, set())
        self.assertEqual(len(refused.splitlines()), 2)
        self.assertEqual(self.states(selection[:2]),
            ['countersigned', 'countersigned'])

        with self.as_user('verifier'):
            self.process('verify', selection[:2])
        with self.as_user('approver'):
            done, refused = self.process('approve', selection[:2])
        self.assertEqual(done, {october.id, november.id})
        self.assertEqual(self.states(selection[:2]),
            ['approved', 'approved'])
        # Logged: the step's stamps with the state, and the transition
        Log = Model.get('ir.model.log')
        approved = {october.id, november.id}
        for event, target in [('write', 'approved_by,approved_on,state'),
                ('transition', 'state:approved')]:
            entries = Log.find([('model', '=', 'bts.declaration'),
                    ('event', '=', event), ('target', '=', target)])
            self.assertEqual({int(i) for e in entries
                    for i in e.record_ids.split(',')}, approved)

        # Ministry finance pays the selection: a draft run limited to the
        # approved declarations of the selection, computed
        with self.as_user('approver'):
            Declaration = Model.get('bts.declaration')
            wizard = Wizard('bts.declaration.pay',
                [Declaration(d.id) for d in [october, december]])
            self.assertEqual({d.id for d in wizard.form.done}, {october.id})
            self.assertIn(december.rec_name, wizard.form.refused)
            run = Model.get('bts.payment.run')(wizard.form.run.id)
            wizard.execute('end')
        self.assertEqual(run.state, 'draft')
        self.assertEqual([d.id for d in run.declarations], [october.id])
        self.assertEqual(
            {line.declaration_line.declaration.id for line in run.lines},
            {october.id})
        self.assertEqual(
            run.amount, Model.get('bts.declaration')(october.id).amount)

    def test_only_the_groups_of_the_button(self):
        "A lycée director cannot approve, in bulk as by the button"
        declaration = lessons(self.contract, dt.date(2025, 10, 13), 'M1.1', 1)
        declaration.click('submit')
        with self.as_user('countersigner'), self.assertRaises(AccessError):
            self.process('approve', [declaration])
        self.assertEqual(self.states([declaration]), ['submitted'])
