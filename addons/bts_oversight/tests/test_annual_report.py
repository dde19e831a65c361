# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The annual report per programme (issue 17, point 5; law of 21 July 2023,
art. 64): its teaching-body figures from the teachers, the contracts and
the approved declarations of 2024/25; its students' figures from
bts_student; due by 31 December 2025 and late on 1 January 2026; its ODT
and XLSX documents."""
import datetime as dt
import io
import unittest
import zipfile
from decimal import Decimal
from unittest import mock

from openpyxl import load_workbook

from proteus import Model, Report
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.bts_indemnity.tests.tools import approve, lessons
from trytond.modules.bts_programme.tests.tools import (
    accredit,
    add_valid_plan,
    create_academic_year,
    create_contract,
    create_lycee,
    create_provider,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules, set_user
from trytond.transaction import Transaction


def today(day):
    "Patch the server's today"
    return mock.patch.object(Pool(DB_NAME).get('ir.date'), 'today',
        staticmethod(lambda timezone=None: day))


def active(contract):
    contract.minister_signature_date = dt.date(2024, 9, 25)
    contract.click('activate')
    return contract


class AnnualReportTestCase(unittest.TestCase):
    """CLOUD at the Lycée Technique du Centre in 2024/25, its second year:
    840 lessons planned at the lycée (540 + 300); two teachers; an external
    lecturer of CLQ 7 (30 lessons approved), one of CLQ 5 (12 approved, 5
    in draft) and a specialised lecturer (4 approved); five students"""

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules(['bts_oversight', 'bts_student'])
        cls.lycee = create_lycee('LTC', "Lycée Technique du Centre")
        other = create_lycee('LVB', "Lycée Vauban")
        create_academic_year(2023)
        cls.year = create_academic_year(2024)
        cls.next_year = create_academic_year(2025)
        Programme = Model.get('bts.programme')
        programme = Programme(code='CLOUD', name="Cloud")
        for lycee in [cls.lycee, other]:
            programme.lycees.append(Model.get('bts.lycee')(lycee.id))
        add_valid_plan(programme)
        programme.save()
        cls.programme = accredit(programme, decision_year=2023)
        Teacher = Model.get('bts.programme.teacher')
        Party = Model.get('party.party')
        for name in ["Teacher One", "Teacher Two"]:
            party = Party(name=name)
            party.save()
            Teacher(party=party, programme=cls.programme,
                academic_year=cls.year).save()
        signed = dt.date(2024, 9, 20)
        anne = create_provider("Anne Clq7", [dict(kind='diploma',
                    title="Master", clq_level='7', registration='national')])
        bob = create_provider("Bob Clq5", [dict(kind='diploma',
                    title="BTS", clq_level='5', registration='national')])
        carl = create_provider("Carl Specialist")
        anne_contract = active(create_contract(anne, cls.programme, cls.year,
                [('M1.1', 'winter', 100)], signed=signed))
        bob_contract = active(create_contract(bob, cls.programme, cls.year,
                [('M3.1', 'winter', 60)], signed=signed))
        carl_contract = active(create_contract(carl, cls.programme, cls.year,
                [('M2.1', 'summer', 10)], role='specialised', signed=signed))
        approve(lessons(anne_contract, dt.date(2024, 10, 7), 'M1.1', 30))
        approve(lessons(bob_contract, dt.date(2024, 10, 8), 'M3.1', 12))
        lessons(bob_contract, dt.date(2024, 11, 4), 'M3.1', 5)
        approve(lessons(carl_contract, dt.date(2025, 3, 3), 'M2.1', 4))
        cls.students()
        Report_ = Model.get('bts.oversight.annual_report')
        cls.report = Report_(programme=cls.programme,
            lycee=Model.get('bts.lycee')(cls.lycee.id),
            academic_year=cls.year, problems="Few internship places.")
        cls.report.forecasts.new(academic_year=cls.next_year, students=24)
        cls.report.save()

    @classmethod
    def students(cls):
        """Five students of CLOUD at LTC with an effective enrolment in
        2024/25 (one part-time, two of the 2024 intake), of whom one
        graduated, one excluded and one withdrew; one more in draft and one
        at the other lycée, not counted"""
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Party = pool.get('party.party')
            Student = pool.get('bts.student')
            Enrolment = pool.get('bts.student.enrolment')
            Lycee = pool.get('bts.lycee')
            ltc, = Lycee.search([('code', '=', 'LTC')])
            lvb, = Lycee.search([('code', '=', 'LVB')])
            rows = [
                ('S1', ltc, 2023, 'graduated', 'full_time', 'effective'),
                ('S2', ltc, 2023, 'excluded', 'full_time', 'effective'),
                ('S3', ltc, 2024, 'withdrawn', 'part_time', 'effective'),
                ('S4', ltc, 2024, 'enrolled', 'full_time', 'effective'),
                ('S5', ltc, 2023, 'enrolled', 'full_time', 'effective'),
                ('S6', ltc, 2024, 'enrolled', 'full_time', 'draft'),
                ('S7', lvb, 2024, 'enrolled', 'full_time', 'effective'),
                ]
            years = {2023: cls.year.id - 1, 2024: cls.year.id}
            for name, lycee, intake, state, time_status, enrolment in rows:
                party, = Party.create([{'name': name}])
                student, = Student.create([{'party': party.id,
                            'programme': cls.programme.id,
                            'lycee': lycee.id, 'intake': years[intake],
                            'state': state}])
                Enrolment.create([{'student': student.id,
                            'academic_year': cls.year.id,
                            'time_status': time_status,
                            'ects': 30 if time_status == 'part_time' else 60,
                            'state': enrolment}])
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def test_teaching_body(self):
        """2 teachers, 3 providers, 840 planned lessons: 30 + 12 external
        and 4 specialised lessons delivered (the draft's 5 not), 794 by the
        teachers, an external share of 46 / 840 = 5.5 %"""
        report = self.report
        self.assertEqual((report.teachers, report.external_providers,
                report.planned_lessons, report.external_lessons,
                report.specialised_lessons, report.teacher_lessons,
                report.external_share),
            (2, 3, 840, 42, 4, 794, Decimal('5.5')))

    def test_due_and_late(self):
        """Due by 31 December 2025 (sent that day: on time), late on 1
        January 2026"""
        Report_ = Model.get('bts.oversight.annual_report')
        self.assertEqual(self.report.due_date, dt.date(2025, 12, 31))
        for day, status in [(dt.date(2025, 12, 31), 'due'),
                (dt.date(2026, 1, 1), 'late')]:
            with today(day):
                self.assertEqual(Report_(self.report.id).status, status)
                self.assertEqual(Report_.find([('status', '=', status)]),
                    [self.report])
        report = Report_(self.report.id)
        with today(dt.date(2025, 12, 31)):
            report.click('send')
        self.assertEqual((report.state, report.sent_date, report.status),
            ('sent', dt.date(2025, 12, 31), 'sent'))
        with today(dt.date(2026, 1, 1)):
            self.assertEqual(Report_.find([('status', '=', 'late')]), [])
        report.click('draft')

    def test_one_report_per_programme_lycee_year(self):
        Report_ = Model.get('bts.oversight.annual_report')
        with self.assertRaises(UserError):
            Report_(programme=self.programme, lycee=self.report.lycee,
                academic_year=self.year).save()

    def test_students(self):
        """5 enrolled (4 full-time, 1 part-time), 2 admitted in 2024/25, 1
        graduate (20 %), 1 excluded and 1 withdrawn: 40 % drop-out"""
        with Transaction().start(DB_NAME, 0, readonly=True):
            report = Pool().get('bts.oversight.annual_report')(
                self.report.id)
            figures = report.student_figures()
        self.assertEqual(figures, {
                'headcount': 5, 'full_time': 4, 'part_time': 1,
                'admitted': 2, 'graduated': 1, 'excluded': 1, 'withdrawn': 1,
                'success_rate': Decimal('20.0'),
                'drop_out_rate': Decimal('40.0'),
                })

    def test_documents(self):
        """The XLSX: the figures, a row per member with their CLQ level and
        lessons, the students, the forecast; the ODT names the programme"""
        _, content, _, _ = Report(
            'bts.oversight.annual_report.xlsx').execute([self.report])
        workbook = load_workbook(io.BytesIO(content))
        figures = dict(workbook.worksheets[0].iter_rows(
                min_row=2, values_only=True))
        self.assertEqual(figures["External Share (%)"], 5.5)
        members = list(workbook.worksheets[1].iter_rows(
                min_row=2, values_only=True))
        self.assertIn(("Anne Clq7", "External Lecturer (Intervenant "
                "externe)", "Level 7", "External Lecturer, CLQ 7-8 or Art. "
                "11 e)", 100, 30), members)
        self.assertIn(("Bob Clq5", "External Lecturer (Intervenant "
                "externe)", "Level 5", "External Lecturer, CLQ 5 or Art. "
                "11 c)", 60, 12), members)
        self.assertEqual(len(members), 5)
        students = dict(workbook.worksheets[2].iter_rows(
                min_row=2, values_only=True))
        self.assertEqual(students["Drop-out rate (%)"], 40)
        forecast = list(workbook.worksheets[3].iter_rows(
                min_row=2, values_only=True))
        self.assertEqual(forecast, [(self.next_year.rec_name, 24)])
        extension, content, _, _ = Report(
            'bts.oversight.annual_report').execute([self.report])
        self.assertEqual(extension, 'odt')
        with zipfile.ZipFile(io.BytesIO(content)) as odt:
            text = odt.read('content.xml').decode()
        for expected in ["CLOUD", "Anne Clq7", "Few internship places.",
                "794", "Drop-out rate (%)"]:
            self.assertIn(expected, text)

    def user(self, login, group, lycee):
        User = Model.get('res.user')
        Group = Model.get('res.group')
        user = User(login=login, name=login)
        user.groups.append(Group.find([('name', '=', group)])[0])
        user.bts_lycees.append(Model.get('bts.lycee')(lycee.id))
        user.save()
        return user

    def test_access(self):
        """The director of another lycée does not see the report; the HR
        officer of the lycée reads it but cannot send it; its director
        can"""
        Lycee = Model.get('bts.lycee')
        other, = Lycee.find([('code', '=', 'LVB')])
        users = [self.user('dir.lvb', "BTS Lycée Director", other),
            self.user('rh.ltc', "BTS Lycée HR", self.lycee),
            self.user('dir.ltc', "BTS Lycée Director", self.lycee)]
        Report_ = Model.get('bts.oversight.annual_report')
        try:
            set_user(users[0])
            self.assertEqual(Report_.find([]), [])
            with self.assertRaises(AccessError):
                _ = Report_(self.report.id).programme
            set_user(users[1])
            report = Report_(self.report.id)
            self.assertEqual(report.teachers, 2)
            with self.assertRaises(AccessButtonError):
                report.click('send')
            set_user(users[2])
            report = Report_(self.report.id)
            report.click('send')
            self.assertEqual(report.state, 'sent')
            report.click('draft')
        finally:
            set_user(1)
