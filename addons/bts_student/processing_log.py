# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The processing log (art. 32 of the law of 21 July 2023) of the students'
personal data: applications, students, enrolments and their fees,
exemptions, grades and the results computed from them, progression,
suspensions, diplomas, absences, disciplinary cases and réclamations,
accommodations and internships; see bts_programme/processing_log.py"""
from trytond.modules.bts_programme.processing_log import ProcessingLogMixin
from trytond.pool import PoolMeta


class Application(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.application'


class AccessTest(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.application.access_test'
    _processing_log_read = frozenset({'grade'})


class Evaluation(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.application.evaluation'
    _processing_log_read = frozenset({'score'})


class Student(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student'


class Enrolment(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.enrolment'


class Fee(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.enrolment.fee'


class Exemption(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.exemption'


class Grade(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.grade'
    _processing_log_read = frozenset({'value'})


class CourseResult(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.course_result'
    _processing_log_read = frozenset({'final_grade'})


class ModuleResult(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.module_result'
    _processing_log_read = frozenset({'grade', 'lowest'})


class Proposal(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.proposal'


class Suspension(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.suspension'


class Diploma(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.diploma'


class Absence(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.absence'


class DisciplinaryCase(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.discipline'


class Claim(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.claim'


class Accommodation(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.accommodation'


class Internship(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.student.internship'
