"""The students of the demo database: the cohort of 2024/2025 through its two
years and the first year of the cohort of 2025/2026 (issue 16, "How it is
checked"), read through JSON-RPC as the admin.

    TRYTOND_DATABASE_URI=sqlite:// .venv/bin/python -m pytest -q \\
        tests/test_demo_students.py
"""
import datetime as dt
from decimal import Decimal

# The demo's proposals of the first year of 2025/2026: the browser tests
# propose and deliberate again later (tests/browser/test_student_forms.py)
DELIBERATED = dt.date(2026, 6, 25)
MENTIONS = {'passable': (10, 12), 'fairly_good': (12, 14), 'good': (14, 16),
    'very_good': (16, 18), 'excellent': (18, 20)}


def _one(records):
    assert len(records) == 1, records
    return records[0]


def _student(admin, name):
    return _one(admin.search_read('bts.student', [
                ('party.name', '=', name),
                ('programme.code', '=', 'BTS-CLOUD')],
            ['state', 'intake.name', 'exemptions']))


def test_graduates_with_each_mention(admin):
    "Each mention of the 2023 law once, and a VAE graduate without one"
    diplomas = admin.search_read('bts.student.diploma', [
            ('student.programme.code', '=', 'BTS-CLOUD'),
            ('state', '=', 'awarded')],
        ['mention', 'average', 'exempted', 'issue_date',
            'student.state', 'student.intake.name'])
    assert len(diplomas) == 6
    mentions = sorted(d['mention'] or '' for d in diplomas)
    assert mentions == sorted(['', *MENTIONS])
    for diploma in diplomas:
        assert diploma['issue_date'] == dt.date(2026, 6, 26)
        assert diploma['student.']['state'] == 'graduated'
        assert diploma['student.']['intake.']['name'] == '2024/2025'
        if diploma['mention']:
            low, high = MENTIONS[diploma['mention']]
            assert low <= diploma['average'] < high, diploma
            assert not diploma['exempted']
        else:
            # Art. 26(1): a VAE exemption, no mention whatever the average
            assert diploma['exempted']
            assert diploma['average'] >= 14


def test_one_resit(admin):
    """One re-sit at an alternative evaluation: the second attempt replaces
    a grade below 8 and validates the module"""
    grade = _one(admin.search_read('bts.student.grade', [
                ('evaluation.kind', '=', 'alternative')],
            ['student', 'value', 'attempt', 'evaluation.course']))
    assert grade['attempt'] == 2
    course = grade['evaluation.']['course']
    first = _one(admin.search_read('bts.student.grade', [
                ('student', '=', grade['student']),
                ('evaluation.course', '=', course), ('attempt', '=', 1)],
            ['value']))
    assert first['value'] < 8 <= grade['value']
    result = _one(admin.search_read('bts.student.course_result', [
                ('student', '=', grade['student']),
                ('course', '=', course)],
            ['final_grade', 'attempts', 'course.module']))
    assert (result['final_grade'], result['attempts']) == (
        grade['value'], 2)
    module = _one(admin.search_read('bts.student.module_result', [
                ('student', '=', grade['student']),
                ('module', '=', result['course.']['module'])],
            ['validated', 'lowest']))
    assert module['validated'] and module['lowest'] >= 8


def test_one_exclusion_then_readmission(admin):
    """One exclusion after the first year, below 24 ECTS full-time, and its
    student re-admitted in the intake of 2025/2026 with the exemption of
    the module validated (art. 13(3), (5))"""
    exclusion = _one(admin.search_read('bts.student.proposal', [
                ('state', '=', 'accepted'), ('kind', 'like', 'exclude%'),
                ('academic_year.name', '=', '2024/2025')],
            ['kind', 'ects_first_year', 'academic_year.name', 'student']))
    assert exclusion['kind'] == 'exclude_first_year'
    assert exclusion['academic_year.']['name'] == '2024/2025'
    assert Decimal(18) <= exclusion['ects_first_year'] < Decimal(24)
    student = exclusion['student']
    application = _one(admin.search_read('bts.student.application', [
                ('student', '=', student),
                ('intake.academic_year.name', '=', '2025/2026')],
            ['state']))
    assert application['state'] == 'admitted'
    assert admin.search_read('bts.student', [('id', '=', student)], [
            'state'])[0]['state'] == 'enrolled'
    exemption = _one(admin.search_read('bts.student.exemption', [
                ('student', '=', student)], ['reason', 'module.code']))
    assert (exemption['reason'], exemption['module.']['code']) == (
        'readmission', 'M1')
    years = {e['academic_year.']['name'] for e in admin.search_read(
            'bts.student.enrolment', [
                ('student', '=', student), ('state', '=', 'effective')],
            ['academic_year.name'])}
    assert years == {'2024/2025', '2025/2026', '2026/2027'}
    continued = _one(admin.search_read('bts.student.proposal', [
                ('student', '=', student),
                ('academic_year.name', '=', '2025/2026'),
                ('date', '=', DELIBERATED)],
            ['kind', 'state', 'ects_first_year']))
    assert (continued['kind'], continued['state']) == ('continue', 'accepted')
    assert continued['ects_first_year'] >= 24


def test_current_cohort_first_year(admin):
    """The first year of the cohort of 2025/2026 deliberated in June 2026:
    every enrolled student continues; in March its full-time students are
    still below the first-year threshold"""
    proposals = admin.search_read('bts.student.proposal', [
            ('student.intake.name', '=', '2025/2026'),
            ('student.programme.code', '=', 'BTS-CLOUD'),
            ('date', '=', DELIBERATED)],
        ['kind', 'state', 'date'])
    assert len(proposals) == 5
    assert {(p['kind'], p['state'], p['date']) for p in proposals} == {
        ('continue', 'accepted', DELIBERATED)}
    at_risk = admin.search_read('bts.student', [
            ('at_risk', '=', True), ('programme.code', '=', 'BTS-CLOUD')],
        ['rec_name'], context={'date': dt.date(2026, 3, 1)})
    assert sorted(s['rec_name'] for s in at_risk) == [
        "Léa Muller", "Max Schneider", "Sara Costa", "Tom Reiter"]


def test_ministry_figures(admin):
    "The ministry's figures of BTS-CLOUD at LTC count the demo's cohorts"
    figures = {f['academic_year.']['name']: f for f in admin.search_read(
            'bts.student.figures', [('programme.code', '=', 'BTS-CLOUD')],
            ['academic_year.name', 'admitted', 'enrolled', 'graduated',
                'excluded', 'withdrawn', 'cohort_graduated',
                'graduation_rate'])}
    first, second = figures['2024/2025'], figures['2025/2026']
    assert (first['admitted'], first['enrolled'], first['excluded'],
        first['cohort_graduated']) == (7, 7, 1, 6)
    assert first['graduation_rate'] == Decimal('85.7')
    assert (second['graduated'], second['excluded']) == (6, 0)
