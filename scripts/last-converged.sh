#!/usr/bin/env bash
# The deployment log without berth: from a clone of the manifest repository, the last converged
# record of each environment's services, with the task definition it names (docs/audit.md).
# Needs only git and jq. Usage: scripts/last-converged.sh [REPOSITORY] (default: the current one).
set -euo pipefail
cd "${1:-.}"
git fetch --quiet origin refs/notes/berth:refs/notes/berth 2>/dev/null || true
git notes --ref=berth list | while read -r note commit; do
  git cat-file -p "$note" | jq -c --arg commit "$commit" '
    .environments | to_entries[] | .value | to_entries[] | .value[] | . + {commit: $commit}'
done | jq -s -r '
  map(select(.outcome == "converged"))
  | group_by([.environment, .service])
  | map(max_by([.finished // .started, .started]))
  | .[] | [.environment, .service, .taskDefinitionArn, .commit] | @tsv'
