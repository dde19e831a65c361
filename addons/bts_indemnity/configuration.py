# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.bts_programme.guard import SingletonGuardMixin
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, Id

from .exceptions import PaymentRunError

# The kinds of indemnity a payment run books apart, each on its expense
# account and budget article: lessons of external and specialised
# lecturers (art. 9(2)), jury and commission acts (Annex E), external
# tutors and auxiliary collaborators.
INDEMNITY_KINDS = [
    ('lessons', "Lessons"),
    ('acts', "Jury and Commission Acts"),
    ('tutors', "Tutors"),
    ('auxiliaries', "Auxiliaries"),
    ]
# The kind of indemnity of the lessons of each role of contract
# (Declaration.indemnity_kind).
ROLE_KINDS = {
    'external': 'lessons',
    'specialised': 'lessons',
    'tutor': 'tutors',
    'auxiliary': 'auxiliaries',
    }


def _expense(kind):
    return fields.Many2One(
        'account.account', f"Expense Account for {kind}",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type.expense', '=', True),
            ('closed', '!=', True),
            ],
        states={'required': Bool(Eval('company'))})


def _article(kind):
    return fields.Char(
        f"Budget Article for {kind}",
        help="The article of the State budget the indemnities are charged "
        "to.")


class Configuration(SingletonGuardMixin, ModelSingleton, ModelSQL, ModelView):
    """The accounts, journals, budget articles and sequence of the payment
    runs of the ministry (the company)"""
    __name__ = 'bts.payment.configuration'
    __string__ = "Payment Run Configuration"
    company = fields.Many2One(
        'company.company', "Company", ondelete='RESTRICT',
        help="The ministry that pays the indemnities.")
    account_lessons = _expense("Lessons")
    account_acts = _expense("Acts")
    account_tutors = _expense("Tutors")
    account_auxiliaries = _expense("Auxiliaries")
    budget_article_lessons = _article("Lessons")
    budget_article_acts = _article("Acts")
    budget_article_tutors = _article("Tutors")
    budget_article_auxiliaries = _article("Auxiliaries")
    payable_account = fields.Many2One(
        'account.account', "Payable Account",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type.payable', '=', True),
            ('party_required', '=', True),
            ('closed', '!=', True),
            ],
        states={'required': Bool(Eval('company'))})
    journal = fields.Many2One(
        'account.journal', "Account Journal",
        states={'required': Bool(Eval('company'))})
    payment_journal = fields.Many2One(
        'account.payment.journal', "Payment Journal",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('process_method', '=', 'sepa'),
            ],
        states={'required': Bool(Eval('company'))},
        help="The SEPA journal with the ministry's IBAN and BIC.")
    sepa_payable_flavor = fields.Function(fields.Selection(
            'get_sepa_payable_flavors', "SEPA Flavour",
            states={'readonly': ~Eval('payment_journal')}),
        'get_sepa_payable_flavor', setter='set_sepa_payable_flavor')
    run_sequence = fields.Many2One(
        'ir.sequence', "Payment Run Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('bts_indemnity', 'sequence_type_payment_run')),
            ])

    @classmethod
    def default_run_sequence(cls):
        ModelData = Pool().get('ir.model.data')
        try:
            return ModelData.get_id('bts_indemnity', 'sequence_payment_run')
        except KeyError:
            return None

    @classmethod
    def get_sepa_payable_flavors(cls):
        "The payable flavours account_payment_sepa ships"
        Journal = Pool().get('account.payment.journal')
        return Journal.fields_get(
            ['sepa_payable_flavor'])['sepa_payable_flavor']['selection']

    def get_sepa_payable_flavor(self, name):
        if self.payment_journal:
            return self.payment_journal.sepa_payable_flavor

    @classmethod
    def set_sepa_payable_flavor(cls, configurations, name, value):
        Journal = Pool().get('account.payment.journal')
        journals = [c.payment_journal for c in configurations
            if c.payment_journal]
        if journals:
            Journal.write(journals, {'sepa_payable_flavor': value})

    def expense_account(self, kind):
        return getattr(self, f'account_{kind}')

    def budget_article(self, kind):
        return getattr(self, f'budget_article_{kind}')

    def check_complete(self):
        "The accounts and journals a payment run books with are set"
        names = ['company', 'payable_account', 'journal', 'payment_journal']
        names += [f'account_{kind}' for kind, _ in INDEMNITY_KINDS]
        for name in names:
            if not getattr(self, name):
                raise PaymentRunError(gettext(
                        'bts_indemnity.msg_run_not_configured',
                        field=self.fields_get([name])[name]['string']))
