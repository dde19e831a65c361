# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Cells a spreadsheet shows and never runs (formula or CSV injection).

A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is a formula to a spreadsheet opening a CSV file, and to xlsxwriter's
generic ``write``: a provider named ``=HYPERLINK(…)`` would be a live link
in the payroll. Every export writes its cells through these functions: in
XLSX, text is a string cell; in CSV, such a text starts with an apostrophe,
which spreadsheets take for the mark of a text."""

FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


def csv_cell(value):
    "The value to write in a CSV cell: a text that would run made inert"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(row):
    "The row's values to write in a CSV file"
    return [csv_cell(value) for value in row]


def write_cell(sheet, row, column, value, cell_format=None):
    "Write value in an XLSX cell: text always as a string, never a formula"
    if isinstance(value, str):
        sheet.write_string(row, column, value, cell_format)
    else:
        sheet.write(row, column, value, cell_format)
