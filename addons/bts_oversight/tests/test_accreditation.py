# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The accreditation procedure (law of 21 July 2023, arts. 5(1), 35-42, 73,
Annexes A-B; RULES.md §H.11): each deadline on both sides of its boundary,
the deviations of the student forecast, the conditional re-accreditation,
the block of art. 42, the teach-out and the grounds for withdrawal."""
import datetime as dt
import unittest
from contextlib import contextmanager
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction, check_access

D = dt.date


def create_user(login, group, lycee=None):
    "A user of the BTS group fs_id group, of lycee"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    user, = User.create([{
                'login': login, 'name': login,
                'groups': [('add', [ModelData.get_id(
                                'bts_programme', group)])],
                'bts_lycees': [('add', [lycee.id] if lycee else [])],
                }])
    return user


@contextmanager
def as_user(user):
    "Call as user with the access checks of a client"
    with Transaction().set_user(user.id), check_access():
        yield


def setup_lycee(code='LTC'):
    "A lycée and the academic years 2024/2025 to 2034/2035"
    pool = Pool()
    Party = pool.get('party.party')
    Lycee = pool.get('bts.lycee')
    AcademicYear = pool.get('bts.academic_year')
    party, = Party.create([{'name': f"Lycée {code}"}])
    lycee, = Lycee.create([{'code': code, 'party': party.id}])
    if not AcademicYear.search([]):
        AcademicYear.create([{'start_date': D(y, 9, 15)}
                for y in range(2020, 2036)])
    return lycee


def accredited(code, lycee, decision_year):
    "A programme accredited by the decision of 30 June of decision_year"
    programme, _ = create_one_course_programme(
        code, lycee, decision_year=decision_year)
    return programme


def new_programme(code, lycee):
    """A new programme of lycee (requested, initial) whose study plan keeps
    the law: a copy of an accredited one's"""
    Programme = Pool().get('bts.programme')
    model = accredited(f'{code}-MODEL', setup_lycee(f'{code}-L'), 2020)
    programme, = Programme.copy([model], default={'code': code})
    Programme.write([programme], {'lycees': [
                ('remove', [y.id for y in programme.lycees]),
                ('add', [lycee.id])]})
    return programme


def procedure(programme, year, kind='initial', forecasts=None):
    """A procedure of programme for year N with every criterion of Annex A
    and a forecast of 20 students for each year of the accreditation"""
    Procedure = Pool().get('bts.accreditation.procedure')
    forecasts = forecasts or [
        {'year': y, 'students': 20} for y in range(year, year + 5)]
    record, = Procedure.create([{
                'programme': programme.id, 'year': year, 'kind': kind,
                'offer_study': True, 'market_study': True,
                'external_share_planned': True, 'premises_attested': True,
                'graduates_follow_up': True, 'internship_places': 20,
                'forecasts': [('create', forecasts)],
                }])
    return record


ANNEX_B = dict.fromkeys([
        'title_ii_conformity', 'ects_structure', 'clq_descriptors',
        'information_published', 'vae_procedure', 'diploma_supplement',
        'sufficient_resources', 'external_share_limit', 'teacher_training',
        'tutoring', 'quality_assurance', 'recommendations_followed'], True)


def preparation_bodies(programme):
    "The coordinator and the curriculum group of programme, in draft"
    pool = Pool()
    Body = pool.get('bts.jury.body')
    BodyType = pool.get('bts.jury.body_type')
    AcademicYear = pool.get('bts.academic_year')
    year = AcademicYear.find(D(2026, 3, 10))
    return {f'{code}_body' if code == 'coordinator' else code: Body.create([{
                    'body_type': BodyType.search(
                        [('code', '=', code)])[0].id,
                    'programme': programme.id,
                    'academic_year': year.id}])[0].id
        for code in ['coordinator', 'curriculum_group']}


