# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The amounts of act and lesson declarations as the law sets them (issue
12, points 1-5, 7 and 8), with the figures of the issue:

1. an act is claimed by the roles of its Annex E row: the commissioner's
   E12 replaces the member's E11 (208.32 € for one deliberation, not
   284.02 €), a teacher cannot claim E12, a TFE member not the promoter's
   E14; checked when the line is entered and again at approval;
2. "once per period" is once per member of a body: one direction member on
   the exam juries of two programmes is paid E11 twice (2 × 75.70 €);
3. an act per meeting, decision, semester or year needs a recorded sitting
   of the body in its period that the member attended;
4. a semestrial act takes the index at the end of its semester, an annual
   one (and a tutor's students) the index at the end of the academic year:
   an E11 of the summer semester 2024/25 dated 20 February 2025 is paid at
   968.04 (75.70 €), not 944.43 (73.85 €);
5. one half-up rounding, by the wage index: 0.5 h of E6 at 968.04 is
   113.65 × 0.5 = 56.825 → 56.83 €;
7. lessons are whole: a line of 1.5 lessons is refused, and 20 lines of 1.5
   lessons no longer pass the 20-lesson semester cap;
8. the correction of a written test follows from the test's length: a
   2-hour test is paid E3, never E5."""
import datetime as dt
import unittest
from decimal import Decimal

from proteus import Model
from trytond.exceptions import UserError
from trytond.modules.bts_indemnity.exceptions import DeclarationError
from trytond.modules.bts_programme.exceptions import CapError
from trytond.modules.bts_programme.tests.tools import (
    accredit,
    add_valid_plan,
    create_academic_year,
    create_contract,
    create_lycee,
    create_provider,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction

from .tools import APPROVAL_STEPS, step_user

DECREE = ("MESR-2025-12", dt.date(2025, 10, 30))


def _programme(code, lycee):
    programme = Model.get('bts.programme')(code=code, name=code)
    programme.lycees.append(Model.get('bts.lycee')(lycee.id))
    add_valid_plan(programme)
    programme.save()
    return accredit(programme)


def _party(name):
    party = Model.get('party.party')(name=name)
    party.save()
    return party


def _body(code, year, members, programme=None, basis='decree'):
    """A nominated body of members given as (party or name, role); return it
    and its members by name"""
    BodyType = Model.get('bts.jury.body_type')
    body_type, = BodyType.find([('code', '=', code)])
    body = Model.get('bts.jury.body')(body_type=body_type,
        programme=programme, academic_year=year)
    if basis == 'decree':
        body.decree_reference, body.decree_date = DECREE
    for party, role in members:
        if isinstance(party, str):
            party = _party(party)
        body.members.new(party=party, role=role, legal_basis=basis,
            legal_reference=DECREE[0], legal_date=DECREE[1])
    body.save()
    body.click('nominate')
    return body, {m.party.name: Model.get('bts.jury.member')(m.id)
        for m in body.members}


def _exam_jury(year, programme, prefix, direction=None):
    "An exam jury of seven; direction is the direction member's party"
    return _body('exam_jury', year, [
            (f"{prefix} Commissioner", 'government_commissioner'),
            (direction or f"{prefix} Direction", 'direction'),
            (f"{prefix} Coordinator", 'coordinator')] + [
            (f"{prefix} Teacher {i}", 'teacher') for i in range(1, 5)],
        programme=programme)


def _sitting(body, date, kind, attendees):
    sitting = Model.get('bts.jury.sitting')(body=body, date=date, kind=kind)
    Member = Model.get('bts.jury.member')
    sitting.attendees.extend(Member(m.id) for m in attendees)
    sitting.save()
    sitting.click('record')
    return sitting


def _act(code):
    act, = Model.get('bts.jury.act').find([('code', '=', code)])
    return act


class ActAmountsTestCase(unittest.TestCase):
    "The amounts of act and lesson declarations (issue 12)"

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules(['bts_indemnity', 'bts_jury'])
        cls.lycee = create_lycee('LTC', "Lycée Technique du Centre")
        cls.year_2024 = create_academic_year(2024)
        cls.year = create_academic_year(2025)
        cls.programmes = {code: _programme(code, cls.lycee)
            for code in ['CLOUD', 'GAME', 'IOT', 'DATA']}

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def submission(self, body, month):
        submission = Model.get('bts.declaration.submission')(
            body=body, lycee=Model.get('bts.lycee')(self.lycee.id),
            month=month)
        submission.save()
        return submission

    def declare(self, submission, member, lines):
        """A draft declaration of member in submission with lines given as
        dictionaries of field values (set in their order)"""
        declaration = Model.get('bts.declaration')(kind='acts',
            member=member, lycee=submission.lycee, month=submission.month,
            submission=submission)
        for values in lines:
            line = declaration.lines.new()
            for name, value in values.items():
                setattr(line, name, value)
        declaration.save()
        return declaration

    def refused(self, message, *args, **kwargs):
        "Declare, expect a refusal containing message"
        with self.assertRaises(DeclarationError) as refusal:
            self.declare(*args, **kwargs)
        self.assertIn(message, refusal.exception.message)
        return refusal.exception.message

    def walk(self, declaration, steps=APPROVAL_STEPS):
        """Take the steps after submission, each by another person; return
        the reloaded declaration"""
        config = self.config
        User = Model.get('res.user')
        users = [step_user(login, groups, declaration.lycee, config)
            for _, login, groups in steps]
        user, context = config.user, config._context
        try:
            for (button, _, _), step_user_ in zip(steps, users, strict=True):
                config.user = step_user_.id
                config._context = User.get_preferences(True, {})
                Model.get('bts.declaration')(declaration.id).click(button)
        finally:
            config.user, config._context = user, context
        declaration.reload()
        return declaration

    def test_commissioner_rate_replaces_member_rate(self):
        """Point 1: E12 replaces E11 for the commissioner: 208.32 € for one
        deliberation, not 208.32 + 75.70 = 284.02 €"""
        jury, members = _exam_jury(
            self.year, self.programmes['CLOUD'], "Cloud")
        sitting = _sitting(jury, dt.date(2026, 2, 10), 'deliberation',
            list(members.values())[:5])
        submission = self.submission(jury, dt.date(2026, 2, 1))
        e11, e12 = _act('E11'), _act('E12')

        def line(act):
            return dict(date=sitting.date, act=act, sitting=sitting,
                quantity=Decimal(1))
        message = self.refused("Cloud Commissioner (Government "
            "Commissioner) cannot declare \"E11 Deliberation (Member)\": "
            "this act is claimed only by: Member of the Lycée Direction, "
            "Coordinator, Teacher (law of 21 July 2023, art. 14 and "
            "Annex E)", submission, members["Cloud Commissioner"],
            [line(e12), line(e11)])
        self.assertNotIn("RULES.md", message)
        # A teacher cannot claim the commissioner's rate.
        self.refused("this act is claimed only by: Government Commissioner",
            submission, members["Cloud Teacher 1"], [line(e12)])

        commissioner = self.declare(
            submission, members["Cloud Commissioner"], [line(e12)])
        teacher = self.declare(
            submission, members["Cloud Teacher 1"], [line(e11)])
        submission.click('submit')
        commissioner.reload()
        teacher.reload()
        self.assertEqual(
            (commissioner.state, commissioner.amount, teacher.amount),
            ('submitted', Decimal('208.32'), Decimal('75.70')))

        # Again at approval: an act the member's role no longer claims
        # (its roles corrected meanwhile) is not approved.
        commissioner = self.walk(commissioner, APPROVAL_STEPS[:2])
        roles = list(e12.claimant_roles)
        e12.claimant_roles = ['direction']
        e12.save()
        try:
            with self.assertRaises(DeclarationError) as refusal:
                self.walk(commissioner, APPROVAL_STEPS[2:])
            self.assertIn("this act is claimed only by: Member of the "
                "Lycée Direction", refusal.exception.message)
        finally:
            e12.claimant_roles = roles
            e12.save()
        commissioner = self.walk(commissioner, APPROVAL_STEPS[2:])
        self.assertEqual((commissioner.state, commissioner.amount),
            ('approved', Decimal('208.32')))

    def test_promoter_rate_is_the_promoter_s(self):
        "Point 1: a TFE member cannot claim the promoter's E14"
        programme = self.programmes['CLOUD']
        Teacher = Model.get('bts.programme.teacher')
        promoter, member = _party("TFE Promoter"), _party("TFE Member")
        for party in [promoter, member]:
            Teacher(party=party, programme=programme,
                academic_year=self.year).save()
        tfe, members = _body('tfe', self.year,
            [(promoter, 'promoter'), (member, 'member')],
            programme=programme, basis='designation')
        submission = self.submission(tfe, dt.date(2026, 6, 1))
        student = _party("TFE Student")

        def line(code):
            return dict(date=dt.date(2026, 6, 15), act=_act(code),
                candidate=student, quantity=Decimal(1))
        self.refused("TFE Member (Member) cannot declare \"E14 Interview "
            "(Promoter)\": this act is claimed only by: Promoter (law of 21 "
            "July 2023, art. 7(2) and Annex E)",
            submission, members["TFE Member"], [line('E14')])
        self.refused("this act is claimed only by: Member (",
            submission, members["TFE Promoter"], [line('E13')])
        declarations = [
            self.declare(submission, members["TFE Promoter"], [line('E14')]),
            self.declare(submission, members["TFE Member"], [line('E13')])]
        submission.click('submit')
        # Per student, at the index in force on the day of the interview:
        # 35.19 and 11.74 at 992.24 (from 1 June 2026).
        self.assertEqual([d.reload() or d.amount for d in declarations],
            [Decimal('349.17'), Decimal('116.49')])

    def test_once_per_period_per_member(self):
        """Point 2: one direction member on the exam juries of two
        programmes, at both deliberations of 10 February 2026, is paid E11
        on each: 2 × 75.70 € at 968.04"""
        marie = _party("Marie Direction")
        e11 = _act('E11')
        declarations = []
        for code in ['GAME', 'IOT']:
            jury, members = _exam_jury(
                self.year, self.programmes[code], code, direction=marie)
            sitting = _sitting(jury, dt.date(2026, 2, 10), 'deliberation',
                list(members.values())[1:5])
            submission = self.submission(jury, dt.date(2026, 2, 1))
            declarations.append(self.declare(submission,
                    members["Marie Direction"], [dict(date=sitting.date,
                            act=e11, sitting=sitting,
                            quantity=Decimal(1))]))
            submission.click('submit')
        for declaration in declarations:
            declaration.reload()
        self.assertEqual(
            [(d.state, d.lines[0].index, d.amount) for d in declarations],
            [('submitted', Decimal('968.04'), Decimal('75.70'))] * 2)
        self.assertEqual(sum(d.amount for d in declarations),
            Decimal('151.40'))

        # Still once per member of a body: a second deliberation of the
        # same jury in the same semester is not paid again.
        jury = declarations[0].member.body
        member = declarations[0].member
        sitting = _sitting(jury, dt.date(2026, 2, 12), 'deliberation',
            [Model.get('bts.jury.member')(m.id) for m in jury.members][1:5])
        submission, = Model.get('bts.declaration.submission').find([
                ('body', '=', jury.id)])
        self.declare(submission, member, [dict(date=sitting.date, act=e11,
                    sitting=sitting, quantity=Decimal(1))])
        with self.assertRaises(DeclarationError) as refusal:
            submission.click('submit')
        self.assertIn("this act is paid once per member and period",
            refusal.exception.message)

    def test_act_needs_a_sitting_attended(self):
        """Point 3: an act per meeting, decision, semester or year needs a
        recorded sitting of the body in its period, the member present"""
        jury, members = _exam_jury(
            self.year, self.programmes['DATA'], "Data")
        other, _ = _exam_jury(self.year, self.programmes['CLOUD'], "Other")
        present = list(members.values())[1:5]
        february = _sitting(jury, dt.date(2026, 2, 10), 'deliberation',
            present)
        diplomas = _sitting(jury, dt.date(2026, 3, 2), 'diploma', present)
        elsewhere = _sitting(other, dt.date(2026, 3, 2), 'deliberation',
            [Model.get('bts.jury.member')(m.id)
                for m in other.members][1:5])
        march = self.submission(jury, dt.date(2026, 3, 1))
        e11 = _act('E11')
        teacher = members["Data Teacher 1"]

        def declare(sitting):
            declaration = self.declare(march, teacher, [dict(
                        date=dt.date(2026, 3, 2), act=e11, sitting=sitting,
                        quantity=Decimal(1))])
            try:
                with self.assertRaises(DeclarationError) as refusal:
                    march.click('submit')
            finally:
                declaration.delete()
            return refusal.exception.message
        # No deliberation in March: nothing attests the act.
        self.assertIn("\"E11 Deliberation (Member)\": it needs a recorded "
            "sitting of \"Exam Jury DATA - DATA 2025/2026\" in Summer "
            "Semester 2025/2026 that Data Teacher 1 (Teacher) attended",
            declare(None))
        self.assertIn("it needs a recorded sitting of", declare(elsewhere))
        # The deliberation of 10 February is in the winter semester.
        self.assertIn("which is not in Summer Semester 2025/2026",
            declare(february))
        # Signing diplomas is not a deliberation.
        self.assertIn("this act is paid for a sitting of the kind "
            "Deliberation", declare(diplomas))
        # A member absent from the deliberation is not paid.
        absent = members["Data Teacher 3"]
        deliberation = _sitting(jury, dt.date(2026, 3, 9), 'deliberation',
            present)
        self.assertNotIn(absent, deliberation.attendees)
        declaration = self.declare(march, absent, [dict(
                    date=deliberation.date, act=e11, sitting=deliberation,
                    quantity=Decimal(1))])
        with self.assertRaises(DeclarationError) as refusal:
            march.click('submit')
        self.assertIn("is not on the attendance list",
            refusal.exception.message)
        declaration.delete()
        # The recorded deliberation of 9 March, attended: paid.
        declaration = self.declare(march, teacher, [dict(
                    date=deliberation.date, act=e11, sitting=deliberation,
                    quantity=Decimal(1))])
        march.click('submit')
        declaration.reload()
        self.assertEqual((declaration.state, declaration.amount),
            ('submitted', Decimal('77.59')))

    def test_meeting_paid_once(self):
        "Point 3: a meeting attended is paid once (E17)"
        commission, members = _body('accommodation', self.year, [
                ("CAR President", 'president')] + [
                (f"CAR Member {i}", 'member') for i in range(1, 4)])
        meeting = _sitting(commission, dt.date(2025, 11, 20), 'meeting',
            list(members.values()))
        submission = self.submission(commission, dt.date(2025, 11, 1))
        declaration = self.declare(submission, members["CAR Member 1"], [
                dict(date=meeting.date, act=_act('E17'), sitting=meeting,
                    quantity=Decimal(2))])
        with self.assertRaises(DeclarationError) as refusal:
            submission.click('submit')
        self.assertIn("CAR Member 1 (Member) declares \"E17 Meeting (Member, "
            "secretary, external expert)\" 2 times for the sitting",
            refusal.exception.message)
        declaration.lines[0].quantity = Decimal(1)
        declaration.save()
        submission.click('submit')
        declaration.reload()
        # 9.04 at 968.04 on 20 November 2025.
        self.assertEqual(declaration.amount, Decimal('87.51'))

    def test_index_at_end_of_semester_and_year(self):
        """Point 4: an E11 of the summer semester 2024/25 dated 20 February
        2025 is paid at the index of 14 September 2025 (968.04 → 75.70 €),
        not at 944.43 (73.85 €); a tutor's students at the index of the end
        of the academic year"""
        jury, members = _exam_jury(
            self.year_2024, self.programmes['CLOUD'], "2024")
        sitting = _sitting(jury, dt.date(2025, 2, 20), 'deliberation',
            list(members.values())[1:5])
        submission = self.submission(jury, dt.date(2025, 2, 1))
        declaration = self.declare(submission, members["2024 Teacher 1"], [
                dict(date=sitting.date, act=_act('E11'), sitting=sitting,
                    quantity=Decimal(1))])
        submission.click('submit')
        declaration.reload()
        line, = declaration.lines
        self.assertEqual(
            (line.index_date, line.index, line.euro_rate, line.amount),
            (dt.date(2025, 9, 14), Decimal('968.04'), Decimal('75.70'),
                Decimal('75.70')))

        # The 5 students of an external tutor of 2025/2026, declared in
        # November 2025: 20.86 at the index of 14 September 2026, 992.24.
        tutor = create_provider("Tutor Index", [dict(title="Master",
                    clq_level='7', registration='national')])
        contract = create_contract(tutor, self.programmes['GAME'], self.year,
            [('M1.1', 'winter', 5)], role='tutor',
            signed=dt.date(2025, 9, 20))
        contract.minister_signature_date = dt.date(2025, 9, 25)
        contract.click('activate')
        students = Model.get('bts.declaration')(kind='lessons',
            contract=contract, lycee=contract.lycee,
            month=dt.date(2025, 11, 1))
        students.lines.new(date=dt.date(2025, 11, 10),
            course=contract.lines[0].course, quantity=Decimal(5))
        students.click('submit')
        line, = students.lines
        self.assertEqual(
            (line.index_date, line.index, line.euro_rate, line.amount),
            (dt.date(2026, 9, 14), Decimal('992.24'), Decimal('206.98'),
                Decimal('1034.90')))

    def admission(self):
        "The admission commission of CLOUD 2025/2026, once"
        if not hasattr(type(self), '_admission'):
            type(self)._admission = _body('admission', self.year, [
                    ("Adm Commissioner", 'government_commissioner'),
                    ("Adm Direction", 'direction')] + [
                    (f"Adm Teacher {i}", 'teacher') for i in range(1, 4)],
                programme=self.programmes['CLOUD'])
        return type(self)._admission

    def test_half_up_rounding(self):
        """Point 5: 0.5 h of E6 at 968.04 is 113.65 × 0.5 = 56.825 → 56.83,
        not 56.82 (half-even)"""
        commission, members = self.admission()
        with Transaction().start(DB_NAME, 0, readonly=True):
            WageIndex = Pool().get('bts.wage_index')
            self.assertEqual(
                WageIndex.line_amount(Decimal('11.74'), Decimal('0.5'),
                    dt.date(2025, 10, 13)),
                (Decimal('968.04'), Decimal('113.65'), Decimal('56.83')))
        submission = self.submission(commission, dt.date(2025, 10, 1))
        declaration = self.declare(submission, members["Adm Teacher 1"], [
                dict(date=dt.date(2025, 10, 13), act=_act('E6'),
                    quantity=Decimal('0.5'))])
        submission.click('submit')
        line, = declaration.lines
        self.assertEqual((line.euro_rate, line.amount),
            (Decimal('113.65'), Decimal('56.83')))

    def test_correction_by_test_length(self):
        """Point 8: the correction act follows from the test's length: 40
        candidates of a 2-hour test are 40 × 7.36 = 294.40 € (E3), never
        40 × 8.71 = 348.40 € (E5)"""
        commission, members = self.admission()
        teacher = members["Adm Teacher 2"]
        test = _sitting(commission, dt.date(2025, 12, 8), 'test',
            list(members.values()))
        submission = self.submission(commission, dt.date(2025, 12, 1))
        e3, e5 = _act('E3'), _act('E5')

        def line(**values):
            return dict(date=test.date, sitting=test, **values,
                quantity=Decimal(40))
        self.refused("declares \"E5 Correction of a written test\" for a "
            "written test of 2 hours: the correction of such a test is "
            "\"E3 Correction of a written test\"",
            submission, teacher, [line(test_hours=Decimal(2), act=e5)])
        self.refused("give the length of the written test in hours",
            submission, teacher, [line(act=e3)])
        # Candidates are counted whole.
        self.refused("only hours may have decimals", submission, teacher,
            [line(test_hours=Decimal(2), act=e3) | dict(
                    quantity=Decimal('2.5'))])
        # The length gives the act: E5 becomes E3 for a 2-hour test.
        declaration = self.declare(submission, teacher,
            [line(act=e5, test_hours=Decimal(2))])
        submission.click('submit')
        line, = declaration.lines
        self.assertEqual(
            (line.act.code, line.test_hours, line.euro_rate, line.amount),
            ('E3', Decimal(2), Decimal('7.36'), Decimal('294.40')))

    def active_contract(self, name, role, lessons):
        "An active contract of a new provider for lessons of M1.1 of IOT"
        contract = create_contract(create_provider(name),
            self.programmes['IOT'], self.year, [('M1.1', 'winter', lessons)],
            role=role, signed=dt.date(2025, 9, 20))
        contract.minister_signature_date = dt.date(2025, 9, 25)
        contract.click('activate')
        return contract

    def test_lessons_are_whole(self):
        """Point 7: a line of 1.5 lessons is refused when entered; 20 lines
        of 1.5 lessons (30) cannot pass the 20-lesson semester cap of a
        specialised lecturer"""
        contract = self.active_contract("Whole Speaker", 'specialised', 20)
        Declaration = Model.get('bts.declaration')
        course = contract.lines[0].course

        def declaration(quantities):
            record = Declaration(kind='lessons', contract=contract,
                lycee=contract.lycee, month=dt.date(2025, 10, 1))
            for day, quantity in enumerate(quantities, start=1):
                record.lines.new(date=dt.date(2025, 10, day), course=course,
                    quantity=Decimal(quantity))
            record.save()
            return record
        with self.assertRaises(DeclarationError) as refusal:
            declaration(['1.5'])
        self.assertIn("declares 1.5: lessons, students, candidates, tests, "
            "files, decisions and meetings are counted in whole numbers, "
            "only hours may have decimals", refusal.exception.message)

        # Lines of 1.5 lessons written before this rule: the caps count
        # them all, 30 lessons, none truncated.
        record = declaration([1] * 20)
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Line = pool.get('bts.declaration.line')
            table = Line.__table__()
            cursor = transaction.connection.cursor()
            cursor.execute(*table.update([table.quantity], [Decimal('1.5')],
                    where=table.declaration == record.id))
            with self.assertRaises(CapError) as refusal:
                pool.get('bts.declaration').check_caps_lessons(
                    [pool.get('bts.declaration')(record.id)])
            transaction.rollback()
        self.assertIn("requested 30 (IOT: 30), total 30, limit 20",
            refusal.exception.message)
        # The 20 whole lessons pass.
        record.click('submit')
        self.assertEqual(record.state, 'submitted')

    def test_absurd_quantity(self):
        """A number of lessons too large to store (10^30) is refused with the
        field's digits, neither its amount estimate nor its rounding
        crashes"""
        contract = self.active_contract("Absurd Lecturer", 'external', 30)
        record = Model.get('bts.declaration')(kind='lessons',
            contract=contract, lycee=contract.lycee,
            month=dt.date(2025, 10, 1))
        line = record.lines.new(date=dt.date(2025, 10, 6),
            course=contract.lines[0].course,
            quantity=Decimal('1' + '0' * 30))
        with self.assertRaises(UserError):
            record.save()
        line.quantity = Decimal(4)
        record.save()
        self.assertEqual(record.lines[0].quantity, Decimal(4))
