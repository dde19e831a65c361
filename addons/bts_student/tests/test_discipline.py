# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The disciplinary regime (arts. 19-25 of the law of 21 July 2023) and the
reasonable accommodations (arts. 15-18), each deadline on both sides: a
case opened on the last day of the six months (facts 15 February 2026 →
14 August 2026) passes, the next day is refused but for fraud; an appeal
notified 3 March is taken until 10 March, not the 11th; the commission's
ruling by 9 April is in time, the 10th late; a réclamation within the
month of the notification, and rejected by silence after a month; an
accommodation requested 2 October is transmitted in time until 1 November
and decided within a month of the referral; its data go once the last
enrolled academic year is over."""
import datetime as dt
import unittest
from unittest.mock import patch

from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .life_tools import create_programme, create_student, create_year, user_of

FACTS = dt.date(2026, 2, 15)


def today(date):
    "Patch today's date of the server"
    return patch.object(Pool().get('ir.date'), 'today', return_value=date)


class DisciplineTestCase(unittest.TestCase):
    "Disciplinary cases, réclamations and accommodations"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_indemnity', 'bts_jury', 'bts_student'])

    def _student(self):
        lycee, programme = create_programme()
        return create_student("Marc", lycee, programme, create_year(2025))

    def _case(self, student, opening, offence='violence', **values):
        Case = Pool().get('bts.student.discipline')
        case, = Case.create([{
                    'student': student.id, 'offence': offence,
                    'facts_date': FACTS, 'opening_date': opening,
                    **values}])
        return case

    @with_transaction()
    def test_six_months(self):
        "Opened 14 Aug 2026 in time, 15 Aug time-barred, fraud never"
        student = self._student()
        case = self._case(student, dt.date(2026, 8, 14))
        self.assertEqual(case.limit_date, dt.date(2026, 8, 14))
        with self.assertRaisesRegex(ValidationError, 'time-barred'):
            self._case(student, dt.date(2026, 8, 15))
        fraud = self._case(student, dt.date(2031, 1, 5), offence='fraud')
        self.assertIsNone(fraud.limit_date)
        with self.assertRaisesRegex(ValidationError, 'before the date'):
            self._case(student, dt.date(2026, 2, 14))

    @with_transaction()
    def test_workflow_deadlines(self):
        """A warning needs the hearing; appeal by 10 March (7 days), the
        commission's ruling by 9 April (30 days), later flagged late"""
        Case = Pool().get('bts.student.discipline')
        student = self._student()
        case = self._case(student, dt.date(2026, 2, 20))
        case.sanction = 'warning'
        case.reasons = "Insults to a teacher."
        case.notification_date = dt.date(2026, 3, 3)
        case.save()
        with self.assertRaisesRegex(ValidationError, 'heard before'):
            Case.decide([case])
        with self.assertRaisesRegex(ValidationError, 'hearing'):
            Case.hear([case])
        case.hearing_date = dt.date(2026, 2, 27)
        case.save()
        Case.hear([case])
        Case.decide([case])
        self.assertEqual(case.appeal_deadline, dt.date(2026, 3, 10))
        with self.assertRaisesRegex(ValidationError, 'out of time'):
            Case.write([case], {'appeal_date': dt.date(2026, 3, 11)})
        case.appeal_date = dt.date(2026, 3, 10)
        case.save()
        Case.appeal([case])
        self.assertEqual(case.ruling_deadline, dt.date(2026, 4, 9))
        with today(dt.date(2026, 4, 9)):
            self.assertFalse(Case(case.id).ruling_late)
        with today(dt.date(2026, 4, 10)):
            self.assertTrue(Case(case.id).ruling_late)
        case.ruling, case.ruling_date = 'confirmed', dt.date(2026, 4, 10)
        case.save()
        Case.rule([case])
        self.assertTrue(Case(case.id).ruling_late)
        self.assertEqual(Case.to_send(), [case])

    @with_transaction()
    def test_ruling_in_time_and_sanctions(self):
        """A ruling on the 30th day is in time; a reprimand needs no
        hearing; the semester's nullity is for absences only"""
        Case = Pool().get('bts.student.discipline')
        student = self._student()
        case = self._case(student, dt.date(2026, 2, 20), sanction='reprimand',
            reasons="Late twice.", notification_date=dt.date(2026, 3, 3),
            appeal_date=dt.date(2026, 3, 4))
        Case.decide([case])
        Case.appeal([case])
        Case.write([case], {
                'ruling': 'annulled', 'ruling_date': dt.date(2026, 4, 3)})
        Case.rule([case])
        self.assertFalse(case.ruling_late)
        with self.assertRaisesRegex(ValidationError, 'does not apply'):
            self._case(student, dt.date(2026, 2, 20),
                sanction='semester_nullity')
        absence = self._case(student, dt.date(2026, 2, 20),
            offence='absence', sanction='semester_nullity')
        self.assertEqual(absence.sanction, 'semester_nullity')

    @with_transaction()
    def test_claim(self):
        """A réclamation within the month of the notification (notified 1
        Jan → by 31 Jan); filed 1 Feb, no decision by 1 Mar: rejected"""
        Claim = Pool().get('bts.student.claim')
        student = self._student()
        values = {'student': student.id, 'decision': 'evaluation',
            'notification_date': dt.date(2026, 1, 1)}
        with self.assertRaisesRegex(ValidationError, 'out of time'):
            Claim.create([{**values, 'filing_date': dt.date(2026, 2, 1)}])
        claim, = Claim.create([{**values,
                    'notification_date': dt.date(2026, 1, 2),
                    'filing_date': dt.date(2026, 2, 1)}])
        self.assertEqual(claim.decision_deadline, dt.date(2026, 2, 28))
        with today(dt.date(2026, 2, 28)):
            self.assertFalse(Claim(claim.id).deemed_rejected)
            self.assertEqual(Claim.search([
                        ('deemed_rejected', '=', True),
                        ('id', '=', claim.id)]), [])
        with today(dt.date(2026, 3, 1)):
            self.assertTrue(Claim(claim.id).deemed_rejected)
            self.assertEqual(Claim.search([
                        ('deemed_rejected', '=', True),
                        ('id', '=', claim.id)]), [claim])
        claim.decision_date = dt.date(2026, 3, 1)
        claim.save()
        with self.assertRaisesRegex(ValidationError, 'deemed rejected'):
            Claim.grant([claim])
        claim.decision_date = dt.date(2026, 2, 28)
        claim.save()
        Claim.grant([claim])
        self.assertEqual(claim.state, 'granted')

    @with_transaction()
    def test_accommodation_deadlines_and_purge(self):
        """Requested 2 Oct 2025: transmitted by 1 Nov in time, 2 Nov late;
        decided within a month of the referral; purged once the last
        enrolled year (2025/26) has ended and the student left"""
        pool = Pool()
        Accommodation = pool.get('bts.student.accommodation')
        Student = pool.get('bts.student')
        student = self._student()
        records = Accommodation.create([{
                    'student': student.id,
                    'request_date': dt.date(2025, 10, 2),
                    'derogations': ['extra_time', 'first_year_ects'],
                    'referral_date': date,
                    } for date in [
                    dt.date(2025, 11, 1), dt.date(2025, 11, 2)]])
        in_time, _ = records
        self.assertEqual(in_time.transmission_deadline, dt.date(2025, 11, 1))
        Accommodation.refer(records)
        with today(dt.date(2025, 11, 30)):
            self.assertEqual(
                [Accommodation(r.id).late for r in records],
                [False, True])
        with today(dt.date(2025, 12, 1)):
            self.assertTrue(Accommodation(in_time.id).late)
        in_time.decision_date = dt.date(2025, 11, 30)
        in_time.save()
        Accommodation.grant([in_time])
        self.assertFalse(Accommodation(in_time.id).late)
        # Sent for information to the government commissioner (art. 16(5))
        self.assertEqual(Accommodation.to_send(), [in_time])
        with self.assertRaises(ValidationError):
            Accommodation.write([in_time],
                {'commissioner_date': dt.date(2025, 11, 29)})
        Accommodation.write([in_time],
            {'commissioner_date': dt.date(2025, 12, 1)})
        self.assertEqual(Accommodation.to_send(), [])

        self.assertEqual(Accommodation.preview_purge(dt.date(2026, 9, 15)),
            [])
        Student.write([student], {'state': 'graduated'})
        self.assertEqual(Accommodation.preview_purge(dt.date(2026, 9, 14)),
            [])
        self.assertEqual(
            sorted(Accommodation.preview_purge(dt.date(2026, 9, 15))),
            sorted(records))
        self.assertEqual(Accommodation.purge_ended(dt.date(2026, 9, 15)), 2)
        self.assertEqual(Accommodation.search([]), [])

    @with_transaction()
    def test_access(self):
        """The student office reads a case but neither opens nor decides
        one; accommodations are the director's and the ministry's only"""
        pool = Pool()
        Case = pool.get('bts.student.discipline')
        Accommodation = pool.get('bts.student.accommodation')
        student = self._student()
        case = self._case(student, dt.date(2026, 2, 20))
        office = user_of('office', [('bts_student', 'group_student_office')],
            student.lycee)
        director = user_of('director',
            [('bts_programme', 'group_lycee_director')], student.lycee)
        transaction = Transaction()
        with transaction.set_user(office.id), check_access():
            self.assertEqual(Case.search([]), [case])
            with self.assertRaises(AccessError):
                self._case(student, dt.date(2026, 2, 21))
            with self.assertRaises(AccessError):
                Accommodation.search([])
        with transaction.set_user(director.id), check_access():
            self.assertEqual(len(Accommodation.create([{
                                'student': student.id,
                                'request_date': dt.date(2025, 10, 2)}])), 1)
