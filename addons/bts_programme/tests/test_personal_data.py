# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Personal data by need (law of 21 July 2023, arts. 28-34): national
identification numbers, IBANs and qualification documents are read only by
the HR of the person's lycées, the ministry, the accountant and the
auditors, and changed only by the HR of the person's lycées and the
ministry's administration; a national number identifies one person only.
Every call goes through the RPC layer as the user of a role."""
import unittest

from proteus import Model
from trytond.exceptions import UserError
from trytond.model.modelstorage import AccessError
from trytond.modules.bts_programme.tests.tools import (
    add_valid_plan,
    create_academic_year,
    create_contract,
    create_lycee,
    create_provider,
)
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules, set_user

# Valid Luxembourg national identification numbers and IBANs
SOPHIE_ID = '1985122445690'
SOPHIE_IBAN = 'LU280019400644750000'
MARC_ID = '1979030512375'
NEW_ID = '1990061533325'
NEW_IBAN = 'LU120010001234567891'


def _user(login, group=None, lycee=None):
    User = Model.get('res.user')
    ModelData = Model.get('ir.model.data')
    Group = Model.get('res.group')
    user = User(login=login, name=login)
    if group:
        user.groups.append(
            Group(ModelData.get_id('bts_programme', group, {})))
    if lycee:
        user.bts_lycees.append(Model.get('bts.lycee')(lycee.id))
    user.save()
    return user


def _programme(code, lycee):
    Programme = Model.get('bts.programme')
    programme = Programme(code=code, name=code)
    programme.lycees.append(Model.get('bts.lycee')(lycee.id))
    add_valid_plan(programme)
    programme.save()
    return programme


def _bank():
    Bank = Model.get('bank')
    Party = Model.get('party.party')
    party = Party(name="Banque et Caisse d'Épargne de l'État")
    party.save()
    bank = Bank(party=party, bic='BCEELULL')
    bank.save()
    return bank


def _person(name, national_id, iban, bank):
    """Create a provider with a national number, an IBAN and a diploma with
    its document attached"""
    Account = Model.get('bank.account')
    party = create_provider(name, [dict(
                title="Master", clq_level='7', registration='national')])
    party.identifiers.new(type='lu_matricule', code=national_id)
    party.save()
    account = Account(bank=bank)
    account.owners.append(Model.get('party.party')(party.id))
    account.numbers.new(type='iban', number=iban)
    account.save()
    return party, account


class PersonalDataTestCase(unittest.TestCase):
    "Who reads and changes national numbers, IBANs and qualifications"

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules('bts_programme')
        Attachment = Model.get('ir.attachment')
        cls.year = create_academic_year(2025)
        cls.ltc = create_lycee('LTC', "Lycée Technique du Centre")
        cls.lam = create_lycee('LAM', "Lycée des Arts et Métiers")
        cls.cloud = _programme('BTS-CLOUD', cls.ltc)
        cls.game = _programme('BTS-GAME', cls.lam)
        cls.bank = _bank()
        # Sophie Klein works for the LAM, Marc Weber for the LTC
        cls.sophie, cls.sophie_account = _person(
            "Sophie Klein", SOPHIE_ID, SOPHIE_IBAN, cls.bank)
        create_contract(cls.sophie, cls.game, cls.year,
            [('M1.1', 'winter', 20)])
        cls.marc, _ = _person(
            "Marc Weber", MARC_ID, 'LU980019400644750001', cls.bank)
        create_contract(cls.marc, cls.cloud, cls.year,
            [('M1.1', 'winter', 20)])
        cls.sophie_identifier, = [i.id for i in cls.sophie.identifiers
            if i.type == 'lu_matricule']
        cls.sophie_number = cls.sophie_account.numbers[0].id
        cls.sophie_qualification, = cls.sophie.bts_qualifications
        cls.sophie_attachment, = Attachment.find([
                ('resource', '=', str(cls.sophie_qualification)),
                ])

        cls.nobody = _user('nobody')
        cls.hr_ltc = _user('rh.ltc', 'group_lycee_hr', cls.ltc)
        cls.hr_lam = _user('rh.lam', 'group_lycee_hr', cls.lam)
        cls.director_lam = _user(
            'direction.lam', 'group_lycee_director', cls.lam)
        cls.ministry = _user('ministere.admin', 'group_ministry_admin')
        cls.finance = _user('ministere.finances', 'group_ministry_finance')
        cls.accountant = _user('comptable', 'group_accountant')
        cls.auditor = _user('auditeur', 'group_auditor')

    @classmethod
    def tearDownClass(cls):
        set_user(1)
        drop_db()

    def tearDown(self):
        set_user(1)

    def proxy(self, model):
        return Model.get(model)._proxy

    def context(self):
        return self.config.context

    def sophie_as_user(self):
        "Sophie's party read as the current user, as a client reads it"
        Party = Model.get('party.party')
        sophie, = Party.find([('name', '=', "Sophie Klein")])
        return sophie

    def assertReadsNoPersonalData(self):
        "The current user sees Sophie but none of her numbers"
        sophie = self.sophie_as_user()
        self.assertIsNone(sophie.national_id)
        self.assertEqual(
            [i.code for i in sophie.identifiers
                if i.type == 'lu_matricule'], [])
        self.assertEqual(list(sophie.bank_accounts), [])
        self.assertEqual(list(sophie.bank_accounts_used), [])
        # A client reading the related fields gets nothing, without error
        row, = self.proxy('party.party').read([sophie.id], [
                'national_id', 'identifiers.code', 'bank_accounts.rec_name',
                'bank_accounts_used.rec_name'], self.context())
        self.assertIsNone(row['national_id'])
        self.assertEqual(row['identifiers.'], [])
        self.assertEqual(row['bank_accounts.'], [])
        # Searching does not find them nor the party by them, but finds
        # the party by its name
        self.assertEqual(len(Model.get('party.party').find([
                        ('rec_name', 'ilike', '%klein%')])), 1)
        self.assertEqual(Model.get('party.identifier').find([
                    ('party', '=', sophie.id),
                    ('type', '=', 'lu_matricule')]), [])
        self.assertEqual(Model.get('party.party').find([
                    ('rec_name', '=', SOPHIE_ID)]), [])
        self.assertEqual(Model.get('party.party').find([
                    ('rec_name', 'ilike', '%0644750000%')]), [])
        for clause in [
                ('identifiers.code', 'like', '1985%'),
                ('identifiers.code_compact', '=', SOPHIE_ID),
                ('bank_accounts.numbers.number', 'like', 'LU28%'),
                ('bank_accounts_used', 'where', [
                        ('numbers.number_compact', '=', SOPHIE_IBAN)]),
                ('bank_accounts', 'where', [('id', '=',
                            self.sophie_account.id)]),
                ]:
            with self.subTest(clause=clause):
                self.assertEqual(
                    Model.get('party.party').find([clause]), [])
        for model, clause in [
                ('party.address', ('party.identifiers.code', '=', SOPHIE_ID)),
                ('party.address', ('party', 'where', [
                            ('bank_accounts.numbers.number_compact', '=',
                                SOPHIE_IBAN)])),
                ('party.address', ('party', 'where', [
                            ('rec_name', 'like', '1985%')])),
                ]:
            with self.subTest(model=model, clause=clause):
                self.assertEqual(Model.get(model).find([clause]), [])
        self.assertEqual(Model.get('bank.account').find([
                    ('owners', '=', sophie.id)]), [])
        self.assertEqual(Model.get('bank.account.number').find([
                    ('number', '=', SOPHIE_IBAN)]), [])
        # Reading them by id is refused
        with self.assertRaises(AccessError):
            self.proxy('party.identifier').read(
                [self.sophie_identifier], ['code'], self.context())
        with self.assertRaises(AccessError):
            self.proxy('bank.account.number').read(
                [self.sophie_number], ['number'],
                self.context())
        with self.assertRaises(AccessError):
            self.proxy('bank.account').read(
                [self.sophie_account.id], ['rec_name'], self.context())
        # Nor exported
        rows = self.proxy('party.party').export_data(
            [sophie.id], ['name', 'national_id'], False, self.context())
        self.assertEqual(rows, [["Sophie Klein", '']])
        for model, ids, path in [
                ('party.party', [sophie.id], 'identifiers/code'),
                ('party.party', [sophie.id], 'bank_accounts/numbers/number'),
                ('party.identifier', [self.sophie_identifier], 'code'),
                ('bank.account', [self.sophie_account.id], 'numbers/number'),
                ('bank.account.number', [self.sophie_number],
                    'number'),
                ]:
            with self.subTest(model=model, path=path):
                self.assertExportsNothing(model, ids, path)

    def assertExportsNothing(self, model, ids, path):
        "The export is refused or carries none of Sophie's data"
        try:
            rows = self.proxy(model).export_data(
                ids, [path], False, self.context())
        except AccessError:
            return
        for value in [SOPHIE_ID, SOPHIE_IBAN, b'%PDF']:
            self.assertNotIn(str(value), str(rows))

    def assertReadsSophieData(self):
        sophie = self.sophie_as_user()
        self.assertEqual(sophie.national_id, SOPHIE_ID)
        account, = sophie.bank_accounts
        self.assertEqual(account.numbers[0].number_compact, SOPHIE_IBAN)
        self.assertEqual(
            len(Model.get('bank.account.number').find([
                        ('number', '=', SOPHIE_IBAN)])), 1)

    def test_lycees_of_a_person(self):
        """A person belongs to the lycées of their contracts, of the
        programmes they teach, that they direct or that registered them"""
        Party = Model.get('party.party')
        Teacher = Model.get('bts.programme.teacher')
        Lycee = Model.get('bts.lycee')
        teacher = Party(name="Carole Thill")
        teacher.save()
        Teacher(party=teacher, programme=self.cloud,
            academic_year=self.year).save()
        director = Party(name="Director Hoffmann")
        director.save()
        lam = Lycee(self.lam.id)
        lam.director = director
        lam.save()
        registered = Party(name="Registered", bts_lycee=Lycee(self.lam.id))
        registered.save()

        def lycees(party):
            return [x.code for x in Party(party.id).bts_lycees]
        self.assertEqual(lycees(self.sophie), ['LAM'])
        self.assertEqual(lycees(self.marc), ['LTC'])
        self.assertEqual(lycees(teacher), ['LTC'])
        self.assertEqual(lycees(director), ['LAM'])
        self.assertEqual(lycees(registered), ['LAM'])
        self.assertEqual(lycees(Party(self.bank.party.id)), [])

        def names(clause):
            return sorted(p.name for p in Party.find([clause])
                if p.id in ids)
        ids = {p.id for p in [self.sophie, self.marc, teacher, director,
                registered]}
        self.assertEqual(names(('bts_lycees', '=', self.ltc.id)),
            ["Carole Thill", "Marc Weber"])
        self.assertEqual(names(('bts_lycees', 'in', [self.lam.id])),
            ["Director Hoffmann", "Registered", "Sophie Klein"])
        self.assertEqual(names(('bts_lycees', 'not in', [self.lam.id])),
            ["Carole Thill", "Marc Weber"])
        self.assertEqual(names(('bts_lycees', 'ilike', '%centre%')),
            ["Carole Thill", "Marc Weber"])
        self.assertEqual(
            [a.id for a in Model.get('bank.account').find([
                        ('bts_lycees', '=', self.lam.id)])],
            [self.sophie_account.id])
        lam.director = None
        lam.save()

    def test_no_group_reads_no_number_nor_iban(self):
        "A user with no group reads no national number nor IBAN"
        set_user(self.nobody)
        self.assertReadsNoPersonalData()

    def test_director_reads_no_number_iban_nor_qualification(self):
        "Sophie's lycée director reads none of her personal data"
        set_user(self.director_lam)
        self.assertReadsNoPersonalData()
        with self.assertRaises(AccessError):
            Model.get('bts.qualification').find([])
        # The search of the documents is refused or finds none
        try:
            found = Model.get('ir.attachment').find([
                    ('resource', 'like', 'bts.qualification,%')])
        except AccessError:
            found = []
        self.assertEqual(found, [])
        with self.assertRaises(AccessError):
            self.proxy('ir.attachment').read(
                [self.sophie_attachment.id], ['data'], self.context())

    def test_hr_of_another_lycee_reads_no_personal_data(self):
        "The HR of the LTC reads nothing of the LAM's provider"
        set_user(self.hr_ltc)
        self.assertReadsNoPersonalData()
        self.assertEqual(Model.get('bts.qualification').find([
                    ('party', '=', self.sophie.id)]), [])
        # Its own provider's are read
        Party = Model.get('party.party')
        marc, = Party.find([('name', '=', "Marc Weber")])
        self.assertEqual(marc.national_id, MARC_ID)
        self.assertEqual(len(marc.bank_accounts), 1)
        self.assertEqual(len(marc.bts_qualifications), 1)

    def test_readers(self):
        "HR of her lycée, ministry, finance, accountant and auditor read"
        for user in [self.hr_lam, self.ministry, self.finance,
                self.accountant, self.auditor]:
            with self.subTest(user=user.login):
                set_user(user)
                self.assertReadsSophieData()
                qualification, = Model.get('bts.qualification').find([
                        ('party', '=', self.sophie.id)])
                attachment, = Model.get('ir.attachment').find([
                        ('resource', '=', str(qualification)),
                        ('name', '=', 'diploma.pdf')])
                self.assertEqual(attachment.data, b'%PDF-1.4')

    def test_only_hr_and_ministry_create_parties(self):
        "The auditor and the others cannot create nor change parties"
        Party = Model.get('party.party')
        for user in [self.nobody, self.director_lam, self.finance,
                self.accountant, self.auditor]:
            with self.subTest(user=user.login):
                set_user(user)
                party = Party(name="Someone")
                with self.assertRaises(AccessError):
                    party.save()
                sophie = self.sophie_as_user()
                sophie.name = "Sophie K."
                with self.assertRaises(AccessError):
                    sophie.save()
                address, = sophie.addresses
                with self.assertRaises(AccessError):
                    self.proxy('party.address').write([address.id],
                        {'city': "Esch-sur-Alzette"}, self.context())
                with self.assertRaises(AccessError):
                    self.proxy('party.contact_mechanism').create([{
                                'party': sophie.id, 'type': 'email',
                                'value': 'sophie@example.com'}],
                        self.context())
                with self.assertRaises(AccessError):
                    self.proxy('party.identifier').write(
                        [self.sophie_identifier], {'code': NEW_ID},
                        self.context())
                with self.assertRaises(AccessError):
                    self.proxy('party.identifier').create([{
                                'party': sophie.id, 'type': 'lu_matricule',
                                'code': NEW_ID}], self.context())
                with self.assertRaises(AccessError):
                    self.proxy('bank.account').create([{
                                'owners': [('add', [sophie.id])],
                                'numbers': [('create', [{
                                                'type': 'iban',
                                                'number': NEW_IBAN}])],
                                }], self.context())
                with self.assertRaises(AccessError):
                    self.proxy('bank.account.number').write(
                        [self.sophie_number],
                        {'number': NEW_IBAN}, self.context())

    def test_hr_cannot_change_another_lycee_provider(self):
        "The HR of the LTC cannot change the LAM provider's data"
        set_user(self.hr_ltc)
        sophie = self.sophie_as_user()
        with self.assertRaises(AccessError):
            self.proxy('party.identifier').write(
                [self.sophie_identifier], {'code': NEW_ID}, self.context())
        with self.assertRaises(AccessError):
            self.proxy('party.identifier').delete(
                [self.sophie_identifier], self.context())
        with self.assertRaises(AccessError):
            self.proxy('party.identifier').create([{
                        'party': sophie.id, 'type': 'lu_matricule',
                        'code': NEW_ID}], self.context())
        with self.assertRaises(AccessError):
            self.proxy('party.party').write([sophie.id], {
                    'name': "Sophie K.", 'bts_lycee': self.ltc.id},
                self.context())
        address, = sophie.addresses
        with self.assertRaises(AccessError):
            self.proxy('party.address').write(
                [address.id], {'city': "Esch-sur-Alzette"}, self.context())
        with self.assertRaises(AccessError):
            self.proxy('bank.account.number').write(
                [self.sophie_number], {'number': NEW_IBAN},
                self.context())
        # Nor link its own person to her account to read its IBAN
        marc, = Model.get('party.party').find([('name', '=', "Marc Weber")])
        with self.assertRaises(AccessError):
            self.proxy('bank.account').write([self.sophie_account.id], {
                    'owners': [('add', [marc.id])]}, self.context())
        with self.assertRaises(AccessError):
            self.proxy('party.party').write([marc.id], {
                    'bank_accounts': [('add', [self.sophie_account.id])]},
                self.context())
        set_user(1)
        self.assertEqual(
            self.sophie_as_user().national_id, SOPHIE_ID)
        self.assertEqual(
            [p.id for p in Model.get('bank.account')(
                    self.sophie_account.id).owners], [self.sophie.id])

    def test_hr_cannot_link_another_lycee_account(self):
        """Even allowed to edit the bank accounts on the party form, the HR
        of the LTC cannot add Sophie's account to its own provider"""
        FieldAccess = Model.get('ir.model.field.access')
        Group = Model.get('res.group')
        access = FieldAccess(model='party.party', field='bank_accounts',
            group=Group(self.hr_ltc.groups[0].id), perm_read=True,
            perm_write=True)
        access.save()
        try:
            set_user(self.hr_ltc)
            marc, = Model.get('party.party').find([
                    ('name', '=', "Marc Weber")])
            with self.assertRaises(AccessError):
                self.proxy('party.party').write([marc.id], {
                        'bank_accounts': [
                            ('add', [self.sophie_account.id])]},
                    self.context())
            # Its own provider's accounts stay its to link
            account, = marc.bank_accounts
            self.proxy('party.party').write([marc.id], {
                    'bank_accounts': [('remove', [account.id])]},
                self.context())
            self.proxy('party.party').write([marc.id], {
                    'bank_accounts': [('add', [account.id])]},
                self.context())
        finally:
            set_user(1)
            access.delete()
        self.assertEqual(
            [p.id for p in Model.get('bank.account')(
                    self.sophie_account.id).owners], [self.sophie.id])

    def test_national_id_unique(self):
        "Nobody gives Sophie's national number to another party"
        Party = Model.get('party.party')
        for user, code in [
                (self.hr_ltc, SOPHIE_ID),
                (self.hr_ltc, '1985 1224 4569 0'),
                (self.hr_lam, SOPHIE_ID),
                (self.ministry, SOPHIE_ID),
                (1, SOPHIE_ID)]:
            with self.subTest(user=getattr(user, 'login', user), code=code):
                set_user(user)
                party = Party(name="Sophie's double")
                party.identifiers.new(type='lu_matricule', code=code)
                with self.assertRaises(UserError) as cm:
                    party.save()
                message = cm.exception.message
                self.assertIn("already the number of another person",
                    message)
                self.assertNotIn("Sophie", message)
                self.assertNotIn("Klein", message)
        # Nor to an existing party, be it the HR's own provider
        set_user(self.hr_ltc)
        marc, = Party.find([('name', '=', "Marc Weber")])
        identifier, = [i for i in marc.identifiers
            if i.type == 'lu_matricule']
        with self.assertRaises(UserError) as cm:
            self.proxy('party.identifier').write(
                [identifier.id], {'code': SOPHIE_ID}, self.context())
        self.assertIn("already the number of another person",
            cm.exception.message)
        # Its own check digits are checked too
        party = Party(name="Wrong number")
        party.identifiers.new(type='lu_matricule', code='1985122445691')
        with self.assertRaises(UserError):
            party.save()
        set_user(1)
        self.assertEqual(len(Model.get('party.identifier').find([
                        ('code', '=', SOPHIE_ID)])), 1)

    def test_hr_cannot_touch_another_lycee_qualification(self):
        "The HR of the LTC neither reads nor writes the LAM's diplomas"
        set_user(self.hr_ltc)
        Attachment = Model.get('ir.attachment')
        qualification_id = self.sophie_qualification.id
        attachment_id = self.sophie_attachment.id
        self.assertEqual(Attachment.find([
                    ('resource', '=', f'bts.qualification,{qualification_id}'),
                    ]), [])
        with self.assertRaises(AccessError):
            self.proxy('ir.attachment').read(
                [attachment_id], ['name', 'data'], self.context())
        with self.assertRaises(AccessError):
            self.proxy('ir.attachment').write(
                [attachment_id], {'data': b'forged'}, self.context())
        with self.assertRaises(AccessError):
            self.proxy('ir.attachment').delete(
                [attachment_id], self.context())
        with self.assertRaises(AccessError):
            self.proxy('ir.attachment').create([{
                        'resource': f'bts.qualification,{qualification_id}',
                        'name': 'forged.pdf', 'data': b'%PDF-1.4'}],
                self.context())
        with self.assertRaises(AccessError):
            self.proxy('bts.qualification').read(
                [qualification_id], ['title'], self.context())
        self.assertExportsNothing('ir.attachment', [attachment_id], 'data')
        self.assertExportsNothing(
            'bts.qualification', [qualification_id], 'title')
        with self.assertRaises(AccessError):
            self.proxy('bts.qualification').write(
                [qualification_id], {'clq_level': '8'}, self.context())
        with self.assertRaises(AccessError):
            self.proxy('bts.qualification').create([{
                        'party': self.sophie.id, 'title': "Doctorate",
                        'clq_level': '8', 'registration': 'national'}],
                self.context())
        # Nor move its own attachment onto her qualification
        marc_qualification, = Model.get('bts.qualification').find([
                ('party.name', '=', "Marc Weber")])
        own, = Attachment.find([
                ('resource', '=', str(marc_qualification))])
        with self.assertRaises(AccessError):
            self.proxy('ir.attachment').write([own.id], {
                    'resource': f'bts.qualification,{qualification_id}'},
                self.context())
        set_user(1)
        attachment = Attachment(attachment_id)
        self.assertEqual(attachment.data, b'%PDF-1.4')
        self.assertEqual(
            Model.get('bts.qualification')(qualification_id).clq_level, '7')

    def test_hr_of_the_lycee_changes_its_provider(self):
        "The HR of the LAM keeps Sophie's data up to date"
        set_user(self.hr_lam)
        Attachment = Model.get('ir.attachment')
        sophie = self.sophie_as_user()
        address, = sophie.addresses
        address.city = "Esch-sur-Alzette"
        qualification, = sophie.bts_qualifications
        qualification.registration_reference = None
        sophie.save()
        Attachment(resource=qualification, name='decision.pdf',
            data=b'%PDF-1.4').save()
        self.assertEqual(len(Attachment.find([
                        ('resource', '=', str(qualification))])), 2)

    def test_hr_registers_a_provider(self):
        "The HR of the LTC registers a provider with number and IBAN"
        set_user(self.hr_ltc)
        Party = Model.get('party.party')
        Account = Model.get('bank.account')
        Attachment = Model.get('ir.attachment')
        party = Party(name="Anne Schmit")
        party.identifiers.new(type='lu_matricule', code=NEW_ID)
        address, = party.addresses
        address.city = "Luxembourg"
        party.contact_mechanisms.new(type='email', value='anne@example.com')
        qualification = party.bts_qualifications.new(
            title="Bachelor", clq_level='6', registration='national')
        party.save()
        self.assertEqual(party.bts_lycee.id, self.ltc.id)
        self.assertEqual([x.id for x in party.bts_lycees], [self.ltc.id])
        qualification, = party.bts_qualifications
        Attachment(resource=qualification, name='bachelor.pdf',
            data=b'%PDF-1.4').save()
        account = Account(bank=Model.get('bank')(self.bank.id))
        account.owners.append(Party(party.id))
        account.numbers.new(type='iban', number=NEW_IBAN)
        account.save()
        party = Party(party.id)
        self.assertEqual(party.national_id, NEW_ID)
        self.assertEqual(
            party.bank_accounts[0].numbers[0].number_compact, NEW_IBAN)
        # A second number for the person
        account.numbers.new(type='other', number='CCP 1234')
        account.save()

        # The HR of the LAM reads none of it
        set_user(self.hr_lam)
        other, = Party.find([('name', '=', "Anne Schmit")])
        self.assertIsNone(other.national_id)
        self.assertEqual(list(other.bank_accounts), [])
        self.assertEqual(list(other.bts_qualifications), [])

        # A party registered for another lycée is refused
        set_user(self.hr_ltc)
        with self.assertRaises(AccessError):
            Party(name="Elsewhere", bts_lycee=Model.get('bts.lycee')(
                    self.lam.id)).save()
