# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Demo data: the student office of the Lycée Technique du Centre and a
cohort of its BTS Cloud Computing from the applications of 2025/2026
(admitted in their ranking, a waiting list, a refusal, a conditional
admission annulled, an access by VAE with an exemption) through two
academic years of enrolments with their fees paid."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from proteus import Model
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


def _applications(intake, config):
    Application = Model.get('bts.student.application', config=config)
    applications = []
    for name, basis, values, scores in APPLICANTS:
        application = Application(party=_person(name, config),
            intake=intake, access_basis=basis, health_insurance=True,
            reference=f"MYG-2025-{len(applications) + 1:04d}")
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


def load_enrolments(programme, years, config):
    """The admitted students' tutor, their VAE exemption and their
    enrolments of both years, effective (the first year paid, the second
    year's winter semester); one student withdraws after the first
    year"""
    Student = Model.get('bts.student', config=config)
    Enrolment = Model.get('bts.student.enrolment', config=config)
    Fee = Model.get('bts.student.enrolment.fee', config=config)
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
        for student in students:
            enrolment, = Enrolment.find([('student', '=', student.id),
                    ('academic_year', '=', year.id)]) or [
                Enrolment(student=student, academic_year=year,
                    health_insurance=True)]
            if student.application.access_basis == 'vae':
                enrolment.time_status = 'part_time'
                enrolment.ects = Decimal(33)
            enrolment.save()
            enrolment.click('register')
            # The first year paid, the second year's winter semester
            for fee in enrolment.fees[:2 if year == years[0] else 1]:
                fee = Fee(fee.id)
                fee.payment_date = fee.semester.start_date
                fee.save()
                fee.click('pay')
            enrolment.reload()
            enrolment.click('make_effective')
        if year == years[0]:
            withdrawn = students.pop()
            withdrawn.click('withdraw')
