#!/bin/sh
# One-shot job (postgres image, used for psql only): create the application's role and database
# on the shared PostgreSQL server. Idempotent, so it runs on every `up` and also works on a data
# volume that already exists (unlike /docker-entrypoint-initdb.d, which runs only on first init).
#
# Env: PGHOST, PGPORT, PGUSER, PGPASSWORD (admin connection, read by psql),
#      APP_DB_NAME, APP_DB_USER, APP_DB_PASSWORD.
set -eu

: "${PGHOST:?PGHOST must name the PostgreSQL host}"
: "${PGUSER:?PGUSER must name an admin role}"
APP_DB_NAME="${APP_DB_NAME:-ringg}"
APP_DB_USER="${APP_DB_USER:-ringg}"
: "${APP_DB_PASSWORD:?APP_DB_PASSWORD must be set}"
MAX_ATTEMPTS="${SETUP_MAX_ATTEMPTS:-30}"
SLEEP_SECONDS="${SETUP_SLEEP_SECONDS:-2}"

attempt=1
until pg_isready -q -h "$PGHOST" -p "${PGPORT:-5432}" -U "$PGUSER"; do
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "init-app-db: PostgreSQL at $PGHOST not ready after $attempt attempts" >&2
    exit 1
  fi
  echo "init-app-db: waiting for PostgreSQL at $PGHOST ($attempt/$MAX_ATTEMPTS)"
  attempt=$((attempt + 1))
  sleep "$SLEEP_SECONDS"
done

# psql substitutes :'var' (literal) and :"var" (identifier) in script input; \gexec runs the
# generated statement only when the WHERE clause yields a row.
psql -v ON_ERROR_STOP=1 -X -q -d "${PGDATABASE:-postgres}" \
  -v app_db="$APP_DB_NAME" -v app_user="$APP_DB_USER" -v app_password="$APP_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'app_user', :'app_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user')\gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'app_user', :'app_password')\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'app_db', :'app_user')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'app_db')\gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'app_db', :'app_user')\gexec
SQL

echo "init-app-db: database '$APP_DB_NAME' owned by '$APP_DB_USER' is ready"
