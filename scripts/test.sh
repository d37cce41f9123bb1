#!/usr/bin/env bash
# Runs every test project and prints one closing line "N passed, N failed" summed from TRX results.
# Usage: ./scripts/test.sh            (Release build, results in artifacts/test-results)
set -uo pipefail
cd "$(dirname "$0")/.."
results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

# Tests use a real PostgreSQL: make sure it is installed and running (idempotent).
./scripts/postgres.sh >/dev/null

dotnet test VPP.sln -c Release --logger "trx" --results-directory "$results" 2>&1 | tee "$results/dotnet-test.log"
status=${PIPESTATUS[0]}

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build failure counts as a failure
echo "$passed passed, $failed failed"
exit "$status"
