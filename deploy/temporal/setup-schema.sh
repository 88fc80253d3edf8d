#!/bin/sh
# One-shot job (temporalio/admin-tools image): create the Temporal databases and apply the
# schemas before the server starts. Every step is idempotent, so it runs on every `up`;
# upgrading the server = bump the admin-tools tag together with the server tag.
#
# Env: POSTGRES_SEEDS (host), DB_PORT, POSTGRES_USER, SQL_PASSWORD (read by temporal-sql-tool),
#      DBNAME, VISIBILITY_DBNAME.
# POSIX sh only: the admin-tools image has busybox sh, no bash.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS must name the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER must be set}"
: "${SQL_PASSWORD:?SQL_PASSWORD must be set (temporal-sql-tool reads it)}"
DB_PORT="${DB_PORT:-5432}"
DBNAME="${DBNAME:-temporal}"
VISIBILITY_DBNAME="${VISIBILITY_DBNAME:-temporal_visibility}"
SCHEMA_DIR="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
MAX_ATTEMPTS="${SETUP_MAX_ATTEMPTS:-30}"
SLEEP_SECONDS="${SETUP_SLEEP_SECONDS:-2}"

attempt=1
until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; do
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "setup-schema: PostgreSQL at $POSTGRES_SEEDS:$DB_PORT not reachable after $attempt attempts" >&2
    exit 1
  fi
  echo "setup-schema: waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT ($attempt/$MAX_ATTEMPTS)"
  attempt=$((attempt + 1))
  sleep "$SLEEP_SECONDS"
done

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" "$@"
}

setup_db() {
  db="$1"
  schema="$2"
  echo "setup-schema: database $db ($schema schema)"
  sql_tool --db "$db" create
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$SCHEMA_DIR/$schema/versioned"
}

setup_db "$DBNAME" temporal
setup_db "$VISIBILITY_DBNAME" visibility

echo "setup-schema: done"
