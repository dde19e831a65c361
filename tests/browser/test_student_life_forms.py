"""The forms of a student's life at the lycée, filled in French in the web
client (module bts_student).

- An enrolment (inscription, art. 1 and 10 of the law of 21 July 2023):
  the student office of the Lycée Technique du Centre (``scolarite.ltc``)
  enrols a student in 2026/2027, full-time with 32,5 ECTS: saving is
  refused by a French warning citing art. 1 and nothing is stored; part
  time is saved, registered (the fee of each semester created), the first
  semester's fee gets its payment date typed in the fee's dialog and is
  paid by its button, and the enrolment is made effective.
- An absence (art. 19 12°): the office enters the lessons a student missed
  in a course on a date with its justification; 0 lessons is refused by
  the web client in French (the field's domain) and nothing is stored;
  the semester of the date is stored with it.
- A disciplinary case (affaire disciplinaire, arts. 19-22): the director
  of the lycée (``direction.ltc``) opens a case with its facts more than
  six months after them: refused by a French warning citing art. 21; with
  facts of the month it is saved, heard (the hearing's date, the defender
  and the minutes typed) and decided (a warning, its reasons and its
  notification).
- An internship agreement (convention de stage, art. 4(2)): the office
  enters the host, the tutor at the host, the plan's internship module,
  the dates and fewer hours than the module's: refused by a French warning
  citing art. 4(2); with the module's hours it is saved and signed.

The records are left in the session's demo database.  With
BTS_SCREENSHOTS=1 each form is saved as doc/screenshots/student-<name>.png
(never in CI).
"""
import datetime as dt
import re
from decimal import Decimal

import browser_skip

browser_skip.skip_unless_runnable()

import bts_browser as sao  # noqa: E402
import bts_walk as walk  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from test_personal_data_forms import _french, _warning  # noqa: E402
from test_student_forms import (  # noqa: E402
    _rec_name,
    _select,
    _selection_label,
    screenshot,
)

OFFICE = 'scolarite.ltc'
DIRECTOR = 'direction.ltc'
TUTOR = "Jeff Tutor"
PROGRAMME = 'BTS-CLOUD'
# The enrolment: a student admitted to the second year (created by the
# admin), 32,5 ECTS refused full-time, accepted part-time (art. 1, 15°)
ENROLLED = "Paul Wagner"
YEAR = '2026/2027'
ECTS = '32,5'
PAYMENT = dt.date(2026, 9, 18)
# The absence
ABSENCE_DATE = dt.date(2026, 11, 24)
ABSENCE_REASON = "Certificat médical du 24 novembre"
# The disciplinary case: facts of May are time-barred on 23 November
# (six months, art. 21), those of November are not
OPENING = dt.date(2026, 11, 23)
LATE_FACTS = dt.date(2026, 5, 12)
FACTS = dt.date(2026, 11, 5)
HEARING = dt.date(2026, 11, 26)
NOTIFICATION = dt.date(2026, 11, 27)
FACTS_TEXT = "Câble réseau de la salle C.204 arraché pendant le TP."
MINUTES = "L'étudiant reconnaît les faits et s'en excuse."
REASONS = "Dégradation volontaire du matériel de la salle informatique."
# The internship: the host and its tutor (created by the admin)
HOST = "Datacenter Kirchberg S.A."
HOST_TUTOR = "Carole Hoffmann"
INTERNSHIP_START = dt.date(2027, 3, 1)
INTERNSHIP_END = dt.date(2027, 5, 28)


def _party(admin, name):
    "The party name (created once by the admin)"
    found = admin.search_read('party.party', [('name', '=', name)], ['id'])
    if found:
        return found[0]['id']
    party_id, = admin('party.party', 'create', [{'name': name}])
    return party_id


def _save_refused(driver, admin, message, name):
    """Save the form on display: refused by sao's warning with the French
    text of message (its English opening), no traceback; return the
    warning's text"""
    # Not click_tool: its wait fails on the warning sao shows
    sao.visible(driver, f'{sao.ACTIVE_PANE} #save')[0].click()
    sao.wait(driver).until(lambda d: sao.visible(d, '.warning-dialog'))
    screenshot(driver, name, dialog=True)
    warning = _warning(driver, message)
    for part in re.split(r'%\(\w+\)s', _french(admin, message)):
        assert part.strip() in warning, (part, warning)
    assert 'Traceback' not in warning
    # In French, as the user reads it
    assert 'de la loi du 21 juillet 2023' in warning, warning
    return warning


def _students(client, *domain):
    "The enrolled students of BTS-CLOUD (id, rec_name) the client reads"
    return client.search_read('bts.student', [
            ('programme.code', '=', PROGRAMME), ('state', '=', 'enrolled'),
            *domain], ['rec_name'], order=[('id', 'ASC')])


