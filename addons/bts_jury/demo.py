# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Demo data: complete and incomplete bodies of 2025/2026, a recorded
deliberation and curriculum-group hours."""
import datetime as dt
from decimal import Decimal

from proteus import Model

DECREE = ("MESR-2025-1042", dt.date(2025, 10, 30))


def _party(name, config):
    Party = Model.get('party.party', config=config)
    parties = Party.find([('name', '=', name)])
    if parties:
        return parties[0]
    party = Party(name=name)
    party.save()
    return party


def _body(code, year, members, config, programme=None, lycee=None,
        proposal=dt.date(2025, 10, 10), basis='decree'):
    BodyType = Model.get('bts.jury.body_type', config=config)
    Body = Model.get('bts.jury.body', config=config)
    body_type, = BodyType.find([('code', '=', code)])
    body = Body(body_type=body_type, programme=programme, lycee=lycee,
        academic_year=year, proposal_date=proposal)
    reference, date = DECREE if basis == 'decree' else (
        "LTC-designation-2025-7", dt.date(2025, 11, 4))
    for name, role in members:
        body.members.new(party=_party(name, config), role=role,
            legal_basis=basis, legal_reference=reference, legal_date=date)
    body.save()
    return body


def load(config):
    Programme = Model.get('bts.programme', config=config)
    Lycee = Model.get('bts.lycee', config=config)
    AcademicYear = Model.get('bts.academic_year', config=config)
    Sitting = Model.get('bts.jury.sitting', config=config)
    Member = Model.get('bts.jury.member', config=config)
    Work = Model.get('bts.jury.work', config=config)
    year, = AcademicYear.find([('name', '=', '2025/2026')])
    cloud, = Programme.find([('code', '=', 'BTS-CLOUD')])
    game, = Programme.find([('code', '=', 'BTS-GAME')])
    iot, = Programme.find([('code', '=', 'BTS-IOT')])
    ltc, = Lycee.find([('code', '=', 'LTC')])

    teachers = [("Carole Thill", 'teacher'), ("Georges Muller", 'teacher'),
        ("Isabelle Kremer", 'teacher'), ("Patrick Schroeder", 'teacher')]
    jury = _body('exam_jury', year, [
            ("Claude Hoffmann", 'government_commissioner'),
            ("Marie Schmit", 'direction'),
            ("Coordinator Cloud", 'coordinator')] + teachers, config,
        programme=cloud)
    jury.click('propose')
    jury.decree_reference, jury.decree_date = DECREE
    jury.click('nominate')
    sitting = Sitting(body=jury, date=dt.date(2026, 2, 20),
        kind='deliberation')
    sitting.attendees.extend(Member(m.id) for m in jury.members[:5])
    sitting.save()
    sitting.click('record')

    # Incomplete: three teachers instead of four (art. 14(1)).
    _body('exam_jury', year, [
            ("Claude Hoffmann", 'government_commissioner'),
            ("Paul Wagner", 'direction'),
            ("Coordinator Game", 'coordinator')] + teachers[:3], config,
        programme=game)

    group = _body('curriculum_group', year, [
            ("Marie Schmit", 'president'),
            ("Coordinator Cloud", 'secretary'),
            ("Carole Thill", 'teacher'), ("Georges Muller", 'teacher'),
            ("Sophie Klein", 'expert')], config, programme=cloud)
    for member, hours, month in [(2, 30, 11), (3, 25, 12), (4, 20, 1)]:
        Work(member=Member(group.members[member].id),
            date=dt.date(2025 if month > 9 else 2026, month, 10),
            kind='operation', hours=Decimal(hours),
            description="Update of the course descriptions").save()

    # Proposed on 16 September: after the deadline of 15 September.
    _body('litigation', year, [("Jean Weber", 'president'),
            ("Staff Member 1", 'member'), ("Staff Member 2", 'member'),
            ("Yves Bintner", 'teacher'), ("Sandra Faber", 'teacher'),
            ("Clerk LTC", 'secretary')] + [
            (f"Substitute {i}", 'substitute') for i in range(1, 6)],
        config, lycee=ltc, proposal=dt.date(2025, 9, 16)).click('propose')

    tfe = _body('tfe', year, [("Isabelle Kremer", 'promoter'),
            ("Sophie Klein", 'member')], config, programme=iot,
        basis='designation')
    tfe.click('nominate')
