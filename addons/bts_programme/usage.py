# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""What the ministry checks at a glance: the lessons each provider has under
contract against the caps, and each programme's external share.

Both are summaries of the counted contracts' lines stored in a table of
their own: an aggregate over every contract line on each opening of the
list is too slow at the ministry's volume. Contract.summarised keeps them
up to date whenever a counted contract or its lines change."""
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case
from sql.functions import CurrentTimestamp

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.tools import reduce_ids
from trytond.transaction import Transaction

from . import batch, caps
from .contract import COUNTED_STATES, SHARE_ROLES
from .guard import ReadOnlyViewMixin


class ContractSummaryMixin(ReadOnlyViewMixin):
    """A table of figures computed from the counted contracts' lines, only
    read by clients and computed again by refresh for the keys that
    changed"""
    __slots__ = ()
    # The contract's columns that identify the rows to compute again
    _summary_key = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, *(
                    (getattr(t, n), Index.Equality())
                    for n in cls._summary_key)))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cls.refresh()

    @classmethod
    def _summary_columns(cls):
        "The names of the columns summary_query selects, in its order"
        raise NotImplementedError

    @classmethod
    def summary_query(cls, contract, line, where):
        """The select of the summary's rows from the tables of the contracts
        and their lines, restricted to where"""
        raise NotImplementedError

    @classmethod
    def refresh(cls, keys=None):
        """Compute again the rows of keys, tuples (party, programme,
        academic_year) of contracts, or every row without keys"""
        pool = Pool()
        Contract = pool.get('bts.contract')
        Line = pool.get('bts.contract.line')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        contract, line = Contract.__table__(), Line.__table__()
        where = (contract.state.in_(COUNTED_STATES)
            & contract.role.in_(SHARE_ROLES))
        stale = None
        if keys is not None:
            if not keys:
                return
            positions = {'party': 0, 'programme': 1, 'academic_year': 2}
            stale = Literal(True)
            for name in cls._summary_key:
                ids = sorted({k[positions[name]] for k in keys})
                stale &= reduce_ids(getattr(table, name), ids)
                where &= reduce_ids(getattr(contract, name), ids)
        cursor.execute(*table.delete(where=stale))
        query = cls.summary_query(contract, line, where)
        query.columns = (Literal(transaction.user), CurrentTimestamp(),
            *query.columns)
        cursor.execute(*table.insert(
                [table.create_uid, table.create_date]
                + [getattr(table, n) for n in cls._summary_columns()],
                query))
        batch.forget(cls)


class ProviderUsage(ContractSummaryMixin, ModelSQL, ModelView):
    """Lessons under contract of an external lecturer per academic year, or
    of a specialised lecturer per semester, over all programmes and lycées,
    against the caps of art. 9(2) al. 3"""
    __name__ = 'bts.provider.usage'
    _summary_key = ('party', 'academic_year')
    __string__ = "Lessons per Provider"
    party = fields.Many2One('party.party', "Provider", readonly=True)
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", readonly=True)
    semester = fields.Many2One('bts.semester', "Semester", readonly=True)
    role = fields.Selection([
            ('external', "External Lecturer"),
            ('specialised', "Specialised Lecturer"),
            ], "Role", readonly=True)
    lessons = fields.Integer("Lessons", readonly=True)
    programmes = fields.Integer("Programmes", readonly=True)
    limit = fields.Function(fields.Integer("Limit"), 'get_limit')
    remaining = fields.Function(fields.Integer("Remaining"), 'get_limit')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order[0:0] = [
            ('academic_year', 'DESC'), ('lessons', 'DESC')]

    @classmethod
    def _summary_columns(cls):
        return ['party', 'academic_year', 'semester', 'role', 'lessons',
            'programmes']

    @classmethod
    def summary_query(cls, contract, line, where):
        lines = line.join(contract, condition=line.contract == contract.id
            ).select(
            line.quantity, contract.party, contract.academic_year,
            contract.role, contract.programme,
            Case((contract.role == 'specialised', line.semester),
                else_=Null).as_('semester'),
            where=where)
        return lines.select(
            lines.party, lines.academic_year, lines.semester, lines.role,
            Sum(lines.quantity), Count(lines.programme, distinct=True),
            group_by=[lines.party, lines.academic_year, lines.semester,
                lines.role])

    @classmethod
    def get_limit(cls, usages, names):
        result = {n: {} for n in names}
        for row in cls.read([u.id for u in usages], ['role', 'lessons']):
            limit = (caps.EXTERNAL_YEAR_LIMIT if row['role'] == 'external'
                else caps.SPECIALISED_SEMESTER_LIMIT)
            if 'limit' in result:
                result['limit'][row['id']] = limit
            if 'remaining' in result:
                result['remaining'][row['id']] = limit - row['lessons']
        return result


class ProgrammeShare(ContractSummaryMixin, ModelSQL, ModelView):
    """External and specialised lecturers' lessons under contract per
    programme and academic year against 40 % of the planned lessons of the
    lycée courses (art. 9(2) al. 4)"""
    __name__ = 'bts.programme.external_share'
    _summary_key = ('programme', 'academic_year')
    __string__ = "External Share per Programme"
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, readonly=True)
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", readonly=True)
    lessons = fields.Integer("External Lessons", readonly=True)
    planned_lessons = fields.Function(
        fields.Integer("Planned Lessons at the Lycée",
            help="Of the courses at the lycée of the study years that run in "
            "the academic year, internships excluded."), 'get_figures')
    limit = fields.Function(fields.Integer("Limit"), 'get_figures')
    share = fields.Function(
        fields.Numeric("Share (%)", digits=(16, 1)), 'get_figures')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('programme')
        cls._order[0:0] = [('academic_year', 'DESC'), ('programme', 'ASC')]

    @classmethod
    def _summary_columns(cls):
        return ['programme', 'academic_year', 'lessons']

    @classmethod
    def summary_query(cls, contract, line, where):
        return line.join(contract, condition=line.contract == contract.id
            ).select(
            contract.programme, contract.academic_year, Sum(line.quantity),
            where=where,
            group_by=[contract.programme, contract.academic_year])

    @classmethod
    def get_figures(cls, shares, names):
        """The planned lessons at the lycée of the study years that run in
        the academic year (RULES.md §K.7), 0 when the programme does not
        run then"""
        pool = Pool()
        Programme = pool.get('bts.programme')
        AcademicYear = pool.get('bts.academic_year')
        result = {n: {} for n in names}
        rows = cls.read([s.id for s in shares],
            ['programme', 'academic_year', 'lessons'])
        # Built from one read of what running_study_years needs
        programmes = {r['id']: Programme(**r) for r in Programme.read(
                list({r['programme'] for r in rows}),
                Programme.RUNNING_FIELDS)}
        years = {y.id: y for y in AcademicYear.browse(
                {r['academic_year'] for r in rows})}
        planned = Programme.lycee_lessons_per_year(programmes.values())
        running = {}
        for row in rows:
            key = row['programme'], row['academic_year']
            if key not in running:
                study_years, _ = programmes[key[0]].running_study_years(
                    years[key[1]])
                running[key] = sum(
                    planned[key[0], year] for year in study_years)
            lessons = running[key]
            values = {
                'planned_lessons': lessons,
                'limit': caps.external_share_limit(lessons),
                'share': (Decimal(row['lessons'] * 100) / lessons).quantize(
                    Decimal('0.1')) if lessons else None,
                }
            for name in names:
                result[name][row['id']] = values[name]
        return result
