"""The demo database built once per pytest session and served by trytond.

See demo_server.py: SQLite in a temporary folder, or a fresh PostgreSQL
database when TRYTOND_DATABASE_URI starts with postgresql:// (dropped at
the end).  The build (trytond-admin then ``bts load-demo``) happens the
first time a test asks for the fixture ``demo_server``.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_server as _demo  # noqa: E402


@pytest.fixture(scope='session')
def demo_server(tmp_path_factory):
    "A DemoDatabase built with the demo data and served on a free port"
    if not (_demo.VENV_BIN / 'trytond-admin').exists():
        pytest.skip(f"trytond is not installed in {_demo.VENV_BIN}")
    demo = _demo.DemoDatabase(tmp_path_factory.mktemp('bts-demo'))
    try:
        try:
            demo.build()
            demo.serve()
        except _demo.DemoError as error:
            pytest.fail(str(error), pytrace=False)
        yield demo
    finally:
        demo.drop()


@pytest.fixture(scope='session')
def admin(demo_server):
    "The JSON-RPC client of the demo's admin"
    return demo_server.client(_demo.ADMIN_LOGIN)
