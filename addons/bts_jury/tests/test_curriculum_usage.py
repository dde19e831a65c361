# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The hours of the curriculum groups against the caps of Annex E (law of
21 July 2023; RULES.md §C.2, §K.6): 320 hours of the group and 120 of a
member for an initial accreditation, 100 hours of the group per academic
year for the operation of the programme, as the ministry reads them in the
list and the graph of bts.curriculum.usage."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)


def create_group(programme, year, names):
    """The curriculum group of programme in year, a member of the role
    given per name; return its members per name"""
    pool = Pool()
    Party = pool.get('party.party')
    BodyType = pool.get('bts.jury.body_type')
    Body = pool.get('bts.jury.body')
    group_type, = BodyType.search([('code', '=', 'curriculum_group')])
    parties = Party.create([{'name': n} for n in names])
    body, = Body.create([{
                'body_type': group_type.id, 'programme': programme.id,
                'academic_year': year.id,
                'members': [('create', [
                            {'party': p.id, 'role': r}
                            for p, r in zip(parties, names.values(),
                                strict=True)])],
                }])
    return {m.party.name: m for m in body.members}


class CurriculumUsageTestCase(unittest.TestCase):
    "Curriculum-group hours against 320, 120 and 100"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_jury'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def create_groups(self):
        """In the test's transaction, the group of NEW (admissible on
        1 March 2025) with 120, 100 and 90 hours of initial accreditation
        and the group of RUN (accredited in 2024) with 60 hours of
        operation in 2025/2026"""
        pool = Pool()
        Party = pool.get('party.party')
        Lycee = pool.get('bts.lycee')
        AcademicYear = pool.get('bts.academic_year')
        Programme = pool.get('bts.programme')
        Work = pool.get('bts.jury.work')
        years = AcademicYear.create([{'start_date': dt.date(y, 9, 15)}
                for y in [2024, 2025]])
        party, = Party.create([{'name': "Lycée"}])
        lycee, = Lycee.create([{'code': 'L', 'party': party.id}])
        self.new, _ = create_one_course_programme('NEW', lycee)
        Programme.write([self.new], {
                'admissibility_date': dt.date(2025, 3, 1)})
        Programme.declare_admissible([self.new])
        self.running, _ = create_one_course_programme(
            'RUN', lycee, decision_year=2024)
        roles = {'President': 'president', 'Coordinator': 'secretary',
            'A': 'teacher', 'B': 'teacher', 'C': 'teacher'}
        accreditation = create_group(self.new, years[0], roles)
        operation = create_group(self.running, years[1], roles)
        Work.create([{
                    'member': accreditation[name].id,
                    'kind': 'accreditation', 'date': dt.date(2025, 6, 1),
                    'hours': Decimal(hours)}
                for name, hours in [('A', 120), ('B', 100), ('C', 90)]]
            + [{
                    'member': operation['A'].id, 'kind': 'operation',
                    'date': dt.date(2025, 11, 1), 'hours': Decimal(60)}])
        self.year = years[1]

    def usages(self, programme):
        """The rows of programme: kind, year, member, hours, limit, remaining
        and level"""
        Usage = Pool().get('bts.curriculum.usage')
        return [(u.kind, u.academic_year, u.party and u.party.name, u.hours,
                u.limit, u.remaining, u.level)
            for u in Usage.search([('programme', '=', programme.id)],
                order=[('party.name', 'ASC NULLS FIRST')])]

    @with_transaction()
    def test_accreditation(self):
        """An initial accreditation: the group's 310 hours against 320,
        past 90 %; each member's against 120, A at the cap"""
        self.create_groups()
        self.assertEqual(self.usages(self.new), [
                ('accreditation', None, None, Decimal('310.0'), 320,
                    Decimal('10.0'), 'warning'),
                ('accreditation', None, 'A', Decimal('120.0'), 120,
                    Decimal('0.0'), 'warning'),
                ('accreditation', None, 'B', Decimal('100.0'), 120,
                    Decimal('20.0'), None),
                ('accreditation', None, 'C', Decimal('90.0'), 120,
                    Decimal('30.0'), None),
                ])

    @with_transaction()
    def test_operation(self):
        """The operation: the group's hours of the academic year against
        100, no row per member (no member cap)"""
        self.create_groups()
        self.assertEqual(self.usages(self.running), [
                ('operation', self.year, None, Decimal('60.0'), 100,
                    Decimal('40.0'), None),
                ])

    @with_transaction()
    def test_rec_name(self):
        "The graph's bars are named by programme, kind, year and member"
        self.create_groups()
        Usage = Pool().get('bts.curriculum.usage')
        self.assertEqual(
            sorted(u.rec_name for u in Usage.search([])), [
                'NEW - Computer Science - Initial Accreditation',
                'NEW - Computer Science - Initial Accreditation - A',
                'NEW - Computer Science - Initial Accreditation - B',
                'NEW - Computer Science - Initial Accreditation - C',
                'RUN - Computer Science - Operation of the Programme - '
                f'{self.year.rec_name}',
                ])
