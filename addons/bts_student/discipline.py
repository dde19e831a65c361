# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The disciplinary regime (law of 21 July 2023, arts. 19-24) and the
réclamations before the litigation commission (art. 25): each deadline
computed from its dates, a case or an appeal out of time refused, a late
ruling or decision flagged."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.bts_programme.academic_year import (
    format_date,
    window_end,
)
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import Pool
from trytond.pyson import Eval

# Art. 21: the disciplinary action within six months; fraud, attempted
# fraud and plagiarism are imprescriptible.
LIMIT_MONTHS = 6
IMPRESCRIPTIBLE = {'fraud'}
# Art. 24(1): appeal within seven days of the notification; the litigation
# commission rules within thirty days.
APPEAL_DAYS = 7
RULING_DAYS = 30
# Art. 25: réclamation within a month of the notification; no final
# decision within a month of the réclamation is a rejection.
CLAIM_MONTHS = 1

# Art. 19: the disciplinary offences
OFFENCES = [
    ('violence', "Serious insult, threat, assault or violence (1°)"),
    ('weapons', "Carrying weapons (2°)"),
    ('safety', "Refusing conduct or safety measures (3°)"),
    ('property', "Theft, damage or destruction of property (4°)"),
    ('decency', "Offence against decency (5°)"),
    ('alcohol', "Alcohol on the lycée's premises (6°)"),
    ('drugs', "Use or trafficking of prohibited drugs (7°)"),
    ('discrimination', "Discrimination (8°)"),
    ('hatred', "Incitement to hatred or intolerance (9°)"),
    ('harassment', "Moral or sexual harassment (10°)"),
    ('fraud', "Fraud, attempted fraud or plagiarism (11°)"),
    ('absence',
        "Unjustified absence of 20 per cent or more in a semester (12°)"),
    ]
# Art. 20(1): the sanctions, and the offences a sanction is reserved to
SANCTIONS = [
    ('reprimand', "Reprimand (blâme, 1°)"),
    ('warning', "Warning (avertissement, 2°)"),
    ('course_exclusion',
        "Temporary exclusion from courses, at most a semester (3°)"),
    ('temporary_exclusion',
        "Temporary exclusion from the lycée, at most a semester (4°)"),
    ('definitive_exclusion', "Definitive exclusion from the lycée (5°)"),
    ('evaluation_ban',
        "Nullity of the tests or ban from evaluations up to five years (6°)"),
    ('withdrawal', "Retroactive withdrawal of the BTS (7°)"),
    ('semester_nullity',
        "Nullity of the semester's evaluations, graded zero (8°)"),
    ]
RESERVED_SANCTIONS = {
    'evaluation_ban': {'fraud'},
    'withdrawal': {'fraud'},
    'semester_nullity': {'absence'},
    }
# Art. 22(3): a hearing before every sanction but the reprimand
WITHOUT_HEARING = {'reprimand'}
RULINGS = [
    (None, ""),
    ('confirmed', "Sanction Confirmed"),
    ('reduced', "Sanction Reduced"),
    ('annulled', "Sanction Annulled"),
    ]
CLAIM_DECISIONS = [
    ('access', "Access (art. 10)"),
    ('vae', "Validation of Experience (art. 11)"),
    ('admission', "Admission (art. 12)"),
    ('evaluation', "Evaluation and Progression (art. 13)"),
    ('jury', "Exam Jury (art. 14)"),
    ('accommodation', "Reasonable Accommodation (arts. 16-17)"),
    ('diploma', "Diploma (art. 26)"),
    ]


def require(records, names, message, key):
    """Refuse the first of records missing one of the fields names with
    message, the record's name as key"""
    for record in records:
        if not all(getattr(record, name) for name in names):
            raise ValidationError(gettext(
                    f'bts_student.msg_{message}', **{key: record.rec_name}))


# A case's facts are changed only while it is opened
_OPENED = Eval('state') != 'opened'


class CommissionerMixin:
    """Decisions sent for information to the government commissioner, the
    ministry's representative for the programme (arts. 16(5), 23(3)): the
    date they were sent (``commissioner_date``) once in a decided state"""
    __slots__ = ()
    _decided_states = ()

    @classmethod
    def to_send(cls):
        "The decided records not sent to the government commissioner yet"
        return cls.search([
                ('state', 'in', list(cls._decided_states)),
                ('commissioner_date', '=', None),
                ])


