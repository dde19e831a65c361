# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Retention of the students' data (law of 21 July 2023, art. 33(2);
RULES.md §K.12): five years after the later of the end of the last
academic year of an enrolment and the award of the BTS; an applicant's,
after the end of the academic year applied for. A student still enrolled
or suspended is kept."""
from sql import Null
from sql.aggregate import Max

from trytond.modules.bts_programme.retention import ERASED
from trytond.pool import Pool, PoolMeta

KEPT_STATES = ('enrolled', 'suspended')


class Retention(metaclass=PoolMeta):
    __name__ = 'bts.retention'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.source.selection.append(('award', "Award of the BTS"))

    @classmethod
    def _end_point_queries(cls):
        pool = Pool()
        Student = pool.get('bts.student')
        Enrolment = pool.get('bts.student.enrolment')
        Application = pool.get('bts.student.application')
        Intake = pool.get('bts.student.intake')
        AcademicYear = pool.get('bts.academic_year')
        student = Student.__table__()
        enrolment = Enrolment.__table__()
        application = Application.__table__()
        intake = Intake.__table__()
        year, year2 = AcademicYear.__table__(), AcademicYear.__table__()
        return super()._end_point_queries() + [
            ('academic_year', enrolment.join(student,
                    condition=enrolment.student == student.id
                    ).join(year, condition=enrolment.academic_year == year.id
                    ).select(student.party, Max(year.end_date),
                    where=enrolment.state != 'cancelled',
                    group_by=[student.party])),
            ('award', student.select(student.party,
                    Max(student.graduation_date),
                    where=student.graduation_date != Null,
                    group_by=[student.party])),
            ('academic_year', application.join(intake,
                    condition=application.intake == intake.id
                    ).join(year2,
                    condition=intake.academic_year == year2.id
                    ).select(application.party, Max(year2.end_date),
                    group_by=[application.party])),
            ]

    @classmethod
    def _kept_queries(cls):
        "The students still enrolled or suspended"
        Student = Pool().get('bts.student')
        student = Student.__table__()
        return super()._kept_queries() + [
            student.select(student.party.as_('party'),
                where=student.state.in_(KEPT_STATES)),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        "Also the diploma, the conditions and the reasons of applications"
        Application = Pool().get('bts.student.application')
        return super().to_erase(party_id) + [
            (Application, [('party', '=', party_id)], False,
                ['diploma', 'condition', 'rejection_reason'],
                [ERASED, None, None]),
            ]
