#!/usr/bin/env bash
# Dashboard load: a host (Release, volatile store, embedded Kafka), a fleet of homes reporting every
# second (3 devices each: battery, PV, meter), then vpp-sim dashboards three times in the same run:
# no viewers (the host's CPU for the fleet alone: the baseline), 1 viewer, and N viewers each signed in
# as the homeowner of one home and watching it live.
# Usage: ./scripts/bench-dashboards.sh [homes=3334] [viewers=1000] [seconds=60]    (3334 homes = 10 002 devices)
set -euo pipefail
cd "$(dirname "$0")/.."
homes=${1:-3334}; viewers=${2:-1000}; seconds=${3:-60}
dotnet build src/Vpp.Host -c Release -v quiet -nologo >/dev/null
dotnet build simulators/Vpp.Simulators -c Release -v quiet -nologo >/dev/null
port=5188
Vpp__OperatorApiKey=bench-operator-key-0001 Vpp__Portal__SignInAttemptsPerMinute=1000000 Logging__LogLevel__Default=Warning \
  dotnet src/Vpp.Host/bin/Release/net10.0/Vpp.Host.dll --urls "http://127.0.0.1:$port" --contentRoot "$PWD/src/Vpp.Host" >/tmp/vpp-bench-dashboards-host.log 2>&1 &
host=$!
fleet=""
trap 'kill $fleet $host 2>/dev/null || true; wait $fleet $host 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.5; done

dotnet simulators/Vpp.Simulators/bin/Release/net10.0/vpp-sim.dll fleet --url "http://127.0.0.1:$port" --api-key bench-operator-key-0001 --homes "$homes" >/tmp/vpp-bench-dashboards-fleet.log 2>&1 &
fleet=$!
want=$((homes * 3))
for _ in $(seq 1 600); do
  open=$(curl -sf -H "X-Api-Key: bench-operator-key-0001" "http://127.0.0.1:$port/api/diagnostics" | grep -o '"openDeviceConnections":[0-9]*' | cut -d: -f2 || true)
  [ "${open:-0}" -ge "$want" ] && break; sleep 1
done
echo "fleet: ${open:-0}/$want devices connected, each reporting every second"
sleep 10 # let the fleet settle
sim() { dotnet simulators/Vpp.Simulators/bin/Release/net10.0/vpp-sim.dll dashboards --url "http://127.0.0.1:$port" --api-key bench-operator-key-0001 --host-pid "$host" --seconds "$seconds" "$@"; }
echo "== baseline: no viewers"; sim --viewers 0
echo "== 1 viewer"; sim --viewers 1
echo "== $viewers viewers"; sim --viewers "$viewers"
