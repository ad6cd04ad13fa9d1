#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages, starts its cluster, and creates the role and the
# database the store tests use (idempotent: a second run only checks).
# The postgres store tier reads SGAUDIT_TEST_DATABASE_URL
# (default postgres://sgaudit:sgaudit@127.0.0.1:5432/sgaudit_test).
#   PG_ROLE / PG_PASSWORD / PG_DATABASE  what to create (defaults sgaudit / sgaudit / sgaudit_test)
set -euo pipefail

start=$(date +%s)
role="${PG_ROLE:-sgaudit}"
password="${PG_PASSWORD:-sgaudit}"
database="${PG_DATABASE:-sgaudit_test}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root runuser -u postgres -- "$@"; }

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

# Debian's package creates a cluster named main for the newest installed major version.
version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  as_root pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  as_root pg_ctlcluster "$version" main start
fi
port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"

for _ in $(seq 1 50); do
  if as_postgres pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 0.2
done
as_postgres pg_isready -h 127.0.0.1 -p "$port" >/dev/null || { echo "PostgreSQL $version/main did not become ready on port $port" >&2; exit 1; }

psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != "1" ]; then
  psql_admin -c "CREATE ROLE \"$role\" LOGIN PASSWORD '$password'"
fi
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE \"$database\" OWNER \"$role\""
fi

PGPASSWORD="$password" psql -X -q -h 127.0.0.1 -p "$port" -U "$role" -d "$database" -tAc 'SELECT 1' >/dev/null
echo "PostgreSQL $version ready: postgres://$role:***@127.0.0.1:$port/$database ($(( $(date +%s) - start ))s)"
