# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.pool import Pool, PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('bts.programme|expire_accreditations',
                "Expire BTS Accreditations"))
        cls.method.selection.append(
            ('ir.model.log|purge_processing_log',
                "Purge the Processing Log (5 years)"))
        cls.method.selection.append(
            ('bts.retention|pseudonymise',
                "Pseudonymise the Personal Data Past Their Retention"))


class Message(metaclass=PoolMeta):
    """Dates in messages as the user's language writes them (dd/mm/yyyy in
    French), not as Python prints them"""
    __name__ = 'ir.message'

    @classmethod
    def gettext(cls, *args, **variables):
        return super().gettext(*args, **cls._format_dates(args, variables))

    @classmethod
    def ngettext(cls, *args, **variables):
        return super().ngettext(*args, **cls._format_dates(args, variables))

    @classmethod
    def _format_dates(cls, args, variables):
        "The date values of variables written in the language of args"
        dates = {name for name, value in variables.items()
            if isinstance(value, dt.date) and not isinstance(
                value, dt.datetime)}
        if not dates:
            return variables
        lang = Pool().get('ir.lang').get(args[-1])
        return {name: lang.strftime(value) if name in dates else value
            for name, value in variables.items()}