def walk(record, until, decision=None):
    """Take record through its steps on their deadlines (N = its year)
    until the state until"""
    Procedure = Pool().get('bts.accreditation.procedure')
    n = record.year
    steps = [
        ('announced', {'announcement_date': D(n - 2, 10, 15)}, 'announce'),
        ('filed', {'request_date': D(n - 1, 1, 15)}, 'file_request'),
        ('admissible', {'admissibility_date': D(n - 1, 3, 10)},
            'declare_admissible'),
        ('submitted', dict(ANNEX_B, dossier_date=D(n - 1, 7, 15)),
            'submit_dossier'),
        ('reported', {'site_visit_date': D(n - 1, 11, 20),
                'report_date': D(n, 2, 27),
                'report_url': 'https://agency.example/report.pdf'},
            'record_report'),
        ]
    order = [s for s, _, _ in steps]
    done = order.index(record.state) if record.state in order else -1
    for state, values, button in steps[done + 1:]:
        if button == 'submit_dossier' and record.kind == 'initial':
            values.update(preparation_bodies(record.programme))
        if button == 'record_report':
            Party = Pool().get('party.party')
            values['agency'], = Party.create([{'name': "AEQES"}])
        Procedure.write([record], values)
        getattr(Procedure, button)([record])
        if state == until:
            return record
    Procedure.write([record], {'decision_date': D(n, 6, 30),
            'decision_reference': f'MESR-{n}', **(decision or {})})
    return record


class OversightTestCase(unittest.TestCase):
    "A fresh database with bts_oversight activated"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(['bts_oversight', 'bts_student'])

    @classmethod
    def tearDownClass(cls):
        drop_db()


