# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Demo data: the student office of the Lycée Technique du Centre and a
cohort of its BTS Cloud Computing from the applications of 2025/2026
(admitted in their ranking, a waiting list, a refusal, a conditional
admission annulled, an access by VAE with an exemption) through two
academic years of enrolments with their fees paid, its first year graded
and deliberated; and the cohort of 2024/2025 through its grades, the exam
jury's deliberations and its diplomas with each mention, a re-sit, an
exclusion and its re-admission."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from proteus import Model, Wizard
from trytond.modules.bts_programme.demo import _person, _user

# name, access basis, extra values, evaluations (dossier, interview)
APPLICANTS = [
    ("Léa Muller", 'leaving_diploma', {}, (16, 15)),
    ("Max Schneider", 'leaving_diploma', {}, (14, 15)),
    ("Sara Costa", 'foreign_diploma', {
            'diploma': "Bacharelato (PT), equivalence MENJE-2025-211"},
        (15, 13)),
    ("Tom Reiter", 'technician', {
            'diploma': "Diplôme de technicien en informatique",
            'preparatory_modules': True}, (13, 14)),
    ("Julie Becker", 'access_diploma', {
            'diploma': "Diplôme d'accès aux études supérieures"}, (12, 13)),
    ("Ben Hansen", 'vae', {'vae_years': Decimal('4.5')}, (14, 12)),
    ("Lina Faber", 'leaving_diploma', {}, (12, 12)),
    ("Noah Weis", 'leaving_diploma', {}, (10, 11)),
    ("Amir Haddad", 'foreign_diploma', {
            'diploma': "Baccalauréat (MA), equivalence pending",
            'third_country': True, 'residence_authorisation': True,
            'commission_decision': "CA-CLOUD-2025-07",
            'condition': "The equivalence of the diploma by the Ministry of "
            "Education",
            'condition_deadline': dt.date(2025, 12, 15)}, (13, 13)),
    ]
# Refused: 9.99 in one test of the preliminary access test (art. 10(2))
REFUSED = ("Chris Linster", [("Mathematics", Decimal('12.50')),
        ("Networks", Decimal('9.99'))])
PLACES = 7
TUTOR = "Jeff Tutor"


@contextmanager
def as_user(config, login):
    "Run the calls of config as the user of login"
    User = Model.get('res.user', config=config)
    user, = User.find([('login', '=', login)])
    previous = config.user, config._context
    config.user = user.id
    config._context = User.get_preferences(True, {})
    try:
        yield config
    finally:
        config.user, config._context = previous


def _apply(intake, applicants, config, parties=None):
    """Submit the applications of applicants to intake: (name, access
    basis, extra values, evaluations); parties, by name, of the persons who
    exist"""
    Application = Model.get('bts.student.application', config=config)
    parties = parties or {}
    year = intake.academic_year.start_date.year
    number = len(Application.find([('intake', '=', intake.id)]))
    applications = []
    for name, basis, values, scores in applicants:
        number += 1
        application = Application(
            party=parties.get(name) or _person(name, config),
            intake=intake, access_basis=basis, health_insurance=True,
            reference=f"MYG-{year}-{number:04d}")
        if basis in {'leaving_diploma'}:
            application.diploma = "Diplôme de fin d'études secondaires"
        for field, value in values.items():
            if field not in {'commission_decision', 'condition',
                    'condition_deadline'}:
                setattr(application, field, value)
        for kind, score in zip(
                ['dossier', 'interview'], scores, strict=True):
            application.evaluations.new(kind=kind, score=Decimal(score))
        application.save()
        application.click('submit')
        applications.append(application)
    return applications


def _applications(intake, config):
    Application = Model.get('bts.student.application', config=config)
    applications = _apply(intake, APPLICANTS, config)
    refused = Application(party=_person(REFUSED[0], config), intake=intake,
        access_basis='access_test', health_insurance=True)
    for test, grade in REFUSED[1]:
        refused.access_tests.new(name=test, grade=grade)
    refused.save()
    refused.click('submit')
    refused.rejection_reason = (
        "The preliminary access test is not passed: 9.99 in Networks, "
        "at least 10 in each test (art. 10(2)).")
    refused.click('reject')
    return applications


