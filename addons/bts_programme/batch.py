# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Records by the thousand without a quadratic cost.

trytond builds the records of a list with the list of their ids to read
them together, and checks that list (an ``assert`` over every id) for each
record built: n records built together cost n² checks. A month of payroll
(thousands of declarations, tens of thousands of lines) is therefore built,
read and created in slices: linear, each slice still read in one query per
field."""
from trytond.tools import grouped_slice

SLICE = 500


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
