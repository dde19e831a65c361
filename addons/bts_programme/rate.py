# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields

from .exceptions import RateError

KINDS = [
    ('external_r1', "External Lecturer, CLQ 7-8 or Art. 11 e)"),
    ('external_r2', "External Lecturer, CLQ 6 or Art. 11 d)"),
    ('external_r3', "External Lecturer, CLQ 5 or Art. 11 c)"),
    ('external_r4', "External Lecturer, below CLQ 5, Art. 11 a)-b) or "
        "no direct link"),
    ('specialised', "Specialised Lecturer"),
    ('auxiliary', "Auxiliary Collaborator"),
    ('tutor', "External Tutor"),
    ]
UNITS = {
    'auxiliary': 'hour',
    'tutor': 'student_year',
    }
# Law of 21 July 2023, art. 9(2) al. 2: at most 18.511 per lesson at index
# 100 for external providers and auxiliary collaborators; art. 8 al. 3: at
# most 21 a year for a tutor (per student, RULES.md §K.5).
CEILINGS = {
    'tutor': (Decimal('21'), 'bts_programme.msg_article_8_3'),
    }
LESSON_CEILING = (Decimal('18.511'), 'bts_programme.msg_article_9_2_2')


class Rate(ModelSQL, ModelView):
    """Rate at index 100 of an external provider's service, per lesson, hour
    or student and year (RGD of 21 July 2023 as reproduced in the
    vademecum, §II.1-3; law of 2023, arts. 8 and 9)."""
    __name__ = 'bts.rate'
    __string__ = "Rate"
    kind = fields.Selection(KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    valid_from = fields.Date("Valid From", required=True)
    amount = fields.Numeric(
        "Amount at Index 100", digits=(16, 3), required=True)
    unit = fields.Function(fields.Selection([
                ('lesson', "Lesson"),
                ('hour', "Hour"),
                ('student_year', "Student and Year"),
                ], "Unit"), 'on_change_with_unit')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('kind_valid_from_unique', Unique(t, t.kind, t.valid_from),
                'bts_programme.msg_rate_unique'),
            ]
        cls._order[0:0] = [('kind', 'ASC'), ('valid_from', 'DESC')]

    @fields.depends('kind')
    def on_change_with_unit(self, name=None):
        return UNITS.get(self.kind, 'lesson')

    def get_rec_name(self, name):
        return f'{self.kind_string} {self.amount} ({self.valid_from})'

    @classmethod
    def validate_fields(cls, rates, field_names):
        super().validate_fields(rates, field_names)
        cls.check_ceiling(rates, field_names)

    @classmethod
    def check_ceiling(cls, rates, field_names=None):
        "Refuse a rate above the legal ceiling (RULES.md §H.3)"
        if field_names and not (field_names & {'kind', 'amount'}):
            return
        for rate in rates:
            ceiling, article = CEILINGS.get(rate.kind, LESSON_CEILING)
            if rate.amount > ceiling or rate.amount <= 0:
                raise RateError(gettext(
                        'bts_programme.msg_rate_ceiling',
                        rate=rate.kind_string, amount=rate.amount,
                        ceiling=ceiling, article=gettext(article)))

    @classmethod
    def get(cls, kind, date):
        "Return the rate of kind in force on date or raise an error"
        rates = cls.search([
                ('kind', '=', kind),
                ('valid_from', '<=', date),
                ], order=[('valid_from', 'DESC')], limit=1)
        if not rates:
            raise RateError(gettext(
                    'bts_programme.msg_rate_missing',
                    rate=dict(cls.fields_get(['kind'])['kind']['selection'])[
                        kind],
                    date=date))
        return rates[0]
