#!/usr/bin/env bash
# Telemetry ingest benchmark: messages/s into device twins vs a bare Kestrel WebSocket sink, same run.
# Usage: ./scripts/bench-ingest.sh [devices=200] [warmup_s=15] [measure_s=20]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-200}; warmup=${2:-15}; measure=${3:-20}
mkdir -p .run
dotnet build VPP.sln -c Release -v quiet -nologo >/dev/null
sim=simulators/Vpp.Simulators/bin/Release/net10.0/vpp-sim.dll

dotnet "$sim" sink --port 5199 >.run/sink.log 2>&1 & sink=$!
export Vpp__OperatorApiKey=bench-operator-key-0001 Vpp__MaxMessagesPerSecond=0 Vpp__Orleans__SiloPort=11191 Vpp__Orleans__GatewayPort=30091
dotnet src/Vpp.Host/bin/Release/net10.0/Vpp.Host.dll --urls http://127.0.0.1:5181 --contentRoot "$PWD/src/Vpp.Host" >.run/bench-host.log 2>&1 & host=$!
trap 'kill $sink $host 2>/dev/null; wait $sink $host 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs http://127.0.0.1:5181/health >/dev/null 2>&1 && curl -fs http://127.0.0.1:5199/count >/dev/null 2>&1 && break; sleep 0.5; done

bare=$(dotnet "$sim" ingest --url http://127.0.0.1:5199 --target sink --devices "$devices" --warmup-s "$warmup" --seconds "$measure" | tee /dev/stderr | sed -n 's/.* \([0-9]*\) msg\/s.*/\1/p')
twins=$(dotnet "$sim" ingest --url http://127.0.0.1:5181 --target host --api-key bench-operator-key-0001 --devices "$devices" --warmup-s "$warmup" --seconds "$measure" | tee /dev/stderr | sed -n 's/.* \([0-9]*\) msg\/s.*/\1/p')
echo "devices=$devices bare_sink=${bare} msg/s twins=${twins} msg/s ratio=$(awk -v a="$twins" -v b="$bare" 'BEGIN{printf "%.2f", a/b}')"
