# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Helpers of the diploma and deliberation tests: a programme and its students"
import datetime as dt
from decimal import Decimal
from pathlib import Path

from trytond.modules.bts_programme.academic_year import window_end
from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
)
from trytond.pool import Pool

VALIDATED = dt.date(2026, 6, 20)


def create_programme(code="BTS-INFO", lycee_code='LTC'):
    """Create in the current transaction a lycée with its director, its
    accredited programme of 120 ECTS in modules M1 (12), M2 (30), M3 (30),
    S1 (18) and TFE (30) with a government commissioner, and the academic
    years 2024/25 to 2026/27; return the programme"""
    pool = Pool()
    Party = pool.get('party.party')
    Lycee = pool.get('bts.lycee')
    AcademicYear = pool.get('bts.academic_year')
    for start in [dt.date(y, 9, 15) for y in [2024, 2025, 2026]]:
        if not AcademicYear.search([('start_date', '=', start)]):
            AcademicYear.create([{'start_date': start}])
    party, director, commissioner = Party.create([
            {'name': f"Lycée {lycee_code}"},
            {'name': f"Director {lycee_code}"},
            {'name': f"Commissioner {lycee_code}"}])
    lycee, = Lycee.create([{
                'code': lycee_code, 'party': party.id,
                'director': director.id}])
    programme, _ = create_one_course_programme(
        code, lycee, 100, decision_year=2024)
    programme.government_commissioner = commissioner
    programme.languages = ['fr', 'en']
    programme.save()
    return programme


def year(start_year):
    AcademicYear = Pool().get('bts.academic_year')
    record, = AcademicYear.search([
            ('start_date', '=', dt.date(start_year, 9, 15))])
    return record


def create_student(programme, name, intake=2024):
    "Create an enrolled student of programme admitted in intake"
    pool = Pool()
    Party = pool.get('party.party')
    Student = pool.get('bts.student')
    party, = Party.create([{'name': name}])
    student, = Student.create([{
                'party': party.id, 'programme': programme.id,
                'lycee': programme.lycees[0].id,
                'intake': year(intake).id}])
    return student


def set_results(student, grades, exempted=(), validated=VALIDATED):
    """Give student the module results of grades, {module code: grade}, and
    the VAE exemptions of exempted, module codes; a module in neither has no
    result"""
    pool = Pool()
    ModuleResult = pool.get('bts.student.module_result')
    modules = {m.code: m for m in student.programme.modules}
    if exempted:
        Exemption = pool.get('bts.student.exemption')
        Exemption.create([{
                    'student': student.id, 'module': modules[code].id,
                    'reason': 'vae', 'date': dt.date(2024, 9, 1)}
                for code in exempted])
    # The exemptions gave their modules' results (grade.py)
    ModuleResult.create([{
                'student': student.id, 'module': modules[code].id,
                'grade': Decimal(grade), 'lowest': Decimal(grade),
                'complete': True, 'validated': Decimal(grade) >= 10,
                'validation_date': validated,
                'valid_until': window_end(validated, 60),
                'ects': modules[code].ects, 'exempted': False}
            for code, grade in grades.items()])


def uniform(programme, grade, but=()):
    "Every module of programme at grade but those of but"
    return {m.code: grade for m in programme.modules if m.code not in but}


def load_french():
    "Make French translatable with bts_student's fr.po loaded"
    pool = Pool()
    Lang = pool.get('ir.lang')
    Translation = pool.get('ir.translation')
    lang, = Lang.search([('code', '=', 'fr')])
    lang.translatable = True
    lang.save()
    Translation.translation_import('fr', 'bts_student', str(
            Path(__file__).parent.parent / 'locale' / 'fr.po'))
