#!/usr/bin/env bash
# A longer fuzz run than the suite's: VPP_FUZZ_N inputs per surface (default 100 000) for each seed given
# (default: three). Needs a Release build. Usage: ./scripts/fuzz.sh [N] [seed ...]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/postgres.sh >/dev/null
export VPP_FUZZ_N=${1:-100000}
shift || true
seeds=("$@"); [ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3)
for seed in "${seeds[@]}"; do
  echo "fuzz: $VPP_FUZZ_N inputs per surface, seed $seed"
  VPP_FUZZ_SEED=$seed dotnet test tests/Vpp.EndToEnd.Tests -c Release --no-build --filter "FullyQualifiedName~Fuzz.FuzzTests"
done
