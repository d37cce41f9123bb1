#!/usr/bin/env bash
# Persistence load runs on the local PostgreSQL (scripts/postgres.sh), each with its bare baseline in the same run:
#   decisions through battery grains vs plain Marten appends; rollup writer vs PostgreSQL COPY.
# Usage: ./scripts/bench-persistence.sh [sites=200] [commands=20] [devices=10000] [seconds=300]
set -euo pipefail
cd "$(dirname "$0")/.."
sites=${1:-200}; commands=${2:-20}; devices=${3:-10000}; seconds=${4:-300}
pg=$(./scripts/postgres.sh)
dotnet build simulators/Vpp.Benchmarks -c Release -v quiet -nologo >/dev/null
bench=simulators/Vpp.Benchmarks/bin/Release/net10.0/vpp-bench.dll
dotnet "$bench" events --pg "$pg" --sites "$sites" --commands "$commands" 2>&1 | grep -v -i "daemon\|will not be executed"
dotnet "$bench" rollups --pg "$pg" --devices "$devices" --seconds "$seconds"
