#!/bin/sh
# Regenerates expected.json: the cases generate.mjs makes, decided by @cloud-copilot/iam-simulate.
#
#   tests/differential/run_simulator.sh [generate.mjs arguments]   (default: --count 2100 --seed 1)
#
# Needs node and the npm registry once (npm ci installs the versions package-lock.json pins).
# Commit expected.json afterwards: the integration test (tests/integration/
# test_iam_differential.py) re-runs generate.mjs with the arguments recorded in it, checks the
# cases hash to the recorded value, and compares Portcullis's decisions with these.
set -eu
cd "$(dirname "$0")"
[ $# -gt 0 ] || set -- --count 2100 --seed 1
[ -d node_modules/@cloud-copilot/iam-simulate ] || npm ci --no-audit --no-fund
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.out"' EXIT
start=$(date +%s)
node generate.mjs "$@" > "$tmp"
node simulate.mjs "$tmp" --generator-args "$*" > "$tmp.out"
mv "$tmp.out" expected.json
echo "run_simulator.sh: wrote expected.json ($(($(date +%s) - start))s)" >&2
