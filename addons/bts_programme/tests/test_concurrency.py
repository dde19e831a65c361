# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Two real PostgreSQL connections signing contracts of one lecturer that
together pass the 252 lessons of art. 9(2) al. 3 cannot both succeed; two
that stay under it both count in the lessons per provider."""
import datetime as dt
import unittest

from trytond import backend
from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
    race,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction


@unittest.skipUnless(
    backend.name == 'postgresql', "locking is proven on PostgreSQL")
class ContractConcurrencyTestCase(unittest.TestCase):
    "Concurrent signatures of contracts against the 252-lesson cap"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_programme'])
        with Transaction().start(DB_NAME, 0) as transaction:
            cls.contracts = cls.create_contracts()
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @classmethod
    def create_contracts(cls, name="Lecturer", codes=('A', 'B'),
            quantity=150):
        """Two draft contracts of quantity lessons for one lecturer of name,
        in two programmes of codes"""
        pool = Pool()
        Party = pool.get('party.party')
        Lycee = pool.get('bts.lycee')
        AcademicYear = pool.get('bts.academic_year')
        Contract = pool.get('bts.contract')
        year, = AcademicYear.search([('name', '=', '2025/2026')]) or (
            AcademicYear.create([{'start_date': dt.date(2025, 9, 15)}]))
        lycee_party, lecturer = Party.create([{'name': "Lycée"}, {
                    'name': name,
                    'bts_qualifications': [('create', [{
                                    'title': "Master", 'clq_level': '7',
                                    'registration': 'national'}])],
                    }])
        lycee, = Lycee.create([{'code': name, 'party': lycee_party.id}])
        contracts = []
        for code in codes:
            # Signed only on an accredited programme that runs in 2025/2026
            # (law of 21 July 2023, arts. 35, 41)
            programme, course = create_one_course_programme(
                code, lycee, 500, decision_year=2024)
            contract, = Contract.create([{
                        'party': lecturer.id, 'role': 'external',
                        'programme': programme.id, 'lycee': lycee.id,
                        'academic_year': year.id,
                        'start_date': dt.date(2025, 10, 1),
                        'end_date': year.end_date,
                        'provider_signature_date': dt.date(2025, 9, 20),
                        'director_signature_date': dt.date(2025, 9, 20),
                        'lines': [('create', [{
                                        'course': course.id,
                                        'semester': year.semesters[0].id,
                                        'quantity': quantity,
                                        }])],
                        }])
            contracts.append(contract.id)
        return contracts

    def test_concurrent_signatures(self):
        """Both transactions start before either signs; the one that signs
        second waits for the first and then meets the cap"""
        first, second = self.contracts
        outcome = race('bts.contract', 'sign', self.contracts)
        self.assertEqual(outcome[first], 'done')
        self.assertIn("total 300, limit 252", outcome[second])
        with Transaction().start(DB_NAME, 0):
            Contract = Pool().get('bts.contract')
            self.assertEqual(
                [c.state for c in Contract.browse(self.contracts)],
                ['signed', 'draft'])

    def test_concurrent_summaries(self):
        """Two contracts of 100 lessons of one lecturer signed side by side:
        both pass the cap, and the lessons per provider and the external
        shares count both (the second refresh waits for the first)"""
        with Transaction().start(DB_NAME, 0) as transaction:
            contracts = self.create_contracts("Second", ('C', 'D'), 100)
            transaction.commit()
        outcome = race('bts.contract', 'sign', contracts)
        self.assertEqual(list(outcome.values()), ['done', 'done'])
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Usage = pool.get('bts.provider.usage')
            Share = pool.get('bts.programme.external_share')
            self.assertEqual(
                [(u.lessons, u.programmes) for u in Usage.search([
                            ('party.name', '=', "Second")])],
                [(200, 2)])
            self.assertEqual(
                sorted((s.programme.code, s.lessons) for s in Share.search([
                            ('programme.code', 'in', ['C', 'D'])])),
                [('C', 100), ('D', 100)])
