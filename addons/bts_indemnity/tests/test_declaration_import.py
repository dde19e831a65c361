# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Reading the import files, without a database (the messages are then
their identifiers)"""
import datetime as dt
import io
import unittest
from decimal import Decimal

import openpyxl

from trytond.modules.bts_indemnity.declaration_import import (
    COLUMNS,
    DeclarationImportError,
    parse_date,
    parse_lessons,
    read_rows,
    template_csv,
    template_xlsx,
)

HEADER = ','.join(COLUMNS)


class ReadTestCase(unittest.TestCase):
    "Test the reading of the declaration import files"

    def assertRefused(self, data, filename, message):
        with self.assertRaises(DeclarationImportError) as cm:
            read_rows(data, filename)
        self.assertEqual(
            cm.exception.message, f'bts_indemnity.msg_import_{message}')

    def test_dates(self):
        "Dates as YYYY-MM-DD, DD/MM/YYYY or XLSX cells"
        for value in ['2025-10-06', '6/10/2025', ' 06/10/2025 ',
                dt.date(2025, 10, 6), dt.datetime(2025, 10, 6, 0, 0)]:
            with self.subTest(value=value):
                self.assertEqual(parse_date(value), dt.date(2025, 10, 6))
        for value in ['2025-13-01', '2025-02-30', '25-10-06', '10/06/25',
                '2025/10/06', '', 45936, None]:
            with self.subTest(value=value), self.assertRaises(ValueError):
                parse_date(value)

    def test_lessons(self):
        """Whole lessons greater than 0, written with '.' or ',': lessons
        are counted whole (law of 21 July 2023, art. 9(2)), a fraction is
        refused"""
        for value, quantity in [('2', 2), ('2,0', 2), ('3.00', 3),
                (' 3 ', 3), (4, 4), (5.0, 5)]:
            with self.subTest(value=value):
                self.assertEqual(parse_lessons(value), Decimal(quantity))
                self.assertIsInstance(parse_lessons(value), Decimal)
        for value in ['0', '-1', '1.234', 'abc', '1e3', 'NaN', '1,000.5',
                '', True, 0, -2, None,
                '2,5', '1.25', 1.5, '.5']:
            with self.subTest(value=value), self.assertRaises(ValueError):
                parse_lessons(value)

    def test_csv(self):
        "CSV separated by ',', ';' or tab, columns in any order"
        for separator in [',', ';', '\t']:
            with self.subTest(separator=separator):
                data = '\n'.join(separator.join(cells) for cells in [
                        ['lessons', 'course', 'date', 'programme',
                            'national_id', 'comment'],
                        ['2', 'M1.1', '2025-10-06', 'CLOUD', '1980041210026',
                            'x'],
                        ['', '', '', '', '', ''],
                        ['1', 'M1.2', '2025-10-07', 'CLOUD', '1980041210026',
                            ''],
                        ]).encode('utf-8-sig')
                rows = read_rows(data, 'lessons.csv')
                self.assertEqual([r.number for r in rows], [2, 4])
                self.assertEqual(rows[0].values, {
                        'national_id': '1980041210026', 'programme': 'CLOUD',
                        'date': '2025-10-06', 'course': 'M1.1',
                        'lessons': '2'})
                self.assertIsNone(rows[0].error)

    def test_csv_overflow(self):
        "An unquoted decimal comma makes a row of too many cells"
        rows = read_rows(
            f'{HEADER}\n1980041210026,CLOUD,2025-10-06,M1.1,2,5\n'.encode(),
            'lessons.csv')
        self.assertEqual(
            rows[0].error, 'bts_indemnity.msg_import_row_overflow')

    def test_xlsx(self):
        "The XLSX template reads back with its example row"
        rows = read_rows(template_xlsx(), 'declarations.xlsx')
        self.assertEqual([(r.number, r.values) for r in rows], [(2, {
                        'national_id': '1980041210026', 'programme': 'CLOUD',
                        'date': dt.datetime(2025, 10, 6), 'course': 'M1.1',
                        'lessons': 2})])
        sheet = openpyxl.load_workbook(
            io.BytesIO(template_xlsx())).worksheets[0]
        self.assertEqual(sheet.freeze_panes, 'A2')

    def test_csv_template(self):
        "The CSV template reads back with its example row"
        rows = read_rows(template_csv(), 'declarations.csv')
        self.assertEqual(rows[0].values['date'], '2025-10-06')

    def test_malformed(self):
        "The files that cannot be imported at all"
        xlsx = template_xlsx()
        for data, filename, message in [
                (b'', 'lessons.csv', 'empty'),
                (b'\n\n', 'lessons.csv', 'empty'),
                (b'%PDF-1.4', 'lessons.pdf', 'format'),
                (b'\xd0\xcf\x11\xe0', 'lessons.xls', 'format'),
                (xlsx[:len(xlsx) // 2], 'lessons.xlsx', 'xlsx_unreadable'),
                (b'national_id,date\n', 'lessons.xlsx', 'xlsx_unreadable'),
                (b'national_id,programme,date\n1,2,3\n', 'lessons.csv',
                    'header_missing'),
                (f'{HEADER},date\n'.encode(), 'lessons.csv',
                    'header_duplicate'),
                (f'{HEADER}\n1,"CLOUD'.encode(), 'lessons.csv',
                    'csv_malformed'),
                (f'{HEADER}\n1,CLOUD,2025-10-06,M1.1,\xe9t\xe9\n'.encode(
                        'latin-1'), 'lessons.csv', 'encoding'),
                ]:
            with self.subTest(filename=filename, message=message):
                self.assertRefused(data, filename, message)

    def test_kind_by_content(self):
        "Without a file name suffix, an XLSX is recognised by its content"
        self.assertEqual(len(read_rows(template_xlsx(), 'upload')), 1)
        self.assertEqual(len(read_rows(template_csv(), 'upload')), 1)
