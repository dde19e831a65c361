# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Absences (law of 21 July 2023, art. 19 12° and art. 20(1) 8°): the
lessons a student missed, justified or not, and per semester the share of
the semester's scheduled lessons missed without justification. From 20 %
the absence is a disciplinary offence; the director pronounces the
sanction after the hearing (discipline.py), the system only flags it."""
from decimal import ROUND_DOWN, Decimal

from sql import Literal
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.bts_programme.guard import ReadOnlyViewMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

# Art. 19 12°: « l'absence sans justificatif dûment motivé à au moins 20
# pour cent des cours et stages par semestre »; the limit is inclusive.
OFFENCE_PERCENT = 20
# From this share the lycée sees the student at risk, before the offence.
NEAR_PERCENT = 15
YEARS_OF_STUDY = [
    ('1', "First Year"),
    ('2', "Second Year"),
    ]


class Absence(ModelSQL, ModelView):
    """Absence: lessons of a course a student missed on a date, with or
    without a justification (« justificatif dûment motivé », art. 19 12°)"""
    __name__ = 'bts.student.absence'
    __string__ = "Absence"
    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='CASCADE')
    course = fields.Many2One(
        'bts.programme.course', "Course", required=True, ondelete='RESTRICT',
        domain=[('programme', '=', Eval('programme', -1))])
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"),
        'on_change_with_programme')
    date = fields.Date("Date", required=True)
    semester = fields.Many2One(
        'bts.semester', "Semester", readonly=True, ondelete='RESTRICT')
    lessons = fields.Integer(
        "Lessons", required=True, domain=[('lessons', '>', 0)])
    justified = fields.Boolean(
        "Justified", help="A duly reasoned justification was given.")
    reason = fields.Char("Reason")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.student, Index.Range()), (t.semester, Index.Range())))
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def default_justified(cls):
        return False

    @fields.depends('student', '_parent_student.programme')
    def on_change_with_programme(self, name=None):
        return self.student.programme if self.student else None

    @classmethod
    def preprocess_values(cls, mode, values):
        "The semester of the date (art. 1, 4°)"
        Semester = Pool().get('bts.semester')
        values = super().preprocess_values(mode, values)
        if values.get('date'):
            values['semester'] = Semester.find(values['date']).id
        return values


class AbsenceRate(ReadOnlyViewMixin, ModelSQL, ModelView):
    """The unjustified absences of a student in a semester against the
    lessons the study plan schedules for the semester of the student's
    year of study, computed in SQL for a whole list (art. 19 12°)"""
    __name__ = 'bts.student.absence.rate'
    __string__ = "Absence Rate"
    student = fields.Many2One('bts.student', "Student", readonly=True)
    lycee = fields.Many2One('bts.lycee', "Lycée", readonly=True)
    semester = fields.Many2One('bts.semester', "Semester", readonly=True)
    year_of_study = fields.Selection(
        YEARS_OF_STUDY, "Year of Study", readonly=True)
    scheduled = fields.Integer(
        "Scheduled Lessons", readonly=True,
        help="The lessons planned for the courses of the semester in the "
        "study plan of the student's year of study.")
    unjustified = fields.Integer("Unjustified Lessons", readonly=True)
    justified = fields.Integer("Justified Lessons", readonly=True)
    rate = fields.Function(
        fields.Numeric("Unjustified Rate (%)", digits=(16, 2)), 'get_rate')
    near = fields.Boolean(
        "Near the Limit", readonly=True,
        help=f"At least {NEAR_PERCENT} per cent of the scheduled lessons "
        "missed without justification.")
    offence = fields.Boolean(
        "Offence", readonly=True,
        help=f"At least {OFFENCE_PERCENT} per cent of the scheduled lessons "
        "missed without justification: a disciplinary offence (art. 19 12° "
        "of the law of 21 July 2023).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('semester', 'DESC'), ('student', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Absence = pool.get('bts.student.absence')
        Course = pool.get('bts.programme.course')
        Module = pool.get('bts.programme.module')
        Student = pool.get('bts.student')
        Semester = pool.get('bts.semester')
        absence, course, module = (
            Absence.__table__(), Course.__table__(), Module.__table__())
        student, semester = Student.__table__(), Semester.__table__()
        plan_course, plan_module = Course.__table__(), Module.__table__()
        lessons = absence.lessons
        missed = absence.join(course, condition=absence.course == course.id
            ).join(module, condition=course.module == module.id
            ).join(student, condition=absence.student == student.id
            ).join(semester, condition=absence.semester == semester.id
            ).select(
            *cls.grouped_columns(absence),
            absence.student, student.lycee, student.programme,
            absence.semester, semester.kind, module.year_of_study,
            Sum(Case((absence.justified == Literal(True), 0),
                    else_=lessons)).as_('unjustified'),
            Sum(Case((absence.justified == Literal(True), lessons),
                    else_=0)).as_('justified'),
            group_by=[absence.student, student.lycee, student.programme,
                absence.semester, semester.kind, module.year_of_study])
        planned = plan_course.join(plan_module,
            condition=plan_course.module == plan_module.id
            ).select(plan_module.programme, plan_module.year_of_study,
            plan_module.semester,
            Sum(Coalesce(plan_course.planned_lessons, 0)).as_('scheduled'),
            group_by=[plan_module.programme, plan_module.year_of_study,
                plan_module.semester])
        scheduled = Coalesce(planned.scheduled, 0)

        def reached(percent):
            # Whole numbers only: 60 of 300 is 20 %, 59 of 300 is not
            return Case(((scheduled > 0)
                    & (missed.unjustified * 100 >= scheduled * percent),
                    Literal(True)), else_=Literal(False))
        return missed.join(planned, 'LEFT',
            condition=(missed.programme == planned.programme)
            & (missed.year_of_study == planned.year_of_study)
            & (missed.kind == planned.semester)
            ).select(
            missed.id, missed.create_uid, missed.create_date,
            missed.write_uid, missed.write_date,
            missed.student, missed.lycee, missed.semester,
            missed.year_of_study, scheduled.as_('scheduled'),
            missed.unjustified, missed.justified,
            reached(NEAR_PERCENT).as_('near'),
            reached(OFFENCE_PERCENT).as_('offence'))

    @classmethod
    def get_rate(cls, rates, name):
        "The share shown, cut (never rounded up) to the hundredth"
        return {r.id: (Decimal(r.unjustified * 100) / r.scheduled).quantize(
                Decimal('0.01'), rounding=ROUND_DOWN) if r.scheduled else None
            for r in rates}

    @classmethod
    def near_students(cls, semester):
        """The ids of the students near or past the limit in semester: the
        absences hook of the students at risk"""
        return {r.student.id for r in cls.search([
                    ('semester', '=', semester.id),
                    ('near', '=', True),
                    ])}


class Student(metaclass=PoolMeta):
    __name__ = 'bts.student'
    absences = fields.One2Many('bts.student.absence', 'student', "Absences")
    absence_near = fields.Function(fields.Boolean(
            "Absences Near the Limit",
            help="In the semester of the date, at least "
            f"{NEAR_PERCENT} per cent of the scheduled lessons missed "
            "without justification."),
        'get_absence_near', searcher='search_absence_near')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._risks = cls._risks + ['absences']

    def _risk_absences(self, item):
        "A risk of the students-at-risk view (progression.py)"
        if self.absence_near:
            return gettext('bts_student.msg_risk_absences',
                percent=NEAR_PERCENT)

    @classmethod
    def _absence_semester(cls):
        "The semester of the context's date (today by default), if any"
        pool = Pool()
        Date = pool.get('ir.date')
        Semester = pool.get('bts.semester')
        date = Transaction().context.get('date') or Date.today()
        semesters = Semester.search([
                ('start_date', '<=', date), ('end_date', '>=', date)],
            limit=1)
        return semesters[0] if semesters else None

    @classmethod
    def get_absence_near(cls, students, name):
        Rate = Pool().get('bts.student.absence.rate')
        semester = cls._absence_semester()
        near = Rate.near_students(semester) if semester else set()
        return {s.id: s.id in near for s in students}

    @classmethod
    def search_absence_near(cls, name, clause):
        Rate = Pool().get('bts.student.absence.rate')
        semester = cls._absence_semester()
        near = list(Rate.near_students(semester)) if semester else []
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('id', 'in', near)]
        return [('id', 'not in', near)]

