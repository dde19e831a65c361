# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Background jobs: a large import started from the wizard and the steps of
a payment run run by the queue, with their progress, report or error; read
only by the lycée's users and the ministry, written by no client."""
import datetime as dt
import unittest

import trytond.config as config
from proteus import Model, Wizard
from trytond.model.modelstorage import AccessError
from trytond.modules.bts_indemnity.declaration_import import SYNC_ROWS
from trytond.modules.bts_programme.tests.tools import create_lycee
from trytond.pool import Pool
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules, set_user
from trytond.transaction import Transaction
from trytond.worker import run_task

from .tools import approve, lessons, ministry_and_contract, step_user

# Rows past one chunk (CHUNK = 500): the progress is written twice.
ROWS = 600


class JobTestCase(unittest.TestCase):
    "Long work run by the queue, its progress visible"

    @classmethod
    def setUpClass(cls):
        drop_db()
        cls.config = activate_modules('bts_indemnity')
        cls.contract = ministry_and_contract(60)
        cls.admin = cls.config.user
        cls.lycee = cls.contract.lycee
        cls.hr = step_user('rh', [('bts_programme', 'group_lycee_hr')],
            cls.lycee)
        cls.other_hr = step_user('rh_lam',
            [('bts_programme', 'group_lycee_hr')],
            create_lycee('LAM', "Lycée des Arts et Métiers"))
        cls.ministry = step_user('ministere',
            [('bts_programme', 'group_ministry_admin')])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def tearDown(self):
        set_user(self.admin, self.config)

    def csv(self, day):
        """A file of ROWS rows: one lesson of the contract on day, the
        others of unknown people (refused)"""
        national_id = self.contract.party.national_id
        rows = ['national_id,programme,date,course,lessons',
            f'{national_id},CLOUD,{day.isoformat()},M1.1,1']
        rows += [f'9{i:012d},CLOUD,{day.isoformat()},M1.1,1'
            for i in range(ROWS - 1)]
        return '\n'.join(rows).encode('utf-8')

    def import_(self, day):
        "Run the import wizard as HR of the lycée; return the wizard"
        set_user(self.hr, self.config)
        wizard = Wizard('bts.declaration.import')
        wizard.form.lycee = Model.get('bts.lycee')(self.lycee.id)
        wizard.form.file = self.csv(day)
        wizard.form.filename = 'lessons.csv'
        wizard.execute('import_')
        return wizard

    def test_import_queued(self):
        """A large file is imported by a job run after the commit (no
        worker): its progress reaches 100 %, its report and declarations
        are kept and HR is notified"""
        self.assertGreater(ROWS, SYNC_ROWS)
        wizard = self.import_(dt.date(2025, 10, 6))
        self.assertEqual(wizard.form_state, 'queued')
        job = Model.get('bts.job')(wizard.form.job.id)
        wizard.execute('end')
        self.assertEqual(job.kind, 'import')
        self.assertEqual(job.state, 'done')
        self.assertEqual((job.done, job.total), (ROWS, ROWS))
        self.assertEqual(job.progress, 1)
        self.assertEqual(job.user.id, self.hr.id)
        self.assertEqual(job.filename, 'lessons.csv')
        self.assertTrue(job.report.startswith(
                f"Rows read: {ROWS}, lines created: 1,"))
        self.assertEqual(len(job.report.splitlines()), ROWS)
        declaration, = job.declarations
        self.assertEqual(declaration.state, 'draft')
        self.assertIn(dt.date(2025, 10, 6),
            [line.date for line in declaration.lines])
        self.assertTrue(job.started <= job.ended)
        notification, = Model.get('res.notification').find([
                ('model', '=', 'bts.job'),
                ('records', '=', f'[{job.id}]'),
                ])
        self.assertIn('is done', notification.label)

    def test_import_worker(self):
        """With [queue] worker, the job waits in the queue until a worker
        runs it"""
        config.set('queue', 'worker', 'True')
        try:
            wizard = self.import_(dt.date(2025, 10, 7))
        finally:
            config.set('queue', 'worker', 'False')
        job = Model.get('bts.job')(wizard.form.job.id)
        self.assertEqual((job.state, job.done, job.progress),
            ('queued', 0, 0))
        database = self.config.database_name
        with Transaction().start(database, 0, readonly=True):
            tasks = [t.id for t in Pool(database).get('ir.queue').search(
                    [('finished_at', '=', None)])]
        self.assertEqual(len(tasks), 1)
        run_task(database, tasks[0])
        job.reload()
        self.assertEqual((job.state, job.done, job.progress),
            ('done', ROWS, 1))
        self.assertEqual(len(job.declarations), 1)

    def test_small_file_at_once(self):
        "A file of at most SYNC_ROWS rows is imported by the wizard itself"
        set_user(self.hr, self.config)
        wizard = Wizard('bts.declaration.import')
        wizard.form.lycee = Model.get('bts.lycee')(self.lycee.id)
        wizard.form.file = b'\n'.join(self.csv(
                dt.date(2025, 10, 8)).splitlines()[:SYNC_ROWS + 1])
        wizard.form.filename = 'lessons.csv'
        wizard.execute('import_')
        self.assertEqual(wizard.form_state, 'result')
        self.assertEqual(len(wizard.form.declarations), 1)

    def test_payment_run(self):
        """Finance computes a run in the background; posting a run with
        nothing to pay fails, the reason kept and the run left in draft"""
        declaration = lessons(self.contract, dt.date(2025, 11, 3), 'M1.1', 2)
        approve(declaration)
        Run = Model.get('bts.payment.run')
        Job = Model.get('bts.job')
        run = Run(start_date=dt.date(2025, 11, 1),
            end_date=dt.date(2025, 11, 30), date=dt.date(2025, 12, 10))
        run.save()
        run.click('compute_background')
        job, = Job.find([('payment_run', '=', run.id)])
        self.assertEqual((job.kind, job.state, job.progress),
            ('compute', 'done', 1))
        run.reload()
        self.assertEqual(len(run.beneficiaries), 1)
        self.assertIn("1 beneficiaries", job.report)

        empty = Run(start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2024, 1, 31), date=dt.date(2025, 12, 10))
        empty.save()
        empty.click('post_background')
        job, = Job.find([('payment_run', '=', empty.id)])
        self.assertEqual((job.kind, job.state), ('post', 'failed'))
        self.assertIn(empty.number or '', job.error)
        self.assertNotIn('Traceback', job.error)
        empty.reload()
        self.assertEqual(empty.state, 'draft')
        notification, = Model.get('res.notification').find([
                ('model', '=', 'bts.job'),
                ('records', '=', f'[{job.id}]'),
                ])
        self.assertIn('failed', notification.label)

    def test_lycee_confined(self):
        """A job is read by the users of its lycée and the ministry, not by
        another lycée's"""
        wizard = self.import_(dt.date(2025, 10, 9))
        job_id = wizard.form.job.id
        set_user(self.other_hr, self.config)
        Job = Model.get('bts.job')
        self.assertEqual(Job.find([('id', '=', job_id)]), [])
        with self.assertRaises(AccessError):
            self.config.get_proxy('bts.job').read([job_id], ['state'], {})
        set_user(self.ministry, self.config)
        self.assertEqual(Model.get('bts.job')(job_id).state, 'done')

    def test_client_cannot_write(self):
        "No client sets a job's state or progress, nor creates one"
        wizard = self.import_(dt.date(2025, 10, 10))
        job_id = wizard.form.job.id
        for user in [self.hr, self.admin]:
            set_user(user, self.config)
            proxy = self.config.get_proxy('bts.job')
            for values in [{'state': 'failed'}, {'done': 1, 'total': 1}]:
                with self.subTest(user=user, values=values), \
                        self.assertRaises(AccessError):
                    proxy.write([job_id], values, {})
            with self.assertRaises(AccessError):
                proxy.create([{'kind': 'import', 'state': 'done'}], {})
        set_user(self.hr, self.config)
        self.assertEqual(Model.get('bts.job')(job_id).state, 'done')
