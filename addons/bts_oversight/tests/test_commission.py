# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The admissibility commission (issue 17, point 4; law of 21 July 2023,
art. 38(3)): ten members and ten substitutes of the named institutions,
its president and secretary; a report adopted by six members present, not
five; 9.04 per sitting and 2.15 per dossier at index 100, at the index of
the sitting's date (968.04 from 1 May 2025: 87.51 € and 20.81 €; 944.43
the day before: 85.38 € and 20.31 €), declared, approved and paid by a
payment run."""
import datetime as dt
import unittest
from decimal import Decimal

from proteus import Model
from trytond.modules.bts_indemnity.exceptions import DeclarationError
from trytond.modules.bts_indemnity.tests.tools import (
    APPROVAL_STEPS,
    complete_party,
    setup_ministry,
    step_user,
)
from trytond.modules.bts_jury.exceptions import CompositionError
from trytond.modules.bts_programme.tests.tools import (
    create_academic_year,
    create_lycee,
)
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules

DECREE = ("Arrêté du Gouvernement en conseil 2024-07", dt.date(2024, 9, 1))
# Art. 38(3) al. 2, one seat a row but two for higher education
SEATS = ['higher_education', 'higher_education', 'finance', 'economy',
    'education', 'public_buildings', 'adem', 'employers', 'employees',
    'agency']


def composition(president='higher_education', substitutes=SEATS):
    """(name, role, institution) of a commission: the president, nine
    members, the substitutes and the secretary"""
    members = [("President", 'president', president)]
    members += [(f"Member {i}", 'member', institution)
        for i, institution in enumerate(SEATS[1:], 2)]
    members += [(f"Substitute {i}", 'substitute', institution)
        for i, institution in enumerate(substitutes, 1)]
    members.append(("Secretary", 'secretary', None))
    return members


class CommissionTestCase(unittest.TestCase):
    "The admissibility commission and its indemnities"

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules(['bts_oversight', 'bts_student'])
        setup_ministry(2025)
        cls.lycee = create_lycee('LTC', "Lycée Technique du Centre")
        cls.year = create_academic_year(2024)
        create_academic_year(2025)
        cls.body, cls.members = cls.commission(composition())
        cls.body.click('nominate')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @classmethod
    def commission(cls, members):
        BodyType = Model.get('bts.jury.body_type')
        Party = Model.get('party.party')
        body_type, = BodyType.find([('code', '=', 'admissibility')])
        body = Model.get('bts.jury.body')(body_type=body_type,
            academic_year=cls.year, decree_reference=DECREE[0],
            decree_date=DECREE[1])
        for name, role, institution in members:
            party = Party(name=name)
            party.save()
            body.members.new(party=party, role=role, institution=institution,
                legal_basis='decree', legal_reference=DECREE[0],
                legal_date=DECREE[1])
        body.save()
        return body, {m.party.name: Model.get('bts.jury.member')(m.id)
            for m in body.members}

    def test_body_type(self):
        """Nominated by the Government in council for 60 months, renewable:
        the mandate from 15 September 2024 ends on 14 September 2029"""
        self.assertEqual(self.body.body_type.nominated_by, 'government')
        self.assertEqual(self.body.mandate_end, dt.date(2029, 9, 14))
        self.assertEqual(self.body.state, 'nominated')
        self.assertTrue(self.body.complete)

    def assertRefused(self, members, *messages):
        body, _ = self.commission(members)
        with self.assertRaises(CompositionError) as refusal:
            body.click('nominate')
        for message in messages:
            self.assertIn(message, refusal.exception.message)
        self.assertIn("art. 38(3)", refusal.exception.message)

    def test_nine_substitutes_refused(self):
        "Nine substitutes: refused (ten needed)"
        self.assertRefused(composition(substitutes=SEATS[1:]),
            "Minister of Higher Education has 1 substitute members")

    def test_institutions(self):
        """Two effective members of Finance and none of the Economy:
        refused, each institution named"""
        members = composition()
        members[3] = ("Member 4", 'member', 'finance')
        self.assertRefused(members,
            "Minister of Finance has 2 effective members",
            "Minister of the Economy has 0 effective members")

    def test_president_of_higher_education(self):
        "A president of the Finance ministry: refused"
        members = composition(president='finance')
        members[2] = ("Member 3", 'member', 'higher_education')
        self.assertRefused(members,
            "does not represent the minister of higher education")

    def sitting(self, date, attendees):
        Sitting = Model.get('bts.jury.sitting')
        Member = Model.get('bts.jury.member')
        sitting = Sitting(body=self.body, date=date, kind='meeting')
        sitting.attendees.extend(Member(self.members[n].id)
            for n in attendees)
        sitting.save()
        sitting.click('record')
        return sitting

    def test_report_adopted_by_six(self):
        """Seven present (a substitute sitting for a member): five agreeing
        members do not adopt the report, six do"""
        sitting = self.sitting(dt.date(2025, 10, 6), ["President"]
            + [f"Member {i}" for i in range(2, 7)] + ["Substitute 7"])
        sitting.decisions.new(subject="Report CLOUD", votes_for=5,
            votes_against=2)
        sitting.decisions.new(subject="Report GAME", votes_for=6,
            votes_against=1)
        sitting.save()
        self.assertEqual([(d.subject, d.adopted) for d in sitting.decisions],
            [("Report CLOUD", False), ("Report GAME", True)])

    def declare(self, member, sitting, dossiers):
        "An approved declaration of a sitting and its dossiers"
        Submission = Model.get('bts.declaration.submission')
        month = sitting.date.replace(day=1)
        submission = Submission(body=self.body,
            lycee=Model.get('bts.lycee')(self.lycee.id), month=month)
        submission.save()
        Act = Model.get('bts.jury.act')
        r1, = Act.find([('code', '=', 'R1')])
        r2, = Act.find([('code', '=', 'R2')])
        declaration = Model.get('bts.declaration')(kind='acts',
            member=self.members[member], lycee=submission.lycee, month=month,
            submission=submission)
        declaration.lines.new(date=sitting.date, act=r1, sitting=sitting,
            quantity=Decimal(1))
        declaration.lines.new(date=sitting.date, act=r2,
            quantity=Decimal(dossiers))
        declaration.save()
        submission.click('submit')
        config, User = self.config, Model.get('res.user')
        users = [step_user(login, groups, declaration.lycee, config)
            for _, login, groups in APPROVAL_STEPS]
        user, context = config.user, config._context
        try:
            for (button, _, _), step_user_ in zip(
                    APPROVAL_STEPS, users, strict=True):
                config.user = step_user_.id
                config._context = User.get_preferences(True, {})
                Model.get('bts.declaration')(declaration.id).click(button)
        finally:
            config.user, config._context = user, context
        declaration.reload()
        return declaration

    def test_indemnity_at_sitting_index(self):
        """A sitting on 5 May 2025 at 968.04: 87.51 € plus 3 × 20.81 €; on
        30 April 2025 at 944.43: 85.38 € plus 2 × 20.31 €; paid by the run
        of May"""
        may = self.declare("Member 2", self.sitting(dt.date(2025, 5, 5),
                ["President", "Member 2"]), 3)
        self.assertEqual([(line_.index, line_.euro_rate, line_.amount)
                for line_ in may.lines], [
                (Decimal('968.04'), Decimal('87.51'), Decimal('87.51')),
                (Decimal('968.04'), Decimal('20.81'), Decimal('62.43'))])
        april = self.declare("Member 3", self.sitting(dt.date(2025, 4, 30),
                ["President", "Member 3"]), 2)
        self.assertEqual([(line_.index, line_.euro_rate, line_.amount)
                for line_ in april.lines], [
                (Decimal('944.43'), Decimal('85.38'), Decimal('85.38')),
                (Decimal('944.43'), Decimal('20.31'), Decimal('40.62'))])
        complete_party(Model.get('party.party')(
                self.members["Member 2"].party.id), 21)
        Run = Model.get('bts.payment.run')
        run = Run(start_date=dt.date(2025, 5, 1),
            end_date=dt.date(2025, 5, 31), date=dt.date(2025, 6, 10))
        run.save()
        run.click('compute')
        run.click('post')
        may.reload()
        self.assertEqual((run.amount, may.state),
            (Decimal('149.94'), 'paid'))

    def test_substitute_not_sitting_not_paid(self):
        "A substitute not on the attendance list cannot declare the sitting"
        sitting = self.sitting(dt.date(2025, 6, 2), ["President"])
        with self.assertRaises(DeclarationError):
            self.declare("Substitute 2", sitting, 1)
