# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Records by the thousand without a quadratic cost.

trytond builds the records of a list with the list of their ids to read
them together, and checks that list (an ``assert`` over every id) for each
record built: n records built together cost n² checks. A month of payroll
(thousands of declarations, tens of thousands of lines) is therefore built,
read and created in slices: linear, each slice still read in one query per
field.

The same holds for what trytond reads on its own: a record's fields are
read for as many records of its list as the transaction's record cache
holds (2,000 by default), each read building them all, and records are
validated as many at a time (one OR branch per record when their domains
differ, as account_payment's line of each payment). Long server work is
therefore run with a record cache of a slice (``sliced``): not the
approval of declarations, which reads each declaration's lines and
contract several times and is twice as slow when they leave the cache."""
import functools

from sql import Column
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

SLICE = 500


def sliced(function):
    """Run function with trytond reading and validating records a slice at
    a time"""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with Transaction().set_context(_record_cache_size=SLICE):
            return function(*args, **kwargs)
    return wrapper


def records(records):
    """Yield the records again, built a slice at a time: what is read
    through them (their lines) is read a slice at a time"""
    records = list(records)
    if not records:
        return
    Model = records[0].__class__
    for sub_records in grouped_slice(records, SLICE):
        yield from Model.browse([r.id for r in sub_records])


def browse(Model, ids):
    "The records of ids, built a slice at a time"
    return [record for sub_ids in grouped_slice(list(ids), SLICE)
        for record in Model.browse(list(sub_ids))]


def create(Model, vlist):
    "Create the records of vlist a slice at a time; return them"
    return [record for sub_vlist in grouped_slice(vlist, SLICE)
        for record in Model.create(list(sub_vlist))]


def insert(Model, names, rows):
    """Insert rows (tuples of the values of the fields names, in SQL
    format) with plain SQL, stamped with the user and time as trytond's
    create does; return their ids in order.

    Only for records the server derives from records already checked (a
    payment run's beneficiaries and lines): they skip the ORM's validation,
    their required columns, foreign keys and constraints are the database's
    own. Their creation is logged (art. 32 of the law of 21 July 2023):
    one entry for all."""
    transaction = Transaction()
    database, connection = transaction.database, transaction.connection
    cursor = connection.cursor()
    table = Model.__table__()
    columns = [table.create_uid, table.create_date] + [
        Column(table, name) for name in names]
    size = backend.MAX_QUERY_PARAMS // (len(columns) + 1)
    ids = []
    for sub_rows in grouped_slice(rows, size):
        values = [[transaction.user, CurrentTimestamp(), *row]
            for row in sub_rows]
        new_ids = database.nextid(connection, Model._table, count=len(values))
        if new_ids is None:
            # SQLite: the rows one by one, their ids as they are given
            for value in values:
                cursor.execute(*table.insert(columns, [value]))
                ids.append(database.lastid(cursor))
            continue
        if len(values) == 1:
            new_ids = [new_ids]
        cursor.execute(*table.insert(columns + [table.id],
                [value + [id_] for value, id_ in zip(
                        values, new_ids, strict=True)]))
        ids.extend(new_ids)
    Log = Pool().get('ir.model.log')
    Log.add(Model, 'create', ids, target=','.join(names))
    return ids


def forget(Model, ids=None):
    """After a plain SQL write of the records of ids (default all): what the
    transaction read of them is read again, as after trytond's write"""
    transaction = Transaction()
    transaction.counter += 1
    for cache in transaction.cache.values():
        if ids is None:
            cache.pop(Model.__name__, None)
            continue
        records = cache.get(Model.__name__, {})
        for id_ in ids:
            records.pop(id_, None)
