# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Helpers of the grade and progression tests, with the ORM"
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool


def create_year(start_year):
    "Return the academic year starting on 15 September of start_year"
    AcademicYear = Pool().get('bts.academic_year')
    years = AcademicYear.search([
            ('start_date', '=', dt.date(start_year, 9, 15))])
    if years:
        return years[0]
    year, = AcademicYear.create([{'start_date': dt.date(start_year, 9, 15)}])
    return year


def create_programme(code, modules):
    """Create a lycée and a draft programme with modules given as (code,
    year of study, kind, [course ECTS]); return the programme"""
    pool = Pool()
    Party = pool.get('party.party')
    Lycee = pool.get('bts.lycee')
    Programme = pool.get('bts.programme')
    code = f'{code}{Lycee.search_count([])}'
    party, = Party.create([{'name': f"Lycée {code}"}])
    lycee, = Lycee.create([{'code': code, 'party': party.id}])
    programme, = Programme.create([{
                'code': code, 'name': code,
                'lycees': [('add', [lycee.id])],
                'modules': [('create', [{
                                'code': m, 'name': m, 'kind': kind,
                                'year_of_study': study_year,
                                'semester': 'winter',
                                'internship_hours': 0
                                if kind == 'internship' else None,
                                'courses': [('create', [{
                                                'code': f'{m}.{i}',
                                                'name': f'{m}.{i}',
                                                'ects': Decimal(ects),
                                                } for i, ects in enumerate(
                                                courses, 1)])],
                                } for m, study_year, kind, courses
                            in modules])],
                }])
    return programme


def create_students(programme, names, intake, years=1,
        time_status='full_time'):
    """Create students of programme with an effective enrolment in each of
    years academic years from intake (a start year)"""
    pool = Pool()
    Party = pool.get('party.party')
    Student = pool.get('bts.student')
    Enrolment = pool.get('bts.student.enrolment')
    parties = Party.create([{'name': n} for n in names])
    first = create_year(intake)
    students = Student.create([{
                'party': p.id, 'programme': programme.id,
                'lycee': programme.lycees[0].id, 'intake': first.id,
                } for p in parties])
    enrolments = Enrolment.create([{
                'student': s.id,
                'academic_year': create_year(intake + i).id,
                'time_status': time_status,
                } for s in students for i in range(years)])
    # Paid: the admission's workflow is not what is tested here
    Enrolment.write(enrolments, {'state': 'effective'})
    return students


def course(programme, code):
    "Return the course of programme by its code"
    return next(c for m in programme.modules for c in m.courses
        if c.code == code)


def module(programme, code):
    return next(m for m in programme.modules if m.code == code)


def evaluate(course, date, grades, kind='principal', method='written'):
    """Create an evaluation of course on date with grades as {student:
    value} (a value 'ABS' for absent, 'FRAUD' for fraud); return it"""
    pool = Pool()
    Evaluation = pool.get('bts.student.evaluation')
    Semester = pool.get('bts.semester')
    Grade = pool.get('bts.student.grade')
    semester = Semester.find(date)
    evaluation, = Evaluation.create([{
                'course': course.id,
                'lycee': course.programme.lycees[0].id,
                'academic_year': semester.academic_year.id,
                'semester': semester.id,
                'kind': kind, 'method': method, 'date': date,
                }])
    Grade.create([{
                'evaluation': evaluation.id, 'student': s.id,
                **grade_values(v)} for s, v in grades.items()])
    return evaluation


def grade_values(value):
    if value == 'ABS':
        return {'absent': True}
    if value == 'FRAUD':
        return {'fraud': True}
    return {'value': Decimal(str(value))}


def make_effective(enrolment_ids):
    """Set enrolments effective (enrolled and paid) on the server, for the
    scenarios: the admission's payment workflow is not what they test"""
    from trytond.tests.test_tryton import DB_NAME
    from trytond.transaction import Transaction
    with Transaction().start(DB_NAME, 0) as transaction:
        Enrolment = Pool().get('bts.student.enrolment')
        Enrolment.write(Enrolment.browse(enrolment_ids),
            {'state': 'effective'})
        transaction.commit()
