#!/usr/bin/env bash
# Regenerates the dashboard screenshots in docs/images (homeowner on a desktop and a phone, operator)
# by running the browser test that takes them: real host, real Chromium, a replayed day of telemetry.
# Usage: ./scripts/screenshots.sh     (needs ./scripts/setup.sh once: chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/images
VPP_SCREENSHOTS_DIR="$PWD/docs/images" dotnet test tests/Vpp.EndToEnd.Tests -c Release \
  --filter "FullyQualifiedName~DashboardBrowserTests.Screenshots" --logger "console;verbosity=minimal"
ls -l docs/images/*.png
