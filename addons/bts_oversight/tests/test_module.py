# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.tests.test_tryton import ModuleTestCase


class BtsOversightTestCase(ModuleTestCase):
    "Test BTS Oversight module"
    module = 'bts_oversight'
    extras = ['bts_student']


del ModuleTestCase
