# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The printable contract that the provider, the lycée director and the
minister's representative sign (vademecum §II.4)."""
import datetime as dt
import html
import io
import re
import unittest
import zipfile
from decimal import Decimal
from pathlib import Path

from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
)
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction

MINISTRY = "Ministère de l'Enseignement supérieur et de la Recherche"


def odt_text(content):
    "The text of an ODT's content.xml: tags stripped, spaces normalised"
    text = html.unescape(re.sub(r'<[^>]+>', ' ', content))
    return re.sub(r'[\s\u00a0\u202f]+', ' ', text)


def load_translations(module, language):
    "Make language translatable with the module's .po file loaded"
    pool = Pool()
    Lang = pool.get('ir.lang')
    Translation = pool.get('ir.translation')
    lang, = Lang.search([('code', '=', language)])
    lang.translatable = True
    lang.save()
    Translation.translation_import(language, module, str(
            Path(__file__).parent.parent / 'locale' / f'{language}.po'))


class ContractReportTestCase(unittest.TestCase):
    "Report of the contract of an external provider"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_programme'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def create_contract(self):
        "A draft contract of 30 lessons for an external lecturer"
        pool = Pool()
        Party = pool.get('party.party')
        Lycee = pool.get('bts.lycee')
        AcademicYear = pool.get('bts.academic_year')
        Contract = pool.get('bts.contract')
        year, = AcademicYear.create([{'start_date': dt.date(2025, 9, 15)}])
        lycee_party, director, lecturer = Party.create([{
                    'name': "Lycée Technique du Centre",
                    }, {
                    'name': "Director Dupont",
                    }, {
                    'name': "Lecturer Schmit",
                    'identifiers': [('create', [{
                                    'type': 'lu_matricule',
                                    'code': '1980041210026',
                                    }])],
                    'addresses': [('create', [{
                                    'street': "1, rue de la Gare",
                                    'postal_code': "L-1611",
                                    'city': "Luxembourg",
                                    }])],
                    'bts_qualifications': [('create', [{
                                    'title': "Master", 'clq_level': '7',
                                    'registration': 'national',
                                    }])],
                    }])
        lycee, = Lycee.create([{
                    'code': 'LTC', 'party': lycee_party.id,
                    'director': director.id,
                    }])
        # Contracts are signed only on an accredited programme that runs
        # that academic year (law of 21 July 2023, arts. 35, 41)
        programme, course = create_one_course_programme(
            'BTS-INFO', lycee, 500, decision_year=2024)
        contract, = Contract.create([{
                    'party': lecturer.id, 'role': 'external',
                    'programme': programme.id, 'lycee': lycee.id,
                    'academic_year': year.id,
                    'start_date': dt.date(2025, 10, 1),
                    'end_date': year.end_date,
                    'professional_milieu': "Software industry",
                    'provider_signature_date': dt.date(2025, 9, 20),
                    'director_signature_date': dt.date(2025, 9, 22),
                    'minister_signature_date': dt.date(2025, 9, 25),
                    'lines': [('create', [{
                                    'course': course.id,
                                    'semester': year.semesters[0].id,
                                    'quantity': 30,
                                    'qualification': (
                                        lecturer.bts_qualifications[0].id),
                                    }])],
                    }])
        return contract

    def render(self, contract, name="Contract"):
        """Return the content.xml of the contract's report, named name, the
        provider, the programme and the academic year"""
        ContractReport = Pool().get('bts.contract', type='report')
        ext, content, direct_print, filename = ContractReport.execute(
            [contract.id], {})
        self.assertEqual(ext, 'odt')
        self.assertFalse(direct_print)
        self.assertEqual(
            filename, f"{name}-Lecturer Schmit-BTS-INFO-2025-2026")
        with zipfile.ZipFile(io.BytesIO(content)) as odt:
            content = odt.read('content.xml').decode('utf-8')
        self.assertNotIn("RULES.md", content)
        return content

    @with_transaction()
    def test_signed_contract(self):
        "The signed contract shows the parties, the lines, rates and caps"
        Contract = Pool().get('bts.contract')
        contract = self.create_contract()
        Contract.sign([contract])
        self.assertEqual(contract.lines[0].rate_amount, Decimal('12.07'))

        with set_company(create_company(MINISTRY)):
            content = self.render(contract)
        words = odt_text(content)

        for text in [
                "Contract of an external provider — BTS programme",
                "law of 21 July 2023 on higher education",
                "Lecturer Schmit", "1980041210026", "rue de la Gare",
                "Software industry",
                "LTC - Lycée Technique du Centre", "Director Dupont",
                "BTS-INFO", "Computer Science", "2025/2026",
                "C1 - Python", ">30<", ">Yes<", "12.07",
                "252 lessons", "20 lessons per semester",
                "The provider", "The director of the lycée",
                "For the minister", "Scanned signatures are not accepted.",
                ]:
            with self.subTest(text=text):
                self.assertIn(text, content)
        self.assertNotIn("Amendments", content)
        # The number, the period and each signatory with the date signed
        for figure in [
                f"No. {contract.number} — BTS-INFO — 2025/2026 — Version 1",
                "From 01/10/2025 to 14/09/2026",
                "Lecturer Schmit Director Dupont " + MINISTRY,
                "Date: 20/09/2025 Date: 22/09/2025 Date: 25/09/2025"]:
            with self.subTest(figure=figure):
                self.assertIn(figure, words)

    @with_transaction()
    def test_signatures_kept_with_lines(self):
        """No page break between the lines and the signatures: the lines
        table and the paragraphs after it keep with the next"""
        contract = self.create_contract()

        content = self.render(contract)

        for style in ['Lines', 'Body', 'Caps', 'Section']:
            with self.subTest(style=style):
                self.assertRegex(content,
                    f'<style:style style:name="{style}" [^>]*>'
                    '<style:(table|paragraph)-properties [^>]*'
                    'fo:keep-with-next="always"')

    @with_transaction()
    def test_french_contract(self):
        "In French the file is named Contrat and the text is translated"
        Contract = Pool().get('bts.contract')
        load_translations('bts_programme', 'fr')
        contract = self.create_contract()
        Contract.sign([contract])

        with Transaction().set_context(language='fr'):
            words = odt_text(self.render(contract, name="Contrat"))

        for figure in [
                "Contrat de prestataire externe — programme d'études BTS",
                f"N° {contract.number} — BTS-INFO", "Le directeur du lycée",
                "Date : 25/09/2025"]:
            with self.subTest(figure=figure):
                self.assertIn(figure, words)

    @with_transaction()
    def test_draft_contract(self):
        "A draft contract prints without rates"
        contract = self.create_contract()
        self.assertIsNone(contract.lines[0].rate_amount)

        content = self.render(contract)

        self.assertIn("Lecturer Schmit", content)
        self.assertIn(">30<", content)
        self.assertNotIn("12.07", content)
        self.assertNotIn("None", content)

    @with_transaction()
    def test_amended_contract(self):
        "The amendments are listed in their order with their date and reason"
        pool = Pool()
        Contract = pool.get('bts.contract')
        Amendment = pool.get('bts.contract.amendment')
        Attachment = pool.get('ir.attachment')
        contract = self.create_contract()
        Contract.sign([contract])
        Attachment.create([{
                    'name': "diploma.pdf", 'type': 'data', 'data': b'%PDF',
                    'resource': str(q),
                    } for q in contract.party.bts_qualifications])
        Contract.activate([contract])
        line, = contract.lines
        for date, reason, quantity in [
                (dt.date(2025, 11, 10), "More lessons", 36),
                (dt.date(2026, 1, 5), "Fewer lessons", 24)]:
            amendment, = Amendment.create([{
                        'contract': contract.id, 'date': date,
                        'reason': reason,
                        'lines': [('create', [{
                                        'action': 'change',
                                        'contract_line': line.id,
                                        'quantity': quantity,
                                        'qualification': (
                                            line.qualification.id),
                                        }])],
                        }])
            Amendment.apply([amendment])

        words = odt_text(self.render(contract))

        self.assertIn("Version 3", words)
        self.assertIn(" 24 ", words)
        # Each version with the date its parties signed it
        first = words.index("2 Amendment 1 10/11/2025 More lessons")
        second = words.index("3 Amendment 2 05/01/2026 Fewer lessons")
        self.assertLess(words.index("1 Contract 25/09/2025"), first)
        self.assertLess(first, second)
