# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Skip a module of browser tests, with the reason, where they cannot run:
called at the top of each test module, before it imports bts_browser."""
import os

import pytest
from demo_server import SAO_ROOT


def skip_unless_runnable():
    "Skip the calling test module unless the web client can be tested"
    if os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'):
        pytest.skip(
            "the web client is tested once, on the SQLite demo database, in "
            "the SQLite run", allow_module_level=True)
    if not (SAO_ROOT / 'index.html').is_file():
        pytest.skip(
            f"the web client is not installed ({SAO_ROOT}/index.html is "
            "missing, run bin/setup)", allow_module_level=True)
    pytest.importorskip(
        'selenium', reason="selenium is not installed "
        "(pip install -r tests/browser/requirements.txt)")
    import bts_browser
    if (reason := bts_browser.missing_requirements()):
        pytest.skip(reason, allow_module_level=True)
