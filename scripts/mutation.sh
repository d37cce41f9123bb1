#!/usr/bin/env bash
# Mutation testing (Stryker.NET) of the pure domain projects: how many deliberate bugs the unit tests
# catch. Not part of every CI run (it takes minutes per project); docs/testing.md records the scores.
# Usage: ./scripts/mutation.sh [Vpp.Domain|Vpp.Scheduling|Vpp.Protocol ...]   (default: all three)
# Reports: artifacts/mutation/<project>/reports/mutation-report.{html,json}; a summary line per project.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(Vpp.Domain Vpp.Scheduling Vpp.Protocol)
root=$PWD
for p in "${projects[@]}"; do
  out="$root/artifacts/mutation/$p"
  rm -rf "$out"; mkdir -p "$out"
  (cd "tests/$p.Tests" && dotnet stryker --project "$p.csproj" --concurrency 2 --reporter json --reporter html --reporter progress \
     --output "$out" ${STRYKER_ARGS:-}) > "$out/stryker.log" 2>&1 || { tail -n 30 "$out/stryker.log"; exit 1; }
  score=$(grep -o 'The final mutation score is [0-9.]* %' "$out/stryker.log" | tail -n1)
  echo "$p: ${score:-no score (see $out/stryker.log)}"
done
