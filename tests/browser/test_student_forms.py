"""The forms of the student office and of the exam jury, filled in French in
the web client (module bts_student).

- A new application (candidature, art. 10-11 of the law of 21 July 2023):
  the student office of the Lycée Technique du Centre (``scolarite.ltc``)
  types the person, picks the intake of BTS-CLOUD 2025/2026 and the access
  basis, and saves; the server stores it in draft, the intake's programme
  and lycée read through it.
- The grid of the grades of an evaluation (épreuve, art. 13(1)): the office
  creates the evaluation of a course, adds the students enrolled by the
  form's button, types a grade for each, French decimal commas among them,
  and saves; the server stores them with two decimals.  A grade of 20,5 is
  refused by a French warning citing art. 13(1) (no traceback) and the
  stored grade is unchanged.
- The deliberation of the exam jury (délibération, art. 14(2)): the
  ministry's administrator opens a recorded sitting of the BTS-CLOUD exam
  jury at the end of 2025/2026, enters the jury's votes on two proposals
  of progression (the student, then his proposal), saves and decides the
  sitting: the proposal refused by 1 vote to 4 is rejected and its student
  stays enrolled, the one adopted by 5 to 0 is accepted and applied (an
  exclusion for the first-year threshold, art. 13(3): the demo's students
  have no grade of 2025/2026 but the test's; that student is left
  excluded in the session's database).

With BTS_SCREENSHOTS=1 each form is saved as
doc/screenshots/student-<name>.png (never in CI).
"""
import datetime as dt
import time
from decimal import Decimal

import browser_skip

browser_skip.skip_unless_runnable()

import bts_browser as sao  # noqa: E402
import bts_walk as walk  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
from test_personal_data_forms import _french, _warning  # noqa: E402

OFFICE = 'scolarite.ltc'
MINISTRY = 'ministere.admin'
APPLICANT = "Elsa Kieffer"
DIPLOMA = "Diplôme de fin d'études secondaires classiques"
# The evaluation typed in the browser
COURSE_CODE = 'BTS-CLOUD'
EVALUATION_DATE = dt.date(2026, 1, 20)
# The grades typed, in turn, for the students listed (French decimal
# commas); both ends of the scale of art. 13(1) among them
TYPED = ['14,5', '20', '9,75', '0', '12', '16,25', '8', '11,5']
REFUSED = '20,5'
# The deliberation's sitting of the test and its proposals' date
SITTING_DATE = dt.date(2026, 7, 10)
PROPOSAL_DATE = dt.date(2026, 7, 1)


def screenshot(driver, name, dialog=False):
    """Save doc/screenshots/<name>.png when BTS_SCREENSHOTS=1, as the walk
    of the lesson path does (bts_walk.Screenshots); with dialog, the dialog
    sao shows (a warning: no wait for sao to be idle, which fails on it)"""
    if not walk.screenshots_wanted():
        return None
    if dialog:
        # The dialog fades in
        time.sleep(1)
    else:
        driver.execute_script(
            "if (document.activeElement) document.activeElement.blur();")
        sao.idle(driver, f"the screenshot {name!r}")
    walk.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = walk.SCREENSHOTS / f'{name}.png'
    driver.save_screenshot(str(path))
    return path


def _rec_name(client, model, record_id):
    record, = client(model, 'read', [record_id], ['rec_name'])
    return record['rec_name']


def _selection_label(client, model, field, value):
    "The label (in the client's language) of value of the selection field"
    selection = client(model, 'fields_get', [field])[field]['selection']
    return dict(selection)[value]


def _select(scope, name, label):
    "Choose label in the selection field name under scope"
    Select(sao.field_input(scope, name)).select_by_visible_text(label)


# The application

def _applicant(admin):
    "A person who has applied nowhere yet (created once by the admin)"
    found = admin.search_read('party.party', [('name', '=', APPLICANT)],
        ['id'])
    if found:
        return found[0]['id']
    party_id, = admin('party.party', 'create', [{'name': APPLICANT}])
    return party_id


