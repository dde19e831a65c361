# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.tests.test_tryton import ModuleTestCase


class BtsStudentTestCase(ModuleTestCase):
    "Test BTS Student module"
    module = 'bts_student'
    extras = ['bts_jury', 'bts_indemnity']


del ModuleTestCase
