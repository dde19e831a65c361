# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Helpers for the scenario tests of the BTS modules"
import datetime as dt
import doctest
import io
import pathlib
import threading
import unittest
from decimal import Decimal

import pytest

from proteus import Model
from trytond import backend
from trytond.exceptions import UserError
from trytond.modules.bts_programme.qualification import RATE_ORDER
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME,
    STRIP_DECIMAL,
    doctest_checker,
    doctest_setup,
    doctest_teardown,
)
from trytond.transaction import Transaction, TransactionError


def scenario_test(test_file):
    """Return a pytest test that runs every scenario_*.rst doctest beside
    test_file (pytest does not follow unittest's load_tests protocol)"""
    directory = pathlib.Path(test_file).parent
    scenarios = sorted(directory.glob('scenario_*.rst'))
    # Unlike trytond's own runner, without IGNORE_EXCEPTION_DETAIL: the
    # messages, with their figures and articles, are what users rely on.
    optionflags = doctest.REPORT_ONLY_FIRST_FAILURE | doctest.ELLIPSIS
    if backend.name == 'sqlite':
        optionflags |= STRIP_DECIMAL

    @pytest.mark.parametrize(
        'scenario', scenarios, ids=[s.stem for s in scenarios])
    def test_scenario(scenario):
        suite = doctest.DocFileSuite(
            str(scenario), module_relative=False,
            setUp=doctest_setup, tearDown=doctest_teardown,
            encoding='utf-8', checker=doctest_checker,
            optionflags=optionflags)
        output = io.StringIO()
        result = unittest.TextTestRunner(stream=output).run(suite)
        assert result.wasSuccessful(), output.getvalue()
    return test_scenario


def create_lycee(code, name, config=None):
    "Create a lycée with its party"
    Party = Model.get('party.party', config=config)
    Lycee = Model.get('bts.lycee', config=config)
    lycee = Lycee(code=code, party=Party(name=name))
    lycee.party.save()
    lycee.save()
    return lycee


def create_academic_year(start_year, config=None):
    "Create the academic year starting on 15 September of start_year"
    AcademicYear = Model.get('bts.academic_year', config=config)
    year = AcademicYear(start_date=dt.date(start_year, 9, 15))
    year.save()
    return year


def add_module(
        programme, code, kind, courses, year='1', semester='winter',
        internship_hours=None):
    """Add to programme a module of kind with courses given as
    (ECTS, planned lessons) pairs"""
    module = programme.modules.new(
        code=code, name=code, kind=kind, year_of_study=year,
        semester=semester)
    if kind == 'internship':
        module.internship_hours = internship_hours or 0
    for i, (ects, lessons) in enumerate(courses, 1):
        module.courses.new(
            code=f'{code}.{i}', name=f'{code} course {i}',
            ects=Decimal(ects), planned_lessons=lessons)
    return module


def add_valid_plan(programme):
    """Add a standard 120 ECTS plan that keeps every rule: lycée 84 (70 %),
    internships 18 (15 %) over 240 hours, final project 18"""
    add_module(programme, 'M1', 'lycee', [(10, 100), (10, 100), (10, 100)])
    add_module(programme, 'M2', 'lycee', [(8, 80), (8, 80), (8, 80)],
        semester='summer')
    add_module(programme, 'S1', 'internship', [(6, 0)], semester='summer',
        internship_hours=120)
    add_module(programme, 'M3', 'lycee', [(10, 100), (10, 100), (10, 100)],
        year='2')
    add_module(programme, 'S2', 'internship', [(12, 0)], year='2',
        semester='summer', internship_hours=120)
    add_module(programme, 'TFE', 'tfe', [(18, 0)], year='2',
        semester='summer')


def create_provider(name, qualifications=(), config=None):
    """Create a person with qualifications given as dictionaries of field
    values, each with a document attached"""
    Party = Model.get('party.party', config=config)
    Attachment = Model.get('ir.attachment', config=config)
    party = Party(name=name)
    for values in qualifications:
        party.bts_qualifications.new(**values)
    party.save()
    for qualification in party.bts_qualifications:
        Attachment(resource=qualification, name='diploma.pdf',
            data=b'%PDF-1.4').save()
    return party


def linked_qualification(party, linked=True):
    """Return the qualification of party that a contract line links to its
    course: with linked True the one with the highest rate, with a title
    the one of that title, with False none (RULES.md §K.8, §K.17)"""
    if linked is False or linked is None:
        return None
    qualifications = list(party.bts_qualifications)
    if isinstance(linked, str):
        qualification, = [q for q in qualifications if q.title == linked]
        return qualification
    qualifications.sort(key=lambda q: RATE_ORDER.index(q.rate_kind)
        if q.rate_kind in RATE_ORDER else len(RATE_ORDER))
    return qualifications[0] if qualifications else None


def accredit(programme, decision_year=2024, kind=None):
    """Accredit programme by the minister's decision of 30 June of
    decision_year: valid from 15 September of that year for five academic
    years (law of 21 July 2023, art. 41(1)); kind 'renewal' for a
    re-accreditation"""
    if kind:
        programme.accreditation_kind = kind
    programme.request_date = programme.request_date or dt.date(
        decision_year - 1, 1, 15)
    programme.admissibility_date = dt.date(decision_year - 1, 3, 10)
    programme.save()
    programme.click('declare_admissible')
    programme.decision_date = dt.date(decision_year, 6, 30)
    programme.save()
    programme.click('accredit')
    return programme


