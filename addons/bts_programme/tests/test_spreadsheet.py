# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Exports a spreadsheet cannot run: every text that a spreadsheet would
take for a formula is written as text, in XLSX and in CSV."""
import csv
import datetime as dt
import io
import unittest
from decimal import Decimal

import openpyxl
import xlsxwriter

from trytond.modules.bts_programme.spreadsheet import (
    FORMULA_STARTS,
    csv_cell,
    csv_row,
    write_cell,
)

PAYLOADS = [
    '=HYPERLINK("http://evil.example","Klein")',
    '+1+cmd|" /C calc"!A0',
    '-2+3',
    '@SUM(1+1)*cmd|" /C calc"!A0',
    '\t=1+1',
    '\r=1+1',
    ]
HARMLESS = ['Klein', 'Jean-Paul', 'a=b', '', 'LU28 0019 4006 4475 0000']


class SpreadsheetTestCase(unittest.TestCase):
    "Formula injection in the product's XLSX and CSV files"

    def test_payloads_cover_every_start(self):
        self.assertEqual(
            {p[0] for p in PAYLOADS}, set(FORMULA_STARTS))

    def test_csv(self):
        "A text that would run starts with an apostrophe; nothing else moves"
        output = io.StringIO()
        writer = csv.writer(output)
        values = [*PAYLOADS, *HARMLESS, Decimal('-12.50'), -3, None]
        writer.writerow(csv_row(values))
        row, = csv.reader(io.StringIO(output.getvalue()))
        self.assertEqual(row[:len(PAYLOADS)], ["'" + p for p in PAYLOADS])
        self.assertEqual(
            row[len(PAYLOADS):], [*HARMLESS, '-12.50', '-3', ''])
        self.assertEqual(csv_cell(Decimal('-1')), Decimal('-1'))

    def test_xlsx(self):
        "Every text is a string cell, never a formula; numbers stay numbers"
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {'in_memory': True})
        sheet = workbook.add_worksheet()
        values = [*PAYLOADS, *HARMLESS, 12.5, dt.date(2026, 1, 5)]
        date = workbook.add_format({'num_format': 'dd/mm/yyyy'})
        for column, value in enumerate(values):
            write_cell(sheet, 0, column, value,
                date if isinstance(value, dt.date) else None)
        workbook.close()
        cells, = openpyxl.load_workbook(output).active.iter_rows()
        texts = len(PAYLOADS) + len(HARMLESS)
        self.assertEqual(
            [c.data_type for c in cells[:texts]], ['s'] * texts)
        # XLSX stores a carriage return as _x000D_, which openpyxl keeps
        self.assertEqual(
            [c.value.replace('_x000D_', '\r') for c in cells[:texts]],
            [*PAYLOADS, *HARMLESS])
        self.assertEqual([c.data_type for c in cells[texts:]], ['n', 'd'])
