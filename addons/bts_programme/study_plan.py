# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import StudyPlanError
from .guard import TypeGuardMixin
from .party import NAME_SIZE
from .programme import ACCREDITED_STATES, CODE_SIZE, ECTS_UNIT

# Law of 21 July 2023, art. 4(1) al. 2
MODULE_MAX_ECTS = 30
COURSE_MIN_ECTS, COURSE_MAX_ECTS = 1, 20
# Art. 2(1): at most 135 ECTS for the programme; art. 1, 6°: an ECTS is at
# most 30 hours of work. A course plans no more lessons (hours, RULES.md
# §K.2) than the whole programme's work.
PLANNED_LESSONS_MAX = 135 * 30


class Module(TypeGuardMixin, sequence_ordered(), ModelSQL, ModelView):
    """Module of a study plan: one or more courses carrying at most 30 ECTS
    credits (law of 21 July 2023, art. 4(1))."""
    __name__ = 'bts.programme.module'
    __string__ = "Study Plan Module"
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, ondelete='CASCADE')
    code = fields.Char("Code", required=True, strip=True, size=CODE_SIZE)
    name = fields.Char("Name", required=True, size=NAME_SIZE)
    year_of_study = fields.Selection([
            ('1', "First Year"),
            ('2', "Second Year"),
            ], "Year of Study", required=True)
    semester = fields.Selection([
            ('winter', "Winter Semester"),
            ('summer', "Summer Semester"),
            ], "Semester", required=True)
    kind = fields.Selection([
            ('lycee', "Teaching at the Lycée"),
            ('internship', "Internship"),
            ('tfe', "Final Project (TFE)"),
            ], "Kind", required=True,
        help="Lycée teaching and internships count in the ECTS shares of "
        "art. 4(2); the final project (art. 7) counts only in the total.")
    internship_hours = fields.Integer(
        "Internship Hours",
        domain=[('internship_hours', '>=', 0)],
        states={
            'invisible': Eval('kind') != 'internship',
            'required': Eval('kind') == 'internship',
            },
        help="Training time in a professional setting (art. 4(2)).")
    courses = fields.One2Many('bts.programme.course', 'module', "Courses")
    ects = fields.Function(
        fields.Numeric("ECTS", digits=(16, 1)), 'get_ects')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('programme')
        cls._order = [
            ('programme', 'ASC'),
            ('year_of_study', 'ASC'),
            ('semester', 'DESC'),
            ] + cls._order

    @classmethod
    def default_kind(cls):
        return 'lycee'

    def get_rec_name(self, name):
        return f'{self.code} - {self.name}'

    def get_ects(self, name):
        return sum(
            (c.ects or Decimal(0) for c in self.courses),
            Decimal(0)).quantize(ECTS_UNIT)

    def ects_maximum_error(self, ects):
        "Return the message if ects break the module maximum of art. 4(1)"
        if ects > MODULE_MAX_ECTS:
            return gettext(
                'bts_programme.msg_module_ects_maximum',
                module=self.rec_name, ects=ects, maximum=MODULE_MAX_ECTS)

    @classmethod
    def ects_errors(cls, programmes):
        """Return the messages of the ECTS rules of art. 4(1) that the modules
        and courses of programmes break, read in one query"""
        pool = Pool()
        Course = pool.get('bts.programme.course')
        module, course = cls.__table__(), Course.__table__()
        cursor = Transaction().connection.cursor()
        ects = defaultdict(Decimal)
        courses = defaultdict(list)
        for sub_ids in grouped_slice([p.id for p in programmes],
                backend.MAX_QUERY_PARAMS):
            cursor.execute(*module.join(course, 'LEFT',
                    condition=course.module == module.id
                    ).select(module.id, course.id, course.ects,
                    where=reduce_ids(module.programme, sub_ids),
                    order_by=[module.id, course.id]))
            for module_id, course_id, course_ects in cursor:
                ects[module_id] += Decimal(str(course_ects or 0))
                if course_id is not None:
                    courses[module_id].append(
                        (course_id, Decimal(str(course_ects))))
        errors = []
        for module_id, total in ects.items():
            record = cls(module_id)
            if not courses[module_id]:
                errors.append(gettext(
                        'bts_programme.msg_module_no_course',
                        module=record.rec_name))
            elif error := record.ects_maximum_error(
                    total.quantize(ECTS_UNIT)):
                errors.append(error)
            errors.extend(
                Course(course_id).ects_error()
                for course_id, value in courses[module_id]
                if not (COURSE_MIN_ECTS <= value <= COURSE_MAX_ECTS))
        return errors

    @classmethod
    def validate(cls, modules):
        super().validate(modules)
        for module in modules:
            if error := module.ects_maximum_error(module.ects):
                raise StudyPlanError(error)
        cls._check_accredited_plans(modules)

    @classmethod
    def _check_accredited_plans(cls, modules):
        "An accredited plan must keep every rule (art. 43)"
        Programme = Pool().get('bts.programme')
        Programme.check_study_plan({
                m.programme for m in modules
                if m.programme.state in ACCREDITED_STATES})

    @classmethod
    def check_modification(cls, mode, modules, values=None, external=False):
        super().check_modification(
            mode, modules, values=values, external=external)
        if mode == 'delete':
            for module in modules:
                if module.programme.state in ACCREDITED_STATES:
                    raise StudyPlanError(gettext(
                            'bts_programme.msg_accredited_plan_delete',
                            record=module.rec_name,
                            programme=module.programme.rec_name))


