# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Helpers of the tests of student life (absences, discipline,
internships): a lycée, a programme with its plan and students, created with
the ORM in the test's transaction"""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool


def create_programme(code='NET', modules=None):
    """A lycée and a programme whose plan has, per module given as (code,
    kind, year, semester, [planned lessons of each course], internship
    hours), courses of 5 ECTS; return (lycee, programme)"""
    pool = Pool()
    Party = pool.get('party.party')
    Lycee = pool.get('bts.lycee')
    Programme = pool.get('bts.programme')
    party, = Party.create([{'name': f"Lycée of {code}"}])
    lycee, = Lycee.create([{'code': f'L{code}', 'party': party.id}])
    if modules is None:
        modules = [
            ('M1', 'lycee', '1', 'winter', [100, 100, 100], None),
            ('M2', 'lycee', '1', 'summer', [80, 80, 80], None),
            ('M3', 'lycee', '2', 'winter', [90], None),
            ('S1', 'internship', '1', 'summer', [0], 228),
            ]
    programme, = Programme.create([{
                'code': code, 'name': code,
                'lycees': [('add', [lycee.id])],
                'modules': [('create', [{
                                'code': m_code, 'name': m_code, 'kind': kind,
                                'year_of_study': year, 'semester': semester,
                                'internship_hours': hours,
                                'courses': [('create', [{
                                                'code': f'{m_code}.{i}',
                                                'name': f'{m_code}.{i}',
                                                'ects': Decimal(5),
                                                'planned_lessons': lessons,
                                                } for i, lessons in enumerate(
                                                courses, 1)])],
                                } for m_code, kind, year, semester, courses,
                            hours in modules])],
                }])
    return lycee, programme


def create_year(start):
    "The academic year from 15 September of start, with its semesters"
    AcademicYear = Pool().get('bts.academic_year')
    years = AcademicYear.search([('start_date', '=', dt.date(start, 9, 15))])
    if years:
        return years[0]
    year, = AcademicYear.create([{'start_date': dt.date(start, 9, 15)}])
    return year


def create_student(name, lycee, programme, year, time_status='full_time'):
    "A student of programme enrolled in year"
    pool = Pool()
    Party = pool.get('party.party')
    Student = pool.get('bts.student')
    party, = Party.create([{'name': name}])
    student, = Student.create([{
                'party': party.id, 'programme': programme.id,
                'lycee': lycee.id, 'intake': year.id,
                'enrolments': [('create', [{
                                'academic_year': year.id,
                                'time_status': time_status,
                                'ects': 30 if time_status == 'part_time'
                                else 60,
                                }])],
                }])
    return student


def course(programme, code):
    "The course of programme with code"
    return [c for m in programme.modules for c in m.courses
        if c.code == code][0]


def module(programme, code):
    "The module of programme with code"
    return [m for m in programme.modules if m.code == code][0]


def user_of(login, group_xml_ids, lycee=None):
    """A user of the groups given as (module, XML id), of lycee when given,
    created on first use"""
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    users = User.search([('login', '=', login)])
    if users:
        return users[0]
    user, = User.create([{
                'login': login, 'name': login,
                'groups': [('add', [ModelData.get_id(m, x)
                            for m, x in group_xml_ids])],
                'bts_lycees': [('add', [lycee.id])] if lycee else [],
                }])
    return user
