# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from sql import Literal, Union
from sql.conditionals import Coalesce

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool

from .contract import COUNTED_STATES, ROLES
from .guard import ReadOnlyViewMixin


class ProgrammeTeacher(ModelSQL, ModelView):
    """Enseignant nommé au lycée: a lycée teacher who teaches in a programme
    in an academic year (law of 21 July 2023, art. 9(1)); teachers have no
    contract, their BTS work is part of their task."""
    __name__ = 'bts.programme.teacher'
    __string__ = "Lycée Teacher"
    party = fields.Many2One(
        'party.party', "Teacher", required=True, ondelete='RESTRICT')
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, ondelete='CASCADE')
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", required=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('teacher_unique', Unique(
                    t, t.party, t.programme, t.academic_year),
                'bts_programme.msg_teacher_unique'),
            ]
        cls.__access__.add('programme')
        cls._order[0:0] = [('academic_year', 'DESC'), ('programme', 'ASC')]


class TeachingBody(ReadOnlyViewMixin, ModelSQL, ModelView):
    """Corps enseignant: the roles of every person per programme and
    academic year, lycée teachers and external providers with a signed
    contract (law of 21 July 2023, art. 9(1))"""
    __name__ = 'bts.teaching_body'
    __string__ = "Teaching Body"
    party = fields.Many2One('party.party', "Person", readonly=True)
    programme = fields.Many2One(
        'bts.programme', "Programme", required=True, readonly=True)
    academic_year = fields.Many2One(
        'bts.academic_year', "Academic Year", readonly=True)
    role = fields.Selection(
        [('teacher', "Lycée Teacher")] + ROLES, "Role", readonly=True)
    contract = fields.Many2One('bts.contract', "Contract", readonly=True)
    lycee = fields.Many2One(
        'bts.lycee', "Lycée", readonly=True,
        help="The lycée of the contract; empty for a lycée teacher.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order[0:0] = [('academic_year', 'DESC'), ('programme', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Teacher = pool.get('bts.programme.teacher')
        Contract = pool.get('bts.contract')
        teacher, contract = Teacher.__table__(), Contract.__table__()
        # Even ids for teachers, odd ids for contracts: unique in the union.
        teachers = teacher.select(
            (teacher.id * 2).as_('id'),
            teacher.create_uid, teacher.create_date,
            teacher.write_uid, teacher.write_date,
            teacher.party, teacher.programme, teacher.academic_year,
            Literal('teacher').as_('role'),
            Literal(None).as_('contract'), Literal(None).as_('lycee'))
        contracts = contract.select(
            (contract.id * 2 + 1).as_('id'),
            contract.create_uid, contract.create_date,
            contract.write_uid, Coalesce(
                contract.write_date, contract.create_date).as_('write_date'),
            contract.party, contract.programme, contract.academic_year,
            contract.role, contract.id.as_('contract'), contract.lycee,
            where=contract.state.in_(COUNTED_STATES))
        return Union(teachers, contracts, all_=True)
