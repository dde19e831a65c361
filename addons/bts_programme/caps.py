# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The legal caps on lessons, in one place for contracts and declarations
(law of 21 July 2023, art. 9(2); RULES.md §B.3-B.7, §K.7, §K.9).

Callers gather the lessons already counted and the lessons requested, each
per programme, and call the check; the check raises a CapError that names
the cap, the figures, the programmes involved and the article."""
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

from .exceptions import CapError

# Art. 9(2) al. 3
EXTERNAL_YEAR_LIMIT = 252
SPECIALISED_SEMESTER_LIMIT = 20
# Art. 9(2) al. 4: "ne peut dépasser 40 pour cent", an inclusive limit.
EXTERNAL_SHARE_PERCENT = Decimal(40)


def counted_lessons(quantity):
    """The quantity as counted and shown: every lesson, never truncated
    (law of 21 July 2023, art. 9(2); RULES.md §K.2), a whole
    number when it is one"""
    quantity = Decimal(quantity or 0)
    if quantity == quantity.to_integral_value():
        return int(quantity)
    return quantity.normalize()


def lessons_per_programme(
        lines, line, contract, where, role, line_criteria=(), **criteria):
    """Return the lessons of lines per programme code, counted: the sum of
    line.quantity where where holds, of the contracts of role (a role or a
    tuple of roles) and of the records of criteria (party, programme,
    academic_year, semester: the column of line when line_criteria names
    it, else of contract), in one aggregate query.

    lines is line joined to contract, the lessons of the contracts or of
    the declarations under them."""
    for name, value in criteria.items():
        table = line if name in line_criteria else contract
        where &= getattr(table, name) == value.id
    return lessons_per_key(
        lines, line, contract, where, role).get((), {})


def lessons_per_key(lines, line, contract, where, role, keys=(),
        line_criteria=()):
    """Return the lessons of lines per value of the columns keys (party,
    programme, academic_year, semester: of line when line_criteria names
    it, else of contract) and per programme code, counted: {(ids of keys):
    {code: lessons}}, of the contracts of role (a role or a tuple of roles)
    where where holds, in one aggregate query: the caps of a whole batch
    are read at once."""
    Programme = Pool().get('bts.programme')
    programme = Programme.__table__()
    where &= contract.role.in_(role if isinstance(role, tuple) else (role,))
    columns = [getattr(line if name in line_criteria else contract, name)
        for name in keys]
    cursor = Transaction().connection.cursor()
    cursor.execute(*lines.join(programme,
            condition=contract.programme == programme.id
            ).select(*columns, programme.code, Sum(line.quantity),
            where=where, group_by=columns + [programme.code]))
    result = defaultdict(dict)
    for *key, code, quantity in cursor:
        result[tuple(key)][code] = counted_lessons(quantity)
    return result


def _detail(lessons):
    return ', '.join(f'{name}: {value}' for name, value in sorted(
            lessons.items())) or '-'


def _check(cap, used, requested, limit, labels):
    """Raise the error of cap when used and requested lessons pass limit;
    labels returns the message's names, computed only then"""
    total = sum(used.values()) + sum(requested.values())
    if total > limit:
        raise CapError(gettext(
                f'bts_programme.msg_cap_{cap}',
                used=sum(used.values()), used_detail=_detail(used),
                requested=sum(requested.values()),
                requested_detail=_detail(requested),
                total=total, limit=limit, **labels()))


def check_external_year(party, academic_year, used, requested):
    """At most 252 lessons per academic year for an external lecturer over
    all BTS programmes and lycées (art. 9(2) al. 3)"""
    _check('external_year', used, requested, EXTERNAL_YEAR_LIMIT,
        lambda: {'party': party.rec_name, 'period': academic_year.rec_name})


def check_specialised_semester(party, semester, used, requested):
    """At most 20 lessons per semester for a specialised lecturer over all
    BTS programmes (art. 9(2) al. 3)"""
    _check('specialised_semester', used, requested,
        SPECIALISED_SEMESTER_LIMIT,
        lambda: {'party': party.rec_name, 'period': semester.rec_name})


def external_share_limit(planned_lessons):
    "Return the most lessons external providers may give"
    return int(planned_lessons * EXTERNAL_SHARE_PERCENT / 100)


def share_denominator(programme, academic_year):
    """Return the study years of the accredited plan that run in the
    academic year and the lessons planned for their courses at the lycée,
    internships excluded: the denominator of the 40 % (art. 9(2) al. 4;
    RULES.md §K.7). Raise the programme's error when it does not run."""
    study_years = programme.check_running(academic_year)
    return study_years, programme.lycee_lessons(study_years)


def check_external_share(programme, academic_year, used, requested):
    """External and specialised lecturers' lessons at most 40 % of the
    lessons planned for the courses at the lycée of the study years that run
    in the academic year (a programme in its first year: of the first study
    year only), internships excluded (art. 9(2) al. 4; RULES.md §K.7)"""
    Module = Pool().get('bts.programme.module')
    study_years, planned = share_denominator(programme, academic_year)

    def labels():
        names = dict(Module.fields_get(
                ['year_of_study'])['year_of_study']['selection'])
        return {
            'programme': programme.rec_name,
            'period': academic_year.rec_name,
            'planned': planned, 'percent': EXTERNAL_SHARE_PERCENT,
            'study_years': ', '.join(names[y] for y in study_years),
            }
    _check('external_share', used, requested,
        external_share_limit(planned), labels)


def lock(records):
    """Serialise the cap checks that read the lessons of these records (a
    provider, a programme) until the transaction ends.

    Tryton's record lock restarts the transaction with the rows locked
    before anything is read, so a concurrent transaction waits and then
    sees the lessons committed first."""
    by_model = {}
    for record in records:
        by_model.setdefault(record.__class__, set()).add(record.id)
    missing = []
    for Model, ids in sorted(by_model.items(), key=lambda i: i[0].__name__):
        try:
            Model.lock(Model.browse(sorted(ids)))
        except TransactionError as error:
            missing.append(error)
    if len(missing) == 1:
        raise missing[0]
    elif missing:
        # Every model's rows asked at once: one restart, not one per model
        raise _Locks(missing)


class _Locks(TransactionError):
    "The record locks of several models, for one restart"

    def __init__(self, errors):
        super().__init__()
        self.errors = errors

    def fix(self, extras):
        for error in self.errors:
            error.fix(extras)
