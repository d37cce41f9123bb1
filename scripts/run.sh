#!/usr/bin/env bash
# One command: build, start the host on embedded defaults, start a simulated fleet, print the page URL.
# Usage: ./scripts/run.sh [homes]      (default 50; Ctrl+C stops both)
set -euo pipefail
cd "$(dirname "$0")/.."
homes=${1:-50}
port=${VPP_PORT:-5080}
export Vpp__OperatorApiKey=${Vpp__OperatorApiKey:-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}
mkdir -p .run

dotnet build VPP.sln -c Release -v quiet -nologo
dotnet src/Vpp.Host/bin/Release/net10.0/Vpp.Host.dll --urls "http://localhost:$port" --contentRoot "$PWD/src/Vpp.Host" >.run/host.log 2>&1 &
host=$!
trap 'kill $host 2>/dev/null; wait $host 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 60); do curl -fs "http://localhost:$port/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://localhost:$port/health" >/dev/null || { echo "host did not start; see .run/host.log"; exit 1; }

echo "API docs:    http://localhost:$port/api-docs   operator key (X-Api-Key): $Vpp__OperatorApiKey"
echo "Host log:    .run/host.log"
dotnet simulators/Vpp.Simulators/bin/Release/net10.0/vpp-sim.dll fleet --url "http://localhost:$port" --api-key "$Vpp__OperatorApiKey" --homes "$homes" &
fleet=$!
trap 'kill $fleet $host 2>/dev/null; wait $fleet $host 2>/dev/null' EXIT INT TERM

# A homeowner account for the first home, so its dashboard can be tried at once.
password=$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')
for _ in $(seq 1 60); do
  curl -fs -H "X-Api-Key: $Vpp__OperatorApiKey" "http://localhost:$port/api/sites/home-00000" >/dev/null 2>&1 && break; sleep 0.5
done
curl -fs -X POST -H "X-Api-Key: $Vpp__OperatorApiKey" -H "Content-Type: application/json" \
  -d "{\"username\":\"demo\",\"password\":\"$password\"}" "http://localhost:$port/api/sites/home-00000/homeowners" >/dev/null \
  || echo "(could not create the demo homeowner account; see .run/host.log)"
echo "VPP is up:   http://localhost:$port/"
echo "  homeowner: user demo, password $password  (home-00000's dashboard)"
echo "  operator:  sign in with the operator key above (fleet dashboard)"
wait $fleet