class DisciplinaryCase(
        CommissionerMixin, ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Affaire disciplinaire: an offence of art. 19 by a student, the
    director's hearing (art. 22(3)), the sanction (art. 20) and the appeal
    to the litigation commission, the commission des litiges (art. 24)"""
    __name__ = 'bts.student.discipline'
    __string__ = "Disciplinary Case"
    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='RESTRICT',
        states={'readonly': _OPENED})
    offence = fields.Selection(
        OFFENCES, "Offence", required=True, states={'readonly': _OPENED})
    facts = fields.Text("Facts", states={'readonly': _OPENED})
    facts_date = fields.Date(
        "Date of the Facts", required=True, states={'readonly': _OPENED})
    opening_date = fields.Date(
        "Opening Date", required=True, states={'readonly': _OPENED},
        help="The day the director opened the case (art. 22(1)).")
    limit_date = fields.Function(fields.Date(
            "Last Day to Open",
            help="Six months from the facts (art. 21); none for fraud or "
            "plagiarism, which are imprescriptible."),
        'on_change_with_limit_date')
    hearing_date = fields.Date(
        "Hearing Date", states={
            'readonly': Eval('state') != 'opened',
            'required': Eval('state') == 'heard'})
    no_show = fields.Boolean(
        "Absent from the Hearing",
        states={'readonly': Eval('state') != 'opened'},
        help="The student did not come: a record of absence (procès-verbal "
        "de carence) replaces the minutes.")
    defender = fields.Char(
        "Defender", states={'readonly': Eval('state') != 'opened'})
    minutes = fields.Text(
        "Minutes of the Hearing",
        states={'readonly': Eval('state') != 'opened'})
    sanction = fields.Selection(
        [(None, "")] + SANCTIONS, "Sanction",
        states={
            'readonly': ~Eval('state').in_(['opened', 'heard']),
            'required': Eval('state').in_(['decided', 'appealed', 'ruled']),
            })
    reasons = fields.Text(
        "Reasons", states={
            'readonly': ~Eval('state').in_(['opened', 'heard']),
            'required': Eval('state').in_(['decided', 'appealed', 'ruled']),
            },
        help="Every sanction is given in writing with clear and precise "
        "reasons (art. 22(3)).")
    notification_date = fields.Date(
        "Notification Date", states={
            'readonly': ~Eval('state').in_(['opened', 'heard']),
            'required': Eval('state').in_(['decided', 'appealed', 'ruled']),
            })
    appeal_deadline = fields.Function(fields.Date(
            "Appeal Deadline", help="Seven days from the notification "
            "(art. 24(1))."),
        'on_change_with_appeal_deadline')
    appeal_date = fields.Date(
        "Appeal Date", states={
            'readonly': Eval('state') != 'decided',
            'required': Eval('state').in_(['appealed', 'ruled']),
            })
    commission = fields.Char(
        "Litigation Commission", states={
            'readonly': ~Eval('state').in_(['decided', 'appealed']),
            })
    ruling_deadline = fields.Function(fields.Date(
            "Ruling Deadline", help="Thirty days from the appeal "
            "(art. 24(1))."),
        'on_change_with_ruling_deadline')
    ruling_date = fields.Date(
        "Ruling Date", states={
            'readonly': Eval('state') != 'appealed',
            'required': Eval('state') == 'ruled'})
    ruling = fields.Selection(
        RULINGS, "Ruling", states={
            'readonly': Eval('state') != 'appealed',
            'required': Eval('state') == 'ruled'})
    ruling_late = fields.Function(fields.Boolean(
            "Ruling Late",
            help="The litigation commission ruled, or has not ruled yet, "
            "after its thirty days."),
        'get_ruling_late')
    commissioner_date = fields.Date(
        "Sent to the Government Commissioner",
        states={'readonly': ~Eval('state').in_(['decided', 'ruled'])},
        help="The decisions are sent to the government commissioner "
        "(art. 23(3)).")
    state = fields.Selection([
            ('opened', "Opened"),
            ('heard', "Heard"),
            ('decided', "Decided"),
            ('appealed', "Appealed"),
            ('ruled', "Ruled"),
            ('closed', "Closed without Sanction"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low'))))
        cls._order.insert(0, ('opening_date', 'DESC'))
        cls._guard_deletable = {'opened'}
        cls._decided_states = ('decided', 'ruled')
        cls._transitions |= {
            ('opened', 'heard'),
            ('opened', 'decided'),
            ('heard', 'decided'),
            ('opened', 'closed'),
            ('heard', 'closed'),
            ('decided', 'appealed'),
            ('appealed', 'ruled'),
            }
        cls._buttons.update({
                'hear': {'invisible': Eval('state') != 'opened',
                    'depends': ['state']},
                'decide': {
                    'invisible': ~Eval('state').in_(['opened', 'heard']),
                    'depends': ['state']},
                'close': {
                    'invisible': ~Eval('state').in_(['opened', 'heard']),
                    'depends': ['state']},
                'appeal': {'invisible': Eval('state') != 'decided',
                    'depends': ['state']},
                'rule': {'invisible': Eval('state') != 'appealed',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'opened'

    @classmethod
    def default_opening_date(cls):
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return f'{self.student.rec_name} {format_date(self.facts_date)}'

    @fields.depends('facts_date', 'offence')
    def on_change_with_limit_date(self, name=None):
        if self.facts_date and self.offence not in IMPRESCRIPTIBLE:
            return window_end(self.facts_date, LIMIT_MONTHS)

    @fields.depends('notification_date')
    def on_change_with_appeal_deadline(self, name=None):
        if self.notification_date:
            return self.notification_date + dt.timedelta(days=APPEAL_DAYS)

    @fields.depends('appeal_date')
    def on_change_with_ruling_deadline(self, name=None):
        if self.appeal_date:
            return self.appeal_date + dt.timedelta(days=RULING_DAYS)

    def get_ruling_late(self, name):
        deadline = self.ruling_deadline
        if not deadline:
            return False
        date = self.ruling_date or Pool().get('ir.date').today()
        return date > deadline

    @classmethod
    def validate_fields(cls, cases, field_names):
        super().validate_fields(cases, field_names)
        cls.check_limit(cases, field_names)
        cls.check_sanction(cases, field_names)
        cls.check_appeal(cases, field_names)

    @classmethod
    def check_limit(cls, cases, field_names=None):
        """Art. 21: the case is opened within six months of the facts,
        unless fraud or plagiarism; not before the facts"""
        if field_names and not (
                field_names & {'facts_date', 'opening_date', 'offence'}):
            return
        for case in cases:
            if case.opening_date < case.facts_date:
                raise ValidationError(gettext(
                        'bts_student.msg_discipline_before_facts',
                        case=case.rec_name))
            limit = case.limit_date
            if limit and case.opening_date > limit:
                raise ValidationError(gettext(
                        'bts_student.msg_discipline_time_barred',
                        case=case.rec_name,
                        opening=format_date(case.opening_date),
                        limit=format_date(limit)))

    @classmethod
    def check_sanction(cls, cases, field_names=None):
        """Art. 20(1): sanctions 6° and 7° for fraud, 8° for absence;
        art. 22(3): a hearing before any sanction but the reprimand"""
        if field_names and not (
                field_names & {'sanction', 'offence', 'state'}):
            return
        for case in cases:
            if not case.sanction:
                continue
            offences = RESERVED_SANCTIONS.get(case.sanction)
            if offences is not None and case.offence not in offences:
                raise ValidationError(gettext(
                        'bts_student.msg_discipline_sanction_offence',
                        case=case.rec_name,
                        sanction=case.sanction_string,
                        offence=case.offence_string))

    @classmethod
    def check_appeal(cls, cases, field_names=None):
        "Art. 24(1): the appeal within seven days of the notification"
        if field_names and not (
                field_names & {'appeal_date', 'notification_date'}):
            return
        for case in cases:
            if not case.appeal_date:
                continue
            if not (case.notification_date <= case.appeal_date
                    <= case.appeal_deadline):
                raise ValidationError(gettext(
                        'bts_student.msg_discipline_appeal_late',
                        case=case.rec_name,
                        appeal=format_date(case.appeal_date),
                        notification=format_date(case.notification_date),
                        deadline=format_date(case.appeal_deadline)))

    offence_string = offence.translated('offence')
    sanction_string = sanction.translated('sanction')

    @classmethod
    @ModelView.button
    @Workflow.transition('heard')
    def hear(cls, cases):
        "The hearing took place, or the record of the student's absence"
        require(cases, ['hearing_date'], 'discipline_hearing_missing', 'case')

    @classmethod
    @ModelView.button
    @Workflow.transition('decided')
    def decide(cls, cases):
        """The director's written sanction, notified; every sanction but
        the reprimand after the hearing (art. 22(3))"""
        for case in cases:
            if (case.state != 'heard'
                    and case.sanction not in WITHOUT_HEARING):
                raise ValidationError(gettext(
                        'bts_student.msg_discipline_hearing_first',
                        case=case.rec_name))
            if not (case.sanction and (case.reasons or '').strip()
                    and case.notification_date):
                raise ValidationError(gettext(
                        'bts_student.msg_discipline_decision_incomplete',
                        case=case.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, cases):
        cls.write(cases, {'sanction': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('appealed')
    def appeal(cls, cases):
        "The appeal to the litigation commission, dated (art. 24(1))"
        require(cases, ['appeal_date'], 'discipline_appeal_missing', 'case')

    @classmethod
    @ModelView.button
    @Workflow.transition('ruled')
    def rule(cls, cases):
        "The litigation commission's ruling, dated"
        require(cases, ['ruling', 'ruling_date'], 'discipline_ruling_missing',
            'case')
        for case in cases:
            if case.ruling_date < case.appeal_date:
                raise ValidationError(gettext(
                        'bts_student.msg_discipline_ruling_before',
                        case=case.rec_name))



class Claim(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Réclamation: a student's challenge of a decision on access, VAE,
    admission, evaluation, the exam jury, accommodations or the diploma
    before the litigation commission (art. 25); silence for a month is a
    rejection"""
    __name__ = 'bts.student.claim'
    __string__ = "Réclamation"
    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'filed'})
    decision = fields.Selection(
        CLAIM_DECISIONS, "Decision Challenged", required=True,
        states={'readonly': Eval('state') != 'filed'})
    notification_date = fields.Date(
        "Notification of the Decision", required=True,
        states={'readonly': Eval('state') != 'filed'})
    filing_deadline = fields.Function(fields.Date(
            "Filing Deadline",
            help="A month from the notification (art. 25(1))."),
        'on_change_with_filing_deadline')
    filing_date = fields.Date(
        "Filing Date", required=True,
        states={'readonly': Eval('state') != 'filed'})
    decision_deadline = fields.Function(fields.Date(
            "Decision Deadline",
            help="A month from the réclamation: without a final decision "
            "by then it is deemed rejected (art. 25(2))."),
        'on_change_with_decision_deadline')
    decision_date = fields.Date(
        "Date of the Commission's Decision", states={
            'readonly': Eval('state') != 'filed',
            'required': Eval('state').in_(['granted', 'rejected'])})
    deemed_rejected = fields.Function(fields.Boolean(
            "Deemed Rejected",
            help="No final decision within the month: rejected by silence."),
        'get_deemed_rejected', searcher='search_deemed_rejected')
    commissioner_date = fields.Date(
        "Sent to the Government Commissioner",
        states={'readonly': Eval('state') == 'filed'})
    state = fields.Selection([
            ('filed', "Filed"),
            ('granted', "Granted"),
            ('rejected', "Rejected"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('filing_date', 'DESC'))
        cls._guard_deletable = {'filed'}
        cls._transitions |= {('filed', 'granted'), ('filed', 'rejected')}
        cls._buttons.update({
                'grant': {'invisible': Eval('state') != 'filed',
                    'depends': ['state']},
                'reject': {'invisible': Eval('state') != 'filed',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'filed'

    def get_rec_name(self, name):
        return f'{self.student.rec_name} {format_date(self.filing_date)}'

    @fields.depends('notification_date')
    def on_change_with_filing_deadline(self, name=None):
        if self.notification_date:
            return window_end(self.notification_date, CLAIM_MONTHS)

    @fields.depends('filing_date')
    def on_change_with_decision_deadline(self, name=None):
        if self.filing_date:
            return window_end(self.filing_date, CLAIM_MONTHS)

    def get_deemed_rejected(self, name):
        today = Pool().get('ir.date').today()
        return self.state == 'filed' and today > self.decision_deadline

    @classmethod
    def search_deemed_rejected(cls, name, clause):
        "The claims filed before the month that ends yesterday"
        today = Pool().get('ir.date').today()
        # window_end(filing, 1) < today: filed before the same day a month
        # ago (a window ends the day before the same date a month later)
        ids = [c.id for c in cls.search([('state', '=', 'filed')])
            if c.decision_deadline < today]
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('id', 'in', ids)]
        return [('id', 'not in', ids)]

    @classmethod
    def validate_fields(cls, claims, field_names):
        super().validate_fields(claims, field_names)
        if field_names and not (
                field_names & {'filing_date', 'notification_date'}):
            return
        for claim in claims:
            if not (claim.notification_date <= claim.filing_date
                    <= claim.filing_deadline):
                raise ValidationError(gettext(
                        'bts_student.msg_claim_late',
                        claim=claim.rec_name,
                        filing=format_date(claim.filing_date),
                        deadline=format_date(claim.filing_deadline)))

    @classmethod
    def _decide(cls, claims):
        "The commission's final decision, within the month (art. 25(2))"
        require(claims, ['decision_date'], 'claim_decision_missing', 'claim')
        for claim in claims:
            if claim.decision_date > claim.decision_deadline:
                raise ValidationError(gettext(
                        'bts_student.msg_claim_decision_late',
                        claim=claim.rec_name,
                        deadline=format_date(claim.decision_deadline)))

    @classmethod
    @ModelView.button
    @Workflow.transition('granted')
    def grant(cls, claims):
        cls._decide(claims)

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, claims):
        cls._decide(claims)

