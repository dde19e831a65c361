# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt
import unicodedata

from sql import Literal, Null, Union
from sql.operators import Equal
from stdnum import luhn, verhoeff

from trytond.i18n import gettext
from trytond.model import Exclude, fields
from trytond.model.exceptions import ValidationError
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, check_access

from .exceptions import NationalIdentifierError
from .guard import TypeGuardMixin

NATIONAL_ID = 'lu_matricule'
# The characters of a name (a person, a programme, a course): longer is no
# name but hostile input, refused with the field named
NAME_SIZE = 200
_SLICE = 1000


def _in(column, ids):
    ids = list(ids)
    if not ids:
        return Literal(False)
    return SQL_OPERATORS['in'](column, ids)


def is_valid_matricule(code):
    """Luxembourg national identification number: 13 digits, the birth date
    YYYYMMDD, a sequence of 3, a Luhn and a Verhoeff check digit computed on
    the first 11"""
    code = compact_matricule(code)
    if len(code) != 13 or not (code.isascii() and code.isdigit()):
        return False
    try:
        dt.date(int(code[:4]), int(code[4:6]), int(code[6:8]))
    except ValueError:
        return False
    return (code[11] == luhn.calc_check_digit(code[:11])
        and code[12] == verhoeff.calc_check_digit(code[:11]))


def compact_matricule(code):
    """The 13 digits of a national identification number, without spaces;
    the decimal digits of other scripts (full-width, Arabic-Indic, …) as
    ASCII digits"""
    return ''.join(str(unicodedata.decimal(char)) if char.isdecimal()
        else char for char in ''.join((code or '').split()))


def _search_lycees(query_key, operator, value):
    """Return the domain of the records whose key appears in query_key (a
    query of (key, lycee) rows) with a lycée matching operator and value:
    lycée ids, or a text matched on the lycées' code and name"""
    Lycee = Pool().get('bts.lycee')
    negative = False
    if operator in {'=', '!=', 'in', 'not in'} and not isinstance(
            value, str):
        negative = operator in {'!=', 'not in'}
        if operator in {'=', '!='}:
            value = [] if value is None else [value]
        where = _in(query_key.lycee, [int(v) for v in value or []])
    else:
        lycees = Lycee.search([('rec_name', operator, value)], query=True)
        where = query_key.lycee.in_(lycees)
    keys = query_key.select(query_key.key, where=where)
    return [('id', 'not in' if negative else 'in', keys)]


def readable_domain(model_name):
    """Return the domain of the records of model_name the user may read, or
    None when the user reads them all (root: cron, command line)"""
    pool = Pool()
    Rule = pool.get('ir.rule')
    ModelAccess = pool.get('ir.model.access')
    if not Transaction().user:
        return None
    with check_access():
        if not ModelAccess.check(model_name, 'read', raise_exception=False):
            return [('id', '=', -1)]
        domain = Rule.domain_get(model_name, mode='read')
    if not domain or (domain[0] == 'OR' and [] in domain[1:]):
        # No rule or one of the user's rule groups has none: all records
        return None
    return domain


def convert_domain_as_user(Model, field_name, domain, tables):
    """Convert the leaf domain on the relation field_name of Model to the
    target records the user may read.

    Trytond converts the domains through relations without the record rules
    of their targets: a director searching parties by 'identifiers.code',
    or contracts by ('party', 'where', [('bank_accounts.numbers.number',
    'like', 'LU28%')]), would find the holder of any number, digit by digit.
    The relations to personal data add the user's read rule of their
    target; the searches of the server through them (rec_name) follow the
    same rule, the direct searches of the targets are unchanged."""
    field = Model._fields[field_name]
    name, operator, value = domain[:3]
    rule = readable_domain(field.get_target().__name__)
    if rule is not None:
        if '.' in name:
            _, target_name = name.split('.', 1)
            domain = (field_name, 'where',
                [[(target_name, operator, value, *domain[3:])], rule])
        elif operator in {'where', 'not where'}:
            domain = (field_name, operator, [value, rule])
        elif value is not None:
            target_name = 'rec_name' if isinstance(value, str) else 'id'
            domain = (field_name, 'where',
                [[(target_name, operator, value, *domain[3:])], rule])
    # The field's own conversion, without the domain_<name> hook of Model
    convert = type(field).convert_domain.__wrapped__
    return convert(field, domain, tables, Model)


class Configuration(metaclass=PoolMeta):
    __name__ = 'party.configuration'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.identifier_types.selection.append(
            (NATIONAL_ID, "Luxembourg National Identification Number"))