class Course(TypeGuardMixin, sequence_ordered(), ModelSQL, ModelView):
    """Cours: a theoretical or practical teaching unit of a module, carrying
    1 to 20 ECTS credits (law of 21 July 2023, art. 4(1))."""
    __name__ = 'bts.programme.course'
    __string__ = "Course"
    module = fields.Many2One(
        'bts.programme.module', "Module", required=True, ondelete='CASCADE')
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"),
        'on_change_with_programme', searcher='search_programme')
    code = fields.Char("Code", required=True, strip=True, size=CODE_SIZE)
    name = fields.Char("Name", required=True, size=NAME_SIZE)
    ects = fields.Numeric(
        "ECTS", digits=(16, 1), required=True,
        help="Between 1 and 20 ECTS credits (art. 4(1)).")
    planned_lessons = fields.Integer(
        "Planned Lessons",
        domain=[('planned_lessons', '>=', 0)],
        help="The lessons planned for the course in the study plan.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('module')

    def get_rec_name(self, name):
        return f'{self.code} - {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        "A course is found by its code or its name"
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('code', operator, value, *clause[3:]),
            ('name', operator, value, *clause[3:]),
            ]

    @fields.depends('module', '_parent_module.programme')
    def on_change_with_programme(self, name=None):
        return self.module.programme if self.module else None

    @classmethod
    def search_programme(cls, name, clause):
        return [('module.programme',) + tuple(clause[1:])]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        cls.check_planned_lessons(values.get('planned_lessons'))
        return values

    @staticmethod
    def check_planned_lessons(lessons):
        """Refuse more planned lessons than the programme's work holds,
        before they are written (the column holds no more than 2^31)"""
        if isinstance(lessons, int) and lessons > PLANNED_LESSONS_MAX:
            raise StudyPlanError(gettext(
                    'bts_programme.msg_course_planned_lessons_maximum',
                    lessons=lessons, maximum=PLANNED_LESSONS_MAX))

    def ects_error(self):
        "Return the message if the course breaks the ECTS range of art. 4(1)"
        if not (COURSE_MIN_ECTS <= self.ects <= COURSE_MAX_ECTS):
            return gettext(
                'bts_programme.msg_course_ects_range',
                course=self.rec_name, ects=self.ects,
                minimum=COURSE_MIN_ECTS, maximum=COURSE_MAX_ECTS)

    @classmethod
    def validate(cls, courses):
        super().validate(courses)
        for course in courses:
            if error := course.ects_error():
                raise StudyPlanError(error)
        Module = Pool().get('bts.programme.module')
        modules = Module.browse({c.module.id for c in courses})
        Module.validate(modules)

    @classmethod
    def check_modification(cls, mode, courses, values=None, external=False):
        super().check_modification(
            mode, courses, values=values, external=external)
        if mode == 'delete':
            for course in courses:
                programme = course.module.programme
                if programme.state in ACCREDITED_STATES:
                    raise StudyPlanError(gettext(
                            'bts_programme.msg_accredited_plan_delete',
                            record=course.rec_name,
                            programme=programme.rec_name))