def load(config):
    Programme = Model.get('bts.programme', config=config)
    Lycee = Model.get('bts.lycee', config=config)
    AcademicYear = Model.get('bts.academic_year', config=config)
    Intake = Model.get('bts.student.intake', config=config)
    Group = Model.get('res.group', config=config)
    ModelData = Model.get('ir.model.data', config=config)
    cloud, = Programme.find([('code', '=', 'BTS-CLOUD')])
    ltc, = Lycee.find([('code', '=', 'LTC')])
    first, = AcademicYear.find([('name', '=', '2025/2026')])
    second, = AcademicYear.find([('name', '=', '2026/2027')])
    # The ministry's setting: the fee per semester at its ceiling
    Configuration = Model.get('bts.student.configuration', config=config)
    configuration = Configuration(1)
    configuration.registration_fee = Decimal('50.00')
    configuration.save()

    office = _user('scolarite.ltc', "Scolarité LTC", [], [ltc], config)
    office.groups.append(Group(ModelData.get_id(
                'bts_student', 'group_student_office', config.context)))
    office.save()

    intake = Intake(programme=cloud, lycee=ltc, academic_year=first,
        places=PLACES)
    intake.save()
    with as_user(config, 'scolarite.ltc'):
        intake = Intake(intake.id)
        applications = _applications(intake, config)
        intake.click('rank')
    conditional = applications[-1]
    with as_user(config, 'direction.ltc'):
        Application = Model.get('bts.student.application', config=config)
        application = Application(conditional.id)
        for field in ['commission_decision', 'condition',
                'condition_deadline']:
            setattr(application, field, APPLICANTS[-1][2][field])
        application.save()
        application.click('admit_conditionally')
    with as_user(config, 'scolarite.ltc'):
        Intake(intake.id).click('decide')
        # The deadline of 15 December 2025 passed unmet
        Application = Model.get('bts.student.application', config=config)
        Application(conditional.id).click('annul')
        load_enrolments(cloud, [first, second], config)
    load_cohorts(config)


def load_enrolments(programme, years, config):
    """The admitted students' tutor, their VAE exemption and their
    enrolments of both years, effective (the first year paid, the second
    year's winter semester); one student withdraws after the first
    year"""
    Student = Model.get('bts.student', config=config)
    Party = Model.get('party.party', config=config)
    tutor, = Party.find([('name', '=', TUTOR)])
    students = Student.find([('programme', '=', programme.id),
            ('state', '=', 'enrolled')], order=[('id', 'ASC')])
    vae_module, = [m for m in programme.modules if m.code == 'M1']
    with as_user(config, 'direction.ltc'):
        for student in Student.find([('id', 'in', [s.id for s in students])]):
            student.tutor = tutor
            student.save()
    for student in students:
        if student.application.access_basis == 'vae':
            student.exemptions.new(module=vae_module, reason='vae',
                date=dt.date(2025, 9, 1))
            student.save()
    for year in years:
        # The first year paid, the second year's winter semester
        _enrol(students, year, 2 if year == years[0] else 1, config,
            part_time={s.id for s in students
                if s.application.access_basis == 'vae'})
        if year == years[0]:
            withdrawn = students.pop()
            withdrawn.click('withdraw')


def _enrol(students, year, paid, config, part_time=()):
    """Enrol students in year, the fees of its first paid semesters paid on
    their first day, and make the enrolments effective; part_time, the ids
    of the students enrolled part-time"""
    Enrolment = Model.get('bts.student.enrolment', config=config)
    Fee = Model.get('bts.student.enrolment.fee', config=config)
    enrolments = []
    for student in students:
        enrolment, = Enrolment.find([('student', '=', student.id),
                ('academic_year', '=', year.id)]) or [
            Enrolment(student=student, academic_year=year,
                health_insurance=True)]
        if student.id in part_time:
            enrolment.time_status = 'part_time'
            enrolment.ects = Decimal(33)
        enrolments.append(enrolment)
    Enrolment.save(enrolments)
    Enrolment.click(enrolments, 'register')
    fees = Fee.find([('enrolment', 'in', [e.id for e in enrolments])],
        order=[('semester.start_date', 'ASC')])
    fees = [f for f in fees if f.semester in year.semesters[:paid]]
    for fee in fees:
        fee.payment_date = fee.semester.start_date
    Fee.save(fees)
    Fee.click(fees, 'pay')
    Enrolment.click(enrolments, 'make_effective')


