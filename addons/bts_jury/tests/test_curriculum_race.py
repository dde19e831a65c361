# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Two real PostgreSQL connections entering hours of work of one curriculum
group that together pass the 320 hours of an initial accreditation (law of
21 July 2023, Annex E) cannot both succeed: the caps are checked under the
lock of the programme, as the caps of art. 9(2) are."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond import backend
from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
    race_calls,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction


def race_create(model_name, vlist):
    """Create each values of vlist in its own transaction: both read the
    table before either creates (race_calls). Return per index 'done' or
    the message of the UserError raised."""
    def create(values):
        return lambda Model, _: Model.create([values])
    return race_calls(model_name, [
            (lambda Model: Model.search([], limit=1), create(v))
            for v in vlist])


@unittest.skipUnless(
    backend.name == 'postgresql', "locking is proven on PostgreSQL")
class CurriculumRaceTestCase(unittest.TestCase):
    "Concurrent hours of a curriculum group against the 320-hour cap"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_jury'])
        with Transaction().start(DB_NAME, 0) as transaction:
            cls.programme, cls.members = cls.create_group()
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @classmethod
    def create_group(cls):
        """The curriculum group of a programme whose admissibility was
        notified on 1 March 2025; its three teachers have 100 hours each"""
        pool = Pool()
        Party = pool.get('party.party')
        Lycee = pool.get('bts.lycee')
        AcademicYear = pool.get('bts.academic_year')
        Programme = pool.get('bts.programme')
        BodyType = pool.get('bts.jury.body_type')
        Body = pool.get('bts.jury.body')
        Work = pool.get('bts.jury.work')
        year, = AcademicYear.create([{'start_date': dt.date(2024, 9, 15)}])
        lycee_party, = Party.create([{'name': "Lycée"}])
        lycee, = Lycee.create([{'code': 'L', 'party': lycee_party.id}])
        programme, _ = create_one_course_programme('NEW', lycee)
        Programme.write([programme], {
                'admissibility_date': dt.date(2025, 3, 1)})
        Programme.declare_admissible([programme])
        group_type, = BodyType.search([('code', '=', 'curriculum_group')])
        parties = Party.create([{'name': n} for n in [
                    "Deputy", "Coordinator", "A", "B", "C"]])
        body, = Body.create([{
                    'body_type': group_type.id, 'programme': programme.id,
                    'academic_year': year.id,
                    'members': [('create', [
                                {'party': p.id, 'role': r}
                                for p, r in zip(parties, [
                                        'president', 'secretary', 'teacher',
                                        'teacher', 'teacher'], strict=True)])],
                    }])
        members = {m.party.name: m.id for m in body.members}
        Work.create([{
                    'member': members[name], 'kind': 'accreditation',
                    'date': dt.date(2025, 6, 1), 'hours': Decimal(100)}
                for name in ['A', 'B', 'C']])
        return programme.id, members

    def test_concurrent_hours(self):
        """Both transactions start before either enters hours; the one that
        enters second waits for the first and then meets the group cap"""
        outcome = race_create('bts.jury.work', [{
                    'member': self.members[name], 'kind': 'accreditation',
                    'date': dt.date(2025, 11, 3), 'hours': Decimal(15),
                    'description': f"Hours of {name}"}
                for name in ['A', 'B']])
        self.assertEqual(outcome[0], 'done')
        self.assertIn("the group totals 330.0 hours, at most 320",
            outcome[1])
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Programme = pool.get('bts.programme')
            Work = pool.get('bts.jury.work')
            programme = Programme(self.programme)
            self.assertEqual(
                Work.total_hours(programme, 'accreditation',
                    dt.date(2025, 3, 1), dt.date(2027, 2, 28)),
                Decimal('315.0'))
            self.assertEqual(
                [w.description for w in Work.search(
                        [('date', '=', dt.date(2025, 11, 3))])],
                ["Hours of A"])
