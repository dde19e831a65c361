# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Evaluations, grades, course and module results (law of 21 July 2023,
art. 13(1)-(2); RULES.md §H.8), each boundary on both sides"""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.bts_student.grade import module_average
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction, check_access

from .tools import (
    course,
    create_programme,
    create_students,
    create_year,
    evaluate,
    module,
)

D = Decimal
JUNE = dt.date(2024, 6, 20)
# A: 4 + 6 ECTS; B: 3 + 2; C: 5 + 5; S: internship; T: final project
PLAN = [
    ('A', '1', 'lycee', [4, 6]),
    ('B', '1', 'lycee', [3, 2]),
    ('C', '1', 'lycee', [5, 5]),
    ('S', '2', 'internship', [6]),
    ('T', '2', 'tfe', [6]),
    ]


def setup(names=("Anne", "Ben")):
    programme = create_programme('GRD', PLAN)
    students = create_students(programme, names, 2023, years=2)
    return programme, students


def result(student, module_):
    ModuleResult = Pool().get('bts.student.module_result')
    results = ModuleResult.search([
            ('student', '=', student.id), ('module', '=', module_.id)])
    return results[0] if results else None


def course_result(student, course_):
    CourseResult = Pool().get('bts.student.course_result')
    record, = CourseResult.search([
            ('student', '=', student.id), ('course', '=', course_.id)])
    return record


class GradeTestCase(unittest.TestCase):
    "Grades and results"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_indemnity', 'bts_jury', 'bts_student'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def module_of(self, grades, code):
        "The module result of one student graded grades on its courses"
        programme, (student, _) = setup()
        for i, value in enumerate(grades, 1):
            evaluate(course(programme, f'{code}.{i}'), JUNE,
                {student: value})
        return result(student, module(programme, code))

    @with_transaction()
    def test_weighted_validated(self):
        "4 ECTS at 12.0 + 6 ECTS at 9.0 → 10.2, validated with 10 ECTS"
        record = self.module_of([12, 9], 'A')
        self.assertEqual(record.grade, D('10.20'))
        self.assertTrue(record.complete)
        self.assertTrue(record.validated)
        self.assertEqual(record.ects, D(10))
        self.assertEqual(record.lowest, D(9))

    @with_transaction()
    def test_course_below_floor(self):
        """3 at 15.0 + 2 at 7.5 → 12.0 not validated, the 15.0 kept 24
        months"""
        record = self.module_of([15, D('7.5')], 'B')
        self.assertEqual(record.grade, D('12.00'))
        self.assertFalse(record.validated)
        self.assertEqual(record.ects, D(0))
        kept = course_result(record.student, course(
                record.module.programme, 'B.1'))
        self.assertEqual(kept.acquired_until, dt.date(2026, 6, 19))
        below = course_result(record.student, course(
                record.module.programme, 'B.2'))
        self.assertIsNone(below.acquired_until)

    @with_transaction()
    def test_average_below(self):
        "5 at 9.0 + 5 at 10.5 → 9.75, not validated"
        record = self.module_of([9, D('10.5')], 'C')
        self.assertEqual(record.grade, D('9.75'))
        self.assertFalse(record.validated)

    @with_transaction()
    def test_exact_boundaries(self):
        """Average exactly 10.00 with the lowest exactly 8.00 → validated;
        7.99 in a course or 9.99 on average → not"""
        self.assertTrue(self.module_of([12, 8], 'C').validated)
        Transaction().rollback()
        record = self.module_of([D('12.01'), D('7.99')], 'C')
        self.assertEqual(record.grade, D('10.00'))
        self.assertFalse(record.validated)
        Transaction().rollback()
        record = self.module_of([D('11.99'), 8], 'C')
        self.assertEqual(record.grade, D('9.99'))
        self.assertFalse(record.validated)

    @with_transaction()
    def test_truncated_average(self):
        "9.995 is shown 9.99, never 10.00, and is not validated"
        self.assertEqual(
            module_average([(D('9.99'), D(1)), (D(10), D(1))]), D('9.99'))
        self.assertEqual(module_average([]), None)

    @with_transaction()
    def test_skipped(self):
        "A skipped evaluation → not validated, whatever the average"
        programme, (student, _) = setup()
        evaluate(course(programme, 'A.1'), JUNE, {student: 14})
        evaluate(course(programme, 'A.2'), JUNE, {student: 'ABS'})
        record = result(student, module(programme, 'A'))
        self.assertEqual(record.grade, D(14))
        self.assertFalse(record.complete)
        self.assertFalse(record.validated)
        # The course sat before and missed at its latest evaluation
        evaluate(course(programme, 'A.2'), dt.date(2024, 1, 20),
            {student: 14})
        record = result(student, module(programme, 'A'))
        self.assertFalse(record.validated)
        evaluate(course(programme, 'A.2'), dt.date(2024, 7, 1),
            {student: 14})
        self.assertTrue(result(student, module(programme, 'A')).validated)

    @with_transaction()
    def test_attempts(self):
        "7, 9, 12, 11 → 11; a fifth refused; 12 then 9 → 9"
        programme, (anne, ben) = setup()
        c = course(programme, 'A.1')
        days = [dt.date(2023, 10, 1), dt.date(2024, 1, 20),
            dt.date(2024, 3, 1), dt.date(2024, 6, 20)]
        for day, value in zip(days, [7, 9, 12, 11], strict=True):
            evaluate(c, day, {anne: value})
        record = course_result(anne, c)
        self.assertEqual(record.final_grade, D(11))
        self.assertEqual(record.attempts, 4)
        self.assertEqual(record.grade_date, dt.date(2024, 6, 20))
        Grade = Pool().get('bts.student.grade')
        self.assertEqual([g.attempt for g in Grade.search(
                        [('student', '=', anne.id)],
                        order=[('evaluation.date', 'ASC')])], [1, 2, 3, 4])
        # An evaluation missed is no attempt
        evaluate(c, dt.date(2024, 7, 2), {anne: 'ABS', ben: 12})
        evaluate(c, dt.date(2024, 7, 3), {ben: 9})
        record = course_result(ben, c)
        self.assertEqual((record.final_grade, record.attempts), (D(9), 2))
        with self.assertRaises(ValidationError) as refusal:
            evaluate(c, dt.date(2024, 7, 4), {anne: 15})
        self.assertIn("4 times", refusal.exception.message)
        self.assertIn("art. 13(2)", refusal.exception.message)

    @with_transaction()
    def test_range(self):
        "0 and 20 pass; 20.01, -0.01 and three decimals are refused"
        programme, (anne, ben) = setup()
        evaluate(course(programme, 'A.1'), JUNE, {anne: 20, ben: 0})
        for value in ['20.01', '-0.01']:
            with self.subTest(value=value), \
                    self.assertRaises(ValidationError) as refusal:
                evaluate(course(programme, 'A.2'), JUNE, {anne: value})
            self.assertIn("art. 13(1)", refusal.exception.message)
        with self.assertRaises(ValidationError):
            evaluate(course(programme, 'A.2'), JUNE, {anne: '12.345'})

    @with_transaction()
    def test_fraud(self):
        "Fraud or plagiarism → 0, deemed present (art. 20(4))"
        programme, (anne, _) = setup()
        evaluation = evaluate(course(programme, 'A.1'), JUNE, {anne: 'FRAUD'})
        grade, = evaluation.grades
        self.assertEqual((grade.value, grade.state, grade.attempt),
            (D(0), 'fraud', 1))
        Grade = Pool().get('bts.student.grade')
        evaluation = evaluate(course(programme, 'A.2'), JUNE, {anne: 15})
        grade, = evaluation.grades
        Grade.write([grade], {'fraud': True})
        self.assertEqual(grade.value, D(0))
        record = result(anne, module(programme, 'A'))
        self.assertEqual(record.lowest, D(0))
        self.assertFalse(record.validated)

    @with_transaction()
    def test_alternative(self):
        """An alternative evaluation for a lycée course, not for an
        internship or a final project, and only of the methods of
        art. 13(1) al. 3"""
        programme, (anne, _) = setup()
        evaluate(course(programme, 'A.1'), JUNE, {anne: 12},
            kind='alternative', method='oral')
        for code in ['S.1', 'T.1']:
            with self.subTest(code=code), \
                    self.assertRaises(ValidationError) as refusal:
                evaluate(course(programme, code), JUNE, {},
                    kind='alternative', method='report')
            self.assertIn("art. 13(2)", refusal.exception.message)
        evaluate(course(programme, 'S.1'), JUNE, {anne: 14},
            method='internship')
        with self.assertRaises(ValidationError):
            evaluate(course(programme, 'A.2'), JUNE, {},
                kind='alternative', method='continuous')

    @with_transaction()
    def test_five_years(self):
        """Validated 20 Jun 2024 → valid through 19 Jun 2029, not on 20 Jun
        2029; lost when the module is removed from the plan"""
        record = self.module_of([12, 9], 'A')
        self.assertEqual(record.validation_date, JUNE)
        self.assertEqual(record.valid_until, dt.date(2029, 6, 19))
        self.assertTrue(record.valid_on(dt.date(2029, 6, 19)))
        self.assertFalse(record.valid_on(dt.date(2029, 6, 20)))
        self.assertFalse(record.valid_on(dt.date(2024, 6, 19)))
        Module = Pool().get('bts.programme.module')
        student = record.student
        Module.delete([record.module])
        ModuleResult = Pool().get('bts.student.module_result')
        self.assertEqual(
            ModuleResult.search([('student', '=', student.id)]), [])

    @with_transaction()
    def test_exempted(self):
        """An exempted module counts as validated with its ECTS and no
        grade; removing the exemption removes them"""
        Exemption = Pool().get('bts.student.exemption')
        programme, (anne, _) = setup()
        exemption, = Exemption.create([{'student': anne.id,
                    'module': module(programme, 'C').id,
                    'reason': 'readmission', 'date': JUNE}])
        record = result(anne, module(programme, 'C'))
        self.assertEqual((bool(record.validated), bool(record.exempted),
                record.ects, record.grade), (True, True, D(10), None))
        self.assertTrue(record.valid_on(dt.date(2040, 1, 1)))
        Exemption.delete([exemption])
        self.assertIsNone(result(anne, module(programme, 'C')))

    @with_transaction()
    def test_acquired_24_months(self):
        """A course grade of 10 or more in a module not validated is kept 24
        months: counted up to the last day, not after"""
        programme, (anne, ben) = setup()
        create_year(2025)
        evaluate(course(programme, 'A.1'), dt.date(2023, 10, 1),
            {anne: 12, ben: 12})
        evaluate(course(programme, 'A.2'), dt.date(2023, 10, 1),
            {anne: 5, ben: 5})
        kept = course_result(anne, course(programme, 'A.1'))
        self.assertEqual(kept.acquired_until, dt.date(2025, 9, 30))
        evaluate(course(programme, 'A.2'), dt.date(2025, 9, 30),
            {anne: 10})
        evaluate(course(programme, 'A.2'), dt.date(2025, 10, 1),
            {ben: 10})
        self.assertTrue(result(anne, module(programme, 'A')).validated)
        record = result(ben, module(programme, 'A'))
        self.assertFalse(record.validated)
        self.assertFalse(record.complete)

    @with_transaction()
    def test_one_pass(self):
        "A grid of grades updates the results of its students at once"
        pool = Pool()
        Evaluation = pool.get('bts.student.evaluation')
        Grade = pool.get('bts.student.grade')
        names = [f"Student {i}" for i in range(20)]
        programme, students = setup(names)
        evaluation = evaluate(course(programme, 'A.1'), JUNE, {})
        Evaluation.fill_students([evaluation])
        self.assertEqual(len(evaluation.grades), 20)
        self.assertEqual({g.state for g in evaluation.grades}, {'pending'})
        grades = list(evaluation.grades)
        args = []
        for i, grade in enumerate(grades):
            args.extend(([grade], {'value': D(10 + i % 10)}))
        Grade.write(*args)
        CourseResult = pool.get('bts.student.course_result')
        self.assertEqual(len(CourseResult.search([
                        ('course', '=', course(programme, 'A.1').id)])), 20)
        # Filling again adds nobody
        Evaluation.fill_students([evaluation])
        self.assertEqual(len(evaluation.grades), 20)

    @with_transaction()
    def test_client_refused(self):
        """A client cannot write a grade's attempt or state, nor a result,
        by RPC (as the lycée's student office)"""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        Grade = pool.get('bts.student.grade')
        ModuleResult = pool.get('bts.student.module_result')
        programme, (anne, _) = setup()
        evaluation = evaluate(course(programme, 'A.1'), JUNE, {anne: 12})
        evaluate(course(programme, 'A.2'), JUNE, {anne: 9})
        grade, = evaluation.grades
        record = result(anne, module(programme, 'A'))
        office, = User.create([{
                    'login': 'office', 'name': "Office",
                    'bts_lycees': [('add', [programme.lycees[0].id])],
                    'groups': [('add', [ModelData.get_id(
                                    'bts_student', 'group_student_office')])],
                    }])
        with Transaction().set_user(office.id), check_access():
            Grade.write([Grade(grade.id)], {'value': D(13)})
            # Logged with the grade before and after (art. 32)
            Log = pool.get('ir.model.log')
            with Transaction().set_user(0):
                entry, = Log.search([('model', '=', 'bts.student.grade'),
                        ('event', '=', 'write'), ('user', '=', office.id)])
            self.assertEqual(
                (entry.old_values.count('12'), entry.new_values.count('13')),
                (1, 1))
            # The results computed from it too, and reading their grades
            ModuleResult.read([record.id], ['grade'])
            with Transaction().set_user(0):
                self.assertEqual({e.event for e in Log.search([
                                ('model', '=', 'bts.student.module_result'),
                                ('user', '=', office.id),
                                ])}, {'write', 'read'})
            for values in [{'attempt': 3}, {'state': 'graded'}]:
                with self.subTest(values=values), \
                        self.assertRaises(AccessError):
                    Grade.write([Grade(grade.id)], values)
            with self.assertRaises(AccessError):
                ModuleResult.write([ModuleResult(record.id)],
                    {'validated': False})
            with self.assertRaises(AccessError):
                ModuleResult.create([{'student': anne.id,
                            'module': record.module.id, 'validated': True}])
        self.assertEqual(result(anne, module(programme, 'A')).grade,
            D('10.60'))
        # The auditor, who may not read the students' records, gets the
        # other entries of the log without them (and without an error)
        auditor, = User.create([{'login': 'auditor', 'name': "Auditor",
                    'groups': [('add', [ModelData.get_id(
                                    'bts_programme', 'group_auditor')])],
                    }])
        with Transaction().set_user(auditor.id), check_access():
            models = {e.model for e in Log.search([])}
            self.assertIn('res.user', models)
            self.assertFalse(
                {m for m in models if m.startswith('bts.student')})

