# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool
from trytond.pyson import Eval

from .conflict import kinship_degree
from .exceptions import ConflictOfInterestError, SittingError


class Sitting(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """A meeting, test, interview, deliberation or signature of diplomas of
    a body with its attendance list (the signatories for diplomas) and the
    students or candidates it concerns"""
    __name__ = 'bts.jury.sitting'
    __string__ = "Sitting"
    _states = {'readonly': Eval('state') != 'draft'}
    body = fields.Many2One(
        'bts.jury.body', "Body", required=True, ondelete='CASCADE',
        states=_states)
    date = fields.Date("Date", required=True, states=_states)
    kind = fields.Selection([
            ('meeting', "Meeting"),
            ('test', "Test"),
            ('interview', "Interview"),
            ('deliberation', "Deliberation"),
            ('diploma', "Signature of Diplomas"),
            ], "Kind", required=True, states=_states)
    kind_string = kind.translated('kind')
    attendees = fields.Many2Many(
        'bts.jury.sitting-bts.jury.member', 'sitting', 'member',
        "Attendance", states=_states,
        domain=[('body', '=', Eval('body', -1))])
    students = fields.Many2Many(
        'bts.jury.sitting-party.party', 'sitting', 'party',
        "Students and Candidates", states=_states)
    programme = fields.Many2One(
        'bts.programme', "Programme Concerned", ondelete='RESTRICT',
        states=_states,
        help="For a litigation case: the teaching body of this programme "
        "may not sit (art. 23(3)).")
    decisions = fields.One2Many(
        'bts.jury.decision', 'sitting', "Decisions",
        states={'readonly': Eval('state') != 'recorded'})
    state = fields.Selection([
            ('draft', "Draft"),
            ('recorded', "Recorded"),
            ], "State", readonly=True, required=True)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('body')
        cls._order.insert(0, ('date', 'DESC'))
        cls._transitions |= {('draft', 'recorded'), ('recorded', 'draft')}
        cls._buttons.update({
                'record': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'recorded',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'meeting'

    def get_rec_name(self, name):
        return f'{self.body.rec_name} {self.kind_string} {self.date}'

    @classmethod
    def check_quorum(cls, sittings):
        "Exam jury: at least four members present (art. 14(2) al. 3)"
        for sitting in sittings:
            quorum = sitting.body.body_type.quorum
            if (sitting.kind == 'deliberation' and quorum
                    and len(sitting.attendees) < quorum):
                raise SittingError(gettext(
                        'bts_jury.msg_sitting_quorum',
                        sitting=sitting.rec_name,
                        present=len(sitting.attendees), quorum=quorum,
                        legal_reference=(
                            sitting.body.body_type.legal_reference or '')))

    def check_conflicts(self, students):
        """No member attends the deliberation on, or evaluates, a spouse,
        partner, relative or in-law up to the 4th degree (art. 9(3))"""
        if not self.body.body_type.conflicts_apply:
            return
        for member in self.attendees:
            for student in students:
                degree = kinship_degree(member.party, student)
                if degree is not None:
                    raise ConflictOfInterestError(gettext(
                            'bts_jury.msg_conflict_sitting',
                            member=member.party.rec_name,
                            student=student.rec_name,
                            sitting=self.rec_name, degree=degree))

    @classmethod
    def check_programme_teachers(cls, sittings):
        """No member of the teaching body of the programme concerned sits on
        the litigation commission for its case (art. 23(3))"""
        pool = Pool()
        AcademicYear = pool.get('bts.academic_year')
        TeachingBody = pool.get('bts.teaching_body')
        for sitting in sittings:
            if not sitting.programme:
                continue
            year = AcademicYear.find(sitting.date)
            teachers = {b.party for b in TeachingBody.search([
                        ('programme', '=', sitting.programme.id),
                        ('academic_year', '=', year.id),
                        ])}
            for member in sitting.attendees:
                if member.party in teachers:
                    raise SittingError(gettext(
                            'bts_jury.msg_sitting_programme_teacher',
                            member=member.party.rec_name,
                            sitting=sitting.rec_name,
                            programme=sitting.programme.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('recorded')
    def record(cls, sittings):
        cls.check_quorum(sittings)
        cls.check_programme_teachers(sittings)
        for sitting in sittings:
            sitting.check_conflicts(sitting.students)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, sittings):
        pass


class SittingMember(ModelSQL):
    "Sitting - Member present"
    __name__ = 'bts.jury.sitting-bts.jury.member'
    __string__ = "Attendance"
    sitting = fields.Many2One(
        'bts.jury.sitting', "Sitting", required=True, ondelete='CASCADE')
    member = fields.Many2One(
        'bts.jury.member', "Member", required=True, ondelete='CASCADE')


class SittingStudent(ModelSQL):
    "Sitting - Student concerned"
    __name__ = 'bts.jury.sitting-party.party'
    __string__ = "Sitting Student"
    sitting = fields.Many2One(
        'bts.jury.sitting', "Sitting", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Student", required=True, ondelete='RESTRICT')


class Decision(ClientGuardMixin, ModelSQL, ModelView):
    """A decision taken in a sitting and its vote: simple majority of the
    members present with the president's casting vote (art. 14(2) al. 2),
    or a number of concurring members (litigation commission: 3,
    art. 23(3)); no proxy vote (at most one vote per member present) and,
    where abstention is not allowed (admission commission, vademecum
    §I.3 a)), one vote for or against per member present"""
    __name__ = 'bts.jury.decision'
    __string__ = "Decision"
    _guard_parent = ('sitting', 'decisions')
    sitting = fields.Many2One(
        'bts.jury.sitting', "Sitting", required=True, ondelete='CASCADE')
    student = fields.Many2One(
        'party.party', "Student", ondelete='RESTRICT')
    subject = fields.Char("Subject", required=True)
    votes_for = fields.Integer("Votes For", required=True)
    votes_against = fields.Integer("Votes Against", required=True)
    president_vote = fields.Selection([
            (None, ''),
            ('for', "For"),
            ('against', "Against"),
            ], "President's Vote",
        help="Decides a tie (casting vote).")
    adopted = fields.Function(fields.Boolean("Adopted"), 'get_adopted')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('sitting')

    @classmethod
    def default_votes_for(cls):
        return 0

    @classmethod
    def default_votes_against(cls):
        return 0

    def get_adopted(self, name):
        concurring = self.sitting.body.body_type.concurring
        if concurring:
            return self.votes_for >= concurring
        if self.votes_for == self.votes_against:
            return self.president_vote == 'for'
        return self.votes_for > self.votes_against

    @classmethod
    def validate(cls, decisions):
        super().validate(decisions)
        cls.check_votes(decisions)
        for decision in decisions:
            if decision.student:
                decision.sitting.check_conflicts([decision.student])
            if (decision.votes_for == decision.votes_against
                    and not decision.sitting.body.body_type.concurring
                    and not decision.president_vote):
                raise SittingError(gettext(
                        'bts_jury.msg_decision_casting_vote',
                        decision=decision.subject))

    @classmethod
    def check_votes(cls, decisions):
        """At most one vote per member present (no proxy, art. 23(3)); with
        no abstention, exactly one (admission commission, vademecum
        §I.3 a))"""
        for decision in decisions:
            present = len(decision.sitting.attendees)
            votes = decision.votes_for + decision.votes_against
            if (decision.votes_for < 0 or decision.votes_against < 0
                    or votes > present):
                raise SittingError(gettext(
                        'bts_jury.msg_decision_votes',
                        decision=decision.subject, votes=votes,
                        present=present))
            body_type = decision.sitting.body.body_type
            if body_type.no_abstention and votes != present:
                raise SittingError(gettext(
                        'bts_jury.msg_decision_abstention',
                        decision=decision.subject, votes=votes,
                        present=present, body=body_type.name))