def test_new_application_in_french(server, browser, admin, demo_server):
    """The student office enters a new application: person, intake (its
    programme), access basis and diploma; saved in draft"""
    driver = browser
    office = demo_server.client(OFFICE, language='fr')
    party_id = _applicant(admin)
    intake, = office.search_read('bts.student.intake', [
            ('programme.code', '=', 'BTS-CLOUD'),
            ('academic_year.name', '=', '2025/2026'),
            ], ['rec_name', 'programme', 'lycee'])
    basis = _selection_label(
        office, 'bts.student.application', 'access_basis', 'leaving_diploma')
    walk.login(driver, server, OFFICE)
    walk.open_list(driver, server, OFFICE, 'bts.student.application')
    sao.click_tool(driver, 'new_')
    form = sao.active_form(driver)
    walk.pick(driver, form, 'party', APPLICANT,
        _rec_name(office, 'party.party', party_id))
    offered = walk.pick(
        driver, form, 'intake', 'BTS-CLOUD', intake['rec_name'])
    # The office's own lycée only (the lycée record rule)
    assert all('LAM' not in label for label in offered), offered
    walk.show_page(driver, 'access_basis')
    _select(form, 'access_basis', basis)
    sao.type_value(driver, form, 'diploma', DIPLOMA)
    sao.type_value(driver, form, 'reference', 'MYG-2025-0099')
    screenshot(driver, 'student-application')
    application_id = walk.save(driver)

    application, = office('bts.student.application', 'read',
        [application_id], ['party', 'intake', 'programme', 'lycee',
            'access_basis', 'diploma', 'reference', 'state'])
    assert application == {
        'id': application_id, 'party': party_id, 'intake': intake['id'],
        'programme': intake['programme'], 'lycee': intake['lycee'],
        'access_basis': 'leaving_diploma', 'diploma': DIPLOMA,
        'reference': 'MYG-2025-0099', 'state': 'draft',
        }


# The grades

def _grid_rows(driver, one2many):
    "The visible rows of the editable list one2many"
    return [r for r in one2many.find_elements(By.CSS_SELECTOR, 'tbody > tr')
        if r.is_displayed() and r.find_elements(By.CSS_SELECTOR, 'td')]


def _type_grade(driver, one2many, index, text):
    """Type text in the grade of the index-th row of the grid: a click on
    its cell opens the cell's editor"""
    def edited(driver):
        row = _grid_rows(driver, one2many)[index]
        if not sao.visible(row, 'input[name="value"]'):
            # The cells of the columns follow the selection's and the
            # option's (sao's _get_column_td): the grade is the second
            # column of grade_list.xml
            driver.execute_script("arguments[0].children[3].click();", row)
            return False
        return row
    row = sao.wait_for(
        driver, edited, f"the editor of the grade of row {index}")
    sao.type_value(driver, row, 'value', text)
    # Leave the cell: sao takes its value (a script's click keeps the focus)
    driver.execute_script("document.activeElement.blur();")
    sao.idle(driver, f"the grade of row {index}")


def _row_texts(driver, one2many):
    "The texts of the rows of the grid"
    return [row.text for row in _grid_rows(driver, one2many)]


def _number(text):
    "The Decimal of a grade typed in French"
    return Decimal(text.replace(',', '.')).quantize(Decimal('0.01'))


