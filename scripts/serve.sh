#!/usr/bin/env bash
# Starts Docket on its embedded defaults, without Docker: SQLite ledger and files under
# ./storage, listening on 127.0.0.1:8080 (override with DOCKET_BIND, DOCKET_STORAGE_DIR, ...),
# the web UI at http://127.0.0.1:8080/. Builds the UI (npm ci, npm run build: Node.js 20 or
# newer) and then the release binary, which embeds it.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v npm >/dev/null 2>&1; then
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build)
else
  echo "serve.sh: npm not found; Docket starts without its web UI (install Node.js 20+ to build it)" >&2
fi
cargo build --release --locked -p docket
exec ./target/release/docket serve "$@"
