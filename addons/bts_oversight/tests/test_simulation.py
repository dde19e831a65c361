# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Cost simulation (issue 17, point 6): the recomputation of the financial
table of the draft regulation (RULES.md §H.10) with its known mismatches,
and a simulation of contracted lessons at a proposed grid and other caps."""
import datetime as dt
import io
import unittest
from decimal import ROUND_DOWN, Decimal

from openpyxl import load_workbook

from proteus import Model, Report
from trytond.modules.bts_oversight.simulation import euro_rate, lesson_cost
from trytond.modules.bts_programme.tests.tools import (
    accredit,
    add_valid_plan,
    create_academic_year,
    create_contract,
    create_lycee,
    create_provider,
)
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules

D = Decimal
INDEX_2013 = D('775.17')
# The real lessons of 2014/2015 per row: bac+5, bac+4, bac+3, other
REAL = [D('3027'), D('692'), D('535'), D('5551.04')]
OLD_RATES = [D('93.57'), D('78.10'), D('59.52'), D('48.69')]
# The new grid at index 100 (CLQ 7/8, CLQ 6, CLQ 5, below CLQ 5)
NEW_RATES = [D('12.07'), D('10.07'), D('7.68'), D('6.28')]
# The lessons of the simulation rows: bac+5 and bac+4; bac+3; bac+2 and
# brevet de maîtrise; the rest
NEW_LESSONS = [D('3719'), D('535'), D('507'), D('5044.04')]
PRINTED_NEW = [D('347949'), D('41756.75'), D('30176.64'), D('245641.22')]


def truncate(amount):
    return amount.quantize(D('0.01'), rounding=ROUND_DOWN)


class H10TestCase(unittest.TestCase):
    "The financial table of the draft regulation, recomputed (§H.10)"

    def test_real_cost_old_rates(self):
        """The 2014/2015 cost at the old euro rates (index 100: no
        indexation): 639,404.93; the printed 639,404.92 truncated the last
        row (270,280.1376 printed 270,280.13)"""
        costs = [lesson_cost(lessons, rate, 100)
            for lessons, rate in zip(REAL, OLD_RATES, strict=True)]
        self.assertEqual(costs, [D('283236.39'), D('54045.20'),
                D('31843.20'), D('270280.14')])
        self.assertEqual(sum(REAL), D('9805.04'))
        self.assertEqual(sum(costs), D('639404.93'))
        # Mismatch 1: the printed row is truncated, not rounded.
        self.assertEqual(truncate(REAL[3] * OLD_RATES[3]), D('270280.13'))
        self.assertEqual(sum(costs) - D('0.01'), D('639404.92'))

    def test_new_grid_at_775_17(self):
        """The new grid at 775.17 with per-lesson half-up euro rates (93.56,
        78.06, 59.53, 48.68): 665,437.32, 26,032.40 more than the printed
        639,404.92"""
        rates = [euro_rate(rate, INDEX_2013) for rate in NEW_RATES]
        self.assertEqual(rates, [D('93.56'), D('78.06'), D('59.53'),
                D('48.68')])
        costs = [lesson_cost(lessons, rate, INDEX_2013)
            for lessons, rate in zip(NEW_LESSONS, NEW_RATES, strict=True)]
        self.assertEqual(costs, [D('347949.64'), D('41762.10'),
                D('30181.71'), D('245543.87')])
        self.assertEqual(sum(costs), D('665437.32'))
        self.assertEqual(sum(costs) - D('639404.92'), D('26032.40'))
        # The lessons of the rows are those of the real cost.
        self.assertEqual(sum(NEW_LESSONS), sum(REAL))

    def test_printed_mismatches(self):
        """The printed simulation rows: three priced at the ni100 rates ×
        7.7517 truncated to the cent (93.56, 78.05, 48.68) instead of the
        labelled rates, and 5,046.04 lessons where 5,044.04 was meant (the
        2 brevet de maîtrise lessons counted twice)"""
        truncated = [truncate(rate * INDEX_2013 / 100) for rate in NEW_RATES]
        self.assertEqual(truncated, [D('93.56'), D('78.05'), D('59.53'),
                D('48.68')])
        printed_lessons = [D('3719'), D('535'), D('507'), D('5046.04')]
        self.assertEqual(sum(printed_lessons), D('9807.04'))
        self.assertEqual(REAL[3] - 505 - 2, D('5044.04'))
        # CLQ 7/8: truncated rate, then truncated to the euro
        self.assertEqual(
            (printed_lessons[0] * truncated[0]).quantize(1, ROUND_DOWN),
            PRINTED_NEW[0])
        # CLQ 6: truncated rate 78.05 where the half-up rate is 78.06
        self.assertEqual(printed_lessons[1] * truncated[1], PRINTED_NEW[1])
        self.assertNotEqual(
            lesson_cost(NEW_LESSONS[1], NEW_RATES[1], INDEX_2013),
            PRINTED_NEW[1])
        # CLQ 5: the labelled old rate 59.52, not the indexed 59.53
        self.assertEqual(printed_lessons[2] * OLD_RATES[2], PRINTED_NEW[2])
        # Below CLQ 5: 5,046.04 lessons at the truncated 48.68
        self.assertEqual(truncate(printed_lessons[3] * truncated[3]),
            PRINTED_NEW[3])
        self.assertEqual(sum(PRINTED_NEW), D('665523.61'))
        # The printed total and the extra cost "quelque 26.100 euros"
        self.assertEqual(D('665523.61') - D('639404.92'), D('26118.69'))

    def test_unrounded_ni100_recomputation(self):
        """At the ni100 rates × 7.7517 without rounding per lesson:
        85,846.1112 ni100 = 665,453.30 €, which the per-lesson rounding of
        the law's reading (§K.1) does not give"""
        ni100 = sum(lessons * rate
            for lessons, rate in zip(NEW_LESSONS, NEW_RATES, strict=True))
        self.assertEqual(ni100, D('85846.1112'))
        self.assertEqual(
            (ni100 * INDEX_2013 / 100).quantize(D('0.01')), D('665453.30'))


