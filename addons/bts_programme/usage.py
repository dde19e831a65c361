# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""What the ministry checks at a glance: the lessons each provider has under
contract against the caps, and each programme's external share."""
from decimal import Decimal

from sql import Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from . import caps
from .contract import COUNTED_STATES, SHARE_ROLES
from .guard import ReadOnlyViewMixin


class ProviderUsage(ReadOnlyViewMixin, ModelSQL, ModelView):
    """Lessons under contract of an external lecturer per academic year, or
    of a specialised lecturer per semester, over all programmes and lycées,
    against the caps of art. 9(2) al. 3"""
    __name__ = 'bts.provider.usage'
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
    def table_query(cls):
        pool = Pool()
        Contract = pool.get('bts.contract')
        Line = pool.get('bts.contract.line')
        contract, line = Contract.__table__(), Line.__table__()
        lines = line.join(contract,
            condition=line.contract == contract.id
            ).select(
            line.id, line.create_date, line.write_date, line.quantity,
            contract.party, contract.academic_year, contract.role,
            contract.programme,
            Case((contract.role == 'specialised', line.semester),
                else_=Null).as_('semester'),
            where=contract.state.in_(COUNTED_STATES)
            & contract.role.in_(SHARE_ROLES))
        return lines.select(
            *cls.grouped_columns(lines),
            lines.party, lines.academic_year, lines.semester, lines.role,
            Sum(lines.quantity).as_('lessons'),
            Count(lines.programme, distinct=True).as_('programmes'),
            group_by=[lines.party, lines.academic_year, lines.semester,
                lines.role])

    @classmethod
    def get_limit(cls, usages, names):
        result = {n: {} for n in names}
        for usage in usages:
            limit = (caps.EXTERNAL_YEAR_LIMIT if usage.role == 'external'
                else caps.SPECIALISED_SEMESTER_LIMIT)
            if 'limit' in result:
                result['limit'][usage.id] = limit
            if 'remaining' in result:
                result['remaining'][usage.id] = limit - usage.lessons
        return result


class ProgrammeShare(ReadOnlyViewMixin, ModelSQL, ModelView):
    """External and specialised lecturers' lessons under contract per
    programme and academic year against 40 % of the planned lessons of the
    lycée courses (art. 9(2) al. 4)"""
    __name__ = 'bts.programme.external_share'
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
    def table_query(cls):
        pool = Pool()
        Contract = pool.get('bts.contract')
        Line = pool.get('bts.contract.line')
        contract, line = Contract.__table__(), Line.__table__()
        return line.join(contract,
            condition=line.contract == contract.id
            ).select(
            *cls.grouped_columns(contract),
            contract.programme.as_('programme'),
            contract.academic_year.as_('academic_year'),
            Sum(line.quantity).as_('lessons'),
            where=contract.state.in_(COUNTED_STATES)
            & contract.role.in_(SHARE_ROLES),
            group_by=[contract.programme, contract.academic_year])

    @classmethod
    def get_figures(cls, shares, names):
        """The planned lessons at the lycée of the study years that run in
        the academic year (RULES.md §K.7), 0 when the programme does not
        run then"""
        Programme = Pool().get('bts.programme')
        result = {n: {} for n in names}
        planned = Programme.lycee_lessons_per_year(
            {share.programme for share in shares})
        for share in shares:
            programme = share.programme
            study_years, _ = programme.running_study_years(
                share.academic_year)
            lessons = sum(planned[programme.id, year] for year in study_years)
            values = {
                'planned_lessons': lessons,
                'limit': caps.external_share_limit(lessons),
                'share': (Decimal(share.lessons * 100) / lessons).quantize(
                    Decimal('0.1')) if lessons else None,
                }
            for name in names:
                result[name][share.id] = values[name]
        return result
