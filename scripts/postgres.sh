#!/usr/bin/env bash
# Installs (if needed) and starts a local PostgreSQL server for the tests and for a local cluster:
# postgres/postgres on 127.0.0.1:5432, with a database named orchestrator. Needs root (apt, pg_ctlcluster).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if pg_isready -q -h 127.0.0.1 2>/dev/null; then
  echo "PostgreSQL is already running on 127.0.0.1:5432"
else
  command -v pg_ctlcluster >/dev/null || { apt-get update -q && apt-get install -y -q postgresql; }
  PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
  pg_ctlcluster "$PGVER" main start || true   # apt cannot start it in containers without systemd
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  pg_isready -h 127.0.0.1
fi

su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres';\""   # 127.0.0.1 connections need a password
su postgres -c "createdb orchestrator" 2>/dev/null || true
