# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Applications and admission (law of 21 July 2023, arts. 10-12): the
places of an intake, the access basis of each applicant, the admission
commission's evaluations and ranking, and the outcomes: admitted, waiting
list, rejected with a reason, admitted conditionally by the director with
the commission's deadline (annulled and the student excluded when it
passes unmet)."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import (
    Index,
    ModelSQL,
    ModelView,
    Unique,
    Workflow,
    fields,
)
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If

from .exceptions import AdmissionError

# Art. 10(2): « une note supérieure ou égale à 10 points dans chacune des
# épreuves » of the preliminary access test, each marked 0 to 20.
ACCESS_TEST_PASS = Decimal(10)
# Art. 11(1): « pendant une durée cumulée d'au moins trois ans équivalent
# temps plein »
VAE_MIN_YEARS = Decimal(3)
MAX_GRADE = Decimal(20)

ACCESS_BASES = [
    ('leaving_diploma', "Luxembourg Secondary-school Leaving Diploma"),
    ('access_diploma', "Diplôme d'accès aux études supérieures"),
    ('foreign_diploma', "Recognised Foreign Diploma"),
    ('technician', "Technician Diploma or DAP with Every Preparatory "
        "Module"),
    ('access_test', "Preliminary Access Test"),
    ('vae', "Validation of Acquired Experience"),
    ]
DECIDED = ['admitted', 'conditional']
PENDING = ['submitted', 'waiting']


class Intake(ModelSQL, ModelView):
    """Intake: the places of a programme at a lycée for the students
    starting in an academic year"""
    __name__ = 'bts.student.intake'
    __string__ = "Intake"
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, ondelete='RESTRICT')
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='RESTRICT',
        domain=[('programmes', '=', Eval('programme', -1))])
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT')
    places = fields.Integer(
        "Places", required=True, domain=[('places', '>', 0)])
    applications = fields.One2Many(
        'bts.student.application', 'intake', "Applications", readonly=True)
    admitted = fields.Function(fields.Integer("Admitted"), 'get_admitted')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('intake_unique',
                Unique(t, t.programme, t.lycee, t.academic_year),
                'bts_student.msg_intake_unique'),
            ]
        cls._order.insert(0, ('academic_year', 'DESC'))
        cls._buttons.update({
                'rank': {'icon': 'tryton-sort'},
                'decide': {'icon': 'tryton-ok'},
                })

    def get_rec_name(self, name):
        return (f'{self.programme.code} {self.lycee.code} '
            f'{self.academic_year.name}')

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('programme.code',) + tuple(clause[1:])]

    def get_admitted(self, name):
        return self._count(DECIDED)

    def _count(self, states):
        Application = Pool().get('bts.student.application')
        return Application.search([
                ('intake', '=', self.id),
                ('state', 'in', states),
                ], count=True)

    def pending(self):
        "The applications to decide, read afresh"
        Application = Pool().get('bts.student.application')
        return Application.search([
                ('intake', '=', self.id),
                ('state', 'in', PENDING),
                ])

    @classmethod
    @ModelView.button
    def rank(cls, intakes):
        """Rank the applications to decide on the average of their
        evaluations, the best first (art. 12(2))"""
        Application = Pool().get('bts.student.application')
        to_write = []
        for intake in intakes:
            applications = intake.pending()
            Application.check_evaluated(applications)
            applications.sort(key=lambda a: (-a.score, a.id))
            for rank, application in enumerate(applications, 1):
                to_write.extend([[application], {'rank': rank}])
        if to_write:
            Application.write(*to_write)

    @classmethod
    @ModelView.button
    def decide(cls, intakes):
        """Admit the ranked applications in their order up to the places
        left and put the others on the waiting list"""
        Application = Pool().get('bts.student.application')
        for intake in intakes:
            ranked = sorted((a for a in intake.pending() if a.rank),
                key=lambda a: a.rank)
            left = intake.places - intake._count(DECIDED)
            Application.admit(ranked[:left])
            Application.wait([a for a in ranked[left:]
                    if a.state == 'submitted'])

    def check_places(self, applications):
        """The admissions fit in the places; when more apply than there are
        places, they are admitted in their ranking (art. 12(2))"""
        new = [a for a in applications
            if a.intake == self and a.state not in DECIDED]
        admitted = self._count(DECIDED)
        if admitted + len(new) > self.places:
            raise AdmissionError(gettext(
                    'bts_student.msg_intake_full',
                    intake=self.rec_name, places=self.places))
        if admitted + self._count(PENDING) > self.places:
            for application in new:
                if not application.rank:
                    raise AdmissionError(gettext(
                            'bts_student.msg_application_unranked',
                            application=application.rec_name,
                            places=self.places))


