# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt

from stdnum import luhn, verhoeff

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta

from .exceptions import NationalIdentifierError

NATIONAL_ID = 'lu_matricule'


def is_valid_matricule(code):
    """Luxembourg national identification number: 13 digits, the birth date
    YYYYMMDD, a sequence of 3, a Luhn and a Verhoeff check digit computed on
    the first 11"""
    code = (code or '').replace(' ', '')
    if len(code) != 13 or not code.isdigit():
        return False
    try:
        dt.date(int(code[:4]), int(code[4:6]), int(code[6:8]))
    except ValueError:
        return False
    return (code[11] == luhn.calc_check_digit(code[:11])
        and code[12] == verhoeff.calc_check_digit(code[:11]))


class Configuration(metaclass=PoolMeta):
    __name__ = 'party.configuration'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.identifier_types.selection.append(
            (NATIONAL_ID, "Luxembourg National Identification Number"))


class Identifier(metaclass=PoolMeta):
    __name__ = 'party.identifier'

    @fields.depends('type', 'code', 'party')
    def check_code(self):
        super().check_code()
        if self.type == NATIONAL_ID and not is_valid_matricule(self.code):
            raise NationalIdentifierError(gettext(
                    'bts_programme.msg_national_id_invalid',
                    code=self.code,
                    party=self.party.rec_name if self.party else ''))


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    bts_qualifications = fields.One2Many(
        'bts.qualification', 'party', "BTS Qualifications")
    bts_contracts = fields.One2Many(
        'bts.contract', 'party', "BTS Contracts", readonly=True)
    national_id = fields.Function(
        fields.Char("National Identification Number"), 'get_national_id')

    def get_national_id(self, name):
        for identifier in self.identifiers:
            if identifier.type == NATIONAL_ID:
                return identifier.code
