# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Retention (law of 21 July 2023, art. 33(2)): a person's data are kept
five years beyond the later of the end of their last academic year and
their last payment, then pseudonymised; the dry run changes nothing, a
second run does nothing, a payment still due keeps the person, and only
the ministry's administration (or the cron) runs it."""
import datetime as dt
import unittest

from proteus import Model, Wizard
from trytond.model.modelstorage import AccessError
from trytond.modules.bts_programme.tests.tools import (
    create_academic_year,
    create_contract,
    create_lycee,
    create_provider,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules, set_user
from trytond.transaction import Transaction

from .tools import (
    active_contract,
    approve,
    complete_party,
    create_programme,
    lessons,
    setup_ministry,
    step_user,
)

# 2025/26 ends on 14 September 2026: kept until 14 September 2031
YEAR_END = dt.date(2026, 9, 14)
KEPT_UNTIL = dt.date(2031, 9, 14)
# Sophie's last payment, after the end of the year: kept until 15 Oct 2031
LATE_PAYMENT = dt.date(2026, 10, 15)
# Luc's last payment, before the end of the year: the year wins
EARLY_PAYMENT = dt.date(2026, 3, 31)


class RetentionTestCase(unittest.TestCase):
    "Who is pseudonymised when, what goes and what stays"

    @classmethod
    def setUpClass(cls):
        drop_db()
        cls.config = activate_modules('bts_indemnity')
        setup_ministry(2025)
        year = create_academic_year(2025)
        cls.lycee = create_lycee('LTC', "Lycée Technique du Centre")
        programme = create_programme('CLOUD', cls.lycee)
        # Anne: a contract of 2025/26, never paid
        cls.anne = complete_party(create_provider("Anne Schmit", [dict(
                        title="Master in Cloud Computing", clq_level='7',
                        registration='national')]), 3)
        cls.anne_contract = create_contract(
            cls.anne, programme, year, [('M1.1', 'winter', 10)])
        cls.anne_contract.professional_milieu = "Banque de Luxembourg"
        cls.anne_contract.save()
        # Luc paid in March 2026, Sophie in October 2026
        luc = active_contract("Luc Muller", 2, programme, year, 'M1.1', 10)
        cls.luc = luc.party
        approve(lessons(luc, dt.date(2025, 10, 6), 'M1.1', 2))
        cls.pay(EARLY_PAYMENT)
        sophie = active_contract(
            "Sophie Klein", 1, programme, year, 'M1.1', 10)
        cls.sophie = sophie.party
        approve(lessons(sophie, dt.date(2025, 10, 7), 'M1.1', 2))
        cls.pay(LATE_PAYMENT)

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @staticmethod
    def pay(date):
        "Post a run paying every approved line of October 2025 on date"
        Run = Model.get('bts.payment.run')
        run = Run(start_date=dt.date(2025, 10, 1),
            end_date=dt.date(2025, 10, 31), date=date)
        run.save()
        run.click('compute')
        run.click('post')

    @staticmethod
    def due(date):
        "The dry run on date: {party id: line}"
        # Committed: what the dry run would write stays
        with Transaction().start(DB_NAME, 0):
            Retention = Pool().get('bts.retention')
            return {line['party']: line for line in Retention.preview(date)}

    def test_dry_run(self):
        "Each limit on both sides; the later end point wins; nothing changes"
        on_limit = self.due(KEPT_UNTIL)
        self.assertNotIn(self.anne.id, on_limit)
        self.assertNotIn(self.luc.id, on_limit)

        day_after = self.due(KEPT_UNTIL + dt.timedelta(days=1))
        self.assertEqual(day_after[self.anne.id], {
                'party': self.anne.id,
                'end_point': YEAR_END,
                'source': 'academic_year',
                'keep_until': KEPT_UNTIL,
                'refusal': None,
                })
        # Paid before the end of the year: the year's end is the end point
        luc = day_after[self.luc.id]
        self.assertEqual((luc['end_point'], luc['source']),
            (YEAR_END, 'academic_year'))
        # His payment is still due (the run's payable, its payments not
        # processed): the erase refuses him
        self.assertIn("Luc Muller", luc['refusal'])
        # An old contract but a recent payment: kept
        self.assertNotIn(self.sophie.id, day_after)
        self.assertNotIn(self.sophie.id, self.due(dt.date(2031, 10, 15)))
        sophie = self.due(dt.date(2031, 10, 16))[self.sophie.id]
        self.assertEqual(
            (sophie['end_point'], sophie['source'], sophie['keep_until']),
            (LATE_PAYMENT, 'payment', dt.date(2031, 10, 15)))
        # The ministry, the bank and the lycée's director hold no end point
        self.assertEqual(set(self.due(dt.date(2040, 1, 1))),
            {self.anne.id, self.luc.id, self.sophie.id})

        # The dry run wrote nothing
        Party = Model.get('party.party')
        self.assertEqual(Party(self.anne.id).name, "Anne Schmit")
        self.assertEqual(Model.get('bts.retention').find([]), [])

    def test_pseudonymise(self):
        "What goes, what stays, and a second run does nothing"
        Party = Model.get('party.party')
        Attachment = Model.get('ir.attachment')
        Contract = Model.get('bts.contract')
        Number = Model.get('bank.account.number')
        qualification, = self.anne.bts_qualifications
        self.assertTrue(Attachment.find(
                [('resource', '=', str(qualification))]))
        date = KEPT_UNTIL + dt.timedelta(days=1)
        with Transaction().start(DB_NAME, 0) as transaction:
            Retention = Pool().get('bts.retention')
            record, = Retention.pseudonymise(date)
            self.assertEqual(record.party.id, self.anne.id)
            self.assertEqual(
                (record.date, record.end_point, record.keep_until,
                    record.source),
                (date, YEAR_END, KEPT_UNTIL, 'academic_year'))
            pseudonym = record.pseudonym
            # The second run finds nothing left to do
            self.assertEqual(Retention.pseudonymise(date), [])
            transaction.commit()

        with self.config.set_context(active_test=False):
            anne = Party(self.anne.id)
            self.assertFalse(anne.active)
            self.assertEqual(anne.name, f"Person {anne.code}")
            self.assertEqual(pseudonym, anne.name)
            identifier, = anne.identifiers
            self.assertEqual(identifier.code, '****')
            address, = anne.addresses
            self.assertEqual(
                (address.street_name, address.city), (None, None))
            qualification, = anne.bts_qualifications
            self.assertEqual(qualification.title, '****')
            self.assertEqual(Attachment.find(
                    [('resource', '=', str(qualification))]), [])
            number, = Number.find([('account.owners', '=', anne.id)])
            self.assertEqual(number.number, '****')
            # The contract stays, with its lessons, without the milieu
            contract = Contract(self.anne_contract.id)
            self.assertEqual(contract.party.id, anne.id)
            self.assertEqual(contract.quantity, 10)
            self.assertIsNone(contract.professional_milieu)
        with Transaction().start(DB_NAME, 0, readonly=True):
            identifier = Pool().get('party.identifier')(identifier.id)
            self.assertEqual(identifier.code_compact, '****')
        # Refused by the erase: Luc is left as he was
        self.assertEqual(Party(self.luc.id).name, "Luc Muller")

    def test_rpc_access(self):
        "Only the ministry's administration runs it; nobody writes a record"
        hr = step_user('rh.ltc', [('bts_programme', 'group_lycee_hr')],
            self.lycee)
        admin = step_user(
            'ministere.admin', [('bts_programme', 'group_ministry_admin')])
        auditor = step_user(
            'auditeur', [('bts_programme', 'group_auditor')])
        user = self.config.user
        try:
            set_user(hr)
            with self.assertRaises(AccessError):
                Wizard('bts.retention.run')
            with self.assertRaises(AccessError):
                Model.get('bts.retention').find([])
            with self.assertRaises(AccessError):
                Model.get('bts.retention')(party=self.anne.id).save()

            set_user(auditor)
            Model.get('bts.retention').find([])
            with self.assertRaises(AccessError):
                Wizard('bts.retention.run')

            # Today (the persons of 2025/26 are not due yet): the dry run
            # lists no one and the run does nothing
            set_user(admin)
            run = Wizard('bts.retention.run')
            self.assertEqual(len(run.form.lines), 0)
            run.execute('pseudonymise')
            with self.assertRaises(AccessError):
                Model.get('bts.retention')(party=self.anne.id).save()
            # The job's methods are not exposed to RPC, not even to it
            for method in ['pseudonymise', 'preview', 'due']:
                with self.assertRaises(TypeError):
                    getattr(Model.get('bts.retention')._proxy, method)(
                        {})
        finally:
            set_user(user)
