# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Helpers for the payment run tests: the ministry's accounting, beneficiaries"
import datetime as dt
from decimal import Decimal

from proteus import Model
from proteus.config import get_config
from trytond.modules.account.tests.tools import (
    create_chart,
    create_fiscalyear,
    get_accounts,
)
from trytond.modules.bts_indemnity.declaration import DAY_MAX_LESSONS
from trytond.modules.bts_programme.demo import lu_iban, matricule
from trytond.modules.bts_programme.tests.tools import (
    accredit,
    add_valid_plan,
    create_academic_year,
    create_contract,
    create_lycee,
    create_provider,
)
from trytond.modules.company.tests.tools import create_company, get_company

MINISTRY = "Ministère de l'Enseignement supérieur et de la Recherche"


def _country(config):
    Country = Model.get('country.country', config=config)
    countries = Country.find([('code', '=', 'LU')])
    if countries:
        return countries[0]
    country = Country(name="Luxembourg", code='LU', code3='LUX')
    country.save()
    return country


def _bank(config):
    Bank = Model.get('bank', config=config)
    banks = Bank.find([('bic', '=', 'BCEELULL')])
    if banks:
        return banks[0]
    Party = Model.get('party.party', config=config)
    party = Party(name="Banque et Caisse d'Épargne de l'État")
    party.save()
    bank = Bank(party=party, bic='BCEELULL')
    bank.save()
    return bank


def complete_party(party, sequence, birth_date=None, address=True,
        identifier=True, bank_account=True, config=None):
    """Give party what a SEPA credit transfer needs: a structured address in
    Luxembourg, a national identification number and an IBAN"""
    Account = Model.get('bank.account', config=config)
    if address:
        address, = party.addresses
        address.street_name = "Rue de la Gare"
        address.building_number = str(sequence)
        address.postal_code = '1611'
        address.city = "Luxembourg"
        address.country = _country(config)
    if identifier:
        party.identifiers.new(type='lu_matricule',
            code=matricule(birth_date or dt.date(1980, 1, 1), sequence))
    party.save()
    if bank_account:
        account = Account(bank=_bank(config))
        account.owners.append(Model.get('party.party', config=config)(
                party.id))
        account.numbers.new(type='iban', number=lu_iban(sequence))
        account.save()
    return party


def setup_ministry(year=2025, config=None):
    """Create the ministry as the company (EUR) with its chart, the fiscal
    years from 1 January of year to 31 December of the next, an expense
    account per kind of indemnity, the SEPA payment journal on its IBAN and
    the payment run configuration; return the configuration"""
    if config is None:
        config = get_config()
    Party = Model.get('party.party', config=config)
    Account = Model.get('account.account', config=config)
    Journal = Model.get('account.journal', config=config)
    PaymentJournal = Model.get('account.payment.journal', config=config)
    BankAccount = Model.get('bank.account', config=config)
    Configuration = Model.get('bts.payment.configuration', config=config)
    parties = Party.find([('name', '=', MINISTRY)])
    ministry = parties[0] if parties else complete_party(
        Party(name=MINISTRY), 900, identifier=False, bank_account=False,
        config=config)
    create_company(ministry, 'EUR', config=config)
    company = get_company(config=config)
    create_chart(company, config=config)
    for start in [year, year + 1]:
        fiscalyear = create_fiscalyear(company,
            (dt.date(start, 1, 1), dt.date(start, 12, 31)), config=config)
        fiscalyear.name = str(start)
        fiscalyear.click('create_period')
    accounts = get_accounts(company, config=config)
    expense = accounts['expense']
    expenses = {}
    for code, name in [('lessons', "Lessons"), ('acts', "Acts"),
            ('tutors', "Tutors"), ('auxiliaries', "Auxiliaries")]:
        expenses[code] = Account(name=f"BTS Indemnities: {name}",
            code=f'BTS-{code.upper()}', type=expense.type,
            parent=expense.parent)
        expenses[code].save()
    account = BankAccount(bank=_bank(config))
    account.owners.append(Party(company.party.id))
    account.numbers.new(type='iban', number='LU280019400644750000')
    account.save()
    payment_journal = PaymentJournal(name="BTS Indemnities",
        process_method='sepa',
        sepa_bank_account_number=account.numbers[0],
        sepa_payable_flavor='pain.001.001.03',
        sepa_receivable_flavor='pain.008.001.02')
    payment_journal.save()
    configuration = Configuration(1)
    configuration.company = company
    for kind, account in expenses.items():
        setattr(configuration, f'account_{kind}', account)
        setattr(configuration, f'budget_article_{kind}',
            {'lessons': '11.0.12.010', 'acts': '11.0.12.020',
                'tutors': '11.0.12.030', 'auxiliaries': '11.0.12.040'}[kind])
    configuration.payable_account = accounts['payable']
    configuration.journal, = Journal.find([('type', '=', 'expense')])
    configuration.payment_journal = payment_journal
    configuration.save()
    return configuration


