#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what it needs (PostgreSQL, shellcheck),
# starts a real PostgreSQL server, then formatting, lints and every test of the workspace.
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
