# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Hours of the curriculum group and their caps (law of 21 July 2023,
Annex E; RULES.md §C.2, §K.6, §K.16). The declarations of bts_indemnity
check them again with the same functions."""
import datetime as dt
from decimal import Decimal

from sql import Literal, Union
from sql.aggregate import Max, Min, Sum

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.bts_programme import caps
from trytond.modules.bts_programme.academic_year import (
    add_months,
    window_end,
)
from trytond.modules.bts_programme.guard import ReadOnlyViewMixin
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import CurriculumHoursError

GROUP_LIMITS = {'accreditation': 320, 'operation': 100, 'renewal': 320}
MEMBER_LIMITS = {'accreditation': 120, 'renewal': 120}
# Annex E: initial accreditation work within 24 months of the notification
# of admissibility; re-accreditation work in the last two academic years.
ACCREDITATION_MONTHS = 24
RENEWAL_MONTHS = 24
COORDINATOR_ROLES = {'coordinator', 'secretary'}
# The share of a cap from which the hours are shown as near it
WARNING_SHARE = Decimal('0.9')
WORK_KINDS = [
    ('accreditation', "Initial Accreditation"),
    ('operation', "Operation of the Programme"),
    ('renewal', "Re-accreditation"),
    ]


def work_window(programme, kind, date):
    """Return the first and last day of the period whose hours are capped
    together for work of kind on date"""
    AcademicYear = Pool().get('bts.academic_year')
    if kind == 'accreditation':
        start = programme.admissibility_date
        return start, (
            window_end(start, ACCREDITATION_MONTHS) if start else None)
    if kind == 'renewal':
        end = programme.valid_until
        if not end:
            return None, None
        return add_months(end, -RENEWAL_MONTHS) + dt.timedelta(days=1), end
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
        cls.check_caps(works)

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

    @classmethod
    def check_caps(cls, works):
        """Refuse hours beyond the caps of Annex E and a coordinator's
        operation hours (paid only for (re)accreditation work), under a
        lock of the programmes: two users entering hours of one programme
        at once are checked one after the other, the second against the
        hours of the first (as the caps of art. 9(2), caps.lock)"""
        caps.lock({w.programme for w in works if w.programme})
        for work in works:
            work._check_caps()

    def _check_caps(self):
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


class CurriculumUsage(ReadOnlyViewMixin, ModelSQL, ModelView):
    """Hours of work of a programme's curriculum group per kind of work,
    and of each member where Annex E caps a member's hours, against the
    caps: 320 hours of the group and 120 of a member for an initial
    accreditation or a re-accreditation, 100 hours of the group per
    academic year for the operation of the programme (RULES.md §C.2,
    §K.6). The hours of an initial accreditation or a re-accreditation are
    all those of the kind recorded for the programme: Work.check_caps
    accepts them only within its period."""
    __name__ = 'bts.curriculum.usage'
    __string__ = "Curriculum Group Hours against the Caps"
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, readonly=True)
    kind = fields.Selection(WORK_KINDS, "Kind of Work", readonly=True)
    kind_string = kind.translated('kind')
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", readonly=True,
        help="The academic year of the operation hours, capped per year.")
    party = fields.Many2One(
        'party.party', "Member", readonly=True,
        help="Empty for the hours of the whole group.")
    hours = fields.Numeric("Hours", digits=(16, 1), readonly=True)
    limit = fields.Function(fields.Integer("Limit"), 'get_limit')
    remaining = fields.Function(
        fields.Numeric("Remaining", digits=(16, 1)), 'get_limit')
    level = fields.Function(fields.Selection([
                (None, ""),
                ('warning', "Near the Limit (over 90 %)"),
                ('danger', "Over the Limit"),
                ], "Level"), 'get_limit')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('programme')
        cls._order[0:0] = [('programme', 'ASC'), ('kind', 'ASC'),
            ('academic_year', 'DESC'), ('party', 'ASC')]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('level') == 'danger', 'danger',
                    If(Eval('level') == 'warning', 'warning', ''))),
            ]

    @classmethod
    def table_query(cls):
        """The hours of each group (programme, kind of work and, for the
        operation, academic year), then of each member of the kinds with a
        member cap; a group's row has the id of its first work times 2, a
        member's that id plus 1"""
        pool = Pool()
        Work = pool.get('bts.jury.work')
        Member = pool.get('bts.jury.member')
        Body = pool.get('bts.jury.body')
        AcademicYear = pool.get('bts.academic_year')
        work, member, body, year = (Work.__table__(), Member.__table__(),
            Body.__table__(), AcademicYear.__table__())
        works = work.join(member, condition=work.member == member.id
            ).join(body, condition=member.body == body.id
            ).join(year, 'LEFT',
                condition=(work.kind == 'operation')
                & (year.start_date <= work.date)
                & (year.end_date >= work.date))
        keys = [body.programme, work.kind, year.id]
        columns = [Max(work.create_date).as_('create_date'),
            Max(work.write_date).as_('write_date'),
            body.programme.as_('programme'), work.kind.as_('kind'),
            year.id.as_('academic_year')]
        rows = Union(
            works.select(
                (Min(work.id) * 2).as_('id'), *columns,
                Literal(None).as_('party'), Sum(work.hours).as_('hours'),
                group_by=keys),
            works.select(
                (Min(work.id) * 2 + 1).as_('id'), *columns,
                member.party.as_('party'), Sum(work.hours).as_('hours'),
                where=work.kind.in_(list(MEMBER_LIMITS)),
                group_by=keys + [member.party]),
            all_=True)
        return rows.select(
            rows.id,
            Literal(0).as_('create_uid'), rows.create_date,
            Literal(0).as_('write_uid'), rows.write_date,
            rows.programme, rows.kind, rows.academic_year, rows.party,
            rows.hours)

    def get_rec_name(self, name):
        names = [self.programme.rec_name, self.kind_string]
        if self.academic_year:
            names.append(self.academic_year.rec_name)
        if self.party:
            names.append(self.party.rec_name)
        return ' - '.join(names)

    @classmethod
    def get_limit(cls, usages, names):
        result = {n: {} for n in names}
        for usage in usages:
            limit = (MEMBER_LIMITS if usage.party else GROUP_LIMITS)[
                usage.kind]
            level = None
            if usage.hours > limit:
                level = 'danger'
            elif usage.hours > limit * WARNING_SHARE:
                level = 'warning'
            values = {
                'limit': limit,
                'remaining': limit - usage.hours,
                'level': level,
                }
            for name in names:
                result[name][usage.id] = values[name]
        return result
