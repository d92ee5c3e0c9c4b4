#!/usr/bin/env bash
# Writes tests/Orchestrator.Tests/Golden/journal-v<N>.jsonl: the rows this version's journal format writes for one event
# of every kind. Run it once when a new format version is introduced (a new file, never over an old one: old files
# are what later versions must still read). Usage: scripts/golden-journal.sh [version]
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-1}"
target="$PWD/tests/Orchestrator.Tests/Golden/journal-v$version.jsonl"
if [[ -e "$target" && "${FORCE:-}" != 1 ]]; then
  echo "$target exists: golden journals are never rewritten (FORCE=1 only while the version is unreleased)" >&2
  exit 1
fi
ORCHESTRATOR_WRITE_GOLDEN_JOURNAL="$target" dotnet test tests/Orchestrator.Tests \
  --filter "FullyQualifiedName~GoldenJournalTests.The_golden_journal_holds_every_kind_of_event_this_version_can_write" >/dev/null || true
test -s "$target" && echo "wrote $target ($(wc -l < "$target") rows)"
