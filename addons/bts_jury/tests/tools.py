# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Helpers for the tests of the juries"
import datetime as dt

from trytond.modules.bts_programme.tests.tools import (
    create_one_course_programme,
)
from trytond.pool import Pool

# The people of an exam jury with their roles
MEMBERS = [
    ("Commissioner Weber", 'government_commissioner'),
    ("Director Dupont", 'direction'),
    ("Coordinator Muller", 'coordinator'),
    ("Teacher Schmit", 'teacher'),
    ("Teacher Hoffmann", 'teacher'),
    ("Teacher Wagner", 'teacher'),
    ("Teacher Klein", 'teacher'),
    ]


def create_jury_people():
    """The lycée LTC directed by Director Dupont, its programme BTS-INFO of
    one course, and the people of MEMBERS (the commissioner with a national
    number): return the programme, its course and the parties by name"""
    pool = Pool()
    Party = pool.get('party.party')
    Lycee = pool.get('bts.lycee')
    lycee_party, = Party.create([{'name': "Lycée Technique du Centre"}])
    parties = Party.create([{'name': name} for name, _ in MEMBERS])
    Party.write([parties[0]], {
            'identifiers': [('create', [{
                            'type': 'lu_matricule',
                            'code': '1980041210026',
                            }])],
            })
    lycee, = Lycee.create([{
                'code': 'LTC', 'party': lycee_party.id,
                'director': parties[1].id,
                }])
    programme, course = create_one_course_programme('BTS-INFO', lycee, 500)
    return programme, course, {p.name: p for p in parties}


def create_exam_jury(programme, year, parties, members=MEMBERS, **values):
    """The exam jury of the programme for the year with the members, (name,
    role), of parties by name, nominated by decree"""
    pool = Pool()
    BodyType = pool.get('bts.jury.body_type')
    Body = pool.get('bts.jury.body')
    body_type, = BodyType.search([('code', '=', 'exam_jury')])
    lycee, = programme.lycees
    body, = Body.create([{
                'body_type': body_type.id,
                'programme': programme.id, 'lycee': lycee.id,
                'academic_year': year.id,
                'members': [('create', [{
                                'party': parties[name].id, 'role': role,
                                'legal_basis': 'decree',
                                'legal_reference': "MESR-2025-101",
                                'legal_date': dt.date(2025, 10, 30),
                                } for name, role in members])],
                **values}])
    return body
