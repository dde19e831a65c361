# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The ministry's figures on students: intake and success per programme,
lycée and academic year (the student statistics of the annual report,
art. 64 of the law of 21 July 2023)."""
from decimal import ROUND_HALF_UP, Decimal

from sql import Literal, Union
from sql.aggregate import Max, Min, Sum

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.bts_programme.guard import ReadOnlyViewMixin
from trytond.pool import Pool

RATE_UNIT = Decimal('0.1')
# Each event counts one student in one academic year; its columns in order.
COUNTS = ('admitted', 'enrolled', 'graduated', 'excluded', 'withdrawn',
    'cohort_graduated')
# Years are numbered below this in the row's id, student * YEARS + year.
YEARS = 100000


def _rate(part, whole):
    "part of whole in percent, one decimal; None without whole"
    if whole:
        return (Decimal(part) * 100 / whole).quantize(
            RATE_UNIT, rounding=ROUND_HALF_UP)


class StudentFigures(ReadOnlyViewMixin, ModelSQL, ModelView):
    """Students per programme, lycée and academic year: admitted (the
    intake), enrolled (effective enrolments), graduated, excluded by the
    exam jury, dropped out (withdrawn after their last enrolment) and the
    graduates of the intake"""
    __name__ = 'bts.student.figures'
    __string__ = "Student Figures"
    programme = fields.Many2One('bts.programme', "Programme", readonly=True)
    lycee = fields.Many2One('bts.lycee', "Lycée", readonly=True)
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", readonly=True)
    admitted = fields.Integer(
        "Admitted", readonly=True,
        help="Students whose first enrolment is in the academic year.")
    enrolled = fields.Integer("Enrolled", readonly=True)
    graduated = fields.Integer("Graduated", readonly=True)
    excluded = fields.Integer("Excluded", readonly=True)
    withdrawn = fields.Integer(
        "Dropped Out", readonly=True,
        help="Students who withdrew after their last enrolment in the "
        "academic year.")
    cohort_graduated = fields.Integer(
        "Graduates of the Intake", readonly=True,
        help="The students admitted in the academic year who graduated "
        "since.")
    success_rate = fields.Function(
        fields.Numeric("Success Rate (%)", digits=(16, 1),
            help="The enrolled students neither excluded nor dropped "
            "out."),
        'get_rates')
    dropout_rate = fields.Function(
        fields.Numeric("Drop-out Rate (%)", digits=(16, 1)), 'get_rates')
    graduation_rate = fields.Function(
        fields.Numeric("Graduation Rate of the Intake (%)", digits=(16, 1)),
        'get_rates')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('academic_year', 'DESC'), ('programme', 'ASC'),
            ('lycee', 'ASC'), ('id', 'ASC')]

    @classmethod
    def events(cls):
        """The queries of the events, each selecting student, academic year
        and a 1 in the column of its count"""
        pool = Pool()
        Student = pool.get('bts.student')
        Enrolment = pool.get('bts.student.enrolment')
        Diploma = pool.get('bts.student.diploma')
        Proposal = pool.get('bts.student.proposal')
        AcademicYear = pool.get('bts.academic_year')
        student = Student.__table__()
        enrolment = Enrolment.__table__()
        diploma = Diploma.__table__()
        proposal = Proposal.__table__()
        year = AcademicYear.__table__()

        def flags(name):
            return [Literal(int(c == name)).as_(c) for c in COUNTS]

        awarded = diploma.join(year, condition=(
                diploma.issue_date >= year.start_date)
            & (diploma.issue_date <= year.end_date))
        effective = enrolment.state == 'effective'
        last = enrolment.select(enrolment.student,
            Max(enrolment.academic_year).as_('academic_year'),
            where=effective, group_by=[enrolment.student])
        withdrawn = student.join(last,
            condition=last.student == student.id)
        cohort = diploma.join(student,
            condition=diploma.student == student.id)
        return [
            student.select(student.id.as_('student'),
                student.intake.as_('academic_year'), *flags('admitted')),
            enrolment.select(enrolment.student,
                enrolment.academic_year, *flags('enrolled'),
                where=effective),
            awarded.select(diploma.student, year.id.as_('academic_year'),
                *flags('graduated'), where=diploma.state == 'awarded'),
            proposal.select(proposal.student, proposal.academic_year,
                *flags('excluded'),
                where=(proposal.state == 'accepted')
                & proposal.kind.like('exclude%')),
            withdrawn.select(
                student.id.as_('student'), last.academic_year,
                *flags('withdrawn'), where=student.state == 'withdrawn'),
            cohort.select(student.id.as_('student'),
                student.intake.as_('academic_year'),
                *flags('cohort_graduated'),
                where=diploma.state == 'awarded'),
            ]

    @classmethod
    def table_query(cls):
        Student = Pool().get('bts.student')
        student = Student.__table__()
        event = Union(*cls.events(), all_=True)
        query = event.join(student, condition=event.student == student.id)
        return query.select(
            Min(event.student * YEARS + event.academic_year).as_('id'),
            Literal(0).as_('create_uid'),
            Min(student.create_date).as_('create_date'),
            Literal(None).as_('write_uid'), Literal(None).as_('write_date'),
            student.programme, student.lycee, event.academic_year,
            *[Sum(getattr(event, c)).as_(c) for c in COUNTS],
            group_by=[student.programme, student.lycee,
                event.academic_year])

    @classmethod
    def get_rates(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            rates = {
                'success_rate': _rate(
                    record.enrolled - record.excluded - record.withdrawn,
                    record.enrolled),
                'dropout_rate': _rate(record.withdrawn, record.enrolled),
                'graduation_rate': _rate(
                    record.cohort_graduated, record.admitted),
                }
            for name in names:
                result[name][record.id] = rates[name]
        return result
