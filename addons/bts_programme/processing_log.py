# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The processing log of art. 32 of the law of 21 July 2023: who processed
which personal data or money records, what was changed (old and new
values), deleted (what the record held), consulted, exported or printed,
and when; kept five years (art. 32 2°), append-only.

Trytond's ``ir.model.log`` is extended: one entry per call and model (the
ids of the records together), never one per record, and no query per
record. The models of personal data and money add ``ProcessingLogMixin``;
the reads of their personal fields (``_processing_log_read``) by a user
are logged too."""
import datetime as dt
import json

from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.descriptors import dualmethod
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access

# Art. 32 2° of the law of 21 July 2023: the log is kept five years.
LOG_YEARS = 5
_EVENTS = [
    ('create', "Created"),
    ('read', "Read"),
    ('export', "Exported"),
    ('report', "Printed"),
    ]
# Never copied into the log.
_SECRET = ('password', 'password_hash', 'password_reset')
# The context key that stops the logging of reads (the reads of the log
# itself and of an export, logged as such).
_NO_READ_LOG = '_processing_log_no_read'

_TRIGGER_MESSAGE = (
    "ir_model_log is append-only (art. 32 of the law of 21 July 2023)")
_POSTGRESQL_TRIGGER = f"""
CREATE OR REPLACE FUNCTION ir_model_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.create_date < date_trunc(
            'day', CURRENT_TIMESTAMP AT TIME ZONE 'UTC')
            - INTERVAL '{LOG_YEARS} years' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{_TRIGGER_MESSAGE}'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ir_model_log_append_only ON ir_model_log;
CREATE TRIGGER ir_model_log_append_only
    BEFORE UPDATE OR DELETE ON ir_model_log
    FOR EACH ROW EXECUTE FUNCTION ir_model_log_append_only();
DROP TRIGGER IF EXISTS ir_model_log_no_truncate ON ir_model_log;
CREATE TRIGGER ir_model_log_no_truncate
    BEFORE TRUNCATE ON ir_model_log
    FOR EACH STATEMENT EXECUTE FUNCTION ir_model_log_append_only();
