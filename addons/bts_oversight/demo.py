# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Demo data of the ministry's oversight."""
import datetime as dt
from decimal import Decimal

from proteus import Model

from .commission import SEATS

COMMISSION_DECREE = (
    "Arrêté du Gouvernement en conseil 2025-09", dt.date(2025, 9, 1))


def load_reporting(config):
    """The admissibility commission of 2025-2030, the annual reports of
    2025/2026 of the accredited programmes at each of their lycées (one
    sent), and a simulation of 2025/2026's contracts at a proposed grid"""
    Party = Model.get('party.party', config=config)
    AcademicYear = Model.get('bts.academic_year', config=config)
    BodyType = Model.get('bts.jury.body_type', config=config)
    Programme = Model.get('bts.programme', config=config)
    year, = AcademicYear.find([('name', '=', '2025/2026')])

    body_type, = BodyType.find([('code', '=', 'admissibility')])
    commission = Model.get('bts.jury.body', config=config)(
        body_type=body_type, academic_year=year,
        decree_reference=COMMISSION_DECREE[0],
        decree_date=COMMISSION_DECREE[1])
    seats = [i for i, n in SEATS.items() for _ in range(n)]
    members = [(f"Commission Member {i}", 'president' if i == 1
            else 'member', institution)
        for i, institution in enumerate(seats, 1)]
    members += [(f"Commission Substitute {i}", 'substitute', institution)
        for i, institution in enumerate(seats, 1)]
    members.append(("Commission Secretary", 'secretary', None))
    for name, role, institution in members:
        party = Party(name=name)
        party.save()
        commission.members.new(party=party, role=role,
            institution=institution, legal_basis='decree',
            legal_reference=COMMISSION_DECREE[0],
            legal_date=COMMISSION_DECREE[1])
    commission.save()
    commission.click('nominate')

    Report = Model.get('bts.oversight.annual_report', config=config)
    reports = []
    for programme in Programme.find([('state', '=', 'accredited')]):
        for lycee in programme.lycees:
            report = Report(programme=programme, lycee=lycee,
                academic_year=year)
            report.save()
            reports.append(report)
    if reports:
        reports[0].problems = "Fewer internship places than planned."
        reports[0].save()
        reports[0].click('send')

    Simulation = Model.get('bts.oversight.simulation', config=config)
    simulation = Simulation(name="CLQ 7-8 at 13.00 and CLQ 6 at 11.00",
        academic_year=year, grid_date=dt.date(2025, 9, 15))
    simulation.rates.new(kind='external_r1', amount=Decimal('13.00'))
    simulation.rates.new(kind='external_r2', amount=Decimal('11.00'))
    simulation.save()
    simulation.click('compute')


def load(config):
    load_reporting(config)
