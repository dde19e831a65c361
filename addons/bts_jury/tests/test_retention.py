# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Retention (law of 21 July 2023, art. 33(2)): a nomination to a body is a
role of its academic year, so its members are kept five years after the
end of the year of their last nomination; the lycée's director is kept
while director."""
import datetime as dt
import unittest

from trytond.modules.bts_jury.tests.tools import (
    MEMBERS,
    create_exam_jury,
    create_jury_people,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction


class JuryRetentionTestCase(unittest.TestCase):
    "The nominations as end points of the retention"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_jury'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def create_bodies(self):
        """The exam jury of 2025/26 and, of 2026/27, one with Teacher
        Schmit; return the parties by name"""
        AcademicYear = Pool().get('bts.academic_year')
        years = AcademicYear.create([
                {'start_date': dt.date(2025, 9, 15)},
                {'start_date': dt.date(2026, 9, 15)}])
        programme, _, parties = create_jury_people()
        create_exam_jury(programme, years[0], parties)
        create_exam_jury(programme, years[1], parties, MEMBERS[3:4])
        return parties

    @with_transaction()
    def test_nominations(self):
        "Kept until five years after the year of the last nomination"
        pool = Pool()
        Retention = pool.get('bts.retention')
        Member = pool.get('bts.jury.member')
        parties = self.create_bodies()

        def due(date):
            return {pool.get('party.party')(line['party']).name: line
                for line in Retention.preview(date)}

        self.assertEqual(due(dt.date(2031, 9, 14)), {})
        # Teacher Schmit's nomination of 2026/27 keeps him a year longer;
        # the director stays while director
        self.assertEqual(set(due(dt.date(2031, 9, 15))), {
                "Commissioner Weber", "Coordinator Muller",
                "Teacher Hoffmann", "Teacher Wagner", "Teacher Klein"})
        schmit = due(dt.date(2032, 9, 15))["Teacher Schmit"]
        self.assertEqual((schmit['end_point'], schmit['source']),
            (dt.date(2027, 9, 14), 'academic_year'))
        self.assertNotIn("Director Dupont", due(dt.date(2040, 1, 1)))

        records = Retention.pseudonymise(dt.date(2031, 9, 15))
        self.assertEqual(len(records), 5)
        commissioner = parties["Commissioner Weber"]
        self.assertEqual(
            commissioner.name, f"Person {commissioner.code}")
        # Deactivated by the erase
        with Transaction().set_context(active_test=False):
            identifier, = pool.get('party.identifier').search(
                [('party', '=', commissioner.id)])
        self.assertEqual(
            (identifier.code, identifier.code_compact), ('****', '****'))
        # The nominations stay, with the pseudonymised person
        self.assertEqual(Member.search(
                [('party', '=', commissioner.id)], count=True), 1)
        self.assertEqual(parties["Teacher Schmit"].name, "Teacher Schmit")

        # The daily scheduled action runs it for today
        Cron = pool.get('ir.cron')
        cron, = Cron.search([('method', '=', 'bts.retention|pseudonymise')])
        due_today = Retention.due(pool.get('ir.date').today())
        Cron.run_once([cron])
        self.assertEqual(
            Retention.search([], count=True), 5 + len(due_today))
