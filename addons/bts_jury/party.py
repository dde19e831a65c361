# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from sql import Null

from trytond.pool import Pool, PoolMeta


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def _bts_lycee_queries(cls):
        """A member of a body belongs to the body's lycée, or to the lycées
        of the body's programme"""
        pool = Pool()
        Member = pool.get('bts.jury.member')
        Body = pool.get('bts.jury.body')
        ProgrammeLycee = pool.get('bts.programme-bts.lycee')
        member, body = Member.__table__(), Body.__table__()
        programme_lycee = ProgrammeLycee.__table__()
        return super()._bts_lycee_queries() + [
            member.join(body, condition=member.body == body.id).select(
                member.party.as_('party'), body.lycee.as_('lycee'),
                where=body.lycee != Null),
            member.join(body, condition=member.body == body.id
                ).join(programme_lycee,
                condition=body.programme == programme_lycee.programme
                ).select(
                member.party.as_('party'), programme_lycee.lycee.as_('lycee'),
                where=body.lycee == Null),
            ]
