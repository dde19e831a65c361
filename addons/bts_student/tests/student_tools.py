# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Helpers of the students' unit tests: records created with the ORM"
import datetime as dt
from decimal import Decimal

from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
)
from trytond.pool import Pool


def create_lycee(code):
    pool = Pool()
    Party = pool.get('party.party')
    Lycee = pool.get('bts.lycee')
    party, = Party.create([{'name': f"Lycée {code}"}])
    lycee, = Lycee.create([{'code': code, 'party': party.id}])
    return lycee


def create_user(login, group, lycee=None):
    """A user of group (an XML id of bts_programme or bts_student) and of
    lycee"""
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    module = ('bts_student' if group == 'group_student_office'
        else 'bts_programme')
    user, = User.create([{
                'login': login, 'name': login,
                'groups': [('add', [ModelData.get_id(module, group)])],
                'bts_lycees': [('add', [lycee.id] if lycee else [])],
                }])
    return user


def create_parties(*names):
    Party = Pool().get('party.party')
    return Party.create([{'name': name} for name in names])


def create_world(start_year=2025, places=2):
    """Two lycées, a programme of the first, its intake of start_year with
    places and the academic year; return them as a dictionary"""
    pool = Pool()
    AcademicYear = pool.get('bts.academic_year')
    Intake = pool.get('bts.student.intake')
    ltc, lam = create_lycee('LTC'), create_lycee('LAM')
    programme, _ = create_one_course_programme('BTS-INFO', ltc)
    year, = AcademicYear.create([{
                'start_date': dt.date(start_year, 9, 15)}])
    intake, = Intake.create([{
                'programme': programme.id, 'lycee': ltc.id,
                'academic_year': year.id, 'places': places}])
    return {'ltc': ltc, 'lam': lam, 'programme': programme, 'year': year,
        'intake': intake}


def create_application(intake, name, scores=(), **values):
    """A submitted application of a new person named name with evaluations
    of scores"""
    Application = Pool().get('bts.student.application')
    party, = create_parties(name)
    values.setdefault('diploma', "Diplôme de fin d'études secondaires")
    application, = Application.create([{
                'party': party.id, 'intake': intake.id,
                'health_insurance': True,
                'evaluations': [('create', [
                            {'kind': 'dossier', 'score': Decimal(s)}
                            for s in scores])],
                **values}])
    Application.submit([application])
    return application


def admit_student(intake, name, tutor=None):
    "An admitted student of intake with tutor; return the student"
    Application = Pool().get('bts.student.application')
    application = create_application(intake, name)
    Application.admit([application])
    student = application.student
    if tutor:
        student.tutor = tutor
        student.save()
    return student