def test_grade_grid_in_french(server, browser, admin, demo_server):
    """The student office creates the evaluation of a course, lists the
    students enrolled, types their grades and saves; 20,5 is refused with
    the rule's French message"""
    driver = browser
    office = demo_server.client(OFFICE, language='fr')
    course, = office.search_read('bts.programme.course', [
            ('programme.code', '=', COURSE_CODE),
            ], ['rec_name', 'code', 'name'], limit=1, order=[('id', 'ASC')])
    lycee, = office.search_read(
        'bts.lycee', [('code', '=', 'LTC')], ['rec_name', 'name'])
    method = _selection_label(
        office, 'bts.student.evaluation', 'method', 'written')

    walk.login(driver, server, OFFICE)
    walk.open_list(driver, server, OFFICE, 'bts.student.evaluation')
    sao.click_tool(driver, 'new_')
    form = sao.active_form(driver)
    walk.pick(driver, form, 'course', course['name'], course['rec_name'])
    walk.pick(driver, form, 'lycee', lycee['name'], lycee['rec_name'])
    walk.type_date(driver, form, 'date', EVALUATION_DATE)
    _select(form, 'method', method)
    evaluation_id = walk.save(driver)
    evaluation, = office('bts.student.evaluation', 'read', [evaluation_id],
        ['academic_year.name'])
    # The date chose the semester and the year
    assert evaluation['academic_year.']['name'] == '2025/2026'

    walk.click_button(driver, 'fill_students')
    grades = office.search_read('bts.student.grade',
        [('evaluation', '=', evaluation_id)], ['student.rec_name', 'state'],
        order=[('id', 'ASC')])
    assert grades and {g['state'] for g in grades} == {'pending'}
    one2many = sao.visible(form, '.form-one2many')[0]
    sao.wait_for(driver,
        lambda d: len(_grid_rows(d, one2many)) == len(grades),
        "the students listed in the grid")
    # The grade of each row, found by the student's name
    students = {g['id']: g['student.']['rec_name'] for g in grades}
    rows = [next(i for i, name in students.items() if name in text)
        for text in _row_texts(driver, one2many)]
    assert sorted(rows) == sorted(students)
    typed = {}
    for index, grade_id in enumerate(rows):
        typed[grade_id] = TYPED[index % len(TYPED)]
        _type_grade(driver, one2many, index, typed[grade_id])
    screenshot(driver, 'student-grades')
    walk.save(driver)

    stored = {g['id']: g for g in office.search_read('bts.student.grade',
            [('evaluation', '=', evaluation_id)], ['value', 'state'])}
    assert {i: (g['value'], g['state']) for i, g in stored.items()} == {
        i: (_number(t), 'graded') for i, t in typed.items()}

    # 20,5: beyond the scale of art. 13(1), refused in French
    first = rows[0]
    index = next(i for i, text in enumerate(_row_texts(driver, one2many))
        if students[first] in text)
    _type_grade(driver, one2many, index, REFUSED)
    driver.execute_script("document.activeElement.blur();")
    sao.idle(driver, "the refused grade")
    # Not click_tool: its wait fails on the warning sao shows
    sao.visible(driver, f'{sao.ACTIVE_PANE} #save')[0].click()
    sao.wait(driver).until(lambda d: sao.visible(d, '.warning-dialog'))
    screenshot(driver, 'student-grade-refused', dialog=True)
    warning = _warning(driver, "the grade 20,5")
    template = _french(admin, 'The grade %(value)s of "%(grade)s" must be')
    for part in template.replace('%(grade)s', '%(value)s').split(
            '%(value)s'):
        assert part.strip() in warning, (part, warning)
    assert "art. 13(1)" in warning and "Traceback" not in warning
    # In French, as the user reads it
    assert 'de la loi du 21 juillet 2023' in warning, warning
    value, = office('bts.student.grade', 'read', [first], ['value'])
    assert value['value'] == _number(typed[first])

    # Typed again as it was, the grid saves
    _type_grade(driver, one2many, index, typed[first])
    walk.save(driver)
    value, = office('bts.student.grade', 'read', [first], ['value'])
    assert value['value'] == _number(typed[first])


# The deliberation

def _sitting(admin, demo_server):
    """A deliberation of the BTS-CLOUD exam jury of 2025/2026, recorded
    with five members present (created by the admin, as the lycée's
    secretary does), and the proposals of progression of its students at
    the end of the year (the office's wizard); return the sitting's id and
    the proposals"""
    body, = admin.search_read('bts.jury.body', [
            ('body_type.code', '=', 'exam_jury'),
            ('programme.code', '=', 'BTS-CLOUD'),
            ('academic_year.name', '=', '2025/2026'),
            ], ['members'])
    found = admin.search_read('bts.jury.sitting', [
            ('body', '=', body['id']), ('date', '=', SITTING_DATE)], ['id'])
    if found:
        sitting_id = found[0]['id']
    else:
        sitting_id, = admin('bts.jury.sitting', 'create', [{
                    'body': body['id'], 'date': SITTING_DATE,
                    'kind': 'deliberation',
                    'attendees': [('add', body['members'][:5])],
                    }])
        admin('bts.jury.sitting', 'record', [sitting_id])
    students = admin.search_read('bts.student', [
            ('programme.code', '=', 'BTS-CLOUD'), ('state', '=', 'enrolled'),
            ], ['id'], order=[('id', 'ASC')])
    office = demo_server.client(OFFICE, language='fr')
    office.wizard('bts.student.propose', {
            'start': {'date': PROPOSAL_DATE, '_button': 'propose'}},
        start_context={'active_model': 'bts.student',
            'active_id': students[0]['id'],
            'active_ids': [s['id'] for s in students]})
    proposals = admin.search_read('bts.student.proposal', [
            ('date', '=', PROPOSAL_DATE), ('state', '=', 'proposed'),
            ], ['rec_name', 'kind', 'student', 'student.party',
            'student.rec_name'],
        order=[('id', 'ASC')], context={'language': 'fr'})
    return sitting_id, proposals


