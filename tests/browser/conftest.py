"""The fixtures of the French forms' browser tests: the demo database of
the session (tests/conftest.py) served with the web client, and Chromium
in French.  A test file with other needs defines its own."""
from types import SimpleNamespace

import pytest


@pytest.fixture(scope='module')
def server(demo_server):
    "The URL and the name of the demo database"
    return SimpleNamespace(url=demo_server.url, database=demo_server.name)


@pytest.fixture
def browser(tmp_path):
    "Chromium in French"
    # Imported here: the test files skip themselves when selenium is missing
    import bts_browser
    driver = bts_browser.start_browser(
        user_data_dir=tmp_path / 'chromium', lang='fr-FR')
    try:
        yield driver
    finally:
        driver.quit()
