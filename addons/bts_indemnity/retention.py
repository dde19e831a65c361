# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Retention (law of 21 July 2023, art. 33(2)): the last payment of a
person is one of their end points; the payment runs keep their amounts,
moves and payments, linked to the pseudonymised person, for the
accounting period."""
from sql.aggregate import Max

from trytond.pool import Pool, PoolMeta

# The runs that paid: a correction run pays (or recovers) too
PAID_STATES = ('posted', 'corrected')


class Retention(metaclass=PoolMeta):
    __name__ = 'bts.retention'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.source.selection.append(('payment', "Last Payment"))

    @classmethod
    def _end_point_queries(cls):
        "The date of the last payment run that paid the person"
        pool = Pool()
        Run = pool.get('bts.payment.run')
        Beneficiary = pool.get('bts.payment.run.beneficiary')
        run, beneficiary = Run.__table__(), Beneficiary.__table__()
        return super()._end_point_queries() + [
            ('payment', beneficiary.join(run,
                    condition=beneficiary.run == run.id
                    ).select(beneficiary.party, Max(run.date),
                    where=run.state.in_(PAID_STATES),
                    group_by=[beneficiary.party])),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        "Also the national number copied on the payment runs"
        Beneficiary = Pool().get('bts.payment.run.beneficiary')
        return super().to_erase(party_id) + [
            (Beneficiary, [('party', '=', party_id)], False,
                ['national_id'], [None]),
            ]
