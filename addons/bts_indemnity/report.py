# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The documents people sign or file, rendered from relatorio templates as
Tryton's official modules do: the declaration the lycée director
countersigns (declaration.fodt) and the summary of a payment run
(payment_run.fodt); the annual statement (statement.py) shares their
letterhead and formats."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import without_check_access

# Dates on the documents are written as in Luxembourg, whatever the
# language: 05/11/2025, the month 11/2025.
DATE_FORMAT = '%d/%m/%Y'
DATETIME_FORMAT = '%d/%m/%Y %H:%M'


class DocumentMixin:
    """The ministry's letterhead, the issue date and the formats of the
    dates, amounts and quantities of every document"""

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Configuration = pool.get('bts.payment.configuration')
        Date = pool.get('ir.date')
        context = super().get_context(records, header, data)
        lang = context['user'].language
        # The ministry that pays heads every document, also for the lycée
        # users who may not read its party.
        with without_check_access():
            company = Configuration(1).company or context['user'].company
        context['company'] = company
        context['today'] = Date.today()

        def format_stamp(value, format=DATETIME_FORMAT):
            "The moment of a workflow stamp in the company's time zone"
            if not value:
                return ''
            return cls.format_datetime(value, lang, format,
                company.timezone if company else None)

        def format_day(value):
            """The date, or the day of a workflow stamp, as dd/mm/yyyy; empty
            when there is none"""
            if isinstance(value, dt.datetime):
                return format_stamp(value, DATE_FORMAT)
            return cls.format_date(value, lang, DATE_FORMAT) if value else ''

        def format_amount(value):
            """The amount with the currency sign: the company's currency,
            the euro of the law before the ministry is configured"""
            value = value or Decimal(0)
            if company:
                return cls.format_currency(value, lang, company.currency)
            return f'{cls.format_number(value, lang, 2)} €'

        def format_quantity(value):
            "Whole lessons without decimals, hours with two"
            value = value or Decimal(0)
            digits = 0 if value == value.to_integral_value() else 2
            return cls.format_number(value, lang, digits)

        context['format_day'] = format_day
        context['format_stamp'] = format_stamp
        context['format_amount'] = format_amount
        context['format_quantity'] = format_quantity
        context['service'] = service
        return context


def service(line):
    """The course of a line of lessons or the act of a line of acts (the
    acts exist only when bts_jury is activated)"""
    record = line.course or getattr(line, 'act', None)
    return record.rec_name if record else ''


class DeclarationReport(DocumentMixin, Report):
    """Déclaration: the lines of a month as the lycée declares them, for the
    director's countersignature"""
    __name__ = 'bts.declaration'


class PaymentRunReport(DocumentMixin, Report):
    """The summary of a payment run: its beneficiaries, its totals per kind
    of indemnity and budget article, and who posted, approved and
    processed it"""
    __name__ = 'bts.payment.run'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['kind_totals'] = cls.kind_totals
        return context

    @classmethod
    def kind_totals(cls, run):
        """The quantity and amount paid per kind of indemnity with its
        budget article, in the order of the kinds"""
        RunLine = Pool().get('bts.payment.run.line')
        configuration = run.configuration()
        totals = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for beneficiary in run.beneficiaries:
            if beneficiary.status != 'payable':
                continue
            for line in beneficiary.lines:
                totals[line.kind][0] += line.quantity or 0
                totals[line.kind][1] += line.amount or 0
        kinds = RunLine.fields_get(['kind'])['kind']['selection']
        return [(label, configuration.budget_article(kind) or '',
                *totals[kind])
            for kind, label in kinds if kind in totals]
