# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The délibération of the exam jury (jury d'examen) on the progression the
system proposes: a sitting of the programme's exam jury, with its quorum,
attendance and votes (bts_jury), decides each student's proposal, and an
accepted exclusion or graduation changes the student's state (law of 21 July
2023, arts. 13(2)-(4), 14, 26). Registered only with bts_jury."""
from trytond.i18n import gettext
from trytond.model import ModelView, Unique, Workflow, fields
from trytond.modules.bts_jury.conflict import kinship_degree
from trytond.modules.bts_jury.exceptions import (
    ConflictOfInterestError,
    SittingError,
)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

EXAM_JURY = 'exam_jury'


class Sitting(metaclass=PoolMeta):
    __name__ = 'bts.jury.sitting'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.state.selection.append(('decided', "Decided"))
        cls._transitions |= {('recorded', 'decided')}
        cls._buttons.update({
                'decide': {
                    'invisible': (Eval('state') != 'recorded')
                    | (Eval('kind') != 'deliberation'),
                    'icon': 'tryton-ok',
                    'depends': ['state', 'kind'],
                    },
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('decided')
    def decide(cls, sittings):
        """Apply the decisions on the proposals: an adopted decision accepts
        its proposal, another rejects it"""
        Proposal = Pool().get('bts.student.proposal')
        cls.check_quorum(sittings)
        for sitting in sittings:
            for decision in sitting.decisions:
                if decision.proposal:
                    Proposal.apply_decision(decision)


class Decision(metaclass=PoolMeta):
    __name__ = 'bts.jury.decision'
    proposal = fields.Many2One(
        'bts.student.proposal', "Proposal", ondelete='RESTRICT',
        domain=[
            ('student.party', '=', Eval('student', -1)),
            ],
        help="The progression proposed by the system that the exam jury "
        "decides (art. 14(2)).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('proposal_unique', Unique(t, t.proposal),
                'bts_student.msg_decision_proposal_unique'),
            ]

    @fields.depends('proposal', '_parent_proposal.student')
    def on_change_proposal(self):
        if self.proposal:
            self.student = self.proposal.student.party
            self.subject = self.proposal.rec_name

    @classmethod
    def validate(cls, decisions):
        super().validate(decisions)
        for decision in decisions:
            if decision.proposal:
                decision.check_proposal()

    def check_proposal(self):
        """Only the exam jury of the student's programme decides a
        proposal, in a deliberation (art. 14(2))"""
        sitting = self.sitting
        student = self.proposal.student
        if (sitting.kind != 'deliberation'
                or sitting.body.body_type.code != EXAM_JURY
                or sitting.body.programme != student.programme):
            raise SittingError(gettext(
                    'bts_student.msg_decision_not_exam_jury',
                    sitting=sitting.rec_name, student=student.rec_name,
                    programme=student.programme.rec_name))


class Proposal(metaclass=PoolMeta):
    __name__ = 'bts.student.proposal'
    decisions = fields.One2Many(
        'bts.jury.decision', 'proposal', "Decisions", readonly=True)

    @classmethod
    def apply_decision(cls, decision):
        """Accept or reject the proposal of decision; an accepted exclusion
        excludes the student, an accepted graduation awards the diploma on
        the day of the sitting"""
        proposal = decision.proposal
        proposal.state = 'accepted' if decision.adopted else 'rejected'
        proposal.save()
        if proposal.state == 'accepted':
            # continue, exclude_first_year, exclude_grades, ... graduate
            action = proposal.kind.split('_')[0]
            getattr(proposal, f'_accept_{action}')(decision.sitting.date)

    def _accept_continue(self, date):
        pass

    def _accept_exclude(self, date):
        Student = Pool().get('bts.student')
        Student.exclude([self.student])

    def _accept_graduate(self, date):
        Diploma = Pool().get('bts.student.diploma')
        diploma, = Diploma.create([{
                    'student': self.student.id, 'issue_date': date,
                    }])
        Diploma.award([diploma])


class Diploma(metaclass=PoolMeta):
    __name__ = 'bts.student.diploma'

    @classmethod
    def award(cls, diplomas):
        for diploma in diplomas:
            diploma.check_signatories()
        super().award(diplomas)

    def check_signatories(self):
        """No spouse, partner, relative or in-law up to the 4th degree
        signs the student's diploma (art. 14(1) al. 2)"""
        student = self.student.party
        for signatory in self.signatories():
            degree = kinship_degree(signatory, student)
            if degree is not None:
                raise ConflictOfInterestError(gettext(
                        'bts_student.msg_conflict_diploma',
                        signatory=signatory.rec_name,
                        student=student.rec_name, degree=degree))
