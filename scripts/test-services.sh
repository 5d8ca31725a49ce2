#!/usr/bin/env bash
# Installs (if missing) and starts the services the test suite talks to for real:
# a PostgreSQL server on a private port (and shellcheck for the scripts, poppler-utils for PDFs). Source it: it exports DOCKET_TEST_POSTGRES_URL.
# Safe to run again: an already running test cluster is reused.
set -euo pipefail

pg_port="${DOCKET_TEST_PG_PORT:-55432}"
pg_dir="${DOCKET_TEST_PG_DIR:-/tmp/docket-test-pg}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v shellcheck >/dev/null 2>&1 || need_apt+=(shellcheck)
# PDF text comes from poppler's pdftotext, pdfinfo and pdfimages; qpdf rewrites PDF fixtures.
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

pg_bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
run_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! run_pg "$pg_bin/pg_ctl" -D "$pg_dir" status >/dev/null 2>&1; then
  if [ ! -f "$pg_dir/PG_VERSION" ]; then
    as_root mkdir -p "$pg_dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pg_dir"
    run_pg "$pg_bin/initdb" -D "$pg_dir" -U postgres --auth=trust >/dev/null
  fi
  run_pg "$pg_bin/pg_ctl" -D "$pg_dir" -l "$pg_dir/server.log" -w \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300" start >/dev/null
fi

export DOCKET_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
echo "PostgreSQL for tests: $DOCKET_TEST_POSTGRES_URL"
