#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine with the .NET 10 SDK needs. Idempotent; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v curl >/dev/null || need+=(curl)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v kcat >/dev/null || need+=(kcat)
# Browser tests drive Debian's Chromium through Playwright; Playwright never downloads a browser here.
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing: ${need[*]} — install them with apt-get (needs root)"; exit 1
  fi
fi
(cd src/Vpp.Host/frontend && npm ci --no-audit --no-fund --loglevel=error)
dotnet restore VPP.sln -v quiet
