# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Progression proposed by the system and decided by the exam jury: the
first-year threshold, exclusion on final grades, the maximum duration and
re-admission (law of 21 July 2023, art. 13(2)-(5))."""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button,
    StateAction,
    StateTransition,
    StateView,
    Wizard,
)

from .grade import COURSE_FLOOR, MAX_ATTEMPTS, MODULE_PASS

# Art. 13(3): ECTS to validate in the first-year modules by the end of the
# first academic year, by time status
FIRST_YEAR_ECTS = {'full_time': Decimal(24), 'part_time': Decimal(12)}
# Art. 13(4): maximum duration in semesters, by time status
MAX_SEMESTERS = {'full_time': 8, 'part_time': 16}
# Art. 13(5): re-admission after an exclusion
READMISSION_MAX_COURSES = 4
READMISSION_MIN_ECTS = Decimal(18)
# A student is "near" the maximum duration from this many semesters before
# its last one
NEAR_MAX_SEMESTERS = 1
KINDS = [
    ('continue', "Continue"),
    ('exclude_first_year', "Exclusion: First-Year Threshold"),
    ('exclude_grades', "Exclusion: Final Grades"),
    ('exclude_duration', "Exclusion: Maximum Duration"),
    ('graduate', "Award of the BTS"),
    ]


@dataclass
class Progress:
    "What the rules of art. 13 read of a student on a date"
    student: object
    date: dt.date
    time_status: str = 'full_time'
    first_year: bool = False
    first_year_ects: Decimal = Decimal(0)
    plan_complete: bool = False
    semesters: int = 0
    courses_below: list = field(default_factory=list)
    failed_courses: list = field(default_factory=list)
    failed_modules: list = field(default_factory=list)

    @property
    def first_year_threshold(self):
        return FIRST_YEAR_ECTS[self.time_status]

    @property
    def max_semesters(self):
        return MAX_SEMESTERS[self.time_status]

    @property
    def readmission_eligible(self):
        "Art. 13(5): at most four courses below 8 and 18 first-year ECTS"
        return (len(self.courses_below) <= READMISSION_MAX_COURSES
            and self.first_year_ects >= READMISSION_MIN_ECTS)


def progress(students, date):
    """Return the Progress of each student on date, by student id, from
    their results, enrolments and suspensions read per model at once"""
    pool = Pool()
    ModuleResult = pool.get('bts.student.module_result')
    CourseResult = pool.get('bts.student.course_result')
    Enrolment = pool.get('bts.student.enrolment')
    Suspension = pool.get('bts.student.suspension')
    Module = pool.get('bts.programme.module')
    ids = [s.id for s in students]
    result = {s.id: Progress(s, date) for s in students}
    with without_check_access():
        module_results = ModuleResult.search([('student', 'in', ids)])
        course_results = CourseResult.search([('student', 'in', ids)])
        enrolments = Enrolment.search([
                ('student', 'in', ids),
                ('state', '=', 'effective'),
                ('academic_year.start_date', '<=', date),
                ], order=[('academic_year.start_date', 'ASC')])
        suspensions = Suspension.search([('student', 'in', ids)])
        plan = defaultdict(set)
        for module in Module.search([('programme', 'in',
                        list({s.programme.id for s in students}))]):
            plan[module.programme.id].add(module.id)
    valid = defaultdict(set)
    for record in module_results:
        item = result[record.student.id]
        if record.valid_on(date):
            valid[item.student.id].add(record.module.id)
            if record.module.year_of_study == '1':
                item.first_year_ects += record.ects
        elif (record.complete and record.grade is not None
                and record.grade < MODULE_PASS):
            item.failed_modules.append(record)
    for item in result.values():
        item.plan_complete = bool(plan[item.student.programme.id]) and (
            plan[item.student.programme.id] <= valid[item.student.id])
    for record in course_results:
        if record.final_grade is not None and record.final_grade < (
                COURSE_FLOOR):
            item = result[record.student.id]
            item.courses_below.append(record)
            if record.attempts >= MAX_ATTEMPTS:
                item.failed_courses.append(record)
    suspended = defaultdict(list)
    for suspension in suspensions:
        suspended[suspension.student.id].append(suspension)
    for enrolment in enrolments:
        item = result[enrolment.student.id]
        year = enrolment.academic_year
        if item.semesters == 0:
            item.first_year = year.start_date <= date <= year.end_date
        item.time_status = enrolment.time_status
        item.semesters += sum(1 for s in year.semesters
            if s.start_date <= date and not any(
                p.covers(s) for p in suspended[item.student.id]))
    for item in result.values():
        # Failed modules count only when none of their courses below 10
        # has an attempt left (art. 13(2) last al.)
        item.failed_modules = [m for m in item.failed_modules
            if _no_attempt_left(m, course_results)]
    return result


def _no_attempt_left(module_result, course_results):
    return all(r.attempts >= MAX_ATTEMPTS for r in course_results
        if r.student == module_result.student
        and r.course.module == module_result.module
        and r.final_grade is not None and r.final_grade < MODULE_PASS)


class Suspension(ClientGuardMixin, ModelSQL, ModelView):
    """Suspension of Studies

    A suspension granted by the director in duly justified cases: the
    semesters it covers are not counted in the maximum duration (art. 13(4)
    of the law of 21 July 2023)."""
    __name__ = 'bts.student.suspension'
    __string__ = "Suspension of Studies"

    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='CASCADE')
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date", required=True,
        domain=[('end_date', '>=', Eval('start_date'))])
    reason = fields.Text("Reason", required=True)
    decision_date = fields.Date(
        "Director's Decision", required=True,
        help="The date the director granted the suspension.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.student, Index.Range())))
        cls.__access__.add('student')

    def covers(self, semester):
        "Whether the suspension covers the whole semester"
        return (self.start_date <= semester.start_date
            and self.end_date >= semester.end_date)


class Proposal(ClientGuardMixin, ModelSQL, ModelView):
    """Progression Proposal

    What the system proposes to the exam jury for a student at the end of
    an academic year: continue, exclusion (first-year threshold, final
    grades, maximum duration: art. 13(2)-(4) of the law of 21 July 2023) or
    the award of the BTS. Exclusions are decided by the jury (art. 14(2)),
    never automatically."""
    __name__ = 'bts.student.proposal'
    __string__ = "Progression Proposal"

    student = fields.Many2One(
        'bts.student', "Student", required=True, readonly=True,
        ondelete='CASCADE')
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True, readonly=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", required=True, readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    reason = fields.Text("Reason", readonly=True)
    ects_first_year = fields.Numeric(
        "First-Year ECTS", digits=(16, 1), readonly=True)
    semesters = fields.Integer(
        "Semesters", readonly=True,
        help="The semesters counted for the maximum duration (art. 13(4)).")
    state = fields.Selection([
            ('proposed', "Proposed"),
            ('accepted', "Accepted"),
            ('rejected', "Rejected"),
            ], "State", required=True, readonly=True, sort=False)
    # A proposal not yet decided is replaced when proposed again
    _guard_deletable = {'proposed'}
    # The checks in order: the first that proposes wins
    _checks = ['graduate', 'duration', 'grades', 'first_year']

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.student, Index.Range()),
                (t.academic_year, Index.Range())))
        cls.__access__.add('student')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_state(cls):
        return 'proposed'

    def get_rec_name(self, name):
        kinds = dict(self.fields_get(['kind'])['kind']['selection'])
        return f'{self.student.rec_name} - {kinds[self.kind]}'

    @classmethod
    def propose(cls, students, date):
        """Propose the progression of students on date, replacing their
        proposals of that academic year still proposed; return them"""
        pool = Pool()
        AcademicYear = pool.get('bts.academic_year')
        year = AcademicYear.find(date)
        students = [s for s in students if s.state == 'enrolled']
        with without_check_access():
            cls.delete(cls.search([
                        ('student', 'in', [s.id for s in students]),
                        ('academic_year', '=', year.id),
                        ('state', '=', 'proposed'),
                        ]))
            to_create = []
            for item in progress(students, date).values():
                kind, reason = cls._decide(item)
                to_create.append({
                        'student': item.student.id,
                        'academic_year': year.id,
                        'date': date,
                        'kind': kind,
                        'reason': reason,
                        'ects_first_year': item.first_year_ects,
                        'semesters': item.semesters,
                        })
            return cls.create(to_create)

    @classmethod
    def _decide(cls, item):
        "Return the kind and reason of the first check that proposes"
        for name in cls._checks:
            if proposal := getattr(cls, f'_check_{name}')(item):
                return proposal
        return 'continue', None

    @classmethod
    def _check_graduate(cls, item):
        "Art. 26(1): every module of the plan validated"
        if item.plan_complete:
            return 'graduate', gettext('bts_student.msg_proposal_graduate')

    @classmethod
    def _check_duration(cls, item):
        "Art. 13(4): beyond 8 (full-time) or 16 (part-time) semesters"
        if item.semesters > item.max_semesters:
            return 'exclude_duration', gettext(
                'bts_student.msg_proposal_duration',
                semesters=item.semesters, maximum=item.max_semesters)

    @classmethod
    def _check_grades(cls, item):
        """Art. 13(2) last al.: a final grade below 8 in a course, or below
        10 in a module, with no attempt left"""
        names = [r.course.rec_name for r in item.failed_courses] + [
            r.module.rec_name for r in item.failed_modules]
        if names:
            return 'exclude_grades', gettext(
                'bts_student.msg_proposal_grades',
                results=', '.join(names), attempts=MAX_ATTEMPTS)

    @classmethod
    def _check_first_year(cls, item):
        "Art. 13(3): the first-year ECTS at the end of the first year"
        if item.first_year and (
                item.first_year_ects < item.first_year_threshold):
            return 'exclude_first_year', gettext(
                'bts_student.msg_proposal_first_year',
                ects=item.first_year_ects,
                threshold=item.first_year_threshold)


class Student(metaclass=PoolMeta):
    __name__ = 'bts.student'

    suspensions = fields.One2Many(
        'bts.student.suspension', 'student', "Suspensions")
    proposals = fields.One2Many(
        'bts.student.proposal', 'student', "Proposals", readonly=True)
    first_year_ects = fields.Function(
        fields.Numeric("First-Year ECTS", digits=(16, 1),
            help="The ECTS of the first-year modules validated "
            "(art. 13(3))."), 'get_progress')
    semesters_counted = fields.Function(
        fields.Integer("Semesters Counted",
            help="The semesters counted for the maximum duration, "
            "suspensions left out (art. 13(4))."), 'get_progress')
    courses_below_floor = fields.Function(
        fields.Integer("Courses below 8/20"), 'get_progress')
    readmission_eligible = fields.Function(
        fields.Boolean("Eligible for Re-admission",
            help="At most four courses below 8/20 and at least 18 ECTS "
            "in the first-year modules (art. 13(5))."), 'get_progress')
    at_risk = fields.Function(
        fields.Boolean("At Risk"), 'get_progress', searcher='search_at_risk')
    risks = fields.Function(fields.Text("Risks"), 'get_progress')
    # The risk checks of the lycée's view, each a method _risk_<name>
    _risks = ['first_year', 'duration']

    @classmethod
    def _progress_date(cls):
        Date = Pool().get('ir.date')
        return Transaction().context.get('date') or Date.today()

    @classmethod
    def get_progress(cls, students, names):
        items = progress(students, cls._progress_date())
        result = {n: {} for n in names}
        for student in students:
            item = items[student.id]
            risks = student.risk_reasons(item)
            values = {
                'first_year_ects': item.first_year_ects,
                'semesters_counted': item.semesters,
                'courses_below_floor': len(item.courses_below),
                'readmission_eligible': item.readmission_eligible,
                'at_risk': bool(risks),
                'risks': '\n'.join(risks) or None,
                }
            for name in names:
                result[name][student.id] = values[name]
        return result

    def risk_reasons(self, item):
        "The reasons the student is at risk, one per check of _risks"
        return [reason for name in self._risks
            if (reason := getattr(self, f'_risk_{name}')(item))]

    def _risk_first_year(self, item):
        if item.first_year and (
                item.first_year_ects < item.first_year_threshold):
            return gettext('bts_student.msg_risk_first_year',
                ects=item.first_year_ects,
                threshold=item.first_year_threshold)

    def _risk_duration(self, item):
        if item.semesters >= item.max_semesters - NEAR_MAX_SEMESTERS:
            return gettext('bts_student.msg_risk_duration',
                semesters=item.semesters, maximum=item.max_semesters)

    @classmethod
    def search_at_risk(cls, name, clause):
        _, operator, value = clause[:3]
        students = cls.search([('state', '=', 'enrolled')])
        items = progress(students, cls._progress_date())
        ids = [s.id for s in students
            if s.risk_reasons(items[s.id])]
        wanted = (operator == '=') == bool(value)
        return [('id', 'in' if wanted else 'not in', ids)]


class ProposeStart(ModelView):
    "Propose Progression"
    __name__ = 'bts.student.propose.start'
    __string__ = "Propose Progression"
    date = fields.Date(
        "Date", required=True,
        help="The end of the academic year, usually.")

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class Propose(Wizard):
    """Propose the progression of the selected students to the exam jury
    (art. 13(2)-(5) of the law of 21 July 2023)"""
    __name__ = 'bts.student.propose'
    __string__ = "Propose Progression"
    start = StateView('bts.student.propose.start',
        'bts_student.propose_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Propose", 'propose', 'tryton-ok', default=True),
            ])
    propose = StateTransition()
    open_ = StateAction('bts_student.act_proposal')

    def transition_propose(self):
        Proposal = Pool().get('bts.student.proposal')
        Proposal.propose(self.records, self.start.date)
        return 'open_'

    def do_open_(self, action):
        action['domain'] = [('student', 'in', [r.id for r in self.records]),
            ('date', '=', self.start.date)]
        return action, {}
