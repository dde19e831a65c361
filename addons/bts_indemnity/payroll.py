# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The payroll export of a payment run: XLSX (summary per beneficiary,
detail per declaration line, blocked beneficiaries) and CSV, the totals
equal to the run's move to the cent."""
import csv
import io
from collections import defaultdict
from decimal import Decimal

import xlsxwriter

from trytond.i18n import gettext
from trytond.modules.bts_programme import batch
from trytond.modules.bts_programme.spreadsheet import csv_row, write_cell
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

from .report import service


def _labels(model, names):
    fields = Pool().get(model).fields_get(names)
    return [fields[n]['string'] for n in names]


def _beneficiaries(run):
    """The run's beneficiaries in their order, from one query: id, party,
    national identification number, IBAN, quantity, amount, status, reason,
    with their parties' and IBANs' records read at once"""
    pool = Pool()
    Beneficiary = pool.get('bts.payment.run.beneficiary')
    Party = pool.get('party.party')
    Number = pool.get('bank.account.number')
    beneficiary = Beneficiary.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*beneficiary.select(
            beneficiary.id, beneficiary.party, beneficiary.national_id,
            beneficiary.bank_account_number, beneficiary.quantity,
            beneficiary.amount, beneficiary.status, beneficiary.reason,
            where=beneficiary.run == run.id,
            order_by=[beneficiary.status.desc, beneficiary.id.asc]))
    rows = cursor.fetchall()
    parties = {p.id: p for p in batch.browse(
            Party, sorted({r[1] for r in rows}))}
    numbers = {n.id: n for n in batch.browse(
            Number, sorted({r[3] for r in rows if r[3]}))}
    return [(id_, parties[party], national_id, numbers.get(number), *others)
        for id_, party, national_id, number, *others in rows]


def _run_lines(run):
    """The run's lines per beneficiary, from one query: kind, lycée code and
    declaration line"""
    pool = Pool()
    RunLine = pool.get('bts.payment.run.line')
    Line = pool.get('bts.declaration.line')
    Declaration = pool.get('bts.declaration')
    Lycee = pool.get('bts.lycee')
    run_line, line = RunLine.__table__(), Line.__table__()
    declaration, lycee = Declaration.__table__(), Lycee.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*run_line.join(line,
            condition=run_line.declaration_line == line.id
            ).join(declaration, condition=line.declaration == declaration.id
            ).join(lycee, condition=declaration.lycee == lycee.id
            ).select(run_line.beneficiary, run_line.kind, lycee.code,
            line.id, run_line.amount, where=run_line.run == run.id,
            order_by=[run_line.id.asc]))
    rows = cursor.fetchall()
    lines = {line.id: line
        for line in batch.browse(Line, [r[3] for r in rows])}
    result = defaultdict(list)
    for beneficiary, kind, code, line_id, amount in rows:
        result[beneficiary].append((kind, code, lines[line_id], amount))
    return result


def summary_rows(run, beneficiaries, lines):
    """Per paid beneficiary: name, national identification number, IBAN,
    lessons or acts, gross amount, budget articles, lycées"""
    configuration = run.configuration()
    header = _labels('bts.payment.run.beneficiary', [
            'party', 'national_id', 'bank_account_number', 'quantity',
            'amount', 'budget_articles', 'lycees'])
    rows = []
    for id_, party, national_id, number, quantity, amount, status, _ in (
            beneficiaries):
        if status != 'payable':
            continue
        articles = {configuration.budget_article(kind) or ''
            for kind, *_ in lines[id_]} - {''}
        rows.append([party.rec_name, national_id or '',
                number.number if number else '', quantity, amount,
                ', '.join(sorted(articles)),
                ', '.join(sorted({code for _, code, *_ in lines[id_]}))])
    return header, rows


def _detail_row(party, line, amount):
    return [party.rec_name, line.declaration.rec_name, line.date,
        service(line), line.quantity, line.rate,
        line.index, line.euro_rate, amount]


def detail_header():
    Line = Pool().get('bts.declaration.line')
    beneficiary, = _labels('bts.payment.run.beneficiary', ['party'])
    # The acts exist only when bts_jury is activated.
    services = [n for n in ['course', 'act'] if n in Line._fields]
    declaration, date, *figures = _labels('bts.declaration.line', [
            'declaration', 'date', 'quantity', 'rate', 'index', 'euro_rate',
            'amount'])
    return [beneficiary, declaration, date,
        '/'.join(_labels('bts.declaration.line', services)), *figures]


