# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The Annex E acts a member of a jury or commission performed, declared
when bts_jury is activated (tryton.cfg: [register bts_jury]): the kind
'acts' and its set of methods (see declaration.py), the body member and the
body submission of a declaration, the act of a line and their checks
(vademecum §I; law of 21 July 2023, Annex E)."""
from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.modules.bts_jury.body import PREPARING
from trytond.modules.bts_jury.conflict import kinship_degree
from trytond.modules.bts_jury.curriculum import WORK_KINDS
from trytond.modules.bts_jury.exceptions import ConflictOfInterestError
from trytond.modules.bts_programme.caps import counted_lessons
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If

from .declaration import _DRAFT, COUNTED_STATES
from .exceptions import DeclarationError


class Declaration(metaclass=PoolMeta):
    __name__ = 'bts.declaration'
    member = fields.Many2One(
        'bts.jury.member', "Body Member", ondelete='RESTRICT',
        states={
            'readonly': _DRAFT,
            'required': Eval('kind') == 'acts',
            'invisible': Eval('kind') != 'acts',
            })
    submission = fields.Many2One(
        'bts.declaration.submission', "Body Submission", ondelete='RESTRICT',
        states={
            'readonly': _DRAFT,
            'invisible': Eval('kind') != 'acts',
            },
        help="The acts of a body's members are submitted together, once "
        "per body and period.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append(('acts', "Acts"))
        # The acts are submitted with their body submission.
        submit = cls._buttons['submit']
        submit['invisible'] |= Eval('kind') == 'acts'
        submit['depends'].append('kind')

    @fields.depends('member')
    def on_change_with_party(self, name=None):
        return super().on_change_with_party(name)

    @fields.depends('member')
    def on_change_with_programme(self, name=None):
        return super().on_change_with_programme(name)

    @classmethod
    def _check_entered_acts(cls, declarations):
        "The acts have no check per declaration while drafting"

    @classmethod
    def _paths_acts(cls):
        "The body member and the programme of the member's body"
        return {'party': 'member.party', 'programme': 'member.body.programme'}

    @classmethod
    def _join_acts(cls, query, declaration):
        "The body member: its person and the programme of its body"
        pool = Pool()
        Member = pool.get('bts.jury.member')
        Body = pool.get('bts.jury.body')
        member, body = Member.__table__(), Body.__table__()
        return (query
            .join(member, condition=declaration.member == member.id)
            .join(body, condition=member.body == body.id),
            member.party, body.programme)

    @classmethod
    def _lycee_fields(cls):
        return super()._lycee_fields() | {'member', 'submission'}

    def _allowed_lycees_acts(self):
        """The lycées of the member's body (the programme's for a programme
        body, any for a national body) that are its body submission's"""
        body = self.member.body if self.member else None
        lycees = None
        if body and body.lycee:
            lycees = {body.lycee}
        elif body and body.programme:
            lycees = set(body.programme.lycees)
        if self.submission:
            submitted = {self.submission.lycee}
            lycees = submitted if lycees is None else lycees & submitted
        return lycees

    def _yearly_acts(self):
        """A curriculum-group member declares the hours of work once per
        academic year"""
        return self.member.body.body_type.code == 'curriculum_group'

    def _same_declarant_acts(self):
        "The declarations of the same body member"
        return [('member', '=', self.member.id)]

    def _indemnity_kind_acts(self):
        "Jury and commission acts"
        return 'acts'

    @classmethod
    def _locked_acts(cls, declarations):
        """The rows the curriculum hours read, locked before: the persons
        of the curriculum-group members and their programmes"""
        members = [d.member for d in declarations if d.yearly]
        return ([m.party for m in members]
            + [m.body.programme for m in members])

    @classmethod
    def check_caps_acts(cls, declarations, counted=COUNTED_STATES):
        """The curriculum hours: the hours of work declared by a
        curriculum-group member in an academic year stay within the hours
        of the group's recap, whose caps Annex E sets (RULES.md §C.2,
        §K.6)"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        Work = pool.get('bts.jury.work')
        for declaration in declarations:
            if not declaration.yearly:
                continue
            member = declaration.member
            start, end = declaration.period()
            lines = Line.search([
                    ('declaration.member.party', '=', member.party.id),
                    ('declaration.member.body.programme', '=',
                        member.body.programme.id),
                    ('act.unit', '=', 'hour'),
                    ('date', '>=', start), ('date', '<=', end),
                    ['OR',
                        ('declaration.state', 'in', counted),
                        ('declaration', '=', declaration.id),
                        ],
                    ])
            declared = sum(line.quantity for line in lines)
            recorded = sum(Work.total_hours(member.body.programme, kind,
                    start, end, party=member.party)
                for kind, _ in WORK_KINDS)
            if declared > recorded:
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_declaration_curriculum_hours',
                        member=member.party.rec_name, declared=declared,
                        recorded=recorded, year=f'{start.year}/{end.year}'))

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, declarations):
        """A body's act declarations go together with their body
        submission (vademecum §I, principes généraux)"""
        for declaration in cls.by_kind(declarations)['acts']:
            submission = declaration.submission
            if (not submission
                    or not set(submission.drafts) <= set(declarations)):
                raise DeclarationError(gettext(
                        'bts_indemnity.msg_declaration_act_alone',
                        declaration=declaration.rec_name,
                        body=declaration.member.body.rec_name))
        super().submit(declarations)


class DeclarationLine(metaclass=PoolMeta):
    __name__ = 'bts.declaration.line'
    act = fields.Many2One(
        'bts.jury.act', "Act", ondelete='RESTRICT',
        states={
            'required': Eval('_parent_declaration', {}).get(
                'kind') == 'acts',
            })
    test_hours = fields.Numeric(
        "Length of the Test (Hours)", digits=(4, 1),
        domain=[If(Eval('test_hours'), ('test_hours', '>', 0), ())],
        states={'invisible': ~Eval('correction', False)},
        help="The length of the written test corrected: its correction act "
        "follows from it (up to 2 hours, up to 3 hours, longer).")
    correction = fields.Function(
        fields.Boolean("Correction of a Written Test"),
        'on_change_with_correction')
    sitting = fields.Many2One(
        'bts.jury.sitting', "Sitting", ondelete='RESTRICT',
        domain=[If(Eval('sitting'), ('state', '=', 'recorded'), ())],
        help="The recorded sitting attended: required for the acts paid "
        "per meeting, decision, semester or year.")
    candidate = fields.Many2One(
        'party.party', "Candidate or Student", ondelete='RESTRICT',
        help="The person evaluated, for the acts per candidate, test, file "
        "or student.")

    @classmethod
    def view_attributes(cls):
        "The columns of the acts only on a declaration of acts"
        not_acts = Eval('declaration_kind') != 'acts'
        return super().view_attributes() + [
            (f'/tree/field[@name="{name}"]', 'tree_invisible', not_acts)
            for name in ['act', 'test_hours', 'sitting', 'candidate']]

    @fields.depends('act')
    def on_change_with_quantity_digits(self, name=None):
        return super().on_change_with_quantity_digits(name)

    @fields.depends('act')
    def on_change_with_total(self, name=None):
        return super().on_change_with_total(name)

    @fields.depends('act')
    def on_change_with_correction(self, name=None):
        return bool(self.act and self.act.correction)

    @fields.depends('test_hours', 'date', 'act')
    def on_change_test_hours(self):
        "The correction act of the test's length (Annex E; RULES.md §K.5)"
        Act = Pool().get('bts.jury.act')
        if (self.test_hours and self.test_hours > 0 and self.date
                and (not self.act or self.act.correction)):
            self.act = Act.correction_act(self.test_hours, self.date)

    def _check_entry_acts(self):
        "The claimant and the test's length of the act of a body member"
        if self.act and self.declaration.member:
            self.check_claimant()
            self.check_test_length()

    def _whole_acts(self):
        "Every act is counted whole but those paid by the hour"
        return not self.act or self.act.whole

    def check_claimant(self):
        """Only the roles of Annex E's row claim an act: the commissioner's
        rate replaces the member's (E12, not E11), the promoter's is not a
        member's (E14, not E13) (RULES.md §C.6, §C.7, §C.13, §K.5)"""
        member, act = self.declaration.member, self.act
        if act.claimable_by(member.role):
            return
        body_type = act.body_type
        raise DeclarationError(gettext(
                'bts_indemnity.msg_line_act_role',
                member=member.rec_name, act=act.rec_name,
                roles=', '.join(label for role, label in act.fields_get(
                        ['claimant_roles'])['claimant_roles']['selection']
                    if act.claimable_by(role)) or '-',
                legal_reference=(body_type.legal_reference
                    or 'law of 21 July 2023')))

    def check_test_length(self):
        """The correction of a written test is paid by the test's length:
        up to 2 hours, up to 3 hours, longer (Annex E; RULES.md §K.5)"""
        Act = Pool().get('bts.jury.act')
        act = self.act
        if not act.correction:
            return
        if not self.test_hours:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_test_hours_missing',
                    line=self.get_rec_name(None), act=act.rec_name))
        expected = Act.correction_act(self.test_hours, self.date)
        if expected != act:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_test_hours_act',
                    line=self.get_rec_name(None), act=act.rec_name,
                    hours=counted_lessons(self.test_hours),
                    expected=expected.rec_name if expected else '-'))

    def check_acts(self):
        """Acts only by members of the body with a legal basis (§K.10), of
        their role (§K.5), for sittings they attended, without conflict of
        interest"""
        member = self.declaration.member
        body = member.body
        if body.state != 'nominated' or not member.legal_basis:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_member_not_nominated',
                    member=member.rec_name, body=body.rec_name))
        if self.act.body_type != body.body_type:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_act_body',
                    act=self.act.rec_name, body=body.rec_name))
        if body.programme and body.body_type.code not in PREPARING:
            body.programme.check_running(self.date)
        self.check_sitting()
        if self.candidate and body.body_type.conflicts_apply:
            degree = kinship_degree(member.party, self.candidate)
            if degree is not None:
                raise ConflictOfInterestError(gettext(
                        'bts_indemnity.msg_line_conflict',
                        member=member.party.rec_name,
                        student=self.candidate.rec_name, degree=degree))
        self.check_once_per_period()

    def act_period(self):
        """The first and last day of the sitting that attests the act: the
        line's semester or academic year for the acts paid per semester or
        year, the line's date for the others"""
        unit = self.act.unit
        if unit == 'semester':
            return (self.semester.start_date, self.semester.end_date,
                self.semester.rec_name)
        if unit == 'year':
            return (self.academic_year.start_date,
                self.academic_year.end_date, self.academic_year.rec_name)
        return self.date, self.date, str(self.date)

    def check_sitting(self):
        """An act paid per meeting, decision, semester or year needs a
        recorded sitting of the body in its period, with the member on the
        attendance list (vademecum §I, principes généraux; RULES.md §C.0,
        §C.14); a meeting is paid once, the decisions taken at most"""
        pool = Pool()
        Line = pool.get('bts.declaration.line')
        member, act, sitting = (
            self.declaration.member, self.act, self.sitting)
        start, end, period = self.act_period()
        if (sitting.body != member.body or sitting.state != 'recorded'
                if sitting else act.needs_sitting):
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_sitting_missing',
                    line=self.get_rec_name(None), act=act.rec_name,
                    body=member.body.rec_name, period=period,
                    member=member.rec_name))
        if not sitting:
            return
        if member not in sitting.attendees:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_not_attended',
                    member=member.rec_name, sitting=sitting.rec_name))
        if act.sitting_kind and sitting.kind != act.sitting_kind:
            kinds = dict(act.fields_get(
                    ['sitting_kind'])['sitting_kind']['selection'])
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_sitting_kind',
                    line=self.get_rec_name(None), act=act.rec_name,
                    sitting=sitting.rec_name,
                    kind=kinds[act.sitting_kind]))
        if act.needs_sitting and not (start <= sitting.date <= end):
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_sitting_period',
                    line=self.get_rec_name(None), act=act.rec_name,
                    sitting=sitting.rec_name, period=period))
        if act.unit in {'meeting', 'decision'}:
            limit = (1 if act.unit == 'meeting'
                else len(sitting.decisions))
            declared = sum(line.quantity for line in Line.search([
                        ('sitting', '=', sitting.id),
                        ('act.code', '=', act.code),
                        ('declaration.member', '=', member.id),
                        ['OR',
                            ('declaration.state', 'in', COUNTED_STATES),
                            ('declaration', '=', self.declaration.id),
                            ],
                        ]))
            if declared > limit:
                raise DeclarationError(gettext(
                        f'bts_indemnity.msg_line_sitting_{act.unit}s',
                        member=member.rec_name, act=act.rec_name,
                        sitting=sitting.rec_name,
                        declared=counted_lessons(declared), limit=limit))

    def check_once_per_period(self):
        """An annual act is paid once per member of a body and academic
        year, a semestrial act once per semester: a person on two bodies is
        paid on each (RULES.md §C.13: E7, E11, E12)"""
        Line = Pool().get('bts.declaration.line')
        if not self.act.once_per_period:
            return
        period = ('academic_year', self.academic_year) \
            if self.act.unit == 'year' else ('semester', self.semester)
        others = Line.search([
                ('id', '!=', self.id),
                ('act.code', '=', self.act.code),
                ('declaration.member', '=', self.declaration.member.id),
                (period[0], '=', period[1].id),
                ['OR',
                    ('declaration.state', 'in', COUNTED_STATES),
                    ('declaration', '=', self.declaration.id),
                    ],
                ], limit=1)
        if self.quantity != 1 or others:
            raise DeclarationError(gettext(
                    'bts_indemnity.msg_line_once_per_period',
                    line=self.get_rec_name(None), act=self.act.rec_name,
                    period=period[1].rec_name))

    def _rate_acts(self):
        "The act's rate"
        return self.act.amount if self.act else None

    def _index_unit_acts(self):
        "The act's unit: a semestrial or annual act, paid at the period's end"
        return self.act.unit
