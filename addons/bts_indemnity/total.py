# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from sql import Union
from sql.aggregate import Sum

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.bts_programme.guard import ReadOnlyViewMixin
from trytond.modules.bts_programme.wage_index import EuroMixin
from trytond.pool import Pool

from .declaration import STATES


class DeclarationTotal(
        EuroMixin, ReadOnlyViewMixin, ModelSQL, ModelView):
    """Declared amounts per person, lycée, programme, academic year and
    state, to total them by any of these in the list"""
    __name__ = 'bts.declaration.total'
    __string__ = "Declared Amounts"
    party = fields.Many2One('party.party', "Beneficiary", readonly=True)
    lycee = fields.Many2One('bts.lycee', "Lycée", readonly=True)
    programme = fields.Many2One('bts.programme', "Programme", readonly=True)
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True)
    quantity = fields.Numeric("Quantity", digits=(16, 2), readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order[0:0] = [('academic_year', 'DESC'), ('party', 'ASC')]

    @classmethod
    def table_query(cls):
        Declaration = Pool().get('bts.declaration')
        lines = Union(*(cls._lines(kind) for kind in Declaration.kinds()),
            all_=True)
        return lines.select(
            *cls.grouped_columns(lines),
            lines.party, lines.lycee, lines.programme, lines.academic_year,
            lines.state,
            Sum(lines.quantity).as_('quantity'),
            Sum(lines.amount).as_('amount'),
            group_by=[lines.party, lines.lycee, lines.programme,
                lines.academic_year, lines.state])

    @classmethod
    def _lines(cls, kind):
        """The lines of the declarations of kind with their beneficiary and
        programme, joined by the declaration's _join_<kind>"""
        pool = Pool()
        Declaration = pool.get('bts.declaration')
        Line = pool.get('bts.declaration.line')
        declaration, line = Declaration.__table__(), Line.__table__()
        lines, party, programme = Declaration._join(kind,
            line.join(declaration,
                condition=line.declaration == declaration.id),
            declaration)
        return lines.select(
            line.id, line.create_date, line.write_date, line.quantity,
            line.amount, line.academic_year, declaration.lycee,
            declaration.state, party.as_('party'),
            programme.as_('programme'),
            where=declaration.kind == kind)
