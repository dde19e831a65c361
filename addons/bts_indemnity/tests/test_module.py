# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import glob
import os
from unittest.mock import patch

from lxml import etree

from trytond.modules import get_module_info
from trytond.tests.test_tryton import ModuleTestCase


def conditional_views(module, activated):
    """The view files of module that only its <data depends="..."> blocks
    of modules not in activated name"""
    info = get_module_info(module)
    directory = info['directory']
    views = set()
    for filename in info['xml']:
        tree = etree.parse(os.path.join(directory, filename))
        for data in tree.iterfind('data[@depends]'):
            depends = {m.strip() for m in data.get('depends').split(',')}
            if depends <= activated:
                continue
            for name in data.iterfind(
                    "record[@model='ir.ui.view']/field[@name='name']"):
                views.add(os.path.join(directory, 'view', f'{name.text}.xml'))
    return views


class BtsIndemnityTestCase(ModuleTestCase):
    "Test BTS Indemnity module alone: lessons, no acts"
    module = 'bts_indemnity'

    def test_view(self):
        """The views of the module alone, the views of the acts left to the
        test with bts_jury"""
        unused = conditional_views(self.module, {self.module})
        files = glob.glob
        with patch.object(glob, 'glob', lambda *args, **kwargs: [
                    f for f in files(*args, **kwargs) if f not in unused]):
            super().test_view()


class BtsIndemnityJuryTestCase(ModuleTestCase):
    "Test BTS Indemnity module with bts_jury: lessons and acts"
    module = 'bts_indemnity'
    extras = ['bts_jury']


del ModuleTestCase
