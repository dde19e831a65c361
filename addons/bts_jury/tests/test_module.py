# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

SERVICE = dt.date(2015, 6, 1)  # index 775.17


class BtsJuryTestCase(ModuleTestCase):
    "Test BTS Jury module"
    module = 'bts_jury'

    def euros(self, code, quantity):
        """Quantity units of the act at index 775.17, rounded per unit then
        on the line, by the wage index's one function"""
        pool = Pool()
        Act = pool.get('bts.jury.act')
        WageIndex = pool.get('bts.wage_index')
        act, = Act.search([('code', '=', code)])
        _, _, amount = WageIndex.line_amount(act.amount, quantity, SERVICE)
        return amount

    @with_transaction()
    def test_correction_bands(self):
        "Written-test corrections: ≤ 2 h, ≤ 3 h, > 3 h (RULES.md §K.5)"
        Act = Pool().get('bts.jury.act')
        date = dt.date(2025, 10, 1)
        for hours, code, amount in [
                (1, 'E3', '0.76'), (2, 'E3', '0.76'), (Decimal('2.5'), 'E4',
                    '0.85'), (3, 'E4', '0.85'), (4, 'E5', '0.90')]:
            with self.subTest(hours=hours):
                act = Act.correction_act(hours, date)
                self.assertEqual(
                    (act.code, act.amount), (code, Decimal(amount)))

    @with_transaction()
    def test_annex_e_amounts(self):
        "The Annex E computations of RULES.md §H.7 at index 775.17"
        admission = (self.euros('E1', 2) + self.euros('E2', 3)
            + self.euros('E4', 25) + self.euros('E6', 4)
            + self.euros('E7', 1))
        self.assertEqual(admission, Decimal('754.86'))
        for code, euros in [('E3', '235.60'), ('E4', '263.60'),
                ('E5', '279.20')]:
            self.assertEqual(self.euros(code, 40), Decimal(euros))
        vae = self.euros('E8', 1) + self.euros('E9', 1) + self.euros('E10', 1)
        self.assertEqual((vae, 5 * vae), (Decimal('296.96'),
                Decimal('1484.80')))
        self.assertEqual(self.euros('E12', 2), Decimal('333.64'))
        self.assertEqual(self.euros('E11', 2), Decimal('121.24'))
        self.assertEqual(self.euros('E14', 3), Decimal('818.34'))
        self.assertEqual(self.euros('E13', 3), Decimal('273.00'))
        self.assertEqual(self.euros('E16', 4), Decimal('242.48'))
        self.assertEqual(
            self.euros('E17', 1) + self.euros('E18', 3), Decimal('120.09'))

    @with_transaction()
    def test_annex_e_catalogue(self):
        "Every row of Annex E with its unit (RULES.md §C.13)"
        Act = Pool().get('bts.jury.act')
        self.assertEqual(
            [(a.code, a.unit, str(a.amount)) for a in Act.search(
                    [], order=[('id', 'ASC')])],
            [('E1', 'test', '8.32'), ('E2', 'hour', '1.57'),
                ('E3', 'candidate', '0.76'), ('E4', 'candidate', '0.85'),
                ('E5', 'candidate', '0.90'), ('E6', 'hour', '11.74'),
                ('E7', 'year', '7.82'), ('E8', 'file', '18.75'),
                ('E9', 'file', '11.74'), ('E10', 'file', '7.82'),
                ('E11', 'semester', '7.82'), ('E12', 'semester', '21.52'),
                ('E13', 'student', '11.74'), ('E14', 'student', '35.19'),
                ('E15', 'hour', '7.82'), ('E16', 'decision', '7.82'),
                ('E17', 'meeting', '9.04'), ('E18', 'file', '2.15')])

    @with_transaction()
    def test_member_belongs_to_lycee(self):
        "A body member is one of the people of the body's lycée"
        pool = Pool()
        Party = pool.get('party.party')
        Lycee = pool.get('bts.lycee')
        AcademicYear = pool.get('bts.academic_year')
        BodyType = pool.get('bts.jury.body_type')
        Body = pool.get('bts.jury.body')
        lycee_party, member_party, other = Party.create([
                {'name': "Lycée"}, {'name': "Member"}, {'name': "Other"}])
        lycee, = Lycee.create([{'code': 'L', 'party': lycee_party.id}])
        year, = AcademicYear.create([{'start_date': dt.date(2025, 9, 15)}])
        body_type, = BodyType.search([('code', '=', 'litigation')])
        Body.create([{'body_type': body_type.id, 'lycee': lycee.id,
                    'academic_year': year.id, 'members': [('create', [{
                                    'party': member_party.id,
                                    'role': 'teacher'}])]}])
        self.assertEqual(
            [(p.name, [x.id for x in p.bts_lycees])
                for p in Party.search([('bts_lycees', '=', lycee.id)])],
            [("Member", [lycee.id])])
        self.assertEqual(other.bts_lycees, ())


del ModuleTestCase
