#!/usr/bin/env bash
# Mutation testing of the decision core (Stryker.NET, a local dotnet tool pinned in .config/dotnet-tools.json):
# every mutant of the pure core files named in stryker-config.json must be killed by the unit and actor tests of
# tests/Orchestrator.Tests (the feature scenarios and hosting tests are left out: they are slow and test wiring).
#   bash scripts/mutation.sh                 the full run (about 15-25 minutes on 2 cores); report in StrykerOutput/
#   bash scripts/mutation.sh --since main    only the core files changed since main
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
cd tests/Orchestrator.Tests
dotnet stryker --config-file ../../stryker-config.json --output ../../StrykerOutput "$@"
