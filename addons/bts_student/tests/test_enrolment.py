# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Enrolment (law of 21 July 2023, arts. 1, 8, 10, 11(2), 33(2)): the ECTS
load, the tutor, the registration fee and its payment, the VAE exemptions'
minimum, the retention of the students' data; each boundary both sides."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.bts_student.tests.student_tools import (
    admit_student,
    create_parties,
    create_user,
    create_world,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction, check_access


class EnrolmentTestCase(unittest.TestCase):
    "Enrolment and fees"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_indemnity', 'bts_jury', 'bts_student'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def assertRefused(self, message, function, *args):
        with self.assertRaises(UserError) as context:
            function(*args)
        self.assertIn(message, context.exception.message)

    def student(self, start_year=2025, name="Léa Muller", tutor=True):
        world = create_world(start_year=start_year, places=5)
        tutor = create_parties("Jeff Tutor")[0] if tutor else None
        return admit_student(world['intake'], name, tutor), world

    @with_transaction()
    def test_load(self):
        """Art. 1, 14°-15°: full-time from 60 ECTS, part-time 30 to 34; 35
        to 59 is flagged, not refused"""
        Enrolment = Pool().get('bts.student.enrolment')
        student, _ = self.student()
        enrolment, = student.enrolments
        cases = [
            ('full_time', '60', False), ('full_time', '59.5', True),
            ('full_time', '35', True), ('full_time', '34', None),
            ('part_time', '30', False), ('part_time', '34', False),
            ('part_time', '35', True), ('part_time', '59.5', True),
            ('part_time', '29.5', None), ('part_time', '60', None),
            ]
        for status, ects, flagged in cases:
            with self.subTest(status=status, ects=ects):
                values = {'time_status': status, 'ects': Decimal(ects)}
                if flagged is None:
                    self.assertRefused(f"{ects} ECTS is not a",
                        Enrolment.write, [enrolment], values)
                else:
                    Enrolment.write([enrolment], values)
                    self.assertEqual(
                        Enrolment(enrolment.id).load_gap, flagged)

    @with_transaction()
    def test_tutor(self):
        """Art. 8: a tutor to register, designated by the director, the
        same throughout (a change refused, even to the director)"""
        pool = Pool()
        Enrolment = pool.get('bts.student.enrolment')
        Student = pool.get('bts.student')
        student, world = self.student(tutor=False)
        enrolment, = student.enrolments
        self.assertRefused("has no tutor", Enrolment.register, [enrolment])
        first, other = create_parties("Jeff Tutor", "Other Tutor")
        office = create_user('office', 'group_student_office', world['ltc'])
        director = create_user(
            'director', 'group_lycee_director', world['ltc'])
        with Transaction().set_user(office.id), check_access():
            self.assertRefused("The director designates the tutor",
                Student.write, [student], {'tutor': first.id})
        with Transaction().set_user(director.id), check_access():
            Student.write([student], {'tutor': first.id})
        self.assertEqual(student.tutor, first)
        # Writing the same tutor again is no change
        Student.write([student], {'tutor': first.id})
        self.assertRefused('keeps the tutor "Jeff Tutor"',
            Student.write, [student], {'tutor': other.id})
        with check_access():
            self.assertRefused("(art. 8 of the law",
                Student.write, [student], {'tutor': None})

    @with_transaction()
    def test_fee_ceiling(self):
        "Art. 10(5): at most 50 euros at index 100 per semester"
        Configuration = Pool().get('bts.student.configuration')
        configuration = Configuration(1)
        configuration.registration_fee = Decimal('50.01')
        self.assertRefused("50.01 euros at index 100 exceeds the ceiling",
            configuration.save)
        configuration.registration_fee = Decimal('50.00')
        configuration.save()
        self.assertEqual(
            Configuration(1).registration_fee, Decimal('50.00'))

    @with_transaction()
    def test_fees_paid_effective(self):
        """The fee of each semester at the index of its first day (387.59
        euros at 775.17); effective once the first semester is paid, with
        the proof of health insurance"""
        pool = Pool()
        Enrolment = pool.get('bts.student.enrolment')
        Fee = pool.get('bts.student.enrolment.fee')
        student, world = self.student(start_year=2014)
        enrolment, = student.enrolments
        Enrolment.register([enrolment])
        self.assertEqual(enrolment.state, 'registered')
        self.assertEqual(
            [(f.semester.kind, f.amount_ni100, f.index, f.amount, f.lycee,
                    f.state) for f in enrolment.fees],
            [(kind, Decimal(50), Decimal('775.17'), Decimal('387.59'),
                    world['ltc'], 'unpaid') for kind in ['winter', 'summer']])
        self.assertRefused("only once the registration fee of its first",
            Enrolment.make_effective, [enrolment])
        Fee.pay([enrolment.fees[0]])
        self.assertEqual(enrolment.fees[0].payment_date,
            pool.get('ir.date').today())
        enrolment.health_insurance = False
        enrolment.save()
        self.assertRefused("needs the proof of health insurance",
            Enrolment.make_effective, [enrolment])
        enrolment.health_insurance = True
        enrolment.save()
        Enrolment.make_effective([enrolment])
        self.assertEqual(
            [f.state for f in enrolment.fees], ['paid', 'unpaid'])
        self.assertEqual(enrolment.state, 'effective')
        # A paid fee is never deleted
        with check_access():
            self.assertRefused("", Fee.delete, [enrolment.fees[0]])

    @with_transaction()
    def test_fee_payment_date_by_office(self):
        """The student office types a fee's payment date through the
        enrolment once registered, never in draft, never a fee's amount,
        never a new fee (no creation but by Register)"""
        pool = Pool()
        Enrolment = pool.get('bts.student.enrolment')
        Fee = pool.get('bts.student.enrolment.fee')
        student, world = self.student()
        enrolment, = student.enrolments
        office = create_user('office', 'group_student_office', world['ltc'])
        paid = dt.date(2025, 9, 18)
        with Transaction().set_user(office.id), check_access():
            self.assertRefused('"Registration Fees"', Enrolment.write,
                [enrolment], {'fees': [('create', [{'payment_date': paid}])]})
        Enrolment.register([enrolment])
        first, second = enrolment.fees
        with Transaction().set_user(office.id), check_access():
            Enrolment.write([enrolment], {'fees': [
                        ('write', [first.id], {'payment_date': paid})]})
            self.assertRefused('"Amount"', Enrolment.write, [enrolment],
                {'fees': [('write', [second.id], {'amount': Decimal(1)})]})
            self.assertRefused("", Enrolment.write, [enrolment], {'fees': [
                        ('create', [{'semester': first.semester.id,
                                    'lycee': world['ltc'].id,
                                    'amount_ni100': 0, 'index': 0,
                                    'amount': 0}])]})
            Fee.pay([first])
        self.assertEqual((first.payment_date, first.state), (paid, 'paid'))
        self.assertEqual((second.payment_date, second.state),
            (None, 'unpaid'))

    @with_transaction()
    def test_joint_programme_fee(self):
        "Art. 10(5): a joint programme's fees go to its designated lycée"
        pool = Pool()
        Enrolment = pool.get('bts.student.enrolment')
        Programme = pool.get('bts.programme')
        student, world = self.student()
        programme = world['programme']
        Programme.write([programme], {
                'lycees': [('add', [world['lam'].id])]})
        enrolment, = student.enrolments
        self.assertRefused("has no lycée designated to collect",
            Enrolment.register, [enrolment])
        Programme.write([programme], {'fee_lycee': world['lam'].id})
        Enrolment.register([enrolment])
        self.assertEqual(
            {f.lycee for f in enrolment.fees}, {world['lam']})

    @with_transaction()
    def test_vae_exemption_minimum(self):
        """Art. 11(2): the exemptions leave at least 30 ECTS of courses to
        follow: 30 left passes, 29 refused"""
        pool = Pool()
        Exemption = pool.get('bts.student.exemption')
        Module = pool.get('bts.programme.module')
        student, world = self.student()
        # The plan: C1 of 5 ECTS, and modules of 24, 1 and 30 (60 ECTS)
        modules = Module.create([{
                    'programme': world['programme'].id, 'code': code,
                    'name': code, 'kind': 'lycee', 'year_of_study': '1',
                    'semester': 'summer',
                    'courses': [('create', [{
                                    'code': f'{code}.{i}', 'name': code,
                                    'ects': Decimal(ects),
                                    'planned_lessons': 0}
                                for i, ects in enumerate(courses, 1)])],
                    } for code, courses in [
                    ('MX', [12, 12]), ('MY', [1]), ('MZ', [20, 10])]])
        self.assertEqual(world['programme'].total_ects, Decimal(60))

        def exempt(module):
            return Exemption.create([{
                        'student': student.id, 'module': module.id,
                        'reason': 'vae', 'date': dt.date(2025, 9, 1)}])
        exempt(modules[2])
        self.assertRefused("leave courses of 29 ECTS to follow, fewer "
            "than 30", exempt, modules[1])

    @with_transaction()
    def test_retention(self):
        """Art. 33(2), RULES.md §K.12: five years after the later of the
        end of the last enrolled year and the award; kept while enrolled"""
        pool = Pool()
        Retention = pool.get('bts.retention')
        Student = pool.get('bts.student')
        Enrolment = pool.get('bts.student.enrolment')
        student, world = self.student()
        enrolment, = student.enrolments
        Enrolment.register([enrolment])
        party = student.party

        def due(date):
            return {line['party']: line for line in Retention.preview(date)
                if line['party'] == party.id}

        # Still enrolled: kept
        self.assertEqual(due(dt.date(2040, 1, 1)), {})
        # Awarded in July 2026: the year's end (14 September 2026) is later
        student.graduation_date = dt.date(2026, 7, 10)
        student.save()
        Student.graduate([student])
        self.assertEqual(due(dt.date(2031, 9, 14)), {})
        line = due(dt.date(2031, 9, 15))[party.id]
        self.assertEqual((line['end_point'], line['source']),
            (dt.date(2026, 9, 14), 'academic_year'))
        # An award after the year's end is the end point
        student.graduation_date = dt.date(2026, 10, 1)
        student.save()
        self.assertEqual(due(dt.date(2031, 10, 1)), {})
        line = due(dt.date(2031, 10, 2))[party.id]
        self.assertEqual((line['end_point'], line['source']),
            (dt.date(2026, 10, 1), 'award'))
        Retention.pseudonymise(dt.date(2031, 10, 2))
        Application = pool.get('bts.student.application')
        application, = Application.read(
            [student.application.id], ['diploma'])
        self.assertEqual(
            (party.name, application['diploma']),
            (f"Person {party.code}", '****'))
