# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.modules.bts_programme.tests.tools import scenario_test

test_scenario = scenario_test(__file__)