def step_user(login, groups, lycee=None, config=None):
    """The user login of groups (module, XML id) and of lycee, created on
    first use"""
    if config is None:
        config = get_config()
    User = Model.get('res.user', config=config)
    Group = Model.get('res.group', config=config)
    ModelData = Model.get('ir.model.data', config=config)
    users = User.find([('login', '=', login)])
    if users:
        user, = users
    else:
        user = User(login=login, name=login)
        for module, fs_id in groups:
            user.groups.append(Group(ModelData.get_id(
                        module, fs_id, config.context)))
    if lycee and lycee.id not in [x.id for x in user.bts_lycees]:
        user.bts_lycees.append(Model.get('bts.lycee', config=config)(
                lycee.id))
    user.save()
    return user


# Each step of a declaration's approval by another person: the director of
# the lycée, the ministry, an approver of the ministry's finance.
APPROVAL_STEPS = [
    ('countersign', 'countersigner',
        [('bts_programme', 'group_lycee_director')]),
    ('verify', 'verifier', [('bts_programme', 'group_ministry_admin')]),
    ('approve', 'approver', [
            ('bts_programme', 'group_ministry_finance'),
            ('bts_indemnity', 'group_declaration_approval')]),
    ]


def approve(declaration, config=None):
    """Walk a draft declaration up to approved: submitted by the current
    user, each next step by another person"""
    if config is None:
        config = get_config()
    User = Model.get('res.user', config=config)
    declaration.click('submit')
    users = [step_user(login, groups, declaration.lycee, config)
        for _, login, groups in APPROVAL_STEPS]
    user, context = config.user, config._context
    try:
        for (button, _, _), step_user_ in zip(
                APPROVAL_STEPS, users, strict=True):
            config.user = step_user_.id
            config._context = User.get_preferences(True, {})
            Model.get('bts.declaration', config=config)(
                declaration.id).click(button)
    finally:
        config.user, config._context = user, context
    declaration.reload()
    return declaration


def spread(day, quantity):
    """The (date, lessons) of quantity lessons from day on: at most the
    lessons a day holds on each day that follows"""
    while quantity > 0:
        yield day, min(quantity, DAY_MAX_LESSONS)
        quantity -= DAY_MAX_LESSONS
        day += dt.timedelta(days=1)


def lessons(contract, day, course_code, quantity, config=None):
    """A draft declaration of quantity lessons of contract from day on, at
    most a day's lessons on each day"""
    Declaration = Model.get('bts.declaration', config=config)
    Course = Model.get('bts.programme.course', config=config)
    course, = Course.find([('programme', '=', contract.programme.id),
            ('code', '=', course_code)])
    declaration = Declaration(kind='lessons', contract=contract,
        lycee=contract.lycee, month=day.replace(day=1))
    for date, day_lessons in spread(day, quantity):
        declaration.lines.new(date=date, course=course,
            quantity=Decimal(day_lessons))
    declaration.save()
    return declaration


def create_programme(code, lycee, decision_year=2024):
    """A programme of lycee with the standard valid plan, accredited by the
    decision of 30 June of decision_year: contracts, declarations and
    payments are taken only while it runs (law of 21 July 2023, arts. 35,
    41); from 2024 both study years run in 2025/2026"""
    programme = Model.get('bts.programme')(code=code, name=code)
    programme.lycees.append(Model.get('bts.lycee')(lycee.id))
    add_valid_plan(programme)
    programme.save()
    return accredit(programme, decision_year)


def active_contract(name, sequence, programme, year, course, quantity):
    """An active contract of quantity lessons of course in the winter
    semester for a new external lecturer SEPA can pay"""
    party = complete_party(create_provider(name, [dict(title="Master",
                    clq_level='7', registration='national')]), sequence)
    contract = create_contract(party, programme, year,
        [(course, 'winter', quantity)], signed=dt.date(2025, 9, 20))
    contract.minister_signature_date = dt.date(2025, 9, 25)
    contract.click('activate')
    return contract


def ministry_and_contract(quantity):
    """The ministry of setup_ministry(2025) and an active contract of
    quantity lessons of M1.1 of Sophie Klein in 2025/2026, at the programme
    CLOUD of the LTC; return the contract"""
    setup_ministry(2025)
    year = create_academic_year(2025)
    programme = create_programme(
        'CLOUD', create_lycee('LTC', "Lycée Technique du Centre"))
    return active_contract("Sophie Klein", 1, programme, year, 'M1.1',
        quantity)
