#!/usr/bin/env bash
# Central frequency response latency: host (Release, volatile store, embedded Kafka on localhost:19092)
# and vpp-sim frequency-bench (N battery homes on their own WebSockets) as separate processes.
# Also times utility dispatch starts (startsAt → last setpoint frame), each setpoint recorded as an event.
# Usage: [DRIVER_NICE=19] ./scripts/bench-frequency.sh [batteries=1000] [events=30] [dispatches=0] [store=volatile|postgres]
# DRIVER_NICE: run the load driver at a lower CPU priority, so that the host has the cores first.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Vpp.Host -c Release -v quiet -nologo >/dev/null
dotnet build simulators/Vpp.Simulators -c Release -v quiet -nologo >/dev/null
port=5187
pg=""
if [ "${4:-volatile}" = postgres ]; then pg=$(./scripts/postgres.sh); fi
env "ConnectionStrings__Postgres=$pg" Vpp__OperatorApiKey=bench Vpp__MaxMessagesPerSecond=0 Logging__LogLevel__Default=Warning "Logging__LogLevel__Vpp.Host.Devices.DeviceGateway=Debug" \
  dotnet src/Vpp.Host/bin/Release/net10.0/Vpp.Host.dll --urls "http://127.0.0.1:$port" --contentRoot "$PWD/src/Vpp.Host" >/tmp/vpp-bench-frequency-host.log 2>&1 &
host=$!
trap 'kill $host 2>/dev/null || true; wait $host 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.5; done
nice -n "${DRIVER_NICE:-0}" dotnet simulators/Vpp.Simulators/bin/Release/net10.0/vpp-sim.dll frequency-bench --url "http://127.0.0.1:$port" --api-key bench \
  --batteries "${1:-1000}" --events "${2:-30}" --dispatches "${3:-0}"
# Server side: the signal reaching the host (grid-signals consumer) → the last frame of the batch written to its socket.
grep -o 'signal → last frame [0-9.]* ms' /tmp/vpp-bench-frequency-host.log | awk '{print $5}' | sort -n | \
  awk '{a[NR]=$1} END {if (NR) printf "signal arrived → last frame written (server)   p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d batches)\n", a[int((NR+1)/2)], a[int(NR*0.99+0.999)], a[NR], NR}'
# Server side alone: from the gateway receiving the region's batch to every frame written.
grep -o 'frames written in [0-9.]* ms' /tmp/vpp-bench-frequency-host.log | awk '{print $4}' | sort -n | \
  awk '{a[NR]=$1} END {if (NR) printf "gateway write of one batch (server side)       p50 %.1f ms  max %.1f ms  (%d batches)\n", a[int((NR+1)/2)], a[NR], NR}'
