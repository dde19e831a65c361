# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import bisect
from decimal import ROUND_HALF_UP, Decimal, localcontext

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.transaction import without_check_access

from .exceptions import WageIndexError

CENT = Decimal('0.01')
MAX_INDEX = Decimal('Infinity')


def quantize(number, exponent):
    """Round number half-up to the exponent, with as many digits as the
    number has: an absurd quantity entered gets the checks' refusal, not an
    invalid operation"""
    with localcontext() as context:
        context.prec = max(
            context.prec, number.adjusted() - exponent.adjusted() + 1)
        return number.quantize(exponent, rounding=ROUND_HALF_UP)


def round_cents(amount):
    """Round half-up to the cent, the only rounding of euro amounts (RULES.md
    §K.1, §D.3): Decimal's default (half-even) would pay 56.82 for 56.825"""
    return quantize(amount, CENT)


class WageIndex(ModelSQL, ModelView):
    """Cote d'application de l'échelle mobile des salaires: the index that
    turns the amounts the texts fix "au nombre indice 100" into euros
    (RULES.md §D, §K.1, §K.15)."""
    __name__ = 'bts.wage_index'
    __string__ = "Wage Index"
    valid_from = fields.Date(
        "Valid From", required=True,
        help="The first day the index applies.")
    value = fields.Numeric(
        "Index", digits=(16, 2), required=True,
        domain=[('value', '>', 0)])
    confirmed = fields.Boolean(
        "Confirmed",
        help="Unchecked while the value waits for confirmation by the "
        "official publication.")
    source = fields.Char("Source")
    _get_index_cache = Cache(__name__ + '.get_index', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('valid_from_unique', Unique(t, t.valid_from),
                'bts_programme.msg_wage_index_unique'),
            ]
        cls._order.insert(0, ('valid_from', 'DESC'))
        cls.__rpc__.update({
                'get_index': RPC(),
                'to_euros': RPC(),
                'line_amount': RPC(),
                })

    @classmethod
    def default_confirmed(cls):
        return True

    def get_rec_name(self, name):
        return f'{self.value} ({self.valid_from})'

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        cls._get_index_cache.clear()

    @classmethod
    def get_index(cls, date):
        "Return the index in force on date (RULES.md §K.1)"
        table = cls._get_index_cache.get(None)
        if table is None:
            table = [(i.valid_from, i.value)
                for i in cls.search([], order=[('valid_from', 'ASC')])]
            cls._get_index_cache.set(None, table)
        position = bisect.bisect_right(table, (date, MAX_INDEX))
        if not position:
            raise WageIndexError(gettext(
                    'bts_programme.msg_wage_index_missing', date=date))
        return table[position - 1][1]

    @classmethod
    def to_euros(cls, amount, date):
        """Return the euros of an amount at index 100 for a service on date:
        amount × index / 100 rounded half-up to the cent (RULES.md §K.1).

        Callers convert the rate of one unit and multiply the result by the
        quantity, so each line is rounded once per unit (RULES.md §D.3)."""
        if not isinstance(amount, (Decimal, int)):
            raise TypeError(f"amount must be a Decimal, not {type(amount)!r}")
        index = cls.get_index(date)
        return round_cents(amount * index / 100)

    @classmethod
    def line_amount(cls, rate, quantity, date):
        """Return the index in force on date, the euro rate of one unit and
        the amount of quantity units of rate at index 100: the euro rate
        rounded half-up to the cent, times the quantity, rounded half-up to
        the cent (RULES.md §K.1, §D.3).

        Every amount of a declared line is computed here: 0.5 hour at
        113.65 € is 56.83 €."""
        if not isinstance(quantity, (Decimal, int)):
            raise TypeError(
                f"quantity must be a Decimal, not {type(quantity)!r}")
        euro_rate = cls.to_euros(rate, date)
        return cls.get_index(date), euro_rate, round_cents(
            euro_rate * quantity)


class EuroMixin:
    """The euro, for the web client to write the amounts of the record with
    their € sign (the views' ``symbol="currency"``)"""
    __slots__ = ()
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')

    @classmethod
    def default_currency(cls):
        return cls._euro()

    @classmethod
    def get_currency(cls, records, name):
        euro = cls._euro()
        return {r.id: euro for r in records}

    @staticmethod
    def _euro():
        "The id of the euro, None where the currency is not created"
        Currency = Pool().get('currency.currency')
        with without_check_access():
            euros = Currency.search([('code', '=', 'EUR')], limit=1)
        return euros[0].id if euros else None
