# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Cost simulation of a rate grid and of the lesson caps (fiche financière
of the draft regulations; RULES.md §H.10): an academic year's real lessons
per rate category, from the counted contracts or from the paid
declarations, priced at the current grid and at a proposed one at an index;
and the contracts and programmes that a changed 252-lesson cap or 40 %
share would put over it (law of 21 July 2023, art. 9(2) al. 3-4)."""
import io
from decimal import Decimal

import xlsxwriter
from sql.aggregate import Max, Sum

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.bts_programme import caps
from trytond.modules.bts_programme.contract import COUNTED_STATES
from trytond.modules.bts_programme.guard import ReadOnlyViewMixin
from trytond.modules.bts_programme.rate import KINDS, UNITS
from trytond.modules.bts_programme.spreadsheet import write_cell
from trytond.modules.bts_programme.wage_index import round_cents
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction

# The rate categories paid per lesson: the only ones a lesson count prices.
LESSON_KINDS = [(k, s) for k, s in KINDS if UNITS.get(k, 'lesson') == 'lesson']


def euro_rate(rate, index):
    """The euros of one lesson at rate (at index 100) and index, rounded
    half-up to the cent (RULES.md §K.1)"""
    return round_cents(rate * index / 100)


def lesson_cost(lessons, rate, index):
    "The cost of lessons: the euro rate of one lesson times the lessons"
    return round_cents(euro_rate(rate, index) * lessons)


def sheets_xlsx(sheets):
    """Return the XLSX bytes of sheets, a list of (name, header, rows);
    Decimal cells are numbers, text is never a formula"""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {'in_memory': True})
    bold = workbook.add_format({'bold': True})
    number = workbook.add_format({'num_format': '#,##0.00'})
    for name, header, rows in sheets:
        sheet = workbook.add_worksheet(name[:31])
        for c, label in enumerate(header):
            write_cell(sheet, 0, c, label, bold)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row):
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), number)
                else:
                    write_cell(sheet, r, c, '' if value is None else value)
        sheet.set_column(0, max(len(header) - 1, 0), 18)
    workbook.close()
    return output.getvalue()


class Simulation(ModelSQL, ModelView):
    """A cost simulation: the lessons of an academic year priced at the
    current rate grid and at a proposed one, and the lesson caps tried at
    other values"""
    __name__ = 'bts.oversight.simulation'
    __string__ = "Cost Simulation"
    name = fields.Char("Name", required=True)
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT')
    source = fields.Selection([
            ('contracts', "Lessons under Contract"),
            ('paid', "Lessons Paid"),
            ], "Lessons", required=True,
        help="The lessons of the counted contracts of the academic year, or "
        "those of its paid declarations.")
    grid_date = fields.Date(
        "Current Grid on", required=True,
        help="The rates in force on this day are the current grid.")
    index = fields.Numeric(
        "Index", digits=(16, 2), required=True,
        domain=[('index', '>', 0)],
        help="The index both grids are priced at.")
    rates = fields.One2Many(
        'bts.oversight.simulation.rate', 'simulation', "Proposed Rates",
        help="Draft rates at index 100; a category without one keeps its "
        "current rate.")
    external_cap = fields.Integer(
        "Lessons per External Lecturer", required=True,
        domain=[('external_cap', '>', 0)],
        help="The cap per academic year to try (art. 9(2) al. 3: 252).")
    share_percent = fields.Numeric(
        "External Share (%)", digits=(5, 2), required=True,
        domain=[('share_percent', '>', 0), ('share_percent', '<=', 100)],
        help="The share to try (art. 9(2) al. 4: 40 %).")
    lines = fields.One2Many(
        'bts.oversight.simulation.line', 'simulation', "Costs",
        readonly=True)
    categories = fields.One2Many(
        'bts.oversight.simulation.category', 'simulation',
        "Costs per Category", readonly=True)
    excesses = fields.One2Many(
        'bts.oversight.simulation.excess', 'simulation', "Over the Caps",
        readonly=True)
    current_cost = fields.Function(
        fields.Numeric("Current Cost", digits=(16, 2)), 'get_totals')
    proposed_cost = fields.Function(
        fields.Numeric("Proposed Cost", digits=(16, 2)), 'get_totals')
    difference = fields.Function(
        fields.Numeric("Difference", digits=(16, 2)), 'get_totals')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('id', 'DESC'))
        cls._buttons.update({
                'compute': {'icon': 'tryton-refresh'},
                })

    @staticmethod
    def default_source():
        return 'contracts'

    @staticmethod
    def default_grid_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_external_cap():
        return caps.EXTERNAL_YEAR_LIMIT

    @staticmethod
    def default_share_percent():
        return caps.EXTERNAL_SHARE_PERCENT

    @fields.depends('grid_date')
    def on_change_grid_date(self):
        "The index in force on the day of the current grid, to change at will"
        WageIndex = Pool().get('bts.wage_index')
        if self.grid_date:
            self.index = WageIndex.get_index(self.grid_date)

    @classmethod
    def get_totals(cls, simulations, names):
        result = {n: {s.id: Decimal(0) for s in simulations} for n in names}
        for simulation in simulations:
            for category in simulation.categories:
                for name in names:
                    result[name][simulation.id] += getattr(category, name)
        return result

    def grids(self):
        """The current and the proposed rate at index 100 of each lesson
        category with lessons"""
        Rate = Pool().get('bts.rate')
        proposed = {r.kind: r.amount for r in self.rates}
        current = {}
        for kind, _ in LESSON_KINDS:
            rates = Rate.search([
                    ('kind', '=', kind),
                    ('valid_from', '<=', self.grid_date),
                    ], order=[('valid_from', 'DESC')], limit=1)
            if rates:
                current[kind] = rates[0].amount
        return current, {k: proposed.get(k, current.get(k)) for k in current}

    def _lessons_contracts(self):
        """The lessons of the counted contracts' lines of the academic year
        per programme, lycée and rate category, in one aggregate"""
        pool = Pool()
        contract = pool.get('bts.contract').__table__()
        line = pool.get('bts.contract.line').__table__()
        return line.join(contract, condition=line.contract == contract.id
            ).select(
            contract.programme, contract.lycee, line.rate_kind,
            Sum(line.quantity),
            where=(contract.academic_year == self.academic_year.id)
            & contract.state.in_(COUNTED_STATES)
            & line.rate_kind.in_([k for k, _ in LESSON_KINDS]),
            group_by=[contract.programme, contract.lycee, line.rate_kind])

    def _lessons_paid(self):
        """The lessons of the paid declarations' lines of the academic year
        per programme, lycée and the rate category of their contract line,
        in one aggregate"""
        pool = Pool()
        declaration = pool.get('bts.declaration').__table__()
        line = pool.get('bts.declaration.line').__table__()
        contract = pool.get('bts.contract').__table__()
        contract_line = pool.get('bts.contract.line').__table__()
        kinds = contract_line.select(
            contract_line.contract, contract_line.course,
            Max(contract_line.rate_kind).as_('rate_kind'),
            group_by=[contract_line.contract, contract_line.course])
        return line.join(declaration,
            condition=line.declaration == declaration.id
            ).join(contract, condition=declaration.contract == contract.id
            ).join(kinds, condition=(kinds.contract == contract.id)
                & (kinds.course == line.course)
            ).select(
            contract.programme, declaration.lycee, kinds.rate_kind,
            Sum(line.quantity),
            where=(line.academic_year == self.academic_year.id)
            & (declaration.state == 'paid')
            & kinds.rate_kind.in_([k for k, _ in LESSON_KINDS]),
            group_by=[contract.programme, declaration.lycee,
                kinds.rate_kind])

    def lessons(self):
        "[(programme id, lycée id, rate kind, lessons)] of the source"
        cursor = Transaction().connection.cursor()
        cursor.execute(*getattr(self, f'_lessons_{self.source}')())
        return [(p, y, k, Decimal(str(q))) for p, y, k, q in cursor]

    def cost_lines(self):
        "The values of the cost lines per programme, lycée and category"
        current, proposed = self.grids()
        lines = []
        for programme, lycee, kind, lessons in self.lessons():
            if kind not in current:
                continue
            values = {
                'programme': programme, 'lycee': lycee, 'kind': kind,
                'lessons': lessons,
                'current_rate': current[kind],
                'proposed_rate': proposed[kind],
                }
            for grid in ['current', 'proposed']:
                rate = values[f'{grid}_rate']
                values[f'{grid}_euro_rate'] = euro_rate(rate, self.index)
                values[f'{grid}_cost'] = lesson_cost(
                    lessons, rate, self.index)
            lines.append(values)
        return lines

    @staticmethod
    def categories_of(lines):
        "Sum the cost lines per category: totals of rounded lines (§K.14)"
        totals = {}
        for line in lines:
            total = totals.setdefault(line['kind'], {
                    'kind': line['kind'], 'lessons': Decimal(0),
                    'current_cost': Decimal(0), 'proposed_cost': Decimal(0),
                    })
            for name in ['lessons', 'current_cost', 'proposed_cost']:
                total[name] += line[name]
        return sorted(totals.values(), key=lambda t: t['kind'])

    def excess_providers(self):
        """The external lecturers' contracts of the academic year whose
        provider's lessons over all programmes pass external_cap, from the
        provider usage summary"""
        pool = Pool()
        usage = pool.get('bts.provider.usage').__table__()
        contract = pool.get('bts.contract').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*usage.join(contract,
                condition=(contract.party == usage.party)
                & (contract.academic_year == usage.academic_year)
                & (contract.role == usage.role)
                ).select(
                contract.id, usage.party, contract.programme, usage.lessons,
                where=(usage.academic_year == self.academic_year.id)
                & (usage.role == 'external')
                & (usage.lessons > self.external_cap)
                & contract.state.in_(COUNTED_STATES),
                order_by=[usage.party, contract.id]))
        return [{
                'kind': 'provider', 'contract': contract_id, 'party': party,
                'programme': programme, 'lessons': lessons,
                'limit': self.external_cap,
                } for contract_id, party, programme, lessons in cursor]

    def excess_programmes(self):
        """The programmes whose external lessons of the academic year pass
        share_percent of their planned lessons at the lycée, from the
        external share summary"""
        Share = Pool().get('bts.programme.external_share')
        excesses = []
        for share in Share.search([
                    ('academic_year', '=', self.academic_year.id),
                    ]):
            limit = int(share.planned_lessons * self.share_percent / 100)
            if share.planned_lessons and share.lessons > limit:
                excesses.append({
                        'kind': 'programme', 'programme': share.programme.id,
                        'lessons': share.lessons, 'limit': limit,
                        })
        return excesses

    @classmethod
    @ModelView.button
    def compute(cls, simulations):
        pool = Pool()
        Line = pool.get('bts.oversight.simulation.line')
        Category = pool.get('bts.oversight.simulation.category')
        Excess = pool.get('bts.oversight.simulation.excess')
        Line.delete([line_ for s in simulations for line_ in s.lines])
        Category.delete([c for s in simulations for c in s.categories])
        Excess.delete([e for s in simulations for e in s.excesses])
        lines, categories, excesses = [], [], []
        for simulation in simulations:
            values = simulation.cost_lines()
            lines += [Line(simulation=simulation, **v) for v in values]
            categories += [Category(simulation=simulation, **v)
                for v in cls.categories_of(values)]
            excesses += [Excess(simulation=simulation, **v)
                for v in simulation.excess_providers()
                + simulation.excess_programmes()]
        Line.save(lines)
        Category.save(categories)
        Excess.save(excesses)


class SimulationRate(ModelSQL, ModelView):
    "A draft rate at index 100 of a lesson category in a simulation"
    __name__ = 'bts.oversight.simulation.rate'
    __string__ = "Proposed Rate"
    simulation = fields.Many2One(
        'bts.oversight.simulation', "Simulation", required=True,
        ondelete='CASCADE')
    kind = fields.Selection(LESSON_KINDS, "Category", required=True)
    amount = fields.Numeric(
        "Amount at Index 100", digits=(16, 3), required=True,
        domain=[('amount', '>', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('simulation')
        t = cls.__table__()
        cls._sql_constraints += [
            ('kind_unique', Unique(t, t.simulation, t.kind),
                'bts_oversight.msg_simulation_rate_unique'),
            ]


class _CostMixin:
    __slots__ = ()
    simulation = fields.Many2One(
        'bts.oversight.simulation', "Simulation", required=True,
        ondelete='CASCADE', readonly=True)
    kind = fields.Selection(LESSON_KINDS, "Category", readonly=True)
    kind_string = kind.translated('kind')
    lessons = fields.Numeric("Lessons", digits=(16, 2), readonly=True)
    current_cost = fields.Numeric(
        "Current Cost", digits=(16, 2), readonly=True)
    proposed_cost = fields.Numeric(
        "Proposed Cost", digits=(16, 2), readonly=True)
    difference = fields.Function(
        fields.Numeric("Difference", digits=(16, 2)), 'get_difference')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('simulation')

    def get_difference(self, name):
        return self.proposed_cost - self.current_cost


class SimulationLine(_CostMixin, ReadOnlyViewMixin, ModelSQL, ModelView):
    "The cost of a category's lessons of a programme at a lycée"
    __name__ = 'bts.oversight.simulation.line'
    __string__ = "Simulated Cost"
    programme = fields.Many2One(
        'bts.programme', "Programme", readonly=True, ondelete='CASCADE')
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", readonly=True, ondelete='CASCADE')
    current_rate = fields.Numeric(
        "Current Rate at Index 100", digits=(16, 3), readonly=True)
    proposed_rate = fields.Numeric(
        "Proposed Rate at Index 100", digits=(16, 3), readonly=True)
    current_euro_rate = fields.Numeric(
        "Current Rate in Euros", digits=(16, 2), readonly=True)
    proposed_euro_rate = fields.Numeric(
        "Proposed Rate in Euros", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order[0:0] = [('lycee', 'ASC'), ('programme', 'ASC'),
            ('kind', 'ASC')]


class SimulationCategory(
        _CostMixin, ReadOnlyViewMixin, ModelSQL, ModelView):
    "The cost of a category's lessons over every programme"
    __name__ = 'bts.oversight.simulation.category'
    __string__ = "Simulated Cost per Category"

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('kind', 'ASC'))


class SimulationExcess(ReadOnlyViewMixin, ModelSQL, ModelView):
    """A contract of an external lecturer over the tried cap, or a
    programme over the tried share"""
    __name__ = 'bts.oversight.simulation.excess'
    __string__ = "Over the Simulated Cap"
    simulation = fields.Many2One(
        'bts.oversight.simulation', "Simulation", required=True,
        ondelete='CASCADE', readonly=True)
    kind = fields.Selection([
            ('provider', "Lessons per External Lecturer"),
            ('programme', "External Share"),
            ], "Cap", readonly=True)
    kind_string = kind.translated('kind')
    contract = fields.Many2One(
        'bts.contract', "Contract", readonly=True, ondelete='CASCADE',
        states={'invisible': Eval('kind') != 'provider'})
    party = fields.Many2One(
        'party.party', "Provider", readonly=True, ondelete='CASCADE',
        states={'invisible': Eval('kind') != 'provider'})
    programme = fields.Many2One(
        'bts.programme', "Programme", readonly=True, ondelete='CASCADE')
    lessons = fields.Integer("Lessons", readonly=True)
    limit = fields.Integer("Limit", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('simulation')
        cls._order[0:0] = [('kind', 'ASC'), ('programme', 'ASC')]


class SpreadsheetReport(Report):
    """A report of one record as an XLSX spreadsheet, its bytes made by
    spreadsheet(record)"""
    __slots__ = ()

    @classmethod
    def spreadsheet(cls, record):
        raise NotImplementedError

    @classmethod
    def render(cls, action, report_context):
        return cls.spreadsheet(report_context['record'])

    @classmethod
    def convert(cls, report, data, **kwargs):
        return 'xlsx', data


class SimulationReport(SpreadsheetReport):
    "The simulation's costs and excesses as a spreadsheet"
    __name__ = 'bts.oversight.simulation.xlsx'

    @classmethod
    def spreadsheet(cls, record):
        return simulation_xlsx(record)


def _header(model, names):
    fields_ = Pool().get(model).fields_get(names)
    return [fields_[n]['string'] for n in names]


def simulation_xlsx(simulation):
    "Return the XLSX of simulation: costs per category, per line, excesses"
    cost_names = ['lessons', 'current_cost', 'proposed_cost', 'difference']
    categories = [[c.kind_string] + [getattr(c, n) for n in cost_names]
        for c in simulation.categories]
    categories.append([gettext('bts_oversight.msg_total'),
            sum((c.lessons for c in simulation.categories), Decimal(0)),
            simulation.current_cost, simulation.proposed_cost,
            simulation.difference])
    line_names = ['current_rate', 'proposed_rate', 'current_euro_rate',
        'proposed_euro_rate'] + cost_names
    lines = [[c.lycee.rec_name if c.lycee else '', c.programme.rec_name,
            c.kind_string] + [getattr(c, n) for n in line_names]
        for c in simulation.lines]
    excesses = [[e.kind_string, e.contract.rec_name if e.contract else '',
            e.party.rec_name if e.party else '', e.programme.rec_name,
            e.lessons, e.limit] for e in simulation.excesses]
    return sheets_xlsx([
            (gettext('bts_oversight.msg_sheet_categories'),
                _header('bts.oversight.simulation.category',
                    ['kind'] + cost_names), categories),
            (gettext('bts_oversight.msg_sheet_costs'),
                _header('bts.oversight.simulation.line',
                    ['lycee', 'programme', 'kind'] + line_names), lines),
            (gettext('bts_oversight.msg_sheet_excesses'),
                _header('bts.oversight.simulation.excess',
                    ['kind', 'contract', 'party', 'programme', 'lessons',
                        'limit']), excesses),
            ])
