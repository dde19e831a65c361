"""The French and German translations of the BTS modules are complete and
keep what the code fills in.

French is the working language of the ministry and the lycées, German the
other official language the product ships: every string of the code
(exported by bin/update-translations) has a translation in both, and a
translation keeps the placeholders (``%(amount)s``) and line breaks of its
source, else a message would lose its figures or fail to format. English
is the language of the code: no module ships an en.po.
"""
import re
from pathlib import Path

import polib
import pytest

ADDONS = Path(__file__).resolve().parent.parent / 'addons'
MODULES = sorted(p.name for p in ADDONS.iterdir()
    if (p / 'tryton.cfg').exists())
PLACEHOLDER = re.compile(
    r'%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]')


def _entries(module, language):
    path = ADDONS / module / 'locale' / f'{language}.po'
    assert path.exists(), f"{path} is missing"
    return polib.pofile(str(path))


@pytest.mark.parametrize('module', MODULES)
def test_no_english_po(module):
    assert not (ADDONS / module / 'locale' / 'en.po').exists()


@pytest.mark.parametrize('language', ['fr', 'de'])
@pytest.mark.parametrize('module', MODULES)
def test_every_string_translated(module, language):
    missing = [f"{e.msgctxt}: {e.msgid!r}"
        for e in _entries(module, language)
        if not e.obsolete and (not e.msgstr.strip() or 'fuzzy' in e.flags)]
    assert not missing, (
        f"{len(missing)} strings of {module} lack a {language} "
        "translation:\n" + '\n'.join(missing[:40]))


@pytest.mark.parametrize('language', ['fr', 'de'])
@pytest.mark.parametrize('module', MODULES)
def test_placeholders_kept(module, language):
    wrong = []
    for entry in _entries(module, language):
        if not entry.msgstr:
            continue
        source = sorted(PLACEHOLDER.findall(entry.msgid))
        if source != sorted(PLACEHOLDER.findall(entry.msgstr)):
            wrong.append(f"{entry.msgctxt}: {entry.msgstr!r}")
    assert not wrong, "placeholders differ:\n" + '\n'.join(wrong)
