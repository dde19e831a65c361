# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class StudentError(UserError):
    pass


class AdmissionError(UserError):
    pass


class EnrolmentError(ValidationError):
    pass


class FeeError(UserError):
    pass


class ExemptionError(ValidationError):
    pass
