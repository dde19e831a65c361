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
