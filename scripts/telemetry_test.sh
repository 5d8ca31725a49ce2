#!/usr/bin/env bash
# Telemetry, the compose stack, Grafana and the installer against real programs: installs
# Debian's prometheus (promtool comes with it) and docker-compose when missing, builds the
# debug binary unless DOCKET_BIN names one, makes sure the web UI is built (the native install
# must serve it), then runs scripts/telemetry_test.py (what it checks is described there).
#
#   scripts/telemetry_test.sh   (builds target/debug/docket, a no-op after cargo test; or
#                                DOCKET_BIN=path/to/docket to use another binary)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -z "${DOCKET_BIN:-}" ]; then
  cargo build -p docket --locked
  export DOCKET_BIN="$PWD/target/debug/docket"
fi
if [ ! -f frontend/dist/index.html ]; then
  (cd frontend && npm ci --no-audit --no-fund && npm run build)
fi

python3 scripts/telemetry_test.py
