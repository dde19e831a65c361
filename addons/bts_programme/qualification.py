# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval

from .party import PartyLyceesMixin

# Vademecum §II.4: a foreign title registered before this date carries no
# CLQ level and its holder must apply for a new registration.
REGISTRATION_WITH_LEVEL = dt.date(2016, 11, 18)
# Vademecum §II.1 (RGD of 21 July 2023): rate category per CLQ level of the
# diploma and per level of art. 11 of the law of 28 October 2016.
CLQ_RATES = {
    '8': 'external_r1', '7': 'external_r1', '6': 'external_r2',
    '5': 'external_r3', 'below_5': 'external_r4'}
PROFESSION_RATES = {
    'e': 'external_r1', 'd': 'external_r2', 'c': 'external_r3',
    'b': 'external_r4', 'a': 'external_r4'}
# From the highest rate to the lowest
RATE_ORDER = ['external_r1', 'external_r2', 'external_r3', 'external_r4']
CLQ_LEVELS = [
    (None, ''),
    ('below_5', "Below Level 5"),
    ('5', "Level 5"),
    ('6', "Level 6"),
    ('7', "Level 7"),
    ('8', "Level 8"),
    ]


class Qualification(PartyLyceesMixin, ModelSQL, ModelView):
    """Qualification of a provider: a diploma with its level in the
    Luxembourg qualifications framework (CLQ) and its registration in the
    register of training titles, or an authorisation to practise a regulated
    profession (vademecum §II.1, §II.4; law of 28 October 2016, arts. 11,
    67-69). Its documents are attached once and serve every contract."""
    __name__ = 'bts.qualification'
    __string__ = "Qualification"
    party = fields.Many2One(
        'party.party', "Person", required=True, ondelete='CASCADE')
    kind = fields.Selection([
            ('diploma', "Diploma"),
            ('profession', "Regulated Profession"),
            ], "Kind", required=True)
    title = fields.Char("Title", required=True)
    clq_level = fields.Selection(
        CLQ_LEVELS, "CLQ Level", sort=False,
        states={
            'invisible': Eval('kind') != 'diploma',
            'required': Eval('kind') == 'diploma',
            })
    registration = fields.Selection([
            (None, ''),
            ('registered', "Registered in the Register of Training Titles"),
            ('national', "National Diploma (Registered ex officio)"),
            ('benelux', "Benelux Decision (Exempted)"),
            ('none', "Not Registered"),
            ], "Registration", sort=False,
        states={
            'invisible': Eval('kind') != 'diploma',
            'required': Eval('kind') == 'diploma',
            })
    registration_reference = fields.Char(
        "Registration Decision",
        states={
            'invisible': Eval('registration') != 'registered',
            'required': Eval('registration') == 'registered',
            })
    registration_date = fields.Date(
        "Registration Date",
        states={
            'invisible': Eval('registration') != 'registered',
            'required': Eval('registration') == 'registered',
            })
    registration_level = fields.Selection(
        CLQ_LEVELS, "CLQ Level of the Registration", sort=False,
        states={
            'invisible': Eval('registration') != 'registered',
            },
        help="The level stated on the registration decision; registrations "
        "before 18 November 2016 state none.")
    profession_level = fields.Selection([
            (None, ''),
            ('a', "Art. 11 a)"),
            ('b', "Art. 11 b)"),
            ('c', "Art. 11 c)"),
            ('d', "Art. 11 d)"),
            ('e', "Art. 11 e)"),
            ], "Qualification Level", sort=False,
        states={
            'invisible': Eval('kind') != 'profession',
            'required': Eval('kind') == 'profession',
            })
    needs_registration = fields.Function(
        fields.Boolean("Needs a New Registration"),
        'on_change_with_needs_registration')
    interim_justification = fields.Text(
        "Interim Justification",
        states={
            'invisible': ~Eval('needs_registration'),
            },
        help="The ministry's written reasons to pay the 6.28 rate while the "
        "new registration is pending (vademecum, §II.4).")
    rate_kind = fields.Function(fields.Selection([
                (None, ''),
                ('external_r1', "12.07 (R1)"),
                ('external_r2', "10.07 (R2)"),
                ('external_r3', "7.68 (R3)"),
                ('external_r4', "6.28 (R4)"),
                ], "Rate Category"), 'on_change_with_rate_kind')
    documents = fields.Function(
        fields.Integer("Documents"), 'get_documents')

    @classmethod
    def default_kind(cls):
        return 'diploma'

    def get_rec_name(self, name):
        return f'{self.title} ({self.party.rec_name})'

    @fields.depends(
        'kind', 'registration', 'registration_date', 'registration_level')
    def on_change_with_needs_registration(self, name=None):
        "Vademecum §II.4: unregistered or registered without a CLQ level"
        if self.kind != 'diploma':
            return False
        return (self.registration == 'none'
            or (self.registration == 'registered'
                and ((self.registration_date or dt.date.min)
                    < REGISTRATION_WITH_LEVEL
                    or not self.registration_level)))

    @fields.depends(
        'kind', 'profession_level', 'interim_justification', 'registration',
        'clq_level', 'registration_level',
        methods=['on_change_with_needs_registration'])
    def on_change_with_rate_kind(self, name=None):
        "Return the rate category the qualification gives, if any"
        if self.kind == 'profession':
            return PROFESSION_RATES.get(self.profession_level)
        if self.on_change_with_needs_registration():
            return 'external_r4' if self.interim_justification else None
        if self.registration == 'registered':
            return CLQ_RATES.get(self.registration_level)
        return CLQ_RATES.get(self.clq_level)

    @classmethod
    def get_documents(cls, qualifications, name):
        Attachment = Pool().get('ir.attachment')
        counts = dict.fromkeys((q.id for q in qualifications), 0)
        for attachment in Attachment.search([
                    ('resource', 'in', [str(q) for q in qualifications]),
                    ]):
            counts[attachment.resource.id] += 1
        return counts

    def missing_documents(self):
        """Return the message if the documents the vademecum §II.4 requires
        are missing: the diploma and the registration decision, the diploma
        alone for an exempted one, or the authorisation to practise"""
        if not self.documents:
            return gettext(
                'bts_programme.msg_qualification_documents_missing',
                qualification=self.rec_name)
