# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class AcademicYearError(ValidationError):
    pass


class StudyPlanError(ValidationError):
    pass


class AccreditationError(UserError):
    pass


class WageIndexError(UserError):
    pass


class NationalIdentifierError(ValidationError):
    pass


class RateError(ValidationError):
    pass


class QualificationError(UserError):
    pass


class ContractError(UserError):
    pass


class CapError(UserError):
    pass


class TotpError(UserError):
    pass