class AccreditationTestCase(OversightTestCase):
    "The accreditation procedure and what follows from its decision"

    @with_transaction()
    def test_deadlines(self):
        "§H.11: every deadline of N = 2027 and the validity"
        record = procedure(new_programme('P1', setup_lycee()), 2027)
        self.assertEqual(record.announcement_deadline, D(2025, 10, 15))
        self.assertEqual(record.request_deadline, D(2026, 1, 15))
        # Before the filing, counted from the deadline; then from the filing
        self.assertEqual(record.admissibility_deadline, D(2026, 3, 15))
        self.assertEqual(record.dossier_deadline, D(2026, 7, 15))
        self.assertEqual(record.report_deadline, D(2027, 3, 1))
        walk(record, 'admissible')
        self.assertEqual(record.admissibility_deadline, D(2026, 3, 15))
        self.assertEqual(record.preparation_end, D(2028, 3, 9))
        programme = record.programme
        self.assertEqual(programme.state, 'admissible')
        self.assertEqual(programme.request_date, D(2026, 1, 15))
        self.assertEqual(programme.admissibility_date, D(2026, 3, 10))

    @with_transaction()
    def test_late_steps(self):
        "§H.11: each step on its deadline is on time, a day later late"
        pool = Pool()
        Procedure = pool.get('bts.accreditation.procedure')
        record = procedure(new_programme('P2', setup_lycee()), 2027)
        names = Procedure.fields_get([
                'announcement_date', 'request_date', 'admissibility_date',
                'dossier_date', 'report_date'])
        for field, on_time, late in [
                ('announcement_date', D(2025, 10, 15), D(2025, 10, 16)),
                ('request_date', D(2026, 1, 15), D(2026, 1, 16)),
                ('dossier_date', D(2026, 7, 15), D(2026, 7, 16)),
                ('report_date', D(2027, 3, 1), D(2027, 3, 2)),
                ]:
            with self.subTest(step=field):
                label = names[field]['string']
                record.state = 'reported'
                setattr(record, field, on_time)
                self.assertNotIn(label, record.late_step_names(on_time))
                setattr(record, field, late)
                self.assertIn(label, record.late_step_names(late))
                setattr(record, field, None)
        # The minister decides within two months of the filing
        label = names['admissibility_date']['string']
        record.request_date = D(2026, 1, 10)
        record.admissibility_date = D(2026, 3, 10)
        self.assertNotIn(label, record.late_step_names(D(2026, 3, 10)))
        record.admissibility_date = D(2026, 3, 11)
        self.assertIn(label, record.late_step_names(D(2026, 3, 11)))
        # A step still to be done is late once its deadline passed
        record.state = 'draft'
        record.announcement_date = None
        label = names['announcement_date']['string']
        self.assertNotIn(label, record.late_step_names(D(2025, 10, 15)))
        self.assertIn(label, record.late_step_names(D(2025, 10, 16)))

    @with_transaction()
    def test_report_extension(self):
        "Art. 39(2): one extension of two months at most, to 1 May N"
        Procedure = Pool().get('bts.accreditation.procedure')
        record = procedure(new_programme('P3', setup_lycee()), 2027)
        Procedure.write([record], {'report_extended_until': D(2027, 5, 1)})
        self.assertEqual(record.report_deadline, D(2027, 5, 1))
        record.report_date = D(2027, 5, 1)
        self.assertNotIn('Report Date', record.late_step_names(D(2027, 5, 1)))
        record.report_date = D(2027, 5, 2)
        self.assertIn('Report Date', record.late_step_names(D(2027, 5, 2)))
        with self.assertRaisesRegex(UserError, r'art\. 39\(2\)'):
            Procedure.write(
                [record], {'report_extended_until': D(2027, 5, 2)})

    @with_transaction()
    def test_forecast_deviation(self):
        """Annex A, 2° c): a deviation of 9.99 % needs no justification,
        one of 10.00 %, up or down, is refused without"""
        pool = Pool()
        Procedure = pool.get('bts.accreditation.procedure')
        Forecast = pool.get('bts.accreditation.forecast')
        lycee = setup_lycee()
        programme = accredited('P4', lycee, 2022)
        future = [{'year': y, 'students': 20} for y in range(2027, 2032)]
        record = procedure(programme, 2027, kind='renewal', forecasts=[
                {'year': 2022, 'students': 10000, 'actual': 10999},
                {'year': 2023, 'students': 10000, 'actual': 9001},
                ] + future)
        first, second = record.forecasts[:2]
        self.assertEqual(str(first.deviation), '9.99')
        self.assertEqual(str(second.deviation), '-9.99')
        self.assertFalse(first.justification_needed)
        walk(record, 'filed')
        self.assertEqual(record.state, 'filed')
        self.assertEqual(programme.state, 'requested')

        for actual in [11000, 9000]:
            with self.subTest(actual=actual):
                other = procedure(accredited(f'P4-{actual}', lycee, 2022),
                    2027, kind='renewal', forecasts=future)
                Procedure.write([other], {'forecasts': [('create', [{
                                    'year': 2022, 'students': 10000,
                                    'actual': actual,
                                    'justification': None}])]})
                deviation = other.forecasts[0]
                self.assertEqual(abs(deviation.deviation), 10)
                self.assertTrue(deviation.justification_needed)
                Procedure.announce([other])
                with self.assertRaisesRegex(UserError, r'Annex A'):
                    Procedure.file_request([other])
                Forecast.write([deviation], {
                        'justification': "A second class opened."})
                Procedure.file_request([other])
                self.assertEqual(other.state, 'filed')

    @with_transaction()
    def test_internship_places(self):
        "Annex A: the internship places cover the largest forecast"
        Procedure = Pool().get('bts.accreditation.procedure')
        record = procedure(new_programme('P5', setup_lycee()), 2027)
        Procedure.write([record], {'internship_places': 19})
        Procedure.announce([record])
        with self.assertRaisesRegex(UserError, '19 places for up to 20'):
            Procedure.file_request([record])
        Procedure.write([record], {'internship_places': 20})
        Procedure.file_request([record])

    @with_transaction()
    def test_initial_accreditation(self):
        """An initial accreditation through its steps: the dossier needs the
        coordinator and the curriculum group (art. 5(1)); the decision
        accredits the programme, valid from 15 September of the decision's
        year for five academic years (art. 41(1)); the programme's dates
        are the procedure's, read-only to its users"""
        pool = Pool()
        Procedure = pool.get('bts.accreditation.procedure')
        Programme = pool.get('bts.programme')
        lycee = setup_lycee()
        record = procedure(new_programme('P6', lycee), 2027)
        walk(record, 'admissible')
        Procedure.write([record], ANNEX_B)
        with self.assertRaisesRegex(UserError, 'Curriculum Group'):
            Procedure.submit_dossier([record])
        Procedure.write([record], preparation_bodies(record.programme))
        Procedure.submit_dossier([record])
        Procedure.write([record], {'report_date': D(2027, 2, 27),
                'report_url': 'https://agency.example/report.pdf'})
        with self.assertRaisesRegex(UserError, 'Site Visit Date'):
            Procedure.record_report([record])
        walk(record, 'decided')
        Procedure.accredit([record])
        programme = record.programme
        self.assertEqual(programme.state, 'accredited')
        self.assertEqual(programme.decision_date, D(2027, 6, 30))
        self.assertEqual(programme.decision_reference, 'MESR-2027')
        self.assertEqual(
            (record.valid_from, record.valid_until),
            (D(2027, 9, 15), D(2032, 9, 14)))
        self.assertEqual(programme.valid_until, D(2032, 9, 14))
        self.assertTrue(programme.procedure_managed)

        admin = create_user('admin.p6', 'group_ministry_admin')
        with as_user(admin), self.assertRaises(AccessError):
            Programme.write([Programme(programme.id)],
                {'decision_date': D(2027, 7, 1)})
        self.assertEqual(programme.decision_date, D(2027, 6, 30))
        director = create_user('director.p6', 'group_lycee_director', lycee)
        with as_user(director):
            self.assertEqual(
                Procedure.search([('id', '=', record.id)]), [record])
            with self.assertRaises(AccessError):
                Procedure.write([record], {'decision_reference': 'X'})

    @with_transaction()
    def test_conditional_renewal(self):
        """Art. 40: conditions curable within one year; met in time the
        programme is fully re-accredited, late they are not; the minister
        may withdraw instead"""
        pool = Pool()
        Procedure = pool.get('bts.accreditation.procedure')
        lycee = setup_lycee()
        record = procedure(accredited('P7', lycee, 2022), 2027, 'renewal')
        walk(record, 'decided', {'conditions': "Hire a coordinator.",
                'conditions_deadline': D(2028, 7, 1)})
        with self.assertRaisesRegex(UserError, r'art\. 40\(2\)'):
            Procedure.accredit_with_conditions([record])
        Procedure.write([record], {'conditions_deadline': D(2028, 6, 30)})
        Procedure.accredit_with_conditions([record])
        programme = record.programme
        self.assertEqual(programme.state, 'conditional')
        self.assertEqual(programme.valid_from, D(2027, 9, 15))
        Procedure.write([record], {'conditions_met_date': D(2028, 7, 1)})
        with self.assertRaisesRegex(UserError, 'after their deadline'):
            Procedure.declare_conditions_met([record])
        # The minister extends the deadline (art. 40(2))
        Procedure.write([record], {'conditions_deadline': D(2028, 9, 1)})
        Procedure.declare_conditions_met([record])
        self.assertEqual(record.state, 'accredited')
        self.assertEqual(programme.state, 'accredited')

        other = procedure(accredited('P7B', lycee, 2022), 2027, 'renewal')
        walk(other, 'decided', {'conditions': "Hire a coordinator.",
                'conditions_deadline': D(2028, 6, 30)})
        Procedure.accredit_with_conditions([other])
        Procedure.withdraw([other])
        self.assertEqual(other.programme.state, 'withdrawn')

    @with_transaction()
    def test_initial_no_conditions(self):
        "Art. 40(1): only a re-accreditation may carry conditions"
        Procedure = Pool().get('bts.accreditation.procedure')
        record = procedure(new_programme('P8', setup_lycee()), 2027)
        walk(record, 'decided', {'conditions': "None.",
                'conditions_deadline': D(2028, 6, 30)})
        admin = create_user('admin.p8', 'group_ministry_admin')
        with as_user(admin), self.assertRaises(AccessButtonError):
            Procedure.accredit_with_conditions([record])
        Procedure.refuse([record])
        self.assertEqual(record.state, 'refused')
        self.assertEqual(record.programme.state, 'admissible')

    @with_transaction()
    def test_art42_block(self):
        """Art. 42: a lycée with a conditionally re-accredited programme
        submits no new programme until the conditions are met"""
        Procedure = Pool().get('bts.accreditation.procedure')
        lycee = setup_lycee()
        renewal = procedure(accredited('P9', lycee, 2022), 2027, 'renewal')
        walk(renewal, 'decided', {'conditions': "Hire a coordinator.",
                'conditions_deadline': D(2028, 6, 30)})
        Procedure.accredit_with_conditions([renewal])
        new = procedure(new_programme('P9N', lycee), 2029)
        with self.assertRaisesRegex(UserError, r'art\. 42'):
            Procedure.announce([new])
        Procedure.write([renewal], {'conditions_met_date': D(2028, 3, 1)})
        Procedure.declare_conditions_met([renewal])
        Procedure.announce([new])
        self.assertEqual(new.state, 'announced')

    @with_transaction()
    def test_teach_out(self):
        """§H.11: re-accreditation refused in 2030, the enrolled students
        finish in 2030/31, 2031/32 and 2032/33, no new admission"""
        pool = Pool()
        Procedure = pool.get('bts.accreditation.procedure')
        AcademicYear = pool.get('bts.academic_year')
        programme = accredited('P10', setup_lycee(), 2025)
        self.assertTrue(programme.admits_students(D(2029, 10, 1)))
        record = procedure(programme, 2030, 'renewal')
        walk(record, 'decided')
        Procedure.refuse([record])
        self.assertEqual(programme.refusal_date, D(2030, 6, 30))
        self.assertTrue(programme.admits_students(D(2030, 6, 30)))
        for year, study_years in [(2030, ('2',)), (2031, ('2',)),
                (2032, ('2',)), (2033, ())]:
            with self.subTest(year=year):
                academic_year = AcademicYear.find(D(year, 10, 1))
                self.assertEqual(programme.running_study_years(
                        academic_year)[0], study_years)
                self.assertFalse(programme.admits_students(D(year, 10, 1)))
        with self.assertRaisesRegex(UserError, r'art\. 41\(2\)'):
            programme.check_admits_students(D(2030, 9, 15))

    @with_transaction()
    def test_withdrawal_grounds(self):
        """§H.11: in force 15 Sept 2025, unused in 2025/26 and 2026/27 it is
        still valid, unused in 2027/28 too it is to be withdrawn; a running
        programme stopped for more than one academic year too"""
        pool = Pool()
        Teacher = pool.get('bts.programme.teacher')
        Party = pool.get('party.party')
        AcademicYear = pool.get('bts.academic_year')
        lycee = setup_lycee()
        unused = accredited('P11', lycee, 2025)
        self.assertIsNone(unused.withdrawal_ground(D(2027, 9, 14)))
        self.assertIn('Not used during 3',
            unused.withdrawal_ground(D(2027, 9, 15)))
        stopped = accredited('P12', lycee, 2025)
        teacher, = Party.create([{'name': "Teacher"}])
        Teacher.create([{'party': teacher.id, 'programme': stopped.id,
                    'academic_year': AcademicYear.find(D(2025, 10, 1)).id}])
        self.assertIsNone(stopped.withdrawal_ground(D(2027, 9, 14)))
        self.assertIn('ceased for 2',
            stopped.withdrawal_ground(D(2027, 9, 15)))
        # The ministry's reminder lists them from the day of their grounds
        Programme = pool.get('bts.programme')
        grounded = [('withdrawal_grounds', '!=', None),
            ('id', 'in', [unused.id, stopped.id])]
        for today, expected in [
                (D(2027, 9, 14), []), (D(2027, 9, 15), [unused, stopped])]:
            with patch.object(pool.get('ir.date'), 'today',
                    return_value=today):
                self.assertEqual(
                    set(Programme.search(grounded)), set(expected))
                self.assertEqual(
                    set(Programme.search([('withdrawal_grounds', '=', None),
                                ('id', 'in', [unused.id, stopped.id])])),
                    {unused, stopped} - set(expected))

    @with_transaction()
    def test_law_2009(self):
        """Art. 73: accredited under the law of 2009 in 2022, kept to the
        end of its five-year term (14 Sept 2027); its re-accreditation
        starts then and is under the law of 2023"""
        pool = Pool()
        Programme = pool.get('bts.programme')
        Procedure = pool.get('bts.accreditation.procedure')
        programme = accredited('P13', setup_lycee(), 2022)
        Programme.write([programme], {'legal_basis': 'law_2009'})
        self.assertTrue(programme.admits_students(D(2027, 9, 14)))
        self.assertFalse(programme.admits_students(D(2027, 9, 15)))
        early = Procedure(programme=programme, kind='renewal', year=2026,
            state='draft')
        with self.assertRaisesRegex(UserError, r'art\. 73'):
            Procedure.check_renewal_year([early], {'year'})
        record = procedure(programme, 2027, 'renewal')
        walk(record, 'decided')
        Procedure.accredit([record])
        self.assertEqual(programme.legal_basis, 'law_2023')
        self.assertEqual(programme.valid_until, D(2032, 9, 14))
