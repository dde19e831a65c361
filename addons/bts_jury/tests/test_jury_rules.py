# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The compositions of the litigation and TFE commissions (law of
21 July 2023, arts. 7(2) and 23(2); vademecum §I.6, §I.8), the votes of the
admission commission without abstention (vademecum §I.3 a)), windows of
months that start on a day some months lack (29 February, RULES.md §K.16)
and the lock the curriculum-group caps take (Annex E)."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.bts_jury.exceptions import (
    CompositionError,
    CurriculumHoursError,
    SittingError,
)
from trytond.modules.bts_programme.academic_year import (
    add_months,
    day_of_month,
    window_end,
)
from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction, TransactionError


class MonthWindowTestCase(unittest.TestCase):
    "The one month arithmetic of the modules (RULES.md §K.16)"

    def test_window_end(self):
        "A window ends the day before the same date N months later"
        for start, months, end in [
                (dt.date(2025, 3, 1), 24, dt.date(2027, 2, 28)),
                (dt.date(2023, 3, 1), 12, dt.date(2024, 2, 29)),
                (dt.date(2025, 9, 15), 12, dt.date(2026, 9, 14)),
                (dt.date(2025, 9, 15), 36, dt.date(2028, 9, 14)),
                # The same date does not exist: to the end of the month.
                (dt.date(2024, 2, 29), 24, dt.date(2026, 2, 28)),
                (dt.date(2024, 2, 29), 48, dt.date(2028, 2, 28)),
                (dt.date(2025, 3, 31), 1, dt.date(2025, 4, 30)),
                (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
                ]:
            with self.subTest(start=start, months=months):
                self.assertEqual(window_end(start, months), end)

    def test_day_of_month(self):
        "A day the month lacks that year is its last day"
        self.assertEqual(day_of_month(2025, 2, 29), dt.date(2025, 2, 28))
        self.assertEqual(day_of_month(2024, 2, 29), dt.date(2024, 2, 29))
        self.assertEqual(day_of_month(2025, 9, 15), dt.date(2025, 9, 15))

    def test_add_months(self):
        "A day the month reached lacks becomes its last day"
        self.assertEqual(
            add_months(dt.date(2024, 2, 29), 12), dt.date(2025, 2, 28))
        self.assertEqual(
            add_months(dt.date(2030, 9, 14), -24), dt.date(2028, 9, 14))
        self.assertEqual(
            add_months(dt.date(2028, 2, 29), -24), dt.date(2026, 2, 28))


class JuryRulesTestCase(unittest.TestCase):
    "Compositions, votes, windows of months and the curriculum-group lock"

    @classmethod
    def setUpClass(cls):
        # A fresh database: a test class run before on the same process
        # (pytest-xdist) may have left its own behind
        drop_db()
        activate_module(['bts_jury'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    # Helpers, in the current transaction

    def setup_lycee(self):
        "A lycée with its director, the academic year 2025/2026"
        pool = Pool()
        Party = pool.get('party.party')
        Lycee = pool.get('bts.lycee')
        AcademicYear = pool.get('bts.academic_year')
        lycee_party, director = Party.create([
                {'name': "Lycée Technique du Centre"},
                {'name': "Director Schmit"}])
        lycee, = Lycee.create([{
                    'code': 'LTC', 'party': lycee_party.id,
                    'director': director.id}])
        year, = AcademicYear.create([{'start_date': dt.date(2025, 9, 15)}])
        return lycee, director, year

    def programme(self, code, lycee, state='accredited'):
        """A programme of lycee in state: accredited from 15 September 2025
        or admissible since 1 March 2025.

        An accredited programme is accredited by the minister's decision
        of 30 June 2025 through its workflow: its bodies sit only while it
        runs (Programme.check_running, law of 21 July 2023, arts. 35, 41).
        An admissible one has a study plan of one course, which is not what
        these tests are about: its state is set in the table."""
        Programme = Pool().get('bts.programme')
        if state == 'accredited':
            programme, _ = create_one_course_programme(
                code, lycee, decision_year=2025)
            return programme
        programme, _ = create_one_course_programme(code, lycee)
        values = {'admissibility_date': dt.date(2025, 3, 1)}
        Programme.write([programme], values)
        table = Programme.__table__()
        Transaction().connection.cursor().execute(*table.update(
                [table.state], [state], where=table.id == programme.id))
        return Programme(programme.id)

    def body(self, code, year, members, **values):
        "A body of type code with members as (name or party, role)"
        pool = Pool()
        Party = pool.get('party.party')
        BodyType = pool.get('bts.jury.body_type')
        Body = pool.get('bts.jury.body')
        body_type, = BodyType.search([('code', '=', code)])
        basis = ('designation' if body_type.nominated_by == 'director'
            else 'decree')
        creates = []
        for who, role in members:
            if isinstance(who, str):
                who, = Party.create([{'name': who}])
            creates.append({
                    'party': who.id, 'role': role, 'legal_basis': basis,
                    'legal_reference': "REF-2025-1",
                    'legal_date': dt.date(2025, 10, 1)})
        body, = Body.create([dict(values, body_type=body_type.id,
                    academic_year=year.id,
                    decree_reference="MESR-2025-1",
                    decree_date=dt.date(2025, 10, 1),
                    members=[('create', creates)])])
        return body

    def assert_composition(self, body, *fragments):
        "Nominating body is refused with each fragment in the message"
        Body = Pool().get('bts.jury.body')
        self.assertFalse(body.complete)
        with self.assertRaises(CompositionError) as cm:
            Body.nominate([body])
        for fragment in fragments:
            self.assertIn(fragment, cm.exception.message)

    # Litigation commission (art. 23(2); RULES.md §C.8, §K.19)

    def litigation(self, lycee, year, staff, president="Deputy Director"):
        return self.body('litigation', year, [
                (president, 'president'), ("Clerk", 'secretary')]
            + staff + [(f"Substitute {i}", 'substitute') for i in range(5)],
            lycee=lycee.id)

    @with_transaction()
    def test_litigation_two_teachers(self):
        "Four members of the lycée staff, at least two of them teachers"
        Body = Pool().get('bts.jury.body')
        lycee, _, year = self.setup_lycee()
        body = self.litigation(lycee, year,
            [(f"Staff {i}", 'member') for i in range(3)]
            + [("Teacher 1", 'teacher')])
        self.assert_composition(body,
            'law of 21 July 2023, art. 23', 'Teacher: 1, at least 2 required')
        body = self.litigation(lycee, year,
            [(f"Staff {i}", 'member') for i in range(2)]
            + [("Teacher 1", 'teacher')])
        self.assert_composition(body,
            'Member, Teacher: 3, at least 4 required',
            'Teacher: 1, at least 2 required')
        body = self.litigation(lycee, year,
            [(f"Staff {i}", 'member') for i in range(2)]
            + [(f"Teacher {i}", 'teacher') for i in range(3)])
        self.assert_composition(body,
            'Member, Teacher: 5, at most 4 allowed')
        body = self.litigation(lycee, year,
            [(f"Staff {i}", 'member') for i in range(2)]
            + [(f"Teacher {i}", 'teacher') for i in range(2)])
        self.assertTrue(body.complete)
        Body.nominate([body])
        self.assertEqual(body.state, 'nominated')
        # Four teachers are four members of the staff too.
        body = self.litigation(lycee, year,
            [(f"Teacher {i}", 'teacher') for i in range(4)])
        self.assertTrue(body.complete)

    @with_transaction()
    def test_litigation_president_not_director(self):
        "A member of the direction other than the director presides"
        lycee, director, year = self.setup_lycee()
        body = self.litigation(lycee, year,
            [(f"Staff {i}", 'member') for i in range(2)]
            + [(f"Teacher {i}", 'teacher') for i in range(2)],
            president=director)
        self.assert_composition(body,
            'Director Schmit is the director of the lycée and cannot be the '
            'President')

    @with_transaction()
    def test_litigation_teachers_outside_bts(self):
        """The vademecum's stricter policy, off by default: the two
        teachers teach in no BTS programme (RULES.md §K.19)"""
        pool = Pool()
        Party = pool.get('party.party')
        BodyType = pool.get('bts.jury.body_type')
        Teacher = pool.get('bts.programme.teacher')
        lycee, _, year = self.setup_lycee()
        programme = self.programme('CLOUD', lycee)
        bts_teacher, other = Party.create([
                {'name': "BTS Teacher"}, {'name': "Other Teacher"}])
        Teacher.create([{'party': bts_teacher.id,
                    'programme': programme.id, 'academic_year': year.id}])
        body = self.litigation(lycee, year,
            [(f"Staff {i}", 'member') for i in range(2)]
            + [(bts_teacher, 'teacher'), (other, 'teacher')])
        # The law: teachers; the BTS teacher is barred case by case only.
        self.assertTrue(body.complete)
        litigation_type, = BodyType.search([('code', '=', 'litigation')])
        BodyType.write([litigation_type], {'teachers_outside_bts': True})
        body = pool.get('bts.jury.body')(body.id)
        self.assert_composition(body,
            'teachers who teach in no BTS programme in 2025/2026: 1, '
            'at least 2 required (vademecum §I.8)')

    # TFE commission (art. 7(2); RULES.md §C.6)

    @with_transaction()
    def test_tfe_teaching_body(self):
        """At least two members with the promoter, one at least of the
        teaching body of the programme in the year"""
        pool = Pool()
        Body = pool.get('bts.jury.body')
        Teacher = pool.get('bts.programme.teacher')
        lycee, _, year = self.setup_lycee()
        programme = self.programme('IOT', lycee)
        body = self.body('tfe', year, [
                ("Promoter", 'promoter'), ("Examiner", 'member')],
            programme=programme.id)
        self.assert_composition(body, 'law of 21 July 2023, art. 7(2)',
            'members of the teaching body of IOT - Computer Science in '
            '2025/2026 (lycée teachers, external or specialised lecturers): '
            '0, at least 1 required')
        promoter, = [m for m in body.members if m.role == 'promoter']
        # A teacher of the programme in another year does not count.
        other_year, = pool.get('bts.academic_year').create(
            [{'start_date': dt.date(2024, 9, 15)}])
        Teacher.create([{'party': promoter.party.id,
                    'programme': programme.id,
                    'academic_year': other_year.id}])
        body = Body(body.id)
        self.assertFalse(body.complete)
        Teacher.create([{'party': promoter.party.id,
                    'programme': programme.id, 'academic_year': year.id}])
        body = Body(body.id)
        self.assertTrue(body.complete)
        Body.nominate([body])
        self.assertEqual(body.state, 'nominated')
        # The promoter alone is not a commission of two.
        body = self.body('tfe', year, [(promoter.party, 'promoter')],
            programme=programme.id)
        self.assert_composition(body, 'Member: 0, at least 1 required')

    # Votes (art. 14(2), art. 23(3); vademecum §I.3 a))

    def sitting(self, body, count, kind='deliberation'):
        "A recorded sitting of body with its first count members present"
        Sitting = Pool().get('bts.jury.sitting')
        sitting, = Sitting.create([{
                    'body': body.id, 'date': dt.date(2026, 6, 20),
                    'kind': kind,
                    'attendees': [('add', [
                                m.id for m in body.members[:count]])],
                    }])
        Sitting.record([sitting])
        return sitting

    @with_transaction()
    def test_admission_no_abstention(self):
        """Admission commission: every member present votes for or
        against; the exam jury may count abstentions"""
        Decision = Pool().get('bts.jury.decision')
        lycee, _, year = self.setup_lycee()
        programme = self.programme('CLOUD', lycee)
        admission = self.body('admission', year, [
                ("Commissioner", 'government_commissioner'),
                ("Deputy", 'direction')]
            + [(f"Teacher {i}", 'teacher') for i in range(3)],
            programme=programme.id)
        sitting = self.sitting(admission, 5)
        for votes_for, votes_against in [(3, 1), (2, 0), (0, 0)]:
            with self.subTest(votes=(votes_for, votes_against)):
                with self.assertRaises(SittingError) as cm:
                    Decision.create([{'sitting': sitting.id,
                                'subject': "Admission of candidate",
                                'votes_for': votes_for,
                                'votes_against': votes_against}])
                self.assertIn(
                    f'counts {votes_for + votes_against} votes for 5 '
                    'members present', cm.exception.message)
                self.assertIn('abstention is not allowed (vademecum §I.3 a))',
                    cm.exception.message)
        with self.assertRaises(SittingError) as cm:
            Decision.create([{'sitting': sitting.id, 'subject': "Proxy",
                        'votes_for': 4, 'votes_against': 2}])
        self.assertIn('only 5 members are present', cm.exception.message)
        decision, = Decision.create([{'sitting': sitting.id,
                    'subject': "Admission of candidate",
                    'votes_for': 3, 'votes_against': 2}])
        self.assertTrue(decision.adopted)
        # Four present, two against two: the president's casting vote.
        sitting = self.sitting(admission, 4)
        decision, = Decision.create([{'sitting': sitting.id,
                    'subject': "Ranking", 'votes_for': 2,
                    'votes_against': 2, 'president_vote': 'for'}])
        self.assertTrue(decision.adopted)

        jury = self.body('exam_jury', year, [
                ("Commissioner", 'government_commissioner'),
                ("Deputy", 'direction'), ("Coordinator", 'coordinator')]
            + [(f"Teacher {i}", 'teacher') for i in range(4)],
            programme=programme.id)
        sitting = self.sitting(jury, 5)
        decision, = Decision.create([{'sitting': sitting.id,
                    'subject': "Exemption", 'votes_for': 3,
                    'votes_against': 1}])
        self.assertTrue(decision.adopted)

    # Windows of months from 29 February (RULES.md §K.16)

    def curriculum_group(self, programme, year):
        "A curriculum group of programme: president, secretary, 3 teachers"
        return self.body('curriculum_group', year, [
                ("Deputy", 'president'), ("Coordinator", 'secretary')]
            + [(f"Teacher {i}", 'teacher') for i in range(3)],
            programme=programme.id)

    @with_transaction()
    def test_accreditation_window_29_february(self):
        """Admissibility notified on 29 February 2024: initial accreditation
        work runs to 28 February 2026"""
        pool = Pool()
        Programme = pool.get('bts.programme')
        AcademicYear = pool.get('bts.academic_year')
        Work = pool.get('bts.jury.work')
        lycee, _, _ = self.setup_lycee()
        year, = AcademicYear.create([{'start_date': dt.date(2023, 9, 15)}])
        programme = self.programme('LEAP', lycee, 'admissible')
        Programme.write([programme], {
                'admissibility_date': dt.date(2024, 2, 29)})
        group = self.curriculum_group(programme, year)
        teacher = group.members[2]
        work, = Work.create([{'member': teacher.id, 'kind': 'accreditation',
                    'date': dt.date(2026, 2, 28), 'hours': Decimal(10)}])
        with self.assertRaises(CurriculumHoursError) as cm:
            Work.create([{'member': teacher.id, 'kind': 'accreditation',
                        'date': dt.date(2026, 3, 1), 'hours': Decimal(1)}])
        self.assertIn('(29/02/2024 to 28/02/2026)', cm.exception.message)

    @with_transaction()
    def test_renewal_window(self):
        """Re-accreditation work: the last two academic years of the
        accreditation (15 September 2028 - 14 September 2030)"""
        pool = Pool()
        AcademicYear = pool.get('bts.academic_year')
        Work = pool.get('bts.jury.work')
        lycee, _, _ = self.setup_lycee()
        year, = AcademicYear.create([{'start_date': dt.date(2028, 9, 15)}])
        programme = self.programme('RUN', lycee)
        self.assertEqual(programme.valid_until, dt.date(2030, 9, 14))
        group = self.curriculum_group(programme, year)
        teacher = group.members[2]
        Work.create([{'member': teacher.id, 'kind': 'renewal',
                    'date': dt.date(2028, 9, 15), 'hours': Decimal(10)}])
        with self.assertRaises(CurriculumHoursError) as cm:
            Work.create([{'member': teacher.id, 'kind': 'renewal',
                        'date': dt.date(2028, 9, 14), 'hours': Decimal(1)}])
        self.assertIn('(15/09/2028 to 14/09/2030)', cm.exception.message)

    @with_transaction()
    def test_mandate_and_deadline(self):
        """The mandate of a body ends the day before the same date N months
        later; a proposal deadline on a day the month lacks that year is
        the month's last day"""
        pool = Pool()
        BodyType = pool.get('bts.jury.body_type')
        Body = pool.get('bts.jury.body')
        AcademicYear = pool.get('bts.academic_year')
        lycee, _, year = self.setup_lycee()
        leap_year, = AcademicYear.create(
            [{'start_date': dt.date(2024, 9, 15)}])
        litigation, = BodyType.search([('code', '=', 'litigation')])
        body_type, = BodyType.copy([litigation], {
                'code': 'leap', 'proposal_month': 2, 'proposal_day': 29,
                'mandate_months': 24})
        for academic_year, deadline, mandate_end in [
                (year, dt.date(2025, 2, 28), dt.date(2027, 9, 14)),
                (leap_year, dt.date(2024, 2, 29), dt.date(2026, 9, 14))]:
            body, = Body.create([{'body_type': body_type.id,
                        'lycee': lycee.id,
                        'academic_year': academic_year.id}])
            self.assertEqual(
                (body.proposal_deadline, body.mandate_end),
                (deadline, mandate_end))

    # The lock of the curriculum-group caps (Annex E; caps.lock)

    @with_transaction()
    def test_curriculum_caps_lock(self):
        """Hours of work are checked under a lock of their programme: a
        transaction without it restarts with the programme locked before it
        reads anything (PostgreSQL proves the race: test_curriculum_race)"""
        pool = Pool()
        Programme = pool.get('bts.programme')
        Work = pool.get('bts.jury.work')
        lycee, _, year = self.setup_lycee()
        programme = self.programme('LOCK', lycee, 'admissible')
        group = self.curriculum_group(programme, year)
        # As if another transaction had created the programme: one created
        # in the transaction needs no lock, no one else sees it.
        Transaction().create_records[Programme.__name__].remove(programme.id)
        values = {'member': group.members[2].id, 'kind': 'accreditation',
            'date': dt.date(2025, 6, 1), 'hours': Decimal(1)}
        with self.assertRaises(TransactionError) as cm:
            Work.create([values])
        self.assertEqual(cm.exception._table, programme._table)
        self.assertEqual(set(cm.exception._ids), {programme.id})
        # As trytond's dispatcher restarts it: with the programme locked.
        transaction = Transaction()
        transaction._locked_records[programme._table].add(programme.id)
        work, = Work.create([values])
        self.assertEqual(work.programme, programme)
