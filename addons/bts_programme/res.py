# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.cache import Cache
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    bts_lycees = fields.Many2Many(
        'bts.lycee-res.user', 'user', 'lycee', "Lycées",
        help="The lycées whose BTS records the user works on.")
    _get_lycees_cache = Cache(__name__ + '.get_lycees', context=False)

    @classmethod
    def get_lycees(cls):
        "Return the ids of the lycées of the current user"
        user_id = Transaction().user
        lycees = cls._get_lycees_cache.get(user_id)
        if lycees is None:
            user = cls(user_id)
            lycees = sorted(map(int, user.bts_lycees))
            cls._get_lycees_cache.set(user_id, lycees)
        return lycees

    @classmethod
    def get_lycee(cls):
        "Return the id of the current user's lycée when he has only one"
        lycees = cls.get_lycees()
        if len(lycees) == 1:
            return lycees[0]

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        cls._get_lycees_cache.clear()


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            '\n- "lycees" as list of ids of the BTS lycées of the user')

    @classmethod
    def _get_cache_key(cls, model_names):
        User = Pool().get('res.user')
        key = super()._get_cache_key(model_names)
        return (*key, tuple(User.get_lycees()))

    @classmethod
    def _get_context(cls, model_name):
        User = Pool().get('res.user')
        context = super()._get_context(model_name)
        context['lycees'] = User.get_lycees()
        return context
