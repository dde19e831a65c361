# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.modules.bts_programme.wage_index import EuroMixin
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .declaration import MonthMixin, declared_period
from .exceptions import DeclarationError


class Submission(
        MonthMixin, EuroMixin, ClientGuardMixin, ModelSQL, ModelView):
    """Body submission (envoi groupé): the act declarations of a body's
    members for a month, or for the academic year of a curriculum group,
    submitted together with the attendance lists of the sittings and, for a
    curriculum group, the recap of hours countersigned by the director
    (vademecum §I, principes généraux; RULES.md §C.14 2.)"""
    __name__ = 'bts.declaration.submission'
    __string__ = "Body Submission"
    body = fields.Many2One(
        'bts.jury.body', "Body", required=True, ondelete='RESTRICT',
        domain=[('state', '=', 'nominated')],
        states={'readonly': Eval('state') != 'draft'})
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    month = fields.Date(
        "Month", required=True,
        states={'readonly': Eval('state') != 'draft'},
        context={'date_format': '%m/%Y'},
        help="The month declared (month/year); for a curriculum group, the "
        "first month of the academic year.")
    yearly = fields.Function(
        fields.Boolean("Yearly"), 'on_change_with_yearly')
    declarations = fields.One2Many(
        'bts.declaration', 'submission', "Declarations",
        domain=[
            ('kind', '=', 'acts'),
            ('lycee', '=', Eval('lycee', -1)),
            ('month', '=', Eval('month', None)),
            ('member.body', '=', Eval('body', -1)),
            ],
        add_remove=[
            ('kind', '=', 'acts'),
            ('state', '=', 'draft'),
            ('submission', '=', None),
            ])
    sittings = fields.Function(fields.Many2Many(
            'bts.jury.sitting', None, None, "Sittings and Attendance Lists",
            readonly=True),
        'get_sittings')
    recap = fields.Function(fields.Many2Many(
            'bts.jury.work', None, None, "Recap of Hours", readonly=True,
            states={'invisible': ~Eval('yearly')}),
        'get_recap')
    recap_countersigned_by = fields.Many2One(
        'res.user', "Recap Countersigned by", readonly=True,
        states={'invisible': ~Eval('yearly')})
    recap_countersigned_on = fields.DateTime(
        "Recap Countersigned on", readonly=True,
        states={'invisible': ~Eval('yearly')})
    amount = fields.Function(
        fields.Numeric("Amount", digits=(16, 2)), 'get_amount')
    state = fields.Function(fields.Selection([
                ('draft', "Draft"),
                ('submitted', "Submitted"),
                ], "State"), 'get_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]
        table = cls.__table__()
        cls._sql_constraints += [
            ('body_month_unique', Unique(table, table.body, table.month),
                'bts_indemnity.msg_submission_unique'),
            ]
        cls._buttons.update({
                'countersign_recap': {
                    'invisible': (~Eval('yearly')
                        | Eval('recap_countersigned_by')
                        | (Eval('state') != 'draft')),
                    'icon': 'tryton-ok',
                    'depends': ['yearly', 'recap_countersigned_by', 'state'],
                    },
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                })

    @fields.depends('body', '_parent_body.body_type')
    def on_change_with_yearly(self, name=None):
        return bool(self.body
            and self.body.body_type.code == 'curriculum_group')

    @fields.depends('body', 'month', '_parent_body.academic_year')
    def on_change_body(self):
        "A curriculum group declares once for its academic year"
        if self.on_change_with_yearly():
            self.month = self.body.academic_year.start_date.replace(day=1)

    def get_rec_name(self, name):
        return f'{self.body.rec_name} {self.month:%m/%Y}'

    def period(self):
        "The first and last day of the sittings and acts submitted"
        return declared_period(self.month, self.yearly)

    def get_sittings(self, name):
        start, end = self.period()
        return [s.id for s in self.body.sittings if start <= s.date <= end]

    def get_recap(self, name):
        Work = Pool().get('bts.jury.work')
        if not self.yearly:
            return []
        start, end = self.period()
        return [w.id for w in Work.search([
                    ('member.body', '=', self.body.id),
                    ('date', '>=', start), ('date', '<=', end),
                    ], order=[('member', 'ASC'), ('date', 'ASC')])]

    def get_amount(self, name):
        return sum((d.amount for d in self.declarations), Decimal(0))

    @property
    def drafts(self):
        return [d for d in self.declarations if d.state == 'draft']

    def get_state(self, name):
        return 'draft' if self.drafts or not self.declarations \
            else 'submitted'

    @classmethod
    def validate(cls, submissions):
        super().validate(submissions)
        for submission in submissions:
            submission.check_declarations()

    def check_declarations(self):
        "Every declaration is of a member of the body, for its lycée and month"
        for declaration in self.declarations:
            if (declaration.kind != 'acts'
                    or declaration.member.body != self.body
                    or declaration.lycee != self.lycee
                    or declaration.month != self.month):
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_submission_declaration',
                        declaration=declaration.rec_name,
                        submission=self.rec_name, body=self.body.rec_name))

    @classmethod
    @ModelView.button
    def countersign_recap(cls, submissions):
        "The lycée director countersigns the recap of the group's hours"
        cls.write(submissions, {
                'recap_countersigned_by': Transaction().user,
                'recap_countersigned_on': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    def submit(cls, submissions):
        """Submit the draft declarations of each body submission together,
        once the attendance lists of the period are recorded"""
        Declaration = Pool().get('bts.declaration')
        declarations = []
        for submission in submissions:
            if not submission.drafts:
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_submission_nothing',
                        submission=submission.rec_name))
            for sitting in submission.sittings:
                if sitting.state != 'recorded':
                    raise DeclarationError(gettext(
                            'bts_indemnity.msg_submission_attendance',
                            submission=submission.rec_name,
                            sitting=sitting.rec_name))
            if submission.yearly and not submission.recap_countersigned_by:
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_submission_recap',
                        submission=submission.rec_name))
            declarations.extend(submission.drafts)
        Declaration.submit(declarations)