"""
_SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS ir_model_log_no_update",
    "CREATE TRIGGER ir_model_log_no_update BEFORE UPDATE ON ir_model_log "
    f"BEGIN SELECT RAISE(ABORT, '{_TRIGGER_MESSAGE}'); END",
    "DROP TRIGGER IF EXISTS ir_model_log_no_delete",
    "CREATE TRIGGER ir_model_log_no_delete BEFORE DELETE ON ir_model_log "
    "WHEN OLD.create_date >= "
    f"datetime(date('now'), '-{LOG_YEARS} years') "
    f"BEGIN SELECT RAISE(ABORT, '{_TRIGGER_MESSAGE}'); END",
    ]


def purge_limit(date):
    """The first instant kept by the purge on date: midnight of the same
    day five years earlier (29 February: the 28th). An entry of 3 November
    2025 is kept until 3 November 2030 and removed from the 4th."""
    try:
        limit = date.replace(year=date.year - LOG_YEARS)
    except ValueError:
        limit = date.replace(year=date.year - LOG_YEARS, day=28)
    return dt.datetime.combine(limit, dt.time())


def utc_today():
    "Today's date in UTC, the time zone of the log's dates"
    return dt.datetime.now(dt.UTC).date()


def _json_default(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f'<{len(value)} bytes>'
    return str(value)


def to_json(values):
    "The values as JSON text, for the log"
    if values is None:
        return None
    return json.dumps(values, default=_json_default, sort_keys=True,
        ensure_ascii=False)


class ModelLog(metaclass=PoolMeta):
    __name__ = 'ir.model.log'
    model = fields.Char("Model", readonly=True)
    record_ids = fields.Text("Record IDs", readonly=True,
        help="The ids of the records processed together, comma-separated.")
    record_names = fields.Text("Records", readonly=True,
        states={
            'invisible': ~Eval('record_names'),
            },
        help="The names of the deleted records.")
    old_values = fields.Text("Old Values", readonly=True,
        states={
            'invisible': ~Eval('old_values'),
            },
        help="The values before the change or the deletion, as JSON "
        "(by record id).")
    new_values = fields.Text("New Values", readonly=True,
        states={
            'invisible': ~Eval('new_values'),
            },
        help="The values written, as JSON.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.event.selection.extend(_EVENTS)

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cursor = Transaction().connection.cursor()
        if backend.name == 'postgresql':
            cursor.execute(_POSTGRESQL_TRIGGER)
        elif backend.name == 'sqlite':
            for statement in _SQLITE_TRIGGERS:
                cursor.execute(statement)

    @classmethod
    def read(cls, ids, fields_names):
        with Transaction().set_context(**{_NO_READ_LOG: True}):
            return super().read(ids, fields_names)

    @classmethod
    def create(cls, vlist):
        # The server's own entries only, never a client's
        if Transaction().check_access:
            cls._refuse()
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            # trytond's own entries (buttons, wizards) name their model too
            if not values.get('model') and values.get('resource'):
                values['model'] = str(values['resource']).split(',', 1)[0]
        return super().create(vlist)

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            **kwargs):
        # The entries of the models the user may not read are left out
        # (trytond's ResourceAccessMixin would refuse the whole list)
        transaction = Transaction()
        if (transaction.user and transaction.check_access
                and not kwargs.get('query')):
            hidden = cls._hidden_models()
            if hidden:
                domain = [domain, ['OR',
                        ('model', '=', None), ('model', 'not in', hidden)]]
        return super().search(domain, offset=offset, limit=limit,
            order=order, count=count, **kwargs)

    @classmethod
    def _hidden_models(cls):
        "The names of the models the user may not read"
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        names = [name for name, _ in pool.iterobject()]
        access = ModelAccess.get_access(names)
        return sorted(n for n in names if not access[n]['read'])

    @classmethod
    def write(cls, *args):
        if any(args[::2]):
            cls._refuse()
        super().write(*args)

    @classmethod
    def delete(cls, records):
        if records:
            cls._refuse()
        super().delete(records)

    @classmethod
    def copy(cls, records, default=None):
        if records:
            cls._refuse()
        return super().copy(records, default=default)

    @classmethod
    def _refuse(cls):
        "Refuse any change: only the purge removes the entries of 5 years"
        raise UserError(
            gettext('bts_programme.msg_processing_log_append_only'))

    @classmethod
    def add(cls, Model, event, ids, target=None, old_values=None,
            new_values=None, record_names=None, user=None):
        """Log one event of the records ids of Model: one row, inserted at
        once (in its own transaction when the current one is read-only)"""
        ids = sorted({int(i) for i in ids if i is not None and int(i) >= 0})
        if not ids:
            return
        transaction = Transaction()
        resource = None
        if len(ids) == 1 and event != 'delete':
            resource = f'{Model.__name__},{ids[0]}'
        values = {
            'create_uid': transaction.user,
            'create_date': CurrentTimestamp(),
            'user': transaction.user if user is None else int(user),
            'event': event,
            'target': target,
            'resource': resource,
            'model': Model.__name__,
            'record_ids': ','.join(map(str, ids)),
            'record_names': record_names,
            'old_values': to_json(old_values),
            'new_values': to_json(new_values),
            }
        if transaction.readonly:
            # A consultation is logged even when the request only reads
            with transaction.new_transaction():
                cls._insert(values)
        else:
            cls._insert(values)

    @classmethod
    def _insert(cls, values):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        columns = [getattr(table, name) for name in values]
        cursor.execute(*table.insert(columns, [list(values.values())]))

    @classmethod
    def purge_processing_log(cls, date=None):
        """Remove the entries older than five years at date (default
        today), none younger (art. 32 2° of the law of 21 July 2023)"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        limit = purge_limit(min(date or utc_today(), utc_today()))
        cursor.execute(*table.delete(where=table.create_date < limit))


def _stored(Model, names):
    """The names of the stored fields of Model whose values are logged, and
    the record's name"""
    result = []
    for name in names:
        field = Model._fields.get(name)
        if name == 'rec_name':
            result.append(name)
            continue
        if (field is None or name.startswith(_SECRET)
                or isinstance(field, fields.Function)
                or field._type == 'binary'):
            continue
        result.append(name)
    return result


def _values(values):
    "The written values, without the secrets and the binary data"
    return {name: value for name, value in values.items()
        if not name.startswith(_SECRET)}


