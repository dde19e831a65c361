# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The diploma and its mention under the law of 2023 and the legacy
regulations (RULES.md §E.7, §H.9), the transcript and the supplement, the
list of graduates to the minister (art. 26(4)) and the ministry's figures."""
import datetime as dt
import io
import unittest
import zipfile
from decimal import Decimal
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.bts_programme.tests.test_report import odt_text
from trytond.modules.bts_student.diploma import mention, truncate
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction, check_access

from .diploma_tools import (
    create_programme,
    create_student,
    load_french,
    set_results,
    uniform,
    year,
)

# RULES.md §H.9 and each bound of each table from both sides: average,
# 2023 law, RGD 2010, RM 1997; None is a BTS without mention.
H9 = [
    ('10.00', 'passable', None, 'satisfactory'),
    ('11.99', 'passable', None, 'satisfactory'),
    ('12.00', 'fairly_good', 'fairly_good', 'fairly_good'),
    ('13.99', 'fairly_good', 'fairly_good', 'fairly_good'),
    ('14.00', 'good', 'good', 'fairly_good'),
    ('14.99', 'good', 'good', 'fairly_good'),
    ('15.00', 'good', 'good', 'good'),
    ('15.99', 'good', 'good', 'good'),
    ('16.00', 'very_good', 'very_good', 'good'),
    ('16.99', 'very_good', 'very_good', 'good'),
    ('17.00', 'very_good', 'very_good', 'very_good'),
    ('17.99', 'very_good', 'very_good', 'very_good'),
    ('18.00', 'excellent', 'excellent', 'very_good'),
    ('20.00', 'excellent', 'excellent', 'very_good'),
    ]
REGIMES = ['law_2023', 'rgd_2010', 'rm_1997']


class MentionTestCase(unittest.TestCase):
    "The mention tables, without a database"

    def test_tables(self):
        "Each row of §H.9 under each regime"
        for average, *expected in H9:
            for regime, name in zip(REGIMES, expected, strict=True):
                with self.subTest(average=average, regime=regime):
                    self.assertEqual(
                        mention(Decimal(average), regime), name)

    def test_below_pass_mark(self):
        "9.99: no BTS under any regime, exemption or not"
        for regime in REGIMES:
            for exempted in [False, True]:
                with self.subTest(regime=regime, exempted=exempted), \
                        self.assertRaises(ValueError):
                    mention(Decimal('9.99'), regime, exempted)

    def test_exemption(self):
        "16.5 with a VAE exemption: no mention under the law of 2023"
        self.assertEqual(mention(Decimal('16.5'), 'law_2023'), 'very_good')
        self.assertIsNone(mention(Decimal('16.5'), 'law_2023', True))
        self.assertIsNone(mention(Decimal('10.00'), 'law_2023', True))

    def test_truncate(self):
        "The average shown never reaches a bound the exact one misses"
        self.assertEqual(truncate(Decimal('9.995')), Decimal('9.99'))
        self.assertEqual(truncate(Decimal('11.999')), Decimal('11.99'))
        self.assertEqual(truncate(Decimal('12')), Decimal('12.00'))


