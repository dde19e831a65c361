# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The caps on declared lessons: checked on approval with the contracts' cap
code, and on PostgreSQL two approvals that together pass the 252 lessons of
art. 9(2) al. 3 cannot both succeed."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond import backend
from trytond.modules.bts_indemnity.tests.tools import spread
from trytond.modules.bts_programme.exceptions import CapError
from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
    dispatched,
    race,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction


def approve(declaration_id):
    "Approve in its own transaction as trytond's dispatcher does"
    def call():
        Declaration = Pool().get('bts.declaration')
        Declaration.approve([Declaration(declaration_id)])
    dispatched(call)


class DeclaredCapsTestCase(unittest.TestCase):
    "Declared lessons against the 252-lesson cap"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_indemnity'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def setUp(self):
        with Transaction().start(DB_NAME, 0) as transaction:
            self.declarations = self.create_declarations()
            transaction.commit()

    def tearDown(self):
        dispatched(self.delete_all)

    @staticmethod
    def delete_all():
        pool = Pool()
        # Back to the states in which a record is deleted (guard.py):
        # a programme only while requested
        initial = {'bts.declaration': 'draft', 'bts.contract': 'draft',
            'bts.programme': 'requested'}
        for name in ['bts.declaration', 'bts.contract', 'bts.programme',
                'bts.lycee', 'bts.academic_year']:
            Model = pool.get(name)
            if name in initial:
                Model.write(Model.search([]), {'state': initial[name]})
            Model.delete(Model.search([]))

    @staticmethod
    def create_declarations():
        """Two verified declarations of one lecturer, 200 lessons in A and 53
        in B, under active contracts that the caps did not see (written
        directly, as a contract signed before a correction would be)"""
        pool = Pool()
        Party = pool.get('party.party')
        Lycee = pool.get('bts.lycee')
        AcademicYear = pool.get('bts.academic_year')
        Contract = pool.get('bts.contract')
        Declaration = pool.get('bts.declaration')
        year, = AcademicYear.create([{'start_date': dt.date(2025, 9, 15)}])
        lycee_party, lecturer = Party.create(
            [{'name': "Lycée"}, {'name': "Lecturer"}])
        lycee, = Lycee.create([{'code': 'L', 'party': lycee_party.id}])
        declarations = []
        # At most a day's lessons a day: A from 1 to 17 October, B from 20
        for code, lessons, first in [('A', 200, 1), ('B', 53, 20)]:
            # Lessons are declared only on an accredited programme that
            # runs (law of 21 July 2023, arts. 35, 41)
            programme, course = create_one_course_programme(
                code, lycee, 1200, decision_year=2024)
            contract, = Contract.create([{
                        'party': lecturer.id, 'role': 'external',
                        'programme': programme.id, 'lycee': lycee.id,
                        'academic_year': year.id,
                        'start_date': dt.date(2025, 10, 1),
                        'end_date': year.end_date,
                        'lines': [('create', [{
                                        'course': course.id,
                                        'semester': year.semesters[0].id,
                                        'quantity': lessons,
                                        'rate_kind': 'external_r1',
                                        'rate_amount': Decimal('12.07'),
                                        }])],
                        }])
            Contract.write([contract], {'state': 'active'})
            declaration, = Declaration.create([{
                        'kind': 'lessons', 'contract': contract.id,
                        'lycee': lycee.id, 'month': dt.date(2025, 10, 1),
                        'lines': [('create', [{
                                        'date': date,
                                        'course': course.id,
                                        'quantity': Decimal(quantity),
                                        } for date, quantity in spread(
                                            dt.date(2025, 10, first),
                                            lessons)])],
                        }])
            Declaration.write([declaration], {'state': 'verified'})
            declarations.append(declaration.id)
        return declarations

    def test_second_approval_meets_the_cap(self):
        "200 + 53 declared lessons: the 253rd is refused on approval"
        first, second = self.declarations
        approve(first)
        with self.assertRaises(CapError) as error:
            approve(second)
        self.assertIn(
            "already 200 lessons (A: 200), requested 53 (B: 53), "
            "total 253, limit 252", error.exception.message)

    @unittest.skipUnless(
        backend.name == 'postgresql', "locking is proven on PostgreSQL")
    def test_concurrent_approvals(self):
        "Two users approving at once cannot pass the cap together"
        first, second = self.declarations
        outcome = race('bts.declaration', 'approve', self.declarations)
        self.assertEqual(outcome[first], 'done')
        self.assertIn("total 253, limit 252", outcome[second])
