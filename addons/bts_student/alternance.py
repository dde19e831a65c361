# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The alternance aid (aide de promotion de la formation en alternance, law
of 21 July 2023, art. 6(2) al. 3-5), declared when bts_indemnity is
activated (tryton.cfg: [register bts_indemnity]): the kind 'alternance' of
declaration and its set of methods (see bts_indemnity/declaration.py). The
host organisation's annual declaration, one line per intern and month,
countersigned by the lycée's direction and paid by the payment runs on
their own expense account: 45 €/ni100 a month per intern, pro-rated for a
part-time student."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.bts_indemnity.declaration import _DRAFT, COUNTED_STATES
from trytond.modules.bts_indemnity.exceptions import (
    DeclarationError,
    PaymentRunError,
)
from trytond.modules.bts_programme.academic_year import (
    add_months,
    format_date,
)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

# Art. 6(2) al. 3: « quarante-cinq euros à la cote 100 … par période de
# référence mensuelle et par étudiant stagiaire »
AID_PER_MONTH = Decimal(45)


class Declaration(metaclass=PoolMeta):
    __name__ = 'bts.declaration'
    host = fields.Many2One(
        'party.party', "Host Organisation", ondelete='RESTRICT',
        states={
            'readonly': _DRAFT,
            'required': Eval('kind') == 'alternance',
            'invisible': Eval('kind') != 'alternance',
            })
    host_programme = fields.Many2One(
        'bts.programme', "Alternance Programme", ondelete='RESTRICT',
        states={
            'readonly': _DRAFT,
            'required': Eval('kind') == 'alternance',
            'invisible': Eval('kind') != 'alternance',
            },
        help="The programme of the interns the host declares.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append(('alternance', "Alternance Aid"))

    @fields.depends('host', 'host_programme')
    def on_change_with_party(self, name=None):
        return super().on_change_with_party(name)

    @fields.depends('host', 'host_programme')
    def on_change_with_programme(self, name=None):
        return super().on_change_with_programme(name)

    @classmethod
    def _paths_alternance(cls):
        "The host organisation and the programme of its interns"
        return {'party': 'host', 'programme': 'host_programme'}

    @classmethod
    def _join_alternance(cls, query, declaration):
        "The host and the programme are the declaration's own columns"
        return query, declaration.host, declaration.host_programme

    @classmethod
    def _lycee_fields(cls):
        return super()._lycee_fields() | {'host_programme'}

    def _allowed_lycees_alternance(self):
        "The lycées offering the programme"
        if self.host_programme:
            return set(self.host_programme.lycees)

    def _yearly_alternance(self):
        "The host's annual declaration (art. 6(2) al. 4)"
        return True

    def _same_declarant_alternance(self):
        "The declarations of the same host for the same programme"
        return [
            ('host', '=', self.host.id),
            ('host_programme', '=', self.host_programme.id),
            ]

    def _indemnity_kind_alternance(self):
        "The alternance aid, on its own expense account"
        return 'alternance'

    @classmethod
    def _locked_alternance(cls, declarations):
        "The hosts, whose months counted are read"
        return [d.host for d in declarations]

    @classmethod
    def _check_entered_alternance(cls, declarations):
        "A month of an intern only once in the declaration"
        for declaration in declarations:
            seen = set()
            for line in declaration.lines:
                key = line.aid_key()
                if key in seen:
                    raise DeclarationError(gettext(
                            'bts_student.msg_alternance_month_twice',
                            line=line.get_rec_name(None)))
                seen.add(key)

    @classmethod
    def check_caps_alternance(cls, declarations, counted=COUNTED_STATES):
        """A month of an intern is paid once: no other declaration on its
        way holds it"""
        Line = Pool().get('bts.declaration.line')
        for declaration in declarations:
            for line in declaration.lines:
                month = line.date.replace(day=1)
                others = Line.search([
                        ('id', '!=', line.id),
                        ('internship', '=', line.internship.id),
                        ('declaration.state', 'in', counted),
                        ('declaration', '!=', declaration.id),
                        ('date', '>=', month),
                        ('date', '<', add_months(month, 1)),
                        ], limit=1)
                if others:
                    raise DeclarationError(gettext(
                            'bts_student.msg_alternance_month_paid',
                            line=line.get_rec_name(None),
                            other=others[0].declaration.rec_name))


class DeclarationLine(metaclass=PoolMeta):
    __name__ = 'bts.declaration.line'
    internship = fields.Many2One(
        'bts.student.internship', "Alternance Contract",
        ondelete='RESTRICT',
        domain=[('kind', '=', 'alternance'), ('state', '=', 'signed')],
        states={
            'required': Eval('_parent_declaration', {}).get(
                'kind') == 'alternance',
            },
        help="The intern's alternance contract; the date is a day of the "
        "month of aid, its index is the month's.")

    @fields.depends('internship')
    def on_change_with_total(self, name=None):
        return super().on_change_with_total(name)

    @classmethod
    def view_attributes(cls):
        "The contract column only on a declaration of alternance aid"
        return super().view_attributes() + [
            ('/tree/field[@name="internship"]', 'tree_invisible',
                Eval('declaration_kind') != 'alternance')]

    def aid_key(self):
        "The intern's contract and the month of aid"
        return self.internship.id, self.date.replace(day=1)

    def _check_entry_alternance(self):
        """The host's signed alternance contract, of the declared
        programme, in force on the date (art. 6(2))"""
        declaration, internship = self.declaration, self.internship
        if (internship.host != declaration.host
                or internship.student.programme
                != declaration.host_programme
                or not internship.in_force(self.date)):
            raise DeclarationError(gettext(
                    'bts_student.msg_alternance_contract',
                    line=self.get_rec_name(None),
                    contract=internship.rec_name,
                    host=declaration.host.rec_name,
                    start=format_date(internship.start_date),
                    end=format_date(internship.end_date)))
        if self.quantity != 1:
            raise DeclarationError(gettext(
                    'bts_student.msg_alternance_one_month',
                    line=self.get_rec_name(None)))

    def check_alternance(self):
        "A line of aid has no check at submission beyond its entry's"

    def _whole_alternance(self):
        "Months are whole"
        return True

    def _rate_alternance(self):
        """45 €/ni100 a month, pro-rated by the contract's time share for a
        part-time student (art. 6(2) al. 3 and 5)"""
        if self.internship:
            return AID_PER_MONTH * self.internship.time_share / 100

    def _index_unit_alternance(self):
        "The index of the month of aid"
        return None


class Configuration(metaclass=PoolMeta):
    __name__ = 'bts.payment.configuration'
    account_alternance = fields.Many2One(
        'account.account', "Expense Account for Alternance Aid",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type.expense', '=', True),
            ('closed', '!=', True),
            ])
    budget_article_alternance = fields.Char(
        "Budget Article for Alternance Aid",
        help="The article of the State budget the aid is charged to.")

    def expense_account(self, kind):
        "Refuse to book a kind of indemnity without its account"
        account = super().expense_account(kind)
        if not account:
            name = f'account_{kind}'
            raise PaymentRunError(gettext(
                    'bts_indemnity.msg_run_not_configured',
                    field=self.fields_get([name])[name]['string']))
        return account


class RunLine(metaclass=PoolMeta):
    __name__ = 'bts.payment.run.line'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append(('alternance', "Alternance Aid"))
