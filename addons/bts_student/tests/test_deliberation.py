# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The exam jury's deliberation on the proposals: quorum, votes, conflicts
of interest and the decisions applied to the students (law of 21 July
2023, arts. 9(3), 13, 14, 26)."""
import datetime as dt
import unittest

from trytond.modules.bts_jury.exceptions import (
    ConflictOfInterestError,
    SittingError,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)

from .diploma_tools import (
    create_programme,
    create_student,
    set_results,
    uniform,
    year,
)

MEMBERS = [
    ("Commissioner Weber", 'government_commissioner'),
    ("Deputy Dupont", 'direction'),
    ("Coordinator Muller", 'coordinator'),
    ("Teacher Schmit", 'teacher'),
    ("Teacher Hoffmann", 'teacher'),
    ("Teacher Wagner", 'teacher'),
    ("Teacher Klein", 'teacher'),
    ]
SITTING_DATE = dt.date(2026, 7, 1)


class DeliberationTestCase(unittest.TestCase):
    "The exam jury decides the progression the system proposes"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_indemnity', 'bts_jury', 'bts_student'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def create_jury(self, programme, code='exam_jury'):
        "The body of code of programme for 2025/26 with its members"
        pool = Pool()
        Party = pool.get('party.party')
        BodyType = pool.get('bts.jury.body_type')
        Body = pool.get('bts.jury.body')
        parties = Party.create([{'name': name} for name, _ in MEMBERS])
        body_type, = BodyType.search([('code', '=', code)])
        body, = Body.create([{
                    'body_type': body_type.id,
                    'programme': programme.id,
                    'lycee': programme.lycees[0].id,
                    'academic_year': year(2025).id,
                    'members': [('create', [{
                                    'party': party.id, 'role': role,
                                    } for party, (_, role)
                                in zip(parties, MEMBERS, strict=True)])],
                    }])
        return body

    def sitting(self, body, students, present=4):
        "A deliberation of body on students, the first members present"
        Sitting = Pool().get('bts.jury.sitting')
        sitting, = Sitting.create([{
                    'body': body.id, 'date': SITTING_DATE,
                    'kind': 'deliberation',
                    'attendees': [('add', [m.id
                                for m in body.members[:present]])],
                    'students': [('add', [s.party.id for s in students])],
                    }])
        return sitting

    def propose(self, student, kind):
        Proposal = Pool().get('bts.student.proposal')
        proposal, = Proposal.create([{
                    'student': student.id,
                    'academic_year': year(2025).id,
                    'date': dt.date(2026, 6, 30), 'kind': kind}])
        return proposal

    def decide(self, sitting, proposal, votes_for, votes_against,
            president_vote=None):
        Decision = Pool().get('bts.jury.decision')
        decision, = Decision.create([{
                    'sitting': sitting.id, 'proposal': proposal.id,
                    'student': proposal.student.party.id,
                    'subject': proposal.rec_name,
                    'votes_for': votes_for,
                    'votes_against': votes_against,
                    'president_vote': president_vote}])
        return decision

    def relate(self, parent, child):
        "Make parent the parent of child (kinship, 1st degree)"
        pool = Pool()
        RelationType = pool.get('party.relation.type')
        Relation = pool.get('party.relation')
        parent_of, = RelationType.search([('name', '=', "Parent of")])
        Relation.create([{
                    'from_': parent.id, 'to': child.id,
                    'type': parent_of.id}])

    @with_transaction()
    def test_decisions_applied(self):
        """An accepted exclusion excludes, an accepted graduation awards
        the BTS on the day of the sitting, a rejected proposal changes
        nothing; a tie goes the president's way"""
        pool = Pool()
        Sitting = pool.get('bts.jury.sitting')
        programme = create_programme()
        jury = self.create_jury(programme)
        excluded = create_student(programme, "Excluded")
        kept = create_student(programme, "Kept")
        graduate = create_student(programme, "Graduate")
        tie = create_student(programme, "Tie")
        set_results(graduate, uniform(programme, '14'))
        sitting = self.sitting(jury, [excluded, kept, graduate, tie])
        Sitting.record([sitting])
        proposals = [
            self.propose(excluded, 'exclude_first_year'),
            self.propose(kept, 'exclude_grades'),
            self.propose(graduate, 'graduate'),
            self.propose(tie, 'exclude_duration'),
            ]
        for proposal, votes in zip(proposals, [
                    (4, 0), (1, 3), (3, 1), (2, 2, 'against')],
                strict=True):
            self.decide(sitting, proposal, *votes)
        Sitting.decide([sitting])

        self.assertEqual(sitting.state, 'decided')
        self.assertEqual([p.state for p in proposals],
            ['accepted', 'rejected', 'accepted', 'rejected'])
        self.assertEqual([s.state for s in [excluded, kept, graduate, tie]],
            ['excluded', 'enrolled', 'graduated', 'enrolled'])
        diploma, = graduate.diplomas
        self.assertEqual(
            (diploma.state, diploma.issue_date, diploma.mention),
            ('awarded', SITTING_DATE, 'good'))
        self.assertEqual(graduate.graduation_date, SITTING_DATE)

    @with_transaction()
    def test_quorum(self):
        "Three members present: no valid deliberation (art. 14(2) al. 3)"
        Sitting = Pool().get('bts.jury.sitting')
        programme = create_programme()
        jury = self.create_jury(programme)
        student = create_student(programme, "Student")
        sitting = self.sitting(jury, [student], present=3)
        with self.assertRaises(SittingError) as cm:
            Sitting.record([sitting])
        self.assertIn('3', cm.exception.message)
        self.assertIn('art. 14', cm.exception.message)
        self.assertEqual(sitting.state, 'draft')

    @with_transaction()
    def test_related_member_refused(self):
        """A member whose child is the student cannot deliberate on him
        (art. 9(3)): neither the sitting nor the decision is recorded"""
        Sitting = Pool().get('bts.jury.sitting')
        programme = create_programme()
        jury = self.create_jury(programme)
        student = create_student(programme, "Son Schmit")
        other = create_student(programme, "Other")
        teacher = jury.members[3].party
        self.relate(teacher, student.party)
        sitting = self.sitting(jury, [student])
        with self.assertRaises(ConflictOfInterestError) as cm:
            Sitting.record([sitting])
        self.assertIn("Teacher Schmit cannot take part", cm.exception.message)
        self.assertIn("Son Schmit", cm.exception.message)
        # Recorded on another student, the decision on him is refused too
        sitting = self.sitting(jury, [other])
        Sitting.record([sitting])
        proposal = self.propose(student, 'exclude_grades')
        with self.assertRaises(ConflictOfInterestError):
            self.decide(sitting, proposal, 4, 0)
        self.assertEqual((proposal.state, student.state),
            ('proposed', 'enrolled'))

    @with_transaction()
    def test_other_body_refused(self):
        "Only the exam jury of the student's programme decides"
        Sitting = Pool().get('bts.jury.sitting')
        programme = create_programme()
        other = create_programme("BTS-CLOUD", 'LGL')
        student = create_student(programme, "Student")
        jury = self.create_jury(other)
        sitting = self.sitting(jury, [student])
        Sitting.record([sitting])
        proposal = self.propose(student, 'exclude_grades')
        with self.assertRaises(SittingError) as cm:
            self.decide(sitting, proposal, 4, 0)
        self.assertIn('exam jury of "BTS-INFO', cm.exception.message)

    @with_transaction()
    def test_related_signatory_refused(self):
        """The director cannot sign the diploma of his grandchild
        (art. 14(1) al. 2): no award"""
        pool = Pool()
        Party = pool.get('party.party')
        Diploma = pool.get('bts.student.diploma')
        programme = create_programme()
        student = create_student(programme, "Grandchild")
        set_results(student, uniform(programme, '15'))
        director = programme.lycees[0].director
        parent, = Party.create([{'name': "Parent"}])
        self.relate(director, parent)
        self.relate(parent, student.party)
        diploma, = Diploma.create([{'student': student.id,
                    'issue_date': SITTING_DATE}])
        with self.assertRaises(ConflictOfInterestError) as cm:
            Diploma.award([diploma])
        self.assertIn('"Director LTC" cannot sign the diploma of '
            '"Grandchild", a spouse, partner, relative or in-law of '
            'degree 2', cm.exception.message)
        self.assertEqual((diploma.state, student.state),
            ('draft', 'enrolled'))
