#!/usr/bin/env bash
# Runs each docker-compose service (migrate, host, simulator) without Docker, with its own command,
# environment and health check, against local PostgreSQL and the embedded Kafka. Needs a Release build
# (./scripts/test.sh or dotnet build VPP.sln -c Release). Exits non-zero naming the service that failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export VPP_API_KEY=${VPP_API_KEY:-compose-smoke-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}
exec python3 scripts/compose_smoke.py
