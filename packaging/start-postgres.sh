#!/usr/bin/env bash
# Starts the local PostgreSQL cluster (Debian's postgresql package) and makes sure the current
# user has a login role that may create databases, so twinseal-homenet's integration tests can
# run against PostgreSQL through the Unix socket in /var/run/postgresql (peer authentication).
# Idempotent; run as root (or through sudo).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  exec sudo -E bash "$0" "$@"
fi
user="${TWINSEAL_PG_ROLE:-${SUDO_USER:-root}}"

cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  echo "start-postgres: no PostgreSQL cluster found (is the postgresql package installed?)" >&2
  exit 1
fi
# shellcheck disable=SC2086
set -- $cluster
if ! pg_lsclusters --no-header | awk 'NR==1 {print $4}' | grep -q online; then
  pg_ctlcluster "$1" "$2" start
fi
for _ in $(seq 1 50); do
  if su postgres -c "psql -qAtc 'SELECT 1'" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
if ! su postgres -c "psql -qAtc \"SELECT 1 FROM pg_roles WHERE rolname = '$user'\"" | grep -q 1; then
  su postgres -c "psql -qc 'CREATE ROLE \"$user\" LOGIN CREATEDB'"
fi
echo "start-postgres: cluster $1/$2 online, role $user ready"
