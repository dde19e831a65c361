# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""What the indemnities cost: the annual statement per person and the cost
of each programme per academic year against its budget."""
from decimal import Decimal

from sql.aggregate import Sum

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.bts_programme.wage_index import EuroMixin
from trytond.pool import Pool
from trytond.report import Report
from trytond.tools import reduce_ids
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from .indemnity_usage import summed_amount
from .report import DocumentMixin


class ProgrammeBudget(EuroMixin, ModelSQL, ModelView):
    """The budget of a programme's indemnities for an academic year and
    what the approved and paid declarations already use of it"""
    __name__ = 'bts.programme.budget'
    __string__ = "Programme Budget"
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, ondelete='CASCADE')
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT')
    amount = fields.Numeric("Budget", digits=(16, 2), required=True)
    paid = fields.Function(
        fields.Numeric("Paid", digits=(16, 2)), 'get_cost')
    approved = fields.Function(
        fields.Numeric("Approved, Unpaid", digits=(16, 2)), 'get_cost')
    remaining = fields.Function(
        fields.Numeric("Remaining", digits=(16, 2)), 'get_cost')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('programme_year_unique',
                Unique(t, t.programme, t.academic_year),
                'bts_indemnity.msg_budget_unique'),
            ]
        cls._order[0:0] = [('academic_year', 'DESC'), ('programme', 'ASC')]

    def get_rec_name(self, name):
        return f'{self.programme.rec_name} {self.academic_year.rec_name}'

    @classmethod
    def get_cost(cls, budgets, names):
        """The paid and the approved, unpaid amounts of the budgets'
        programmes and academic years, summed in one query over the
        declaration lines, and what remains of each budget"""
        Monthly = Pool().get('bts.indemnity.monthly')
        cursor = Transaction().connection.cursor()
        lines = Monthly.approved_lines()
        cursor.execute(*lines.select(
                lines.programme, lines.academic_year,
                Sum(lines.paid), Sum(lines.approved),
                where=reduce_ids(lines.programme,
                    {b.programme.id for b in budgets})
                & reduce_ids(lines.academic_year,
                    {b.academic_year.id for b in budgets}),
                group_by=[lines.programme, lines.academic_year]))
        costs = {(programme, year): {
                'paid': summed_amount(paid),
                'approved': summed_amount(approved)}
            for programme, year, paid, approved in cursor}
        result = {n: {} for n in names}
        for budget in budgets:
            cost = costs.get(
                (budget.programme.id, budget.academic_year.id),
                {'paid': Decimal(0), 'approved': Decimal(0)})
            cost['remaining'] = (
                budget.amount - cost['paid'] - cost['approved'])
            for name in names:
                result[name][budget.id] = cost[name]
        return result


class StatementStart(ModelView):
    "Annual statement of indemnities: the academic year"
    __name__ = 'bts.indemnity.statement.start'
    __string__ = "Annual Statement of Indemnities"
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True)


class Statement(Wizard):
    "Print the annual statement of the indemnities paid to people"
    __name__ = 'bts.indemnity.statement'
    start = StateView('bts.indemnity.statement.start',
        'bts_indemnity.statement_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('bts.indemnity.statement')

    def do_print_(self, action):
        return action, {
            'ids': [r.id for r in self.records],
            'academic_year': self.start.academic_year.id,
            }


class StatementReport(DocumentMixin, Report):
    """Relevé annuel: the indemnities paid to a person in an academic year,
    line by line with the rate and index applied, on the ministry's
    letterhead"""
    __name__ = 'bts.indemnity.statement'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        AcademicYear = pool.get('bts.academic_year')
        Line = pool.get('bts.declaration.line')
        context = super().get_context(records, header, data)
        year = AcademicYear(data['academic_year'])
        context['academic_year'] = year

        def lines(party):
            return Line.search([
                    ('declaration.party', '=', party.id),
                    ('declaration.state', '=', 'paid'),
                    ('academic_year', '=', year.id),
                    ], order=[('date', 'ASC'), ('id', 'ASC')])
        context['lines'] = lines
        context['total'] = lambda party: sum(
            (line.amount for line in lines(party)), Decimal(0))
        return context
