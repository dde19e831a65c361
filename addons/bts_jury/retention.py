# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Retention (law of 21 July 2023, art. 33(2)): a nomination to a body is
a role of its academic year."""
from sql.aggregate import Max

from trytond.pool import Pool, PoolMeta


class Retention(metaclass=PoolMeta):
    __name__ = 'bts.retention'

    @classmethod
    def _end_point_queries(cls):
        "The end of the academic year of the person's last nomination"
        pool = Pool()
        Member = pool.get('bts.jury.member')
        Body = pool.get('bts.jury.body')
        AcademicYear = pool.get('bts.academic_year')
        member, body = Member.__table__(), Body.__table__()
        year = AcademicYear.__table__()
        return super()._end_point_queries() + [
            ('academic_year', member.join(body,
                    condition=member.body == body.id
                    ).join(year, condition=body.academic_year == year.id
                    ).select(member.party, Max(year.end_date),
                    group_by=[member.party])),
            ]