def test_deliberation_in_french(server, browser, admin, demo_server):
    """The ministry's administrator enters the exam jury's votes on two
    proposals in the recorded sitting and decides it: the proposal refused
    by 1 vote to 4 is rejected, the one adopted by 5 to 0 accepted and
    applied"""
    driver = browser
    sitting_id, proposals = _sitting(admin, demo_server)
    assert len(proposals) >= 2, proposals
    minister = demo_server.client(MINISTRY, language='fr')
    refused, adopted = proposals[:2]
    walk.login(driver, server, MINISTRY)
    walk.open_list(driver, server, MINISTRY, 'bts.jury.sitting')
    # Opened by its date: a double click on the body's cell (a link)
    # would open the body
    date = sao.format_date(driver, SITTING_DATE)
    cell = next(c for c in walk.wait_row(driver, date).find_elements(
            By.CSS_SELECTOR, 'td') if c.text.strip() == date)
    ActionChains(driver).double_click(cell).perform()
    form = sao.active_form(driver)
    sao.idle(driver, "the form of the sitting")
    one2many, = sao.visible(form, '.form-one2many')
    new = sao.gettext(driver, "New")
    for proposal, votes in [(refused, (1, 4)), (adopted, (5, 0))]:
        sao.wait_for(driver, lambda d: sao.visible(one2many,
                f'.form-one2many-toolbar button[title="{new}"]'),
            "the button New of the decisions")
        sao.new_line(driver, one2many)
        person = _rec_name(
            minister, 'party.party', proposal['student.']['party'])
        walk.pick(driver, one2many, 'student', person, person)
        # The proposals of that student only (the field's domain)
        offered = walk.pick(driver, one2many, 'proposal', person,
            _rec_name(minister, 'bts.student.proposal', proposal['id']))
        assert all(o.startswith(person) for o in offered), offered
        sao.type_value(driver, one2many, 'votes_for', votes[0])
        sao.type_value(driver, one2many, 'votes_against', votes[1])
    driver.execute_script("document.activeElement.blur();")
    sao.idle(driver, "the last vote")
    screenshot(driver, 'student-deliberation')
    walk.save(driver)
    decisions = minister.search_read('bts.jury.decision',
        [('sitting', '=', sitting_id)],
        ['proposal', 'subject', 'votes_for', 'votes_against', 'adopted'],
        order=[('id', 'ASC')])
    assert [(d['proposal'], d['votes_for'], d['votes_against'],
            d['adopted']) for d in decisions] == [
        (refused['id'], 1, 4, False), (adopted['id'], 5, 0, True)]
    # The subject is the proposal's, filled when it is picked
    assert [d['subject'] for d in decisions] == [
        _rec_name(minister, 'bts.student.proposal', p['id'])
        for p in [refused, adopted]]

    walk.click_button(driver, 'decide')
    sitting, = minister('bts.jury.sitting', 'read', [sitting_id], ['state'])
    assert sitting['state'] == 'decided'
    screenshot(driver, 'student-deliberation-decided')
    states = {p['id']: p['state'] for p in minister.search_read(
            'bts.student.proposal',
            [('id', 'in', [adopted['id'], refused['id']])], ['state'])}
    assert states == {adopted['id']: 'accepted', refused['id']: 'rejected'}
    # Only an exclusion adopted changes the student's state (art. 13(3))
    students = {s['id']: s['state'] for s in minister.search_read(
            'bts.student', [('id', 'in', [refused['student'],
                        adopted['student']])], ['state'])}
    assert students == {refused['student']: 'enrolled',
        adopted['student']: 'excluded'
        if adopted['kind'].startswith('exclude') else 'enrolled'}
