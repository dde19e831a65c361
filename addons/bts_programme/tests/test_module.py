# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from trytond.modules.bts_programme.exceptions import (
    AcademicYearError,
    NationalIdentifierError,
    WageIndexError,
)
from trytond.modules.bts_programme.party import (
    compact_matricule,
    is_valid_matricule,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class BtsProgrammeTestCase(ModuleTestCase):
    "Test BTS Programme module"
    module = 'bts_programme'

    @with_transaction()
    def test_wage_index_oracles(self):
        "The index oracles of RULES.md §H.1 and §D.2 at 775.17"
        WageIndex = Pool().get('bts.wage_index')
        date = dt.date(2015, 1, 1)
        self.assertEqual(WageIndex.get_index(date), Decimal('775.17'))
        for rate, euros in [
                ('2.00', '15.50'), ('20.86', '161.70'), ('18.75', '145.34'),
                ('12.07', '93.56'), ('10.07', '78.06'), ('7.68', '59.53'),
                ('6.28', '48.68'), ('18.511', '143.49'), ('50', '387.59'),
                ('45', '348.83')]:
            with self.subTest(rate=rate):
                self.assertEqual(
                    WageIndex.to_euros(Decimal(rate), date), Decimal(euros))
        self.assertEqual(
            5 * WageIndex.to_euros(Decimal('18.75'), date), Decimal('726.70'))

    @with_transaction()
    def test_wage_index_refuses_float(self):
        "Money is computed with Decimal only (RULES.md §K.1)"
        WageIndex = Pool().get('bts.wage_index')
        with self.assertRaises(TypeError):
            WageIndex.to_euros(2.0, dt.date(2015, 1, 1))

    @with_transaction()
    def test_wage_index_boundaries(self):
        "The index in force is the one of the service date (RULES.md §K.15)"
        WageIndex = Pool().get('bts.wage_index')
        self.assertEqual(
            WageIndex.get_index(dt.date(2025, 4, 30)), Decimal('944.43'))
        self.assertEqual(
            WageIndex.get_index(dt.date(2025, 5, 1)), Decimal('968.04'))
        with self.assertRaises(WageIndexError):
            WageIndex.get_index(dt.date(2013, 9, 30))

    @with_transaction()
    def test_academic_year_find(self):
        "A date belongs to the academic year 15 Sept - 14 Sept (art. 1, 4°)"
        pool = Pool()
        AcademicYear = pool.get('bts.academic_year')
        Semester = pool.get('bts.semester')
        year, = AcademicYear.create([{'start_date': dt.date(2025, 9, 15)}])
        self.assertEqual(year.name, '2025/2026')
        self.assertEqual(year.end_date, dt.date(2026, 9, 14))
        self.assertEqual(AcademicYear.find(dt.date(2026, 9, 14)), year)
        self.assertEqual(AcademicYear.find(dt.date(2025, 9, 15)), year)
        with self.assertRaises(AcademicYearError):
            AcademicYear.find(dt.date(2026, 9, 15))
        self.assertEqual(Semester.find(dt.date(2026, 2, 14)).kind, 'winter')
        self.assertEqual(Semester.find(dt.date(2026, 2, 15)).kind, 'summer')

    def test_national_identification_number(self):
        "Luxembourg matricule: birth date, sequence, Luhn and Verhoeff"
        self.assertTrue(is_valid_matricule('1980041210026'))
        self.assertTrue(is_valid_matricule('1980 0412 100 26'))
        # the digits of other scripts: full-width, Arabic-Indic
        self.assertTrue(is_valid_matricule('１９８００４１２１００２６'))
        self.assertTrue(is_valid_matricule('١٩٨٠٠٤١٢١٠٠٢٦'))
        self.assertEqual(
            compact_matricule('١٩٨٠ ٠٤١٢ ١٠٠ ٢٦'), '1980041210026')
        # wrong Verhoeff digit, wrong Luhn digit, 31 December written 13/31
        # with right check digits, too short, not digits, superscripts
        for code in ['1980041210027', '1980041210036', '1980133110086',
                '198004121002', 'abcdefghijklm', '1980041210²26',
                '１９８００４１２１００２７']:
            with self.subTest(code=code):
                self.assertFalse(is_valid_matricule(code))

    @with_transaction()
    def test_national_identifier_refused(self):
        "A wrong national identification number is refused on entry"
        Party = Pool().get('party.party')
        party, = Party.create([{'name': "Anne", 'identifiers': [('create', [{
                                'type': 'lu_matricule',
                                'code': '1980041210026'}])]}])
        self.assertEqual(party.national_id, '1980041210026')
        with self.assertRaises(NationalIdentifierError):
            Party.create([{'name': "Bob", 'identifiers': [('create', [{
                                'type': 'lu_matricule',
                                'code': '1980041210027'}])]}])
        # Digits of another script are stored as ASCII digits
        party, = Party.create([{'name': "Carl", 'identifiers': [('create', [{
                                'type': 'lu_matricule',
                                'code': '١٩٨٠٠٤١٢١٠١٠٠'}])]}])
        self.assertEqual(party.national_id, '1980041210100')


del ModuleTestCase