class DiplomaTestCase(unittest.TestCase):
    "Awarding the BTS from the module results"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_indemnity', 'bts_jury', 'bts_student'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def award(self, student, **values):
        "Award the diploma of student, the draft one left by a refusal"
        Diploma = Pool().get('bts.student.diploma')
        values = {'issue_date': dt.date(2026, 7, 10), **values}
        diploma = Diploma.search([('student', '=', student.id)])
        if diploma:
            Diploma.write(diploma, values)
        else:
            diploma = Diploma.create([{'student': student.id, **values}])
        Diploma.award(diploma)
        return diploma[0]

    @with_transaction()
    def test_mentions_2023(self):
        "The mention of each average, one student per average"
        programme = create_programme()
        for i, (average, expected, *_) in enumerate(H9):
            with self.subTest(average=average):
                student = create_student(programme, f"Student {i}")
                set_results(student, uniform(programme, average))
                diploma = self.award(student)
                self.assertEqual(diploma.average, Decimal(average))
                self.assertEqual(diploma.mention, expected)
                self.assertEqual(diploma.ects, Decimal(120))
                self.assertFalse(diploma.exempted)
                self.assertEqual(student.state, 'graduated')
                self.assertEqual(student.graduation_date, dt.date(2026, 7, 10))

    @with_transaction()
    def test_weighted_average(self):
        """Modules weighted by their ECTS (§K.11): M1 (12 ECTS) at 20 and the
        108 others at 11.50 → (240 + 1242) / 120 = 12.35, assez bien"""
        programme = create_programme()
        student = create_student(programme, "Weighted")
        set_results(student, {**uniform(programme, '11.50'), 'M1': '20'})
        diploma = self.award(student)
        self.assertEqual(diploma.average, Decimal('12.35'))
        self.assertEqual(diploma.mention, 'fairly_good')

    @with_transaction()
    def test_refusals(self):
        """No BTS while a module is not validated, its validity is over, or
        the average is below 10"""
        programme = create_programme()
        missing = create_student(programme, "Missing")
        set_results(missing, uniform(programme, '15', but=['TFE']))
        with self.assertRaises(UserError) as cm:
            self.award(missing)
        self.assertIn('the modules TFE', cm.exception.message)
        self.assertIn('art. 26(1)', cm.exception.message)
        self.assertEqual(missing.state, 'enrolled')

        failed = create_student(programme, "Failed")
        set_results(failed, {**uniform(programme, '15'), 'S1': '9.99'})
        with self.assertRaises(UserError):
            self.award(failed)

        expired = create_student(programme, "Expired")
        set_results(expired, uniform(programme, '15'),
            validated=dt.date(2021, 6, 20))
        with self.assertRaises(UserError) as cm:
            self.award(expired)
        # Validated on 20 June 2021: valid through 19 June 2026
        self.assertIn('M1', cm.exception.message)
        self.award(expired, issue_date=dt.date(2026, 6, 19))

    @with_transaction()
    def test_exemption(self):
        """16.50 with a VAE exemption (art. 11(2)): the BTS without mention;
        the exempted module has no grade and is not averaged"""
        programme = create_programme()
        student = create_student(programme, "VAE")
        set_results(student, uniform(programme, '16.50', but=['M1']),
            exempted=['M1'])
        diploma = self.award(student)
        self.assertEqual(diploma.average, Decimal('16.50'))
        self.assertTrue(diploma.exempted)
        self.assertIsNone(diploma.mention)
        self.assertEqual(diploma.ects, Decimal(120))
        self.assertEqual(student.state, 'graduated')

    @with_transaction()
    def test_legacy(self):
        """A historical record keeps the table of its regime and the
        average of its records"""
        programme = create_programme()
        for i, (average, _, rgd, rm) in enumerate(H9):
            for regime, expected in [('rgd_2010', rgd), ('rm_1997', rm)]:
                with self.subTest(average=average, regime=regime):
                    student = create_student(
                        programme, f"Legacy {regime} {i}", intake=2024)
                    diploma = self.award(student, regime=regime,
                        average=Decimal(average))
                    self.assertEqual(diploma.mention, expected)
        student = create_student(programme, "Legacy refused")
        with self.assertRaises(UserError) as cm:
            self.award(student, regime='rm_1997', average=Decimal('9.99'))
        self.assertIn('9.99 is below 10', cm.exception.message)

    def render(self, report_name, record):
        "Return the words of the record's report"
        Report = Pool().get(report_name, type='report')
        ext, content, _, _ = Report.execute([record.id], {})
        self.assertEqual(ext, 'odt')
        with zipfile.ZipFile(io.BytesIO(content)) as odt:
            return odt_text(odt.read('content.xml').decode('utf-8'))

    @with_transaction()
    def test_documents(self):
        """The transcript signed by the director and the supplement, in
        English and French, with the grades and the mention"""
        programme = create_programme()
        student = create_student(programme, "Anne Muller")
        set_results(student, {**uniform(programme, '14.25'), 'M1': '17.5'})
        diploma = self.award(student)
        self.assertEqual(diploma.mention, 'good')

        words = self.render('bts.student.transcript', student)
        for text in ["Transcript of grades", "Anne Muller",
                "BTS-INFO - Computer Science", "M1 - Programming",
                "17.50", "14.25", "Validated",
                "ECTS validated: 120.0 of 120.0",
                "Weighted average of the module grades: 14.57",
                "Mention: Good", "The director of the lycée",
                "Director LTC", "art. 14(3) of the law of 21 July 2023"]:
            with self.subTest(text=text):
                self.assertIn(text, words)
        words = self.render('bts.student.diploma.supplement', diploma)
        for text in ["Diploma supplement", "1. The holder", "Anne Muller",
                "Brevet de technicien supérieur (BTS)", "Lycée LTC",
                "English, French", "Level 5", "Two academic years",
                "M3", "14.25", "Mention: Good", "Director LTC"]:
            with self.subTest(text=text):
                self.assertIn(text, words)

        load_french()
        with Transaction().set_context(language='fr'):
            words = self.render('bts.student.transcript', student)
            for text in ["Relevé de notes", "Anne Muller", "17,50",
                    "Validé", "Mention : bien", "Le directeur du lycée"]:
                with self.subTest(text=text):
                    self.assertIn(text, words)
            words = self.render('bts.student.diploma.supplement', diploma)
            for text in ["Supplément au diplôme", "Titulaire",
                    "Niveau 5", "Mention : bien"]:
                with self.subTest(text=text):
                    self.assertIn(text, words)

    @with_transaction()
    def test_graduate_list(self):
        """The graduates of 2025/26 are due to the minister by 15 October
        2026 (art. 26(4)); sent on the 16th, the list is late"""
        pool = Pool()
        GraduateList = pool.get('bts.student.graduate_list')
        Date = pool.get('ir.date')
        programme = create_programme()
        graduate = create_student(programme, "Graduate")
        set_results(graduate, uniform(programme, '12'))
        self.award(graduate)
        create_student(programme, "Not yet")
        list_, = GraduateList.create([{
                    'lycee': programme.lycees[0].id,
                    'academic_year': year(2025).id}])
        self.assertEqual(list_.due_date, dt.date(2026, 10, 15))
        self.assertEqual([d.student.rec_name for d in list_.diplomas],
            ["Graduate"])
        for today, late in [(dt.date(2026, 10, 15), False),
                (dt.date(2026, 10, 16), True)]:
            with self.subTest(today=today), patch.object(
                    Date, 'today', return_value=today):
                self.assertEqual(GraduateList(list_.id).late, late)
        with patch.object(Date, 'today', return_value=dt.date(2026, 10, 16)):
            GraduateList.send([list_])
        self.assertEqual(list_.sent_date, dt.date(2026, 10, 16))
        self.assertTrue(list_.late)
        words = self.render('bts.student.graduate_list.report', list_)
        self.assertIn("Graduate BTS-INFO - Computer Science Fairly Good "
            "10/07/2026", words)

    @with_transaction()
    def test_figures(self):
        """Per programme, lycée and year: admitted, enrolled, graduated,
        dropped out and the rates"""
        pool = Pool()
        Figures = pool.get('bts.student.figures')
        Enrolment = pool.get('bts.student.enrolment')
        Student = pool.get('bts.student')
        programme = create_programme()
        students = [create_student(programme, f"Figure {i}")
            for i in range(4)]
        for student in students:
            for start in [2024, 2025]:
                Enrolment.create([{'student': student.id,
                            'academic_year': year(start).id,
                            'ects': 60, 'state': 'effective'}])
        set_results(students[0], uniform(programme, '12'))
        self.award(students[0])
        Student.withdraw([students[3]])
        rows = {r.academic_year.start_date.year: r
            for r in Figures.search([('programme', '=', programme.id)])}
        self.assertEqual(
            [(rows[2024].admitted, rows[2024].enrolled,
                    rows[2024].graduated, rows[2024].withdrawn,
                    rows[2024].cohort_graduated)],
            [(4, 4, 0, 0, 1)])
        self.assertEqual(
            [(rows[2025].admitted, rows[2025].enrolled,
                    rows[2025].graduated, rows[2025].withdrawn)],
            [(0, 4, 1, 1)])
        self.assertEqual(rows[2025].success_rate, Decimal('75.0'))
        self.assertEqual(rows[2025].dropout_rate, Decimal('25.0'))
        self.assertEqual(rows[2024].graduation_rate, Decimal('25.0'))
        self.assertIsNone(rows[2025].graduation_rate)

    @with_transaction()
    def test_access(self):
        """The student office of another lycée reads neither the diplomas
        nor the figures of this one; the ministry reads but cannot award"""
        pool = Pool()
        User = pool.get('res.user')
        Group = pool.get('res.group')
        ModelData = pool.get('ir.model.data')
        Diploma = pool.get('bts.student.diploma')
        Figures = pool.get('bts.student.figures')
        programme = create_programme()
        other = create_programme("BTS-CLOUD", 'LGL')
        student = create_student(programme, "Private")
        set_results(student, uniform(programme, '13'))
        diploma = self.award(student)
        office = Group(ModelData.get_id('bts_student', 'group_student_office'))
        ministry = Group(ModelData.get_id(
                'bts_programme', 'group_ministry_admin'))
        clerk, admin = User.create([{
                    'login': 'clerk', 'name': "Clerk",
                    'groups': [('add', [office.id])],
                    'bts_lycees': [('add', [other.lycees[0].id])]}, {
                    'login': 'ministry', 'name': "Ministry",
                    'groups': [('add', [ministry.id])]}])
        with Transaction().set_user(clerk.id), check_access():
            self.assertEqual(Diploma.search([]), [])
            self.assertEqual(Figures.search([]), [])
            with self.assertRaises(AccessError):
                Diploma.read([diploma.id], ['mention'])
        with Transaction().set_user(admin.id), check_access():
            self.assertEqual(Diploma.search([]), [diploma])
            self.assertTrue(Figures.search([]))
            with self.assertRaises(AccessError):
                Diploma.write([diploma], {'issue_date': dt.date(2026, 1, 1)})
