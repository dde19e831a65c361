# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import ModelSQL, ModelView, Unique, fields

UNITS = [
    ('test', "Per Test"),
    ('hour', "Hourly"),
    ('candidate', "Per Candidate"),
    ('year', "Annual"),
    ('semester', "Semestrial"),
    ('file', "Per File"),
    ('student', "Per Student"),
    ('decision', "Per Decision"),
    ('meeting', "Per Meeting"),
    ]


class Act(ModelSQL, ModelView):
    """An act of Annex E of the law of 21 July 2023 with its unit and its
    rate at index 100, dated so that a later regulation can change it"""
    __name__ = 'bts.jury.act'
    __string__ = "Annex E Act"
    code = fields.Char("Code", required=True)
    body_type = fields.Many2One(
        'bts.jury.body_type', "Body Type", required=True, ondelete='RESTRICT')
    name = fields.Char("Act", required=True, translate=True)
    roles = fields.Char(
        "Roles", translate=True, help="Who is paid for the act.")
    unit = fields.Selection(UNITS, "Unit", required=True)
    test_hours_from = fields.Numeric(
        "Test Longer than (Hours)", digits=(4, 1),
        help="Written-test corrections: the band of test lengths the rate "
        "applies to.")
    test_hours_to = fields.Numeric(
        "Test up to (Hours)", digits=(4, 1),
        help="Empty for the longest band.")
    amount = fields.Numeric(
        "Amount at Index 100", digits=(16, 2), required=True)
    valid_from = fields.Date("Valid From", required=True)
    valid_to = fields.Date("Valid To")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_valid_from_unique', Unique(t, t.code, t.valid_from),
                'bts_jury.msg_act_unique'),
            ]
        cls._order[0:0] = [('code', 'ASC'), ('valid_from', 'DESC')]

    def get_rec_name(self, name):
        return f'{self.code} {self.name} ({self.roles or ""})'

    @classmethod
    def correction_act(cls, test_hours, date):
        """Return the correction act in force on date for a written test of
        test_hours: up to 2 h, up to 3 h, longer (RULES.md §K.5)"""
        for act in cls.search([
                    ('test_hours_from', '!=', None),
                    ('valid_from', '<=', date),
                    ['OR', ('valid_to', '=', None), ('valid_to', '>=', date)],
                    ]):
            if act.test_hours_from < test_hours and (
                    act.test_hours_to is None
                    or test_hours <= act.test_hours_to):
                return act
