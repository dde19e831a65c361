# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Changes to an accredited programme (law of 21 July 2023, art. 43;
RULES.md §H.11): a change to apply on 15 September 2026 is requested by
15 June 2026 and approved before 15 September 2026; the study plan changes
only through it, on its effective date."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.modelview import AccessButtonError
from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .test_accreditation import (
    OversightTestCase,
    as_user,
    create_user,
    setup_lycee,
)

D = dt.date


@contextmanager
def today(date):
    "The server's date is date"
    with patch.object(Pool().get('ir.date'), 'today', return_value=date):
        yield


class ChangeTestCase(OversightTestCase):
    "A change refused, then approved and applied"

    @with_transaction()
    def test_change(self):
        pool = Pool()
        Change = pool.get('bts.programme.change')
        Course = pool.get('bts.programme.course')
        lycee = setup_lycee()
        programme, course = create_one_course_programme(
            'CH1', lycee, decision_year=2025)
        admin = create_user('admin.ch', 'group_ministry_admin')
        director = create_user('director.ch', 'group_lycee_director', lycee)

        # Not even the ministry changes an accredited plan directly
        with as_user(admin), self.assertRaisesRegex(UserError, 'art. 43'):
            Course.write([Course(course.id)], {'planned_lessons': 400})
        with self.assertRaisesRegex(UserError, 'art. 43'):
            Course.write([course], {'planned_lessons': 400})

        module = course.module
        second, = Course.search([('code', '=', 'C2')])
        with as_user(director):
            change, = Change.create([{
                        'programme': programme.id,
                        'effective_date': D(2026, 9, 15),
                        'reasons': "More programming practice.",
                        'lines': [('create', [{
                                        'action': 'modify',
                                        'course': course.id,
                                        'planned_lessons': 520,
                                        }, {
                                        # The total stays 120 ECTS (art. 4)
                                        'action': 'modify',
                                        'course': second.id,
                                        'ects': Decimal(6),
                                        }, {
                                        'action': 'add', 'module': module.id,
                                        'code': 'C7', 'name': "Git",
                                        'ects': Decimal(1),
                                        'planned_lessons': 10,
                                        }])],
                        }])
            self.assertEqual(change.notice_deadline, D(2026, 6, 15))
            # Two months and thirty days before: too late
            with today(D(2026, 6, 16)), self.assertRaisesRegex(
                    UserError, 'by 15/06/2026'):
                Change.submit([change])
            with today(D(2026, 6, 15)):
                Change.submit([change])
            self.assertEqual(change.state, 'submitted')
            with self.assertRaises(AccessButtonError):
                Change.approve([change])

        with as_user(admin):
            # Approved before it takes effect, not on the day
            with today(D(2026, 9, 15)), self.assertRaisesRegex(
                    UserError, 'approved before it takes effect'):
                Change.approve([change])
            with today(D(2026, 9, 14)):
                Change.approve([change])
                with self.assertRaisesRegex(UserError, 'from 15/09/2026'):
                    Change.apply([change])
            self.assertEqual(course.planned_lessons, 500)
            with today(D(2026, 9, 15)):
                Change.apply([change])
        self.assertEqual(change.state, 'applied')
        self.assertEqual(change.applied_date, D(2026, 9, 15))
        self.assertEqual(Course(course.id).planned_lessons, 520)
        added, = Course.search([('code', '=', 'C7')])
        self.assertEqual(added.module, module)
        self.assertEqual(second.ects, 6)
        self.assertEqual(programme.total_ects, 120)
        # Applied, the change no longer opens the plan
        with self.assertRaisesRegex(UserError, 'art. 43'):
            Course.write([course], {'planned_lessons': 530})

    @with_transaction()
    def test_plan_not_accredited(self):
        "The plan of a programme not yet accredited changes freely"
        Course = Pool().get('bts.programme.course')
        _, course = create_one_course_programme('CH2', setup_lycee())
        Course.write([course], {'planned_lessons': 400})
        self.assertEqual(course.planned_lessons, 400)
