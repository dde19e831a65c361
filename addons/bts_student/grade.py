# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Evaluations, grades and the course and module results computed from them
(law of 21 July 2023, art. 13(1)-(2))."""
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.bts_programme.academic_year import window_end
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

# Art. 13(1) al. 4: "l'échelle de 0 à 20 points"
GRADE_MIN, GRADE_MAX = Decimal(0), Decimal(20)
GRADE_UNIT = Decimal('0.01')
# Art. 13(2) al. 1: a module needs 10/20 and no course below 8/20
MODULE_PASS, COURSE_FLOOR = Decimal(10), Decimal(8)
# Art. 13(2) al. 3: "au maximum quatre fois"
MAX_ATTEMPTS = 4
# Art. 13(2) al. 2-3: a course grade of 10 or more stays acquired for 24
# months; a validated module stays validated for five years (60 months).
COURSE_KEPT_MONTHS = 24
MODULE_KEPT_MONTHS = 60
# Art. 13(2) al. 4: no alternative evaluation for these kinds of module
NO_ALTERNATIVE_KINDS = {'internship', 'tfe'}
# Art. 13(1): the methods of the principal evaluations, and the subset
# allowed as alternative evaluations (al. 3)
METHODS = [
    ('continuous', "Continuous Assessment"),
    ('oral', "Oral Test"),
    ('written', "Written Test"),
    ('practical', "Practical Test"),
    ('report', "Written Report"),
    ('personal_work', "Personal Work"),
    ('practical_work', "Practical Work"),
    ('internship', "Internship"),
    ('tfe', "Final Project (TFE)"),
    ]
ALTERNATIVE_METHODS = {'oral', 'written', 'practical', 'report',
    'personal_work'}


def module_average(grades):
    """Return the average of grades, (grade, weight) pairs, truncated to two
    decimals so that a shown 10.00 is never a 9.995 (None without weight)"""
    weight = sum((w for _, w in grades), Decimal(0))
    if not weight:
        return None
    total = sum((g * w for g, w in grades), Decimal(0))
    return (total / weight).quantize(GRADE_UNIT, rounding=ROUND_DOWN)


class Evaluation(ClientGuardMixin, ModelSQL, ModelView):
    """Evaluation

    An épreuve d'évaluation of a course at a lycée: a test of the principal
    kind, or of the alternative kind held in the other semester for a course
    whose principal evaluations are held once a year (art. 13(1)-(2) of the
    law of 21 July 2023). Its grades are entered as a grid."""
    __name__ = 'bts.student.evaluation'
    __string__ = "Evaluation"

    course = fields.Many2One(
        'bts.programme.course', "Course", required=True, ondelete='CASCADE')
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"),
        'on_change_with_programme')
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='RESTRICT',
        domain=[If(Bool(Eval('programme')),
                ('programmes', '=', Eval('programme', -1)), ())])
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT')
    semester = fields.Many2One(
        'bts.semester', "Semester", required=True, ondelete='RESTRICT',
        domain=[('academic_year', '=', Eval('academic_year', -1))])
    kind = fields.Selection([
            ('principal', "Principal"),
            ('alternative', "Alternative"),
            ], "Kind", required=True,
        help="An alternative evaluation is held in the other semester for a "
        "course whose principal evaluations are held once a year "
        "(art. 13(2)); none for internships and final projects.")
    method = fields.Selection(METHODS, "Method", required=True)
    date = fields.Date(
        "Date", required=True,
        help="The date of the test: the date of its grades.")
    grades = fields.One2Many('bts.student.grade', 'evaluation', "Grades")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.course, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.lycee, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'fill_students': {
                    'icon': 'tryton-add',
                    'depends': ['course'],
                    },
                })

    @classmethod
    def default_kind(cls):
        return 'principal'

    @fields.depends('course', '_parent_course.module')
    def on_change_with_programme(self, name=None):
        return self.course.programme if self.course else None

    @fields.depends('date', 'academic_year', 'semester')
    def on_change_date(self):
        Semester = Pool().get('bts.semester')
        if self.date:
            semesters = Semester.search([
                    ('start_date', '<=', self.date),
                    ('end_date', '>=', self.date),
                    ], limit=1)
            if semesters:
                self.semester, = semesters
                self.academic_year = self.semester.academic_year

    def get_rec_name(self, name):
        return f'{self.course.rec_name} ({self.date})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('course.rec_name',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, evaluations, field_names):
        super().validate_fields(evaluations, field_names)
        cls.check_alternative(evaluations, field_names)

    @classmethod
    def check_alternative(cls, evaluations, field_names=None):
        """No alternative evaluation for an internship or a final project,
        and only the methods of art. 13(1) al. 3 for an alternative one"""
        if field_names and not (field_names & {'kind', 'method', 'course'}):
            return
        methods = dict(cls.fields_get(['method'])['method']['selection'])
        for evaluation in evaluations:
            if evaluation.kind != 'alternative':
                continue
            if evaluation.course.module.kind in NO_ALTERNATIVE_KINDS:
                raise ValidationError(gettext(
                        'bts_student.msg_exam_evaluation_no_alternative',
                        course=evaluation.course.rec_name))
            if evaluation.method not in ALTERNATIVE_METHODS:
                raise ValidationError(gettext(
                        'bts_student.msg_exam_evaluation_alternative_method',
                        course=evaluation.course.rec_name,
                        method=methods[evaluation.method]))

    @classmethod
    @ModelView.button
    def fill_students(cls, evaluations):
        """Add an empty grade for each student enrolled (effective
        enrolment) in the evaluation's academic year, programme and lycée
        who has none yet: the grid the teacher or the office fills in"""
        pool = Pool()
        Enrolment = pool.get('bts.student.enrolment')
        Grade = pool.get('bts.student.grade')
        to_create = []
        for evaluation in evaluations:
            present = {g.student for g in evaluation.grades}
            enrolments = Enrolment.search([
                    ('academic_year', '=', evaluation.academic_year.id),
                    ('state', '=', 'effective'),
                    ('student.programme', '=', evaluation.programme.id),
                    ('student.lycee', '=', evaluation.lycee.id),
                    ('student.state', '=', 'enrolled'),
                    ])
            to_create.extend({
                    'evaluation': evaluation.id,
                    'student': e.student.id,
                    } for e in enrolments if e.student not in present)
        Grade.create(to_create)

    @classmethod
    def write(cls, *args):
        super().write(*args)
        # A new date or course changes the order of the attempts
        changed = sum((list(r) for r, v in zip(args[::2], args[1::2],
                        strict=True) if v.keys() & {'date', 'course'}), [])
        if changed:
            Grade = Pool().get('bts.student.grade')
            Grade.update_results(
                {g.student for e in cls.browse(changed) for g in e.grades})

    @classmethod
    def delete(cls, evaluations):
        students = {g.student for e in evaluations for g in e.grades}
        super().delete(evaluations)
        Pool().get('bts.student.grade').update_results(students)


class Grade(ClientGuardMixin, ModelSQL, ModelView):
    """Grade

    The note of a student at an evaluation, from 0 to 20 with two decimals
    (art. 13(1) al. 4). A student sits a course at most four times; the
    last grade is the course's final grade (art. 13(2) al. 3). Fraud or
    plagiarism voids the test: the student is deemed present and graded 0
    (art. 20(4))."""
    __name__ = 'bts.student.grade'
    __string__ = "Grade"

    evaluation = fields.Many2One(
        'bts.student.evaluation', "Evaluation", required=True,
        ondelete='CASCADE')
    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='CASCADE',
        domain=[
            ('programme', '=', Eval('programme', -1)),
            ('lycee', '=', Eval('lycee', -1)),
            ])
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"),
        'on_change_with_programme')
    lycee = fields.Function(
        fields.Many2One('bts.lycee', "Lycée"), 'on_change_with_lycee')
    value = fields.Numeric(
        "Grade", digits=(16, 2),
        states={'readonly': Bool(Eval('fraud')) | Bool(Eval('absent'))},
        help="From 0 to 20 points with two decimals (art. 13(1)).")
    absent = fields.Boolean(
        "Absent", states={'readonly': Bool(Eval('fraud'))},
        help="The student did not sit the test: the module stays "
        "incomplete (art. 13(2)).")
    fraud = fields.Boolean(
        "Fraud or Plagiarism",
        help="The test is void, the student deemed present and graded 0 "
        "(art. 20(4) of the law of 21 July 2023).")
    attempt = fields.Integer(
        "Attempt", readonly=True,
        help="The rank of this sitting among the student's sittings of the "
        "course (at most four, art. 13(2)).")
    state = fields.Selection([
            ('pending', "To Enter"),
            ('graded', "Graded"),
            ('absent', "Absent"),
            ('fraud', "Fraud"),
            ], "State", readonly=True, required=True, sort=False)
    # The state is what was entered, not a workflow: a grade entered by
    # mistake is removed, and the results follow.
    _guard_deletable = {'pending', 'graded', 'absent', 'fraud'}

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('evaluation_student_unique',
                Unique(t, t.evaluation, t.student),
                'bts_student.msg_grade_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.student, Index.Range())))
        cls.__access__.add('evaluation')
        cls._order = [
            ('evaluation', 'ASC'), ('student', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_absent(cls):
        return False

    @classmethod
    def default_fraud(cls):
        return False

    @fields.depends('evaluation', '_parent_evaluation.course')
    def on_change_with_programme(self, name=None):
        if self.evaluation and self.evaluation.course:
            return self.evaluation.course.programme

    @fields.depends('evaluation', '_parent_evaluation.lycee')
    def on_change_with_lycee(self, name=None):
        return self.evaluation.lycee if self.evaluation else None

    @fields.depends('fraud', 'value', 'absent')
    def on_change_fraud(self):
        if self.fraud:
            self.value = GRADE_MIN
            self.absent = False

    def get_rec_name(self, name):
        return f'{self.student.rec_name} - {self.evaluation.rec_name}'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('fraud'):
            # Art. 20(4): "est considéré comme présent et la note 0 lui est
            # attribuée"
            values['value'] = GRADE_MIN
            values['absent'] = False
        elif values.get('absent'):
            values['value'] = None
        value = values.get('value')
        if (isinstance(value, Decimal) and value.is_finite()
                and value == value.quantize(GRADE_UNIT)):
            # Stored with its two decimals, as every backend shows it
            values['value'] = value.quantize(GRADE_UNIT)
        return values

    @classmethod
    def _state(cls, values):
        if values.get('fraud'):
            return 'fraud'
        if values.get('absent'):
            return 'absent'
        if values.get('value') is not None:
            return 'graded'
        return 'pending'

    @classmethod
    def validate_fields(cls, grades, field_names):
        super().validate_fields(grades, field_names)
        cls.check_value(grades, field_names)

    @classmethod
    def check_value(cls, grades, field_names=None):
        "Art. 13(1) al. 4: from 0 to 20 points, two decimals"
        if field_names and 'value' not in field_names:
            return
        for grade in grades:
            value = grade.value
            if value is not None and not (
                    GRADE_MIN <= value <= GRADE_MAX
                    and value == value.quantize(GRADE_UNIT)):
                raise ValidationError(gettext(
                        'bts_student.msg_grade_range',
                        grade=grade.rec_name, value=value))

    @classmethod
    def create(cls, vlist):
        grades = super().create(vlist)
        cls.update_results({g.student for g in grades})
        return grades

    @classmethod
    def write(cls, *args):
        students = {g.student for r in args[::2] for g in r}
        super().write(*args)
        students.update(g.student for r in args[::2] for g in r)
        cls.update_results(students)

    @classmethod
    def delete(cls, grades):
        students = {g.student for g in grades}
        super().delete(grades)
        cls.update_results(students)

    @classmethod
    def update_results(cls, students):
        """Number the sittings of students, check the maximum of attempts
        and update their course and module results, in one pass"""
        pool = Pool()
        ModuleResult = pool.get('bts.student.module_result')
        students = [s for s in students if s.id is not None]
        if not students:
            return
        with without_check_access():
            rows = cls._sittings(students)
            cls._number(rows)
            ModuleResult.update(students, rows)

    @classmethod
    def _sittings(cls, students):
        """Return the grades of students as rows (student, course, date,
        grade id, value, state, attempt) ordered by student, course, date,
        read in one query per slice"""
        pool = Pool()
        Evaluation = pool.get('bts.student.evaluation')
        grade, evaluation = cls.__table__(), Evaluation.__table__()
        cursor = Transaction().connection.cursor()
        rows = []
        for sub_ids in grouped_slice(
                [s.id for s in students], backend.MAX_QUERY_PARAMS):
            cursor.execute(*grade.join(evaluation,
                    condition=grade.evaluation == evaluation.id
                    ).select(grade.student, evaluation.course,
                    evaluation.date, grade.id, grade.value, grade.absent,
                    grade.fraud, grade.attempt, grade.state,
                    where=reduce_ids(grade.student, sub_ids),
                    order_by=[grade.student, evaluation.course,
                        evaluation.date, grade.id]))
            for (student, course, date, id_, value, absent, fraud,
                    attempt, state) in cursor:
                rows.append(Sitting(student, course, date, id_,
                        Decimal(str(value)) if value is not None else None,
                        cls._state({'value': value, 'absent': absent,
                                'fraud': fraud}), attempt, state))
        return rows

    @classmethod
    def _number(cls, rows):
        """Number the sat grades (graded or fraud) of each course in the
        order of their dates; refuse a fifth sitting (art. 13(2) al. 3)"""
        to_write = []
        counts = defaultdict(int)
        for row in rows:
            attempt = None
            if row.sat:
                counts[row.student, row.course] += 1
                attempt = counts[row.student, row.course]
                if attempt > MAX_ATTEMPTS:
                    grade = cls(row.id)
                    raise ValidationError(gettext(
                            'bts_student.msg_grade_attempts',
                            student=grade.student.rec_name,
                            course=grade.evaluation.course.rec_name,
                            maximum=MAX_ATTEMPTS))
            if (attempt, row.state) != (row.stored_attempt, row.stored_state):
                to_write.extend(([cls(row.id)],
                        {'attempt': attempt, 'state': row.state}))
            row.attempt = attempt
        if to_write:
            # The numbers are computed: written past the client guard
            # (and without update_results again)
            super().write(*to_write)


class Sitting:
    "A grade of a student in a course as update_results reads it"
    __slots__ = ('student', 'course', 'date', 'id', 'value', 'state',
        'stored_attempt', 'stored_state', 'attempt')

    def __init__(self, student, course, date, id_, value, state,
            stored_attempt, stored_state):
        self.student, self.course, self.date, self.id = (
            student, course, date, id_)
        self.value, self.state = value, state
        self.stored_attempt, self.stored_state = stored_attempt, stored_state
        self.attempt = None

    @property
    def sat(self):
        return self.state in {'graded', 'fraud'}


class ResultMixin:
    """A result of a student computed from the grades, one per student and
    _result_key (a course or a module), written only by the system"""
    __slots__ = ()
    _result_key = None
    student = fields.Many2One(
        'bts.student', "Student", required=True, readonly=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            (f'student_{cls._result_key}_unique',
                Unique(t, t.student, getattr(t, cls._result_key)),
                'bts_student.msg_result_unique'),
            ]
        cls.__access__.add('student')


class CourseResult(ResultMixin, ClientGuardMixin, ModelSQL, ModelView):
    """Course Result

    The final grade of a student in a course: the last grade obtained
    (art. 13(2) al. 3); a grade of 10 or more in a module not validated
    stays acquired for 24 months (al. 2)."""
    __name__ = 'bts.student.course_result'
    __string__ = "Course Result"
    _result_key = 'course'

    course = fields.Many2One(
        'bts.programme.course', "Course", required=True, readonly=True,
        ondelete='CASCADE')
    module = fields.Function(
        fields.Many2One('bts.programme.module', "Module"), 'get_module')
    final_grade = fields.Numeric(
        "Final Grade", digits=(16, 2), readonly=True)
    attempts = fields.Integer("Attempts", readonly=True)
    skipped = fields.Boolean(
        "Skipped", readonly=True,
        help="The student missed the latest evaluation of the course.")
    grade_date = fields.Date("Grade Date", readonly=True)
    acquired_until = fields.Date(
        "Acquired Until", readonly=True,
        help="A grade of 10 or more in a module not validated stays "
        "acquired for 24 months (art. 13(2)).")

    def get_module(self, name):
        return self.course.module.id

    def get_rec_name(self, name):
        return f'{self.student.rec_name} - {self.course.rec_name}'

    @property
    def attempts_left(self):
        return MAX_ATTEMPTS - (self.attempts or 0)


class ModuleResult(ResultMixin, ClientGuardMixin, ModelSQL, ModelView):
    """Module Result

    The final grade of a student in a module: the average of its courses'
    final grades weighted by their ECTS credits (art. 13(2) al. 1). The
    module is validated when every planned evaluation was sat, the average
    is 10 or more and no course is below 8; it then awards its ECTS credits
    for five years while it stays in the study plan (al. 2).
    An exempted module (VAE, re-admission) counts as validated."""
    __name__ = 'bts.student.module_result'
    __string__ = "Module Result"
    _result_key = 'module'

    module = fields.Many2One(
        'bts.programme.module', "Module", required=True, readonly=True,
        ondelete='CASCADE')
    year_of_study = fields.Function(
        fields.Selection('get_years_of_study', "Year of Study"),
        'get_year_of_study')
    grade = fields.Numeric("Grade", digits=(16, 2), readonly=True)
    complete = fields.Boolean(
        "Complete", readonly=True,
        help="Every planned evaluation of the module was sat.")
    lowest = fields.Numeric("Lowest Course Grade", digits=(16, 2),
        readonly=True)
    validated = fields.Boolean("Validated", readonly=True)
    exempted = fields.Boolean("Exempted", readonly=True)
    validation_date = fields.Date("Validation Date", readonly=True)
    valid_until = fields.Date(
        "Valid Until", readonly=True,
        help="A validated module stays validated for five years "
        "(art. 13(2)).")
    ects = fields.Numeric("ECTS", digits=(16, 1), readonly=True)

    @classmethod
    def get_years_of_study(cls):
        Module = Pool().get('bts.programme.module')
        return Module.fields_get(['year_of_study'])['year_of_study'][
            'selection']

    def get_year_of_study(self, name):
        return self.module.year_of_study

    def get_rec_name(self, name):
        return f'{self.student.rec_name} - {self.module.rec_name}'

    def valid_on(self, date):
        """Whether the module gives its ECTS on date: validated, within its
        five years, and still in the student's study plan"""
        if not self.validated or (
                self.module.programme != self.student.programme):
            return False
        if self.exempted:
            return True
        return self.validation_date <= date <= self.valid_until

    @classmethod
    def _exemptions(cls, students):
        "The (student, module) pairs exempted (VAE, re-admission)"
        Exemption = Pool().get('bts.student.exemption')
        return {(e.student.id, e.module.id) for e in Exemption.search([
                    ('student', 'in', [s.id for s in students]),
                    ])}

    @classmethod
    def update(cls, students, sittings):
        """Recompute the course and module results of students from their
        sittings (rows of Grade._sittings) and write only the changes"""
        pool = Pool()
        CourseResult = pool.get('bts.student.course_result')
        Module = pool.get('bts.programme.module')
        by_course = defaultdict(list)
        for row in sittings:
            by_course[row.student, row.course].append(row)
        exempted = cls._exemptions(students)
        modules = Module.search([
                ('programme', 'in', list({s.programme.id for s in students})),
                ])
        courses, modules_ = {}, {}
        for student in students:
            for module in modules:
                if module.programme != student.programme:
                    continue
                results = [_course_values(by_course.get(
                                (student.id, c.id), []))
                    for c in module.courses]
                values = _module_values(module, results,
                    (student.id, module.id) in exempted)
                for course, result in zip(module.courses, results,
                        strict=True):
                    if result['attempts'] or result['skipped']:
                        courses[student.id, course.id] = result
                if values['complete'] or values['exempted'] or any(
                        r['attempts'] or r['skipped'] for r in results):
                    modules_[student.id, module.id] = values
        _store(CourseResult, students, 'course', courses)
        _store(cls, students, 'module', modules_)


