# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Reasonable accommodations (aménagements raisonnables, law of 21 July
2023, arts. 15-18): the request to the director, the reference person's
transmission to the national commission within a month, its decision
within a month of the referral. Their data are kept no longer than the
last academic year of enrolment (art. 33), earlier than the student's
other data: purge_ended removes them, preview_purge is its dry run."""
import logging

from sql import Null
from sql.aggregate import Max

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.bts_programme.academic_year import (
    format_date,
    window_end,
)
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

from .discipline import CommissionerMixin, require

logger = logging.getLogger(__name__)

# Art. 16(2)-(3): transmission within a month of the request, decision
# within a month of the referral
TRANSMISSION_MONTHS = 1
DECISION_MONTHS = 1
# The students whose enrolment ended: no longer enrolled nor suspended
ENDED_STATES = ('excluded', 'graduated', 'withdrawn')
# Art. 17: the accommodations and derogations the commission may grant
DEROGATIONS = [
    ('classroom', "Classroom Adaptation (1°)"),
    ('separate_room', "Separate Room for Evaluations (2°)"),
    ('presentation', "Adapted Presentation of Questionnaires (3°)"),
    ('extra_time', "Extra Time (4°)"),
    ('breaks', "Extra Breaks (5°)"),
    ('aids', "Technological and Human Aids (6°)"),
    ('two_sessions', "Evaluations over Two Sessions (7°)"),
    ('evaluation_conditions', "Replaced Evaluation Modalities (8°)"),
    ('exemption', "Exemption from Part of the Evaluations (9°)"),
    ('first_year_ects', "Derogation from the First-Year ECTS (10°)"),
    ('maximum_duration', "Extension of the Maximum Duration (10°)"),
    ]


class Accommodation(
        CommissionerMixin, ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Aménagement raisonnable: a student's request to the director, the
    reference person's dossier and the decision of the national
    reasonable-accommodations commission (arts. 15-18); confidential"""
    __name__ = 'bts.student.accommodation'
    __string__ = "Reasonable Accommodation"
    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='CASCADE',
        states={'readonly': Eval('state') != 'requested'})
    request_date = fields.Date(
        "Request Date", required=True,
        states={'readonly': Eval('state') != 'requested'})
    reference_person = fields.Many2One(
        'party.party', "Reference Person", ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'requested'},
        help="Named by the director to build the dossier (art. 16(1)).")
    derogations = fields.MultiSelection(
        DEROGATIONS, "Requested Accommodations",
        states={'readonly': ~Eval('state').in_(['requested', 'referred'])})
    details = fields.Text(
        "Details", states={'readonly': Eval('state') != 'requested'})
    transmission_deadline = fields.Function(fields.Date(
            "Transmission Deadline",
            help="A month from the request (art. 16(2))."),
        'on_change_with_transmission_deadline')
    referral_date = fields.Date(
        "Referral Date", states={
            'readonly': Eval('state') != 'requested',
            'required': Eval('state') != 'requested'},
        help="The day the reference person sent the request and the "
        "dossier to the commission.")
    decision_deadline = fields.Function(fields.Date(
            "Decision Deadline",
            help="A month from the referral (art. 16(3))."),
        'on_change_with_decision_deadline')
    decision_date = fields.Date(
        "Decision Date", states={
            'readonly': Eval('state') != 'referred',
            'required': Eval('state').in_(['granted', 'refused'])})
    decision = fields.Text(
        "Decision", states={'readonly': Eval('state') != 'referred'})
    late = fields.Function(fields.Boolean(
            "Late", help="Transmitted or decided after its month."),
        'get_late')
    commissioner_date = fields.Date(
        "Sent to the Government Commissioner",
        states={'readonly': ~Eval('state').in_(['granted', 'refused'])},
        help="The commission's decisions are sent for information to the "
        "government commissioner (art. 16(5)).")
    state = fields.Selection([
            ('requested', "Requested"),
            ('referred', "Referred to the Commission"),
            ('granted', "Granted"),
            ('refused', "Refused"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('request_date', 'DESC'))
        cls._guard_deletable = {'requested'}
        cls._decided_states = ('granted', 'refused')
        cls._transitions |= {
            ('requested', 'referred'),
            ('referred', 'granted'),
            ('referred', 'refused'),
            }
        cls._buttons.update({
                'refer': {'invisible': Eval('state') != 'requested',
                    'depends': ['state']},
                'grant': {'invisible': Eval('state') != 'referred',
                    'depends': ['state']},
                'refuse': {'invisible': Eval('state') != 'referred',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'requested'

    def get_rec_name(self, name):
        return f'{self.student.rec_name} {format_date(self.request_date)}'

    @fields.depends('request_date')
    def on_change_with_transmission_deadline(self, name=None):
        if self.request_date:
            return window_end(self.request_date, TRANSMISSION_MONTHS)

    @fields.depends('referral_date')
    def on_change_with_decision_deadline(self, name=None):
        if self.referral_date:
            return window_end(self.referral_date, DECISION_MONTHS)

    def get_late(self, name):
        today = Pool().get('ir.date').today()
        referral = self.referral_date or today
        if referral > self.transmission_deadline:
            return True
        if self.state in {'requested', 'referred'}:
            decided = today if self.state == 'referred' else None
        else:
            decided = self.decision_date
        return bool(decided and decided > self.decision_deadline)

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names and not (field_names & {'request_date',
                    'referral_date', 'decision_date', 'commissioner_date'}):
            return
        for record in records:
            dates = [d for d in [record.request_date, record.referral_date,
                    record.decision_date, record.commissioner_date] if d]
            if dates != sorted(dates):
                raise ValidationError(gettext(
                        'bts_student.msg_accommodation_dates',
                        accommodation=record.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('referred')
    def refer(cls, records):
        require(records, ['referral_date'],
            'accommodation_referral_missing', 'accommodation')

    @classmethod
    def _decide(cls, records):
        require(records, ['decision_date'],
            'accommodation_decision_missing', 'accommodation')

    @classmethod
    @ModelView.button
    @Workflow.transition('granted')
    def grant(cls, records):
        cls._decide(records)

    @classmethod
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, records):
        cls._decide(records)

    @classmethod
    def ended(cls, date):
        """The accommodations of the students whose enrolment ended and
        whose last enrolled academic year ended before date (RULES.md
        §K.12: the accommodations go after the last enrolled year)"""
        pool = Pool()
        Student = pool.get('bts.student')
        Enrolment = pool.get('bts.student.enrolment')
        AcademicYear = pool.get('bts.academic_year')
        student = Student.__table__()
        enrolment = Enrolment.__table__()
        year = AcademicYear.__table__()
        last = Max(year.end_date)
        query = student.join(enrolment, 'LEFT',
            condition=enrolment.student == student.id
            ).join(year, 'LEFT',
            condition=enrolment.academic_year == year.id
            ).select(student.id,
            where=student.state.in_(ENDED_STATES),
            group_by=[student.id],
            having=(last == Null) | (last < date))
        with without_check_access():
            return cls.search([('student', 'in', query)])

    @classmethod
    def preview_purge(cls, date=None):
        "The dry run: the accommodations purge_ended would delete on date"
        if date is None:
            date = Pool().get('ir.date').today()
        return cls.ended(date)

    @classmethod
    def purge_ended(cls, date=None):
        """Cron: delete the accommodations of the students whose last
        enrolled academic year ended (art. 33; the dossier itself goes to
        the student on request, art. 16(4)); return how many"""
        # Past draft the guard keeps a decision from the clients' delete:
        # the purge is the server's own, in SQL
        ids = [r.id for r in cls.preview_purge(date)]
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(ids):
            cursor.execute(*table.delete(where=reduce_ids(table.id, sub_ids)))
        records = ids
        logger.info("%s reasonable accommodations purged", len(records))
        return len(records)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('bts.student.accommodation|purge_ended',
                "Purge the Reasonable Accommodations of Ended Enrolments"))
