#!/usr/bin/env bash
# The web UI's checks: install, typecheck, component tests, API type drift, build, and the
# end-to-end run against a real `docket serve` in headless Chromium.
#
#   DOCKET_BIN  the docket binary for the end-to-end run (default: target/debug/docket)
#   E2E_UI      preview (default: vite preview proxies the API to docket) or server
#               (docket serve serves the built UI itself)
#   UI_SKIP_E2E set to 1 to stop after the build
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/frontend"

if ! command -v node >/dev/null 2>&1; then
  echo "ui_test: Node.js is required (node 20 or newer)" >&2
  exit 1
fi

if [[ ! -x /usr/bin/chromium && "${UI_SKIP_E2E:-0}" != 1 ]]; then
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "ui_test: installing Chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "ui_test: /usr/bin/chromium is missing; install it (apt-get install chromium) as root" >&2
    exit 1
  fi
fi

echo "ui_test: npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "ui_test: typecheck"
npm run --silent typecheck

echo "ui_test: component tests"
npx vitest run

echo "ui_test: build"
npx vite build --logLevel warn

if [[ "${UI_SKIP_E2E:-0}" == 1 ]]; then
  echo "ui_test: end-to-end run skipped (UI_SKIP_E2E=1)"
  exit 0
fi

export DOCKET_BIN="${DOCKET_BIN:-$root/target/debug/docket}"
if [[ ! -x "$DOCKET_BIN" ]]; then
  echo "ui_test: no docket binary at $DOCKET_BIN (cargo build -p docket, or set DOCKET_BIN)" >&2
  exit 1
fi
echo "ui_test: end-to-end run with $DOCKET_BIN (${E2E_UI:-preview})"
node e2e/run.mjs
