"""The forms of the ministry's oversight, filled in French in the web client
(module bts_oversight).

- A re-accreditation procedure (art. 37-41 of the law of 21 July 2023): the
  ministry's administrator (``ministere.admin``) opens a new procedure,
  picks BTS-CLOUD, the kind "re-accreditation" and a year before the end
  of its accreditation in force: saving is refused by a French warning
  citing art. 41(1) (no traceback) and nothing is stored; the year the
  accreditation ends is accepted, the letter's date typed, the procedure
  saved in draft and announced (the button), as the server records.

The procedure is left announced in the session's demo database.  With
BTS_SCREENSHOTS=1 the form is saved as doc/screenshots/oversight-*.png
(never in CI).
"""
import datetime as dt

import browser_skip

browser_skip.skip_unless_runnable()

import bts_browser as sao  # noqa: E402
import bts_walk as walk  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
from test_personal_data_forms import _french, _warning  # noqa: E402
from test_student_forms import screenshot  # noqa: E402

MINISTRY = 'ministere.admin'
PROGRAMME = 'BTS-CLOUD'
ANNOUNCEMENT = dt.date(2026, 10, 5)


def test_reaccreditation_procedure_in_french(
        server, browser, admin, demo_server):
    """The ministry's administrator opens the re-accreditation of
    BTS-CLOUD: a year before the end of its accreditation is refused in
    French (art. 41(1)); the year it ends is saved, and the procedure
    announced"""
    driver = browser
    minister = demo_server.client(MINISTRY, language='fr')
    programme, = minister.search_read('bts.programme',
        [('code', '=', PROGRAMME)], ['rec_name', 'valid_until', 'state'])
    assert programme['state'] == 'accredited', programme
    end = programme['valid_until'].year
    assert not minister.search_read('bts.accreditation.procedure',
        [('programme', '=', programme['id'])], ['id'])
    kinds = dict(minister('bts.accreditation.procedure', 'fields_get',
            ['kind'])['kind']['selection'])

    walk.login(driver, server, MINISTRY)
    walk.open_list(driver, server, MINISTRY, 'bts.accreditation.procedure')
    sao.click_tool(driver, 'new_')
    form = sao.active_form(driver)
    walk.pick(driver, form, 'programme', PROGRAMME, programme['rec_name'])
    Select(sao.field_input(form, 'kind')).select_by_visible_text(
        kinds['renewal'])
    sao.type_value(driver, form, 'year', end - 1)
    driver.execute_script("document.activeElement.blur();")
    sao.idle(driver, "the year")
    # Not click_tool: its wait fails on the warning sao shows
    sao.visible(driver, f'{sao.ACTIVE_PANE} #save')[0].click()
    sao.wait(driver).until(lambda d: sao.visible(d, '.warning-dialog'))
    screenshot(driver, 'oversight-reaccreditation-refused', dialog=True)
    warning = _warning(driver, "a re-accreditation too early")
    template = _french(admin, 'The re-accreditation of "%(programme)s"')
    for name in ['programme', 'year', 'valid_until']:
        template = template.replace(f'%({name})s', '%(article)s')
    for part in template.split('%(article)s'):
        assert part.strip() in warning, (part, warning)
    assert programme['rec_name'] in warning and str(end - 1) in warning
    assert _french(admin, 'art. 41(1) of the law of 21 July 2023') in warning
    assert 'Traceback' not in warning
    # In French, as the user reads it
    assert 'de la loi du 21 juillet 2023' in warning, warning
    assert not minister.search_read('bts.accreditation.procedure',
        [('programme', '=', programme['id'])], ['id'])

    sao.type_value(driver, form, 'year', end)
    walk.show_page(driver, 'announcement_date')
    walk.type_date(driver, form, 'announcement_date', ANNOUNCEMENT)
    screenshot(driver, 'oversight-reaccreditation')
    procedure_id = walk.save(driver)
    walk.click_button(driver, 'announce')
    screenshot(driver, 'oversight-reaccreditation-announced')
    procedure, = minister('bts.accreditation.procedure', 'read',
        [procedure_id], ['programme', 'kind', 'year', 'state',
            'announcement_date'])
    assert procedure == {'id': procedure_id, 'programme': programme['id'],
        'kind': 'renewal', 'year': end, 'state': 'announced',
        'announcement_date': ANNOUNCEMENT}
