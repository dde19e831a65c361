# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""What only the server's transitions may change, refused to every client.

Any logged-in user can call ``model.<name>.create``, ``write`` or
``delete`` through RPC, not only the web client: the workflow, its stamps
and the money it computes are protected here, on the server, with Tryton's
``check_modification(mode, records, values, external)`` pattern (as
account_payment and account.move do). ``external`` is true for a call from
a client with access checks; the transitions (buttons) and the server's
own computations run without them and are not concerned."""
import datetime as dt
import math
from decimal import Decimal

from sql import Literal
from sql.aggregate import Max, Min

from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import ValidationError
from trytond.model.modelstorage import AccessError, _record_eval_pyson
from trytond.model.modelview import _pyson_encoder
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access

# The fields every record has, set by the ORM itself.
_MAGIC = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date',
    'rec_name'}
# The Python types a client may send for each type of field (None aside);
# a date is not a datetime, a number not a boolean.
_TYPES = {
    'char': str, 'text': str, 'selection': str, 'multiselection': list,
    'boolean': bool, 'integer': int, 'biginteger': int,
    'float': (int, float, Decimal), 'numeric': (int, float, Decimal),
    'date': dt.date, 'datetime': dt.datetime, 'timestamp': dt.datetime,
    'time': dt.time, 'timedelta': dt.timedelta,
    'binary': (bytes, bytearray), 'many2one': int,
    'one2many': list, 'many2many': list, 'dict': dict,
    }
# The integers a column holds (PostgreSQL's integer)
_INTEGER_MAX = 2 ** 31 - 1


# The actions on a One2Many or Many2Many, the types of their arguments and
# of the items of the lists (a list of values to create, of ids)
_ACTIONS = {
    'create': ((list, dict),), 'write': ((list, int), dict),
    'delete': ((list, int),), 'add': ((list, int),),
    'remove': ((list, int),), 'copy': ((list, int), dict),
    }


def _argument(value, expected):
    "Whether value is of the expected type, (list, item type) for a list"
    if isinstance(expected, tuple):
        return isinstance(value, (list, tuple)) and all(
            isinstance(item, expected[1]) and not isinstance(item, bool)
            for item in value)
    return isinstance(value, expected)


def _action(action):
    "Whether action is an action of a One2Many or Many2Many"
    if not isinstance(action, (list, tuple)) or len(action) < 2:
        return False
    name, *args = action
    if not isinstance(name, str) or name not in _ACTIONS:
        return False
    types = _ACTIONS[name]
    if name == 'write':
        # write takes pairs of ids and values
        types = types * (len(args) // 2)
    elif len(args) < len(types):
        types = types[:len(args)]
    return len(args) == len(types) and all(
        _argument(arg, expected)
        for arg, expected in zip(args, types, strict=True))


def _typed(field, value):
    "Whether value is of the type field takes from a client"
    expected = _TYPES.get(field._type)
    if expected is None or value is None:
        return True
    if isinstance(value, bool) and field._type != 'boolean':
        return False
    if field._type in {'one2many', 'many2many'}:
        return isinstance(value, (list, tuple)) and all(
            _action(action) for action in value)
    if isinstance(value, (list, tuple)) and expected is list:
        return True
    if not isinstance(value, expected):
        return False
    if field._type == 'date' and isinstance(value, dt.datetime):
        return False
    if field._type == 'integer':
        return -_INTEGER_MAX <= value <= _INTEGER_MAX
    if field._type == 'many2one':
        # An id, never 0 nor negative
        return 1 <= value <= _INTEGER_MAX
    size = getattr(field, 'size', None)
    if isinstance(value, str) and isinstance(size, int):
        return len(value) <= size
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return math.isfinite(value)
    if field._type == 'selection' and isinstance(field.selection, list):
        return value in dict(field.selection)
    return True


def _readonly(record, field):
    "Whether field is read-only on record, statically or by its states"
    if field.readonly:
        return True
    states = field.states.get('readonly')
    if states is None:
        return False
    return bool(_record_eval_pyson(
            record, _pyson_encoder.encode(states), encoded=True))


def guard_types(cls, values):
    """Refuse a value of a type the field does not take (a text for a date,
    a list for a number, a number outside what the column holds, a value
    outside a selection), naming the field, before any code reads it"""
    for name, value in values.items():
        field = cls._fields.get(name) if isinstance(name, str) else None
        if field is None:
            raise ValidationError(gettext(
                    'bts_programme.msg_guard_no_field',
                    field=repr(name)[:50], model=cls.__names__()['model']))
        if not _typed(field, value):
            names = cls.__names__(field=name)
            raise ValidationError(gettext(
                    'bts_programme.msg_guard_type',
                    field=names['field'], model=names['model'],
                    value=repr(value)[:50]))


class TypeGuardMixin:
    """A client's values of the wrong type are refused with the field named
    (guard_types), for the models without ClientGuardMixin"""
    __slots__ = ()

    @classmethod
    def create(cls, vlist):
        if Transaction().check_access:
            for values in vlist:
                guard_types(cls, values)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        if Transaction().check_access:
            for values in args[1::2]:
                guard_types(cls, values)
        super().write(*args)


class ClientGuardMixin:
    """A client may set only the fields the form lets it edit in the
    record's current state: fields declared read-only (states, stamps,
    computed amounts) are set only by the transitions and computations that
    own them, and a record past draft is changed only by its transitions.

    A child model names in ``_guard_parent`` its parent's Many2One and the
    parent's One2Many (``('declaration', 'lines')``): a child is created,
    changed or deleted by a client only while that One2Many is editable."""
    __slots__ = ()
    _guard_parent = None
    # The states in which a record with a workflow may be deleted.
    _guard_deletable = {'draft', 'cancelled'}

    @classmethod
    def create(cls, vlist):
        if Transaction().check_access:
            for values in vlist:
                cls._guard_types(values)
                cls._guard_values(None, values)
        return super().create(vlist)

    _guard_types = classmethod(guard_types)

    @classmethod
    def copy(cls, records, default=None):
        "A copy starts afresh: the read-only fields take their defaults"
        default = default.copy() if default is not None else {}
        for name, field in cls._fields.items():
            if (field.readonly and name not in _MAGIC
                    and not isinstance(field, fields.Function)
                    and field._type not in {'one2many', 'many2many'}):
                default.setdefault(name, cls._guard_default(name))
        return super().copy(records, default=default)

    @classmethod
    def _guard_default(cls, name):
        return cls._defaults[name]() if name in cls._defaults else None

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external:
            # The record rules first: a refusal below names the record,
            # which only a user who may read it may learn.
            with check_access():
                cls.read([r.id for r in records], ['id'])
        if mode == 'delete' and 'state' in cls._fields:
            cls._guard_delete(records)
        if not external:
            return
        if mode == 'write':
            cls._guard_types(values)
            for record in records:
                cls._guard_values(record, values)
        if cls._guard_parent:
            parent_name = cls._guard_parent[0]
            for record in records:
                cls._guard_parent_open(getattr(record, parent_name))
            if mode == 'write' and values.get(parent_name):
                Parent = cls._fields[parent_name].get_target()
                cls._guard_parent_open(Parent(values[parent_name]))

    @classmethod
    def _guard_delete(cls, records):
        "A record with a workflow is deleted only in draft or cancelled"
        states = dict(cls.fields_get(['state'])['state']['selection'])
        for record in records:
            if record.state not in cls._guard_deletable:
                raise AccessError(gettext(
                        'bts_programme.msg_guard_delete',
                        record=record.rec_name,
                        model=cls.__names__()['model'],
                        state=states.get(record.state, record.state)))

    @classmethod
    def _guard_values(cls, record, values):
        """Refuse the fields of values that are read-only on record (on a
        new record: the fields declared read-only)"""
        for name in values:
            field = cls._fields.get(name)
            if field is None or name == 'id':
                continue
            if record is None:
                # A new record may state the defaults (the clients send
                # them, copies too).
                readonly = field.readonly and values[name] not in (
                    None, False, cls._guard_default(name))
            else:
                readonly = _readonly(record, field)
            if readonly:
                names = cls.__names__(field=name)
                raise AccessError(gettext(
                        'bts_programme.msg_guard_field',
                        field=names['field'], model=names['model'],
                        record=record.rec_name if record else ''))

    @classmethod
    def _guard_parent_open(cls, parent):
        "Refuse a child of a parent whose lines are read-only"
        if parent is None:
            return
        lines_name = cls._guard_parent[1]
        Parent = parent.__class__
        if _readonly(parent, Parent._fields[lines_name]):
            names = Parent.__names__(field=lines_name)
            raise AccessError(gettext(
                    'bts_programme.msg_guard_lines',
                    field=names['field'], model=names['model'],
                    record=parent.rec_name))


class ReadOnlyViewMixin:
    """An SQL view (``table_query``) is only read: its create, write,
    delete and copy are not offered to clients (refused with HTTP 403
    instead of trytond's internal error on a table query)"""
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for name in ['create', 'write', 'delete', 'copy', 'import_data']:
            cls.__rpc__.pop(name, None)

    @staticmethod
    def grouped_columns(rows, id_table=None):
        """The columns every record has, for a view grouping rows: the
        smallest id (of id_table, default rows), no user, the latest dates"""
        id_table = rows if id_table is None else id_table
        return [
            Min(id_table.id).as_('id'),
            Literal(0).as_('create_uid'),
            Max(id_table.create_date).as_('create_date'),
            Literal(0).as_('write_uid'),
            Max(id_table.write_date).as_('write_date'),
            ]


class SingletonGuardMixin:
    """A settings singleton as a client reaches it: an empty page reads no
    rows (trytond's ModelSingleton.read needs an id) and deleting is
    refused by the model access even before the record exists (trytond's
    ModelSingleton.delete checks nothing then)"""
    __slots__ = ()

    @classmethod
    def read(cls, ids, fields_names):
        if not ids:
            return []
        return super().read(ids, fields_names)

    @classmethod
    def delete(cls, records):
        Pool().get('ir.model.access').check(cls.__name__, 'delete')
        super().delete(records)