def _course_values(rows):
    """The final grade of a course from its sittings in date order: the last
    sat grade; the course is skipped when its latest evaluation was missed
    (absent or not entered is not counted: only absent)"""
    sat = [r for r in rows if r.sat]
    last = sat[-1] if sat else None
    latest = [r for r in rows if r.state != 'pending']
    return {
        'final_grade': last.value if last else None,
        'attempts': len(sat),
        'grade_date': last.date if last else None,
        'skipped': bool(latest) and latest[-1].state == 'absent',
        'acquired_until': None,
        }


def _module_values(module, results, exempted):
    """The module's result from its courses' results (same order as
    module.courses); sets the courses' acquired_until"""
    if exempted:
        return {'grade': None, 'complete': True, 'lowest': None,
            'validated': True, 'exempted': True, 'validation_date': None,
            'valid_until': None, 'ects': module.ects}
    dates = [r['grade_date'] for r in results if r['grade_date']]
    last = max(dates) if dates else None
    counted = []
    complete = bool(results)
    for course, result in zip(module.courses, results, strict=True):
        grade = result['final_grade']
        if grade is not None and grade >= MODULE_PASS:
            result['acquired_until'] = window_end(
                result['grade_date'], COURSE_KEPT_MONTHS)
            if result['acquired_until'] < last:
                # Art. 13(2) al. 2: no longer acquired after 24 months
                grade = None
        if grade is None or result['skipped']:
            complete = False
        if grade is not None:
            counted.append((grade, course.ects))
    average = module_average(counted)
    lowest = min((g for g, _ in counted), default=None)
    validated = (complete and average is not None
        and sum(g * w for g, w in counted) >= MODULE_PASS * sum(
            w for _, w in counted)
        and lowest >= COURSE_FLOOR)
    if validated:
        for result in results:
            result['acquired_until'] = None
    return {
        'grade': average, 'complete': complete, 'lowest': lowest,
        'validated': validated, 'exempted': False,
        'validation_date': last if validated else None,
        'valid_until': window_end(last, MODULE_KEPT_MONTHS)
        if validated else None,
        'ects': module.ects if validated else Decimal(0),
        }


