# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The rules of the contracts of external providers, with the figures of
issue 12: the rate of the qualification linked to the course, accredited
programmes only (and the teach-out), the 40 % of the study years that run,
one contract per role, amendments line by line never below what was
declared, the specific message of a title registered before 18 November
2016 at Sign, and what the pickers of a new contract or amendment line
offer."""
import contextlib
import datetime as dt
import unittest
from decimal import Decimal
from unittest.mock import patch

from trytond.model.exceptions import (
    DomainValidationError,
    SQLConstraintError,
)
from trytond.modules.bts_programme.exceptions import (
    AccreditationError,
    CapError,
    ContractError,
)
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction

SIGNED = dt.date(2025, 9, 20)


def create_year(start):
    AcademicYear = Pool().get('bts.academic_year')
    year, = AcademicYear.create([{'start_date': dt.date(start, 9, 15)}])
    return year


def create_lycee(code='LTC'):
    pool = Pool()
    Party = pool.get('party.party')
    Lycee = pool.get('bts.lycee')
    party, = Party.create([{'name': f"Lycée {code}"}])
    lycee, = Lycee.create([{'code': code, 'party': party.id}])
    return lycee


def create_programme(code, lycee, decision_year=2024, state='accredited'):
    """A programme with the demo's plan: per study year two lycée modules of
    three courses of 7 ECTS and 70 lessons (420 lessons a year, 840 in
    all), internships and a final project; accredited (initial) by the
    decision of 30 June of decision_year unless state says otherwise"""
    Programme = Pool().get('bts.programme')
    modules = []
    for index in range(4):
        modules.append({
                'code': f'M{index + 1}', 'name': f"Module {index + 1}",
                'kind': 'lycee', 'year_of_study': str(1 + index // 2),
                'semester': ('winter', 'summer')[index % 2],
                'courses': [('create', [{
                                'code': f'M{index + 1}.{n}',
                                'name': f"Course {index + 1}.{n}",
                                'ects': Decimal(7), 'planned_lessons': 70,
                                } for n in (1, 2, 3)])],
                })
    for number, year, ects, hours in [(1, '1', 6, 120), (2, '2', 12, 240)]:
        modules.append({
                'code': f'S{number}', 'name': f"Internship {number}",
                'kind': 'internship', 'year_of_study': year,
                'semester': 'summer', 'internship_hours': hours,
                'courses': [('create', [{
                                'code': f'S{number}.1', 'name': "Internship",
                                'ects': Decimal(ects), 'planned_lessons': 0,
                                }])],
                })
    modules.append({
            'code': 'TFE', 'name': "Final project", 'kind': 'tfe',
            'year_of_study': '2', 'semester': 'summer',
            'courses': [('create', [{
                            'code': 'TFE.1', 'name': "Final project",
                            'ects': Decimal(18), 'planned_lessons': 0,
                            }])],
            })
    programme, = Programme.create([{
                'code': code, 'name': code,
                'lycees': [('add', [lycee.id])],
                'modules': [('create', modules)],
                }])
    if state == 'requested' or decision_year is None:
        return programme
    programme.request_date = dt.date(decision_year - 1, 1, 15)
    programme.admissibility_date = dt.date(decision_year - 1, 3, 10)
    programme.save()
    Programme.declare_admissible([programme])
    if state == 'admissible':
        return programme
    programme.decision_date = dt.date(decision_year, 6, 30)
    programme.save()
    Programme.accredit([programme])
    if state == 'expired':
        Programme.expire([programme])
    elif state == 'withdrawn':
        Programme.withdraw([programme])
    return programme


def course(programme, code):
    return [c for m in programme.modules for c in m.courses
        if c.code == code][0]


def create_person(name, *qualifications):
    """A person with qualifications given as (title, CLQ level), each with
    its document attached"""
    pool = Pool()
    Party = pool.get('party.party')
    Attachment = pool.get('ir.attachment')
    party, = Party.create([{'name': name, 'bts_qualifications': [
                    ('create', [{
                                'title': title, 'clq_level': level,
                                'registration': 'national'}
                            for title, level in qualifications])]}])
    Attachment.create([{'resource': str(q), 'name': 'diploma.pdf',
                'data': b'%PDF-1.4'} for q in party.bts_qualifications])
    return party


def qualification(party, title):
    return [q for q in party.bts_qualifications if q.title == title][0]


def create_contract(party, programme, year, lines, role='external',
        sign=True):
    """A contract with lines given as (course code, semester kind,
    quantity[, linked qualification]), signed unless sign is false"""
    Contract = Pool().get('bts.contract')
    semesters = {s.kind: s for s in year.semesters}
    contract, = Contract.create([{
                'party': party.id, 'role': role,
                'programme': programme.id, 'lycee': programme.lycees[0].id,
                'academic_year': year.id,
                'start_date': dt.date(year.start_date.year, 10, 1),
                'end_date': year.end_date,
                'provider_signature_date': SIGNED.replace(
                    year=year.start_date.year),
                'director_signature_date': SIGNED.replace(
                    year=year.start_date.year),
                'lines': [('create', [{
                                'course': course(programme, code).id,
                                'semester': semesters[semester].id,
                                'quantity': quantity,
                                'qualification': linked[0].id
                                if linked and linked[0] else None,
                                } for code, semester, quantity, *linked
                            in lines])],
                }])
    if sign:
        Contract.sign([contract])
    return contract


def activate(contract):
    Contract = Pool().get('bts.contract')
    contract.minister_signature_date = SIGNED.replace(
        year=contract.academic_year.start_date.year)
    contract.save()
    Contract.activate([contract])


def rates(contract):
    return [(line.course.code, line.rate_kind, line.rate_amount)
        for line in contract.lines]


def picker(Model, name, values):
    """The records the client offers for the field name of Model: its
    domain, as fields_get sends it, evaluated with values"""
    domain = PYSONDecoder(values).decode(
        Model.fields_get([name])[name]['domain'])
    Target = Pool().get(Model._fields[name].model_name)
    return Target.search(domain)


def picker_data():
    """Two programmes, two years and two providers: each picker offers
    the records of one of them only"""
    lycee = create_lycee()
    return {
        'year': create_year(2025),
        'other_year': create_year(2026),
        'programme': create_programme('CLOUD', lycee),
        'other_programme': create_programme('GAME', create_lycee('LAM')),
        'person': create_person("Anne", ("Master", '7'), ("BTS", '5')),
        'other_person': create_person("Bob", ("Master", '7')),
        }


@contextlib.contextmanager
def savepoint():
    """Roll back what fails inside: PostgreSQL aborts the whole transaction
    on a refused constraint"""
    cursor = Transaction().connection.cursor()
    cursor.execute('SAVEPOINT refused')
    try:
        yield
    except Exception:
        cursor.execute('ROLLBACK TO SAVEPOINT refused')
        raise
    cursor.execute('RELEASE SAVEPOINT refused')

class ContractRulesTestCase(unittest.TestCase):
    "The rules of the contracts (bts_programme alone)"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(['bts_programme'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    # 6. Subject link belongs to a qualification (§K.17, §K.8, §B.3)

    @with_transaction()
    def test_rate_follows_linked_qualification(self):
        """An unrelated master (CLQ 7) and a BTS (CLQ 5) linked to the IT
        course: 7.68, not 12.07; no linked qualification: 6.28"""
        year = create_year(2025)
        programme = create_programme('IT', create_lycee())
        person = create_person("Sam Mixed",
            ("Master in Philosophy", '7'), ("BTS Computer Science", '5'))
        bts = qualification(person, "BTS Computer Science")
        master = qualification(person, "Master in Philosophy")
        contract = create_contract(person, programme, year, [
                ('M1.1', 'winter', 40, bts),
                ('M1.2', 'winter', 20, master),
                ('M1.3', 'winter', 10, None)])
        self.assertEqual(rates(contract), [
                ('M1.1', 'external_r3', Decimal('7.68')),
                ('M1.2', 'external_r1', Decimal('12.07')),
                ('M1.3', 'external_r4', Decimal('6.28'))])

    @with_transaction()
    def test_linked_qualification_of_the_provider(self):
        "A line links one of the provider's own qualifications only"
        year = create_year(2025)
        programme = create_programme('IT', create_lycee())
        person = create_person("Sam", ("BTS", '5'))
        other = create_person("Other", ("Master", '7'))
        with self.assertRaises(Exception) as error:
            create_contract(person, programme, year, [
                    ('M1.1', 'winter', 40, other.bts_qualifications[0])])
        self.assertIn("Linked Qualification", str(error.exception))

    @with_transaction()
    def test_number_at_signature(self):
        """A contract is numbered when signed, once; a contract and a course
        are found by number and code"""
        pool = Pool()
        Contract = pool.get('bts.contract')
        Course = pool.get('bts.programme.course')
        year = create_year(2025)
        programme = create_programme('IT', create_lycee())
        first = create_contract(create_person("Ann", ("BTS", '5')),
            programme, year, [('M1.1', 'winter', 10)])
        second = create_contract(create_person("Bob", ("BTS", '5')),
            programme, year, [('M1.1', 'winter', 10)], sign=False)
        # A sequence of the database is not rolled back with a test's
        # transaction (PostgreSQL): the numbers follow each other
        self.assertRegex(first.number, r'^C-\d{4}-\d{5}$')
        self.assertIsNone(second.number)
        Contract.sign([second])
        number = second.number
        self.assertEqual(int(number[-5:]), int(first.number[-5:]) + 1)
        Contract.draft([second])
        Contract.sign([second])
        self.assertEqual(second.number, number)
        self.assertEqual(
            Contract.search([('rec_name', '=', first.number)]), [first])
        self.assertEqual(
            [c.code for c in Course.search([
                        ('rec_name', 'ilike', 'M1.1'),
                        ('programme', '=', programme.id)])], ['M1.1'])

    # 17. The specific message first (vademecum §II.4, §K.18)

    @with_transaction()
    def test_foreign_title_before_2016_at_sign(self):
        """A foreign title registered before 18 November 2016 linked to the
        course stops Sign with its own message; the ministry's interim
        justification pays 6.28"""
        pool = Pool()
        Contract = pool.get('bts.contract')
        Qualification = pool.get('bts.qualification')
        year = create_year(2025)
        programme = create_programme('IT', create_lycee())
        person = create_person("Jean Foreign")
        maitrise, = Qualification.create([{
                    'party': person.id, 'title': "Maîtrise",
                    'clq_level': '7', 'registration': 'registered',
                    'registration_reference': "A-2015-12",
                    'registration_date': dt.date(2015, 3, 1)}])
        contract = create_contract(person, programme, year,
            [('M1.1', 'winter', 10, maitrise)], sign=False)
        with self.assertRaises(ContractError) as error:
            Contract.sign([contract])
        message = error.exception.message
        self.assertIn('"Maîtrise (Jean Foreign)"', message)
        self.assertIn("registered before 18 November 2016", message)
        self.assertIn("vademecum, §II.4", message)
        maitrise.interim_justification = "New registration applied for."
        maitrise.save()
        Contract.sign([contract])
        self.assertEqual(rates(contract),
            [('M1.1', 'external_r4', Decimal('6.28'))])

    # 9. Only accredited programmes (law art. 35, 41; §A.6)

    @with_transaction()
    def test_not_accredited_programmes_refused(self):
        """No contract signed on a requested, admissible, expired or
        withdrawn programme; accredited passes"""
        year = create_year(2025)
        lycee = create_lycee()
        person = create_person("Anne", ("Master", '7'))
        cases = [
            ('REQ', 2024, 'requested', "is not accredited (Requested)"),
            ('ADM', 2024, 'admissible', "is not accredited (Admissible)"),
            ('EXP', 2019, 'expired',
                "from 15/09/2019 to 14/09/2024 (its accreditation"),
            ('WDR', 2024, 'withdrawn', "was withdrawn"),
            ]
        for code, decision, state, text in cases:
            with self.subTest(state=state):
                programme = create_programme(code, lycee, decision, state)
                self.assertEqual(programme.state, state)
                with self.assertRaises(AccreditationError) as error:
                    create_contract(person, programme, year,
                        [('M1.1', 'winter', 10)])
                self.assertIn(text, error.exception.message)
                self.assertIn("law of 21 July 2023, art.",
                    error.exception.message)
        accredited = create_programme('ACC', lycee, 2024)
        contract = create_contract(person, accredited, year,
            [('M1.1', 'winter', 10)])
        self.assertEqual(contract.state, 'signed')

    @with_transaction()
    def test_check_running(self):
        """Programme.check_running(date or academic year): the study years
        that run; the first year of an initial accreditation runs the first
        study year only; a renewal's request keeps the accreditation"""
        pool = Pool()
        Programme = pool.get('bts.programme')
        years = {y: create_year(y) for y in (2024, 2025, 2029)}
        lycee = create_lycee()
        programme = create_programme('RUN', lycee, 2024)
        self.assertEqual(programme.check_running(years[2024]), ('1',))
        self.assertEqual(programme.check_running(years[2025]), ('1', '2'))
        self.assertEqual(
            programme.check_running(dt.date(2026, 3, 1)), ('1', '2'))
        with self.assertRaises(AccreditationError) as error:
            programme.check_running(years[2024],
                courses=[course(programme, 'M3.1')])
        self.assertIn(
            'belongs to the study year "Second Year"', error.exception.message)
        self.assertIn("first academic year of an initial accreditation",
            error.exception.message)
        Programme.request_renewal([programme])
        self.assertEqual(programme.state, 'requested')
        self.assertEqual(programme.check_running(years[2025]), ('1', '2'))
        with self.assertRaises(AccreditationError) as error:
            programme.check_running(years[2029])
        self.assertIn("from 15/09/2024 to 14/09/2029",
            error.exception.message)

    @with_transaction()
    def test_teach_out(self):
        """A refused re-accreditation (art. 41(2)): beyond the
        accreditation's term, three academic years of the second study year
        only (students enrolled finish, no new admission), then nothing; the
        40 % is of the second year's 420 lessons"""
        pool = Pool()
        Programme = pool.get('bts.programme')
        years = {y: create_year(y) for y in range(2024, 2029)}
        person = create_person("Anne", ("Master", '7'))
        programme = create_programme('OUT', create_lycee(), 2019)
        self.assertEqual(programme.valid_until, dt.date(2024, 9, 14))
        Programme.request_renewal([programme])
        programme.request_date = dt.date(2023, 1, 15)
        programme.admissibility_date = dt.date(2023, 3, 10)
        programme.save()
        Programme.declare_admissible([programme])
        programme.refusal_date = dt.date(2024, 6, 30)
        programme.save()
        with self.assertRaises(AccreditationError) as error:
            Programme.accredit([programme])
        self.assertIn("was refused on 30/06/2024", error.exception.message)
        for start in (2024, 2025, 2026):
            self.assertEqual(programme.check_running(years[start]), ('2',))
        with self.assertRaises(AccreditationError) as error:
            programme.check_running(years[2027])
        self.assertIn("from 15/09/2019 to 14/09/2027",
            error.exception.message)
        with self.assertRaises(AccreditationError) as error:
            create_contract(person, programme, years[2025],
                [('M1.1', 'winter', 10)])
        self.assertIn("no new student is admitted", error.exception.message)
        self.assertIn("art. 41(2)", error.exception.message)
        contract = create_contract(create_person("Cleo", ("Master", '7')),
            programme, years[2025],
            [('M3.1', 'winter', 70), ('M3.2', 'winter', 70),
                ('M4.1', 'summer', 28)])
        self.assertEqual(contract.state, 'signed')
        other = create_person("Bob", ("Master", '7'))
        with self.assertRaises(CapError) as error:
            create_contract(other, programme, years[2025],
                [('M4.2', 'summer', 1)])
        self.assertIn("(Second Year) plan 420 lessons",
            error.exception.message)
        self.assertIn("at most 168", error.exception.message)

    # 10. 40 % of what runs that year (§K.7, §B.7)

    @with_transaction()
    def test_first_year_share(self):
        """A programme in its first year (initial accreditation of 2025):
        the denominator is the first study year's 420 lessons, so 168 may be
        external, not 336 (80 % of the lessons given); the next year 840"""
        years = {y: create_year(y) for y in (2025, 2026)}
        programme = create_programme('NEW', create_lycee(), 2025)
        people = [create_person(f"External {i}", ("Master", '7'))
            for i in range(4)]
        create_contract(people[0], programme, years[2025],
            [('M1.1', 'winter', 70), ('M1.2', 'winter', 70)])
        create_contract(people[1], programme, years[2025],
            [('M2.1', 'summer', 28)])
        with self.assertRaises(CapError) as error:
            create_contract(people[2], programme, years[2025],
                [('M2.2', 'summer', 1)])
        message = error.exception.message
        self.assertIn("(First Year) plan 420 lessons", message)
        self.assertIn("at most 168; already 168", message)
        self.assertIn("total 169", message)
        # The old denominator, the whole plan's 840, let 336 pass.
        with self.assertRaises(CapError):
            create_contract(people[3], programme, years[2025],
                [('M2.2', 'summer', 168)])
        contracts = [
            create_contract(people[0], programme, years[2026],
                [('M1.1', 'winter', 70), ('M3.1', 'winter', 70),
                    ('M3.2', 'winter', 70)]),
            create_contract(people[1], programme, years[2026],
                [('M4.1', 'summer', 70), ('M4.2', 'summer', 56)])]
        self.assertEqual(sum(c.quantity for c in contracts), 336)

    # 11. Several roles, one person (§K.9, §K.13)

    @with_transaction()
    def test_several_roles(self):
        """An external lecturer is also the programme's specialised
        lecturer and tutor the same year: one contract per role; each cap
        counts its role, the 40 % both"""
        pool = Pool()
        Contract = pool.get('bts.contract')
        year = create_year(2025)
        lycee = create_lycee()
        programme = create_programme('ROLE', lycee, 2024)
        elsewhere = create_programme('ELSE', lycee, 2024)
        person = create_person("Marie", ("Master", '7'))
        external = create_contract(person, programme, year,
            [('M1.1', 'winter', 70), ('M1.2', 'winter', 70),
                ('M3.1', 'winter', 70), ('M3.2', 'winter', 30)])
        tutor = create_contract(person, programme, year,
            [('M1.1', 'winter', 12)], role='tutor')
        specialised = create_contract(person, elsewhere, year,
            [('M1.1', 'winter', 20)], role='specialised')
        self.assertEqual(
            [c.state for c in [external, tutor, specialised]],
            ['signed'] * 3)
        self.assertEqual(tutor.rec_name,
            "Marie - ROLE - 2025/2026 (External Tutor (Tuteur))")
        self.assertEqual(
            [(x.rate_kind, x.rate_amount) for x in tutor.lines],
            [('tutor', Decimal('20.86'))])
        # 240 external + 20 specialised: the 252 cap counts the external
        # lessons only (art. 9(2) al. 3)
        more = create_contract(person, programme, year,
            [('M2.1', 'summer', 20)], role='specialised')
        self.assertEqual(more.state, 'signed')
        with self.assertRaises(CapError) as error:
            create_contract(person, elsewhere, year,
                [('M1.2', 'winter', 13)])
        self.assertIn("total 253, limit 252", error.exception.message)
        # One contract per person, programme, year and role
        with self.assertRaises(SQLConstraintError) as error, savepoint():
            create_contract(person, programme, year,
                [('M2.2', 'summer', 1)], sign=False)
        self.assertIn("programme, academic year and role",
            error.exception.message)
        # The 40 % (336 of 840) adds both roles: 240 + 20 of Marie
        other = create_person("Bob", ("Master", '7'))
        create_contract(other, programme, year, [('M2.2', 'summer', 76)])
        with self.assertRaises(CapError) as error:
            create_contract(create_person("Carl", ("Master", '7')),
                programme, year, [('M2.3', 'summer', 1)])
        self.assertIn("already 336 (ROLE: 336)", error.exception.message)
        cancelled, = Contract.search([
                ('party.name', '=', "Carl")])
        Contract.cancel([cancelled])

    # 12. Amendments line by line (vademecum §II.4)

    @with_transaction()
    def test_amendment_line_by_line(self):
        """An amendment starts from the contract's lines: keep, change,
        remove, add, with the totals before and after; a single new line no
        longer replaces the whole contract (200 lessons stayed 200 + 10, they
        fell to 10 before)"""
        pool = Pool()
        Amendment = pool.get('bts.contract.amendment')
        year = create_year(2025)
        programme = create_programme('AM', create_lycee(), 2024)
        person = create_person("Anne", ("Master", '7'))
        master, = person.bts_qualifications
        contract = create_contract(person, programme, year, [
                ('M1.1', 'winter', 100, master),
                ('M3.1', 'winter', 100, master)])
        activate(contract)
        amendment = Amendment(contract=contract, date=dt.date(2025, 11, 1),
            reason="A course more")
        amendment.on_change_contract()
        self.assertEqual(
            [(x.action, x.course.code, x.quantity) for x in amendment.lines],
            [('keep', 'M1.1', 100), ('keep', 'M3.1', 100)])
        amendment.lines = []
        amendment.save()
        Amendment.write([amendment], {'lines': [('create', [{
                            'action': 'add',
                            'course': course(programme, 'M1.2').id,
                            'semester': year.semesters[0].id,
                            'quantity': 10,
                            'qualification': master.id}])]})
        self.assertEqual(
            (amendment.quantity_before, amendment.quantity_after),
            (200, 210))
        Amendment.apply([amendment])
        self.assertEqual(contract.quantity, 210)
        self.assertEqual(contract.version, 2)
        self.assertEqual(
            (amendment.quantity_before, amendment.quantity_after),
            (200, 210))
        self.assertEqual(sorted(
                (x.action, x.course.code, x.previous_quantity, x.quantity)
                for x in amendment.lines), [
                ('add', 'M1.2', None, 10),
                ('keep', 'M1.1', 100, 100),
                ('keep', 'M3.1', 100, 100)])

        second = Amendment(contract=contract, date=dt.date(2025, 12, 1),
            reason="Change, remove")
        second.on_change_contract()
        by_code = {x.course.code: x for x in second.lines}
        by_code['M1.1'].quantity = 80
        by_code['M1.1'].action = 'change'
        by_code['M3.1'].action = 'remove'
        by_code['M3.1'].quantity = None
        second.save()
        self.assertEqual(
            (second.quantity_before, second.quantity_after), (210, 90))
        Amendment.apply([second])
        self.assertEqual(sorted(
                (x.course.code, x.quantity, x.rate_amount)
                for x in contract.lines), [
                ('M1.1', 80, Decimal('12.07')),
                ('M1.2', 10, Decimal('12.07'))])
        self.assertEqual(
            (second.quantity_before, second.quantity_after), (210, 90))

        twice = Amendment(contract=contract, date=dt.date(2025, 12, 2),
            reason="Twice")
        twice.lines = []
        twice.save()
        Amendment.write([twice], {'lines': [('create', [{
                            'action': 'add',
                            'course': course(programme, 'M1.1').id,
                            'semester': year.semesters[0].id,
                            'quantity': 5}])]})
        with self.assertRaises(ContractError) as error:
            Amendment.apply([twice])
        self.assertIn("two lines", error.exception.message)

    # The lists of lessons per provider and of the external share

    def assertSummariesFresh(self):
        """The stored summaries hold what an aggregate over every counted
        contract line gives now"""
        pool = Pool()
        Usage = pool.get('bts.provider.usage')
        Share = pool.get('bts.programme.external_share')
        cursor = Transaction().connection.cursor()
        counted = ("FROM bts_contract_line l JOIN bts_contract c "
            "ON c.id = l.contract WHERE c.state IN ('signed', 'active', "
            "'closed') AND c.role IN ('external', 'specialised') ")
        cursor.execute("SELECT c.party, c.academic_year, CASE WHEN "
            "c.role = 'specialised' THEN l.semester END, c.role, "
            "SUM(l.quantity), COUNT(DISTINCT c.programme) " + counted
            + "GROUP BY 1, 2, 3, 4")
        self.assertEqual(
            sorted(((u.party.id, u.academic_year.id,
                        u.semester.id if u.semester else None, u.role,
                        u.lessons, u.programmes) for u in Usage.search([])),
                key=str),
            sorted(map(tuple, cursor), key=str))
        cursor.execute("SELECT c.programme, c.academic_year, "
            "SUM(l.quantity) " + counted + "GROUP BY 1, 2")
        self.assertEqual(
            sorted((s.programme.id, s.academic_year.id, s.lessons)
                for s in Share.search([])),
            sorted(map(tuple, cursor)))

    @with_transaction()
    def test_summaries_follow_contracts(self):
        """Lessons per provider and the external share follow each
        signature, amendment, cancellation, return to draft and deletion"""
        pool = Pool()
        Contract = pool.get('bts.contract')
        Amendment = pool.get('bts.contract.amendment')
        Usage = pool.get('bts.provider.usage')
        year = create_year(2025)
        lycee = create_lycee()
        programme = create_programme('SUM', lycee, 2024)
        other = create_programme('OTHER', lycee, 2024)
        anne = create_person("Anne", ("Master", '7'))
        bob = create_person("Bob", ("Master", '7'))
        draft = create_contract(anne, programme, year,
            [('M1.1', 'winter', 30)], sign=False)
        self.assertSummariesFresh()
        self.assertEqual(Usage.search([]), [])
        Contract.sign([draft])
        external = create_contract(anne, other, year,
            [('M1.1', 'winter', 40), ('M3.1', 'winter', 20)])
        specialised = create_contract(bob, programme, year,
            [('M1.2', 'winter', 15), ('M2.1', 'summer', 5)],
            role='specialised')
        self.assertSummariesFresh()
        self.assertEqual(
            [(u.lessons, u.programmes) for u in Usage.search([
                        ('party', '=', anne.id)])], [(90, 2)])

        activate(external)
        amendment = Amendment(contract=external, date=dt.date(2025, 11, 1),
            reason="Fewer lessons")
        amendment.on_change_contract()
        by_code = {x.course.code: x for x in amendment.lines}
        by_code['M1.1'].action = 'change'
        by_code['M1.1'].quantity = 25
        by_code['M3.1'].action = 'remove'
        by_code['M3.1'].quantity = None
        amendment.save()
        # One refresh for the lines changed, removed and kept together
        with patch.object(
                Usage, 'refresh', side_effect=Usage.refresh) as refresh:
            Amendment.apply([amendment])
        self.assertEqual(refresh.call_count, 1)
        self.assertSummariesFresh()
        self.assertEqual(
            [u.lessons for u in Usage.search([('party', '=', anne.id)])],
            [55])

        Contract.draft([draft])
        Contract.cancel([specialised])
        self.assertSummariesFresh()
        Contract.delete([draft])
        Contract.close([external])
        self.assertSummariesFresh()
        self.assertEqual(
            [(u.party.name, u.lessons) for u in Usage.search([])],
            [("Anne", 25)])

    # 13. The pickers of the lines in the web client's forms

    @with_transaction()
    def test_new_contract_line(self):
        """A new line of the contract form offers the courses of the
        contract's programme, the semesters of its year and the provider's
        qualifications; so does a line opened alone"""
        Line = Pool().get('bts.contract.line')
        data = picker_data()
        contract = {
            'programme': data['programme'].id,
            'academic_year': data['year'].id,
            'party': data['person'].id,
            'role': 'external',
            }
        for values in [{'_parent_contract': contract}, contract]:
            with self.subTest(values=values):
                self.assertCountEqual(
                    picker(Line, 'course', values),
                    [c for m in data['programme'].modules
                        for c in m.courses])
                self.assertCountEqual(
                    picker(Line, 'semester', values),
                    list(data['year'].semesters))
                self.assertCountEqual(
                    picker(Line, 'qualification', values),
                    list(data['person'].bts_qualifications))

    @with_transaction()
    def test_new_amendment_line(self):
        """A new line of the amendment form offers the contract's lines,
        the courses of its programme (every course before), the semesters
        of its year and the provider's qualifications; the server refuses a
        course of another programme"""
        pool = Pool()
        Amendment = pool.get('bts.contract.amendment')
        Line = pool.get('bts.contract.amendment.line')
        data = picker_data()
        master, _ = data['person'].bts_qualifications
        contract = create_contract(data['person'], data['programme'],
            data['year'], [('M1.1', 'winter', 40, master)])
        create_contract(data['other_person'], data['programme'],
            data['year'], [('M1.2', 'winter', 20)])
        activate(contract)
        amendment = Amendment(contract=contract, date=dt.date(2025, 11, 1),
            reason="A course more")
        self.assertEqual(
            (amendment.on_change_with_party(),
                amendment.on_change_with_programme(),
                amendment.on_change_with_academic_year()),
            (data['person'], data['programme'], data['year']))
        values = {'_parent_amendment': {
                'contract': contract.id,
                'party': data['person'].id,
                'programme': data['programme'].id,
                'academic_year': data['year'].id,
                }}
        self.assertCountEqual(
            picker(Line, 'contract_line', values), list(contract.lines))
        self.assertCountEqual(
            picker(Line, 'course', values),
            [c for m in data['programme'].modules for c in m.courses])
        self.assertCountEqual(
            picker(Line, 'semester', values), list(data['year'].semesters))
        self.assertCountEqual(
            picker(Line, 'qualification', values),
            list(data['person'].bts_qualifications))

        amendment.save()
        with self.assertRaises(DomainValidationError) as error:
            Amendment.write([amendment], {'lines': [('create', [{
                                'action': 'add',
                                'course': course(
                                    data['other_programme'], 'M1.2').id,
                                'semester': data['year'].semesters[0].id,
                                'quantity': 10}])]})
        self.assertIn("Course", error.exception.message)


