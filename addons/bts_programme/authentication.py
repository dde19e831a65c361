# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Strong authentication (art. 32 of the law of 21 July 2023): a time-based
one-time password (TOTP, RFC 6238) as the login method ``totp`` of
``[session] authentications``, a lockout per login and client network, the
same answer time for unknown logins and an idle session timeout."""
import base64
import datetime as dt
import hashlib
import hmac
import io
import secrets
import time
import urllib.parse

import segno
from sql.aggregate import Count

import trytond.config as config
from trytond.exceptions import LoginException
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import TotpError

# RFC 6238 with the parameters every authenticator app supports
TOTP_STEP = 30
TOTP_DIGITS = 6
TOTP_DRIFT = 1
RECOVERY_CODES = 10
# Default time an administrator's reset leaves to enrol, in seconds
ENROLMENT_WINDOW = 24 * 60 * 60


def totp(secret, step, digits=TOTP_DIGITS):
    "The RFC 6238 (HOTP of RFC 4226 on the time step) code of secret bytes"
    mac = hmac.new(secret, step.to_bytes(8, 'big'), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset:offset + 4], 'big') & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def time_step():
    "The RFC 6238 time step of now"
    return int(time.time()) // TOTP_STEP


def _secret_bytes(secret):
    return base64.b32decode(secret + '=' * (-len(secret) % 8))


def _recovery_hash(code):
    "The hash of a recovery code, whatever its case, spaces and dashes"
    code = ''.join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(code.encode()).hexdigest()


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    totp_enrolled = fields.Function(fields.Boolean(
            "Two-Factor Authentication",
            help="The user logs in with the code of an authenticator app "
            "(art. 32 of the law of 21 July 2023)."),
        'get_totp_enrolled')
    totp_enrolment_deadline = fields.Timestamp(
        "Two-Factor Enrolment Until", readonly=True,
        help="Until then the user may log in without the second factor, "
        "to set it up.")
    _dummy_hash = None

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'totp_reset': {
                    'icon': 'tryton-refresh',
                    },
                })

    @classmethod
    def get_totp_enrolled(cls, users, name):
        Totp = Pool().get('res.user.totp')
        with without_check_access():
            enrolled = {t.user.id for t in Totp.search(
                        [('user', 'in', [u.id for u in users])])}
        return {u.id: u.id in enrolled for u in users}

    @classmethod
    def _totp_enrol_action(cls):
        "The ir.action of the enrolment wizard"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Wizard = pool.get('ir.action.wizard')
        return Wizard(ModelData.get_id(
                'bts_programme', 'wizard_totp_enrol')).action

    @classmethod
    @ModelView.button
    def totp_reset(cls, users):
        """Forget the second factor of the users and let them log in
        without it to set it up again, until the enrolment deadline"""
        pool = Pool()
        Totp = pool.get('res.user.totp')
        Recovery = pool.get('res.user.totp.recovery')
        window = config.getint(
            'session', 'totp_enrolment_window', default=ENROLMENT_WINDOW)
        enrol = cls._totp_enrol_action()
        with without_check_access():
            ids = [u.id for u in users]
            Totp.delete(Totp.search([('user', 'in', ids)]))
            Recovery.delete(Recovery.search([('user', 'in', ids)]))
            for user in users:
                values = {
                    'totp_enrolment_deadline': (
                        dt.datetime.now() + dt.timedelta(seconds=window)),
                    }
                if enrol not in user.actions:
                    # The enrolment opens at the next login
                    values['actions'] = [('add', [enrol.id])]
                cls.write([user], values)

    @classmethod
    def _login_password(cls, login, parameters):
        if 'password' in parameters:
            user_id, password_hash, _ = cls._get_login(login)
            if not (user_id and password_hash):
                # Verify a hash anyway: an unknown login takes as long as a
                # known one
                cls.check_password(
                    parameters['password'], cls._get_dummy_hash())
        return super()._login_password(login, parameters)

    @classmethod
    def _get_dummy_hash(cls):
        "A hash of the current scheme and cost, of no password"
        if not cls._dummy_hash:
            cls._dummy_hash = cls.hash_password(secrets.token_hex(16))
        return cls._dummy_hash

    @classmethod
    def _login_totp(cls, login, parameters):
        pool = Pool()
        Totp = pool.get('res.user.totp')
        Recovery = pool.get('res.user.totp.recovery')
        user_id, _, _ = cls._get_login(login)
        if not user_id:
            return
        with without_check_access():
            totp_, = Totp.search([('user', '=', user_id)]) or [None]
            if not totp_:
                user = cls(user_id)
                deadline = user.totp_enrolment_deadline
                if deadline and deadline > dt.datetime.now():
                    return user_id
                if 'totp_code' not in parameters:
                    raise LoginException('totp_code', gettext(
                            'bts_programme.msg_totp_not_enrolled',
                            login=login), type='char')
                return
            if 'totp_code' not in parameters:
                raise LoginException('totp_code', gettext(
                        'bts_programme.msg_totp_code'), type='char')
            code = str(parameters['totp_code'] or '').strip()
            if totp_.use(code) or Recovery.use(user_id, code):
                return user_id

    @classmethod
    def totp_enrol(cls, secret, code):
        """Set up the second factor of the current user with secret once
        code proves the authenticator app has it; return the recovery
        codes"""
        pool = Pool()
        Totp = pool.get('res.user.totp')
        Recovery = pool.get('res.user.totp.recovery')
        user = cls(Transaction().user)
        if user.totp_enrolled:
            raise TotpError(gettext('bts_programme.msg_totp_enrolled'))
        step = Totp.match(secret, code)
        if step is None:
            raise TotpError(gettext(
                    'bts_programme.msg_totp_wrong_code', code=code))
        with without_check_access():
            Totp.create([{
                        'user': user.id, 'secret': secret, 'last_step': step,
                        }])
            codes = Recovery.generate(user)
            enrol = cls._totp_enrol_action()
            values = {'totp_enrolment_deadline': None}
            if enrol in user.actions:
                values['actions'] = [('remove', [enrol.id])]
            cls.write([user], values)
        return codes


class UserTotp(ModelSQL):
    "The TOTP secret of a user: never sent to any client"
    __name__ = 'res.user.totp'
    __string__ = "Two-Factor Secret"
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    secret = fields.Char("Secret", required=True, strip=False)
    last_step = fields.Integer("Last Step")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__ = {}
        t = cls.__table__()
        cls._sql_constraints += [
            ('user_unique', Unique(t, t.user),
                'bts_programme.msg_totp_unique'),
            ]

    @staticmethod
    def generate_secret():
        "160 random bits in base32 without padding (RFC 4226, §4 R6)"
        return base64.b32encode(secrets.token_bytes(20)).decode().rstrip('=')

    @staticmethod
    def provisioning_uri(secret, login):
        "The otpauth:// URI that authenticator apps read from a QR code"
        issuer = 'BTS'
        label = urllib.parse.quote(f'{issuer}:{login}')
        query = urllib.parse.urlencode({
                'secret': secret,
                'issuer': issuer,
                'algorithm': 'SHA1',
                'digits': TOTP_DIGITS,
                'period': TOTP_STEP,
                })
        return f'otpauth://totp/{label}?{query}'

    @staticmethod
    def match(secret, code, after=None):
        """The time step around now, after the step after, whose code is
        code; None if there is none"""
        if not (len(code) == TOTP_DIGITS and code.isdigit()):
            return
        now = time_step()
        key = _secret_bytes(secret)
        for step in range(now - TOTP_DRIFT, now + TOTP_DRIFT + 1):
            if (after is None or step > after) \
                    and hmac.compare_digest(totp(key, step), code):
                return step

    def use(self, code):
        "Whether code is a code of now not used yet; it is then used"
        step = self.match(self.secret, code, after=self.last_step)
        return step is not None and self._consume(step)

    def _consume(self, step):
        "Record step as used unless a concurrent login used it first"
        cursor = Transaction().connection.cursor()
        table = self.__table__()
        cursor.execute(*table.update(
                [table.last_step], [step],
                where=(table.id == self.id)
                & ((table.last_step == None)  # noqa: E711
                    | (table.last_step < step))))
        return cursor.rowcount == 1


class UserTotpRecovery(ModelSQL):
    "A recovery code of a user, stored hashed and deleted once used"
    __name__ = 'res.user.totp.recovery'
    __string__ = "Two-Factor Recovery Code"
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    code_hash = fields.Char("Code Hash", required=True, strip=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__ = {}

    @classmethod
    def generate(cls, user):
        "Replace the recovery codes of user by new ones and return them"
        cls.delete(cls.search([('user', '=', user.id)]))
        codes = []
        for _ in range(RECOVERY_CODES):
            # 80 random bits: out of reach of a search over the hashes
            code = base64.b32encode(secrets.token_bytes(10)).decode()
            codes.append('-'.join(
                    code[i:i + 4] for i in range(0, len(code), 4)))
        cls.create([{'user': user.id, 'code_hash': _recovery_hash(c)}
                for c in codes])
        return codes

    @classmethod
    def use(cls, user_id, code):
        "Whether code is an unused recovery code of the user; it is used"
        if len(code) < 16:
            return False
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.delete(
                where=(table.user == user_id)
                & (table.code_hash == _recovery_hash(code))))
        return cursor.rowcount == 1


class LoginAttempt(metaclass=PoolMeta):
    """Failed logins counted per login, device cookie and client network:
    an attacker's failures delay and refuse only the attacker's network,
    never the user logging in from elsewhere"""
    __name__ = 'res.user.login.attempt'

    @classmethod
    def _where(cls, table, login, device_cookie):
        _, ip_network = Transaction().remote_address()
        return ((table.login == login[:cls.login.size])
            & (table.device_cookie == device_cookie)
            & (table.ip_network == (str(ip_network) if ip_network else None)))

    @classmethod
    def remove(cls, login, device_cookie=None):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.delete(
                where=cls._where(table, login, device_cookie)))

    @classmethod
    def count(cls, login, device_cookie=None):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(Count(),
                where=cls._where(table, login, device_cookie)
                & (table.create_date >= cls.delay())))
        return cursor.fetchone()[0]


class Session(metaclass=PoolMeta):
    "A session unused for [session] timeout seconds expires"
    __name__ = 'ir.session'

    @classmethod
    def check(cls, user, key, domain=None):
        find = super().check(user, key, domain=domain)
        if find and not cls.check_timeout(user, key, domain=domain):
            return False
        return find


class TotpEnrolScan(ModelView):
    "Two-Factor Authentication"
    __name__ = 'res.user.totp.enrol.scan'
    __string__ = "Two-Factor Authentication Set-up"
    qr_code = fields.Binary("QR Code", readonly=True)
    secret = fields.Char(
        "Key", readonly=True, strip=False,
        help="To type into the app if it cannot scan the QR code.")
    code = fields.Char(
        "Code", required=True,
        help="The 6-digit code the app shows once it has the key.")


class TotpEnrolCodes(ModelView):
    "Two-Factor Authentication Recovery Codes"
    __name__ = 'res.user.totp.enrol.codes'
    __string__ = "Two-Factor Recovery Codes"
    codes = fields.Text("Recovery Codes", readonly=True)


class TotpEnrol(Wizard):
    "Set up Two-Factor Authentication"
    __name__ = 'res.user.totp.enrol'
    start = StateTransition()
    scan = StateView('res.user.totp.enrol.scan',
        'bts_programme.totp_enrol_scan_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Confirm", 'confirm', 'tryton-ok', default=True),
            ])
    confirm = StateTransition()
    codes = StateView('res.user.totp.enrol.codes',
        'bts_programme.totp_enrol_codes_view_form', [
            Button("Done", 'end', 'tryton-ok', default=True),
            ])

    def transition_start(self):
        User = Pool().get('res.user')
        if User(Transaction().user).totp_enrolled:
            raise TotpError(gettext('bts_programme.msg_totp_enrolled'))
        return 'scan'

    def default_scan(self, fields):
        pool = Pool()
        User = pool.get('res.user')
        Totp = pool.get('res.user.totp')
        secret = Totp.generate_secret()
        uri = Totp.provisioning_uri(secret, User(Transaction().user).login)
        image = io.BytesIO()
        segno.make(uri, error='m').save(image, kind='png', scale=5)
        return {
            'secret': secret,
            'qr_code': image.getvalue(),
            }

    def transition_confirm(self):
        User = Pool().get('res.user')
        self.codes.codes = '\n'.join(User.totp_enrol(
                self.scan.secret, (self.scan.code or '').strip()))
        return 'codes'

    def default_codes(self, fields):
        return {'codes': self.codes.codes}
