# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder, PYSONEncoder
from trytond.transaction import Transaction, check_access


class Task(DeactivableMixin, ModelSQL, ModelView):
    """A kind of work that waits for someone: the records on which a button
    of the workflow can be pressed now (to countersign, to approve, to
    post...). Each user sees the tasks of the buttons of their groups, with
    the count of their records, within their lycées, and opens the list of
    them in one click: the home of every role (À faire)."""
    __name__ = 'bts.todo'
    __string__ = "Task"
    name = fields.Char("Name", required=True, translate=True)
    sequence = fields.Integer("Sequence")
    button = fields.Many2One(
        'ir.model.button', "Button", required=True, ondelete='CASCADE',
        help="The workflow button the task waits for: who may press it "
        "sees the task.")
    group = fields.Many2One(
        'res.group', "Group", ondelete='CASCADE',
        help="Limit the task to this group of those of the button.")
    action = fields.Many2One(
        'ir.action.act_window', "Action", required=True, ondelete='CASCADE',
        help="The list the task opens.")
    domain = fields.Char(
        "Domain", required=True,
        help="The records that wait, as a PYSON domain; "
        "Eval('user') is the current user's id, Eval('today') today.")
    count = fields.Function(fields.Integer("Count"), 'get_count')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'open': {'icon': 'tryton-forward', 'depends': []},
                })

    def records_domain(self):
        "The domain of the records that wait, for the current user"
        Date = Pool().get('ir.date')
        return PYSONDecoder({
                'user': Transaction().user,
                'today': Date.today(),
                }).decode(self.domain)

    @classmethod
    def get_count(cls, tasks, name):
        "Count as the user: within the lycées the record rules give"
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        counts = {}
        for task in tasks:
            model = task.button.model
            if ModelAccess.check(model, 'read', raise_exception=False):
                with check_access():
                    counts[task.id] = pool.get(model).search_count(
                        task.records_domain())
            else:
                counts[task.id] = None
        return counts

    @classmethod
    @ModelView.button
    def open(cls, tasks):
        "Open the list of the records that wait"
        Action = Pool().get('ir.action')
        for task in tasks[:1]:
            action, = Action.get_action_values(
                'ir.action.act_window', [task.action.id])
            action['pyson_domain'] = PYSONEncoder().encode(
                task.records_domain())
            action['domains'] = []
            action['name'] = f'{task.name} ({task.count})'
            return action
