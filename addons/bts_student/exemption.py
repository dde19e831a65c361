# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Exemptions (dispenses) from modules of the study plan: by the
validation of acquired experience (VAE, art. 11(2) of the law of 21 July
2023) or, for a re-admitted student, from modules already validated
(art. 13(5)). An exempted module counts as validated with its ECTS and no
grade; a BTS obtained with a VAE exemption has no mention (art. 26(1))."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.bts_programme.guard import ClientGuardMixin
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .exceptions import ExemptionError

# Art. 11(2): « le candidat doit suivre des cours correspondant à au moins
# 30 crédits ECTS du programme d'études concerné »
VAE_MIN_ECTS = Decimal(30)


class Exemption(ClientGuardMixin, ModelSQL, ModelView):
    "Exemption from a module of the study plan"
    __name__ = 'bts.student.exemption'
    __string__ = "Exemption"
    student = fields.Many2One(
        'bts.student', "Student", required=True, ondelete='CASCADE')
    module = fields.Many2One(
        'bts.programme.module', "Module", required=True, ondelete='RESTRICT',
        domain=[('programme', '=', Eval('programme', -1))])
    programme = fields.Function(
        fields.Many2One('bts.programme', "Programme"),
        'on_change_with_programme')
    reason = fields.Selection([
            ('vae', "Validation of Acquired Experience (art. 11(2))"),
            ('readmission', "Re-admission (art. 13(5))"),
            ], "Reason", required=True)
    date = fields.Date("Date", required=True)
    ects = fields.Function(fields.Numeric("ECTS", digits=(16, 1)),
        'get_ects')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('student')
        cls._sql_constraints += [
            ('student_module_unique', Unique(t, t.student, t.module),
                'bts_student.msg_exemption_unique'),
            ]

    @fields.depends('student', '_parent_student.programme')
    def on_change_with_programme(self, name=None):
        return self.student.programme if self.student else None

    def get_ects(self, name):
        return self.module.ects

    def get_rec_name(self, name):
        return f'{self.student.rec_name} - {self.module.rec_name}'

    @classmethod
    def validate_fields(cls, exemptions, field_names):
        super().validate_fields(exemptions, field_names)
        cls.check_module(exemptions)
        cls.check_vae_minimum(exemptions)

    @classmethod
    def check_module(cls, exemptions):
        "The module is one of the student's programme"
        for exemption in exemptions:
            if exemption.module.programme != exemption.student.programme:
                raise ExemptionError(gettext(
                        'bts_student.msg_exemption_programme',
                        module=exemption.module.rec_name,
                        student=exemption.student.rec_name))

    @classmethod
    def check_vae_minimum(cls, exemptions):
        """Art. 11(2): the VAE exemptions leave courses of at least 30 ECTS
        to follow"""
        for student in {e.student for e in exemptions if e.reason == 'vae'}:
            exempted = sum((e.ects for e in cls.search([
                            ('student', '=', student.id),
                            ])), Decimal(0))
            left = student.programme.total_ects - exempted
            if left < VAE_MIN_ECTS:
                raise ExemptionError(gettext(
                        'bts_student.msg_exemption_vae_minimum',
                        student=student.rec_name, left=left,
                        minimum=VAE_MIN_ECTS))


class Student(metaclass=PoolMeta):
    __name__ = 'bts.student'
    exemptions = fields.One2Many(
        'bts.student.exemption', 'student', "Exemptions")
