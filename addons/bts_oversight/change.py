# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Changes to an accredited programme (law of 21 July 2023, art. 43): a
request submitted at least three months before it applies, approved by the
minister before it takes effect; the study plan of an accredited programme
changes only through an approved request, on its effective date."""
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.bts_programme.academic_year import add_months
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.modules.bts_programme.programme import ACCREDITED_STATES
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

# Art. 43: "au moins trois mois avant son implémentation pratique"
NOTICE_MONTHS = 3
# The private context key under which an approved change applies its lines:
# the RPC layer drops a client's private keys, so only the server sets it.
APPLYING = '_bts_programme_change'


class ChangeError(UserError):
    pass


def plan_locked(programme):
    """Whether the study plan of programme is the accredited one: while
    accredited, and during a re-accreditation under the previous decision"""
    return programme.state in ACCREDITED_STATES or (
        programme.accreditation_kind == 'renewal'
        and programme.state in {'requested', 'admissible'}
        and bool(programme.decision_date))


class Change(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Modification d'un programme accrédité: a change to the study plan or
    the activity plan of an accredited programme, with its reasons and
    content, submitted by the lycée at least three months before it applies
    and approved by the minister before it takes effect (law of 21 July
    2023, art. 43)."""
    __name__ = 'bts.programme.change'
    __string__ = "Programme Change"
    _draft = {'readonly': Eval('state') != 'draft'}
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, ondelete='RESTRICT',
        domain=[('state', 'in', list(ACCREDITED_STATES))], states=_draft)
    kind = fields.Selection([
            ('study_plan', "Study Plan"),
            ('activity_plan', "Activity Plan"),
            ], "Kind", required=True, states=_draft)
    effective_date = fields.Date(
        "Effective Date", required=True, states=_draft,
        help="The day the change applies.")
    notice_deadline = fields.Function(
        fields.Date("Request Deadline",
            help="Three months before the effective date (art. 43)."),
        'on_change_with_notice_deadline')
    reasons = fields.Text("Reasons", required=True, states=_draft)
    description = fields.Text("Content", states=_draft)
    lines = fields.One2Many(
        'bts.programme.change.line', 'change', "Study Plan Changes",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('kind') != 'study_plan',
            })
    submission_date = fields.Date("Submission Date", readonly=True)
    approval_date = fields.Date("Approval Date", readonly=True)
    decision_reference = fields.Char(
        "Decision Reference",
        states={'readonly': Eval('state') != 'submitted'})
    applied_date = fields.Date("Applied On", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "Submitted"),
            ('approved', "Approved"),
            ('refused', "Refused"),
            ('applied', "Applied"),
            ], "State", readonly=True, required=True, sort=False)
    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('programme')
        cls._order = [('effective_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'approved'),
            ('submitted', 'refused'),
            ('approved', 'applied'),
            }
        cls._buttons.update({
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward', 'depends': ['state']},
                'approve': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-ok', 'depends': ['state']},
                'refuse': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-cancel', 'depends': ['state']},
                'apply': {
                    'invisible': Eval('state') != 'approved',
                    'icon': 'tryton-launch', 'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'study_plan'

    def get_rec_name(self, name):
        return f'{self.programme.rec_name} ({self.effective_date})'

    @fields.depends('effective_date')
    def on_change_with_notice_deadline(self, name=None):
        if self.effective_date:
            return add_months(self.effective_date, -NOTICE_MONTHS)

    @classmethod
    def _today(cls):
        return Pool().get('ir.date').today()

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, changes):
        "Art. 43: at least three months before the change applies"
        today = cls._today()
        for change in changes:
            if today > change.notice_deadline:
                raise ChangeError(gettext(
                        'bts_oversight.msg_change_notice',
                        change=change.rec_name, date=today,
                        deadline=change.notice_deadline))
            change.submission_date = today
        cls.save(changes)

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, changes):
        "Art. 43: approved before the change takes effect"
        today = cls._today()
        for change in changes:
            if today >= change.effective_date:
                raise ChangeError(gettext(
                        'bts_oversight.msg_change_approval_late',
                        change=change.rec_name, date=today))
            change.approval_date = today
        cls.save(changes)

    @classmethod
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, changes):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('applied')
    def apply(cls, changes):
        "Apply the approved lines on or after the effective date"
        pool = Pool()
        Line = pool.get('bts.programme.change.line')
        Programme = pool.get('bts.programme')
        today = cls._today()
        for change in changes:
            if today < change.effective_date:
                raise ChangeError(gettext(
                        'bts_oversight.msg_change_not_yet',
                        change=change.rec_name,
                        date=change.effective_date))
            with Transaction().set_context({APPLYING: change.id}):
                Line.apply(change.lines)
            # The plan keeps the law once every line is applied
            Programme.check_study_plan([change.programme])
            change.applied_date = today
        cls.save(changes)

    @classmethod
    def covers(cls, programme):
        """Whether the change applying in the context is an approved change
        of programme whose effective date has come"""
        change_id = Transaction().context.get(APPLYING)
        if not change_id:
            return False
        change = cls(change_id)
        return (change.programme == programme
            and change.state == 'approved'
            and change.effective_date <= cls._today())


class ChangeLine(ClientGuardMixin, ModelSQL, ModelView):
    """A course added to a module of the study plan, or a course whose
    name, ECTS or planned lessons change"""
    __name__ = 'bts.programme.change.line'
    __string__ = "Programme Change Line"
    _guard_parent = ('change', 'lines')
    change = fields.Many2One(
        'bts.programme.change', "Change", required=True, ondelete='CASCADE')
    action = fields.Selection([
            ('add', "Add a Course"),
            ('modify', "Modify a Course"),
            ], "Action", required=True)
    module = fields.Many2One(
        'bts.programme.module', "Module", ondelete='RESTRICT',
        domain=[('programme', '=', Eval('_parent_change.programme', -1))],
        states={
            'required': Eval('action') == 'add',
            'invisible': Eval('action') != 'add',
            })
    course = fields.Many2One(
        'bts.programme.course', "Course", ondelete='RESTRICT',
        domain=[('programme', '=', Eval('_parent_change.programme', -1))],
        states={
            'required': Eval('action') == 'modify',
            'invisible': Eval('action') != 'modify',
            })
    code = fields.Char("Code", states={
            'required': Eval('action') == 'add',
            })
    name = fields.Char("Name", states={
            'required': Eval('action') == 'add',
            })
    ects = fields.Numeric("ECTS", digits=(16, 1), states={
            'required': Eval('action') == 'add',
            })
    planned_lessons = fields.Integer(
        "Planned Lessons",
        domain=['OR', ('planned_lessons', '=', None),
            ('planned_lessons', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('change')

    @classmethod
    def default_action(cls):
        return 'add'

    def values(self):
        "The values the line gives the course"
        return {name: getattr(self, name)
            for name in ['code', 'name', 'ects', 'planned_lessons']
            if getattr(self, name) is not None}

    @classmethod
    def apply(cls, lines):
        Course = Pool().get('bts.programme.course')
        to_create = [{'module': line.module.id, **line.values()}
            for line in lines if line.action == 'add']
        to_write = []
        for line in lines:
            if line.action == 'modify':
                to_write.extend(([line.course], line.values()))
        if to_create:
            Course.create(to_create)
        if to_write:
            Course.write(*to_write)


class PlanChangeMixin:
    """The study plan of an accredited programme changes only through an
    approved change request, on its effective date (art. 43)"""
    __slots__ = ()

    @classmethod
    def _plan_programmes(cls, records, values):
        raise NotImplementedError

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        Change = Pool().get('bts.programme.change')
        for programme in cls._plan_programmes(records, values or {}):
            if plan_locked(programme) and not Change.covers(programme):
                raise ChangeError(gettext(
                        'bts_oversight.msg_change_required',
                        programme=programme.rec_name))


class Module(PlanChangeMixin, metaclass=PoolMeta):
    __name__ = 'bts.programme.module'

    @classmethod
    def _plan_programmes(cls, modules, values):
        Programme = Pool().get('bts.programme')
        programmes = {m.programme for m in modules}
        if values.get('programme'):
            programmes.add(Programme(values['programme']))
        return programmes

    @classmethod
    def _check_accredited_plans(cls, modules):
        "An applying change checks the plan once all its lines are applied"
        if not Transaction().context.get(APPLYING):
            super()._check_accredited_plans(modules)


class Course(PlanChangeMixin, metaclass=PoolMeta):
    __name__ = 'bts.programme.course'

    @classmethod
    def _plan_programmes(cls, courses, values):
        Module = Pool().get('bts.programme.module')
        programmes = {c.module.programme for c in courses}
        if values.get('module'):
            programmes.add(Module(values['module']).programme)
        return programmes