def _paid_lines(beneficiaries, lines):
    "The beneficiary row and line of each paid line"
    for row in beneficiaries:
        if row[6] == 'payable':
            for _, _, line, amount in lines[row[0]]:
                yield row, line, amount


def detail_rows(beneficiaries, lines):
    """Per paid declaration line: beneficiary, declaration, date, course or
    act, quantity, rate at index 100, index, euro rate, amount"""
    return detail_header(), [_detail_row(row[1], line, amount)
        for row, line, amount in _paid_lines(beneficiaries, lines)]


def blocked_rows(beneficiaries):
    "Per blocked beneficiary: name, amount, reason"
    header = _labels('bts.payment.run.beneficiary',
        ['party', 'amount', 'reason'])
    rows = [[party.rec_name, amount, reason or '']
        for _, party, _, _, _, amount, status, reason in beneficiaries
        if status == 'blocked']
    return header, rows


def payroll_xlsx(run):
    "Return the XLSX payroll of run as bytes"
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {'in_memory': True})
    bold = workbook.add_format({'bold': True})
    formats = {
        'money': workbook.add_format({'num_format': '#,##0.00 €'}),
        'money_total': workbook.add_format(
            {'num_format': '#,##0.00 €', 'bold': True}),
        'quantity': workbook.add_format({'num_format': '0.00'}),
        'rate': workbook.add_format({'num_format': '0.000'}),
        'date': workbook.add_format({'num_format': 'dd/mm/yyyy'}),
        }
    beneficiaries, lines = _beneficiaries(run), _run_lines(run)
    sheets = [
        (gettext('bts_indemnity.msg_payroll_summary'),
            summary_rows(run, beneficiaries, lines),
            {3: 'quantity', 4: 'money'}, [3, 4]),
        (gettext('bts_indemnity.msg_payroll_detail'),
            detail_rows(beneficiaries, lines),
            {2: 'date', 4: 'quantity', 5: 'rate', 6: 'money', 7: 'money',
                8: 'money'}, [4, 8]),
        (gettext('bts_indemnity.msg_payroll_blocked'),
            blocked_rows(beneficiaries),
            {1: 'money'}, [1]),
        ]
    for name, (header, rows), column_formats, totals in sheets:
        sheet = workbook.add_worksheet(name[:31])
        for c, label in enumerate(header):
            write_cell(sheet, 0, c, label, bold)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row):
                cell_format = formats.get(column_formats.get(c))
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), cell_format)
                elif c in column_formats and value is not None:
                    write_cell(sheet, r, c, value, cell_format)
                else:
                    write_cell(sheet, r, c, value if value is not None else '')
        total_row = len(rows) + 1
        write_cell(sheet, total_row, 0,
            gettext('bts_indemnity.msg_payroll_total'), bold)
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
    beneficiaries, lines = _beneficiaries(run), _run_lines(run)
    id_label, iban_label = _labels('bts.payment.run.beneficiary',
        ['national_id', 'bank_account_number'])
    header = detail_header()
    output = io.StringIO()
    writer = csv.writer(output, lineterminator='\n')
    writer.writerow(csv_row([header[0], id_label, iban_label, *header[1:]]))
    rows = []
    for row, line, amount in _paid_lines(beneficiaries, lines):
        party, national_id, number = row[1:4]
        name, declaration, date, *values = _detail_row(party, line, amount)
        # Luxembourg's day/month/year, whatever the user's language
        values = [declaration, date.strftime('%d/%m/%Y'), *values]
        rows.append(values)
        writer.writerow(
            csv_row([name, national_id or '', number.number, *values]))
    total = sum((row[-1] for row in rows), Decimal(0))
    writer.writerow(csv_row([gettext('bts_indemnity.msg_payroll_total')]
            + [''] * len(header) + [total]))
    return output.getvalue()


class PayrollReport(Report):
    "The payroll of a payment run as a spreadsheet"
    __name__ = 'bts.payment.run.payroll'
    extension = 'xlsx'

    @classmethod
    def payroll(cls, run):
        return payroll_xlsx(run)

    @classmethod
    @batch.sliced
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
