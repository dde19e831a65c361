# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The processing log (art. 32 of the law of 21 July 2023) of the
declarations, the payment runs and their payments: see
bts_programme/processing_log.py"""
from trytond.modules.bts_programme.processing_log import (
    ProcessingLogMixin,
    ReportLogMixin,
)
from trytond.pool import PoolMeta


class Declaration(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.declaration'


class DeclarationLine(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.declaration.line'


class Run(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.payment.run'


class Beneficiary(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.payment.run.beneficiary'
    _processing_log_read = frozenset({'national_id'})


class RunLine(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.payment.run.line'


class Payment(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'account.payment'


class DeclarationReport(ReportLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.declaration'


class PaymentRunReport(ReportLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.payment.run'


class StatementReport(ReportLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.indemnity.statement'


class PayrollReport(ReportLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.payment.run.payroll'


class PayrollCSVReport(ReportLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.payment.run.payroll_csv'
