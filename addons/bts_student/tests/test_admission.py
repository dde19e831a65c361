# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Applications and admission (law of 21 July 2023, arts. 10-12): each
access condition on both sides of its boundary, the places and ranking,
the conditional admission and its deadline, the access by need."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.bts_student.tests.student_tools import (
    create_application,
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


class AdmissionTestCase(unittest.TestCase):
    "Applications and admission"

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

    @with_transaction()
    def test_access_test_each_at_least_10(self):
        "Art. 10(2): 9.99 in one test refuses, 10.00 in each passes"
        Application = Pool().get('bts.student.application')
        intake = create_world(places=5)['intake']

        def tests(grade):
            return create_application(intake, f"Candidate {grade}",
                access_basis='access_test', access_tests=[('create', [
                            {'name': "Mathematics", 'grade': Decimal(15)},
                            {'name': "Networks", 'grade': Decimal(grade)},
                            ])])
        failed = tests('9.99')
        self.assertRefused(
            'the test "Networks" is marked 9.99, below 10',
            Application.admit, [failed])
        passed = tests('10.00')
        Application.admit([passed])
        self.assertEqual(passed.state, 'admitted')
        self.assertRefused("no result of the preliminary access test",
            Application.admit, [create_application(
                    intake, "No Test", access_basis='access_test')])

    @with_transaction()
    def test_vae_three_years(self):
        "Art. 11(1): 2.99 years refused, 3.00 years pass"
        Application = Pool().get('bts.student.application')
        intake = create_world(places=5)['intake']
        short = create_application(intake, "Short", access_basis='vae',
            vae_years=Decimal('2.99'))
        self.assertRefused("2.99 years of experience, below the 3 years",
            Application.admit, [short])
        enough = create_application(intake, "Enough", access_basis='vae',
            vae_years=Decimal('3.00'))
        Application.admit([enough])
        self.assertEqual(enough.state, 'admitted')

    @with_transaction()
    def test_technician_and_residence(self):
        """Art. 10(1): a technician diploma or DAP with every preparatory
        module; art. 10(4): a third-country national's residence"""
        Application = Pool().get('bts.student.application')
        intake = create_world(places=5)['intake']
        technician = create_application(
            intake, "Technician", access_basis='technician')
        self.assertRefused("with every preparatory module passed",
            Application.admit, [technician])
        Application.draft([technician])
        technician.preparatory_modules = True
        technician.save()
        Application.submit([technician])
        Application.admit([technician])
        self.assertEqual(technician.state, 'admitted')

        foreign = create_application(intake, "Foreign",
            access_basis='foreign_diploma', third_country=True)
        self.assertRefused("must hold a residence authorisation",
            Application.admit, [foreign])
        foreign.residence_authorisation = True
        foreign.save()
        Application.admit([foreign])
        self.assertEqual(foreign.state, 'admitted')

    @with_transaction()
    def test_admission_creates_student_and_enrolment(self):
        Application = Pool().get('bts.student.application')
        world = create_world()
        application = create_application(world['intake'], "Léa Muller")
        Application.admit([application])
        student = application.student
        self.assertEqual(
            (student.party, student.programme, student.lycee,
                student.intake, student.state),
            (application.party, world['programme'], world['ltc'],
                world['year'], 'enrolled'))
        enrolment, = student.enrolments
        self.assertEqual(
            (enrolment.academic_year, enrolment.state,
                enrolment.health_insurance),
            (world['year'], 'draft', True))
        self.assertEqual(application.decision_date,
            Pool().get('ir.date').today())

    @with_transaction()
    def test_places_and_ranking(self):
        """Art. 12(2): more applicants than places are ranked; admitted in
        their rank up to the places, the others on the waiting list"""
        pool = Pool()
        Application = pool.get('bts.student.application')
        Intake = pool.get('bts.student.intake')
        intake = create_world(places=2)['intake']
        low = create_application(intake, "Low", scores=(11, 12))
        high = create_application(intake, "High", scores=(16, 15))
        middle = create_application(intake, "Middle", scores=(14, 14))
        self.assertEqual(
            [a.score for a in [low, high, middle]],
            [Decimal('11.50'), Decimal('15.50'), Decimal('14.00')])
        self.assertRefused("is admitted only once ranked",
            Application.admit, [low])
        Intake.rank([intake])
        self.assertEqual([a.rank for a in [low, high, middle]], [3, 1, 2])
        Intake.decide([intake])
        self.assertEqual([a.state for a in [low, high, middle]],
            ['waiting', 'admitted', 'admitted'])
        self.assertEqual(Intake(intake.id).admitted, 2)
        self.assertRefused("its 2 places are taken",
            Application.admit, [low])
        self.assertRefused("is rejected only with a reason",
            Application.reject, [low])
        low.rejection_reason = "No place left."
        low.save()
        Application.reject([low])
        self.assertEqual(low.state, 'rejected')

    @with_transaction()
    def test_rank_needs_evaluations(self):
        Intake = Pool().get('bts.student.intake')
        intake = create_world(places=1)['intake']
        create_application(intake, "Evaluated", scores=(12,))
        create_application(intake, "Not Evaluated")
        self.assertRefused("has no evaluation to rank it on",
            Intake.rank, [intake])

    @with_transaction()
    def test_conditional_admission_deadline(self):
        """Art. 12(4): the director admits conditionally with the
        commission's deadline; annulled and the student excluded only once
        the deadline passed unmet, by the button or the daily cron"""
        pool = Pool()
        Application = pool.get('bts.student.application')
        Date = pool.get('ir.date')
        today = Date.today()
        intake = create_world(places=5)['intake']
        application = create_application(
            intake, "Amir Haddad", access_basis='foreign_diploma')
        self.assertRefused("needs the admission commission's favourable",
            Application.admit_conditionally, [application])
        application.commission_decision = "CA-2025-07"
        application.condition = "The equivalence of the diploma"
        application.condition_deadline = today
        application.save()
        Application.admit_conditionally([application])
        student = application.student
        self.assertEqual((application.state, student.state),
            ('conditional', 'enrolled'))
        # The deadline is today: not passed
        self.assertRefused("it is annulled only once that deadline",
            Application.annul, [application])
        Application.annul_expired(today)
        self.assertEqual(application.state, 'conditional')
        # The day after
        Application.annul_expired(today + dt.timedelta(days=1))
        self.assertEqual((application.state, student.state),
            ('annulled', 'excluded'))
        self.assertEqual(
            [e.state for e in student.enrolments], ['cancelled'])

    @with_transaction()
    def test_conditional_met(self):
        "The condition met in time: admitted, the same student"
        pool = Pool()
        Application = pool.get('bts.student.application')
        intake = create_world(places=5)['intake']
        application = create_application(intake, "Met",
            diploma=None, commission_decision="CA-1", condition="Diploma",
            condition_deadline=dt.date(2025, 12, 15))
        Application.admit_conditionally([application])
        student = application.student
        self.assertRefused("names no diploma giving access",
            Application.admit, [application])
        application.diploma = "Diplôme de fin d'études secondaires"
        Application.save([application])
        self.assertRefused("cannot be written directly",
            self._write_as_client, application, {'diploma': "Other"})
        Application.admit([application])
        self.assertEqual(
            (application.state, application.student), ('admitted', student))

    def _write_as_client(self, application, values):
        Application = Pool().get('bts.student.application')
        with check_access():
            Application.write([application], values)

    @with_transaction()
    def test_access_by_need(self):
        """The student office and director of the lycée; the ministry's
        administration reads; the HR of another lycée and the finance are
        refused, as a client's call would be"""
        pool = Pool()
        Application = pool.get('bts.student.application')
        Student = pool.get('bts.student')
        world = create_world(places=5)
        application = create_application(world['intake'], "Léa Muller")
        users = {
            'office': create_user(
                'office', 'group_student_office', world['ltc']),
            'director': create_user(
                'director', 'group_lycee_director', world['ltc']),
            'office_lam': create_user(
                'office_lam', 'group_student_office', world['lam']),
            'hr_lam': create_user('hr_lam', 'group_lycee_hr', world['lam']),
            'hr_ltc': create_user('hr_ltc', 'group_lycee_hr', world['ltc']),
            'finance': create_user('finance', 'group_ministry_finance'),
            'ministry': create_user('ministry', 'group_ministry_admin'),
            }

        def reads(user):
            with Transaction().set_user(users[user].id), check_access():
                try:
                    return len(Application.search([])) == 1 and bool(
                        Application.read([application.id], ['party']))
                except AccessError:
                    return False
        self.assertEqual({u: reads(u) for u in users}, {
                'office': True, 'director': True, 'office_lam': False,
                'hr_lam': False, 'hr_ltc': False, 'finance': False,
                'ministry': True})
        with Transaction().set_user(users['ministry'].id), check_access(), \
                self.assertRaises(AccessError):
            Application.write([application], {'reference': "X"})
        # Conditional admission: the director's, not the office's
        application.commission_decision = "CA-1"
        application.condition = "Diploma"
        application.condition_deadline = dt.date(2025, 12, 15)
        application.save()
        with Transaction().set_user(users['office'].id), check_access(), \
                self.assertRaises(AccessButtonError):
            Application.admit_conditionally([application])
        with Transaction().set_user(users['director'].id), check_access():
            Application.admit_conditionally([application])
        # The student's record: same access by need
        with Transaction().set_user(users['hr_lam'].id), check_access(), \
                self.assertRaises(AccessError):
            Student.read([application.student.id], ['party'])
        with Transaction().set_user(users['finance'].id), check_access(), \
                self.assertRaises(AccessError):
            Student.read([application.student.id], ['party'])
        # Logged: the creation and the transitions (art. 32)
        Log = pool.get('ir.model.log')
        self.assertTrue(Log.search([
                    ('model', '=', 'bts.student.application'),
                    ('event', '=', 'button'),
                    ('target', '=', 'admit_conditionally'),
                    ]))

    @with_transaction()
    def test_state_only_by_transitions(self):
        "A client cannot set the outcome or the rank"
        intake = create_world()['intake']
        application = create_application(intake, "Léa Muller")
        for values in [{'state': 'admitted'}, {'rank': 1}]:
            with self.subTest(values=values):
                self.assertRefused("",
                    self._write_as_client, application, values)

    @with_transaction()
    def test_import_portal_csv(self):
        """The portal's CSV: the valid rows kept as submitted applications,
        each refused row reported with its row, field, rule and article"""
        from trytond.modules.bts_programme.demo import matricule
        from trytond.modules.bts_student.application_import import (
            ApplicationImporter,
            read_rows,
        )
        world = create_world(places=5)
        ids = [matricule(dt.date(2005, 3, day), 1) for day in range(1, 8)]
        header = ("reference;national_id;last_name;first_name;programme;"
            "lycee;academic_year;access_basis;diploma;vae_years;"
            "third_country;residence_authorisation;health_insurance")
        rows = [
            f"MYG-1;{ids[0]};Muller;Léa;BTS-INFO;LTC;2025/2026;"
            "leaving_diploma;Diplôme de fin d'études secondaires;;non;;oui",
            f"MYG-2;{ids[1]};Hansen;Ben;BTS-INFO;LTC;2025/2026;vae;;3,00;"
            "non;;oui",
            f"MYG-3;{ids[2]};Weis;Noah;BTS-INFO;LTC;2025/2026;vae;;2,99;"
            "non;;oui",
            "MYG-4;12345;Faber;Lina;BTS-XXX;LTC;2025/2026;"
            "leaving_diploma;Diplôme;;non;;oui",
            f"MYG-5;{ids[4]};Haddad;Amir;BTS-INFO;LTC;2025/2026;"
            "foreign_diploma;Baccalauréat (MA);;oui;non;oui",
            f"MYG-6;{ids[0]};Muller;Léa;BTS-INFO;LTC;2025/2026;"
            "leaving_diploma;Diplôme;;non;;oui",
            f"MYG-7;{ids[6]};Klein;Eva;BTS-INFO;LAM;2025/2026;"
            "leaving_diploma;;;non;;oui",
            ]
        data = '\n'.join([header] + rows).encode('utf-8')
        report = ApplicationImporter(world['ltc']).import_rows(
            read_rows(data, 'myguichet.csv'))
        self.assertEqual(
            [(a.party.name, a.state, a.access_basis)
                for a in report.applications],
            [("Léa Muller", 'submitted', 'leaving_diploma'),
                ("Ben Hansen", 'submitted', 'vae')])
        law = "of the law of 21 July 2023"
        self.assertEqual(
            [(row, column, article)
                for row, column, _, article in report.refusals],
            [(4, 'vae_years', f"art. 11(1) {law}"),
                (5, 'national_id', f"art. 30(1) 1° {law}"),
                (5, 'programme', '-'),
                (6, 'residence_authorisation', f"art. 10(4) {law}"),
                (7, 'national_id', '-'),
                (8, 'lycee', '-'),
                (8, 'diploma', f"art. 10(1) {law}")])
        self.assertIn("7 rows read: 2 applications imported, 5 rows "
            "refused.\nrow 4, field vae_years: at least 3 years of "
            "experience full-time equivalent (art. 11(1)", report.text())
        # The person is found again by the national number
        again = ApplicationImporter(world['ltc']).import_rows(
            read_rows(data, 'myguichet.csv'))
        self.assertEqual(again.applications, [])
        self.assertEqual(again.refusals[0][:2], (2, 'national_id'))
