#!/usr/bin/env bash
# Makes sure a local PostgreSQL server is installed and running, with a "vpp" role and database for
# development and tests. Idempotent; the test command calls it. Prints the connection string.
#   VPP_PG_DB (default vpp)
set -euo pipefail
db=${VPP_PG_DB:-vpp}
if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "PostgreSQL is missing: apt-get install postgresql (needs root)" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -qx online; then
  pg_ctlcluster "$version" main start
fi
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
for _ in $(seq 1 30); do as_postgres "pg_isready -q" && break; sleep 1; done
as_postgres "psql -qtAc \"select 1 from pg_roles where rolname='vpp'\"" | grep -q 1 \
  || as_postgres "psql -qc \"create role vpp login createdb password 'vpp'\""
as_postgres "psql -qtAc \"select 1 from pg_database where datname='$db'\"" | grep -q 1 \
  || as_postgres "createdb -O vpp $db"
port=$(pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $3}')
echo "Host=127.0.0.1;Port=$port;Database=$db;Username=vpp;Password=vpp"
