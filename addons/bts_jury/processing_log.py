# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The processing log (art. 32 of the law of 21 July 2023) of the juries:
their members, the students at their sittings, their decisions and acts,
and the printed nominations and attendance sheets; see
bts_programme/processing_log.py"""
from trytond.modules.bts_programme.processing_log import (
    ProcessingLogMixin,
    ReportLogMixin,
)
from trytond.pool import PoolMeta
from trytond.report import Report


class Member(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.jury.member'


class SittingStudent(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.jury.sitting-party.party'


class Decision(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.jury.decision'


class Act(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.jury.act'


class AttendanceReport(ReportLogMixin, Report):
    __name__ = 'bts.jury.sitting.attendance'


class NominationReport(ReportLogMixin, Report):
    __name__ = 'bts.jury.body.nomination'
