# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Internship agreements (conventions de stage) and alternance contracts
(law of 21 July 2023, arts. 4(2) and 6): a student's training in a host
organisation, its tutor at the host, its dates and hours; an internship
module of the plan sets the hours the agreement must reach."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.bts_programme.academic_year import format_date
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool
from trytond.pyson import Eval, If

# Art. 6(2) al. 5: the aid of a part-time alternance student is pro-rated;
# a part-time year is half a full-time year's ECTS (30 of 60, art. 1).
FULL_TIME_SHARE = 100
PART_TIME_SHARE = 50
# An agreement is changed only in draft
_DRAFT = {'readonly': Eval('state') != 'draft'}


class Internship(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Convention de stage: the agreement of a student's internship in a
    host organisation (organisme de formation), or of an alternance
    contract (art. 6(2))"""
    __name__ = 'bts.student.internship'
    __string__ = "Internship Agreement"
    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='RESTRICT',
        states=_DRAFT)
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"),
        'on_change_with_programme')
    kind = fields.Selection([
            ('internship', "Internship"),
            ('alternance', "Alternance Contract"),
            ], "Kind", required=True, states=_DRAFT)
    module = fields.Many2One(
        'bts.programme.module', "Internship Module", ondelete='RESTRICT',
        domain=[
            ('programme', '=', Eval('programme', -1)),
            ('kind', '=', 'internship'),
            ],
        states=_DRAFT,
        help="The module of the study plan the internship belongs to.")
    host = fields.Many2One(
        'party.party', "Host Organisation", required=True,
        ondelete='RESTRICT', states=_DRAFT)
    host_tutor = fields.Many2One(
        'party.party', "Tutor at the Host", ondelete='RESTRICT',
        states=_DRAFT)
    start_date = fields.Date(
        "Start Date", required=True, states=_DRAFT,
        domain=[If(Eval('end_date'),
                ('start_date', '<=', Eval('end_date')), ())])
    end_date = fields.Date(
        "End Date", required=True, states=_DRAFT,
        domain=[If(Eval('start_date'),
                ('end_date', '>=', Eval('start_date')), ())])
    hours = fields.Integer(
        "Hours", required=True, states=_DRAFT,
        domain=[('hours', '>', 0)],
        help="The training time in the host organisation.")
    time_share = fields.Integer(
        "Time Share (%)", required=True,
        domain=[('time_share', '>', 0), ('time_share', '<=', 100)],
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('kind') != 'alternance',
            },
        help="The share of a full-time alternance the aid is paid for: a "
        "part-time student's aid is pro-rated (art. 6(2) al. 5).")
    state = fields.Selection([
            ('draft', "Draft"),
            ('signed', "Signed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.host, Index.Range()), (t.kind, Index.Equality())))
        cls._order.insert(0, ('start_date', 'DESC'))
        cls._transitions |= {
            ('draft', 'signed'),
            ('draft', 'cancelled'),
            ('signed', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'sign': {'invisible': Eval('state') != 'draft',
                    'depends': ['state']},
                'cancel': {'invisible': Eval('state') == 'cancelled',
                    'depends': ['state']},
                'draft': {'invisible': Eval('state') != 'cancelled',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'internship'

    @classmethod
    def default_time_share(cls):
        return FULL_TIME_SHARE

    def get_rec_name(self, name):
        return (f'{self.student.rec_name} - {self.host.rec_name} '
            f'{format_date(self.start_date)}')

    @fields.depends('student', '_parent_student.programme')
    def on_change_with_programme(self, name=None):
        return self.student.programme if self.student else None

    @fields.depends('student', 'start_date')
    def on_change_student(self):
        "A part-time student's share of the aid (art. 6(2) al. 5)"
        enrolment = self.enrolment()
        if enrolment:
            self.time_share = (PART_TIME_SHARE
                if enrolment.time_status == 'part_time' else FULL_TIME_SHARE)

    def enrolment(self):
        "The student's enrolment of the academic year of the start"
        pool = Pool()
        Enrolment = pool.get('bts.student.enrolment')
        if not self.student or not self.start_date:
            return None
        enrolments = Enrolment.search([
                ('student', '=', self.student.id),
                ('academic_year.start_date', '<=', self.start_date),
                ('academic_year.end_date', '>=', self.start_date),
                ], limit=1)
        return enrolments[0] if enrolments else None

    def in_force(self, date):
        "Whether the signed agreement covers date"
        return (self.state == 'signed'
            and self.start_date <= date <= self.end_date)

    @classmethod
    def validate_fields(cls, internships, field_names):
        super().validate_fields(internships, field_names)
        cls.check_hours(internships, field_names)

    @classmethod
    def check_hours(cls, internships, field_names=None):
        """The hours reach those of the plan's internship module (art. 4(2):
        at least 228 hours of training in a professional setting)"""
        if field_names and not (field_names & {'hours', 'module'}):
            return
        for internship in internships:
            module = internship.module
            if module and internship.hours < (module.internship_hours or 0):
                raise ValidationError(gettext(
                        'bts_student.msg_internship_hours',
                        internship=internship.rec_name,
                        hours=internship.hours, module=module.rec_name,
                        required=module.internship_hours))

    @classmethod
    @ModelView.button
    @Workflow.transition('signed')
    def sign(cls, internships):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, internships):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, internships):
        pass
