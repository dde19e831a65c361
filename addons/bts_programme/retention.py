# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Retention of personal data (law of 21 July 2023, art. 33(2)): the
personal data of a person are kept at most five years beyond their end
point, the later of the dates after which the data serve no purpose (the
end of the last academic year of a contract, a nomination or a teaching,
the last payment, later the award of the BTS), then pseudonymised with
the party module's erase wizard. What the law keeps stays: the contracts,
declarations, moves and payments (their amounts, for the accounting
period), linked to the pseudonymised person."""
import datetime as dt
import logging
from contextlib import contextmanager

from dateutil.relativedelta import relativedelta
from sql import Null, Union
from sql.aggregate import Max

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

logger = logging.getLogger(__name__)

# Art. 33(2): « au maximum cinq ans au-delà de la dernière année
# d'inscription » (RULES.md §K.12: five years after the later end point)
RETENTION_YEARS = 5
# What replaces an erased text that cannot be empty
ERASED = '****'


def keep_until(end_point):
    """The last day the data of a person of end_point are kept: the same
    day RETENTION_YEARS years later (29 February: 28 February). An academic
    year 2025/26 ends on 14 September 2026: its data are kept on 14
    September 2031 and pseudonymised from 15 September 2031."""
    return end_point + relativedelta(years=RETENTION_YEARS)


class Retention(ModelSQL, ModelView):
    """Pseudonymisation of a person whose personal data passed their
    retention period (law of 21 July 2023, art. 33(2)): when, by whom and
    from which end point; never changed nor deleted"""
    __name__ = 'bts.retention'
    __string__ = "Pseudonymisation"
    _rec_name = 'pseudonym'
    party = fields.Many2One(
        'party.party', "Person", required=True, readonly=True,
        ondelete='RESTRICT')
    pseudonym = fields.Char("Pseudonym", readonly=True)
    date = fields.Date("Date", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    end_point = fields.Date(
        "End Point", required=True, readonly=True,
        help="The later of the dates after which the person's data serve "
        "no purpose.")
    source = fields.Selection([
            ('academic_year', "End of the Last Academic Year"),
            ], "Reason", required=True, readonly=True)
    keep_until = fields.Date(
        "Kept Until", required=True, readonly=True,
        help="The end point plus five years (art. 33(2) of the law of 21 "
        "July 2023).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.party, Index.Equality())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def _end_point_queries(cls):
        """Return (source, query) pairs, each query of (party, date) rows,
        one row per party: the last date of the source for each person.
        Modules with other sources add theirs."""
        pool = Pool()
        Contract = pool.get('bts.contract')
        Teacher = pool.get('bts.programme.teacher')
        AcademicYear = pool.get('bts.academic_year')
        return [
            ('academic_year', _last_year(Contract.__table__(),
                    AcademicYear.__table__())),
            ('academic_year', _last_year(Teacher.__table__(),
                    AcademicYear.__table__())),
            ]

    @classmethod
    def _kept_queries(cls):
        """Return the queries of (party,) rows of the persons still in a
        role, whatever their end point: the directors of the lycées, the
        coordinators and government commissioners of the programmes, the
        parties of the companies and their employees. Modules add theirs."""
        pool = Pool()
        Lycee = pool.get('bts.lycee')
        Programme = pool.get('bts.programme')
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        lycee = Lycee.__table__()
        programme = Programme.__table__()
        company = Company.__table__()
        employee = Employee.__table__()
        return [
            lycee.select(lycee.director.as_('party'),
                where=lycee.director != Null),
            programme.select(programme.coordinator.as_('party'),
                where=programme.coordinator != Null),
            programme.select(programme.government_commissioner.as_('party'),
                where=programme.government_commissioner != Null),
            company.select(company.party.as_('party')),
            employee.select(employee.party.as_('party')),
            ]

    @classmethod
    def end_points(cls):
        """Return {party id: (end point, source)} for every person with an
        end point: the latest date over the sources"""
        cursor = Transaction().connection.cursor()
        result = {}
        for source, query in cls._end_point_queries():
            cursor.execute(*query)
            for party, date in cursor:
                if isinstance(date, str):
                    # SQLite returns the maximum of dates as text
                    date = dt.date.fromisoformat(date)
                if date and (party not in result or result[party][0] < date):
                    result[party] = (date, source)
        return result

    @classmethod
    def due(cls, date):
        """Return the persons whose data passed their retention on date, as
        dictionaries of party, end_point, source and keep_until, the oldest
        end point first; those done already or still in a role are left"""
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        queries = [table.select(table.party.as_('party'))]
        queries += cls._kept_queries()
        cursor.execute(*Union(*queries))
        left = {party for party, in cursor}
        result = []
        for party, (end_point, source) in cls.end_points().items():
            limit = keep_until(end_point)
            if limit < date and party not in left:
                result.append({
                        'party': party,
                        'end_point': end_point,
                        'source': source,
                        'keep_until': limit,
                        })
        result.sort(key=lambda d: (d['end_point'], d['party']))
        return result

    @classmethod
    def preview(cls, date):
        """The dry run: what pseudonymise would do on date, each person
        with the reason the erase refuses them, if any; changes nothing"""
        with without_check_access(), _erase_session() as erase:
            return [dict(line, refusal=_refusal(erase, line['party']))
                for line in cls.due(date)]

    @classmethod
    def pseudonymise(cls, date=None):
        """Cron: pseudonymise the persons due on date (today by default)
        with the party erase wizard and record each one; a person the
        erase refuses (a pending payment, a balance) is left for a later
        run. Return the records."""
        pool = Pool()
        Date = pool.get('ir.date')
        Party = pool.get('party.party')
        if date is None:
            date = Date.today()
        user = Transaction().user
        to_create = []
        with without_check_access(), _erase_session() as erase:
            for line in cls.due(date):
                party = Party(line['party'])
                refusal = _refusal(erase, party.id)
                if refusal:
                    logger.warning(
                        "party %s kept past its retention: %s",
                        party.id, refusal)
                    continue
                Party.write([party], {'active': False})
                erase.ask.party = party
                erase.transition_erase()
                to_create.append(dict(line, date=date, user=user,
                        pseudonym=erase.pseudonym(party.id)))
            records = cls.create(to_create)
        logger.info("%s parties pseudonymised", len(records))
        return records


def _last_year(table, academic_year):
    "The end of the last academic year of the parties of table"
    return table.join(academic_year,
        condition=table.academic_year == academic_year.id
        ).select(table.party, Max(academic_year.end_date),
        group_by=[table.party])


@contextmanager
def _erase_session():
    """A session of the party erase wizard as root (the wizard is the party
    administrators' own: the callers of the retention are checked by
    theirs), deleted at the end"""
    Erase = Pool().get('party.erase', type='wizard')
    with Transaction().set_user(0):
        session_id, _, _ = Erase.create()
        try:
            yield Erase(session_id)
        finally:
            Erase.delete(session_id)


def _refusal(erase, party_id):
    """The message of the erase's checks refusing the party, if any. The
    party is checked as if already deactivated: the run deactivates it."""
    Party = Pool().get('party.party')
    try:
        erase.check_erase(Party(party_id, active=False))
    except UserError as exception:
        return exception.message


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        """Also the pseudonym of the party, the compact national number,
        the IBANs of its bank accounts, its qualifications with their
        documents and the professional milieu of its contracts"""
        pool = Pool()
        Party = pool.get('party.party')
        Identifier = pool.get('party.identifier')
        Account = pool.get('bank.account')
        Number = pool.get('bank.account.number')
        Qualification = pool.get('bts.qualification')
        Contract = pool.get('bts.contract')
        return super().to_erase(party_id) + [
            (Party, [('id', '=', party_id)], False,
                ['name'], [self.pseudonym(party_id)]),
            (Identifier, [('party', '=', party_id)], False,
                ['code_compact'], [ERASED]),
            # The numbers first: an inactive account has inactive numbers
            (Number, [('account.owners', '=', party_id)], False,
                ['number', 'number_compact'], [ERASED, ERASED]),
            (Account, [('owners', '=', party_id)], True, [], []),
            (Qualification, [('party', '=', party_id)], True,
                ['title', 'registration_reference',
                    'interim_justification'],
                [ERASED, None, None]),
            (Contract, [('party', '=', party_id)], False,
                ['professional_milieu'], [None]),
            ]

    @classmethod
    def pseudonym(cls, party_id):
        "The name of the party once erased, in the server's language"
        pool = Pool()
        Party = pool.get('party.party')
        Configuration = pool.get('ir.configuration')
        with Transaction().set_context(
                language=Configuration.get_language()):
            return gettext('bts_programme.msg_pseudonym',
                code=Party(party_id).code or party_id)


class RetentionRunStart(ModelView):
    "The persons the pseudonymisation would process today"
    __name__ = 'bts.retention.run.start'
    __string__ = "Pseudonymise"
    date = fields.Date("Date", readonly=True)
    lines = fields.One2Many(
        'bts.retention.run.line', None, "Persons Due", readonly=True)


class RetentionRunLine(ModelView):
    "A person the pseudonymisation would process, or why the erase refuses"
    __name__ = 'bts.retention.run.line'
    __string__ = "Person Due"
    party = fields.Many2One('party.party', "Person", readonly=True)
    end_point = fields.Date("End Point", readonly=True)
    source = fields.Selection('get_sources', "Reason", readonly=True)
    keep_until = fields.Date("Kept Until", readonly=True)
    refusal = fields.Text("Kept Because", readonly=True)

    @classmethod
    def get_sources(cls):
        Retention = Pool().get('bts.retention')
        return Retention.fields_get(['source'])['source']['selection']


class RetentionRun(Wizard):
    """Pseudonymise the personal data past their retention: the start
    lists what the run would do (the dry run), the button does it for
    today"""
    __name__ = 'bts.retention.run'
    start = StateView('bts.retention.run.start',
        'bts_programme.retention_run_start_view_form', [
            # No default: the Enter key neither closes the dry run nor
            # pseudonymises
            Button("Close", 'end', 'tryton-cancel'),
            Button("Pseudonymise", 'pseudonymise', 'tryton-clear'),
            ])
    pseudonymise = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        Retention = pool.get('bts.retention')
        date = Date.today()
        return {
            'date': date,
            'lines': Retention.preview(date),
            }

    def transition_pseudonymise(self):
        # Today's date, not the client's: the run never anticipates
        Pool().get('bts.retention').pseudonymise()
        return 'end'
