#!/bin/sh
# First start of an empty volume: create the domain database (DOMAIN_DB) beside Dagster's own
# (POSTGRES_DB). Dagster's tables and the domain tables both use alembic_version, so they
# cannot share a database.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "CREATE DATABASE \"$DOMAIN_DB\" OWNER \"$POSTGRES_USER\""
