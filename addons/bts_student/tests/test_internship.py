# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Internship agreements (arts. 4(2) and 6 of the law of 21 July 2023): the
hours reach those of the plan's internship module (228: 227 refused, 228
taken); a part-time student's alternance contract takes half the aid;
only the student office of the student's lycée enters them."""
import datetime as dt
import unittest

from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .life_tools import (
    create_programme,
    create_student,
    create_year,
    module,
    user_of,
)


class InternshipTestCase(unittest.TestCase):
    "Internship agreements and alternance contracts"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_indemnity', 'bts_jury', 'bts_student'])

    def _values(self, student, **values):
        Party = Pool().get('party.party')
        host, = Party.create([{'name': "Cloudy SA"}])
        return {'student': student.id, 'host': host.id,
            'start_date': dt.date(2026, 3, 2),
            'end_date': dt.date(2026, 5, 29), **values}

    @with_transaction()
    def test_module_hours(self):
        "The internship module S1 requires 228 hours: 227 refused"
        Internship = Pool().get('bts.student.internship')
        lycee, programme = create_programme()
        student = create_student("Léa", lycee, programme, create_year(2025))
        s1 = module(programme, 'S1')
        with self.assertRaisesRegex(ValidationError, 'at least 228 hours'):
            Internship.create([self._values(
                        student, module=s1.id, hours=227)])
        internship, = Internship.create([self._values(
                    student, module=s1.id, hours=228)])
        Internship.sign([internship])
        self.assertEqual(internship.state, 'signed')
        self.assertTrue(internship.in_force(dt.date(2026, 5, 29)))
        self.assertFalse(internship.in_force(dt.date(2026, 5, 30)))
        free, = Internship.create([self._values(student, hours=40)])
        self.assertEqual(free.hours, 40)

    @with_transaction()
    def test_part_time_share(self):
        "A part-time student's aid is pro-rated: half of a full-time one"
        Internship = Pool().get('bts.student.internship')
        lycee, programme = create_programme()
        year = create_year(2025)
        shares = []
        for name, status in [("Full", 'full_time'), ("Part", 'part_time')]:
            student = create_student(name, lycee, programme, year, status)
            internship = Internship(kind='alternance', student=student,
                start_date=dt.date(2025, 10, 1))
            internship.on_change_student()
            shares.append(internship.time_share)
        self.assertEqual(shares, [100, 50])
        with self.assertRaises(ValidationError):
            Internship.create([self._values(
                        student, kind='alternance', hours=600,
                        time_share=101)])

    @with_transaction()
    def test_access(self):
        "The student office of another lycée cannot enter an agreement"
        Internship = Pool().get('bts.student.internship')
        lycee, programme = create_programme()
        student = create_student("Léa", lycee, programme, create_year(2025))
        other, _ = create_programme('WEB')
        values = self._values(student, hours=300)
        own = user_of('own', [('bts_student', 'group_student_office')],
            lycee)
        stranger = user_of('stranger',
            [('bts_student', 'group_student_office')], other)
        transaction = Transaction()
        with (transaction.set_user(stranger.id), check_access(),
                self.assertRaises(AccessError)):
            Internship.create([values])
        with transaction.set_user(own.id), check_access():
            internship, = Internship.create([values])
            Internship.sign([internship])
            with self.assertRaises(AccessError):
                Internship.write([internship], {'hours': 400})