class PartyLyceesMixin:
    """The lycées of the record's person, for the record rules of personal
    data. A field of the record itself, not a path ('party.bts_lycees'):
    the export of the clients evaluates the rules in Python, where a path
    is deemed to match any record."""
    __slots__ = ()
    bts_lycees = fields.Function(fields.Many2Many(
            'bts.lycee', None, None, "BTS Lycées"),
        'get_bts_lycees', searcher='search_bts_lycees')

    @classmethod
    def get_bts_lycees(cls, records, name):
        Party = Pool().get('party.party')
        parties = list({r.party for r in records if r.party})
        lycees = Party.get_bts_lycees(parties, name) if parties else {}
        return {r.id: lycees.get(r.party.id, []) if r.party else []
            for r in records}

    @classmethod
    def search_bts_lycees(cls, name, clause):
        return [('party.bts_lycees', *clause[1:])]


class Identifier(PartyLyceesMixin, metaclass=PoolMeta):
    __name__ = 'party.identifier'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # Law of 21 July 2023, arts. 28-34: a number identifies one person;
        # giving it to a second party would send that person's declarations
        # and payments to the other one. The message names no party: the
        # user may not be allowed to read the one that holds the number.
        cls._sql_constraints += [
            ('national_id_unique',
                Exclude(t, (t.code_compact, Equal),
                    where=t.type == NATIONAL_ID),
                'bts_programme.msg_national_id_unique'),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('type') == NATIONAL_ID and values.get('code'):
            values['code'] = values['code_compact'] = compact_matricule(
                values['code'])
        return values

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if (getattr(self, 'type', None) == NATIONAL_ID
                and getattr(self, 'code', None)):
            code = compact_matricule(self.code)
            if self.code != code:
                values['code'] = code
            if getattr(self, 'code_compact', None) != code:
                values['code_compact'] = code
        return values

    @fields.depends('type', 'code', 'party')
    def check_code(self):
        super().check_code()
        if self.type == NATIONAL_ID and not is_valid_matricule(self.code):
            raise NationalIdentifierError(gettext(
                    'bts_programme.msg_national_id_invalid',
                    code=self.code,
                    party=self.party.rec_name if self.party else ''))


class LyceeQueryMixin:
    """The lycées of the records, read from ``_bts_lycee_query()``: the
    query of (key, lycee) rows, key being the record's id"""
    __slots__ = ()

    @classmethod
    def get_bts_lycees(cls, records, name):
        cursor = Transaction().connection.cursor()
        result = {r.id: [] for r in records}
        query = cls._bts_lycee_query()
        for sub_ids in grouped_slice(list(result), _SLICE):
            cursor.execute(*query.select(
                    query.key, query.lycee,
                    where=_in(query.key, list(sub_ids)),
                    order_by=[query.key, query.lycee]))
            for key, lycee_id in cursor:
                if lycee_id not in result[key]:
                    result[key].append(lycee_id)
        return result

    @classmethod
    def search_bts_lycees(cls, name, clause):
        _, operator, value = clause[:3]
        return _search_lycees(cls._bts_lycee_query(), operator, value)


class Party(TypeGuardMixin, LyceeQueryMixin, metaclass=PoolMeta):
    __name__ = 'party.party'
    bts_qualifications = fields.One2Many(
        'bts.qualification', 'party', "BTS Qualifications")
    bts_contracts = fields.One2Many(
        'bts.contract', 'party', "BTS Contracts", readonly=True)
    bts_lycee = fields.Many2One(
        'bts.lycee', "Registering Lycée", ondelete='RESTRICT',
        help="The lycée whose HR registered the person.")
    bts_lycees = fields.Function(fields.Many2Many(
            'bts.lycee', None, None, "BTS Lycées",
            help="The lycées the person works for: the registering lycée "
            "and those of the person's contracts, programmes taught and "
            "direction. Their HR reads and changes the person's national "
            "identification number, bank accounts and qualifications."),
        'get_bts_lycees', searcher='search_bts_lycees')
    national_id = fields.Function(
        fields.Char("National Identification Number"), 'get_national_id')

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        cls.check_name_size(values.get('name'))
        return values

    @staticmethod
    def check_name_size(name):
        """A name of at most NAME_SIZE characters, refused before it is
        written (the name's index takes no more; party's column has no size
        to migrate)"""
        if isinstance(name, str) and len(name) > NAME_SIZE:
            raise ValidationError(gettext(
                    'bts_programme.msg_party_name_size',
                    name=name[:50], size=len(name), maximum=NAME_SIZE))

    @classmethod
    def default_bts_lycee(cls):
        "The lycée of the HR user who registers the person from a client"
        User = Pool().get('res.user')
        if Transaction().check_access:
            lycees = User.get_lycees()
            if lycees:
                return lycees[0]

    @classmethod
    def _bts_lycee_queries(cls):
        """Return the queries of (party, lycee) rows: the lycées a person
        belongs to. Modules with other memberships add theirs."""
        pool = Pool()
        Contract = pool.get('bts.contract')
        Teacher = pool.get('bts.programme.teacher')
        ProgrammeLycee = pool.get('bts.programme-bts.lycee')
        Lycee = pool.get('bts.lycee')
        party = cls.__table__()
        contract = Contract.__table__()
        teacher = Teacher.__table__()
        programme_lycee = ProgrammeLycee.__table__()
        lycee = Lycee.__table__()
        return [
            party.select(party.id.as_('party'), party.bts_lycee.as_('lycee'),
                where=party.bts_lycee != Null),
            contract.select(
                contract.party.as_('party'), contract.lycee.as_('lycee')),
            teacher.join(programme_lycee,
                condition=teacher.programme == programme_lycee.programme
                ).select(
                teacher.party.as_('party'),
                programme_lycee.lycee.as_('lycee')),
            lycee.select(lycee.director.as_('party'), lycee.id.as_('lycee'),
                where=lycee.director != Null),
            ]

    @classmethod
    def _bts_lycee_query(cls):
        "Return the query of (key, lycee) rows, key being the party"
        queries = cls._bts_lycee_queries()
        query = Union(*queries) if len(queries) > 1 else queries[0]
        return query.select(query.party.as_('key'), query.lycee.as_('lycee'))

    @classmethod
    def domain_identifiers(cls, domain, tables):
        return convert_domain_as_user(cls, 'identifiers', domain, tables)

    @classmethod
    def domain_bank_accounts(cls, domain, tables):
        return convert_domain_as_user(cls, 'bank_accounts', domain, tables)

    @classmethod
    def domain_bank_accounts_used(cls, domain, tables):
        return convert_domain_as_user(
            cls, 'bank_accounts_used', domain, tables)

    @classmethod
    def domain_bts_qualifications(cls, domain, tables):
        return convert_domain_as_user(
            cls, 'bts_qualifications', domain, tables)

    @classmethod
    def get_national_id(cls, parties, name):
        """Return the national identification number of each party, only if
        the user may read it: the field is computed without access checks,
        so the identifiers are searched as the user (root reads all)"""
        Identifier = Pool().get('party.identifier')
        result = dict.fromkeys(map(int, parties))
        for sub_ids in grouped_slice(list(result), _SLICE):
            with check_access():
                identifiers = Identifier.search([
                        ('party', 'in', list(sub_ids)),
                        ('type', '=', NATIONAL_ID),
                        ])
            for identifier in identifiers:
                if result[identifier.party.id] is None:
                    result[identifier.party.id] = identifier.code
        return result


class Address(metaclass=PoolMeta):
    __name__ = 'party.address'

    @classmethod
    def domain_identifiers(cls, domain, tables):
        return convert_domain_as_user(cls, 'identifiers', domain, tables)


class BankAccount(LyceeQueryMixin, metaclass=PoolMeta):
    __name__ = 'bank.account'
    bts_lycees = fields.Function(fields.Many2Many(
            'bts.lycee', None, None, "BTS Lycées",
            help="The lycées of the account's owners."),
        'get_bts_lycees', searcher='search_bts_lycees')

    @classmethod
    def _bts_lycee_query(cls):
        "Return the query of (key, lycee) rows, key being the account"
        pool = Pool()
        Party = pool.get('party.party')
        AccountParty = pool.get('bank.account-party.party')
        account_party = AccountParty.__table__()
        party_lycee = Party._bts_lycee_query()
        return account_party.join(party_lycee,
            condition=account_party.owner == party_lycee.key
            ).select(
            account_party.account.as_('key'), party_lycee.lycee.as_('lycee'))

    @classmethod
    def index_set_field(cls, name):
        # The owners first: the numbers created with the account are
        # checked against the lycées of its owners.
        index = super().index_set_field(name)
        if name == 'owners':
            index -= 1
        return index



class BankAccountNumber(metaclass=PoolMeta):
    __name__ = 'bank.account.number'

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        # Its rules are those of the account ('account', 'where', ...) that
        # the export evaluates in Python as matching any record: the
        # records are read first, with the rules applied by the database.
        if Transaction().check_access:
            cls.read([r.id for r in records], ['id'])
        return super().export_data(records, fields_names, header=header)


class BankAccountParty(metaclass=PoolMeta):
    __name__ = 'bank.account-party.party'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # A link to an account is read and changed as the account
        cls.__access__.add('account')

    @classmethod
    def _check_bts_accounts(cls, account_ids):
        """Refuse to link a client's party to an account the user may not
        change: linking one's own person to another person's account would
        make its IBAN readable"""
        pool = Pool()
        Rule = pool.get('ir.rule')
        transaction = Transaction()
        if not (transaction.user and transaction.check_access):
            return
        account_ids = list({int(a) for a in account_ids if a is not None})
        if not account_ids:
            return
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        owned = set()
        for sub_ids in grouped_slice(account_ids, _SLICE):
            cursor.execute(*table.select(table.account,
                    where=_in(table.account, list(sub_ids)),
                    group_by=[table.account]))
            owned.update(a for a, in cursor)
        if owned:
            Rule.check('bank.account', sorted(owned), mode='write')

    @classmethod
    def create(cls, vlist):
        cls._check_bts_accounts(v.get('account') for v in vlist)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        cls._check_bts_accounts(
            values.get('account') for values in args[1::2])
        super().write(*args)
