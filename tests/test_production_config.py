"""The production configuration files require the second factor and hold
no secret (strong authentication, art. 32 of the law of 21 July 2023;
addons/bts_programme/doc/authentication.rst); the demo keeps passwords.

    .venv/bin/python -m pytest -q tests/test_production_config.py
"""
import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = [ROOT / 'config' / 'trytond-postgresql.conf',
    ROOT / 'docker' / 'trytond.conf']
DOCKER = ROOT / 'docker'
# A password written in a URI: scheme://user:password@host
URI_PASSWORD = re.compile(r'://[^/\s:@]+:[^@\s$]+@')


def _config(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return parser


@pytest.mark.parametrize('path', PRODUCTION, ids=lambda p: p.name)
def test_production_trytond_conf(path):
    config = _config(path)
    # Every way to log in asks for the code
    methods = config.get('session', 'authentications').split(',')
    assert methods and all('totp' in m.split('+') for m in methods)
    assert 0 < config.getint('session', 'timeout') <= 30 * 60
    assert 0 < config.getint('session', 'max_age') <= 12 * 60 * 60
    assert config.getboolean('database', 'list') is False
    # The database server and its password come from the environment
    assert not config.has_option('database', 'uri')
    assert not URI_PASSWORD.search(path.read_text())


def test_proxy_is_trusted_only_on_the_loopback():
    "trytond trusts X-Forwarded-For only where the TLS proxy alone reaches it"
    config = _config(PRODUCTION[0])
    assert config.getint('web', 'num_proxies') == 1
    assert config.get('web', 'listen').startswith('127.0.0.1:')


def test_demo_keeps_passwords():
    config = _config(ROOT / 'config' / 'trytond.conf')
    assert config.get('session', 'authentications') == 'password'


def test_compose_has_no_password():
    text = (DOCKER / 'compose.yml').read_text()
    assert not URI_PASSWORD.search(text)
    # No default value for a password, no password in the environment
    assert not re.search(r'PASSWORD[A-Z_]*:-', text)
    assert not re.search(r'POSTGRES_PASSWORD\s*:', text)
    assert 'POSTGRES_PASSWORD_FILE: /run/secrets/db_password' in text
    assert 'BTS_DB_PASSWORD_FILE: /run/secrets/db_password' in text
    # nginx publishes HTTPS with a certificate folder that must be given
    assert '${BTS_TLS_DIR:?' in text
    assert re.search(r'"\$\{BTS_HTTPS_PORT:-443\}:443"', text)


def test_nginx_serves_tls_only():
    text = (DOCKER / 'nginx.conf').read_text()
    plain, tls = re.findall(r'\n    server \{\n(.*?)\n    \}\n', text, re.S)
    # Port 80 only redirects to HTTPS
    assert 'listen 80;' in plain
    assert 'return 301 https://$host$request_uri;' in plain
    assert 'proxy_pass' not in plain
    assert 'listen 443 ssl;' in tls
    assert 'ssl_certificate /etc/nginx/tls/fullchain.pem;' in tls
    assert 'ssl_protocols TLSv1.2 TLSv1.3;' in tls
    assert 'Strict-Transport-Security "max-age=31536000' in tls
    # The client address of the lockout is the one nginx sees
    assert 'proxy_set_header X-Forwarded-For $remote_addr;' in tls


def test_no_demo_users_in_production():
    "Nothing of docker/ loads the demo users and their published password"
    for name in ['entrypoint.sh', 'compose.yml', 'README.md', 'Dockerfile']:
        text = (DOCKER / name).read_text()
        assert 'load-demo' not in text, name
        assert 'bts-demo-2026' not in text, name


def _entrypoint(tmp_path, password):
    secret = tmp_path / 'db_password'
    secret.write_text(password)
    env = {
        'PATH': f'{Path(sys.executable).parent}:{os.environ["PATH"]}',
        'BTS_DB_PASSWORD_FILE': str(secret),
        'BTS_DB_HOST': 'postgres',
        }
    return subprocess.run(
        ['sh', str(DOCKER / 'entrypoint.sh'),
            'sh', '-c', 'printf %s "$TRYTOND_DATABASE__URI"'],
        env=env, capture_output=True, text=True)


def test_entrypoint_builds_uri_from_secret(tmp_path):
    result = _entrypoint(tmp_path, 'p@ss/w:rd %\n')
    assert result.returncode == 0, result.stderr
    assert result.stdout == 'postgresql://bts:p%40ss%2Fw%3Ard%20%25@postgres:5432/'


def test_entrypoint_refuses_empty_secret(tmp_path):
    result = _entrypoint(tmp_path, '')
    assert result.returncode == 2
    assert 'BTS_DB_PASSWORD' in result.stderr
