# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The processing log (art. 32 of the law of 21 July 2023): who created,
changed (old and new values), deleted (what the record held), read,
exported or printed personal data, and when; the changes of access rights
too. Only the auditors and the administrators read it; nobody changes or
deletes it through the server, not even the administrator who grants
itself the rights; the database refuses it too. Entries are purged after
five years, none younger. Every call goes through the RPC layer as the
user of a role."""
import datetime as dt
import json
import unittest

from proteus import Model, Report
from trytond import backend
from trytond.exceptions import UserError
from trytond.model.modelstorage import AccessError
from trytond.modules.bts_programme.processing_log import (
    purge_limit,
    utc_today,
)
from trytond.modules.bts_programme.tests.test_personal_data import (
    NEW_ID,
    SOPHIE_IBAN,
    SOPHIE_ID,
    _bank,
    _person,
    _programme,
    _user,
)
from trytond.modules.bts_programme.tests.tools import (
    create_academic_year,
    create_contract,
    create_lycee,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules, set_user
from trytond.transaction import Transaction


class ProcessingLogTestCase(unittest.TestCase):
    "The processing log of personal data and money records"

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules('bts_programme')
        cls.year = create_academic_year(2025)
        cls.ltc = create_lycee('LTC', "Lycée Technique du Centre")
        cls.cloud = _programme('BTS-CLOUD', cls.ltc)
        cls.bank = _bank()
        cls.sophie, cls.sophie_account = _person(
            "Sophie Klein", SOPHIE_ID, SOPHIE_IBAN, cls.bank)
        cls.contract = create_contract(cls.sophie, cls.cloud, cls.year,
            [('M1.1', 'winter', 20)])
        cls.identifier, = [i.id for i in cls.sophie.identifiers
            if i.type == 'lu_matricule']
        cls.number = cls.sophie_account.numbers[0].id
        cls.hr = _user('rh.ltc', 'group_lycee_hr', cls.ltc)
        cls.other_hr = _user('rh.autre', 'group_lycee_hr', cls.ltc)
        cls.auditor = _user('auditeur', 'group_auditor')
        cls.nobody = _user('nobody')

    @classmethod
    def tearDownClass(cls):
        set_user(1)
        drop_db()

    def tearDown(self):
        set_user(1)

    def proxy(self, model):
        return Model.get(model)._proxy

    def entries(self, **domain):
        "The log entries matching domain, read as root, newest first"
        with Transaction().start(self.config.database_name, 0):
            Log = Pool().get('ir.model.log')
            return [{
                    'user': e.user.login if e.user else None,
                    'event': e.event,
                    'model': e.model,
                    'ids': [int(i) for i in e.record_ids.split(',')],
                    'target': e.target,
                    'names': e.record_names,
                    'old': json.loads(e.old_values or 'null'),
                    'new': json.loads(e.new_values or 'null'),
                    'date': e.create_date,
                    }
                for e in Log.search(
                    [(k, '=', v) for k, v in domain.items()],
                    order=[('id', 'DESC')])]

    def last_id(self):
        with Transaction().start(self.config.database_name, 0):
            Log = Pool().get('ir.model.log')
            logs = Log.search([], order=[('id', 'DESC')], limit=1)
            return logs[0].id if logs else 0

    def test_write_logged_with_old_and_new_values(self):
        "A change by X appears with X's name and the old and new values"
        set_user(self.hr)
        Address = Model.get('party.address')
        address, = Address.find([('party', '=', self.sophie.id)])
        old_city = address.city
        address.city = "Ettelbruck"
        address.save()
        entry = self.entries(model='party.address', event='write')[0]
        self.assertEqual(entry['user'], 'rh.ltc')
        self.assertEqual(entry['ids'], [address.id])
        self.assertEqual(entry['target'], 'city')
        self.assertEqual(entry['old'], {str(address.id): {'city': old_city}})
        self.assertEqual(entry['new'], {'city': "Ettelbruck"})

    def test_write_of_national_id_logged(self):
        "Changing a national number keeps the number it replaced"
        set_user(self.hr)
        self.proxy('party.identifier').write(
            [self.identifier], {'code': NEW_ID}, {})
        entry = self.entries(model='party.identifier', event='write')[0]
        self.assertEqual(entry['user'], 'rh.ltc')
        self.assertEqual(
            entry['old'][str(self.identifier)]['code'], SOPHIE_ID)
        self.assertEqual(entry['new']['code'], NEW_ID)
        self.proxy('party.identifier').write(
            [self.identifier], {'code': SOPHIE_ID}, {})

    def test_create_and_delete_logged(self):
        "A creation names its fields, a deletion what the record held"
        set_user(self.hr)
        Address = Model.get('party.address')
        address = Address(party=self.sophie.id,
            building_name="Résidence Éphémère", city="Esch")
        address.save()
        created = self.entries(model='party.address', event='create')[0]
        self.assertEqual(created['user'], 'rh.ltc')
        self.assertEqual(created['ids'], [address.id])
        self.assertIn("building_name", created["target"].split(","))
        address_id = address.id
        address.delete()
        deleted = self.entries(model='party.address', event='delete')[0]
        self.assertEqual(deleted['user'], 'rh.ltc')
        self.assertEqual(deleted['ids'], [address_id])
        self.assertIn("Esch", deleted['names'])
        held = deleted['old'][str(address_id)]
        self.assertEqual(held["building_name"], "Résidence Éphémère")
        self.assertEqual(held['city'], "Esch")
        self.assertEqual(held['party'], self.sophie.id)

    def test_one_entry_per_call(self):
        "A change of many records is one entry with their ids"
        set_user(self.hr)
        Address = Model.get('party.address')
        addresses = [Address(party=self.sophie.id, building_name=f"Lot {i}")
            for i in range(3)]
        Address.save(addresses)
        ids = sorted(a.id for a in addresses)
        created = self.entries(model='party.address', event='create')[0]
        self.assertEqual(created['ids'], ids)
        self.proxy('party.address').write(ids, {'city': "Diekirch"}, {})
        written = self.entries(model='party.address', event='write')[0]
        self.assertEqual(written['ids'], ids)
        self.assertEqual(sorted(written['old']), sorted(map(str, ids)))
        self.proxy('party.address').delete(ids, {})
        deleted = self.entries(model='party.address', event='delete')[0]
        self.assertEqual(deleted['ids'], ids)

    def test_read_of_national_id_logged(self):
        "A read of a national number by Y appears, one entry per call"
        set_user(self.other_hr)
        before = len(self.entries(model='party.identifier', event='read'))
        self.proxy('party.identifier').read(
            [self.identifier], ['code', 'type'], {})
        reads = self.entries(model='party.identifier', event='read')
        self.assertEqual(len(reads), before + 1)
        self.assertEqual(reads[0]['user'], 'rh.autre')
        self.assertEqual(reads[0]['ids'], [self.identifier])
        self.assertEqual(reads[0]['target'], 'code')
        # The national number of the party, through its function field
        self.proxy('party.party').read([self.sophie.id], ['national_id'], {})
        read, = [e for e in self.entries(model='party.party', event='read')
            if e['user'] == 'rh.autre']
        self.assertEqual(read['ids'], [self.sophie.id])
        self.assertEqual(read['target'], 'national_id')

    def test_read_without_personal_field_not_logged(self):
        "Reading the type of an identifier is not a read of the number"
        set_user(self.other_hr)
        before = self.entries(model='party.identifier', event='read')
        self.proxy('party.identifier').read([self.identifier], ['type'], {})
        self.assertEqual(
            self.entries(model='party.identifier', event='read'), before)

    def test_read_of_iban_logged(self):
        "A read of an IBAN, directly or as the account's name, appears"
        set_user(self.hr)
        self.proxy('bank.account.number').read(
            [self.number], ['number'], {})
        read = self.entries(model='bank.account.number', event='read')[0]
        self.assertEqual((read['user'], read['ids'], read['target']),
            ('rh.ltc', [self.number], 'number'))
        self.proxy('bank.account').read(
            [self.sophie_account.id], ['rec_name'], {})
        read = self.entries(model='bank.account', event='read')[0]
        self.assertEqual((read['user'], read['ids'], read['target']),
            ('rh.ltc', [self.sophie_account.id], 'rec_name'))

    def test_read_of_qualification_document_logged(self):
        "Opening a qualification's document is logged"
        set_user(self.hr)
        Attachment = Model.get('ir.attachment')
        qualification, = self.sophie.bts_qualifications
        attachment, = Attachment.find(
            [('resource', '=', str(qualification))])
        self.proxy('ir.attachment').read([attachment.id], ['data'], {})
        read = self.entries(model='ir.attachment', event='read')[0]
        self.assertEqual((read['user'], read['ids'], read['target']),
            ('rh.ltc', [attachment.id], 'data'))

    def test_export_logged(self):
        "An export names the records and the fields exported"
        set_user(self.hr)
        self.proxy('party.identifier').export_data(
            [self.identifier], ['code', 'party/name'], False, {})
        export = self.entries(model='party.identifier', event='export')[0]
        self.assertEqual((export['user'], export['ids'], export['target']),
            ('rh.ltc', [self.identifier], 'code,party/name'))

    def test_report_logged(self):
        "Printing a contract is logged"
        set_user(1)
        contract = Report('bts.contract')
        contract.execute([Model.get('bts.contract')(self.contract.id)])
        printed = self.entries(model='bts.contract', event='report')[0]
        self.assertEqual((printed['user'], printed['ids'], printed['target']),
            ('admin', [self.contract.id], 'bts.contract'))

    def test_workflow_step_logged(self):
        """A workflow step is logged as the button clicked, the state
        reached and the state written with its former value"""
        set_user(1)
        year = create_academic_year(2026)
        contract = create_contract(self.sophie, self.cloud, year,
            [('M1.1', 'winter', 10)])
        contract.click('cancel')
        button = self.entries(model='bts.contract', event='button')[0]
        self.assertEqual((button['user'], button['ids'], button['target']),
            ('admin', [contract.id], 'cancel'))
        step = self.entries(model='bts.contract', event='transition')[0]
        self.assertEqual((step['ids'], step['target']),
            ([contract.id], 'state:cancelled'))
        written = self.entries(model='bts.contract', event='write')[0]
        self.assertEqual(written['old'], {str(contract.id): {
                    'state': 'draft'}})
        self.assertEqual(written['new'], {'state': 'cancelled'})

    def test_access_changes_logged(self):
        "Changes of groups and access rights are logged with their values"
        set_user(1)
        ModelData = Model.get('ir.model.data')
        auditors = ModelData.get_id('bts_programme', 'group_auditor', {})
        self.proxy('res.user').write([self.nobody.id], {
                'groups': [('add', [auditors])],
                }, {})
        entry = self.entries(model='res.user', event='write')[0]
        self.assertEqual(entry['user'], 'admin')
        self.assertEqual(entry['old'], {str(self.nobody.id): {'groups': []}})
        self.assertEqual(entry['new'], {'groups': [['add', [auditors]]]})
        link = self.entries(model='res.user-res.group', event='create')[0]
        self.assertEqual(link['user'], 'admin')
        self.proxy('res.user').write([self.nobody.id], {
                'groups': [('remove', [auditors])],
                }, {})
        Access = Model.get('ir.model.access')
        access = Access(model='bts.rate', perm_read=True)
        access.save()
        created = self.entries(model='ir.model.access', event='create')[0]
        self.assertEqual(created['ids'], [access.id])
        access.perm_write = True
        access.save()
        written = self.entries(model='ir.model.access', event='write')[0]
        self.assertEqual(written['old'][str(access.id)]['perm_write'], False)
        self.assertEqual(written['new'], {'perm_write': True})
        access.delete()
        self.assertEqual(
            self.entries(model='ir.model.access', event='delete')[0]['ids'],
            [access.id])

    def test_passwords_not_logged(self):
        "A password change is logged without the password"
        set_user(1)
        self.proxy('res.user').write(
            [self.nobody.id], {'password': 'Secret-0123456789'}, {})
        entry = self.entries(model='res.user', event='write')[0]
        self.assertNotIn('Secret-0123456789', json.dumps(entry['new']))
        self.assertNotIn('Secret-0123456789', json.dumps(entry['old']))

    def test_only_auditors_and_admin_read(self):
        "The log is read by the auditors and the administrators only"
        set_user(self.hr)
        self.proxy('party.identifier').read(
            [self.identifier], ['code'], {})
        Log = Model.get('ir.model.log')
        for user in [self.hr, self.nobody]:
            with self.subTest(user=user.login):
                set_user(user)
                self.assertEqual(Log.find([]), [])
                with self.assertRaises(AccessError):
                    self.proxy('ir.model.log').read(
                        [self.last_id()], ['event'], {})
        for user in [self.auditor, 1]:
            with self.subTest(user=user):
                set_user(user)
                self.assertTrue(Log.find([('event', '=', 'read')]))

    def test_admin_cannot_change_the_log(self):
        """Admin cannot remove or change an entry by any route the server
        offers, not even after granting itself the rights (a change that
        is itself logged)"""
        set_user(self.hr)
        self.proxy('party.identifier').read([self.identifier], ['code'], {})
        entry_id = self.last_id()
        set_user(1)
        Access = Model.get('ir.model.access')
        ModelData = Model.get('ir.model.data')
        admins = Model.get('res.group')(
            ModelData.get_id('res', 'group_admin', {}))
        access = Access(model='ir.model.log', group=admins, perm_read=True,
            perm_write=True, perm_create=True, perm_delete=True)
        access.save()
        granted = self.entries(model='ir.model.access', event='create')[0]
        self.assertEqual(
            (granted['user'], granted['ids']), ('admin', [access.id]))
        log = self.proxy('ir.model.log')
        for call in [
                lambda: log.write([entry_id], {'target': 'type'}, {}),
                lambda: log.delete([entry_id], {}),
                lambda: log.copy([entry_id], {}, {}),
                lambda: log.create([{'event': 'read', 'user': 1,
                            'model': 'party.party', 'record_ids': '1'}], {}),
                lambda: Model.get('ir.model.log')(entry_id).delete(),
                ]:
            with self.subTest(call=call), self.assertRaises(UserError) as cm:
                call()
            self.assertIn("art. 32", cm.exception.message)
        entry, = [e for e in self.entries(event='read') if e['ids'] == [
                self.identifier] and e['user'] == 'rh.ltc'][:1]
        self.assertEqual(entry['target'], 'code')
        access.delete()

    def test_database_refuses_changes(self):
        """The database itself refuses to change or delete an entry younger
        than five years, on SQLite as on PostgreSQL"""
        set_user(self.hr)
        self.proxy('party.identifier').read([self.identifier], ['code'], {})
        entry_id = self.last_id()
        for statement in [
                'UPDATE ir_model_log SET target = NULL WHERE id = %s',
                'DELETE FROM ir_model_log WHERE id = %s',
                ]:
            with self.subTest(statement=statement), \
                    Transaction().start(
                        self.config.database_name, 0) as transaction:
                cursor = transaction.connection.cursor()
                if backend.name == 'sqlite':
                    statement = statement.replace('%s', '?')
                with self.assertRaises(backend.DatabaseIntegrityError):
                    cursor.execute(statement, (entry_id,))
                transaction.rollback()
        self.assertTrue(self.entries(target='code'))

    def test_purge_limit(self):
        "An entry of 3 November 2025 is kept until 3 November 2030"
        self.assertEqual(purge_limit(dt.date(2030, 11, 3)),
            dt.datetime(2025, 11, 3))
        self.assertEqual(purge_limit(dt.date(2030, 11, 4)),
            dt.datetime(2025, 11, 4))
        self.assertEqual(purge_limit(dt.date(2028, 2, 29)),
            dt.datetime(2023, 2, 28))

    def insert_dated(self, dates):
        "Insert an entry at each of dates, return their ids by date"
        ids = {}
        with Transaction().start(
                self.config.database_name, 0) as transaction:
            Log = Pool().get('ir.model.log')
            table = Log.__table__()
            cursor = transaction.connection.cursor()
            for date in dates:
                cursor.execute(*table.insert(
                        [table.create_uid, table.create_date, table.user,
                            table.event, table.model, table.record_ids],
                        [[0, date, 0, 'read', 'purge.test', '1']]))
                cursor.execute(*table.select(table.id,
                        where=table.create_date == date))
                ids[date], = cursor.fetchone()
        return ids

    def remaining(self, ids):
        with Transaction().start(self.config.database_name, 0):
            Log = Pool().get('ir.model.log')
            return {d for d, i in ids.items() if Log.search([('id', '=', i)])}

    def purge(self, date=None):
        with Transaction().start(
                self.config.database_name, 0) as transaction:
            Pool().get('ir.model.log').purge_processing_log(date)
            transaction.commit()

    def test_purge_at_a_date(self):
        """The purge at a date removes the entries older than five years at
        that date, none younger (both sides of the limit)"""
        date = utc_today() - dt.timedelta(days=400)
        limit = purge_limit(date)
        ids = self.insert_dated([
                limit - dt.timedelta(days=1),
                limit - dt.timedelta(microseconds=1),
                limit,
                limit + dt.timedelta(hours=15),
                ])
        self.purge(date)
        self.assertEqual(self.remaining(ids),
            {limit, limit + dt.timedelta(hours=15)})

    def test_purge_today(self):
        """The scheduled purge removes the entries of more than five years,
        keeps the entry of five years ago today; the database lets it"""
        limit = purge_limit(utc_today())
        ids = self.insert_dated([
                limit - dt.timedelta(days=1),
                limit,
                limit + dt.timedelta(days=1),
                ])
        self.purge()
        self.assertEqual(self.remaining(ids),
            {limit, limit + dt.timedelta(days=1)})
        # A date in the future purges no more than today
        self.purge(utc_today() + dt.timedelta(days=3650))
        self.assertEqual(self.remaining(ids),
            {limit, limit + dt.timedelta(days=1)})
        with Transaction().start(self.config.database_name, 0):
            Cron = Pool().get('ir.cron')
            self.assertTrue(Cron.search([
                        ('method', '=',
                            'ir.model.log|purge_processing_log'),
                        ]))
