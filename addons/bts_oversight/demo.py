# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Demo data: a programme in each step of the accreditation procedure,
from the draft to the decision, among them a conditional re-accreditation
(which blocks its lycée's new programmes, art. 42) and a refused one in
its teach-out (art. 41(2)), both of programmes accredited under the law of
2009 (art. 73)."""
import datetime as dt

from proteus import Model
from trytond.modules.bts_oversight.accreditation import ANNEX_A, ANNEX_B

D = dt.date
# code, name, lycée, kind, N, the state the procedure reaches; the
# re-accredited programmes were accredited in 2021 under the law of 2009
PROCEDURES = [
    ('BTS-DATA', "Data Science", 'LTC', 'initial', 2029, 'draft'),
    ('BTS-ATM-RAD', None, 'LTPS', 'initial', 2028, 'announced'),
    ('BTS-CYBER', "Cybersecurity", 'LAM', 'initial', 2028, 'filed'),
    ('BTS-LOG', "Logistics", 'ECG', 'initial', 2027, 'admissible'),
    ('BTS-ENERGY', "Renewable Energy", 'LAM', 'initial', 2027, 'submitted'),
    ('BTS-BIM', "Building Information Modelling", 'LTC', 'initial', 2026,
        'reported'),
    ('BTS-ROBOT', "Robotics", 'LAM', 'initial', 2026, 'accredited'),
    ('BTS-PRINT', "Print Media", 'LAM', 'renewal', 2026, 'refused'),
    ('BTS-HOTEL', "Hotel Management", 'LTPS', 'renewal', 2026,
        'conditional'),
    ]


def _programme(code, name, lycee, config):
    "A new programme of lycee with the study plan of BTS-CLOUD"
    Programme = Model.get('bts.programme', config=config)
    if not name:
        programme, = Programme.find([('code', '=', code)])
        return programme
    cloud, = Programme.find([('code', '=', 'BTS-CLOUD')])
    programme, = Programme.duplicate([cloud], {
            'code': code, 'name': f"BTS {name}"})
    programme.lycees.pop(0)
    programme.lycees.append(Model.get('bts.lycee', config=config)(lycee.id))
    programme.save()
    return programme


def _accredit_2021(programme):
    "Accredited by the decision of 30 June 2021 under the law of 2009"
    programme.request_date = D(2020, 1, 15)
    programme.admissibility_date = D(2020, 3, 10)
    programme.legal_basis = 'law_2009'
    programme.save()
    programme.click('declare_admissible')
    programme.decision_date = D(2021, 6, 30)
    programme.decision_reference = f"MESR-2021-{programme.code}"
    programme.click('accredit')


def _bodies(procedure, year, config):
    "The coordinator and the curriculum group named at admissibility"
    Body = Model.get('bts.jury.body', config=config)
    BodyType = Model.get('bts.jury.body_type', config=config)
    for field, code in [('coordinator_body', 'coordinator'),
            ('curriculum_group', 'curriculum_group')]:
        body_type, = BodyType.find([('code', '=', code)])
        body = Body(body_type=body_type, programme=procedure.programme,
            academic_year=year)
        body.save()
        setattr(procedure, field, body)


def _steps(n):
    "The steps of a procedure for N = n, on time, with their values"
    return [
        ('announced', 'announce', {'announcement_date': D(n - 2, 10, 10)}),
        ('filed', 'file_request', {'request_date': D(n - 1, 1, 12)}),
        ('admissible', 'declare_admissible', {
                'admissibility_date': D(n - 1, 3, 9),
                'admissibility_reference': f"MESR-{n - 1}-R"}),
        ('submitted', 'submit_dossier', {'dossier_date': D(n - 1, 7, 10)}),
        ('reported', 'record_report', {
                'site_visit_date': D(n - 1, 11, 18),
                'report_date': D(n, 2, 25),
                'report_url': f'https://aeqes.example/bts/{n}.pdf'}),
        ]


def load(config):
    Procedure = Model.get('bts.accreditation.procedure', config=config)
    Lycee = Model.get('bts.lycee', config=config)
    AcademicYear = Model.get('bts.academic_year', config=config)
    Party = Model.get('party.party', config=config)
    year, = AcademicYear.find([('name', '=', '2025/2026')])
    agency = Party(name="Agence pour l'évaluation de la qualité (AEQES)")
    agency.save()
    for code, name, lycee_code, kind, n, until in PROCEDURES:
        lycee, = Lycee.find([('code', '=', lycee_code)])
        programme = _programme(code, name, lycee, config)
        if kind == 'renewal':
            _accredit_2021(programme)
        procedure = Procedure(programme=programme, kind=kind, year=n,
            internship_places=30, agency=agency)
        for field in ANNEX_A:
            setattr(procedure, field, True)
        if kind == 'renewal':
            procedure.forecasts.new(year=n - 5, students=24, actual=26)
            procedure.forecasts.new(year=n - 4, students=24, actual=18,
                justification="A partner company closed its site.")
        for start in range(n, n + 5):
            procedure.forecasts.new(year=start, students=24)
        procedure.save()
        for state, button, values in _steps(n):
            if until == 'draft':
                break
            for field, value in values.items():
                setattr(procedure, field, value)
            if button == 'submit_dossier':
                for field in ANNEX_B:
                    setattr(procedure, field, True)
                if kind == 'initial':
                    _bodies(procedure, year, config)
            procedure.click(button)
            if state == until:
                break
        else:
            _decide(procedure, until)


def _decide(procedure, until):
    "The minister's decision of 30 June N"
    procedure.decision_date = D(procedure.year, 6, 30)
    procedure.decision_reference = f"MESR-{procedure.year}-A"
    if until == 'conditional':
        procedure.conditions = (
            "Name a coordinator with a master's degree; publish the "
            "total cost of the studies.")
        procedure.conditions_deadline = D(procedure.year + 1, 6, 30)
        procedure.click('accredit_with_conditions')
    elif until == 'refused':
        procedure.click('refuse')
    else:
        procedure.click('accredit')