# The enrolment

def _new_student(admin, demo_server):
    """A student of BTS-CLOUD at the LTC, with his tutor (designated by
    the director, art. 8) and no enrolment (created by the admin)"""
    party_id = _party(admin, ENROLLED)
    found = admin.search_read(
        'bts.student', [('party', '=', party_id)], ['id'])
    if found:
        return found[0]['id']
    programme, = admin.search_read(
        'bts.programme', [('code', '=', PROGRAMME)], ['id'])
    lycee, = admin.search_read('bts.lycee', [('code', '=', 'LTC')], ['id'])
    year, = admin.search_read(
        'bts.academic_year', [('name', '=', '2025/2026')], ['id'])
    student_id, = admin('bts.student', 'create', [{
                'party': party_id, 'programme': programme['id'],
                'lycee': lycee['id'], 'intake': year['id']}])
    director = demo_server.client(DIRECTOR, language='fr')
    tutor, = director.search_read(
        'party.party', [('name', '=', TUTOR)], ['id'])
    director('bts.student', 'write', [student_id], {'tutor': tutor['id']})
    return student_id


def _fee_rows(one2many):
    "The visible rows of the list of the fees"
    return [r for r in one2many.find_elements(By.CSS_SELECTOR, 'tbody > tr')
        if r.is_displayed() and r.find_elements(By.CSS_SELECTOR, 'td')]


def _row_cell(row):
    """A cell of row showing a value, not a link (a click on a Many2One's
    link opens its record) nor the selection box"""
    return [c for c in row.find_elements(By.CSS_SELECTOR, 'td')
        if c.is_displayed() and c.text.strip()
        and not c.find_elements(By.CSS_SELECTOR, 'a, button')][0]


def test_enrolment_in_french(server, browser, admin, demo_server):
    """The student office enrols a student: 32,5 ECTS full-time refused in
    French (art. 1); part-time saved, registered, the first semester's fee
    paid on the date typed and the enrolment made effective"""
    driver = browser
    office = demo_server.client(OFFICE, language='fr')
    student_id = _new_student(admin, demo_server)
    assert not office.search_read('bts.student.enrolment',
        [('student', '=', student_id)], ['id'])
    year, = office.search_read('bts.academic_year',
        [('name', '=', YEAR)], ['rec_name', 'semesters'])
    full_time, part_time = (_selection_label(office,
            'bts.student.enrolment', 'time_status', s)
        for s in ['full_time', 'part_time'])

    walk.login(driver, server, OFFICE)
    walk.open_list(driver, server, OFFICE, 'bts.student.enrolment')
    sao.click_tool(driver, 'new_')
    form = sao.active_form(driver)
    walk.pick(driver, form, 'student', ENROLLED,
        _rec_name(office, 'bts.student', student_id))
    walk.pick(driver, form, 'academic_year', YEAR, year['rec_name'])
    _select(form, 'time_status', full_time)
    sao.type_value(driver, form, 'ects', ECTS)
    sao.field_input(form, 'health_insurance').click()
    warning = _save_refused(driver, admin,
        'The enrolment "%(enrolment)s": %(ects)s ECTS is not a full-time',
        'student-enrolment-refused')
    assert ECTS in warning, warning
    assert not office.search_read('bts.student.enrolment',
        [('student', '=', student_id)], ['id'])
    # Nothing typed is lost
    assert sao.form_value(driver, 'ects') == ECTS

    _select(form, 'time_status', part_time)
    enrolment_id = walk.save(driver)
    walk.click_button(driver, 'register')
    one2many, = sao.visible(form, '.form-one2many')
    sao.wait_for(driver,
        lambda d: len(_fee_rows(one2many)) == len(year['semesters']),
        "the fees of the semesters")
    # The first semester's fee: its payment date typed in its dialog
    ActionChains(driver).double_click(
        _row_cell(_fee_rows(one2many)[0])).perform()
    dialog = sao.wait_for(driver,
        lambda d: sao.visible(d, '.modal-dialog .form'), "the fee's dialog")[0]
    sao.idle(driver, "the fee's dialog")
    walk.type_date(driver, dialog, 'payment_date', PAYMENT)
    screenshot(driver, 'student-enrolment-fee')
    walk.close_record_dialog(driver)
    walk.save(driver)
    first, = office.search_read('bts.student.enrolment.fee', [
            ('enrolment', '=', enrolment_id),
            ('semester', '=', year['semesters'][0])],
        ['payment_date', 'state'])
    assert (first['payment_date'], first['state']) == (PAYMENT, 'unpaid')
    # The fee's button in its row: a first click selects the row
    paid = _selection_label(
        office, 'bts.student.enrolment.fee', 'state', 'paid')

    def pay(driver):
        row = _fee_rows(one2many)[0]
        if paid in row.text:
            return True
        row.find_element(By.CSS_SELECTOR, 'button[name="pay"]').click()
        walk.settle(driver, "the fee paid")
        return False
    sao.wait_for(driver, pay, "the first semester's fee paid")
    walk.click_button(driver, 'make_effective')
    screenshot(driver, 'student-enrolment')

    enrolment, = office('bts.student.enrolment', 'read', [enrolment_id],
        ['student', 'academic_year', 'time_status', 'ects', 'load_gap',
            'health_insurance', 'state', 'effective_date'])
    assert enrolment == {
        'id': enrolment_id, 'student': student_id,
        'academic_year': year['id'], 'time_status': 'part_time',
        'ects': Decimal('32.5'), 'load_gap': False,
        'health_insurance': True, 'state': 'effective',
        'effective_date': dt.date.today(),
        }
    fees = office.search_read('bts.student.enrolment.fee',
        [('enrolment', '=', enrolment_id)],
        ['semester', 'state', 'payment_date', 'amount'],
        order=[('semester', 'ASC')])
    assert [(f['semester'], f['state'], f['payment_date']) for f in fees] \
        == [(year['semesters'][0], 'paid', PAYMENT),
            (year['semesters'][1], 'unpaid', None)]
    assert all(f['amount'] > 0 for f in fees)


