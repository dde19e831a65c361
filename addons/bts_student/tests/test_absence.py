# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Absences (art. 19 12° of the law of 21 July 2023): the share of the
semester's scheduled lessons missed without justification, computed in SQL
for a whole list; 59 of 300 (19.67 %) is no offence, 60 of 300 (20.00 %)
is; 1999 of 10000 (19.99 %) is not, 2000 (20.00 %) is; the lycée sees the
students from 15 %."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.model.modelstorage import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .life_tools import (
    course,
    create_programme,
    create_student,
    create_year,
    user_of,
)

WINTER = dt.date(2025, 10, 6)


def absent(student, course_, lessons, justified=False, date=WINTER):
    Absence = Pool().get('bts.student.absence')
    absence, = Absence.create([{
                'student': student.id, 'course': course_.id, 'date': date,
                'lessons': lessons, 'justified': justified,
                }])
    return absence


def rates(students):
    "The rate rows of students, by the student's name"
    Rate = Pool().get('bts.student.absence.rate')
    return {r.student.party.name: r for r in Rate.search([
                ('student', 'in', [s.id for s in students])])}


class AbsenceTestCase(unittest.TestCase):
    "The 20 % rule of unjustified absences"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_indemnity', 'bts_jury', 'bts_student'])

    def _cohort(self, counts, modules=None, course_code='M1.1'):
        """Students of a new programme absent without justification from
        course_code for each count of lessons"""
        lycee, programme = create_programme(modules=modules)
        year = create_year(2025)
        students = []
        for index, count in enumerate(counts):
            student = create_student(
                f"Student {index} ({count})", lycee, programme, year)
            absent(student, course(programme, course_code), count)
            students.append(student)
        return lycee, programme, students

    @with_transaction()
    def test_threshold_300(self):
        "59 of the 300 scheduled lessons: 19.67 %; 60: 20.00 %, an offence"
        _, programme, students = self._cohort([44, 45, 59, 60])
        result = rates(students)
        self.assertEqual(
            {n: (r.scheduled, r.unjustified, r.rate, r.near, r.offence)
                for n, r in result.items()}, {
                "Student 0 (44)": (300, 44, Decimal('14.66'), False, False),
                "Student 1 (45)": (300, 45, Decimal('15.00'), True, False),
                "Student 2 (59)": (300, 59, Decimal('19.66'), True, False),
                "Student 3 (60)": (300, 60, Decimal('20.00'), True, True),
                })

    @with_transaction()
    def test_threshold_hundredth(self):
        "1999 of 10000 lessons is 19.99 %, no offence; 2000 is 20.00 %"
        _, _, students = self._cohort([1999, 2000], modules=[
                ('M1', 'lycee', '1', 'winter', [4000, 4000, 2000], None)])
        result = rates(students)
        self.assertEqual(
            [(r.rate, r.offence) for _, r in sorted(result.items())],
            [(Decimal('19.99'), False), (Decimal('20.00'), True)])

    @with_transaction()
    def test_justified_and_other_semester(self):
        """Justified lessons do not count; the summer semester has its own
        scheduled lessons; the second year's courses are not the first's"""
        lycee, programme = create_programme()
        year = create_year(2025)
        student = create_student("Anna", lycee, programme, year)
        absent(student, course(programme, 'M1.1'), 50, justified=True)
        absent(student, course(programme, 'M1.2'), 10)
        absent(student, course(programme, 'M2.1'), 48,
            date=dt.date(2026, 3, 2))
        absent(student, course(programme, 'M3.1'), 18)
        rows = Pool().get('bts.student.absence.rate').search(
            [('student', '=', student.id)],
            order=[('semester.start_date', 'ASC'), ('year_of_study', 'ASC')])
        self.assertEqual(
            [(r.semester.kind, r.year_of_study, r.scheduled, r.unjustified,
                    r.justified, r.offence) for r in rows], [
                ('winter', '1', 300, 10, 50, False),
                ('winter', '2', 90, 18, 0, True),
                ('summer', '1', 240, 48, 0, True),
                ])

    @with_transaction()
    def test_near_students_hook(self):
        "The students at risk: at least 15 % in the semester of the date"
        _, _, students = self._cohort([44, 45, 60])
        Student = Pool().get('bts.student')
        ids = [s.id for s in students]
        with Transaction().set_context(date=WINTER):
            near = Student.search([('absence_near', '=', True),
                    ('id', 'in', [s.id for s in students])])
            self.assertEqual(sorted(s.party.name for s in near),
                ["Student 1 (45)", "Student 2 (60)"])
            self.assertEqual(
                [s.absence_near for s in Student.browse(ids)],
                [False, True, True])
            # A reason of the students-at-risk view
            self.assertEqual(
                ['from 20 per cent' in (s.risks or '')
                    for s in Student.browse(ids)],
                [False, True, True])
        with Transaction().set_context(date=dt.date(2026, 3, 1)):
            self.assertFalse(any(s.absence_near
                    for s in Student.browse(ids)))

    @with_transaction()
    def test_other_lycee_refused(self):
        "The student office of another lycée neither reads nor enters"
        pool = Pool()
        Absence = pool.get('bts.student.absence')
        Rate = pool.get('bts.student.absence.rate')
        lycee, programme, students = self._cohort([60])
        other, _ = create_programme('WEB')
        office = user_of('office_other',
            [('bts_student', 'group_student_office')], other)
        own = user_of('office_own',
            [('bts_student', 'group_student_office')], lycee)
        transaction = Transaction()
        with transaction.set_user(own.id), check_access():
            self.assertEqual(len(Rate.search([])), 1)
            self.assertEqual(len(Absence.search([])), 1)
        with transaction.set_user(office.id), check_access():
            self.assertEqual(Rate.search([]), [])
            self.assertEqual(Absence.search([]), [])
            with self.assertRaises(AccessError):
                Absence.create([{
                            'student': students[0].id,
                            'course': course(programme, 'M1.1').id,
                            'date': WINTER, 'lessons': 2}])
