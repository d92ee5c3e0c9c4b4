#!/usr/bin/env bash
# Mutation testing of the decision core (Stryker.NET, a local dotnet tool pinned in .config/dotnet-tools.json):
# every mutant of the pure core files named in stryker-config.json should be killed by the core's own unit tests in
# tests/Orchestrator.Tests (the actor, feature and hosting tests are left out: slow, and not tests of the core).
#   bash scripts/mutation.sh                 the full run (about 30 minutes on 2 cores); report in StrykerOutput/reports/
#   bash scripts/mutation.sh --since:main    only the core files changed since main
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
cd tests/Orchestrator.Tests
dotnet stryker --config-file ../../stryker-config.json --output ../../StrykerOutput "$@"
