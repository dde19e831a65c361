# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Demo data: declarations of lessons and acts in every state of the
workflow, each step taken by the demo user of its role."""
import datetime as dt
from decimal import Decimal

from proteus import Model, Wizard

STEPS = ['submit', 'countersign', 'verify', 'approve']
ACTORS = {
    'submit': 'rh.ltc', 'countersign': 'direction.ltc',
    'verify': 'ministere.admin', 'approve': 'ministere.finances'}


def _as(login, config):
    "Act as the demo user login from now on"
    User = Model.get('res.user', config=config)
    user, = User.find([('login', '=', login)])
    config.user = user.id
    config._context = User.get_preferences(True, {})


def _walk(declaration_id, steps, config):
    for step in steps:
        _as(ACTORS[step], config)
        Model.get('bts.declaration', config=config)(declaration_id).click(
            step)


def load(config):
    Group = Model.get('res.group', config=config)
    User = Model.get('res.user', config=config)
    ModelData = Model.get('ir.model.data', config=config)
    approval = Group(ModelData.get_id(
            'bts_indemnity', 'group_declaration_approval', config.context))
    finance, = User.find([('login', '=', 'ministere.finances')])
    finance.groups.append(approval)
    finance.save()

    Contract = Model.get('bts.contract', config=config)
    Course = Model.get('bts.programme.course', config=config)
    Declaration = Model.get('bts.declaration', config=config)
    Member = Model.get('bts.jury.member', config=config)
    Act = Model.get('bts.jury.act', config=config)
    Sitting = Model.get('bts.jury.sitting', config=config)

    def lessons(party, code, month, day, course, quantity):
        contract, = Contract.find([('party.name', '=', party),
                ('programme.code', '=', code), ('state', '=', 'active')])
        course, = Course.find([('programme', '=', contract.programme.id),
                ('code', '=', course)])
        declaration = Declaration(kind='lessons', contract=contract,
            lycee=contract.lycee, month=month)
        declaration.lines.new(date=month.replace(day=day), course=course,
            quantity=Decimal(quantity))
        declaration.save()
        return declaration.id

    for month, quantity, steps in [
            (dt.date(2025, 10, 1), 20, STEPS),
            (dt.date(2025, 11, 1), 20, STEPS[:3]),
            (dt.date(2025, 12, 1), 16, STEPS[:2]),
            (dt.date(2026, 1, 1), 12, STEPS[:1])]:
        _walk(lessons("Sophie Klein", 'BTS-CLOUD', month, 6, 'M1.1',
                quantity), steps, config)
        _as('admin', config)
    lessons("Sophie Klein", 'BTS-GAME', dt.date(2026, 3, 1), 2, 'M2.1', 8)
    rejected = lessons(
        "Laura Schmit", 'BTS-COMPTA', dt.date(2025, 10, 1), 13, 'M1.1', 10)
    Declaration(rejected).click('submit')
    wizard = Wizard('bts.declaration.reject', [Declaration(rejected)],
        config=config)
    wizard.form.reason = ("The lessons of 13 October were given by another "
        "lecturer: correct the date.")
    wizard.execute('reject')

    # Jeff Tutor declares the students he followed, once for the year.
    tutoring = lessons("Jeff Tutor", 'BTS-CLOUD', dt.date(2026, 1, 1), 30,
        'M1.1', 8)
    _walk(tutoring, STEPS[:1], config)
    _as('admin', config)

    # The exam jury's acts of February go in one body submission with the
    # attendance list of the deliberation.
    sitting, = Sitting.find([('kind', '=', 'deliberation'),
            ('body.programme.code', '=', 'BTS-CLOUD')])
    Submission = Model.get('bts.declaration.submission', config=config)
    submission = Submission(body=sitting.body,
        lycee=sitting.body.programme.lycees[0], month=dt.date(2026, 2, 1))
    submission.save()
    e11, = Act.find([('code', '=', 'E11')])
    e12, = Act.find([('code', '=', 'E12')])
    declarations = []
    for member in sitting.attendees:
        act = e12 if member.role == 'government_commissioner' else e11
        declaration = Declaration(kind='acts', member=Member(member.id),
            lycee=submission.lycee, month=submission.month,
            submission=submission)
        declaration.lines.new(date=sitting.date, act=act, sitting=sitting,
            quantity=Decimal(1))
        declaration.save()
        declarations.append(declaration.id)
    _as(ACTORS['submit'], config)
    Submission(submission.id).click('submit')
    for declaration_id in declarations:
        _walk(declaration_id, STEPS[1:], config)
    _as('admin', config)
