#!/usr/bin/env bash
# The test command: makes sure the PostgreSQL server the cluster tests need is running, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${ORCHESTRATOR_TEST_POSTGRES:-}" ]; then
  bash scripts/postgres.sh
fi
dotnet test Orchestrator.sln "$@"
