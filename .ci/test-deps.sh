#!/usr/bin/env bash
# Everything the tests need beyond the machine's own services, idempotent and
# quiet when already in place: a running PostgreSQL 15, pgvector built from
# Debian's source package, the test database with the extension, Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_MAJOR=${PG_MAJOR:-15}

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "test-deps: PostgreSQL is not answering on 127.0.0.1:5432; starting the $PG_MAJOR/main cluster" >&2
  pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432 >/dev/null || { echo "test-deps: PostgreSQL did not start" >&2; exit 1; }
fi

# Settings that need a restart, applied once. The suite runs packages side by
# side, each with parallel tests on schemas of their own and concurrency
# tests that hold 50 connections at once: the stock 100 connections run out.
# pg_stat_statements lets `frontline bench` attribute each message's
# statements (issue 17).
pg_show() { psql -X -h 127.0.0.1 -U postgres -d postgres -tAc "SHOW $1"; }
restart=
if [ "$(pg_show max_connections)" -lt 400 ]; then
  psql -X -q -h 127.0.0.1 -U postgres -d postgres -c "ALTER SYSTEM SET max_connections = 400"
  restart=1
fi
case ",$(pg_show shared_preload_libraries | tr -d ' ')," in
  *,pg_stat_statements,*) ;;
  *)
    psql -X -q -h 127.0.0.1 -U postgres -d postgres -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
    restart=1
    ;;
esac
if [ -n "$restart" ]; then
  echo "test-deps: raising max_connections to 400 and loading pg_stat_statements (restarts the $PG_MAJOR/main cluster)" >&2
  pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main restart
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432 >/dev/null || { echo "test-deps: PostgreSQL did not come back" >&2; exit 1; }
fi

bash .ci/install-pgvector.sh
bash .ci/install-chromium.sh

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d postgres "$@"; }
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE test"
fi
psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d test -c "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public" 2>&1 \
  | grep -v 'already exists' >&2 || true
# Schemas left behind by killed test runs (named t<pid>_...; keep live ones).
for schema in $(psql -X -h 127.0.0.1 -U postgres -d test -tAc "SELECT nspname FROM pg_namespace WHERE nspname ~ '^t[0-9]+_[0-9]+_[0-9]+$'"); do
  pid=${schema#t}; pid=${pid%%_*}
  [ -d "/proc/$pid" ] && continue
  psql -X -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS \"$schema\" CASCADE" >/dev/null 2>&1 || true
done
