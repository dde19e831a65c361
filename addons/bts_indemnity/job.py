# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Background jobs: the long work a user starts (an import of declarations,
the computation or the posting of a payment run) run by the queue
(``ir.queue``: ``trytond-worker``, or trytond itself after the commit
without ``[queue] worker``) instead of the user's request. A job records
who started it, its progress, its report or why it failed; the user is
notified when it ends."""
import datetime as dt
import logging

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, TransactionError, check_access

from .declaration_import import import_in_chunks, read_rows
from .exceptions import PaymentRunError

logger = logging.getLogger(__name__)


class Job(ClientGuardMixin, ModelSQL, ModelView):
    """Background job: long work of a user run by the queue, with its
    progress; its state, progress and report are written by the job only"""
    __name__ = 'bts.job'
    __string__ = "Background Job"
    kind = fields.Selection([
            ('import', "Declaration Import"),
            ('compute', "Payment Run Computation"),
            ('post', "Payment Run Posting"),
            ], "Kind", readonly=True, required=True)
    kind_string = kind.translated('kind')
    state = fields.Selection([
            ('queued', "Queued"),
            ('running', "Running"),
            ('done', "Done"),
            ('failed', "Failed"),
            ], "State", readonly=True, required=True, sort=False)
    user = fields.Many2One(
        'res.user', "User", readonly=True, required=True,
        help="Who started the job: it runs with this user's rights.")
    lycee = fields.Many2One('bts.lycee', "Lycée", readonly=True)
    file = fields.Binary(
        "File", filename='filename', readonly=True,
        states={'invisible': Eval('kind') != 'import'})
    filename = fields.Char(
        "File Name", readonly=True,
        states={'invisible': Eval('kind') != 'import'})
    payment_run = fields.Many2One(
        'bts.payment.run', "Payment Run", readonly=True,
        states={'invisible': Eval('kind') == 'import'})
    done = fields.Integer("Done", readonly=True)
    total = fields.Integer("Total", readonly=True)
    progress = fields.Function(
        fields.Float("Progress", digits=(1, 2)), 'get_progress')
    started = fields.DateTime("Started", readonly=True)
    ended = fields.DateTime("Ended", readonly=True)
    report = fields.Text("Report", readonly=True)
    error = fields.Text(
        "Error", readonly=True,
        states={'invisible': Eval('state') != 'failed'})
    declarations = fields.Many2Many(
        'bts.job-bts.declaration', 'job', 'declaration', "Declarations",
        readonly=True, states={'invisible': Eval('kind') != 'import'},
        help="The declarations that received lines.")
    # Only a job that ended may be deleted.
    _guard_deletable = {'done', 'failed'}

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'DESC')]

    @classmethod
    def default_state(cls):
        return 'queued'

    @classmethod
    def default_user(cls):
        return Transaction().user

    @classmethod
    def default_done(cls):
        return 0

    @classmethod
    def default_total(cls):
        return 0

    def get_rec_name(self, name):
        return f'{self.kind_string} #{self.id}'

    def get_progress(self, name):
        "The part done, from 0 to 1"
        if self.state == 'done':
            return 1.0
        if not self.total:
            return 0.0
        return round(self.done / self.total, 2)

    @classmethod
    def enqueue(cls, jobs):
        """Save the jobs and queue them: they run after the commit, by a
        worker or by trytond itself"""
        cls.save(jobs)
        cls.__queue__.process(jobs)

    @classmethod
    def process(cls, jobs):
        "Run the jobs, each in the transaction of its task"
        for job in jobs:
            # A task retried after a database error finds its job running.
            if job.state in {'queued', 'running'}:
                job._process()

    def _process(self):
        """Run the job: its work is committed, or rolled back and the
        reason kept, before the job is marked done or failed"""
        pool = Pool()
        Job = pool.get('bts.job')
        transaction = Transaction()
        language = self.user.language.code if self.user.language else None
        self._update(state='running', started=dt.datetime.now(), done=0)
        with transaction.set_context(language=language):
            try:
                values = getattr(self, f'_process_{self.kind}')()
            except (backend.DatabaseOperationalError, TransactionError):
                # The queue retries the task.
                raise
            except Exception as exception:
                transaction.rollback()
                if isinstance(exception, UserError):
                    error = exception.message
                else:
                    logger.exception("%s failed", self)
                    error = gettext('bts_indemnity.msg_job_unexpected')
                values = {'state': 'failed', 'error': error}
            else:
                transaction.commit()
                values['state'] = 'done'
            values['ended'] = dt.datetime.now()
            # A fresh instance: the rollback cleared what this one read.
            job = Job(self.id)
            Job.write([job], values)
            job._notify()

    def _update(self, **values):
        """Write values, the progress, so that the others see them while
        the job runs: in a transaction of its own (where the backend has
        them: SQLite shares one connection, the job's transaction)"""
        Job = self.__class__
        if backend.name == 'sqlite':
            Job.write([Job(self.id)], values)
            return
        with Transaction().new_transaction():
            Job.write([Job(self.id)], values)

    def _notify(self):
        "Tell the user who started the job that it ended"
        if self.state == 'done':
            icon, label = 'tryton-ok', 'msg_job_done'
            description = (self.report or '').splitlines()[:1]
        else:
            icon, label = 'tryton-error', 'msg_job_failed'
            description = [self.error]
        self.__class__.notify_user([self], icon,
            gettext(f'bts_indemnity.{label}', job=self.rec_name),
            description=description[0] if description else None,
            user=self.user.id)

    def _process_import(self):
        "Import the file, its progress written every chunk of rows"
        rows = read_rows(self.file, self.filename)
        self._update(total=len(rows))
        report = import_in_chunks(self.lycee, rows,
            progress=lambda done, total: self._update(done=done))
        return {
            'report': report.text(),
            'declarations': [('add', [d.id for d in report.declarations])],
            }

    def _process_compute(self):
        "Compute the payment run as its button does"
        Run = Pool().get('bts.payment.run')
        run = self.payment_run
        self._update(total=1)
        with check_access():
            Run.compute([run])
        return {'done': 1, 'report': self._run_report(Run(run.id))}

    def _process_post(self):
        "Post the payment run as its button does"
        Run = Pool().get('bts.payment.run')
        run = self.payment_run
        self._update(total=1)
        with check_access():
            Run.post([run])
        run = Run(run.id)
        return {'done': 1, 'report': '\n'.join([
                    gettext('bts_indemnity.msg_run_cli_posted',
                        run=run.rec_name),
                    self._run_report(run)])}

    @staticmethod
    def _run_report(run):
        return gettext('bts_indemnity.msg_job_run_report',
            run=run.rec_name, beneficiaries=len(run.beneficiaries),
            amount=run.amount, blocked_amount=run.blocked_amount)


class JobDeclaration(ModelSQL):
    "Job - Declaration"
    __name__ = 'bts.job-bts.declaration'
    job = fields.Many2One(
        'bts.job', "Job", required=True, ondelete='CASCADE')
    declaration = fields.Many2One(
        'bts.declaration', "Declaration", required=True, ondelete='CASCADE')


class PaymentRun(metaclass=PoolMeta):
    __name__ = 'bts.payment.run'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        draft = Eval('state') != 'draft'
        cls._buttons.update({
                'compute_background': {
                    'invisible': draft,
                    'icon': 'tryton-refresh', 'depends': ['state']},
                'post_background': {
                    'invisible': draft,
                    'icon': 'tryton-launch', 'depends': ['state']},
                })

    @classmethod
    @ModelView.button_action('bts_indemnity.act_job_form')
    def compute_background(cls, runs):
        "Compute the runs as background jobs"
        return cls._background(runs, 'compute')

    @classmethod
    @ModelView.button_action('bts_indemnity.act_job_form')
    def post_background(cls, runs):
        "Post the runs as background jobs"
        return cls._background(runs, 'post')

    @classmethod
    def _background(cls, runs, kind):
        """Queue a job of kind per run, none while another job of the run
        waits or runs; return the action's values showing the jobs"""
        Job = Pool().get('bts.job')
        pending = Job.search([
                ('payment_run', 'in', [r.id for r in runs]),
                ('state', 'in', ['queued', 'running']),
                ], limit=1)
        if pending:
            job, = pending
            raise PaymentRunError(gettext(
                    'bts_indemnity.msg_job_run_pending',
                    run=job.payment_run.rec_name, job=job.rec_name))
        jobs = [Job(kind=kind, payment_run=run, lycee=run.lycee)
            for run in runs]
        Job.enqueue(jobs)
        return {'res_id': [j.id for j in jobs]}
