#!/usr/bin/env bash
# Property-based API testing with schemathesis against a real `docket serve`: every operation of
# /openapi.json, called with generated valid and invalid inputs, once per audience (public, the
# billing plane's token, a tenant's token), must never answer 5xx and must answer as documented
# (status codes, content types and JSON bodies matching their schemas).
#
#   scripts/api_fuzz.sh [MAX_EXAMPLES]      (default 25 per operation and audience)
#
# Needs a built binary (DOCKET_BIN, default target/debug/docket) and python3 (installs
# schemathesis from PyPI into a cached virtualenv). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${1:-25}"
bin="${DOCKET_BIN:-target/debug/docket}"
st_version="4.32.5"
venv="${DOCKET_ST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/docket/schemathesis-$st_version}"

if [ ! -x "$venv/bin/st" ]; then
  echo "installing schemathesis $st_version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$st_version"
fi
[ -x "$bin" ] || cargo build -p docket --locked

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

export DOCKET_STORAGE_DIR="$work/storage"
export DOCKET_INGEST_ROOTS="demo=$work/matters"
export DOCKET_ONBOARDING_RATE_PER_MINUTE=100000
mkdir -p "$work/matters"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DOCKET_BIND="127.0.0.1:$port"
base="http://$DOCKET_BIND"

"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/health" >/dev/null 2>&1 && break
  sleep 0.2
done
if ! curl -fsS "$base/health" >/dev/null; then
  echo "docket did not start:"
  cat "$work/server.log"
  exit 1
fi

# A tenant with documents, so that searches, timelines and entities have something to find.
"$bin" demo >"$work/demo.log" 2>&1

token() { "$bin" token --ttl 2h "$@"; }
billing=$(token --aud docket-billing --role CustomerSuccessManager --role AutomationService \
  --scope billing:read --scope billing:write)
tenant=$(token --tenant demo --aud docket-api --role TenantAdmin --role CaseCoordinator \
  --role ResearchAnalyst --scope usage:read --scope ingest:read --scope ingest:write \
  --scope query:read --scope timeline:read)

checks="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# One worker: with two threads, Python 3.11's AST conversion (hypothesis describing its filters)
# fails now and then with "AST constructor recursion depth mismatch" (CPython gh-106905).
run() {
  local name=$1
  shift
  echo "== schemathesis: $name"
  (cd "$work" && "$venv/bin/st" run "$base/openapi.json" --checks "$checks" --max-examples "$examples" \
    --seed 20261202 --generation-deterministic --no-color --request-timeout 30 \
    --suppress-health-check all --workers 1 "$@")
}

status=0
run public --include-tag billing --exclude-path-regex '^/billing/(usage|events|triage)' || status=1
run onboarding --include-tag onboarding || status=1
run operations --include-tag operations || status=1
run billing-plane -H "Authorization: Bearer $billing" \
  --include-path-regex '^/billing/(usage|events|triage)' || status=1
run tenant -H "Authorization: Bearer $tenant" \
  --include-tag usage --include-tag documents --include-tag query --include-tag timeline || status=1

if [ "$status" -ne 0 ]; then
  echo "schemathesis found failures (server log: last lines below)"
  tail -n 40 "$work/server.log"
fi
exit "$status"