def create_contract(party, programme, year, lines, role='external',
        start=None, signed=None, config=None):
    """Create a contract with lines given as (course code, semester kind,
    quantity[, linked]) and sign it when signed is a date; linked is the
    qualification linked to the course (see linked_qualification), the one
    with the highest rate by default"""
    Contract = Model.get('bts.contract', config=config)
    contract = Contract(party=party, role=role, programme=programme,
        lycee=programme.lycees[0], academic_year=year,
        start_date=start or dt.date(year.start_date.year, 10, 1),
        end_date=year.end_date)
    semesters = {s.kind: s for s in year.semesters}
    courses = {c.code: c for m in programme.modules for c in m.courses}
    for code, semester, quantity, *linked in lines:
        line = contract.lines.new(course=courses[code],
            semester=semesters[semester], quantity=quantity)
        if role == 'external':
            line.qualification = linked_qualification(
                party, linked[0] if linked else True)
    if signed:
        contract.provider_signature_date = signed
        contract.director_signature_date = signed
    contract.save()
    if signed:
        contract.click('sign')
    return contract


def dispatched(function, *args):
    """Call function(*args) in a transaction of its own and commit, as
    trytond's dispatcher does: restarted with the records locked first
    when a lock was not held"""
    extras = {}
    while True:
        with Transaction().start(DB_NAME, 0, **extras) as transaction:
            try:
                result = function(*args)
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
            return result


def race_calls(model_name, calls):
    """Run each (read, act) of calls in a transaction of its own on its own
    connection: read(Model) takes the snapshot, then every call waits until
    all have read, and the second acts, act(Model, read's result), after
    the first has committed. Each restarts with the records locked when a
    lock was missing (dispatched). Return per index 'done' or the message
    of the UserError raised."""
    started = threading.Barrier(len(calls), timeout=30)
    first_done = threading.Event()
    outcome = {}

    def call(index, read, act):
        waited = False

        def attempt():
            nonlocal waited
            Model = Pool().get(model_name)
            snapshot = read(Model)
            if not waited:
                waited = True
                started.wait()
                if index:
                    first_done.wait(30)
            act(Model, snapshot)
        try:
            dispatched(attempt)
            outcome[index] = 'done'
        except UserError as error:
            outcome[index] = error.message
        finally:
            if not index:
                first_done.set()

    threads = [threading.Thread(target=call, args=(i, *c))
        for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcome


def race(model_name, method, ids):
    """Call method of model_name on each record of ids in two transactions
    that both read the record before either acts (race_calls). Return per
    id 'done' or the message of the UserError raised."""
    def read(record_id):
        def read(Model):
            record = Model(record_id)
            record.rec_name  # noqa: B018 (the snapshot is taken)
            return record
        return read

    def act(Model, record):
        getattr(Model, method)([record])
    outcome = race_calls(model_name, [(read(i), act) for i in ids])
    return {ids[i]: result for i, result in outcome.items()}


def create_one_course_programme(
        code, lycee, planned_lessons=500, name="Computer Science",
        decision_year=None):
    """Create in the current transaction a programme of lycee with one
    module and one course of planned_lessons; return it and its course.

    With decision_year, the plan is completed with courses planning no
    lesson so that it keeps the law, and the programme is accredited by the
    decision of 30 June of that year (law of 21 July 2023, arts. 35, 41):
    from 15 September of decision_year, its course C1 (first study year)
    runs and its planned lessons are the denominator of the 40 %."""
    Programme = Pool().get('bts.programme')

    def module(code, kind, year, semester, courses, **values):
        return dict(code=code, name=code, kind=kind, year_of_study=year,
            semester=semester, courses=[('create', [{
                            'code': c, 'name': c, 'ects': Decimal(ects),
                            'planned_lessons': lessons}
                        for c, ects, lessons in courses])], **values)
    first = [('C1', 5, planned_lessons)]
    modules = []
    if decision_year:
        # 120 ECTS: lycée 72 (60 %), internship 18 (15 %) of 240 hours,
        # final project 30
        first.append(('C2', 7, 0))
        modules = [
            module('M2', 'lycee', '1', 'summer', [('C3', 20, 0),
                    ('C4', 10, 0)]),
            module('M3', 'lycee', '2', 'winter', [('C5', 20, 0),
                    ('C6', 10, 0)]),
            module('S1', 'internship', '2', 'summer', [('S1.1', 18, 0)],
                internship_hours=240),
            module('TFE', 'tfe', '2', 'summer', [('TFE.1', 20, 0),
                    ('TFE.2', 10, 0)]),
            ]
    programme, = Programme.create([{
                'code': code, 'name': name,
                'lycees': [('add', [lycee.id])],
                'modules': [('create', [{
                                'code': 'M1', 'name': "Programming",
                                'kind': 'lycee', 'year_of_study': '1',
                                'semester': 'winter',
                                'courses': [('create', [{
                                                'code': c,
                                                'name': "Python"
                                                if c == 'C1' else c,
                                                'ects': Decimal(ects),
                                                'planned_lessons': lessons,
                                                } for c, ects, lessons
                                            in first])],
                                }] + modules)],
                }])
    if decision_year:
        programme.request_date = dt.date(decision_year - 1, 1, 15)
        programme.admissibility_date = dt.date(decision_year - 1, 3, 10)
        programme.save()
        Programme.declare_admissible([programme])
        programme.decision_date = dt.date(decision_year, 6, 30)
        programme.save()
        Programme.accredit([programme])
    course, = [c for m in programme.modules for c in m.courses
        if c.code == 'C1']
    return programme, course