class ProcessingLogMixin:
    """Log every creation, change (old and new values), deletion (what the
    record held), workflow step, button, wizard and export of the model,
    and the reads of its personal fields (``_processing_log_read``) by a
    user: one entry per call"""
    __slots__ = ()
    _processing_log_read = frozenset()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._log = True

    @classmethod
    def _processing_log_old(cls, ids, names):
        "The values of the stored fields names of the records ids, by id"
        names = _stored(cls, names)
        if not ids or not names:
            return {}
        with without_check_access(), Transaction().set_context(
                **{_NO_READ_LOG: True}):
            rows = cls.read(list(ids), names)
        return {row.pop('id'): row for row in rows}

    @dualmethod
    def log(cls, records, event, target=None, user=None, **extra):
        if event in {'write', 'delete'}:
            # Logged with their values by write and delete
            return
        Log = Pool().get('ir.model.log')
        Log.add(cls, event, [r.id for r in records], target=target,
            user=user)

    @classmethod
    def create(cls, vlist):
        Log = Pool().get('ir.model.log')
        records = super().create(vlist)
        names = sorted({name for values in vlist for name in values})
        Log.add(cls, 'create', [r.id for r in records],
            target=','.join(names))
        return records

    @classmethod
    def write(cls, *args):
        Log = Pool().get('ir.model.log')
        changes = []
        for records, values in zip(args[::2], args[1::2], strict=True):
            if records and values:
                ids = [r.id for r in records]
                changes.append((ids, values,
                        cls._processing_log_old(ids, list(values))))
        super().write(*args)
        for ids, values, old in changes:
            Log.add(cls, 'write', ids, target=','.join(sorted(values)),
                old_values=old, new_values=_values(values))

    @classmethod
    def delete(cls, records):
        Log = Pool().get('ir.model.log')
        ids = [r.id for r in records]
        old = cls._processing_log_old(ids, list(cls._fields))
        super().delete(records)
        names = [old[i].pop('rec_name') for i in ids if i in old]
        Log.add(cls, 'delete', ids, old_values=old,
            record_names='\n'.join(names))

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        transaction = Transaction()
        if (cls._processing_log_read and result and transaction.user
                and transaction.check_access
                and not transaction.context.get(_NO_READ_LOG)):
            names = {n.split('.', 1)[0] for n in fields_names}
            personal = sorted(cls._processing_log_read & names)
            if personal:
                Log = Pool().get('ir.model.log')
                Log.add(cls, 'read', [r['id'] for r in result],
                    target=','.join(personal))
        return result

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        Log = Pool().get('ir.model.log')
        with Transaction().set_context(**{_NO_READ_LOG: True}):
            data = super().export_data(records, fields_names, header=header)
        Log.add(cls, 'export', [r.id for r in records],
            target=','.join(fields_names))
        return data


class ReportLogMixin:
    "Log the printing of the report: one entry per print"
    __slots__ = ()

    @classmethod
    def _get_records(cls, ids, model, data):
        Log = Pool().get('ir.model.log')
        records = super()._get_records(ids, model, data)
        Log.add(Pool().get(model), 'report', ids, target=cls.__name__)
        return records



class Party(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'party.party'
    _processing_log_read = frozenset({'national_id'})


class Identifier(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'party.identifier'
    _processing_log_read = frozenset({'code', 'code_compact', 'rec_name'})


class Address(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'party.address'


class BankAccount(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bank.account'
    # Its name is its IBAN
    _processing_log_read = frozenset({'rec_name'})


class BankAccountNumber(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bank.account.number'
    _processing_log_read = frozenset({'number', 'number_compact', 'rec_name'})


class BankAccountParty(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bank.account-party.party'


class Qualification(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.qualification'


class Attachment(ProcessingLogMixin, metaclass=PoolMeta):
    "The documents of the qualifications"
    __name__ = 'ir.attachment'
    _processing_log_read = frozenset({'data'})


class Contract(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.contract'


class ContractLine(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.contract.line'


class Amendment(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.contract.amendment'


class AmendmentLine(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'bts.contract.amendment.line'


# The access rights: who may process what
class ModelAccess(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'ir.model.access'


class ModelFieldAccess(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'ir.model.field.access'


class ModelButtonGroup(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'ir.model.button-res.group'


class Rule(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'ir.rule'


class RuleGroup(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'ir.rule.group'


class RuleGroupGroup(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'ir.rule.group-res.group'


class Group(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'res.group'


class User(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'res.user'


class UserGroup(ProcessingLogMixin, metaclass=PoolMeta):
    __name__ = 'res.user-res.group'


class ContractReport(ReportLogMixin, Report):
    __name__ = 'bts.contract'
