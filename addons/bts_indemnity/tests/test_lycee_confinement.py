# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Each lycée confined to its own records, tried through RPC as the users
of another lycée would (issue 11, point 3): BTS-IOT is offered jointly by
the LTC and the LAM; HR of the LTC neither reads, writes, deletes nor
creates the LAM's contracts, declarations, bodies, sittings and
submissions, not even on the joint programme, cannot create a declaration
on a contract of the LAM, cannot import for the LAM, and no refusal names
a record of the LAM."""
import datetime as dt
import unittest
from decimal import Decimal

from proteus import Model, Wizard
from trytond.exceptions import UserError
from trytond.model.modelstorage import AccessError
from trytond.modules.bts_programme.tests.tools import (
    accredit,
    add_valid_plan,
    create_academic_year,
    create_lycee,
    create_provider,
    linked_qualification,
)
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules, set_user

from .tools import complete_party, lessons, step_user

# What no refusal shown to the LTC may contain: the LAM and its people.
LAM_NAMES = ['LAM', "Arts et Métiers", "Paul Partner", "Lea Draft",
    "Tom Promoter", "Eva Member", "Ida Worker"]
RULE_REFUSAL = "Own lycées ("


def _programme(code, *lycees):
    """A programme of lycees, accredited: it takes contracts, bodies and
    declarations only while it runs (law of 21 July 2023, arts. 35, 41)"""
    programme = Model.get('bts.programme')(code=code, name=code)
    for lycee in lycees:
        programme.lycees.append(Model.get('bts.lycee')(lycee.id))
    add_valid_plan(programme)
    programme.save()
    return accredit(programme)


def _contract(name, sequence, programme, lycee, year, course, quantity,
        active=True):
    "A contract of lycee on programme, active or draft"
    party = complete_party(create_provider(name, [dict(title="Master",
                    clq_level='7', registration='national')]), sequence)
    Contract = Model.get('bts.contract')
    contract = Contract(party=party, role='external', programme=programme,
        lycee=Model.get('bts.lycee')(lycee.id), academic_year=year,
        start_date=dt.date(2025, 10, 1), end_date=year.end_date)
    winter, = [s for s in year.semesters if s.kind == 'winter']
    course, = [c for m in programme.modules for c in m.courses
        if c.code == course]
    contract.lines.new(course=course, semester=winter, quantity=quantity,
        qualification=linked_qualification(party))
    contract.save()
    if active:
        contract.provider_signature_date = dt.date(2025, 9, 20)
        contract.director_signature_date = dt.date(2025, 9, 20)
        contract.save()
        contract.click('sign')
        contract.minister_signature_date = dt.date(2025, 9, 25)
        contract.click('activate')
    return contract


def _body(code, year, members, programme=None, lycee=None, nominate=True,
        teachers=()):
    """A body of members as (name, role), the members named in teachers
    registered as lycée teachers of its programme in year"""
    Party = Model.get('party.party')
    Teacher = Model.get('bts.programme.teacher')
    BodyType = Model.get('bts.jury.body_type')
    body_type, = BodyType.find([('code', '=', code)])
    body = Model.get('bts.jury.body')(body_type=body_type,
        programme=programme, academic_year=year,
        lycee=Model.get('bts.lycee')(lycee.id) if lycee else None)
    for name, role in members:
        party = Party(name=name)
        party.save()
        if name in teachers:
            Teacher(party=party, programme=programme,
                academic_year=year).save()
        body.members.new(party=party, role=role, legal_basis='designation',
            legal_reference="Designation 2025-1",
            legal_date=dt.date(2025, 10, 30))
    body.save()
    if nominate:
        body.click('nominate')
    return body


class LyceeConfinementTestCase(unittest.TestCase):
    "Users of a lycée reach only their lycée's records"

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules(['bts_indemnity', 'bts_jury'])
        cls.admin = cls.config.user
        cls.year = year = create_academic_year(2025)
        cls.ltc = ltc = create_lycee('LTC', "Lycée Technique du Centre")
        cls.lam = lam = create_lycee('LAM', "Lycée des Arts et Métiers")
        cls.cloud = _programme('BTS-CLOUD', ltc)
        cls.game = _programme('BTS-GAME', lam)
        cls.iot = _programme('BTS-IOT', ltc, lam)

        # On the joint programme, a contract of each lycée, and a draft one
        # of the LAM.
        cls.ltc_contract = _contract(
            "Sophie Klein", 1, cls.iot, ltc, year, 'M1.1', 60)
        cls.lam_contract = _contract(
            "Paul Partner", 2, cls.iot, lam, year, 'M1.2', 60)
        cls.lam_draft = _contract(
            "Lea Draft", 3, cls.iot, lam, year, 'M1.3', 10, active=False)
        cls.lam_declaration = lessons(
            cls.lam_contract, dt.date(2025, 10, 6), 'M1.2', 2)

        # A TFE commission of the LAM on the joint programme with a
        # sitting, its submission and a declaration of acts; a shared one of
        # the joint programme; a curriculum group of the LAM's programme
        # with hours of work.
        # A TFE commission has a member of the programme's teaching body
        # (law of 21 July 2023, art. 7(2)): each promoter is a lycée teacher
        # of BTS-IOT.
        cls.lam_body = _body('tfe', year, [("Tom Promoter", 'promoter'),
                ("Eva Member", 'member')], programme=cls.iot, lycee=lam,
            teachers={"Tom Promoter"})
        cls.shared_body = _body('tfe', year, [("Max Shared", 'promoter'),
                ("Zoe Shared", 'member')], programme=cls.iot,
            teachers={"Max Shared"})
        Sitting = Model.get('bts.jury.sitting')
        cls.lam_sitting = Sitting(body=cls.lam_body,
            date=dt.date(2026, 2, 20), kind='test')
        cls.lam_sitting.attendees.append(
            Model.get('bts.jury.member')(cls.lam_body.members[0].id))
        cls.lam_sitting.save()
        cls.lam_submission = Model.get('bts.declaration.submission')(
            body=cls.lam_body, lycee=Model.get('bts.lycee')(lam.id),
            month=dt.date(2026, 2, 1))
        cls.lam_submission.save()
        cls.lam_acts = Model.get('bts.declaration')(kind='acts',
            member=Model.get('bts.jury.member')(cls.lam_body.members[1].id),
            lycee=Model.get('bts.lycee')(lam.id), month=dt.date(2026, 2, 1),
            submission=cls.lam_submission)
        cls.lam_acts.save()
        cls.lam_group = _body('curriculum_group', year, [
                ("Ida Worker", 'teacher')], programme=cls.game,
            nominate=False)
        cls.lam_work = Model.get('bts.jury.work')(
            member=Model.get('bts.jury.member')(cls.lam_group.members[0].id),
            date=dt.date(2025, 11, 10), kind='operation', hours=Decimal(10))
        cls.lam_work.save()

        # What the tests use of these records, read as admin.
        line, = cls.lam_draft.lines
        cls.lam_draft_line = (line.id, line.course.id, line.semester.id,
            line.qualification.id)
        line, = cls.lam_declaration.lines
        cls.lam_declaration_line = (line.id, line.course.id)
        cls.lam_course = cls.lam_contract.lines[0].course.id
        cls.lam_national_id = cls.lam_contract.party.national_id
        cls.ltc_contract_lines = {line.id for line in cls.ltc_contract.lines}
        member, _ = cls.lam_body.members
        cls.lam_member = (member.id, member.party.id)
        cls.lam_acts_member = cls.lam_body.members[1].id
        cls.shared_member = cls.shared_body.members[0].id
        cls.lam_group_member = cls.lam_group.members[0].id

        cls.hr_ltc = step_user('rh.ltc', [('bts_programme', 'group_lycee_hr')],
            ltc)
        cls.director_ltc = step_user('direction.ltc',
            [('bts_programme', 'group_lycee_director')], ltc)
        cls.hr_lam = step_user('rh.lam', [('bts_programme', 'group_lycee_hr')],
            lam)
        cls.ministry = step_user('ministere',
            [('bts_programme', 'group_ministry_admin')])
        cls.auditor = step_user(
            'auditeur', [('bts_programme', 'group_auditor')])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def tearDown(self):
        self.config.user = self.admin

    def as_user(self, user):
        set_user(user, self.config)

    def call(self, model, method, *args):
        return getattr(self.config.get_proxy(model), method)(*args, {})

    def refused(self, model, method, *args, error=AccessError):
        """Call method of model through RPC, expect a refusal that names no
        record of the LAM and return its message"""
        with self.assertRaises(error) as refusal:
            self.call(model, method, *args)
        message = str(refusal.exception)
        for name in LAM_NAMES:
            self.assertNotIn(name, message)
        return message

    def rule_refused(self, model, method, *args):
        "Expect the refusal of a record rule"
        message = self.refused(model, method, *args)
        self.assertIn(RULE_REFUSAL, message)
        return message

    def ids(self, model, domain=None):
        return {r['id'] for r in self.call(
                model, 'search_read', domain or [], 0, None, None, ['id'])}

    def exists(self, model, id_):
        user, context = self.config.user, self.config._context
        self.config.user = self.admin
        try:
            return bool(self.ids(model, [('id', '=', id_)]))
        finally:
            self.config.user, self.config._context = user, context

    def test_contracts_of_joint_programme(self):
        "HR of the LTC reaches only the LTC's contracts of BTS-IOT"
        self.as_user(self.hr_ltc)
        self.assertEqual(self.ids('bts.contract'), {self.ltc_contract.id})
        self.assertEqual(self.ids('bts.contract', [
                    ('programme', '=', self.iot.id)]), {self.ltc_contract.id})
        self.rule_refused('bts.contract', 'read',
            [self.lam_contract.id], ['party', 'rec_name'])
        self.rule_refused('bts.contract', 'write',
            [self.lam_draft.id], {'professional_milieu': "Changed"})
        self.rule_refused('bts.contract', 'delete', [self.lam_draft.id])
        self.assertTrue(self.exists('bts.contract', self.lam_draft.id))
        line, course, semester, qualification = self.lam_draft_line
        self.rule_refused('bts.contract.line', 'read', [line], ['quantity'])
        self.rule_refused('bts.contract.line', 'write',
            [line], {'quantity': 99})
        self.rule_refused('bts.contract.line', 'create', [{
                    'contract': self.lam_draft.id, 'course': course,
                    'semester': semester, 'quantity': 5,
                    'qualification': qualification}])
        self.assertEqual(
            self.ids('bts.contract.line'), self.ltc_contract_lines)
        # Their own contracts stay theirs to read.
        self.call('bts.contract', 'read', [self.ltc_contract.id], ['party'])

    def test_teaching_body_of_joint_programme(self):
        """The teaching body of BTS-IOT shows the LTC only its contracts,
        beside the lycée teachers of the programme (the TFE promoters),
        who have no contract nor lycée"""
        teachers = {self.lam_body.members[0].party.id,
            self.shared_body.members[0].party.id}
        self.as_user(self.hr_ltc)
        rows = self.call('bts.teaching_body', 'search_read',
            [('programme', '=', self.iot.id)], 0, None, None,
            ['contract', 'contract.rec_name', 'lycee', 'role', 'party'])
        self.assertEqual({r['contract'] for r in rows if r['contract']},
            {self.ltc_contract.id})
        self.assertEqual(
            {(r['party'], r['contract'], r['lycee']) for r in rows
                if r['role'] == 'teacher'},
            {(party, None, None) for party in teachers})
        self.as_user(self.ministry)
        rows = self.call('bts.teaching_body', 'search_read',
            [('programme', '=', self.iot.id)], 0, None, None,
            ['contract', 'role', 'party'])
        self.assertEqual({r['contract'] for r in rows if r['contract']},
            {self.ltc_contract.id, self.lam_contract.id})
        self.assertEqual(
            {r['party'] for r in rows if r['role'] == 'teacher'}, teachers)

    def test_contract_for_other_lycee_refused(self):
        "HR of the LTC cannot create a contract for the LAM"
        self.as_user(self.hr_ltc)
        party = create_provider("Newcomer", [dict(title="Master",
                    clq_level='7', registration='national')])
        values = {'party': party.id, 'role': 'external',
            'programme': self.iot.id, 'academic_year': self.year.id,
            'start_date': dt.date(2025, 10, 1),
            'end_date': self.year.end_date}
        self.rule_refused('bts.contract', 'create',
            [dict(values, lycee=self.lam.id)])
        self.as_user(self.ministry)
        self.assertFalse(self.ids('bts.contract', [('party', '=', party.id)]))
        # For their own lycée, the same contract is created.
        self.as_user(self.hr_ltc)
        contract_id, = self.call('bts.contract', 'create',
            [dict(values, lycee=self.ltc.id)])
        self.as_user(self.ministry)
        self.call('bts.contract', 'delete', [contract_id])

    def test_contract_moved_to_other_lycee_refused(self):
        "HR of the LTC cannot hand a contract of theirs to the LAM"
        self.as_user(self.hr_ltc)
        party = create_provider("Mover", [dict(title="Master",
                    clq_level='7', registration='national')])
        contract_id, = self.call('bts.contract', 'create', [{
                    'party': party.id, 'role': 'external',
                    'programme': self.iot.id, 'lycee': self.ltc.id,
                    'academic_year': self.year.id,
                    'start_date': dt.date(2025, 10, 1),
                    'end_date': self.year.end_date}])
        self.rule_refused('bts.contract', 'write',
            [contract_id], {'lycee': self.lam.id})
        self.assertEqual(self.call('bts.contract', 'read',
                [contract_id], ['lycee'])[0]['lycee'], self.ltc.id)
        self.call('bts.contract', 'delete', [contract_id])

    def test_minister_signature_by_ministry_only(self):
        "Only the ministry records the minister's signature of a contract"
        for user in [self.hr_ltc, self.director_ltc]:
            self.as_user(user)
            record, = self.call('bts.contract', 'read', [self.ltc_contract.id],
                ['minister_signature_date', 'late_signature_justification'])
            self.assertEqual(
                record['minister_signature_date'], dt.date(2025, 9, 25))
        self.as_user(self.hr_ltc)
        party = create_provider("Signer", [dict(title="Master",
                    clq_level='7', registration='national')])
        values = {'party': party.id, 'role': 'external',
            'programme': self.cloud.id, 'lycee': self.ltc.id,
            'academic_year': self.year.id,
            'start_date': dt.date(2025, 10, 1),
            'end_date': self.year.end_date}
        for name, value in [
                ('minister_signature_date', dt.date(2025, 9, 25)),
                ('late_signature_justification', "Replaced at short notice")]:
            self.refused('bts.contract', 'create', [dict(values, **{
                            name: value})])
        contract_id, = self.call('bts.contract', 'create', [values])
        for name, value in [
                ('minister_signature_date', dt.date(2025, 9, 25)),
                ('late_signature_justification', "Replaced at short notice")]:
            self.refused('bts.contract', 'write', [contract_id],
                {name: value})
        self.as_user(self.ministry)
        self.call('bts.contract', 'write', [contract_id], {
                'minister_signature_date': dt.date(2025, 9, 25),
                'late_signature_justification': "Replaced at short notice"})
        self.call('bts.contract', 'delete', [contract_id])

    def test_programme_links(self):
        "HR of the LTC sees the LTC's offer of BTS-IOT, not the LAM's"
        self.as_user(self.hr_ltc)
        iot, = self.call('bts.programme', 'read', [self.iot.id], ['lycees'])
        self.assertEqual(list(iot["lycees"]), [self.ltc.id])
        self.assertEqual(
            self.ids('bts.programme'), {self.cloud.id, self.iot.id})
        self.assertEqual(self.ids('bts.lycee'), {self.ltc.id})
        self.rule_refused('bts.lycee', 'read', [self.lam.id], ['code'])
        self.as_user(self.ministry)
        iot, = self.call('bts.programme', 'read', [self.iot.id], ['lycees'])
        self.assertEqual(sorted(iot['lycees']),
            sorted([self.ltc.id, self.lam.id]))

    def test_declarations(self):
        "HR of the LTC reaches no declaration of the LAM"
        self.as_user(self.hr_ltc)
        self.assertFalse(self.ids('bts.declaration') & {
                self.lam_declaration.id, self.lam_acts.id})
        self.rule_refused('bts.declaration', 'read',
            [self.lam_declaration.id], ['rec_name'])
        self.rule_refused('bts.declaration', 'write',
            [self.lam_declaration.id], {'month': dt.date(2025, 11, 1)})
        self.rule_refused('bts.declaration', 'delete',
            [self.lam_declaration.id])
        self.assertTrue(
            self.exists('bts.declaration', self.lam_declaration.id))
        line, course = self.lam_declaration_line
        self.rule_refused('bts.declaration.line', 'read',
            [line], ['quantity'])
        self.rule_refused('bts.declaration.line', 'write',
            [line], {'quantity': Decimal(3)})
        self.rule_refused('bts.declaration.line', 'create', [{
                    'declaration': self.lam_declaration.id,
                    'date': dt.date(2025, 10, 7), 'course': course,
                    'quantity': Decimal(1)}])
        self.as_user(self.ministry)
        self.assertEqual(self.ids('bts.declaration.line', [
                    ('declaration', '=', self.lam_declaration.id)]), {line})

    def test_declaration_for_other_lycee_refused(self):
        """HR of the LTC creates no declaration for the LAM, nor one of the
        LTC on a contract of the LAM"""
        self.as_user(self.hr_ltc)
        lines = [('create', [{'date': dt.date(2025, 10, 8),
                        'course': self.lam_course, 'quantity': Decimal(2)}])]
        before = len(self.ids('bts.declaration'))
        for lycee in [self.lam, self.ltc]:
            self.rule_refused('bts.declaration', 'create', [{
                        'kind': 'lessons', 'contract': self.lam_contract.id,
                        'lycee': lycee.id, 'month': dt.date(2025, 10, 1),
                        'lines': lines}])
        # Acts of a member of a LAM body, for the LTC
        self.rule_refused('bts.declaration', 'create', [{
                    'kind': 'acts', 'lycee': self.ltc.id,
                    'member': self.lam_acts_member,
                    'month': dt.date(2026, 2, 1)}])
        # A declaration of the LTC put into a submission of the LAM
        self.rule_refused('bts.declaration', 'create', [{
                    'kind': 'acts', 'lycee': self.ltc.id,
                    'member': self.shared_member,
                    'submission': self.lam_submission.id,
                    'month': dt.date(2026, 2, 1)}])
        self.as_user(self.ministry)
        self.assertEqual(len(self.ids('bts.declaration', [
                        ('contract', '=', self.lam_contract.id)])), 1)
        # On their own contract, HR of the LTC declares.
        self.as_user(self.hr_ltc)
        declaration = lessons(self.ltc_contract, dt.date(2025, 10, 8),
            'M1.1', 2)
        self.assertEqual(len(self.ids('bts.declaration')), before + 1)
        # and cannot move it to the LAM's contract
        self.rule_refused('bts.declaration', 'write', [declaration.id],
            {'contract': self.lam_contract.id})
        self.call('bts.declaration', 'delete', [declaration.id])

    def test_bodies_and_sittings(self):
        "HR and director of the LTC reach no body or sitting of the LAM"
        member, party = self.lam_member
        for user in [self.hr_ltc, self.director_ltc]:
            self.as_user(user)
            bodies = self.ids('bts.jury.body')
            self.assertIn(self.shared_body.id, bodies)
            self.assertFalse(
                bodies & {self.lam_body.id, self.lam_group.id})
            self.rule_refused('bts.jury.body', 'read',
                [self.lam_body.id], ['rec_name'])
            self.rule_refused('bts.jury.body', 'write',
                [self.lam_body.id], {'decree_reference': "X"})
            self.rule_refused('bts.jury.body', 'delete', [self.lam_body.id])
            self.rule_refused('bts.jury.member', 'read',
                [member], ['party'])
            self.rule_refused('bts.jury.member', 'write',
                [member], {'legal_reference': "X"})
            self.rule_refused('bts.jury.member', 'create', [{
                        'body': self.lam_body.id, 'party': party,
                        'role': 'member'}])
            self.assertFalse(self.ids('bts.jury.sitting'))
            self.rule_refused('bts.jury.sitting', 'read',
                [self.lam_sitting.id], ['rec_name'])
            self.rule_refused('bts.jury.sitting', 'write',
                [self.lam_sitting.id], {'date': dt.date(2026, 2, 21)})
            self.rule_refused('bts.jury.sitting', 'delete',
                [self.lam_sitting.id])
            self.rule_refused('bts.jury.sitting', 'create', [{
                        'body': self.lam_body.id,
                        'date': dt.date(2026, 3, 1), 'kind': 'meeting'}])
            self.rule_refused('bts.jury.sitting', 'write',
                [self.lam_sitting.id], {'attendees': [('add', [member])]})
            self.rule_refused('bts.jury.decision', 'create', [{
                        'sitting': self.lam_sitting.id, 'subject': "X",
                        'votes_for': 1, 'votes_against': 0}])
            self.rule_refused('bts.jury.work', 'read',
                [self.lam_work.id], ['hours'])
            self.rule_refused('bts.jury.work', 'write',
                [self.lam_work.id], {'hours': Decimal(90)})
            self.rule_refused('bts.jury.work', 'delete', [self.lam_work.id])
            self.rule_refused('bts.jury.work', 'create', [{
                        'member': self.lam_group_member,
                        'date': dt.date(2025, 11, 11), 'kind': 'operation',
                        'hours': Decimal(1)}])
        self.assertTrue(self.exists('bts.jury.body', self.lam_body.id))
        self.assertTrue(self.exists('bts.jury.sitting', self.lam_sitting.id))
        self.assertTrue(self.exists('bts.jury.work', self.lam_work.id))

    def test_body_for_other_lycee_refused(self):
        "HR of the LTC creates no body for the LAM nor a national one"
        self.as_user(self.hr_ltc)
        BodyType = Model.get('bts.jury.body_type')
        litigation, = BodyType.find([('code', '=', 'litigation')])
        tfe, = BodyType.find([('code', '=', 'tfe')])
        national, = BodyType.find([('scope', '=', 'national')], limit=1)
        for values in [
                {'body_type': litigation.id, 'lycee': self.lam.id},
                {'body_type': tfe.id, 'programme': self.game.id},
                {'body_type': tfe.id, 'programme': self.iot.id,
                    'lycee': self.lam.id},
                {'body_type': tfe.id, 'programme': self.game.id,
                    'lycee': self.ltc.id},
                {'body_type': national.id},
                ]:
            self.rule_refused('bts.jury.body', 'create', [dict(values,
                        academic_year=self.year.id)])
        # Its own lycée's and the joint programme's bodies it creates.
        for values in [
                {'body_type': litigation.id, 'lycee': self.ltc.id},
                {'body_type': tfe.id, 'programme': self.iot.id}]:
            body_id, = self.call('bts.jury.body', 'create', [dict(values,
                        academic_year=self.year.id)])
            self.call('bts.jury.body', 'delete', [body_id])

    def test_submissions(self):
        "HR of the LTC reaches no submission of the LAM, creates none"
        self.as_user(self.hr_ltc)
        self.assertFalse(self.ids('bts.declaration.submission'))
        self.rule_refused('bts.declaration.submission', 'read',
            [self.lam_submission.id], ['rec_name'])
        self.rule_refused('bts.declaration.submission', 'delete',
            [self.lam_submission.id])
        for body, lycee in [(self.shared_body, self.lam),
                (self.lam_body, self.ltc)]:
            self.rule_refused('bts.declaration.submission', 'create', [{
                        'body': body.id, 'lycee': lycee.id,
                        'month': dt.date(2026, 3, 1)}])
        self.assertFalse(self.ids('bts.declaration.total', [
                    ('lycee', '=', self.lam.id)]))

    def test_ministry_and_auditor_see_all(self):
        "The ministry and the auditor see both lycées; the auditor only reads"
        for user in [self.ministry, self.auditor]:
            self.as_user(user)
            self.assertTrue({self.ltc_contract.id, self.lam_contract.id}
                <= self.ids('bts.contract'))
            self.assertTrue({self.lam_declaration.id, self.lam_acts.id}
                <= self.ids('bts.declaration'))
            self.assertTrue({self.lam_body.id, self.shared_body.id}
                <= self.ids('bts.jury.body'))
            self.assertIn(self.lam_sitting.id, self.ids('bts.jury.sitting'))
        self.refused('bts.contract', 'write',
            [self.lam_draft.id], {'professional_milieu': "Changed"})
        self.as_user(self.hr_lam)
        self.assertEqual(self.ids('bts.contract'),
            {self.lam_contract.id, self.lam_draft.id})

    def import_file(self, lycee, data):
        wizard = Wizard('bts.declaration.import')
        wizard.form.lycee = Model.get('bts.lycee')(lycee.id)
        wizard.form.file = data
        wizard.form.filename = 'lessons.csv'
        wizard.execute('import_')
        return wizard.form

    def test_import_for_other_lycee_refused(self):
        "HR of the LTC cannot import lessons into the LAM's declarations"
        lam_line_ids = {self.lam_declaration_line[0]}
        rows = ('national_id,programme,date,course,lessons\n'
            f'{self.lam_national_id},BTS-IOT,2025-10-09,'
            'M1.2,2\n').encode()
        self.as_user(self.hr_ltc)
        with self.assertRaises(UserError) as refusal:
            self.import_file(self.lam, rows)
        for name in LAM_NAMES:
            self.assertNotIn(name, str(refusal.exception))
        # For their own lycée, the row of the LAM's contract is refused
        # without naming it.
        result = self.import_file(self.ltc, rows)
        self.assertIn("rows refused: 1", result.report)
        self.assertIn("contract of another lycée", result.report)
        for name in LAM_NAMES + ["Partner"]:
            self.assertNotIn(name, result.report)
        self.as_user(self.ministry)
        self.assertEqual(self.ids('bts.declaration.line', [
                    ('declaration.lycee', '=', self.lam.id),
                    ('declaration.kind', '=', 'lessons')]), lam_line_ids)
        # The LAM's HR imports the same row into its declaration.
        self.as_user(self.hr_lam)
        result = self.import_file(self.lam, rows)
        self.assertIn("lines created: 1", result.report)
        declaration, = result.declarations
        self.assertEqual(declaration.id, self.lam_declaration.id)
        self.call('bts.declaration.line', 'delete', list(self.ids(
                    'bts.declaration.line', [
                        ('declaration', '=', self.lam_declaration.id),
                        ('id', 'not in', list(lam_line_ids))])))