class SimulationTestCase(unittest.TestCase):
    """A simulation of the lessons under contract in 2024/25 at 968.04: two
    external lecturers, CLQ 7 (200 lessons) and CLQ 5 (60 lessons), priced
    at the current grid and with a proposed 13.00 for CLQ 7-8"""

    @classmethod
    def setUpClass(cls):
        cls.config = activate_modules(['bts_oversight', 'bts_student'])
        lycee = create_lycee('LTC', "Lycée Technique du Centre")
        create_academic_year(2023)
        cls.year = create_academic_year(2024)
        Programme = Model.get('bts.programme')
        programme = Programme(code='CLOUD', name="Cloud")
        programme.lycees.append(Model.get('bts.lycee')(lycee.id))
        add_valid_plan(programme)
        programme.save()
        cls.programme = accredit(programme, decision_year=2023)
        clq7 = create_provider("Anne Clq7", [dict(kind='diploma',
                    title="Master", clq_level='7', registration='national')])
        clq5 = create_provider("Bob Clq5", [dict(kind='diploma',
                    title="BTS", clq_level='5', registration='national')])
        signed = dt.date(2024, 9, 20)
        cls.contract7 = create_contract(clq7, cls.programme, cls.year,
            [('M1.1', 'winter', 100), ('M1.2', 'winter', 100)],
            signed=signed)
        create_contract(clq5, cls.programme, cls.year,
            [('M3.1', 'winter', 60)], signed=signed)

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def simulation(self, **values):
        Simulation = Model.get('bts.oversight.simulation')
        simulation = Simulation(name="Grid 2026", academic_year=self.year,
            grid_date=dt.date(2025, 6, 1), index=D('968.04'), **values)
        simulation.rates.new(kind='external_r1', amount=D('13.00'))
        simulation.save()
        simulation.click('compute')
        return simulation

    def test_costs(self):
        """CLQ 7-8: 200 × 116.84 = 23,368.00 now, 200 × 125.85 = 25,170.00
        proposed; CLQ 5: 60 × 74.35 = 4,461.00 both; total difference
        1,802.00"""
        simulation = self.simulation()
        categories = {c.kind: (c.lessons, c.current_cost, c.proposed_cost,
                c.difference) for c in simulation.categories}
        self.assertEqual(categories, {
                'external_r1': (D(200), D('23368.00'), D('25170.00'),
                    D('1802.00')),
                'external_r3': (D(60), D('4461.00'), D('4461.00'), D(0)),
                })
        line, = [c for c in simulation.lines if c.kind == 'external_r1']
        self.assertEqual((line.programme, line.lycee.code,
                line.current_euro_rate, line.proposed_euro_rate),
            (self.programme, 'LTC', D('116.84'), D('125.85')))
        self.assertEqual((simulation.current_cost, simulation.proposed_cost,
                simulation.difference),
            (D('27829.00'), D('29631.00'), D('1802.00')))

    def test_index_changes_both_grids(self):
        "At 944.43: CLQ 7-8 114.00 now (12.07 × 9.4443 = 113.99)"
        simulation = self.simulation()
        simulation.index = D('944.43')
        simulation.save()
        simulation.click('compute')
        line, = [c for c in simulation.lines if c.kind == 'external_r1']
        self.assertEqual((line.current_euro_rate, line.current_cost),
            (D('113.99'), D('22798.00')))

    def test_cap_boundaries(self):
        """A cap of 199 lessons puts the 200-lesson contract over it, 200
        does not; a share of 30 % (limit 252 of 840 planned) puts the
        programme's 260 external lessons over it, 31 % (limit 260) does
        not"""
        def excesses(**values):
            simulation = self.simulation(**values)
            return sorted((e.kind, e.contract.id if e.contract else None,
                    e.lessons, e.limit) for e in simulation.excesses)
        self.assertEqual(excesses(external_cap=199, share_percent=D(31)),
            [('provider', self.contract7.id, 200, 199)])
        self.assertEqual(excesses(external_cap=200, share_percent=D(31)), [])
        self.assertEqual(excesses(external_cap=252, share_percent=D(30)),
            [('programme', None, 260, 252)])
        self.assertEqual(excesses(), [])

    def test_xlsx(self):
        "The spreadsheet: the categories with their total, the programmes"
        simulation = self.simulation()
        extension, content, _, _ = Report(
            'bts.oversight.simulation.xlsx').execute([simulation])
        self.assertEqual(extension, 'xlsx')
        workbook = load_workbook(io.BytesIO(content))
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        self.assertEqual(rows[-1][1:], (260, 27829, 29631, 1802))
        programmes = list(workbook.worksheets[1].iter_rows(values_only=True))
        self.assertEqual(len(programmes), 3)
