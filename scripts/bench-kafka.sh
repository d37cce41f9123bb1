#!/usr/bin/env bash
# Kafka load run on an in-process mock cluster (3 brokers) with the local PostgreSQL for the outbox:
# telemetry from Kafka into twins vs a bare Confluent consumer on the same topic, and outbox latency.
# Usage: ./scripts/bench-kafka.sh [devices=1000] [messages=150000] [dispatches=50] [batch=5000]
# (The mock keeps ~5 MiB per partition: keep messages ≤ ~150 000 at 12 partitions.)
set -euo pipefail
cd "$(dirname "$0")/.."
pg=$(./scripts/postgres.sh)
dotnet build simulators/Vpp.Benchmarks -c Release -v quiet -nologo >/dev/null
dotnet simulators/Vpp.Benchmarks/bin/Release/net10.0/vpp-bench.dll kafka --pg "$pg" --devices "${1:-1000}" \
  --messages "${2:-150000}" --dispatches "${3:-50}" --batch "${4:-5000}" 2>&1 | grep -E '^  |msg/s|ratio|latency|devices='
