# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The documents people sign or file, printed in French as the ministry and
the lycées work: the declaration the lycée director countersigns, the
summary of a payment run and the annual statement of a beneficiary. Each
is named after what it is about, carries the ministry's letterhead and
shows its figures as they are filed: dates as dd/mm/yyyy, amounts in
euros."""
import datetime as dt
import html
import io
import re
import unittest
import zipfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from proteus import Model, Report
from proteus.config import get_config
from trytond.modules.bts_programme.tests.tools import (
    create_academic_year,
    create_lycee,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction

from .test_act_amounts import _act, _body, _programme
from .tools import MINISTRY, approve, ministry_and_contract, step_user

ADDONS = Path(__file__).resolve().parent.parent.parent


def load_french():
    "Make French translatable with the .po files of the BTS modules loaded"
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        lang, = Lang.search([('code', '=', 'fr')])
        lang.translatable = True
        lang.save()
        for module in ['bts_programme', 'bts_indemnity']:
            Translation.translation_import('fr', module,
                str(ADDONS / module / 'locale' / 'fr.po'))
        transaction.commit()


def odt_text(content):
    """The text of an ODT, its letterhead (styles.xml) first: tags stripped,
    spaces normalised"""
    with zipfile.ZipFile(io.BytesIO(content)) as odt:
        xml = ' '.join(odt.read(f).decode('utf-8')
            for f in ['styles.xml', 'content.xml'])
    text = html.unescape(re.sub(r'<[^>]+>', ' ', xml))
    return re.sub(r'[\s\u00a0\u202f]+', ' ', text)


def euros(amount):
    "The amount as the French documents write it: 1 234,50 €"
    return f"{amount:,.2f} €".replace(',', ' ').replace('.', ',')


def day(value):
    return value.strftime('%d/%m/%Y')


class DocumentsTestCase(unittest.TestCase):
    "The printed declaration, payment run summary and annual statement"

    @classmethod
    def setUpClass(cls):
        drop_db()
        cls.config = activate_modules('bts_indemnity')
        contract = ministry_and_contract(40)
        ministry, = Model.get('party.party').find([('name', '=', MINISTRY)])
        # The ministry's address as in the demo
        address, = ministry.addresses
        address.street_name = "Route d'Esch"
        address.building_number = "18-20"
        address.postal_code = '1470'
        ministry.save()
        lycee = Model.get('bts.lycee')(contract.lycee.id)
        lycee.director = Model.get('party.party')(name="Jean Wagner")
        lycee.director.save()
        lycee.save()
        load_french()
        User = Model.get('res.user')
        Lang = Model.get('ir.lang')
        admin = User(cls.config.user)
        admin.language, = Lang.find([('code', '=', 'fr')])
        admin.save()
        cls.config._context = User.get_preferences(True, {})

        cls.declaration = cls.declare(contract, [
                (dt.date(2025, 10, 6), 3), (dt.date(2025, 10, 13), 2)])
        cls.payment_run = cls.pay(dt.date(2025, 10, 1), dt.date(2025, 10, 31))
        cls.declaration.reload()

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @classmethod
    def declare(cls, contract, lines):
        "An approved declaration of the lessons of M1.1 on each day"
        Declaration = Model.get('bts.declaration')
        Course = Model.get('bts.programme.course')
        course, = Course.find([
                ('programme', '=', contract.programme.id),
                ('code', '=', 'M1.1')])
        declaration = Declaration(kind='lessons', contract=contract,
            lycee=contract.lycee, month=lines[0][0].replace(day=1))
        for date, quantity in lines:
            declaration.lines.new(
                date=date, course=course, quantity=Decimal(quantity))
        declaration.save()
        return approve(declaration)

    @classmethod
    def pay(cls, start, end):
        """A run of the period posted by admin, its payments approved by the
        ordonnateur and processed by the accountant"""
        Run = Model.get('bts.payment.run')
        run = Run(start_date=start, end_date=end,
            date=end + dt.timedelta(days=5))
        run.save()
        run.click('compute')
        run.click('post')
        for login, groups, button in [
                ('ordonnateur', [
                        ('bts_programme', 'group_ministry_finance'),
                        ('bts_indemnity', 'group_payment_approval')],
                    'approve_payments'),
                ('comptable', [('bts_programme', 'group_accountant')],
                    'process_payments')]:
            with cls.as_user(step_user(login, groups)):
                Run(run.id).click(button)
        run.reload()
        return run

    @classmethod
    @contextmanager
    def as_user(cls, user):
        "Call the server as user, in the user's language"
        config = get_config()
        saved = config.user, config._context
        config.user = user.id
        config._context = Model.get('res.user').get_preferences(True, {})
        try:
            yield
        finally:
            config.user, config._context = saved

    def render(self, report, records, data=None):
        """Return the file name and the text of the ODT report on records:
        the tags of content.xml and styles.xml (the letterhead) stripped"""
        ext, content, _, name = Report(report).execute(records, data)
        self.assertEqual(ext, 'odt')
        text = odt_text(content)
        self.assertNotIn("RULES.md", text)
        return name, text

    def assertFigures(self, text, figures):
        for figure in figures:
            with self.subTest(figure=figure):
                self.assertIn(figure, text)

    def test_declaration(self):
        """The declaration names the lycée, the provider, the programme and
        the month, lists the lines with their amounts and total, who
        submitted and countersigned it, and the director's signature"""
        declaration = self.declaration
        line1, line2 = declaration.lines

        name, text = self.render('bts.declaration', [declaration])

        self.assertEqual(name, "Déclaration-Sophie Klein-2025-10")
        self.assertFigures(text, [
                MINISTRY, "18-20, Route d'Esch", "L-1470 LUXEMBOURG",
                "Lycée Technique du Centre", "Jean Wagner", "Sophie Klein",
                "CLOUD", "10/2025",
                f"06/10/2025 {line1.course.rec_name} 3 "
                f"{euros(line1.euro_rate)} {euros(line1.amount)}",
                f"13/10/2025 {line2.course.rec_name} 2 ",
                f"Total 5 {euros(declaration.amount)}",
                f"Administrator {day(declaration.submitted_on)}",
                f"countersigner {day(declaration.countersigned_on)}",
                "Déclarée par le lycée Le directeur du lycée "
                "Administrator Jean Wagner "
                f"Date : {day(declaration.submitted_on)} "
                f"Date : {day(declaration.countersigned_on)}",
                "Signature",
                ])
        self.assertEqual(
            declaration.amount, line1.amount + line2.amount)

    def test_declaration_as_director(self):
        """The director who countersigns prints it, in English here, with
        the ministry's letterhead the lycée's users cannot read otherwise"""
        director, = Model.get('res.user').find(
            [('login', '=', 'countersigner')])
        with self.as_user(director):
            name, text = self.render('bts.declaration', [self.declaration])

        self.assertEqual(name, "Declaration-Sophie Klein-2025-10")
        self.assertFigures(text, [MINISTRY, "Declaration of indemnities",
                "Declared by the lycée The director of the lycée "
                "Administrator Jean Wagner"])

    def test_payment_run(self):
        """The summary of a run: number, period and months covered, the
        beneficiaries, the totals per kind and budget article, the grand
        total, and who posted, approved and processed it, when"""
        run = self.payment_run
        beneficiary, = run.beneficiaries

        name, text = self.render('bts.payment.run', [run])

        self.assertEqual(
            name, f"Récapitulatif du lot de paiement-{run.number}")
        self.assertFigures(text, [
                MINISTRY, f"Lot de paiement {run.number}",
                "Du 01/10/2025 au 31/10/2025", "10/2025", "05/11/2025",
                f"Sophie Klein {beneficiary.national_id}",
                f"LTC 5 {euros(run.amount)}",
                f"Leçons 11.0.12.010 5 {euros(run.amount)}",
                f"Total général {euros(run.amount)}",
                f"ordonnateur {day(run.payments_approved_on)}",
                f"comptable {day(run.processed_on)}",
                "Signature",
                ])
        self.assertEqual(run.amount, self.declaration.amount)

    def test_statement(self):
        """The annual statement of a beneficiary on the ministry's
        letterhead: the lines paid, the total, the issue date and the
        ministry's signature"""
        Party = Model.get('party.party')
        AcademicYear = Model.get('bts.academic_year')
        party, = Party.find([('name', '=', "Sophie Klein")])
        year, = AcademicYear.find([])
        today = dt.date.today()

        name, text = self.render('bts.indemnity.statement', [party], {
                'model': 'party.party', 'ids': [party.id],
                'academic_year': year.id})

        self.assertEqual(name, "Relevé annuel des indemnités-Sophie Klein")
        self.assertFigures(text, [
                MINISTRY, "18-20, Route d'Esch", "L-1470 LUXEMBOURG",
                "Relevé annuel des indemnités", "Sophie Klein",
                "06/10/2025 LTC", "13/10/2025 LTC", self.payment_run.number,
                f"Total 5 {euros(self.declaration.amount)}",
                f"Émis le {day(today)}",
                f"Pour le ministre {MINISTRY}",
                "Signature",
                ])


