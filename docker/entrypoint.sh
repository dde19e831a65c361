#!/bin/sh
# Entrypoint of the BTS trytond image (docker/Dockerfile).
#   web     gunicorn serving trytond.application:app (JSON-RPC and the web
#           client) on WEB_BIND (0.0.0.0:8000) with WEB_WORKERS processes
#           (default 2)
#   init    create or update the database: modules, translations, admin
#           (the admin password is read from TRYTONPASSFILE the first time)
#   cron    trytond-cron
#   worker  trytond-worker (the queue: [queue] worker = True)
#   other   run as given, e.g. "trytond-console -d bts" or "bts -d bts ..."
# The database is BTS_DATABASE (default bts); its server is given by
# TRYTOND_DATABASE__URI, e.g. postgresql://bts:secret@postgres:5432/, or
# built from BTS_DB_PASSWORD_FILE (a secret file, never an environment
# variable), BTS_DB_USER (bts), BTS_DB_HOST (postgres) and BTS_DB_PORT (5432).
set -eu

database=${BTS_DATABASE:-bts}

if [ -z "${TRYTOND_DATABASE__URI:-}" ] && [ -n "${BTS_DB_PASSWORD_FILE:-}" ]; then
    if [ ! -s "$BTS_DB_PASSWORD_FILE" ]; then
        echo "entrypoint: the database password file $BTS_DB_PASSWORD_FILE" \
            "is empty: set BTS_DB_PASSWORD" >&2
        exit 2
    fi
    password=$(python -c 'import sys, urllib.parse
print(urllib.parse.quote(open(sys.argv[1]).read().strip(), safe=""))' \
        "$BTS_DB_PASSWORD_FILE")
    export TRYTOND_DATABASE__URI="postgresql://${BTS_DB_USER:-bts}:${password}@${BTS_DB_HOST:-postgres}:${BTS_DB_PORT:-5432}/"
fi
if [ -z "${TRYTOND_DATABASE__URI:-}" ]; then
    echo "entrypoint: neither TRYTOND_DATABASE__URI nor BTS_DB_PASSWORD_FILE" \
        "is set" >&2
    exit 2
fi

case "${1:-web}" in
web)
    if [ $# -gt 0 ]; then shift; fi
    # Every gunicorn worker loads the pool of the database when it starts.
    export TRYTOND_DATABASE_NAMES="${TRYTOND_DATABASE_NAMES:-$database}"
    # No --preload: each worker must open its own database connections and
    # start its own cache listener thread after the fork.
    exec gunicorn \
        --bind "${WEB_BIND:-0.0.0.0:8000}" \
        --workers "${WEB_WORKERS:-2}" \
        --timeout "${WEB_TIMEOUT:-120}" \
        --graceful-timeout 30 \
        --worker-tmp-dir /dev/shm \
        --access-logfile - \
        "$@" \
        trytond.application:app
    ;;
init)
    shift
    if [ ! -s "${TRYTONPASSFILE:-}" ]; then
        # Only the creation of the database reads the admin password.
        echo "entrypoint: no admin password in TRYTONPASSFILE: fine to" \
            "update the database, not to create it" >&2
        unset TRYTONPASSFILE
    fi
    exec trytond-admin -d "$database" --all \
        -u bts_programme bts_jury bts_indemnity bts_student bts_oversight \
        --activate-dependencies \
        -l fr de --email "${BTS_ADMIN_EMAIL:-admin@example.org}" "$@"
    ;;
cron)
    shift
    exec trytond-cron -d "$database" "$@"
    ;;
worker)
    shift
    exec trytond-worker -d "$database" "$@"
    ;;
*)
    exec "$@"
    ;;
esac
