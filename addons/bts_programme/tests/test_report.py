# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The printable contract that the provider, the lycée director and the
minister's representative sign (vademecum §II.4)."""
import datetime as dt
import io
import unittest
import zipfile
from decimal import Decimal

from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)


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

    def render(self, contract):
        "Return the content.xml of the contract's report"
        ContractReport = Pool().get('bts.contract', type='report')
        ext, content, direct_print, name = ContractReport.execute(
            [contract.id], {})
        self.assertEqual(ext, 'odt')
        self.assertFalse(direct_print)
        self.assertIn("Contract", name)
        with zipfile.ZipFile(io.BytesIO(content)) as odt:
            return odt.read('content.xml').decode('utf-8')

    @with_transaction()
    def test_signed_contract(self):
        "The signed contract shows the parties, the lines, rates and caps"
        Contract = Pool().get('bts.contract')
        contract = self.create_contract()
        Contract.sign([contract])
        self.assertEqual(contract.lines[0].rate_amount, Decimal('12.07'))

        content = self.render(contract)

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

        content = self.render(contract)

        self.assertIn("Version 3", content)
        self.assertIn(">24<", content)
        first = content.index("Amendment 1 of")
        second = content.index("Amendment 2 of")
        self.assertLess(first, second)
        self.assertIn("More lessons", content[first:second])
        self.assertIn("Fewer lessons", content[second:])
