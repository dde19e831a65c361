# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Progression proposed to the exam jury (law of 21 July 2023,
art. 13(2)-(5); RULES.md §H.8), each boundary on both sides"""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
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
)

D = Decimal
END = dt.date(2024, 7, 1)
# First-year modules of 12, 11, 1, 6 and 5 ECTS; a second-year module of
# five courses of 1 ECTS
PLAN = [
    ('F1', '1', 'lycee', [12]),
    ('F2', '1', 'lycee', [11]),
    ('F3', '1', 'lycee', [1]),
    ('F4', '1', 'lycee', [6]),
    ('F5', '1', 'lycee', [5]),
    ('X', '2', 'lycee', [1, 1, 1, 1, 1]),
    ]


def validate(programme, student, codes, date=END):
    "Grade 12 in every course of the modules codes"
    for module in programme.modules:
        if module.code in codes:
            for course_ in module.courses:
                evaluate(course_, date, {student: 12})


def propose(students, date=END):
    Proposal = Pool().get('bts.student.proposal')
    return {p.student: p for p in Proposal.propose(students, date)}


class ProgressionTestCase(unittest.TestCase):
    "Progression proposals, re-admission and students at risk"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_indemnity', 'bts_jury', 'bts_student'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def cohort(self, codes, time_status='full_time', intake=2023, years=1,
            date=END):
        """One student per list of module codes validated; return the
        programme and the students"""
        programme = create_programme('PRG', PLAN)
        students = create_students(programme,
            [f"S{i}" for i in range(len(codes))], intake, years=years,
            time_status=time_status)
        for student, modules in zip(students, codes, strict=True):
            validate(programme, student, modules, date)
        return programme, students

    @with_transaction()
    def test_first_year_full_time(self):
        "Full-time: 23 ECTS → exclusion proposed, 24 → continues"
        _, (s23, s24) = self.cohort([['F1', 'F2'], ['F1', 'F2', 'F3']])
        proposals = propose([s23, s24])
        self.assertEqual(proposals[s23].kind, 'exclude_first_year')
        self.assertEqual(proposals[s23].ects_first_year, D(23))
        self.assertIn("art. 13(3)", proposals[s23].reason)
        self.assertEqual(proposals[s23].state, 'proposed')
        self.assertEqual(proposals[s24].kind, 'continue')
        self.assertEqual(proposals[s24].ects_first_year, D(24))
        # Never automatic: the student stays enrolled
        self.assertEqual(s23.state, 'enrolled')

    @with_transaction()
    def test_first_year_part_time(self):
        "Part-time: 11 ECTS → exclusion proposed, 12 → continues"
        _, (s11, s12) = self.cohort([['F2'], ['F1']], 'part_time')
        proposals = propose([s11, s12])
        self.assertEqual(proposals[s11].kind, 'exclude_first_year')
        self.assertEqual(proposals[s12].kind, 'continue')

    @with_transaction()
    def test_first_year_only(self):
        "The threshold is checked at the end of the first year only"
        _, (student,) = self.cohort([['F2']], intake=2022, years=2)
        self.assertEqual(propose([student])[student].kind, 'continue')

    @with_transaction()
    def test_propose_again(self):
        "Proposing again replaces the proposals still proposed"
        Proposal = Pool().get('bts.student.proposal')
        programme, (student,) = self.cohort([['F1', 'F2']])
        propose([student])
        validate(programme, student, ['F3'])
        self.assertEqual(propose([student])[student].kind, 'continue')
        self.assertEqual(
            Proposal.search_count([('student', '=', student.id)]), 1)

    @with_transaction()
    def test_exclusion_grades(self):
        """A course below 8 after the fourth attempt → exclusion proposed;
        after the third → not; a module below 10 with no attempt left on
        its courses below 10 → exclusion proposed"""
        programme, (three, four, module) = self.cohort(
            [['F1', 'F2', 'F3']] * 3)
        days = [dt.date(2023, 10, 1), dt.date(2024, 1, 20),
            dt.date(2024, 3, 1), dt.date(2024, 6, 20)]
        for i, day in enumerate(days):
            grades = {four: 7, module: 9}
            if i < 3:
                grades[three] = 7
            evaluate(course(programme, 'X.1'), day, grades)
        for code in ['X.2', 'X.3', 'X.4', 'X.5']:
            evaluate(course(programme, code), END, {module: 9})
        proposals = propose([three, four, module])
        self.assertEqual(proposals[three].kind, 'continue')
        self.assertEqual(proposals[four].kind, 'exclude_grades')
        self.assertIn('X.1', proposals[four].reason)
        self.assertIn("art. 13(2)", proposals[four].reason)
        # X.2-X.5 at 9 have attempts left: no exclusion on the module yet
        self.assertEqual(proposals[module].kind, 'continue')
        for code in ['X.2', 'X.3', 'X.4', 'X.5']:
            for day in days[:3]:
                evaluate(course(programme, code), day, {module: 9})
        self.assertEqual(propose([module])[module].kind, 'exclude_grades')

    @with_transaction()
    def test_duration_full_time(self):
        """Full-time: 8 semesters allowed, excluded in the 9th unless a
        suspension granted by the director covers a semester"""
        Suspension = Pool().get('bts.student.suspension')
        _, (student, suspended) = self.cohort(
            [['F1', 'F2'], ['F1', 'F2']], intake=2020, years=5)
        proposals = propose([student, suspended], dt.date(2024, 9, 1))
        self.assertEqual(proposals[student].kind, 'continue')
        self.assertEqual(proposals[student].semesters, 8)
        Suspension.create([{'student': suspended.id,
                    'start_date': dt.date(2021, 9, 15),
                    'end_date': dt.date(2022, 2, 14),
                    'reason': "Illness", 'decision_date': dt.date(2021, 9, 1),
                    }])
        proposals = propose([student, suspended], dt.date(2024, 10, 1))
        self.assertEqual(proposals[student].kind, 'exclude_duration')
        self.assertEqual(proposals[student].semesters, 9)
        self.assertIn("art. 13(4)", proposals[student].reason)
        self.assertEqual(proposals[suspended].kind, 'continue')
        self.assertEqual(proposals[suspended].semesters, 8)

    @with_transaction()
    def test_duration_part_time(self):
        "Part-time: 16 semesters allowed, excluded in the 17th"
        _, (student,) = self.cohort(
            [['F1']], 'part_time', intake=2016, years=9)
        proposal = propose([student], dt.date(2024, 9, 1))[student]
        self.assertEqual((proposal.kind, proposal.semesters),
            ('continue', 16))
        proposal = propose([student], dt.date(2024, 10, 1))[student]
        self.assertEqual((proposal.kind, proposal.semesters),
            ('exclude_duration', 17))

    @with_transaction()
    def test_graduate(self):
        "Every module validated → the award of the BTS is proposed"
        _, (student,) = self.cohort([['F1', 'F2', 'F3', 'F4', 'F5', 'X']])
        self.assertEqual(propose([student])[student].kind, 'graduate')

    @with_transaction()
    def test_readmission(self):
        """≤ 4 courses below 8 and ≥ 18 first-year ECTS: 3 courses with 18
        ECTS eligible, 4 with 18 eligible; 5 courses not; 4 with 17 not"""
        programme, students = self.cohort(
            [['F1', 'F4'], ['F1', 'F4'], ['F1', 'F4'], ['F1', 'F5']])
        cases = zip(students, [3, 4, 5, 4], strict=True)
        for student, below in cases:
            for i in range(1, below + 1):
                evaluate(course(programme, f'X.{i}'), END, {student: 5})
        Student = Pool().get('bts.student')
        students = Student.browse(students)
        self.assertEqual([s.courses_below_floor for s in students],
            [3, 4, 5, 4])
        self.assertEqual([s.first_year_ects for s in students],
            [D(18), D(18), D(18), D(17)])
        self.assertEqual([s.readmission_eligible for s in students],
            [True, True, False, False])

    @with_transaction()
    def test_readmission_application(self):
        """An excluded student's application to a later intake re-admits
        the student with an enrolment when eligible (3 courses below 8, 18
        ECTS), and is refused when not (5 courses below 8) (art. 13(5))"""
        pool = Pool()
        Student = pool.get('bts.student')
        Intake = pool.get('bts.student.intake')
        Application = pool.get('bts.student.application')
        programme, students = self.cohort([['F1', 'F4'], ['F1', 'F4']])
        for student, below in zip(students, [3, 5], strict=True):
            for i in range(1, below + 1):
                evaluate(course(programme, f'X.{i}'), END, {student: 5})
        Student.exclude(Student.browse(students))
        intake, = Intake.create([{'programme': programme.id,
                    'lycee': programme.lycees[0].id,
                    'academic_year': create_year(2024).id, 'places': 5}])
        eligible, not_eligible = Application.create([{
                    'party': s.party.id, 'intake': intake.id,
                    'diploma': "Diplôme de fin d'études secondaires",
                    'health_insurance': True} for s in students])
        Application.submit([eligible, not_eligible])
        with self.assertRaises(UserError) as context:
            Application.admit([not_eligible])
        self.assertIn("5 courses below 8/20 and 18.0 ECTS",
            context.exception.message)
        self.assertIn("art. 13(5)", context.exception.message)
        Application.admit([eligible])
        student = Student(students[0].id)
        self.assertEqual(eligible.student, student)
        self.assertEqual(student.state, 'enrolled')
        self.assertEqual(
            [e.academic_year.name for e in student.enrolments],
            ['2024/2025', '2023/2024'])
        self.assertEqual(Student(students[1].id).state, 'excluded')

    @with_transaction()
    def test_at_risk(self):
        """At risk: below the first-year threshold, or from the 7th of 8
        semesters; searched as the lycée's view does"""
        pool = Pool()
        Student = pool.get('bts.student')
        day = dt.date(2023, 12, 1)
        _, (below, above) = self.cohort(
            [['F1', 'F2'], ['F1', 'F2', 'F3']], date=day)
        _, (seventh,) = self.cohort([['F1', 'F2', 'F3']], intake=2020,
            years=4, date=day)
        _, (fifth,) = self.cohort([['F1', 'F2', 'F3']], intake=2021,
            years=3, date=day)
        with Transaction().set_context(date=dt.date(2024, 1, 10)):
            students = Student.browse([below, above, seventh, fifth])
            self.assertEqual([s.at_risk for s in students],
                [True, False, True, False])
            self.assertEqual(students[2].semesters_counted, 7)
            self.assertIn("art. 13(3)", students[0].risks)
            self.assertEqual(
                Student.search([('at_risk', '=', True)], order=[('id',
                            'ASC')]), [below, seventh])

    @with_transaction()
    def test_client_refused(self):
        "A client cannot write a proposal's state by RPC, even the director"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        Proposal = pool.get('bts.student.proposal')
        programme, (student,) = self.cohort([['F1', 'F2']])
        proposal = propose([student])[student]
        for group in [('bts_student', 'group_student_office'),
                ('bts_programme', 'group_lycee_director')]:
            user, = User.create([{
                        'login': group[1], 'name': group[1],
                        'bts_lycees': [('add', [programme.lycees[0].id])],
                        'groups': [('add', [ModelData.get_id(*group)])],
                        }])
            with self.subTest(group=group), \
                    Transaction().set_user(user.id), check_access():
                for values in [{'state': 'accepted'}, {'kind': 'continue'}]:
                    with self.assertRaises(AccessError):
                        Proposal.write([Proposal(proposal.id)], values)
                with self.assertRaises(AccessError):
                    Proposal.create([{'student': student.id,
                                'academic_year': proposal.academic_year.id,
                                'date': END, 'kind': 'graduate'}])
        self.assertEqual(Proposal(proposal.id).state, 'proposed')
