# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Enrolment per academic year (law of 21 July 2023, arts. 1 and 10):
the ECTS load and the explicit time status, the tutor (art. 8), the proof
of health insurance (art. 10(3)) and the registration fee of each
semester (droits d'inscription, art. 10(5)); the enrolment is effective
once its first semester is paid."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import (
    Index,
    ModelSingleton,
    ModelSQL,
    ModelView,
    Unique,
    Workflow,
    fields,
)
from trytond.modules.bts_programme.guard import (
    ClientGuardMixin,
    SingletonGuardMixin,
)
from trytond.modules.bts_programme.wage_index import EuroMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .exceptions import EnrolmentError, FeeError

TIME_STATUSES = [
    ('full_time', "Full-time"),
    ('part_time', "Part-time"),
    ]
# Art. 1, 14° and 15°: full-time at least 60 ECTS a year, part-time 30
# to 34; a load between is neither and is flagged (RULES.md §A.1).
FULL_TIME_MIN = Decimal(60)
PART_TIME_MIN, PART_TIME_MAX = Decimal(30), Decimal(34)
# Art. 10(5): at most 50 euros at index 100 per semester.
FEE_CEILING = Decimal(50)


def format_ects(ects):
    "The ECTS as the user's language writes them: 32,5 or 34 in French"
    digits = 0 if ects == ects.to_integral_value() else 1
    return Pool().get('ir.lang').get().format(f'%.{digits}f', ects)


class Configuration(SingletonGuardMixin, ModelSingleton, ModelSQL, ModelView):
    "Students' settings"
    __name__ = 'bts.student.configuration'
    __string__ = "Student Configuration"
    registration_fee = fields.Numeric(
        "Registration Fee (index 100)", digits=(16, 2), required=True,
        domain=[('registration_fee', '>=', 0)],
        help="The registration fee per semester at index 100, at most "
        "50 euros (art. 10(5) of the law of 21 July 2023).")

    @classmethod
    def default_registration_fee(cls):
        return FEE_CEILING

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        cls.check_fee_ceiling(records)

    @classmethod
    def check_fee_ceiling(cls, records):
        for record in records:
            if record.registration_fee > FEE_CEILING:
                raise FeeError(gettext(
                        'bts_student.msg_fee_ceiling',
                        fee=record.registration_fee, ceiling=FEE_CEILING))


class Programme(metaclass=PoolMeta):
    __name__ = 'bts.programme'
    fee_lycee = fields.Many2One(
        'bts.lycee', "Lycée Collecting the Fees", ondelete='RESTRICT',
        domain=[('id', 'in', Eval('lycees', []))],
        states={'invisible': ~Eval('joint', False)},
        help="The lycée designated to collect the registration fees of a "
        "joint programme (art. 10(5) of the law of 21 July 2023).")


