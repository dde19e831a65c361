# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool


class Lycee(DeactivableMixin, ModelSQL, ModelView):
    """Lycée: a public lycée or a State-contracted private secondary school
    that offers BTS programmes (law of 21 July 2023, art. 2(3), art. 3(2))."""
    __name__ = 'bts.lycee'
    __string__ = "Lycée"
    _rec_name = 'code'

    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT',
        help="The organisation: name, addresses and identifiers.")
    code = fields.Char(
        "Code", required=True, strip=True,
        help="The short name used by the ministry, e.g. LTC.")
    name = fields.Function(
        fields.Char("Name"), 'get_name', searcher='search_name')
    director = fields.Many2One(
        'party.party', "Director", ondelete='RESTRICT',
        help="The director who countersigns declarations and proposes "
        "nominations.")
    users = fields.Many2Many(
        'bts.lycee-res.user', 'lycee', 'user', "Users",
        help="The users (HR, direction) who work on this lycée's records.")
    programmes = fields.Many2Many(
        'bts.programme-bts.lycee', 'lycee', 'programme', "Programmes",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'bts_programme.msg_lycee_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    def get_name(self, name):
        return self.party.name

    @classmethod
    def search_name(cls, name, clause):
        return [('party.name',) + tuple(clause[1:])]

    def get_rec_name(self, name):
        return f'{self.code} - {self.party.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('code', operator, value),
            ('party.name', operator, value),
            ]


class LyceeUser(ModelSQL):
    "Lycée - User"
    __name__ = 'bts.lycee-res.user'
    __string__ = "Lycée - User"
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", required=True, ondelete='CASCADE')
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        Pool().get('res.user')._get_lycees_cache.clear()
