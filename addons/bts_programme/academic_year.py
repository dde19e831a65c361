# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import AcademicYearError

# Law of 21 July 2023, art. 1, 4°: the academic year "commence le
# 15 septembre et se termine le 14 septembre de l'année suivante".
YEAR_START = (9, 15)
# RULES.md §K.3: default semester split; the dates stay editable data.
SUMMER_START = (2, 15)


def add_months(date, months):
    """Return date moved by months (negative: back); a day the month
    reached does not have becomes its last day (29 February 2024 + 12
    months is 28 February 2025, 31 March + 1 month is 30 April).

    The one month arithmetic of the BTS modules: every window, mandate and
    deadline counted in months uses it, window_end or day_of_month."""
    return date + relativedelta(months=months)


def day_of_month(year, month, day):
    """Return the day of month in year, or the month's last day when it has
    no such day (a deadline on 29 February in a common year)"""
    return dt.date(year, month, 1) + relativedelta(day=day)


def format_date(date):
    "The date as the user's language writes it: dd/mm/yyyy in French"
    return Pool().get('ir.lang').get().strftime(date) if date else ''


def window_end(start, months):
    """Return the last day of a window of months "à compter de" start: the
    day before the same date months later (1 March 2025 + 24 months ends on
    28 February 2027, RULES.md §K.16). When the month reached has no such
    date (a start on 29 February, or on the 31st), the window runs to the
    end of that month (29 February 2024 + 24 months ends on
    28 February 2026)."""
    later = add_months(start, months)
    if later.day != start.day:
        return later
    return later - dt.timedelta(days=1)


class PeriodMixin:
    """A period from start_date to end_date found by a date (find), each
    date's period kept in a cache that any change of the periods clears:
    every line entered asks for its academic year and semester"""
    __slots__ = ()

    @classmethod
    def find(cls, date):
        "Return the period that contains date or raise its missing error"
        id_ = cls._find_cache.get(date, -1)
        if id_ == -1:
            records = cls.search([
                    ('start_date', '<=', date),
                    ('end_date', '>=', date),
                    ], limit=1)
            id_ = cls._find_cache.set(
                date, records[0].id if records else None)
        if id_ is None:
            raise AcademicYearError(gettext(
                    f'bts_programme.msg_{cls._missing}', date=date))
        return cls(id_)

    @classmethod
    def create(cls, vlist):
        cls._find_cache.clear()
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        cls._find_cache.clear()
        super().write(*args)

    @classmethod
    def delete(cls, records):
        cls._find_cache.clear()
        super().delete(records)


class AcademicYear(PeriodMixin, ModelSQL, ModelView):
    """Année d'études: academic year from 15 September to 14 September of the
    next year, divided into a winter and a summer semester
    (law of 21 July 2023, art. 1, 4°)."""
    __name__ = 'bts.academic_year'
    __string__ = "Academic Year"
    _find_cache = Cache('bts.academic_year.find', context=False)
    _missing = 'academic_year_missing'
    name = fields.Char("Name", required=True)
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date("End Date", required=True)
    semesters = fields.One2Many(
        'bts.semester', 'academic_year', "Semesters")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('start_date_unique', Unique(t, t.start_date),
                'bts_programme.msg_academic_year_unique'),
            ]
        cls._order.insert(0, ('start_date', 'DESC'))

    @fields.depends('start_date', 'semesters')
    def on_change_start_date(self):
        Semester = Pool().get('bts.semester')
        if self.start_date:
            values = self._year_defaults(self.start_date)
            self.name = values['name']
            self.end_date = values['end_date']
            self.semesters = [Semester(**v) for v in values['semesters']]

    @staticmethod
    def _year_defaults(start_date):
        # The law fixes both dates (art. 1, 4°: "se termine le 14 septembre
        # de l'année suivante"): not a window of 12 months from whatever
        # start was typed, so a year typed from 1 September still ends on
        # 14 September and check_dates names the start that is wrong.
        end_date = dt.date(start_date.year + 1, *YEAR_START) - dt.timedelta(1)
        summer = dt.date(start_date.year + 1, *SUMMER_START)
        return {
            'name': f'{start_date.year}/{start_date.year + 1}',
            'end_date': end_date,
            'semesters': [
                {'kind': 'winter', 'start_date': start_date,
                    'end_date': summer - dt.timedelta(1)},
                {'kind': 'summer', 'start_date': summer,
                    'end_date': end_date},
                ],
            }

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('start_date'):
            defaults = cls._year_defaults(values['start_date'])
            defaults['semesters'] = [('create', defaults['semesters'])]
            for name, value in defaults.items():
                values.setdefault(name, value)
        return values

    @classmethod
    def validate_fields(cls, years, field_names):
        super().validate_fields(years, field_names)
        cls.check_dates(years, field_names)

    @classmethod
    def check_dates(cls, years, field_names=None):
        "Law of 2023, art. 1, 4°: from 15 September to 14 September"
        if field_names and not (field_names & {'start_date', 'end_date'}):
            return
        for year in years:
            start = year.start_date
            if ((start.month, start.day) != YEAR_START
                    or year.end_date != cls._year_defaults(
                        start)['end_date']):
                raise AcademicYearError(gettext(
                        'bts_programme.msg_academic_year_dates',
                        year=year.rec_name,
                        start_date=year.start_date,
                        end_date=year.end_date))


class Semester(PeriodMixin, ModelSQL, ModelView):
    "Semester (semestre d'hiver / semestre d'été) of an academic year"
    __name__ = 'bts.semester'
    __string__ = "Semester"
    _find_cache = Cache('bts.semester.find', context=False)
    _missing = 'semester_missing'
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='CASCADE')
    kind = fields.Selection([
            ('winter', "Winter Semester"),
            ('summer', "Summer Semester"),
            ], "Kind", required=True)
    kind_string = kind.translated('kind')
    start_date = fields.Date(
        "Start Date", required=True,
        domain=[('start_date', '<=', Eval('end_date'))])
    end_date = fields.Date(
        "End Date", required=True,
        domain=[('end_date', '>=', Eval('start_date'))])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('kind_unique', Unique(t, t.academic_year, t.kind),
                'bts_programme.msg_semester_kind_unique'),
            ]
        cls.__access__.add('academic_year')
        cls._order.insert(0, ('start_date', 'ASC'))

    def get_rec_name(self, name):
        return f'{self.kind_string} {self.academic_year.name}'

    @classmethod
    def validate_fields(cls, semesters, field_names):
        super().validate_fields(semesters, field_names)
        cls.check_within_year(semesters, field_names)

    @classmethod
    def check_within_year(cls, semesters, field_names=None):
        "Semesters lie inside their academic year and do not overlap"
        if field_names and not (
                field_names & {'start_date', 'end_date', 'academic_year'}):
            return
        for semester in semesters:
            year = semester.academic_year
            others = [s for s in year.semesters if s != semester]
            if (semester.start_date < year.start_date
                    or semester.end_date > year.end_date
                    or any(o.start_date <= semester.end_date
                        and o.end_date >= semester.start_date
                        for o in others)):
                raise AcademicYearError(gettext(
                        'bts_programme.msg_semester_dates',
                        semester=semester.rec_name,
                        start_date=semester.start_date,
                        end_date=semester.end_date,
                        year=year.rec_name))
