# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class CompositionError(UserError):
    pass


class MembershipError(ValidationError):
    pass


class SittingError(UserError):
    pass


class ConflictOfInterestError(UserError):
    pass


class CurriculumHoursError(UserError):
    pass
