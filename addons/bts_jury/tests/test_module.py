# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.tests.test_tryton import ModuleTestCase


class BtsJuryTestCase(ModuleTestCase):
    "Test BTS Jury module"
    module = 'bts_jury'


del ModuleTestCase