# The cohort of 2024/2025, graduated in June 2026: name, access basis,
# extra values, admission evaluations and the base of its grades: each
# module's three courses at base + 1, base - 1 and base (an internship or
# final project at base), so that every module grade and the weighted
# average are the base, one in each band of mentions (art. 26(1)); the VAE
# graduate has none. The excluded student has the grades of FIRST_YEAR.
COHORT_2024 = [
    ("Clara Diederich", 'leaving_diploma', {}, (17, 16), '18.40'),
    ("Yann Goergen", 'leaving_diploma', {}, (15, 16), '16.40'),
    ("Mia Lentz", 'foreign_diploma', {
            'diploma': "Abitur (DE), equivalence MENJE-2024-118"},
        (14, 15), '14.70'),
    ("Jonas Pauly", 'technician', {
            'diploma': "Diplôme de technicien en informatique",
            'preparatory_modules': True}, (13, 13), '12.60'),
    ("Elisa Marx", 'access_diploma', {
            'diploma': "Diplôme d'accès aux études supérieures"},
        (12, 13), '10.80'),
    ("David Sousa", 'vae', {'vae_years': Decimal(6)}, (14, 14), '15.00'),
    ("Hugo Lopes", 'leaving_diploma', {}, (12, 11), None),
    ]
OFFSETS = {'1': Decimal(1), '2': Decimal(-1), '3': Decimal(0)}
VAE_GRADUATE = "David Sousa"
# Module M1 validated (21 ECTS), M2 failed with a course below 8 and the
# first internship below 10: 21 first-year ECTS, below the 24 of a
# full-time student (art. 13(3)); with one course below 8 and at least 18
# ECTS he may be re-admitted (art. 13(5)): in the intake of 2025/2026,
# exempted from module M1, he sits M2.1, M2.2 and the internship again,
# his 10.00 in M2.3 kept for 24 months (art. 13(2)).
EXCLUDED = "Hugo Lopes"
FIRST_YEAR = {'M1.1': '12.00', 'M1.2': '11.00', 'M1.3': '13.00',
    'M2.1': '9.00', 'M2.2': '7.00', 'M2.3': '10.00', 'S1.1': '9.50'}
RETAKE = {'M2.1': '11.00', 'M2.2': '10.00', 'S1.1': '12.00'}
# Elisa Marx fails course M3.2 in January 2026 (module M3 at 9.86 with a
# course below 8) and re-sits it in May at an alternative evaluation
RESIT = ("Elisa Marx", 'M3.2', '7.00', '10.50', dt.date(2026, 5, 20))
# The first year of the cohort of 2025/2026, the base of the grades of
# each; Tom Reiter has 7.50 in M2.2: module M2 not validated, 27 ECTS, he
# continues with a re-sit to take
CURRENT = {"Léa Muller": '15.20', "Max Schneider": '13.10',
    "Sara Costa": '12.40', "Tom Reiter": '11.60', "Ben Hansen": '14.00'}
CURRENT_FAILED = ("Tom Reiter", 'M2.2', '7.50')
# The winter and summer sessions of the academic years starting in 2024
# and 2025, and the exam jury's deliberation
SESSIONS = {2024: (dt.date(2025, 1, 31), dt.date(2025, 6, 13)),
    2025: (dt.date(2026, 1, 30), dt.date(2026, 6, 12))}
DELIBERATIONS = {2024: dt.date(2025, 6, 27), 2025: dt.date(2026, 6, 26)}
JURY_2024 = ("MESR-2024-0987", dt.date(2024, 10, 30))
METHODS = {'lycee': 'written', 'internship': 'internship', 'tfe': 'tfe'}


def load_cohorts(config):
    """The cohort of 2024/2025 through its two years to the diplomas of
    June 2026, with an exclusion, a re-sit and a re-admission, and the
    first year of the cohort of 2025/2026 with its deliberation"""
    Programme = Model.get('bts.programme', config=config)
    Lycee = Model.get('bts.lycee', config=config)
    AcademicYear = Model.get('bts.academic_year', config=config)
    cloud, = Programme.find([('code', '=', 'BTS-CLOUD')])
    ltc, = Lycee.find([('code', '=', 'LTC')])
    first = AcademicYear(start_date=dt.date(2024, 9, 15))
    first.save()
    second, = AcademicYear.find([('name', '=', '2025/2026')])
    cohort = _admit_cohort(cloud, ltc, first, config)
    excluded = cohort.pop(EXCLUDED)
    with as_user(config, 'scolarite.ltc'):
        _exempt(cohort[VAE_GRADUATE], 'M1', 'vae', dt.date(2024, 9, 1))
        _enrol([*cohort.values(), excluded], first, 2, config)
        _enrol(cohort.values(), second, 2, config)
        grades = {n: _plan_grades(cloud, '1', b) for n, *_, b in COHORT_2024
            if n in cohort}
        grades[EXCLUDED] = FIRST_YEAR
        _grades(cloud, ltc, 2024, grades, cohort | {EXCLUDED: excluded},
            config)
    jury = _previous_jury(_jury(cloud, second, config), first, config)
    _deliberate(jury, DELIBERATIONS[2024],
        [*cohort.values(), excluded], config)
    readmitted = _readmit(excluded, second, config)
    with as_user(config, 'scolarite.ltc'):
        students = _year_2025(cloud, ltc, second, cohort, readmitted, config)
    _deliberate(_jury(cloud, second, config), DELIBERATIONS[2025],
        students, config)
    # The re-admitted student continues in the second year, as his cohort
    third, = AcademicYear.find([('name', '=', '2026/2027')])
    with as_user(config, 'scolarite.ltc'):
        _enrol([readmitted], third, 1, config)


