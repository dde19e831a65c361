# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The attendance list of a sitting, attached to the declarations, and the
nomination proposal the lycée director sends for a body (vademecum §I)."""
import datetime as dt
import io
import unittest
import zipfile

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


class JuryReportTestCase(unittest.TestCase):
    "Reports of the bodies and their sittings"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_jury'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def create_body(self, proposal_date=None):
        "The exam jury of a programme with its seven members"
        AcademicYear = Pool().get('bts.academic_year')
        year, = AcademicYear.create([{'start_date': dt.date(2025, 9, 15)}])
        programme, _, parties = create_jury_people()
        return create_exam_jury(
            programme, year, parties, proposal_date=proposal_date)

    def create_sitting(self, body, kind='deliberation', students=()):
        "A sitting of the body attended by its first four members"
        Sitting = Pool().get('bts.jury.sitting')
        sitting, = Sitting.create([{
                    'body': body.id, 'date': dt.date(2026, 2, 10),
                    'kind': kind,
                    'attendees': [('add', [m.id for m in body.members[:4]])],
                    'students': [('add', [s.id for s in students])],
                    }])
        return sitting

    def render(self, report_name, record, title):
        "Return the content.xml of the record's report"
        Report = Pool().get(report_name, type='report')
        ext, content, direct_print, name = Report.execute([record.id], {})
        self.assertEqual(ext, 'odt')
        self.assertFalse(direct_print)
        self.assertIn(title, name)
        with zipfile.ZipFile(io.BytesIO(content)) as odt:
            return odt.read('content.xml').decode('utf-8')

    def format_date(self, date):
        "The date as the reports format it"
        Report = Pool().get('bts.jury.body.nomination', type='report')
        return Report.format_date(date)

    @with_transaction()
    def test_attendance_deliberation(self):
        "The attendance list lists all members, who is present and the quorum"
        Party = Pool().get('party.party')
        body = self.create_body()
        student, = Party.create([{'name': "Student Reuter"}])
        sitting = self.create_sitting(body, students=[student])
        present = {m.party.name for m in sitting.attendees}
        self.assertEqual(len(present), 4)

        content = self.render(
            'bts.jury.sitting.attendance', sitting, "Attendance List")

        for text in [
                "Attendance list", "Exam Jury BTS-INFO - Computer Science",
                "law of 21 July 2023, art. 14",
                self.format_date(dt.date(2026, 2, 10)), "Deliberation",
                "Students and candidates concerned", "Student Reuter",
                ">Present<", ">Signature<",
                "Government Commissioner", "Member of the Lycée Direction",
                "Coordinator", "Teacher",
                "Members present: 4", "Quorum: 4",
                "The president", "The secretary",
                "The attendance list is part of the declarations and must "
                "be attached to them (vademecum, principes généraux).",
                ]:
            with self.subTest(text=text):
                self.assertIn(text, content)
        for name, _ in MEMBERS:
            with self.subTest(name=name):
                self.assertIn(name, content)
        self.assertEqual(content.count(">Yes<"), 4)
        self.assertEqual(content.count(">No<"), 3)
        # Every member appears in the table in its order, with its presence
        members = content[content.index(">Present<"):]
        for name, _ in MEMBERS:
            start = members.index(name)
            mark = ">Yes<" if name in present else ">No<"
            following = min(
                i for i in [members.find(">Yes<", start),
                    members.find(">No<", start)] if i >= 0)
            with self.subTest(name=name):
                self.assertEqual(members.find(mark, start), following)
        self.assertNotIn("None", content)

    @with_transaction()
    def test_attendance_meeting(self):
        "A meeting without students prints no quorum and no students"
        body = self.create_body()
        sitting = self.create_sitting(body, kind='meeting')

        content = self.render(
            'bts.jury.sitting.attendance', sitting, "Attendance List")

        self.assertIn("Meeting", content)
        self.assertIn("Members present: 4", content)
        self.assertNotIn("Quorum", content)
        self.assertNotIn("Students and candidates concerned", content)

    @with_transaction()
    def test_nomination_late(self):
        "The nomination proposal sent after 15 October says so"
        body = self.create_body(proposal_date=dt.date(2025, 10, 20))
        self.assertEqual(body.mandate_end, dt.date(2026, 9, 14))
        self.assertTrue(body.late)

        content = self.render(
            'bts.jury.body.nomination', body, "Nomination Proposal")

        for text in [
                "Nomination proposal", "Exam Jury",
                "BTS-INFO - Computer Science", "LTC - Lycée Technique du "
                "Centre", "2025/2026",
                "law of 21 July 2023, art. 14",
                f"From {self.format_date(dt.date(2025, 9, 15))} "
                f"to {self.format_date(dt.date(2026, 9, 14))}",
                "From 15/09/2025 to 14/09/2026",
                self.format_date(dt.date(2025, 10, 15)),
                self.format_date(dt.date(2025, 10, 20)),
                "The minister, on the director's proposal",
                "National identification number", "1980041210026",
                "Government Commissioner", "Member of the Lycée Direction",
                "Coordinator", "Teacher", "Ministerial decree",
                "MESR-2025-101, " + self.format_date(dt.date(2025, 10, 30)),
                "The director of the lycée",
                "Proposal sent after the deadline",
                ]:
            with self.subTest(text=text):
                self.assertIn(text, content)
        for name, _ in MEMBERS:
            with self.subTest(name=name):
                self.assertIn(name, content)
        self.assertEqual(content.count("Teacher<"), 4)
        self.assertNotIn("None", content)

    @with_transaction()
    def test_nomination_in_time(self):
        "A nomination proposal sent in time has no late warning"
        body = self.create_body(proposal_date=dt.date(2025, 10, 10))
        self.assertFalse(body.late)

        content = self.render(
            'bts.jury.body.nomination', body, "Nomination Proposal")

        self.assertIn(self.format_date(dt.date(2026, 9, 14)), content)
        self.assertNotIn("after the deadline", content)