class Application(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Application (candidature) of a person to an intake: the access basis
    (art. 10, 11(1)), the documents (art. 10(3)-(4)), the admission
    commission's evaluations (art. 12) and the outcome"""
    __name__ = 'bts.student.application'
    __string__ = "Application"
    _states = {'readonly': Eval('state') != 'draft'}
    _decision = {'readonly': ~Eval('state').in_(['draft', 'submitted'])}

    party = fields.Many2One(
        'party.party', "Person", required=True, ondelete='RESTRICT',
        states=_states)
    intake = fields.Many2One(
        'bts.student.intake', "Intake", required=True, ondelete='RESTRICT',
        states=_states)
    lycee = fields.Function(
        fields.Many2One('bts.lycee', "Lycée"), 'get_intake_field',
        searcher='search_intake_field')
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"), 'get_intake_field',
        searcher='search_intake_field')
    reference = fields.Char(
        "Portal Reference", states=_states, strip=True,
        help="The reference of the application on MyGuichet.lu.")
    access_basis = fields.Selection(
        ACCESS_BASES, "Access Basis", required=True, states=_states)
    diploma = fields.Char(
        "Diploma", states=_states,
        help="The title of the diploma giving access, with its "
        "equivalence for a foreign one.")
    preparatory_modules = fields.Boolean(
        "Every Preparatory Module Passed", states={
            'readonly': _states['readonly'],
            'invisible': Eval('access_basis') != 'technician',
            })
    access_tests = fields.One2Many(
        'bts.student.application.access_test', 'application',
        "Access Tests", states={
            'readonly': _decision['readonly'],
            'invisible': Eval('access_basis') != 'access_test',
            })
    vae_years = fields.Numeric(
        "Experience (years FTE)", digits=(16, 2), states={
            'readonly': _states['readonly'],
            'invisible': Eval('access_basis') != 'vae',
            }, domain=[If(Bool(Eval('vae_years')),
                ('vae_years', '>=', 0), ())],
        help="The experience in years full-time equivalent (art. 11(1)).")
    health_insurance = fields.Boolean(
        "Health Insurance Proof", states=_decision)
    third_country = fields.Boolean(
        "Third-country National", states=_states)
    residence_authorisation = fields.Boolean(
        "Residence Authorisation", states={
            'readonly': _decision['readonly'],
            'invisible': ~Eval('third_country'),
            })
    evaluations = fields.One2Many(
        'bts.student.application.evaluation', 'application', "Evaluations",
        states=_decision)
    score = fields.Function(
        fields.Numeric("Score", digits=(16, 2)), 'get_score')
    rank = fields.Integer("Rank", readonly=True)
    rejection_reason = fields.Text(
        "Rejection Reason", states={
            'readonly': _decision['readonly'],
            'invisible': ~Eval('state').in_(['submitted', 'rejected']),
            })
    commission_decision = fields.Char(
        "Commission's Decision", states={
            'readonly': _decision['readonly'],
            'invisible': ~Eval('state').in_(
                ['submitted', 'conditional', 'annulled']),
            },
        help="The reference of the admission commission's favourable "
        "decision for a conditional admission (art. 12(4)).")
    condition = fields.Text(
        "Condition", states={
            'readonly': _decision['readonly'],
            'invisible': ~Eval('state').in_(
                ['submitted', 'conditional', 'annulled']),
            })
    condition_deadline = fields.Date(
        "Condition Deadline", states={
            'readonly': _decision['readonly'],
            'invisible': ~Eval('state').in_(
                ['submitted', 'conditional', 'annulled']),
            },
        help="Fixed in advance by the admission commission (art. 12(4)).")
    decision_date = fields.Date("Decision Date", readonly=True)
    student = fields.Many2One(
        'bts.student', "Student", readonly=True, ondelete='RESTRICT')
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "To Decide"),
            ('waiting', "Waiting List"),
            ('admitted', "Admitted"),
            ('conditional', "Admitted Conditionally"),
            ('rejected', "Rejected"),
            ('annulled', "Annulled"),
            ], "State", readonly=True, required=True, sort=False)
    del _states, _decision

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('party_intake_unique', Unique(t, t.party, t.intake),
                'bts_student.msg_application_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.intake, Index.Range()), (t.state, Index.Equality())))
        cls.__access__.add('intake')
        cls._order = [('intake', 'ASC'), ('rank', 'ASC NULLS LAST'),
            ('id', 'ASC')]
        cls._transitions |= {
            ('draft', 'submitted'), ('submitted', 'draft'),
            ('submitted', 'admitted'), ('waiting', 'admitted'),
            ('submitted', 'waiting'), ('submitted', 'rejected'),
            ('waiting', 'rejected'), ('submitted', 'conditional'),
            ('conditional', 'admitted'), ('conditional', 'annulled'),
            }
        cls._buttons.update({
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'admit': {
                    'invisible': ~Eval('state').in_(
                        ['submitted', 'waiting', 'conditional']),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'wait': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-clock',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': ~Eval('state').in_(['submitted', 'waiting']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'admit_conditionally': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'annul': {
                    'invisible': Eval('state') != 'conditional',
                    'icon': 'tryton-delete',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_access_basis(cls):
        return 'leaving_diploma'

    def get_rec_name(self, name):
        return f'{self.party.rec_name} - {self.intake.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('party.rec_name',) + tuple(clause[1:])]

    def get_intake_field(self, name):
        return getattr(self.intake, name).id

    @classmethod
    def search_intake_field(cls, name, clause):
        return [(f'intake.{name}',) + tuple(clause[1:])]

    def get_score(self, name):
        "The average of the evaluations"
        scores = [e.score for e in self.evaluations]
        if scores:
            return (sum(scores) / len(scores)).quantize(Decimal('0.01'))

    @classmethod
    def check_evaluated(cls, applications):
        for application in applications:
            if application.score is None:
                raise AdmissionError(gettext(
                        'bts_student.msg_application_no_evaluation',
                        application=application.rec_name))

    def check_access(self):
        "The access basis (art. 10(1)-(2), 11(1)) and art. 10(4)"
        getattr(self, f'_check_{self.access_basis}')()
        if self.third_country and not self.residence_authorisation:
            self._refuse('residence_authorisation')

    def _refuse(self, name, **variables):
        raise AdmissionError(gettext(
                f'bts_student.msg_application_{name}',
                application=self.rec_name, **variables))

    def _check_diploma(self):
        if not self.diploma:
            self._refuse('diploma')

    _check_leaving_diploma = _check_diploma
    _check_access_diploma = _check_diploma
    _check_foreign_diploma = _check_diploma

    def _check_technician(self):
        self._check_diploma()
        if not self.preparatory_modules:
            self._refuse('preparatory_modules')

    def _check_access_test(self):
        if not self.access_tests:
            self._refuse('access_test_missing')
        for test in self.access_tests:
            if test.grade < ACCESS_TEST_PASS:
                self._refuse('access_test_failed', test=test.name,
                    grade=test.grade, minimum=ACCESS_TEST_PASS)

    def _check_vae(self):
        if (self.vae_years or 0) < VAE_MIN_YEARS:
            self._refuse('vae_years', years=self.vae_years or 0,
                minimum=VAE_MIN_YEARS)

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, applications):
        cls.write(applications, {'rank': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('admitted')
    def admit(cls, applications):
        """Admit: the access conditions are met; the student and the first
        enrolment are created (a conditional admission has them)"""
        for application in applications:
            application.check_access()
        cls.check_places(applications)
        cls._admit(applications)

    @classmethod
    @ModelView.button
    @Workflow.transition('conditional')
    def admit_conditionally(cls, applications):
        """The director admits on the commission's favourable decision,
        with its deadline (art. 12(4))"""
        for application in applications:
            if not (application.commission_decision
                    and application.condition
                    and application.condition_deadline):
                application._refuse('conditional')
        cls.check_places(applications)
        cls._admit(applications)

    @classmethod
    def check_places(cls, applications):
        for intake in {a.intake for a in applications}:
            intake.check_places(applications)

    @classmethod
    def _admit(cls, applications):
        pool = Pool()
        Date = pool.get('ir.date')
        Student = pool.get('bts.student')
        Enrolment = pool.get('bts.student.enrolment')
        today = Date.today()
        cls._readmit([a for a in applications if not a.student])
        new = [a for a in applications if not a.student]
        students = Student.create([{
                    'party': a.party.id,
                    'programme': a.intake.programme.id,
                    'lycee': a.intake.lycee.id,
                    'intake': a.intake.academic_year.id,
                    'application': a.id,
                    } for a in new])
        Enrolment.create([{
                    'student': s.id,
                    'academic_year': a.intake.academic_year.id,
                    'health_insurance': bool(a.health_insurance),
                    } for a, s in zip(new, students, strict=True)])
        for application, student in zip(new, students, strict=True):
            application.student = student
        for application in applications:
            application.decision_date = today
        cls.save(applications)

    @classmethod
    def _readmit(cls, applications):
        """Re-admit the excluded students of applications to their
        programme with an enrolment for the intake's year, when eligible:
        at most four courses below 8 and 18 first-year ECTS (art. 13(5))"""
        pool = Pool()
        Student = pool.get('bts.student')
        Enrolment = pool.get('bts.student.enrolment')
        excluded = {(s.party, s.programme): s for s in Student.search([
                    ('party', 'in', [a.party.id for a in applications]),
                    ('state', '=', 'excluded'),
                    ])}
        readmitted = []
        for application in applications:
            student = excluded.get(
                (application.party, application.intake.programme))
            if student is None:
                continue
            if not student.readmission_eligible:
                application._refuse('readmission',
                    student=student.rec_name,
                    courses=student.courses_below_floor,
                    ects=student.first_year_ects)
            application.student = student
            readmitted.append(application)
        Student.readmit([a.student for a in readmitted])
        Enrolment.create([{
                    'student': a.student.id,
                    'academic_year': a.intake.academic_year.id,
                    'health_insurance': bool(a.health_insurance),
                    } for a in readmitted])

    @classmethod
    @ModelView.button
    @Workflow.transition('waiting')
    def wait(cls, applications):
        Date = Pool().get('ir.date')
        cls.write(applications, {'decision_date': Date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, applications):
        Date = Pool().get('ir.date')
        for application in applications:
            if not application.rejection_reason:
                application._refuse('rejection_reason')
        cls.write(applications, {'decision_date': Date.today()})

    @classmethod
    @ModelView.button
    def annul(cls, applications):
        """Annul a conditional admission whose deadline passed unmet: the
        student is excluded (art. 12(4))"""
        Date = Pool().get('ir.date')
        today = Date.today()
        for application in applications:
            if application.condition_deadline >= today:
                application._refuse('deadline_not_passed',
                    deadline=application.condition_deadline)
        cls._annul(applications)

    @classmethod
    @Workflow.transition('annulled')
    def _annul(cls, applications):
        pool = Pool()
        Student = pool.get('bts.student')
        Enrolment = pool.get('bts.student.enrolment')
        students = [a.student for a in applications]
        Enrolment.cancel([e for s in students for e in s.enrolments
                if e.state != 'cancelled'])
        Student.exclude(students)

    @classmethod
    def annul_expired(cls, date=None):
        "Cron: annul the conditional admissions whose deadline passed"
        Date = Pool().get('ir.date')
        if date is None:
            date = Date.today()
        cls._annul(cls.search([
                    ('state', '=', 'conditional'),
                    ('condition_deadline', '<', date),
                    ]))


class AccessTest(ClientGuardMixin, ModelSQL, ModelView):
    """An épreuve of the preliminary access test organised by the lycée,
    marked 0 to 20, its results validated by the admission commission
    (art. 10(2))"""
    __name__ = 'bts.student.application.access_test'
    __string__ = "Access Test"
    _guard_parent = ('application', 'access_tests')
    application = fields.Many2One(
        'bts.student.application', "Application", required=True,
        ondelete='CASCADE')
    name = fields.Char("Test", required=True)
    grade = fields.Numeric(
        "Grade", digits=(4, 2), required=True,
        domain=[('grade', '>=', 0), ('grade', '<=', MAX_GRADE)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')


class Evaluation(ClientGuardMixin, ModelSQL, ModelView):
    """An evaluation of the admission commission (art. 12(1)-(2)): the
    dossier, an interview or work situation, a written test or the
    examen-concours (competitive examination)"""
    __name__ = 'bts.student.application.evaluation'
    __string__ = "Admission Evaluation"
    _guard_parent = ('application', 'evaluations')
    application = fields.Many2One(
        'bts.student.application', "Application", required=True,
        ondelete='CASCADE')
    kind = fields.Selection([
            ('dossier', "Admission Dossier"),
            ('interview', "Interview or Work Situation"),
            ('written', "Written Test"),
            ('concours', "Examen-concours"),
            ], "Kind", required=True)
    score = fields.Numeric(
        "Score", digits=(4, 2), required=True,
        domain=[('score', '>=', 0), ('score', '<=', MAX_GRADE)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('bts.student.application|annul_expired',
                "Annul the Conditional Admissions Past Their Deadline"))


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def _bts_lycee_queries(cls):
        "The lycées of the person's applications and studies"
        pool = Pool()
        Application = pool.get('bts.student.application')
        Intake = pool.get('bts.student.intake')
        Student = pool.get('bts.student')
        application = Application.__table__()
        intake = Intake.__table__()
        student = Student.__table__()
        return super()._bts_lycee_queries() + [
            application.join(intake,
                condition=application.intake == intake.id).select(
                application.party.as_('party'), intake.lycee.as_('lycee')),
            student.select(
                student.party.as_('party'), student.lycee.as_('lycee')),
            ]
