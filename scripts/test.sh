#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what it needs (PostgreSQL, shellcheck),
# starts a real PostgreSQL server, then formatting, lints, every test of the workspace,
# schemathesis against the API, the web UI's component and end-to-end tests, and a short
# run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/test-services.sh
source scripts/test-services.sh

echo "== shellcheck"
shellcheck -S warning scripts/*.sh .ci/run

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked

echo "== API property tests (schemathesis against a real server)"
bash scripts/api_fuzz.sh 25

echo "== web UI (component tests, build, end-to-end in Chromium against docket serve)"
E2E_UI=server bash scripts/ui_test.sh

echo "== telemetry, compose stack, Grafana dashboard and installer (Prometheus, promtool, docker-compose)"
bash scripts/telemetry_test.sh

echo "== fuzz targets (a short run of each from its seeds)"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
bash scripts/fuzz.sh "${DOCKET_FUZZ_SECONDS:-10}" email pdf docx html markdown text dates entities query