# The absence

def test_absence_in_french(server, browser, admin, demo_server):
    """The student office enters a justified absence; 0 lessons is refused
    by the web client in French and nothing is stored"""
    driver = browser
    office = demo_server.client(OFFICE, language='fr')
    student = _students(office)[0]
    course, = office.search_read('bts.programme.course', [
            ('programme.code', '=', PROGRAMME),
            ('module.kind', '=', 'lycee'),
            ], ['rec_name', 'name'], limit=1, order=[('id', 'ASC')])
    semester, = office.search_read('bts.semester', [
            ('start_date', '<=', ABSENCE_DATE),
            ('end_date', '>=', ABSENCE_DATE)], ['id'])
    before = {a['id'] for a in office.search_read('bts.student.absence',
            [('student', '=', student['id'])], ['id'])}
    lessons = office('bts.student.absence', 'fields_get',
        ['lessons'])['lessons']['string']

    walk.login(driver, server, OFFICE)
    walk.open_list(driver, server, OFFICE, 'bts.student.absence')
    sao.click_tool(driver, 'new_')
    form = sao.active_form(driver)
    walk.pick(driver, form, 'student', student['rec_name'],
        student['rec_name'])
    walk.pick(driver, form, 'course', course['name'], course['rec_name'])
    walk.type_date(driver, form, 'date', ABSENCE_DATE)
    sao.type_value(driver, form, 'lessons', 0)
    sao.field_input(form, 'justified').click()
    sao.type_value(driver, form, 'reason', ABSENCE_REASON)
    sao.click_tool(driver, 'save')
    alert = sao.wait_for(driver, lambda d: sao.visible(
            d, f'{sao.ACTIVE_PANE} .infobar .alert-danger'),
        "the refusal of 0 lessons")[0].text
    screenshot(driver, 'student-absence-refused')
    assert lessons in alert, alert
    # The field's domain, as sao writes it
    assert f'{lessons}: >0' in alert, alert
    assert {a['id'] for a in office.search_read('bts.student.absence',
            [('student', '=', student['id'])], ['id'])} == before
    assert sao.form_value(driver, 'reason') == ABSENCE_REASON

    sao.type_value(driver, form, 'lessons', 3)
    screenshot(driver, 'student-absence')
    absence_id = walk.save(driver)
    absence, = office('bts.student.absence', 'read', [absence_id],
        ['student', 'course', 'date', 'lessons', 'justified', 'reason',
            'semester'])
    assert absence == {
        'id': absence_id, 'student': student['id'], 'course': course['id'],
        'date': ABSENCE_DATE, 'lessons': 3, 'justified': True,
        'reason': ABSENCE_REASON, 'semester': semester['id'],
        }


# The disciplinary case

