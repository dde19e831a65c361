# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import StudentError


class Student(ClientGuardMixin, Workflow, ModelSQL, ModelView):
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
        states={'readonly': Eval('tutor_set', False)},
        help="Designated by the director for the whole programme "
        "(art. 8 of the law of 21 July 2023).")
    tutor_set = fields.Function(
        fields.Boolean("Tutor Designated"), 'get_tutor_set')
    application = fields.Many2One(
        'bts.student.application', "Application", readonly=True,
        ondelete='RESTRICT')
    graduation_date = fields.Date(
        "Award Date", readonly=True,
        help="The date the BTS was awarded, set by the exam jury's "
        "deliberation.")
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
        cls._transitions |= {
            ('enrolled', 'suspended'), ('suspended', 'enrolled'),
            ('enrolled', 'excluded'), ('suspended', 'excluded'),
            ('excluded', 'enrolled'), ('enrolled', 'graduated'),
            ('enrolled', 'withdrawn'), ('suspended', 'withdrawn'),
            }
        cls._buttons.update({
                'suspend': {
                    'invisible': Eval('state') != 'enrolled',
                    'icon': 'tryton-pause',
                    'depends': ['state'],
                    },
                'resume': {
                    'invisible': Eval('state') != 'suspended',
                    'icon': 'tryton-play',
                    'depends': ['state'],
                    },
                'withdraw': {
                    'invisible': ~Eval('state').in_(
                        ['enrolled', 'suspended']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })
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

    def get_tutor_set(self, name):
        return bool(self.id is not None and self.id >= 0
            and self.__class__(self.id).tutor)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        # Before the client guard: the refusal cites the article
        if mode == 'write' and 'tutor' in values:
            if external:
                cls.check_tutor_director()
            cls.check_tutor_unchanged(records, values['tutor'])
        super().check_modification(
            mode, records, values=values, external=external)

    @classmethod
    def create(cls, vlist):
        if Transaction().check_access and any(
                v.get('tutor') for v in vlist):
            cls.check_tutor_director()
        return super().create(vlist)

    @classmethod
    def check_tutor_director(cls):
        "Art. 8: the director designates the tutor"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        if not Transaction().user:
            return
        director = ModelData.get_id('bts_programme', 'group_lycee_director')
        if director not in User.get_groups():
            raise AccessError(gettext('bts_student.msg_tutor_director'))

    @classmethod
    def check_tutor_unchanged(cls, students, tutor):
        "Art. 8: the same tutor throughout the programme"
        for student in students:
            if student.tutor and student.tutor.id != tutor:
                raise AccessError(gettext(
                        'bts_student.msg_tutor_unchanged',
                        student=student.rec_name,
                        tutor=student.tutor.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('suspended')
    def suspend(cls, students):
        "Suspended by the director (art. 13(4))"

    @classmethod
    @ModelView.button
    @Workflow.transition('enrolled')
    def resume(cls, students):
        pass

    @classmethod
    @Workflow.transition('enrolled')
    def readmit(cls, students):
        "Re-admitted after an exclusion (art. 13(5))"

    @classmethod
    @Workflow.transition('excluded')
    def exclude(cls, students):
        "Excluded: a conditional admission annulled (art. 12(4)), grades"

    @classmethod
    @Workflow.transition('graduated')
    def graduate(cls, students):
        "Awarded the BTS by the exam jury (art. 26)"
        cls.check_graduation_date(students)

    @classmethod
    def check_graduation_date(cls, students):
        for student in students:
            if not student.graduation_date:
                raise StudentError(gettext(
                        'bts_student.msg_graduation_date',
                        student=student.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('withdrawn')
    def withdraw(cls, students):
        pass
