# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""One step of the approval taken on a selection of declarations from the
list, with a summary of what passed and what was refused and why."""
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.rpc import RPC
from trytond.transaction import check_access
from trytond.wizard import (
    Button,
    StateAction,
    StateTransition,
    StateView,
    Wizard,
)


class ProcessResult(ModelView):
    "The declarations of a selection processed, and those refused"
    __name__ = 'bts.declaration.process.result'
    __string__ = "Declarations Processed"
    done = fields.Many2Many(
        'bts.declaration', None, None, "Processed", readonly=True)
    refused = fields.Text("Refused", readonly=True)
    run = fields.Many2One(
        'bts.payment.run', "Payment Run", readonly=True,
        states={'invisible': ~Eval('run')})


class Process(Wizard):
    """Take the step of the button named by ``step`` on each declaration of
    the selection, one by one, each with every check of the button taken
    alone: a refused declaration is left as it was and the others go on.
    The selection is first tried in one call, with the caps of the whole
    selection; the steps check everything before they write anything, so a
    refused call leaves nothing behind."""
    __name__ = 'bts.declaration.process'
    start = StateTransition()
    result = StateView('bts.declaration.process.result',
        'bts_indemnity.declaration_process_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])
    # The name of the button of bts.declaration: set by each subclass
    step = None
    # The state a declaration must be in for the step
    from_state = None

    def _ready(self):
        """The declarations of the selection in the state of the step, the
        others noted as refused"""
        Declaration = Pool().get('bts.declaration')
        states = dict(Declaration.fields_get(['state'])['state']['selection'])
        self._done, self._refused = [], []
        ready = []
        for declaration in self.records:
            if declaration.state == self.from_state:
                ready.append(declaration)
            else:
                self._refused.append(gettext(
                        'bts_indemnity.msg_process_wrong_state',
                        declaration=declaration.rec_name,
                        state=states[declaration.state]))
        return ready

    def transition_start(self):
        Declaration = Pool().get('bts.declaration')
        ready = self._ready()
        if ready and not self._take(ready):
            for declaration in ready:
                self._take(Declaration.browse([declaration.id]))
        return 'result'

    def _take(self, declarations):
        """Take the step on declarations, as the button would for the user;
        return whether it passed, the refusal noted when one alone"""
        Declaration = Pool().get('bts.declaration')
        try:
            with check_access():
                getattr(Declaration, self.step)(declarations)
        except UserError as error:
            if len(declarations) == 1:
                self._refused.append(gettext(
                        'bts_indemnity.msg_process_refused',
                        declaration=declarations[0].rec_name,
                        reason=error.message))
            return False
        self._done.extend(d.id for d in declarations)
        return True

    def default_result(self, fields):
        return {
            'done': sorted(self._done),
            'refused': '\n'.join(self._refused) or gettext(
                'bts_indemnity.msg_process_none_refused'),
            }


class ProcessSubmit(Process):
    "Submit the declarations of a selection"
    __name__ = 'bts.declaration.process.submit'
    step, from_state = 'submit', 'draft'


class ProcessCountersign(Process):
    "Countersign the declarations of a selection"
    __name__ = 'bts.declaration.process.countersign'
    step, from_state = 'countersign', 'submitted'


class ProcessVerify(Process):
    "Verify the declarations of a selection"
    __name__ = 'bts.declaration.process.verify'
    step, from_state = 'verify', 'countersigned'


class ProcessApprove(Process):
    "Approve the declarations of a selection, after a fresh login"
    __name__ = 'bts.declaration.process.approve'
    step, from_state = 'approve', 'verified'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # As the Approve button: Tryton's two-person pattern
        cls.__rpc__['execute'] = RPC(
            readonly=False, check_access=False, fresh_session=True)


class Pay(Process):
    """Start a payment run with the approved declarations of a selection:
    a draft run of their months, limited to them and computed, for
    ministry finance to check and post"""
    __name__ = 'bts.declaration.pay'
    open_ = StateAction('bts_indemnity.act_payment_run')
    from_state = 'approved'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Tryton keeps the base's definition of a state: extend it here
        cls.result.buttons[0].default = False
        cls.result.buttons.append(Button(
                "Open the Payment Run", 'open_', 'tryton-forward',
                default=True))

    def transition_start(self):
        Run = Pool().get('bts.payment.run')
        ready = self._ready()
        self._run = None
        if not ready:
            return 'result'
        periods = [d.period() for d in ready]
        with check_access():
            run, = Run.create([{
                        'start_date': min(start for start, _ in periods),
                        'end_date': max(end for _, end in periods),
                        }])
        # Read-only to clients: the selection is the wizard's
        Run.write([run], {'declarations': [('add', [d.id for d in ready])]})
        with check_access():
            Run.compute([run])
        self._run = run.id
        self._done = [d.id for d in ready]
        return 'result'

    def default_result(self, fields):
        return {**super().default_result(fields), 'run': self._run}

    def do_open_(self, action):
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', '=', self.result.run.id if self.result.run else -1)])
        return action, {}
