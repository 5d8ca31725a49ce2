#!/usr/bin/env bash
# Starts Docket on its embedded defaults, without Docker: SQLite ledger and files under
# ./storage, listening on 127.0.0.1:8080 (override with DOCKET_BIND, DOCKET_STORAGE_DIR, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p docket
exec ./target/release/docket serve "$@"