class DeclaredLessonsTestCase(unittest.TestCase):
    """An amendment never goes below the lessons declared (with the
    declarations of bts_indemnity)"""

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(['bts_indemnity'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @with_transaction()
    def test_amendment_below_declared(self):
        """A 200-lesson contract with 72 lessons declared on M1.1: the
        amendment to 10 is refused (it fell to 10 before), so is removing
        the line; 72 passes; a draft declaration does not count"""
        pool = Pool()
        Amendment = pool.get('bts.contract.amendment')
        Contract = pool.get('bts.contract')
        Declaration = pool.get('bts.declaration')
        year = create_year(2025)
        programme = create_programme('DECL', create_lycee(), 2024)
        person = create_person("Anne", ("Master", '7'))
        master, = person.bts_qualifications
        contract = create_contract(person, programme, year, [
                ('M1.1', 'winter', 100, master),
                ('M3.1', 'winter', 100, master)])
        activate(contract)
        m11 = course(programme, 'M1.1')
        for state, days in [('submitted', range(1, 19)),
                ('approved', range(19, 37)), ('draft', range(1, 11))]:
            Declaration.create([{
                        'kind': 'lessons', 'contract': contract.id,
                        'lycee': contract.lycee.id,
                        'month': dt.date(2025, 10 + days[0] // 19, 1),
                        'state': state,
                        'lines': [('create', [{
                                        'date': dt.date(2025,
                                            10 + days[0] // 19,
                                            day - days[0] + 1),
                                        'course': m11.id,
                                        'quantity': Decimal(2),
                                        } for day in days])],
                        }])
        winter = year.semesters[0]
        self.assertEqual(
            Contract.declared_lessons([contract])[contract.id],
            {(m11.id, winter.id): 72})

        def amend(action, quantity):
            amendment = Amendment(contract=contract,
                date=dt.date(2026, 1, 10), reason="Fewer lessons")
            amendment.on_change_contract()
            line, = [x for x in amendment.lines if x.course == m11]
            line.action = action
            line.quantity = quantity
            amendment.save()
            return amendment

        for action, quantity in [('change', 10), ('remove', None),
                ('change', 71)]:
            with self.subTest(action=action, quantity=quantity):
                amendment = amend(action, quantity)
                with self.assertRaises(ContractError) as error:
                    Amendment.apply([amendment])
                self.assertIn(
                    f"would plan {quantity or 0} for \"M1.1 - Course 1.1 ",
                    error.exception.message)
                self.assertIn("below the 72 already declared",
                    error.exception.message)
                self.assertIn("vademecum, §II.4", error.exception.message)
                Amendment.delete([amendment])
        amendment = amend('change', 72)
        Amendment.apply([amendment])
        self.assertEqual(contract.quantity, 172)