def _store(Model, students, key, computed):
    """Create, write or delete the records of Model of students so that
    they hold computed, by (student id, key id); written past the client
    guard: they are computed"""
    existing = {(r.student.id, getattr(r, key).id): r
        for r in Model.search([('student', 'in', [s.id for s in students])])}
    to_create, to_write = [], []
    for pair, values in computed.items():
        record = existing.pop(pair, None)
        if record is None:
            to_create.append(
                {'student': pair[0], key: pair[1], **values})
        elif any(getattr(record, n) != v for n, v in values.items()):
            to_write.extend(([record], values))
    Model.delete(list(existing.values()))
    Model.create(to_create)
    if to_write:
        Model.write(*to_write)


class Exemption(metaclass=PoolMeta):
    "An exemption counts in the module results of its student"
    __name__ = 'bts.student.exemption'

    @classmethod
    def create(cls, vlist):
        exemptions = super().create(vlist)
        Pool().get('bts.student.grade').update_results(
            {e.student for e in exemptions})
        return exemptions

    @classmethod
    def write(cls, *args):
        students = {e.student for r in args[::2] for e in r}
        super().write(*args)
        students.update(e.student for r in args[::2] for e in r)
        Pool().get('bts.student.grade').update_results(students)

    @classmethod
    def delete(cls, exemptions):
        students = {e.student for e in exemptions}
        super().delete(exemptions)
        Pool().get('bts.student.grade').update_results(students)


class Student(metaclass=PoolMeta):
    __name__ = 'bts.student'

    grades = fields.One2Many('bts.student.grade', 'student', "Grades",
        readonly=True)
    course_results = fields.One2Many(
        'bts.student.course_result', 'student', "Course Results",
        readonly=True)
    module_results = fields.One2Many(
        'bts.student.module_result', 'student', "Module Results",
        readonly=True)
