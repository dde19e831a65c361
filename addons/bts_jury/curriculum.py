# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Hours of the curriculum group and their caps (law of 21 July 2023,
Annex E; RULES.md §C.2, §K.6, §K.16). The declarations of bts_indemnity
check them again with the same functions."""
import datetime as dt
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import CurriculumHoursError

GROUP_LIMITS = {'accreditation': 320, 'operation': 100, 'renewal': 320}
MEMBER_LIMITS = {'accreditation': 120, 'renewal': 120}
COORDINATOR_ROLES = {'coordinator', 'secretary'}
WORK_KINDS = [
    ('accreditation', "Initial Accreditation"),
    ('operation', "Operation of the Programme"),
    ('renewal', "Re-accreditation"),
    ]


def months_later(date, months):
    "The last day of a window of months from date (RULES.md §K.16)"
    month = date.month - 1 + months
    return dt.date(date.year + month // 12, month % 12 + 1,
        date.day) - dt.timedelta(1)


def work_window(programme, kind, date):
    """Return the first and last day of the period whose hours are capped
    together for work of kind on date"""
    AcademicYear = Pool().get('bts.academic_year')
    if kind == 'accreditation':
        start = programme.admissibility_date
        return start, months_later(start, 24) if start else None
    if kind == 'renewal':
        end = programme.valid_until
        return (dt.date(end.year - 2, 9, 15), end) if end else (None, None)
    year = AcademicYear.find(date)
    return year.start_date, year.end_date


class Work(ModelSQL, ModelView):
    """Hours of work of a curriculum-group member, by kind of work: initial
    accreditation, operation or re-accreditation of the programme"""
    __name__ = 'bts.jury.work'
    __string__ = "Curriculum Group Work"
    member = fields.Many2One(
        'bts.jury.member', "Member", required=True, ondelete='RESTRICT',
        domain=[('body.body_type.code', '=', 'curriculum_group')])
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"),
        'on_change_with_programme', searcher='search_programme')
    date = fields.Date("Date", required=True)
    kind = fields.Selection(WORK_KINDS, "Kind of Work", required=True)
    kind_string = kind.translated('kind')
    hours = fields.Numeric(
        "Hours", digits=(16, 1), required=True,
        domain=[('hours', '>', 0)])
    description = fields.Char("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('member')
        cls._order.insert(0, ('date', 'DESC'))

    @fields.depends('member', '_parent_member.body')
    def on_change_with_programme(self, name=None):
        if self.member and self.member.body:
            return self.member.body.programme

    @classmethod
    def search_programme(cls, name, clause):
        return [('member.body.programme',) + tuple(clause[1:])]

    @classmethod
    def validate(cls, works):
        super().validate(works)
        for work in works:
            work.check_caps()

    @classmethod
    def total_hours(cls, programme, kind, start, end, party=None):
        "Return the hours of kind of the programme between start and end"
        pool = Pool()
        Member = pool.get('bts.jury.member')
        Body = pool.get('bts.jury.body')
        work, member, body = (
            cls.__table__(), Member.__table__(), Body.__table__())
        where = ((body.programme == programme.id) & (work.kind == kind)
            & (work.date >= start) & (work.date <= end))
        if party:
            where &= member.party == party.id
        cursor = Transaction().connection.cursor()
        cursor.execute(*work.join(member,
                condition=work.member == member.id
                ).join(body, condition=member.body == body.id
                ).select(Sum(work.hours), where=where))
        total, = cursor.fetchone()
        return Decimal(str(total or 0)).quantize(Decimal('0.1'))

    def check_caps(self):
        """Refuse hours beyond the caps of Annex E and a coordinator's
        operation hours (paid only for (re)accreditation work)"""
        programme, kind = self.programme, self.kind
        if kind == 'operation' and self.member.role in COORDINATOR_ROLES:
            raise CurriculumHoursError(gettext(
                    'bts_jury.msg_work_coordinator',
                    member=self.member.rec_name))
        start, end = work_window(programme, kind, self.date)
        if not start or not (start <= self.date <= end):
            raise CurriculumHoursError(gettext(
                    'bts_jury.msg_work_window',
                    member=self.member.rec_name, date=self.date,
                    kind=self.kind_string, start=start or '-',
                    end=end or '-'))
        errors = []
        if kind in MEMBER_LIMITS:
            total = self.total_hours(programme, kind, start, end,
                party=self.member.party)
            if total > MEMBER_LIMITS[kind]:
                errors.append(gettext(
                        'bts_jury.msg_work_member_cap',
                        member=self.member.party.rec_name, total=total,
                        limit=MEMBER_LIMITS[kind]))
        total = self.total_hours(programme, kind, start, end)
        if total > GROUP_LIMITS[kind]:
            errors.append(gettext(
                    'bts_jury.msg_work_group_cap',
                    total=total, limit=GROUP_LIMITS[kind]))
        if errors:
            raise CurriculumHoursError(gettext(
                    'bts_jury.msg_work_caps',
                    programme=programme.rec_name, kind=self.kind_string,
                    start=start, end=end,
                    errors='\n'.join(f'- {e}' for e in errors)))
