# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The roles that may claim each act of Annex E, as data of the act (law of
21 July 2023, Annex E, arts. 7(2), 11(3), 12(3), 14(1), 18(1), 23(2);
RULES.md §C.13, §K.5): the commissioner's E12 replaces the member's E11, the
promoter's E14 is not a member's E13; the units paid per sitting, per
period and in fractions."""
import unittest

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)

ADMISSION = ('direction', 'teacher')
VAE = ('president', 'teacher', 'expert')
EXAM_JURY = ('direction', 'coordinator', 'teacher')
CURRICULUM = ('president', 'secretary', 'teacher', 'expert')
LITIGATION = ('president', 'member', 'teacher', 'secretary', 'substitute')
ACCOMMODATION = ('president', 'member', 'coordinator', 'secretary',
    'expert', 'substitute')
CLAIMANTS = {
    'E1': ADMISSION, 'E2': ADMISSION, 'E3': ADMISSION, 'E4': ADMISSION,
    'E5': ADMISSION, 'E6': ADMISSION,
    'E7': ('government_commissioner',) + ADMISSION,
    'E8': VAE, 'E9': VAE, 'E10': VAE,
    'E11': EXAM_JURY, 'E12': ('government_commissioner',),
    'E13': ('member',), 'E14': ('promoter',),
    'E15': CURRICULUM,
    'E16': LITIGATION,
    'E17': ACCOMMODATION, 'E18': ACCOMMODATION,
    }


class ActRolesTestCase(unittest.TestCase):
    "Who claims each act of Annex E"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_jury'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def acts(self):
        Act = Pool().get('bts.jury.act')
        return {a.code: a for a in Act.search([])}

    @with_transaction()
    def test_claimants(self):
        "Every act names the roles that claim it"
        acts = self.acts()
        self.assertEqual(
            {code: set(act.claimant_roles) for code, act in acts.items()},
            {code: set(roles) for code, roles in CLAIMANTS.items()})

    @with_transaction()
    def test_commissioner_and_promoter_rates_replace(self):
        """The commissioner claims E12 and not E11; a teacher E11 and not
        E12; the promoter E14 and not E13, a TFE member E13 and not E14"""
        acts = self.acts()
        for code, role, claims in [
                ('E11', 'government_commissioner', False),
                ('E12', 'government_commissioner', True),
                ('E11', 'teacher', True),
                ('E12', 'teacher', False),
                ('E13', 'promoter', False),
                ('E14', 'promoter', True),
                ('E13', 'member', True),
                ('E14', 'member', False),
                ('E1', 'government_commissioner', False),
                ('E7', 'government_commissioner', True),
                ]:
            with self.subTest(code=code, role=role):
                self.assertEqual(acts[code].claimable_by(role), claims)

    @with_transaction()
    def test_claimants_in_composition(self):
        """Each role that claims an act has a place in the composition of
        the act's body"""
        for code, act in self.acts().items():
            roles = {r.role for r in act.body_type.rules} | {
                role for r in act.body_type.rules
                for role in (getattr(r, 'other_roles', None) or ())}
            with self.subTest(code=code):
                self.assertLessEqual(set(act.claimant_roles), roles)

    @with_transaction()
    def test_units(self):
        """Per meeting, decision, semester or year: a sitting attests the
        act; per semester or year: once per member; only hours in
        fractions; the deliberations and written tests have their kind of
        sitting"""
        acts = self.acts()
        self.assertEqual(
            sorted(c for c, a in acts.items() if a.needs_sitting),
            ['E11', 'E12', 'E16', 'E17', 'E7'])
        self.assertEqual(
            sorted(c for c, a in acts.items() if a.once_per_period),
            ['E11', 'E12', 'E7'])
        self.assertEqual(
            sorted(c for c, a in acts.items() if not a.whole),
            ['E15', 'E2', 'E6'])
        self.assertEqual(
            {c: a.sitting_kind for c, a in acts.items() if a.sitting_kind},
            {'E3': 'test', 'E4': 'test', 'E5': 'test',
                'E7': 'deliberation', 'E10': 'deliberation',
                'E11': 'deliberation', 'E12': 'deliberation'})
        self.assertEqual(
            sorted(c for c, a in acts.items() if a.correction),
            ['E3', 'E4', 'E5'])