class Enrolment(ClientGuardMixin, Workflow, ModelSQL, ModelView):
    """Enrolment

    An inscription of a student for one academic year, full-time or
    part-time (art. 1 of the law of 21 July 2023)."""
    __name__ = 'bts.student.enrolment'
    __string__ = "Enrolment"
    _states = {'readonly': Eval('state') != 'draft'}

    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='CASCADE',
        states=_states)
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT', states=_states)
    time_status = fields.Selection(
        TIME_STATUSES, "Time Status", required=True, states=_states)
    ects = fields.Numeric(
        "ECTS", digits=(16, 1), required=True, states=_states,
        domain=[('ects', '>=', 0)],
        help="The ECTS credits of the courses planned for the year.")
    load_gap = fields.Function(fields.Boolean(
            "Load Between Part-time and Full-time",
            help="35 to 59 ECTS: neither full-time (at least 60) nor "
            "part-time (30 to 34) under art. 1 of the law of 21 July "
            "2023."), 'get_load_gap')
    health_insurance = fields.Boolean(
        "Health Insurance Proof", states=_states,
        help="The proof of affiliation to the health insurance (art. 10(3) "
        "of the law of 21 July 2023).")
    # The office types each fee's payment date once registered; the fees
    # themselves are created by Register only
    fees = fields.One2Many(
        'bts.student.enrolment.fee', 'enrolment', "Registration Fees",
        states={
            'readonly': ~Eval('state').in_(['registered', 'effective']),
            })
    effective_date = fields.Date("Effective Date", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('registered', "Awaiting Payment"),
            ('effective', "Effective"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    del _states

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
        cls._transitions |= {
            ('draft', 'registered'), ('registered', 'effective'),
            ('draft', 'cancelled'), ('registered', 'cancelled'),
            ('effective', 'cancelled'), ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'register': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'make_effective': {
                    'invisible': Eval('state') != 'registered',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') == 'cancelled',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_time_status(cls):
        return 'full_time'

    @classmethod
    def default_ects(cls):
        return FULL_TIME_MIN

    def get_rec_name(self, name):
        return f'{self.student.rec_name} - {self.academic_year.rec_name}'

    def get_load_gap(self, name):
        return self.ects is not None and PART_TIME_MAX < self.ects \
            < FULL_TIME_MIN

    @classmethod
    def validate_fields(cls, enrolments, field_names):
        super().validate_fields(enrolments, field_names)
        if field_names & {'ects', 'time_status'}:
            cls.check_load(enrolments)

    @classmethod
    def check_load(cls, enrolments):
        """A full-time load below 35 ECTS is part-time, a part-time load
        below 30 or from 60 is not (art. 1, 14° and 15°)"""
        for enrolment in enrolments:
            ects, status = enrolment.ects, enrolment.time_status
            if status == 'full_time' and ects <= PART_TIME_MAX:
                message = 'msg_enrolment_full_time'
            elif status == 'part_time' and not (
                    PART_TIME_MIN <= ects < FULL_TIME_MIN):
                message = 'msg_enrolment_part_time'
            else:
                continue
            raise EnrolmentError(gettext(
                    f'bts_student.{message}',
                    enrolment=enrolment.rec_name, ects=format_ects(ects)))

    @classmethod
    def check_tutor(cls, enrolments):
        "Art. 8: every student has a tutor designated by the director"
        for enrolment in enrolments:
            if not enrolment.student.tutor:
                raise EnrolmentError(gettext(
                        'bts_student.msg_enrolment_tutor',
                        student=enrolment.student.rec_name))

    @classmethod
    def check_health_insurance(cls, enrolments):
        "Art. 10(3): the proof of health insurance to enrol"
        for enrolment in enrolments:
            if not enrolment.health_insurance:
                raise EnrolmentError(gettext(
                        'bts_student.msg_enrolment_health_insurance',
                        enrolment=enrolment.rec_name))

    @classmethod
    def check_paid(cls, enrolments):
        "The enrolment is effective once the first semester is paid"
        for enrolment in enrolments:
            first = enrolment.fees[0] if enrolment.fees else None
            if not first or first.state != 'paid':
                raise FeeError(gettext(
                        'bts_student.msg_enrolment_unpaid',
                        enrolment=enrolment.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('registered')
    def register(cls, enrolments):
        "Checks the tutor and creates the fee of each semester"
        Fee = Pool().get('bts.student.enrolment.fee')
        cls.check_tutor(enrolments)
        Fee.create([f for e in enrolments for f in e._fee_values()])

    def _fee_values(self):
        Fee = Pool().get('bts.student.enrolment.fee')
        lycee = self.student.fee_lycee()
        return [Fee.values_for(self, semester, lycee)
            for semester in self.academic_year.semesters]

    @classmethod
    @ModelView.button
    @Workflow.transition('effective')
    def make_effective(cls, enrolments):
        Date = Pool().get('ir.date')
        cls.check_health_insurance(enrolments)
        cls.check_tutor(enrolments)
        cls.check_paid(enrolments)
        cls.write(enrolments, {'effective_date': Date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, enrolments):
        Fee = Pool().get('bts.student.enrolment.fee')
        Fee.delete([f for e in enrolments for f in e.fees
                if f.state == 'unpaid'])

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, enrolments):
        cls.write(enrolments, {'effective_date': None})


class Student(metaclass=PoolMeta):
    __name__ = 'bts.student'

    def fee_lycee(self):
        """The lycée that collects the fees: a joint programme's designated
        lycée (art. 10(5)), otherwise the student's"""
        if not self.programme.joint:
            return self.lycee
        if not self.programme.fee_lycee:
            raise FeeError(gettext(
                    'bts_student.msg_fee_lycee_missing',
                    programme=self.programme.rec_name))
        return self.programme.fee_lycee


class Fee(ClientGuardMixin, EuroMixin, Workflow, ModelSQL, ModelView):
    """Registration fee (droits d'inscription) of one semester of an
    enrolment: the amount at index 100 of the setting, the index in force
    on the semester's first day and the euros (art. 10(5) of the law of
    21 July 2023)"""
    __name__ = 'bts.student.enrolment.fee'
    __string__ = "Registration Fee"
    _guard_deletable = {'unpaid'}
    enrolment = fields.Many2One(
        'bts.student.enrolment', "Enrolment", required=True,
        ondelete='CASCADE', readonly=True)
    semester = fields.Many2One(
        'bts.semester', "Semester", required=True, ondelete='RESTRICT',
        readonly=True)
    lycee = fields.Many2One(
        'bts.lycee', "Collecting Lycée", required=True, ondelete='RESTRICT',
        readonly=True)
    amount_ni100 = fields.Numeric(
        "Amount (index 100)", digits=(16, 2), required=True, readonly=True)
    index = fields.Numeric("Index", digits=(16, 2), required=True,
        readonly=True)
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True)
    payment_date = fields.Date(
        "Payment Date",
        states={
            'readonly': Eval('state') != 'unpaid',
            'required': Eval('state') == 'paid',
            })
    state = fields.Selection([
            ('unpaid', "Unpaid"),
            ('paid', "Paid"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('enrolment')
        cls._sql_constraints += [
            ('enrolment_semester_unique',
                Unique(t, t.enrolment, t.semester),
                'bts_student.msg_fee_unique'),
            ]
        cls._order.insert(0, ('semester', 'ASC'))
        cls._transitions |= {('unpaid', 'paid')}
        cls._buttons.update({
                'pay': {
                    'invisible': Eval('state') != 'unpaid',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'unpaid'

    def get_rec_name(self, name):
        return f'{self.enrolment.rec_name} - {self.semester.rec_name}'

    @classmethod
    def values_for(cls, enrolment, semester, lycee):
        "The fee of enrolment for semester at the index of its first day"
        pool = Pool()
        Configuration = pool.get('bts.student.configuration')
        WageIndex = pool.get('bts.wage_index')
        rate = Configuration(1).registration_fee
        index, _, amount = WageIndex.line_amount(
            rate, 1, semester.start_date)
        return {
            'enrolment': enrolment.id,
            'semester': semester.id,
            'lycee': lycee.id,
            'amount_ni100': rate,
            'index': index,
            'amount': amount,
            }

    @classmethod
    @ModelView.button
    @Workflow.transition('paid')
    def pay(cls, fees):
        Date = Pool().get('ir.date')
        cls.write([f for f in fees if not f.payment_date],
            {'payment_date': Date.today()})
