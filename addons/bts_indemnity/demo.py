# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Demo data: declarations of lessons (and of acts, with bts_jury) in every
state of the workflow, each step taken by the demo user of its role."""
import datetime as dt
from decimal import Decimal

from proteus import Model, Wizard

from .declaration import DAY_MAX_LESSONS

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

    def lessons(party, code, month, day, course, quantity):
        contract, = Contract.find([('party.name', '=', party),
                ('programme.code', '=', code), ('state', '=', 'active')])
        course, = Course.find([('programme', '=', contract.programme.id),
                ('code', '=', course)])
        declaration = Declaration(kind='lessons', contract=contract,
            lycee=contract.lycee, month=month)
        # Day after day, a day's lessons at most on each
        while quantity > 0:
            declaration.lines.new(date=month.replace(day=day), course=course,
                quantity=Decimal(min(quantity, DAY_MAX_LESSONS)))
            quantity -= DAY_MAX_LESSONS
            day += 1
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
    Module = Model.get('ir.module', config=config)
    if Module.find([('name', '=', 'bts_jury'), ('state', '=', 'activated')]):
        load_acts(config)
    load_payment(config)


def load_acts(config):
    """The exam jury's acts of February in one body submission with the
    attendance list of the deliberation, each approved by its steps"""
    Declaration = Model.get('bts.declaration', config=config)
    Member = Model.get('bts.jury.member', config=config)
    Act = Model.get('bts.jury.act', config=config)
    Sitting = Model.get('bts.jury.sitting', config=config)
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


MINISTRY = "Ministère de l'Enseignement supérieur et de la Recherche"
# Kind of indemnity: expense account code and name, budget article.
EXPENSES = {
    'lessons': ('622610', "BTS indemnities: lessons", '11.0.12.010'),
    'acts': ('622620', "BTS indemnities: jury and commission acts",
        '11.0.12.020'),
    'tutors': ('622630', "BTS indemnities: tutors", '11.0.12.030'),
    'auxiliaries': ('622640', "BTS indemnities: auxiliaries", '11.0.12.040'),
    }


def _data(module, fs_id, config):
    ModelData = Model.get('ir.model.data', config=config)
    return ModelData.get_id(module, fs_id, config.context)


def _ministry_company(config):
    "The ministry as the company, in euros"
    Party = Model.get('party.party', config=config)
    Currency = Model.get('currency.currency', config=config)
    euro, = Currency.find([('code', '=', 'EUR')]) or [
        Currency(name="Euro", code='EUR', symbol='€', numeric_code='978',
            rounding=Decimal('0.01'), digits=2)]
    euro.save()
    # Party names are not translated: the ministry is found by its name.
    ministry, = Party.find([('name', '=', MINISTRY)])
    wizard = Wizard('company.company.config', config=config)
    wizard.execute('company')
    wizard.form.party = ministry
    wizard.form.currency = euro
    wizard.execute('add')
    User = Model.get('res.user', config=config)
    config._context = User.get_preferences(True, {})
    Company = Model.get('company.company', config=config)
    company, = Company.find([('party', '=', ministry.id)])
    return company


def _accounting(company, config):
    """The chart of accounts, the fiscal years 2025-2027 (the academic years
    2025/2026 and 2026/2027) and an expense account per kind"""
    Template = Model.get('account.account.template', config=config)
    Account = Model.get('account.account', config=config)
    FiscalYear = Model.get('account.fiscalyear', config=config)
    Sequence = Model.get('ir.sequence.strict', config=config)
    SequenceType = Model.get('ir.sequence.type', config=config)
    chart = Wizard('account.create_chart', config=config)
    chart.execute('account')
    chart.form.account_template = Template(
        _data('account', 'account_template_root_fr', config))
    chart.form.company = company
    chart.execute('create_account')
    payable, = Account.find([('company', '=', company.id),
            ('type.payable', '=', True), ('party_required', '=', True)],
        limit=1)
    receivable, = Account.find([('company', '=', company.id),
            ('type.receivable', '=', True), ('party_required', '=', True)],
        limit=1)
    chart.form.account_receivable = receivable
    chart.form.account_payable = payable
    chart.execute('create_properties')
    move_type = SequenceType(
        _data('account', 'sequence_type_account_move', config))
    for year in [2025, 2026, 2027]:
        sequence = Sequence(name=str(year), sequence_type=move_type,
            company=company)
        sequence.save()
        fiscalyear = FiscalYear(name=str(year), company=company,
            start_date=dt.date(year, 1, 1), end_date=dt.date(year, 12, 31),
            move_sequence=sequence)
        fiscalyear.save()
        fiscalyear.click('create_period')
    expense, = Account.find([('company', '=', company.id),
            ('type.expense', '=', True)], limit=1)
    accounts = {}
    for kind, (code, name, _) in EXPENSES.items():
        accounts[kind] = Account(code=code, name=name, type=expense.type,
            parent=expense.parent, company=company)
        accounts[kind].save()
    return accounts, payable


def _payment_journal(company, config):
    "The SEPA journal on the ministry's IBAN at the BCEE"
    Bank = Model.get('bank', config=config)
    BankAccount = Model.get('bank.account', config=config)
    Journal = Model.get('account.payment.journal', config=config)
    bank, = Bank.find([('bic', '=', 'BCEELULL')])
    account = BankAccount(bank=bank)
    account.owners.append(Model.get('party.party', config=config)(
            company.party.id))
    account.numbers.new(type='iban', number='LU280019400644750000')
    account.save()
    journal = Journal(name="BTS indemnities (SEPA)", process_method='sepa',
        company=company, currency=company.currency,
        sepa_bank_account_number=account.numbers[0],
        sepa_payable_flavor='pain.001.001.03',
        sepa_receivable_flavor='pain.008.001.02')
    journal.save()
    return journal


def _employee(user, company, config):
    """The user as an employee of the ministry: account_payment stamps the
    payments with the employee who approved them"""
    Party = Model.get('party.party', config=config)
    Employee = Model.get('company.employee', config=config)
    party = Party(name=user.name)
    party.save()
    employee = Employee(party=party, company=company)
    employee.save()
    return employee


def load_payment(config):
    """The ministry's accounting, the payment run configuration and one
    posted run of October 2025 with its SEPA message, posted, approved and
    processed by three persons; November's approved lessons and the blocked
    commissioner's acts are left to pay"""
    Configuration = Model.get('bts.payment.configuration', config=config)
    Journal = Model.get('account.journal', config=config)
    User = Model.get('res.user', config=config)
    Group = Model.get('res.group', config=config)
    company = _ministry_company(config)
    accounts, payable = _accounting(company, config)
    configuration = Configuration(1)
    configuration.company = company
    for kind, account in accounts.items():
        setattr(configuration, f'account_{kind}', account)
        setattr(configuration, f'budget_article_{kind}', EXPENSES[kind][2])
    configuration.payable_account = payable
    configuration.journal, = Journal.find([('type', '=', 'expense')],
        limit=1)
    configuration.payment_journal = _payment_journal(company, config)
    configuration.save()
    # Three persons pay a run: finance posts it, the ordonnateur approves
    # its payments, the accountant processes them (two-person rule).
    for login, groups in [
            ('ministere.finances', [('account', 'group_account')]),
            ('ministere.ordonnateur', [
                    ('bts_indemnity', 'group_payment_approval')]),
            ('comptable', [('account', 'group_account'),
                    ('account_payment', 'group_payment')]),
            ('auditeur', [])]:
        user, = User.find([('login', '=', login)])
        for module, fs_id in groups:
            user.groups.append(Group(_data(module, fs_id, config)))
        user.companies.append(Model.get('company.company', config=config)(
                company.id))
        user.company = Model.get('company.company', config=config)(
            company.id)
        user.save()
    for login in ['ministere.finances', 'ministere.ordonnateur', 'comptable']:
        user, = User.find([('login', '=', login)])
        user.employees.append(_employee(user, company, config))
        user.employee = user.employees[0]
        user.save()

    Declaration = Model.get('bts.declaration', config=config)
    november, = Declaration.find([('state', '=', 'verified')])
    _walk(november.id, ['approve'], config)
    _as('ministere.finances', config)
    Run = Model.get('bts.payment.run', config=config)
    run = Run(start_date=dt.date(2025, 10, 1), end_date=dt.date(2025, 10, 31),
        date=dt.date(2025, 11, 10))
    run.save()
    run.click('compute')
    run.click('post')
    for login, button in [
            ('ministere.ordonnateur', 'approve_payments'),
            ('comptable', 'process_payments')]:
        _as(login, config)
        Run(run.id).click(button)
    _as('admin', config)
