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

# Parallelism, on purpose: the unit, grain, persistence and simulator projects run beside each other
# (dotnet test runs a solution's test projects concurrently); the end-to-end project then runs alone,
# its classes one after another (its GlobalUsings), so its wall-clock flows (20 s market products, 5 s
# frequency deadlines) never share the two cores with another test project. Every test is still run.
status=0
if ! dotnet build VPP.sln -c Release > "$results/dotnet-build.log" 2>&1; then
  status=1
  grep -E ": error " "$results/dotnet-build.log" | sort -u || tail -n 40 "$results/dotnet-build.log"
fi
if [ "$status" -eq 0 ]; then
  dotnet test tests/without-end-to-end.slnf -c Release --no-build --logger "trx" --results-directory "$results" 2>&1 | tee "$results/dotnet-test.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  dotnet test tests/Vpp.EndToEnd.Tests -c Release --no-build --logger "trx" --results-directory "$results" 2>&1 | tee -a "$results/dotnet-test.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi

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
