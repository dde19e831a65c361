# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Demo data: the ministry, four lycées, their staff and users, two academic
years and six programmes (one joint) whose study plans keep the law."""
import datetime as dt
from decimal import Decimal

from stdnum import iban, luhn, verhoeff

from proteus import Model

DEMO_PASSWORD = 'bts-demo-2026'

LYCEES = [
    ('LTC', "Lycée Technique du Centre", "Rue Henri VII", "106",
        "1725", "Luxembourg", "Marie Schmit"),
    ('LAM', "Lycée des Arts et Métiers", "Rue Guillaume Schneider", "19",
        "2522", "Luxembourg", "Paul Wagner"),
    ('ECG', "École de Commerce et de Gestion", "Rue Marguerite de Brabant",
        "21", "1254", "Luxembourg", "Anne Muller"),
    ('LTPS', "Lycée Technique pour Professions de Santé",
        "Rue Auguste Lumière", "27", "1950", "Luxembourg", "Jean Weber"),
    ]

# code, name, speciality, lycées, form, languages, state, decision year,
# lycée module courses (name, ECTS, lessons) per semester of study
PROGRAMMES = [
    ('BTS-CLOUD', "Cloud Computing", "Computing", ['LTC'], 'standard',
        ['en', 'fr'], 'accredited', 2023, [
            "Linux systems", "Networks", "Programming", "Databases",
            "Virtualisation", "Cloud architecture", "Security",
            "DevOps", "Automation", "Communication", "Law and IT",
            "Project management"]),
    ('BTS-GAME', "Game Art and Game Design", "Media", ['LAM'], 'standard',
        ['en'], 'accredited', 2024, [
            "Drawing", "3D modelling", "Animation", "Game design",
            "Level design", "Texturing", "Storytelling", "Sound design",
            "Engines", "Portfolio", "Art history", "Production"]),
    ('BTS-IOT', "Internet of Things", "Computing", ['LTC', 'LAM'],
        'standard', ['en', 'fr'], 'accredited', 2025, [
            "Electronics", "Embedded systems", "Sensors", "Networks",
            "Programming", "Data analysis", "Cloud platforms", "Security",
            "Prototyping", "Product design", "Communication",
            "Project management"]),
    ('BTS-COMPTA', "Gestionnaire comptable et fiscal", "Accounting",
        ['ECG'], 'alternance', ['fr', 'de'], 'accredited', 2024, [
            "Accounting", "Tax law", "Business law", "Payroll",
            "Financial analysis", "Management control", "Economics",
            "Software", "English", "Communication", "Audit",
            "Corporate finance"]),
    ('BTS-MKT', "Marketing et communication", "Commerce", ['ECG'],
        'standard', ['fr', 'en'], 'admissible', None, [
            "Marketing", "Communication", "Digital media", "Statistics",
            "Consumer behaviour", "Brand management", "Event management",
            "Law", "English", "German", "Sales", "Project management"]),
    ('BTS-ATM-RAD', "Assistant technique médical de radiologie",
        "Health", ['LTPS'], 'standard', ['fr', 'de'], 'requested', None, [
            "Anatomy", "Physiology", "Physics of radiation",
            "Radioprotection", "Imaging techniques", "Patient care",
            "Hygiene", "Ethics", "Pathology", "Quality", "Medical law",
            "Communication"]),
    ]


# login, name, groups and lycée (code) of the users: the ministry's, then
# the HR and the direction of each lycée
USERS = [
    ('ministere.admin', "Administration du ministère",
        ['group_ministry_admin'], None),
    ('ministere.finances', "Finances du ministère",
        ['group_ministry_finance'], None),
    ('ministere.ordonnateur', "Ordonnateur du ministère",
        ['group_ministry_finance'], None),
    ('comptable', "Comptable", ['group_accountant'], None),
    ('auditeur', "Auditeur", ['group_auditor'], None),
    *((f'{login}.{code.lower()}', f"{name} {code}", [group], code)
        for code, *_ in LYCEES
        for login, name, group in [
            ('rh', "RH", 'group_lycee_hr'),
            ('direction', "Direction", 'group_lycee_director')]),
    ]

# name, birth date, qualifications, contracts as (programme, role, lines of
# (course code, semester, quantity, linked to the qualification)), state
PROVIDERS = [
    ("Sophie Klein", dt.date(1980, 4, 12),
        [dict(title="Master in Computer Science", clq_level='7',
                registration='national')],
        [('BTS-CLOUD', 'external', [('M1.1', 'winter', 100),
                    ('M3.1', 'winter', 100)], 'active'),
            ('BTS-GAME', 'external', [('M2.1', 'summer', 48)], 'active')]),
    ("Marc Reuter", dt.date(1975, 11, 3),
        [dict(title="Diplôme de fin d'études secondaires",
                clq_level='below_5', registration='national')],
        [('BTS-IOT', 'specialised', [('M1.2', 'winter', 12)], 'active'),
            ('BTS-GAME', 'specialised', [('M1.3', 'winter', 8)], 'signed')]),
    ("Laura Schmit", dt.date(1988, 2, 28),
        [dict(title="Bachelor en gestion", clq_level='6',
                registration='registered', registration_reference="A-2019-331",
                registration_date=dt.date(2019, 5, 2),
                registration_level='6')],
        [('BTS-COMPTA', 'external', [('M1.1', 'winter', 50),
                    ('M2.1', 'summer', 50, False)], 'active')]),
    ("Paul Hoffmann", dt.date(1970, 7, 19),
        [dict(kind='profession', title="Expert-comptable",
                profession_level='e')],
        [('BTS-COMPTA', 'external', [('M3.1', 'winter', 50)], 'signed')]),
    ("Nina Model", dt.date(1995, 9, 9), [],
        [('BTS-GAME', 'auxiliary', [('M1.1', 'winter', 60)], 'active')]),
    ("Jeff Tutor", dt.date(1982, 1, 23),
        [dict(title="Master in Engineering", clq_level='7',
                registration='national')],
        [('BTS-CLOUD', 'tutor', [('M1.1', 'winter', 8)], 'active')]),
    ("Tom Weber", dt.date(1968, 12, 1),
        [dict(title="Maîtrise en informatique", clq_level='7',
                registration='registered', registration_reference="A-2012-87",
                registration_date=dt.date(2012, 6, 15))],
        [('BTS-IOT', 'external', [('M2.2', 'summer', 40)], 'draft')]),
    ]


def matricule(birth_date, sequence):
    "A valid Luxembourg national identification number"
    code = birth_date.strftime('%Y%m%d') + f'{sequence:03d}'
    return code + luhn.calc_check_digit(code) + verhoeff.calc_check_digit(
        code)


def lu_iban(sequence):
    "A valid Luxembourg IBAN"
    number = f'LU000019{sequence:012d}'
    return number[:2] + iban.calc_check_digits(number) + number[4:]


def _provider(index, name, birth_date, qualifications, config):
    Attachment = Model.get('ir.attachment', config=config)
    Bank = Model.get('bank', config=config)
    Account = Model.get('bank.account', config=config)
    party = _organisation(name, "Rue de la Gare", str(index + 1),
        "1611", "Luxembourg", config)
    party.identifiers.new(type='lu_matricule',
        code=matricule(birth_date, 100 + index))
    for values in qualifications:
        party.bts_qualifications.new(**values)
    party.save()
    for qualification in party.bts_qualifications:
        Attachment(resource=qualification,
            name=f"{qualification.title}.pdf", data=b'%PDF-1.4 demo').save()
    bank, = Bank.find([]) or [None]
    if not bank:
        bank = Bank(party=_organisation(
                "Banque et Caisse d'Épargne de l'État", "Place de Metz", "1",
                "2954", "Luxembourg", config), bic='BCEELULL')
        bank.save()
    account = Account(bank=bank)
    account.owners.append(Model.get('party.party', config=config)(party.id))
    account.numbers.new(type='iban', number=lu_iban(index + 1))
    account.save()
    return party


TEACHERS = ["Carole Thill", "Georges Muller", "Isabelle Kremer",
    "Patrick Schroeder", "Sandra Faber", "Yves Bintner"]


def _teachers(programmes, year, config):
    "Two lycée teachers in each programme"
    Teacher = Model.get('bts.programme.teacher', config=config)
    people = [_person(name, config) for name in TEACHERS]
    for index, programme in enumerate(programmes.values()):
        for party in (people[index % 6], people[(index + 1) % 6]):
            Teacher(party=party, programme=programme,
                academic_year=year).save()


def _contracts(programmes, years, config):
    "Providers with contracts in 2025/2026, some near the caps"
    Contract = Model.get('bts.contract', config=config)
    year = years[2025]
    semesters = {s.kind: s for s in year.semesters}
    for index, (name, birth_date, qualifications, contracts) in enumerate(
            PROVIDERS):
        party = _provider(index, name, birth_date, qualifications, config)
        for code, role, lines, state in contracts:
            programme = programmes[code]
            courses = {c.code: c for m in programme.modules
                for c in m.courses}
            contract = Contract(party=party, role=role, programme=programme,
                lycee=programme.lycees[0], academic_year=year,
                start_date=dt.date(2025, 10, 1), end_date=year.end_date,
                professional_milieu="Private sector")
            for course, semester, quantity, *linked in lines:
                line = contract.lines.new(course=courses[course],
                    semester=semesters[semester], quantity=quantity)
                if role == 'external' and (linked[0] if linked else True):
                    # The one qualification of the demo's providers is
                    # linked to their courses (RULES.md §K.17).
                    line.qualification, = party.bts_qualifications
            contract.save()
            if state in {'signed', 'active'}:
                contract.provider_signature_date = dt.date(2025, 9, 20)
                contract.director_signature_date = dt.date(2025, 9, 22)
                contract.click('sign')
            if state == 'active':
                contract.minister_signature_date = dt.date(2025, 9, 26)
                contract.click('activate')


def _former_teacher(programmes, config):
    """A teacher of 2020/2021 only: five years past the end of that year
    (14 September 2021), the retention's dry run lists her (law of 21 July
    2023, art. 33(2))"""
    AcademicYear = Model.get('bts.academic_year', config=config)
    Teacher = Model.get('bts.programme.teacher', config=config)
    year = AcademicYear(start_date=dt.date(2020, 9, 15))
    year.save()
    # A lycée teacher: a national number and an IBAN, no qualification
    party = _provider(
        len(PROVIDERS), "Nicole Reding", dt.date(1968, 3, 2), [], config)
    Teacher(party=party, programme=programmes['BTS-CLOUD'],
        academic_year=year).save()


def _group(fs_id, config):
    ModelData = Model.get('ir.model.data', config=config)
    return Model.get('res.group', config=config)(
        ModelData.get_id('bts_programme', fs_id, config.context))


def _person(name, config):
    Party = Model.get('party.party', config=config)
    party = Party(name=name)
    party.save()
    return party


def _luxembourg(config):
    Country = Model.get('country.country', config=config)
    country, = Country.find([('code', '=', 'LU')]) or [
        Country(name="Luxembourg", code='LU', code3='LUX', code_numeric='442')]
    country.save()
    return country


def _organisation(name, street, number, postal_code, city, config):
    "A party with the structured address in Luxembourg SEPA transfers need"
    Party = Model.get('party.party', config=config)
    party = Party(name=name)
    address, = party.addresses
    address.street_name = street
    address.building_number = number
    address.postal_code = postal_code
    address.city = city
    address.country = _luxembourg(config)
    party.save()
    return party


def _user(login, name, groups, lycees, config):
    User = Model.get('res.user', config=config)
    user = User(login=login, name=name, password=DEMO_PASSWORD)
    user.language, = Model.get('ir.lang', config=config).find([
            ('code', '=', 'fr'), ('translatable', '=', True)]) or [None]
    for group in groups:
        user.groups.append(_group(group, config))
    Lycee = Model.get('bts.lycee', config=config)
    user.bts_lycees.extend(Lycee(lycee.id) for lycee in lycees)
    # Each user lands on the to-do list of their role at login.
    ModelData = Model.get('ir.model.data', config=config)
    ActWindow = Model.get('ir.action.act_window', config=config)
    todo = ActWindow(ModelData.get_id(
            'bts_programme', 'act_todo', config.context))
    user.actions.append(Model.get('ir.action', config=config)(
            todo.action.id))
    user.save()
    return user


def _study_plan(programme, courses, form):
    """Two years of four lycée modules of 3 courses each, internships and a
    final project (law of 2023, arts. 3-7); alternance weighs internships
    at 45 % (art. 4(2) al. 2)."""
    if form == 'alternance':
        lycee_ects = [(5, 5, 4), (5, 5, 4), (5, 5, 4), (5, 4, 3)]
        internships = [(1, 'summer', 15, 300), (1, 'winter', 12, 240),
            (2, 'winter', 12, 240), (2, 'summer', 15, 300)]
        tfe_ects = 12
    else:
        lycee_ects = [(7, 7, 7)] * 4
        internships = [(1, 'summer', 6, 120), (2, 'summer', 12, 240)]
        tfe_ects = 18
    names = iter(courses)
    for index, ects in enumerate(lycee_ects):
        year, semester = str(1 + index // 2), ('winter', 'summer')[index % 2]
        module = programme.modules.new(
            code=f'M{index + 1}', name=f"Module {index + 1}", kind='lycee',
            year_of_study=year, semester=semester)
        for number, value in enumerate(ects, 1):
            module.courses.new(
                code=f'M{index + 1}.{number}', name=next(names),
                ects=Decimal(value), planned_lessons=value * 10)
    for number, (year, semester, ects, hours) in enumerate(internships, 1):
        module = programme.modules.new(
            code=f'S{number}', name=f"Internship {number}",
            kind='internship', year_of_study=str(year), semester=semester,
            internship_hours=hours)
        module.courses.new(
            code=f'S{number}.1', name=f"Internship {number}",
            ects=Decimal(ects), planned_lessons=0)
    module = programme.modules.new(
        code='TFE', name="Final project", kind='tfe', year_of_study='2',
        semester='summer')
    module.courses.new(
        code='TFE.1', name="Final project (travail de fin d'études)",
        ects=Decimal(tfe_ects), planned_lessons=0)


def load(config):
    Lycee = Model.get('bts.lycee', config=config)
    AcademicYear = Model.get('bts.academic_year', config=config)
    Programme = Model.get('bts.programme', config=config)

    years = {}
    for start in [2025, 2026]:
        years[start] = AcademicYear(start_date=dt.date(start, 9, 15))
        years[start].save()

    lycees = {}
    for code, name, street, number, postal, city, director in LYCEES:
        lycee = Lycee(code=code,
            party=_organisation(name, street, number, postal, city, config),
            director=_person(director, config))
        lycee.save()
        lycees[code] = lycee
    _organisation(
        "Ministère de l'Enseignement supérieur et de la Recherche",
        "Route d'Esch", "18-20", "1470", "Luxembourg", config)

    for login, name, groups, code in USERS:
        _user(login, name, groups, [lycees[code]] if code else [], config)

    commissioner = _person("Claude Hoffmann", config)
    programmes = {}
    for (code, name, speciality, lycee_codes, form, languages, state,
            decision_year, courses) in PROGRAMMES:
        programme = Programme(
            code=code, name=f"BTS {name}", speciality=speciality, form=form,
            languages=languages,
            coordinator=_person(f"Coordinator {code[4:].title()}", config),
            government_commissioner=commissioner,
            request_date=dt.date((decision_year or 2027) - 1, 1, 15))
        programme.lycees.extend(
            Lycee(lycees[c].id) for c in lycee_codes)
        _study_plan(programme, courses, form)
        programme.save()
        if state in {'admissible', 'accredited'}:
            programme.admissibility_date = dt.date(
                (decision_year or 2027) - 1, 3, 10)
            programme.click('declare_admissible')
        if state == 'accredited':
            programme.decision_date = dt.date(decision_year, 6, 30)
            programme.decision_reference = f"MESR-{decision_year}-{code}"
            programme.click('accredit')
        programmes[code] = programme
    _teachers(programmes, years[2025], config)
    _contracts(programmes, years, config)
    _former_teacher(programmes, config)
