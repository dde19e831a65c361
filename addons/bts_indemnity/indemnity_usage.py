# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""What the indemnities cost month by month: the approved and the paid
amounts of the declarations per lycée and programme, beside the programme
budgets."""
from decimal import Decimal

from sql import Union
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.bts_programme.guard import ReadOnlyViewMixin
from trytond.modules.bts_programme.wage_index import EuroMixin
from trytond.pool import Pool

from .declaration import APPROVED_STATES


def summed_amount(value):
    """The sum of amounts in cents, 0 when nothing was summed (SQLite sums
    as a float)"""
    if value is None:
        return Decimal(0)
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(Decimal('0.01'))


class IndemnityMonthly(
        EuroMixin, ReadOnlyViewMixin, ModelSQL, ModelView):
    """Approved and paid amounts of the declarations per month, lycée,
    programme and academic year"""
    __name__ = 'bts.indemnity.monthly'
    __string__ = "Indemnities per Month and Lycée"
    month = fields.Date("Month", readonly=True)
    lycee = fields.Many2One('bts.lycee', "Lycée", readonly=True)
    programme = fields.Many2One('bts.programme', "Programme", readonly=True)
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", readonly=True)
    approved = fields.Numeric(
        "Approved, Unpaid", digits=(16, 2), readonly=True)
    paid = fields.Numeric("Paid", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order[0:0] = [('month', 'DESC'), ('lycee', 'ASC'),
            ('programme', 'ASC')]

    @classmethod
    def approved_lines(cls):
        """The lines of the approved and paid declarations with their
        month, lycée, programme and academic year, and their amount as
        approved (unpaid) or paid, the other of the two null: the lines of
        the declared amounts (bts.declaration.total) with the month of
        their declaration"""
        pool = Pool()
        Declaration = pool.get('bts.declaration')
        Line = pool.get('bts.declaration.line')
        Total = pool.get('bts.declaration.total')
        declaration, line = Declaration.__table__(), Line.__table__()
        lines = Union(*(Total._lines(kind) for kind in Declaration.kinds()),
            all_=True)
        return lines.join(line, condition=lines.id == line.id
            ).join(declaration,
                condition=line.declaration == declaration.id
            ).select(
            lines.id, lines.create_date, lines.write_date,
            declaration.month, lines.lycee, lines.programme,
            lines.academic_year,
            Case((lines.state == 'approved', lines.amount)).as_('approved'),
            Case((lines.state == 'paid', lines.amount)).as_('paid'),
            where=lines.state.in_(APPROVED_STATES))

    @classmethod
    def table_query(cls):
        lines = cls.approved_lines()
        return lines.select(
            *cls.grouped_columns(lines),
            lines.month, lines.lycee, lines.programme, lines.academic_year,
            Coalesce(Sum(lines.approved), 0).as_('approved'),
            Coalesce(Sum(lines.paid), 0).as_('paid'),
            group_by=[lines.month, lines.lycee, lines.programme,
                lines.academic_year])