class ActDeclarationDocumentTestCase(unittest.TestCase):
    """The printed declaration of Annex E acts, when bts_jury is activated:
    the act in place of the course, the hours with their decimals"""

    @classmethod
    def setUpClass(cls):
        drop_db()
        cls.config = activate_modules(['bts_indemnity', 'bts_jury'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def test_act_declaration(self):
        "Half an hour of E6 of a member of the admission commission"
        lycee = create_lycee('LTC', "Lycée Technique du Centre")
        year = create_academic_year(2025)
        _, members = _body('admission', year, [
                ("Adm Commissioner", 'government_commissioner'),
                ("Adm Direction", 'direction')] + [
                (f"Adm Teacher {i}", 'teacher') for i in range(1, 4)],
            programme=_programme('CLOUD', lycee))
        submission = Model.get('bts.declaration.submission')(
            body=members["Adm Teacher 1"].body, lycee=lycee,
            month=dt.date(2025, 10, 1))
        submission.save()
        act = _act('E6')
        declaration = Model.get('bts.declaration')(kind='acts',
            member=members["Adm Teacher 1"], lycee=lycee,
            month=submission.month, submission=submission)
        declaration.lines.new(
            date=dt.date(2025, 10, 13), act=act, quantity=Decimal('0.5'))
        declaration.save()
        submission.click('submit')
        declaration.reload()
        self.assertEqual(declaration.amount, Decimal('56.83'))

        _, content, _, name = Report('bts.declaration').execute(
            [declaration])

        self.assertEqual(name, "Declaration-Adm Teacher 1-2025-10")
        text = odt_text(content)
        for figure in [
                "Provider Adm Teacher 1", "Programme CLOUD - CLOUD",
                f"13/10/2025 {act.rec_name} 0.50 113.65 € 56.83 €",
                "Total 0.50 56.83 €"]:
            with self.subTest(figure=figure):
                self.assertIn(figure, text)
        self.assertNotIn("RULES.md", text)
