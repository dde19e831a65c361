# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Reading the grade import files, without a database (the messages are
then their identifiers)"""
import io
import unittest
from decimal import Decimal

import openpyxl

from trytond.modules.bts_student.grade_import import (
    GradeImportError,
    parse_grade,
    read_rows,
)


class ReadTestCase(unittest.TestCase):
    "Test the reading of the grade import files"

    def test_grades(self):
        "0 to 20 with at most two decimals, ',' or '.', ABS, FRAUD"
        for text, values in [
                ('0', {'value': Decimal(0)}),
                ('20', {'value': Decimal(20)}),
                ('12,5', {'value': Decimal('12.5')}),
                ('9.75', {'value': Decimal('9.75')}),
                ('abs', {'absent': True}),
                ('FRAUD', {'fraud': True})]:
            with self.subTest(text=text):
                parsed = parse_grade(text)
                for name, value in values.items():
                    self.assertEqual(parsed[name], value)
        for text in ['20.01', '-0.01', '12.345', '21', '', 'twelve', '1e1']:
            with self.subTest(text=text), self.assertRaises(ValueError):
                parse_grade(text)

    def test_csv(self):
        "A CSV file with ';' and a header in any order, blank rows left out"
        data = b'grade;student\n12;1980041210026\n\n ABS ;P-2\n'
        self.assertEqual(read_rows(data, 'grades.csv'), [
                (2, {'student': '1980041210026', 'grade': '12'}),
                (4, {'student': 'P-2', 'grade': 'ABS'})])

    def test_xlsx(self):
        "An XLSX file: numbers as the cells hold them"
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(['Student', 'Grade'])
        sheet.append(['P-1', 14.0])
        sheet.append(['P-2', 9.5])
        output = io.BytesIO()
        workbook.save(output)
        self.assertEqual(read_rows(output.getvalue(), 'grades.xlsx'), [
                (2, {'student': 'P-1', 'grade': '14'}),
                (3, {'student': 'P-2', 'grade': '9.5'})])

    def test_refused_files(self):
        "An empty file, a missing column, a damaged XLSX: nothing imported"
        for data, filename, message in [
                (b'', 'grades.csv', 'empty'),
                (b'student;note\nP-1;12\n', 'grades.csv', 'header'),
                (b'PK\x03\x04damaged', 'grades.xlsx', 'unreadable'),
                (b'\xff\xfe', 'grades.csv', 'unreadable')]:
            with self.subTest(message=message), \
                    self.assertRaises(GradeImportError) as refusal:
                read_rows(data, filename)
            self.assertEqual(refusal.exception.message,
                f'bts_student.msg_grade_import_{message}')
