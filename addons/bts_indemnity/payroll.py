# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The payroll export of a payment run: XLSX (summary per beneficiary,
detail per declaration line, blocked beneficiaries) and CSV, the totals
equal to the run's move to the cent."""
import csv
import io
from decimal import Decimal

import xlsxwriter

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report


def _labels(model, names):
    fields = Pool().get(model).fields_get(names)
    return [fields[n]['string'] for n in names]


def summary_rows(run):
    """Per paid beneficiary: name, national identification number, IBAN,
    lessons or acts, gross amount, budget articles, lycées"""
    header = _labels('bts.payment.run.beneficiary', [
            'party', 'national_id', 'bank_account_number', 'quantity',
            'amount', 'budget_articles', 'lycees'])
    rows = [[b.party.rec_name, b.national_id or '',
            b.bank_account_number.number if b.bank_account_number else '',
            b.quantity, b.amount, b.budget_articles, b.lycees]
        for b in run.beneficiaries if b.status == 'payable']
    return header, rows


def _detail_row(beneficiary, run_line):
    line = run_line.declaration_line
    return [beneficiary.party.rec_name, line.declaration.rec_name, line.date,
        (line.course or line.act).rec_name, line.quantity, line.rate,
        line.index, line.euro_rate, run_line.amount]


def detail_header():
    beneficiary, = _labels('bts.payment.run.beneficiary', ['party'])
    declaration, date, course, act, *figures = _labels(
        'bts.declaration.line', [
            'declaration', 'date', 'course', 'act', 'quantity', 'rate',
            'index', 'euro_rate', 'amount'])
    return [beneficiary, declaration, date, f'{course}/{act}', *figures]


def detail_rows(run):
    """Per paid declaration line: beneficiary, declaration, date, course or
    act, quantity, rate at index 100, index, euro rate, amount"""
    return detail_header(), [_detail_row(b, line)
        for b in run.beneficiaries if b.status == 'payable'
        for line in b.lines]


def blocked_rows(run):
    "Per blocked beneficiary: name, amount, reason"
    header = _labels('bts.payment.run.beneficiary',
        ['party', 'amount', 'reason'])
    rows = [[b.party.rec_name, b.amount, b.reason or '']
        for b in run.beneficiaries if b.status == 'blocked']
    return header, rows


def payroll_xlsx(run):
    "Return the XLSX payroll of run as bytes"
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {'in_memory': True})
    bold = workbook.add_format({'bold': True})
    formats = {
        'money': workbook.add_format({'num_format': '#,##0.00'}),
        'money_total': workbook.add_format(
            {'num_format': '#,##0.00', 'bold': True}),
        'quantity': workbook.add_format({'num_format': '0.00'}),
        'rate': workbook.add_format({'num_format': '0.000'}),
        'date': workbook.add_format({'num_format': 'yyyy-mm-dd'}),
        }
    sheets = [
        (gettext('bts_indemnity.msg_payroll_summary'), summary_rows(run),
            {3: 'quantity', 4: 'money'}, [3, 4]),
        (gettext('bts_indemnity.msg_payroll_detail'), detail_rows(run),
            {2: 'date', 4: 'quantity', 5: 'rate', 6: 'money', 7: 'money',
                8: 'money'}, [4, 8]),
        (gettext('bts_indemnity.msg_payroll_blocked'), blocked_rows(run),
            {1: 'money'}, [1]),
        ]
    for name, (header, rows), column_formats, totals in sheets:
        sheet = workbook.add_worksheet(name[:31])
        sheet.write_row(0, 0, header, bold)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row):
                cell_format = formats.get(column_formats.get(c))
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), cell_format)
                elif c in column_formats and value is not None:
                    sheet.write(r, c, value, cell_format)
                else:
                    sheet.write(r, c, value if value is not None else '')
        total_row = len(rows) + 1
        sheet.write(total_row, 0, gettext('bts_indemnity.msg_payroll_total'),
            bold)
        for c in totals:
            total = sum((row[c] or 0 for row in rows), Decimal(0))
            column = xlsxwriter.utility.xl_col_to_name(c)
            sheet.write_formula(total_row, c,
                f'=SUM({column}2:{column}{total_row})',
                formats['money_total'], float(total))
        sheet.set_column(0, len(header) - 1, 18)
    workbook.close()
    return output.getvalue()


def payroll_csv(run):
    """Return the CSV payroll of run: one row per paid declaration line with
    the beneficiary's identification and IBAN, then the total"""
    (_, id_label, iban_label, *_), _ = summary_rows(run)
    header = detail_header()
    output = io.StringIO()
    writer = csv.writer(output, lineterminator='\n')
    writer.writerow([header[0], id_label, iban_label, *header[1:]])
    rows = []
    for b in run.beneficiaries:
        if b.status != 'payable':
            continue
        for line in b.lines:
            name, *values = _detail_row(b, line)
            rows.append(values)
            writer.writerow([name, b.national_id or '',
                    b.bank_account_number.number, *values])
    total = sum((row[-1] for row in rows), Decimal(0))
    writer.writerow([gettext('bts_indemnity.msg_payroll_total')]
        + [''] * len(header) + [total])
    return output.getvalue()


class PayrollReport(Report):
    "The payroll of a payment run as a spreadsheet"
    __name__ = 'bts.payment.run.payroll'
    extension = 'xlsx'

    @classmethod
    def payroll(cls, run):
        return payroll_xlsx(run)

    @classmethod
    def render(cls, action, report_context):
        return cls.payroll(report_context['record'])

    @classmethod
    def convert(cls, report, data, **kwargs):
        return cls.extension, data


class PayrollCSVReport(PayrollReport):
    "The payroll of a payment run as CSV"
    __name__ = 'bts.payment.run.payroll_csv'
    extension = 'csv'

    @classmethod
    def payroll(cls, run):
        return payroll_csv(run)
