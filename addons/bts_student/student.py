# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pyson import Eval

TIME_STATUSES = [
    ('full_time', "Full-time"),
    ('part_time', "Part-time"),
    ]


class Student(ClientGuardMixin, ModelSQL, ModelView):
    """Student

    An étudiant of one BTS programme at one lycée (law of 21 July 2023,
    arts. 10-27). The person is a party, as providers are; the tutor is
    designated by the director and stays the same throughout (art. 8)."""
    __name__ = 'bts.student'
    __string__ = "Student"

    party = fields.Many2One(
        'party.party', "Person", required=True, ondelete='RESTRICT')
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, ondelete='RESTRICT')
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='RESTRICT',
        domain=[('programmes', '=', Eval('programme', -1))])
    intake = fields.Many2One(
        'bts.academic_year', "Intake", required=True, ondelete='RESTRICT',
        help="The academic year of the first enrolment.")
    tutor = fields.Many2One(
        'party.party', "Tutor", ondelete='RESTRICT',
        help="Designated by the director for the whole programme "
        "(art. 8 of the law of 21 July 2023).")
    enrolments = fields.One2Many(
        'bts.student.enrolment', 'student', "Enrolments")
    state = fields.Selection([
            ('enrolled', "Enrolled"),
            ('suspended', "Suspended"),
            ('excluded', "Excluded"),
            ('graduated', "Graduated"),
            ('withdrawn', "Withdrawn"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('party_programme_unique', Unique(t, t.party, t.programme),
                'bts_student.msg_student_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.lycee, Index.Range()),
                    (t.programme, Index.Range())),
                })

    @classmethod
    def default_state(cls):
        return 'enrolled'

    def get_rec_name(self, name):
        return self.party.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('party.rec_name',) + tuple(clause[1:])]


class Enrolment(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Enrolment

    An inscription of a student for one academic year, full-time or
    part-time (art. 1 of the law of 21 July 2023)."""
    __name__ = 'bts.student.enrolment'
    __string__ = "Enrolment"

    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='CASCADE',
        states={'readonly': Eval('state') != 'draft'})
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT', states={'readonly': Eval('state') != 'draft'})
    time_status = fields.Selection(
        TIME_STATUSES, "Time Status", required=True,
        states={'readonly': Eval('state') != 'draft'})
    state = fields.Selection([
            ('draft', "Draft"),
            ('effective', "Effective"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('student_year_unique', Unique(t, t.student, t.academic_year),
                'bts_student.msg_enrolment_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.academic_year, Index.Range()),
                (t.state, Index.Equality())))
        cls._order.insert(0, ('academic_year', 'DESC'))

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_time_status(cls):
        return 'full_time'

    def get_rec_name(self, name):
        return f'{self.student.rec_name} - {self.academic_year.rec_name}'
