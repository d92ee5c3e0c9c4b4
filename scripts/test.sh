#!/usr/bin/env bash
# The test command: makes sure the PostgreSQL server the cluster tests need is running, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${ORCHESTRATOR_TEST_POSTGRES:-}" ]; then
  bash scripts/postgres.sh
fi
# openssl: the TLS tests run deploy/certificates.sh as an operator would.
command -v openssl >/dev/null || { apt-get update -q && apt-get install -y -q openssl; }
# Chromium and its driver: the web console is tested in a real headless browser.
{ command -v chromium >/dev/null && command -v chromedriver >/dev/null; } ||
  { apt-get update -q && apt-get install -y -q chromium chromium-driver; }
dotnet test Orchestrator.sln "$@"