def _year_2025(programme, lycee, year, cohort, readmitted, config):
    """The grades of 2025/2026: the second year of cohort with the re-sit,
    the first year of the intake of 2025/2026 and the courses the
    re-admitted student sits again; return the students graded"""
    Student = Model.get('bts.student', config=config)
    current = {s.party.name: s for s in Student.find([
                ('intake', '=', year.id), ('state', '=', 'enrolled')])}
    grades = {n: _plan_grades(programme, '2', b)
        for n, *_, b in COHORT_2024 if n in cohort}
    resit, code, failed, passed, date = RESIT
    grades[resit][code] = failed
    grades.update({n: _plan_grades(programme, '1', b)
            for n, b in CURRENT.items() if n in current})
    name, course, grade = CURRENT_FAILED
    grades[name][course] = grade
    for student in current.values():
        # No grade in the modules exempted (VAE)
        for exemption in student.exemptions:
            for exempted in exemption.module.courses:
                grades.get(student.party.name, {}).pop(exempted.code, None)
    grades[EXCLUDED] = RETAKE
    students = cohort | current | {EXCLUDED: readmitted}
    _grades(programme, lycee, 2025, grades, students, config)
    _evaluate(lycee, [(_course(programme, code), date, 'alternative',
                'oral', {cohort[resit]: passed})], config)
    return list(students.values())


def _admit_cohort(programme, lycee, year, config):
    """Admit the applicants of COHORT_2024 to the intake of year; their
    tutor designated by the director; return the students by name"""
    Intake = Model.get('bts.student.intake', config=config)
    Party = Model.get('party.party', config=config)
    Student = Model.get('bts.student', config=config)
    intake = Intake(programme=programme, lycee=lycee, academic_year=year,
        places=len(COHORT_2024) + 1)
    intake.save()
    with as_user(config, 'scolarite.ltc'):
        intake = Intake(intake.id)
        _apply(intake, [a[:4] for a in COHORT_2024], config)
        intake.click('rank')
        intake.click('decide')
    tutor, = Party.find([('name', '=', TUTOR)])
    with as_user(config, 'direction.ltc'):
        students = Student.find([('intake', '=', year.id)])
        for student in students:
            student.tutor = tutor
        Student.save(students)
    return {s.party.name: s for s in students}


def _exempt(student, code, reason, date):
    "Exempt student from the module of code"
    module, = [m for m in student.programme.modules if m.code == code]
    student.exemptions.new(module=module, reason=reason, date=date)
    student.save()


def _course(programme, code):
    course, = [c for m in programme.modules for c in m.courses
        if c.code == code]
    return course


def _plan_grades(programme, year_of_study, base):
    """The grades of the courses of the modules of year_of_study around
    base, by course code (see COHORT_2024)"""
    return {c.code: str(Decimal(base) + (OFFSETS[c.code[-1]]
                if len(m.courses) > 1 else 0))
        for m in programme.modules if m.year_of_study == year_of_study
        for c in m.courses}


def _grades(programme, lycee, start, grades, students, config):
    """Enter grades, {name: {course code: grade}}, of students, by name, at
    the principal evaluations of the academic year starting in start: a
    module's courses at the session of its semester"""
    winter, summer = SESSIONS[start]
    by_course = {}
    for name, values in grades.items():
        for code, value in values.items():
            by_course.setdefault(code, {})[students[name]] = value
    tests = []
    for code, values in by_course.items():
        course = _course(programme, code)
        module = course.module
        tests.append((course,
                winter if module.semester == 'winter' else summer,
                'principal', METHODS[module.kind], values))
    _evaluate(lycee, tests, config)


