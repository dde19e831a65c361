# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The admissibility commission (commission de recevabilité, law of 21 July
2023, art. 38(3)) as a body type of bts_jury: its composition rules, its
six concurring members and its indemnities per sitting and per dossier are
data (commission.xml); the seats of the named institutions are checked
here."""
from collections import Counter

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

ADMISSIBILITY = 'admissibility'
# Art. 38(3) al. 2: the institutions that name the members, with their
# seats; each effective member has a substitute of the same institution.
INSTITUTIONS = [
    (None, ''),
    ('higher_education', "Minister of Higher Education"),
    ('finance', "Minister of Finance"),
    ('economy', "Minister of the Economy"),
    ('education', "Minister of Education"),
    ('public_buildings', "Public Buildings Administration"),
    ('adem', "National Employment Agency (ADEM)"),
    ('employers', "Employers' Chamber"),
    ('employees', "Employees' Chamber"),
    ('agency', "Quality Assurance Agency"),
    ]
SEATS = {
    'higher_education': 2, 'finance': 1, 'economy': 1, 'education': 1,
    'public_buildings': 1, 'adem': 1, 'employers': 1, 'employees': 1,
    'agency': 1,
    }
# The roles that hold an effective seat; the secretary is an agent the
# minister designates, outside the seats.
EFFECTIVE_ROLES = {'president', 'member'}
# The president is one of the higher-education minister's representatives.
PRESIDENT_INSTITUTION = 'higher_education'


class BodyType(metaclass=PoolMeta):
    __name__ = 'bts.jury.body_type'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        selection = ('government', "Government in Council, on the "
            "Minister's Proposal")
        if selection not in cls.nominated_by.selection:
            cls.nominated_by.selection.append(selection)


class Body(metaclass=PoolMeta):
    __name__ = 'bts.jury.body'

    def composition_errors(self):
        errors = super().composition_errors()
        if self.body_type.code == ADMISSIBILITY:
            errors.extend(self.institution_errors())
        return errors

    def institution_errors(self):
        """The seats of art. 38(3) al. 2 filled once by effective members
        and once by substitutes; the president of the higher-education
        minister's representatives"""
        institutions = dict(INSTITUTIONS)
        errors = []
        for effective in [True, False]:
            counts = Counter(m.institution for m in self.members
                if m.role != 'secretary'
                and (m.role in EFFECTIVE_ROLES) == effective)
            for institution, seats in SEATS.items():
                if counts[institution] != seats:
                    errors.append(gettext(
                            'bts_oversight.msg_commission_seats',
                            institution=institutions[institution],
                            count=counts[institution], seats=seats,
                            kind=gettext('bts_oversight.msg_effective'
                                if effective
                                else 'bts_oversight.msg_substitute')))
        for member in self.members:
            if (member.role == 'president'
                    and member.institution != PRESIDENT_INSTITUTION):
                errors.append(gettext(
                        'bts_oversight.msg_commission_president',
                        member=member.party.rec_name))
        return errors


class Member(metaclass=PoolMeta):
    __name__ = 'bts.jury.member'
    institution = fields.Selection(
        INSTITUTIONS, "Institution",
        states={
            'invisible': Eval('body_type_code') != ADMISSIBILITY,
            },
        help="The institution the member represents on the admissibility "
        "commission (art. 38(3) al. 2 of the law of 21 July 2023).")
    body_type_code = fields.Function(
        fields.Char("Body Type Code"), 'on_change_with_body_type_code')

    @fields.depends('body', '_parent_body.body_type')
    def on_change_with_body_type_code(self, name=None):
        if self.body and self.body.body_type:
            return self.body.body_type.code
