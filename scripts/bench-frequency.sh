#!/usr/bin/env bash
# Central frequency response latency: host (Release, volatile store, embedded Kafka on localhost:19092)
# and vpp-sim frequency-bench (N battery homes on their own WebSockets) as separate processes.
# Baseline first, in the same run: vpp-sim fanout-server/fanout-bench (a bare WebSocket fan-out of the same frames).
# Also times utility dispatch starts (startsAt → last setpoint frame), each setpoint recorded as an event.
# Usage: [DRIVER_NICE=19] ./scripts/bench-frequency.sh [batteries=1000] [events=30] [dispatches=0] [store=volatile|postgres]
# DRIVER_NICE: run the load driver at a lower CPU priority, so that the host has the cores first.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Vpp.Host -c Release -v quiet -nologo >/dev/null
dotnet build simulators/Vpp.Simulators -c Release -v quiet -nologo >/dev/null
port=5187
sim=simulators/Vpp.Simulators/bin/Release/net10.0/vpp-sim.dll
# Baseline in the same run: a bare Kestrel WebSocket fan-out of the same frames to the same devices (no Kafka, no grains).
dotnet "$sim" fanout-server --port 5098 >/tmp/vpp-bench-fanout-server.log 2>&1 &
fanout=$!
trap 'kill $fanout 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:5098/count" >/dev/null 2>&1 && break; sleep 0.5; done
nice -n "${DRIVER_NICE:-0}" dotnet "$sim" fanout-bench --url "http://127.0.0.1:5098" --devices "${1:-1000}" --events "${2:-30}" | tee /tmp/vpp-bench-fanout.txt
kill $fanout; wait $fanout 2>/dev/null || true
pg=""
if [ "${4:-volatile}" = postgres ]; then pg=$(./scripts/postgres.sh); fi
env "ConnectionStrings__Postgres=$pg" Vpp__OperatorApiKey=bench-operator-key-0001 Vpp__MaxMessagesPerSecond=0 Logging__LogLevel__Default=Warning "Logging__LogLevel__Vpp.Host.Devices.DeviceGateway=Debug" \
  dotnet src/Vpp.Host/bin/Release/net10.0/Vpp.Host.dll --urls "http://127.0.0.1:$port" --contentRoot "$PWD/src/Vpp.Host" >/tmp/vpp-bench-frequency-host.log 2>&1 &
host=$!
trap 'kill $host 2>/dev/null || true; wait $host 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.5; done
nice -n "${DRIVER_NICE:-0}" dotnet "$sim" frequency-bench --url "http://127.0.0.1:$port" --api-key bench-operator-key-0001 \
  --batteries "${1:-1000}" --events "${2:-30}" --dispatches "${3:-0}"
# Server side: the signal reaching the host (grid-signals consumer) → the last frame of the batch written to its socket.
grep -o 'signal → last frame [0-9.]* ms' /tmp/vpp-bench-frequency-host.log | awk '{print $5}' | sort -n | \
  awk '{a[NR]=$1} END {if (NR) printf "signal arrived → last frame written (server)   p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d batches)\n", a[int((NR+1)/2)], a[int(NR*0.99+0.999)], a[NR], NR}' \
  | tee /tmp/vpp-bench-frequency-server.txt
# Ratio against the bare fan-out of this run (1.0 = the VPP's path costs no more than writing the frames).
paste <(grep -o 'written (server) *p50 [0-9.]* ms *p99 [0-9.]*' /tmp/vpp-bench-fanout.txt | awk '{print $4, $7}') \
      <(awk '{print $9, $12}' /tmp/vpp-bench-frequency-server.txt) | \
  awk 'NF == 4 {printf "server side vs bare fan-out                     p50 %.2f  p99 %.2f (ratio; bare %.1f / %.1f ms)\n", $3 / $1, $4 / $2, $1, $2}'
# Server side alone: from the gateway receiving the region's batch to every frame written.
grep -o 'frames written in [0-9.]* ms' /tmp/vpp-bench-frequency-host.log | awk '{print $4}' | sort -n | \
  awk '{a[NR]=$1} END {if (NR) printf "gateway write of one batch (server side)       p50 %.1f ms  max %.1f ms  (%d batches)\n", a[int((NR+1)/2)], a[NR], NR}'