def _evaluate(lycee, tests, config):
    """Create the evaluations of tests, (course, date, kind, method,
    {student: grade}), and their grades, each model in one call"""
    Evaluation = Model.get('bts.student.evaluation', config=config)
    Grade = Model.get('bts.student.grade', config=config)
    Student = Model.get('bts.student', config=config)
    evaluations = [Evaluation(course=course, lycee=lycee, kind=kind,
            method=method, date=date)
        for course, date, kind, method, _ in tests]
    Evaluation.save(evaluations)
    Grade.save([Grade(evaluation=evaluation, student=Student(student.id),
                value=Decimal(value))
            for evaluation, (*_, values) in zip(evaluations, tests,
                strict=True)
            for student, value in values.items()])


def _jury(programme, year, config):
    "The exam jury of programme for year"
    Body = Model.get('bts.jury.body', config=config)
    jury, = Body.find([
            ('body_type.code', '=', 'exam_jury'),
            ('programme', '=', programme.id),
            ('academic_year', '=', year.id),
            ])
    return jury


def _previous_jury(jury, year, config):
    """The exam jury of year with the members of jury, proposed by the
    director and nominated by the minister's decree JURY_2024"""
    Body = Model.get('bts.jury.body', config=config)
    reference, date = JURY_2024
    with as_user(config, 'direction.ltc'):
        body = Body(body_type=jury.body_type, programme=jury.programme,
            academic_year=year, proposal_date=dt.date(2024, 10, 10))
        for member in jury.members:
            body.members.new(party=member.party, role=member.role,
                legal_basis='decree', legal_reference=reference,
                legal_date=date)
        body.save()
        body.click('propose')
    with as_user(config, 'ministere.admin'):
        body = Body(body.id)
        body.decree_reference, body.decree_date = reference, date
        body.click('nominate')
    return body


def _deliberate(jury, date, students, config):
    """The progression the system proposes for students the day before
    date, decided at the deliberation of jury on date (art. 14(2)): five
    members present, each proposal adopted by five votes"""
    Student = Model.get('bts.student', config=config)
    Proposal = Model.get('bts.student.proposal', config=config)
    ids = [s.id for s in students]
    with as_user(config, 'scolarite.ltc'):
        propose = Wizard('bts.student.propose', [Student(i) for i in ids],
            config=config)
        propose.form.date = date - dt.timedelta(1)
        propose.execute('propose')
    with as_user(config, 'direction.ltc'):
        Sitting = Model.get('bts.jury.sitting', config=config)
        Member = Model.get('bts.jury.member', config=config)
        Party = Model.get('party.party', config=config)
        Body = Model.get('bts.jury.body', config=config)
        sitting = Sitting(body=Body(jury.id), date=date, kind='deliberation')
        present = jury.members[:5]
        sitting.attendees.extend(Member(m.id) for m in present)
        sitting.students.extend(
            Party(s.party.id) for s in Student.find([('id', 'in', ids)]))
        sitting.save()
        sitting.click('record')
        for proposal in Proposal.find([
                    ('student', 'in', ids), ('state', '=', 'proposed')]):
            decision = sitting.decisions.new(proposal=proposal)
            decision.votes_for = len(present)
        sitting.save()
        sitting.click('decide')


def _readmit(student, year, config):
    """The application of the excluded student to the intake of year,
    admitted as a re-admission (art. 13(5)); the modules validated
    exempted on the student's request, the year's enrolment effective"""
    Intake = Model.get('bts.student.intake', config=config)
    Party = Model.get('party.party', config=config)
    Student = Model.get('bts.student', config=config)
    with as_user(config, 'scolarite.ltc'):
        intake, = Intake.find([
                ('programme', '=', student.programme.id),
                ('lycee', '=', student.lycee.id),
                ('academic_year', '=', year.id),
                ])
        name = student.party.name
        _apply(intake, [(name, 'leaving_diploma', {}, (14, 15))], config,
            parties={name: Party(student.party.id)})
        intake.click('rank')
        intake.click('decide')
        student = Student(student.id)
        for result in student.module_results:
            if result.validated:
                _exempt(student, result.module.code, 'readmission',
                    dt.date(2025, 7, 15))
        _enrol([student], year, 2, config)
    return student