def test_disciplinary_case_in_french(server, browser, admin, demo_server):
    """The director opens a case: facts of more than six months refused
    in French (art. 21); facts of the month saved, heard and decided"""
    driver = browser
    director = demo_server.client(DIRECTOR, language='fr')
    student = _students(director)[1]
    labels = {name: _selection_label(
            director, 'bts.student.discipline', name, value)
        for name, value in [('offence', 'property'), ('sanction', 'warning')]}

    walk.login(driver, server, DIRECTOR)
    walk.open_list(driver, server, DIRECTOR, 'bts.student.discipline')
    sao.click_tool(driver, 'new_')
    form = sao.active_form(driver)
    walk.pick(driver, form, 'student', student['rec_name'],
        student['rec_name'])
    _select(form, 'offence', labels['offence'])
    walk.type_date(driver, form, 'facts_date', LATE_FACTS)
    walk.type_date(driver, form, 'opening_date', OPENING)
    sao.type_value(driver, form, 'facts', FACTS_TEXT)
    warning = _save_refused(driver, admin,
        'The disciplinary case "%(case)s" opened on',
        'student-discipline-refused')
    assert 'art. 21' in warning
    assert not director.search_read('bts.student.discipline',
        [('student', '=', student['id']), ('opening_date', '=', OPENING)],
        ['id'])
    assert sao.form_value(driver, 'facts') == FACTS_TEXT

    walk.type_date(driver, form, 'facts_date', FACTS)
    case_id = walk.save(driver)
    walk.type_date(driver, form, 'hearing_date', HEARING)
    sao.type_value(driver, form, 'defender', "Me Anne Klein")
    sao.type_value(driver, form, 'minutes', MINUTES)
    walk.click_button(driver, 'hear')
    _select(form, 'sanction', labels['sanction'])
    sao.type_value(driver, form, 'reasons', REASONS)
    walk.type_date(driver, form, 'notification_date', NOTIFICATION)
    screenshot(driver, 'student-discipline')
    walk.click_button(driver, 'decide')

    case, = director('bts.student.discipline', 'read', [case_id],
        ['student', 'offence', 'facts_date', 'opening_date', 'facts',
            'hearing_date', 'defender', 'minutes', 'sanction', 'reasons',
            'notification_date', 'appeal_deadline', 'state'])
    assert case == {
        'id': case_id, 'student': student['id'], 'offence': 'property',
        'facts_date': FACTS, 'opening_date': OPENING, 'facts': FACTS_TEXT,
        'hearing_date': HEARING, 'defender': "Me Anne Klein",
        'minutes': MINUTES, 'sanction': 'warning', 'reasons': REASONS,
        'notification_date': NOTIFICATION,
        'appeal_deadline': NOTIFICATION + dt.timedelta(days=7),
        'state': 'decided',
        }


# The internship agreement

def test_internship_agreement_in_french(server, browser, admin, demo_server):
    """The student office enters an internship agreement: fewer hours than
    the plan's internship module refused in French (art. 4(2)); the
    module's hours saved and the agreement signed"""
    driver = browser
    office = demo_server.client(OFFICE, language='fr')
    host_id, tutor_id = _party(admin, HOST), _party(admin, HOST_TUTOR)
    student = _students(office)[2]
    module, = office.search_read('bts.programme.module', [
            ('programme.code', '=', PROGRAMME), ('kind', '=', 'internship'),
            ('year_of_study', '=', '2'),
            ], ['rec_name', 'name', 'internship_hours'])
    required = module['internship_hours']
    assert required

    walk.login(driver, server, OFFICE)
    walk.open_list(driver, server, OFFICE, 'bts.student.internship')
    sao.click_tool(driver, 'new_')
    form = sao.active_form(driver)
    walk.pick(driver, form, 'student', student['rec_name'],
        student['rec_name'])
    walk.pick(driver, form, 'module', module['name'], module['rec_name'])
    walk.pick(driver, form, 'host', HOST, _rec_name(
            office, 'party.party', host_id))
    walk.pick(driver, form, 'host_tutor', HOST_TUTOR, _rec_name(
            office, 'party.party', tutor_id))
    walk.type_date(driver, form, 'start_date', INTERNSHIP_START)
    walk.type_date(driver, form, 'end_date', INTERNSHIP_END)
    sao.type_value(driver, form, 'hours', required - 1)
    warning = _save_refused(driver, admin,
        'The agreement "%(internship)s" has %(hours)s hours',
        'student-internship-refused')
    assert str(required - 1) in warning and str(required) in warning
    assert not office.search_read('bts.student.internship',
        [('student', '=', student['id']), ('host', '=', host_id)], ['id'])
    assert sao.form_value(driver, 'hours') == str(required - 1)
    assert sao.form_value(driver, 'end_date') == sao.format_date(
        driver, INTERNSHIP_END)

    sao.type_value(driver, form, 'hours', required)
    internship_id = walk.save(driver)
    walk.click_button(driver, 'sign')
    screenshot(driver, 'student-internship')
    internship, = office('bts.student.internship', 'read', [internship_id],
        ['student', 'kind', 'module', 'host', 'host_tutor', 'start_date',
            'end_date', 'hours', 'state'])
    assert internship == {
        'id': internship_id, 'student': student['id'], 'kind': 'internship',
        'module': module['id'], 'host': host_id, 'host_tutor': tutor_id,
        'start_date': INTERNSHIP_START, 'end_date': INTERNSHIP_END,
        'hours': required, 'state': 'signed',
        }
