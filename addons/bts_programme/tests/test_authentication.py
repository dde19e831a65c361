# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Strong authentication (art. 32 of the law of 21 July 2023): the login
with a time-based one-time password (RFC 6238) and recovery codes, the
lockout per login and client address, the answer time of unknown logins,
the idle session timeout, and the secrets that no RPC call reads.

The logins go through ``trytond.security.login`` with the client address
in the context, as the web server calls it."""
import argparse
import base64
import contextlib
import datetime as dt
import json
import unittest
from unittest.mock import patch
from urllib.parse import quote

from trytond import config, security
from trytond.exceptions import LoginException, RateLimitException
from trytond.modules.bts_programme.authentication import (
    TOTP_STEP,
    TotpError,
    time_step,
    totp,
)
from trytond.modules.bts_programme.cli import load_demo
from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.res import user as res_user
from trytond.tests.test_tryton import (
    DB_NAME,
    Client,
    activate_module,
    drop_db,
)
from trytond.transaction import Transaction
from trytond.wsgi import app

PASSWORD = 'Strong-authentication-32'
SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
ATTACKER = '203.0.113.7'
OFFICE = '198.51.100.20'


@contextlib.contextmanager
def authentications(methods):
    saved = config.get('session', 'authentications')
    config.set('session', 'authentications', methods)
    try:
        yield
    finally:
        config.set('session', 'authentications', saved)


def code(secret=SECRET, offset=0):
    "The code of an authenticator app holding secret, offset steps away"
    return totp(base64.b32decode(secret), time_step() + offset)


def enrol_action():
    "The action of the enrolment wizard, run at login after a reset"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Wizard = pool.get('ir.action.wizard')
    return Wizard(ModelData.get_id(
            'bts_programme', 'wizard_totp_enrol')).action


class TotpTestCase(unittest.TestCase):
    "Login with password and TOTP"

    @classmethod
    def setUpClass(cls):
        activate_module(['bts_programme'])
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            User = pool.get('res.user')
            admin, = User.search([('login', '=', 'admin')])
            admin.password = PASSWORD
            admin.save()
            User.create([{
                        'login': login, 'name': login, 'password': PASSWORD,
                        } for login in ['enrolled', 'newcomer', 'auditeur']])
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def setUp(self):
        # The delays of failed logins are recorded, not slept: the largest
        # delay trytond may draw (randint(0, 2 ** count - 1))
        self.delays = []
        sleep = patch('time.sleep', side_effect=self.delays.append)
        randint = patch('random.randint', side_effect=lambda a, b: b)
        # The clock of the TOTP codes stands still in the middle of a step:
        # a code does not change between two logins of a test
        clock = patch(
            'trytond.modules.bts_programme.authentication.time')
        for patcher in [sleep, randint, clock]:
            mock = patcher.start()
            self.addCleanup(patcher.stop)
        mock.time.return_value = 1_800_000_000 + TOTP_STEP // 2
        self.enrol('enrolled')
        self.unenrol('newcomer')

    def unenrol(self, login):
        "No second factor for login, and no enrolment open"
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            User = pool.get('res.user')
            Totp = pool.get('res.user.totp')
            user, = User.search([('login', '=', login)])
            Totp.delete(Totp.search([('user', '=', user.id)]))
            User.write([user], {
                    'totp_enrolment_deadline': None, 'actions': [('remove', [
                                a.id for a in user.actions])]})
            transaction.commit()

    def enrol(self, login):
        "Set up the second factor of login with SECRET; its recovery codes"
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            User = pool.get('res.user')
            Totp = pool.get('res.user.totp')
            Recovery = pool.get('res.user.totp.recovery')
            Attempt = pool.get('res.user.login.attempt')
            user, = User.search([('login', '=', login)])
            Attempt.delete(Attempt.search([]))
            Totp.delete(Totp.search([('user', '=', user.id)]))
            Totp.create([{'user': user.id, 'secret': SECRET}])
            codes = Recovery.generate(user)
            transaction.commit()
        return codes

    def user_id(self, login):
        with Transaction().start(DB_NAME, 0):
            user, = Pool().get('res.user').search([('login', '=', login)])
            return user.id

    def login(self, login, address=OFFICE, **parameters):
        return security.login(
            DB_NAME, login, parameters, cache=False,
            context={'_request': {'remote_addr': address}})

    def test_rfc6238_vectors(self):
        "The SHA-1 test vectors of RFC 6238, appendix B"
        secret = b'12345678901234567890'
        for timestamp, expected in [
                (59, '94287082'), (1111111109, '07081804'),
                (1111111111, '14050471'), (1234567890, '89005924'),
                (2000000000, '69279037'), (20000000000, '65353130')]:
            with self.subTest(timestamp=timestamp):
                self.assertEqual(
                    totp(secret, timestamp // TOTP_STEP, digits=8), expected)

    def test_password_then_code(self):
        "The code is asked once the password is right, and used once"
        user_id = self.user_id('enrolled')
        with authentications('password+totp'):
            with self.assertRaises(LoginException) as cm:
                self.login('enrolled', password=PASSWORD)
            self.assertEqual(cm.exception.name, 'totp_code')
            self.assertEqual(cm.exception.type, 'char')
            self.assertIsNone(self.login(
                    'enrolled', password='wrong', totp_code=code()))
            self.assertIsNone(self.login(
                    'enrolled', password=PASSWORD, totp_code='000000'
                    if code() != '000000' else '111111'))
            self.assertEqual(self.login(
                    'enrolled', password=PASSWORD, totp_code=code()),
                user_id)
            # Replayed, or an older step than the one used
            self.assertIsNone(self.login(
                    'enrolled', password=PASSWORD, totp_code=code()))
            self.assertIsNone(self.login(
                    'enrolled', password=PASSWORD, totp_code=code(offset=-1)))
            # The next step (a phone a little ahead) is accepted once
            self.assertEqual(self.login(
                    'enrolled', password=PASSWORD,
                    totp_code=code(offset=1)), user_id)
            # Far from the server's clock
            self.assertIsNone(self.login(
                    'enrolled', password=PASSWORD,
                    totp_code=code(offset=5)))

    def test_password_alone(self):
        "Without password+totp (the demo) the password is enough"
        with authentications('password'):
            self.assertEqual(
                self.login('enrolled', password=PASSWORD),
                self.user_id('enrolled'))

    def test_recovery_code_once(self):
        "A recovery code replaces the app's code once"
        codes = self.enrol('enrolled')
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        user_id = self.user_id('enrolled')
        with authentications('password+totp'):
            self.assertEqual(self.login(
                    'enrolled', password=PASSWORD,
                    totp_code=codes[3].lower().replace('-', ' ')), user_id)
            self.assertIsNone(self.login(
                    'enrolled', password=PASSWORD, totp_code=codes[3]))
            self.assertEqual(self.login(
                    'enrolled', password=PASSWORD, totp_code=codes[4]),
                user_id)
            # Not a code of another user
            other = self.enrol('auditeur')
            self.assertIsNone(self.login(
                    'enrolled', password=PASSWORD, totp_code=other[0]))

    def test_not_enrolled(self):
        """A user without second factor is refused with a message, until an
        administrator's reset opens the enrolment"""
        with authentications('password+totp'):
            with self.assertRaises(LoginException) as cm:
                self.login('newcomer', password=PASSWORD)
            self.assertIn('newcomer', cm.exception.message)
            self.assertIn('art. 32', cm.exception.message)
            self.assertIsNone(self.login(
                    'newcomer', password=PASSWORD, totp_code=code()))

            with Transaction().start(DB_NAME, 0) as transaction:
                User = Pool().get('res.user')
                user, = User.search([('login', '=', 'newcomer')])
                User.totp_reset([user])
                self.assertTrue(user.totp_enrolment_deadline
                    > dt.datetime.now() + dt.timedelta(hours=23))
                self.assertIn(enrol_action(), user.actions)
                transaction.commit()
            # The window to set it up
            self.assertEqual(
                self.login('newcomer', password=PASSWORD), user.id)
            self.assertIsNone(self.login('newcomer', password='wrong'))

            with Transaction().start(DB_NAME, 0) as transaction:
                User.write([User(user.id)], {
                        'totp_enrolment_deadline': (
                            dt.datetime.now() - dt.timedelta(minutes=1)),
                        })
                transaction.commit()
            with self.assertRaises(LoginException):
                self.login('newcomer', password=PASSWORD)

    def test_enrol(self):
        "The user sets up the second factor with a code of the app"
        pool = Pool(DB_NAME)
        with Transaction().start(DB_NAME, 0) as transaction:
            User = pool.get('res.user')
            Totp = pool.get('res.user.totp')
            user, = User.search([('login', '=', 'auditeur')])
            Totp.delete(Totp.search([('user', '=', user.id)]))
            User.totp_reset([user])
            secret = Totp.generate_secret()
            self.assertEqual(len(base64.b32decode(secret)), 20)
            with Transaction().set_user(user.id):
                with self.assertRaises(TotpError):
                    User.totp_enrol(secret, '12345')
                codes = User.totp_enrol(secret, code(secret))
                self.assertEqual(len(codes), 10)
                user = User(user.id)
                self.assertTrue(user.totp_enrolled)
                self.assertIsNone(user.totp_enrolment_deadline)
                self.assertNotIn(enrol_action(), user.actions)
                with self.assertRaises(TotpError):
                    User.totp_enrol(Totp.generate_secret(), code(secret))
            transaction.commit()
        with authentications('password+totp'):
            # The code of the enrolment is used
            self.assertIsNone(self.login(
                    'auditeur', password=PASSWORD, totp_code=code(secret)))
            self.assertEqual(self.login(
                    'auditeur', password=PASSWORD, totp_code=codes[0]),
                user.id)

    def test_enrolment_wizard(self):
        "The wizard shows the QR code, then the recovery codes once"
        pool = Pool(DB_NAME)
        with Transaction().start(DB_NAME, 0) as transaction:
            User = pool.get('res.user')
            Wizard = pool.get('res.user.totp.enrol', type='wizard')
            user, = User.search([('login', '=', 'newcomer')])
            User.totp_reset([user])
            with Transaction().set_user(user.id):
                session_id, _, _ = Wizard.create()
                scan = Wizard.execute(session_id, {}, 'start')
                self.assertEqual(scan['view']['state'], 'scan')
                values = scan['view']['defaults']
                self.assertTrue(
                    values['qr_code'].startswith(b'\x89PNG'))
                secret = values['secret']
                with self.assertRaises(TotpError):
                    Wizard.execute(session_id, {'scan': {
                                'secret': secret, 'code': 'abcdef'}},
                        'confirm')
                result = Wizard.execute(session_id, {'scan': {
                            'secret': secret, 'code': code(secret)}},
                    'confirm')
                self.assertEqual(result['view']['state'], 'codes')
                codes = result['view']['defaults']['codes'].split('\n')
                self.assertEqual(len(codes), 10)
                Wizard.delete(session_id)
                # Set up: the wizard refuses to replace the phone
                session_id, _, _ = Wizard.create()
                with self.assertRaises(TotpError):
                    Wizard.execute(session_id, {}, 'start')
            transaction.commit()
        with authentications('password+totp'):
            self.assertEqual(self.login(
                    'newcomer', password=PASSWORD, totp_code=codes[9]),
                user.id)

    def test_no_demo_users(self):
        "bts load-demo refuses a configuration that requires the code"
        with authentications('password+totp'), \
                self.assertRaises(SystemExit) as cm:
            load_demo(argparse.Namespace(
                database=DB_NAME, config=None, user=None))
        self.assertIn('second factor', str(cm.exception))
        with Transaction().start(DB_NAME, 0):
            self.assertFalse(Pool().get('res.user').search(
                    [('login', '=', 'ministere.admin')]))

    def test_provisioning_uri(self):
        "The otpauth:// URI of the QR code"
        Totp = Pool(DB_NAME).get('res.user.totp')
        self.assertEqual(
            Totp.provisioning_uri(SECRET, 'rh.ltc'),
            'otpauth://totp/BTS%3Arh.ltc?secret=' + SECRET
            + '&issuer=BTS&algorithm=SHA1&digits=6&period=30')

    def test_lockout_per_address(self):
        """The attacker's failures delay, then refuse, the attacker's
        address only: the user logs in from another address"""
        user_id = self.user_id('auditeur')
        max_attempt = config.getint('session', 'max_attempt')
        with authentications('password'):
            for n in range(max_attempt + 1):
                self.assertIsNone(self.login(
                        'auditeur', ATTACKER, password=f'guess{n}'))
            # Growing delays: up to 2 ** failures - 1 seconds
            self.assertEqual(
                self.delays, [2 ** n - 1 for n in range(max_attempt + 1)])
            for password in ['guess', PASSWORD]:
                with self.assertRaises(RateLimitException):
                    self.login('auditeur', ATTACKER, password=password)

            del self.delays[:]
            self.assertEqual(
                self.login('auditeur', OFFICE, password=PASSWORD), user_id)
            self.assertEqual(self.delays, [0])
            # The office's success does not clear the attacker's failures
            with self.assertRaises(RateLimitException):
                self.login('auditeur', ATTACKER, password=PASSWORD)
            # Nor do they lock another login from the attacker's address
            self.assertEqual(
                self.login('enrolled', ATTACKER, password=PASSWORD),
                self.user_id('enrolled'))

    def test_unknown_login_verifies_a_hash(self):
        """An unknown login is answered in the time of a known one: one hash
        of the same scheme and cost is verified for each (compared without
        a clock, which a loaded machine would make unreliable)"""
        hashing = res_user.PASSWORD_HASH
        verify = hashing.verify_and_update
        verified = []

        def record(password, hash_, *args, **kwargs):
            verified.append(hash_)
            return verify(password, hash_, *args, **kwargs)

        with authentications('password'), patch.object(
                hashing, 'verify_and_update', side_effect=record):
            for login in ['auditeur', 'nobody']:
                del verified[:]
                self.assertIsNone(self.login(login, password='wrong'))
                with self.subTest(login=login):
                    self.assertEqual(len(verified), 1)
                    hasher = hashing.current_hasher
                    self.assertTrue(hasher.identify(verified[0]))
                    self.assertFalse(hasher.check_needs_rehash(verified[0]))

    def test_idle_session(self):
        "A session unused for [session] timeout expires; max_age still holds"
        pool = Pool(DB_NAME)
        timeout = config.getint('session', 'timeout')
        user_id = self.user_id('auditeur')
        with Transaction().start(DB_NAME, 0) as transaction:
            Session = pool.get('ir.session')
            with Transaction().set_user(user_id):
                fresh, idle = Session.new(), Session.new()
            table = Session.__table__()
            cursor = transaction.connection.cursor()
            cursor.execute(*table.update(
                    [table.create_date, table.write_date],
                    [dt.datetime.now() - dt.timedelta(seconds=timeout + 60),
                        None],
                    where=table.key == idle))
            transaction.commit()
        for key, valid in [(fresh, user_id), (idle, None), (fresh, user_id)]:
            with self.subTest(valid=valid):
                self.assertEqual(
                    security.check(DB_NAME, user_id, key), valid)
        with Transaction().start(DB_NAME, 0):
            self.assertFalse(Session.search([('key', '=', idle)]))

    def test_secrets_not_readable_through_rpc(self):
        "No RPC call reads the secrets or recovery codes, as the user or admin"
        self.enrol('auditeur')
        client = Client(app, Response)

        def rpc(login, method, *params):
            return client.post(
                f'/{quote(DB_NAME)}/rpc/', content_type='application/json',
                headers={'Authorization': 'Basic ' + base64.b64encode(
                        f'{login}:{PASSWORD}'.encode()).decode()},
                data=json.dumps({
                        'id': 1, 'method': method, 'params': [*params, {}]}))

        with authentications('password'):
            for login in ['auditeur', 'admin']:
                for model in ['res.user.totp', 'res.user.totp.recovery']:
                    for method, params in [
                            ('search_read', [[], 0, None, None, ['secret']]),
                            ('read', [[1], ['secret', 'code_hash']]),
                            ('search', [[]]),
                            ('fields_get', [])]:
                        with self.subTest(login=login, call=method):
                            response = rpc(
                                login, f'model.{model}.{method}', *params)
                            self.assertEqual(response.status_code, 403)
                # Through the user: whether enrolled, never the secret
                response = rpc(
                    login, 'model.res.user.search_read',
                    [('login', '=', 'auditeur')], 0, None, None,
                    ['totp_enrolled'])
                self.assertEqual(response.status_code, 200)
                if login == 'admin':
                    result, = response.json['result']
                    self.assertIs(result['totp_enrolled'], True)
                self.assertNotIn(SECRET, response.get_data(as_text=True))
            # Only an administrator resets the second factor
            user_id = self.user_id('auditeur')
            response = rpc('auditeur', 'model.res.user.totp_reset', [user_id])
            self.assertEqual(response.json['error'][0], 'UserError')
            with Transaction().start(DB_NAME, 0):
                self.assertTrue(Pool().get('res.user')(user_id).totp_enrolled)
            response = rpc('admin', 'model.res.user.totp_reset', [user_id])
            self.assertNotIn('error', response.json)
            with Transaction().start(DB_NAME, 0):
                self.assertFalse(
                    Pool().get('res.user')(user_id).totp_enrolled)
