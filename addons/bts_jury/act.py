# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import ModelSQL, ModelView, Unique, fields

from .body import ROLES
from .sitting import Sitting

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
# The acts paid for taking part in sittings: each needs a recorded sitting
# of the body in its period, the member present (vademecum §I, principes
# généraux; RULES.md §C.0, §C.14).
SITTING_UNITS = {'meeting', 'decision', 'semester', 'year'}
# The acts paid once per member of a body and period (Annex E: "taux
# annuel", "taux semestriel"; RULES.md §C.13 E7, E11, E12).
PERIOD_UNITS = {'semester', 'year'}
# The only unit counted in fractions: hours of work, supervision or
# interviews; candidates, tests, files, students, decisions and meetings are
# counted whole.
FRACTIONAL_UNITS = {'hour'}


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
        "Roles", translate=True,
        help="Who is paid for the act, as Annex E words it.")
    claimant_roles = fields.MultiSelection(
        ROLES, "Claimed by", sort=False,
        help="The roles of the body's members who may declare the act; a "
        "member of another role is refused.")
    sitting_kind = fields.Selection(
        [(None, '')] + Sitting.kind.selection, "Kind of Sitting",
        help="The kind of sitting that attests the act, when one does.")
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
        roles = f' ({self.roles})' if self.roles else ''
        return f'{self.code} {self.name}{roles}'

    def claimable_by(self, role):
        "Whether a member of the role may declare the act (Annex E)"
        return role in (self.claimant_roles or ())

    @property
    def needs_sitting(self):
        "Whether the act is paid for a sitting the member attended"
        return self.unit in SITTING_UNITS

    @property
    def once_per_period(self):
        "Whether the act is paid once per member and semester or year"
        return self.unit in PERIOD_UNITS

    @property
    def whole(self):
        "Whether the act is counted in whole units"
        return self.unit not in FRACTIONAL_UNITS

    @property
    def correction(self):
        "Whether the act is the correction of a written test of a length"
        return self.test_hours_from is not None

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
