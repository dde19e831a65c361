# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.tests.test_tryton import ModuleTestCase


class BtsIndemnityTestCase(ModuleTestCase):
    "Test BTS Indemnity module"
    module = 'bts_indemnity'


del ModuleTestCase
