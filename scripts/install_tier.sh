#!/usr/bin/env bash
# Installs and starts one tier of Docket.
#
#   scripts/install_tier.sh <community|professional|enterprise> [--dry-run] [--native|--compose]
#
# 1. copies infra/profiles/<tier>.env to infra/.env, generating the secrets it marks
#    "generate" and keeping those an earlier install generated;
# 2. creates the storage folders (storage/billing and the others), readable by their owner only;
# 3. starts the stack: `docker compose` with the tier's profiles when a Docker engine answers
#    (or with --compose), else natively (or with --native): builds the web UI and the binary,
#    starts `docket serve` in the background (pid and log under storage/run), waits for /health.
# --dry-run prints every command and file change instead of doing it. Safe to run again.
#
# Environment: DOCKET_STORAGE_DIR (default ./storage), DOCKET_BIND (native; 127.0.0.1:8080),
# DOCKET_ENV_FILE (default infra/.env), DOCKET_BIN (native: a docket binary already built,
# which skips building the UI and the binary; its UI is the one it embeds or, for a debug
# build, frontend/dist).
set -euo pipefail

usage() {
  echo "usage: $0 <community|professional|enterprise> [--dry-run] [--native|--compose]" >&2
  exit 2
}

tier=""
dry_run=false
mode=auto
for arg in "$@"; do
  case "$arg" in
    community | professional | enterprise) [ -z "$tier" ] || usage; tier=$arg ;;
    --dry-run) dry_run=true ;;
    --native) mode=native ;;
    --compose) mode=compose ;;
    -h | --help) usage ;;
    *) echo "unknown tier or option: $arg" >&2; usage ;;
  esac
done
[ -n "$tier" ] || usage

root=$(cd "$(dirname "$0")/.." && pwd)
profile="$root/infra/profiles/$tier.env"
env_file="${DOCKET_ENV_FILE:-$root/infra/.env}"
storage="${DOCKET_STORAGE_DIR:-$root/storage}"
run_dir="$storage/run"
bind="${DOCKET_BIND:-127.0.0.1:8080}"

# shellcheck source=scripts/tier_lib.sh
. "$root/scripts/tier_lib.sh"

# Writes infra/.env from the profile: each "generate" becomes the secret an earlier install
# generated for that key, or a new random one.
write_env() {
  local tmp line key value old
  tmp=$(mktemp)
  while IFS= read -r line || [ -n "$line" ]; do
    key=${line%%=*}
    value=${line#*=}
    if [[ "$line" =~ ^[A-Z_][A-Z0-9_]*= ]] && [ "$value" = generate ]; then
      old=""
      [ -f "$env_file" ] && old=$(grep -E "^$key=" "$env_file" | tail -n 1 | cut -d= -f2- || true)
      if [ -n "$old" ] && [ "$old" != generate ]; then
        value=$old
      else
        value=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
      fi
      line="$key=$value"
    fi
    printf '%s\n' "$line" >>"$tmp"
  done <"$profile"
  install -m 0600 "$tmp" "$env_file"
  rm -f "$tmp"
}


start_native() {
  local pid_file="$run_dir/docket.pid" log_file="$run_dir/docket.log"
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "docket already runs (pid $(cat "$pid_file")); scripts/stop_tier.sh stops it"
    return 0
  fi
  local bin="${DOCKET_BIN:-}"
  if [ -z "$bin" ]; then
    run bash -c "cd '$root/frontend' && npm ci --no-audit --no-fund && npm run build"
    run cargo build --release --locked -p docket --manifest-path "$root/Cargo.toml"
    bin="$root/target/release/docket"
  elif [ ! -x "$bin" ]; then
    echo "DOCKET_BIN=$bin is not an executable file" >&2
    return 1
  fi
  if $dry_run; then
    echo "+ (set -a; . $env_file; DOCKET_STORAGE_DIR=$storage DOCKET_BIND=$bind $bin serve >>$log_file 2>&1 &) ; echo \$! >$pid_file"
    echo "+ wait for http://$bind/health"
    return 0
  fi
  (
    set -a
    # shellcheck source=/dev/null
    . "$env_file"
    set +a
    export DOCKET_STORAGE_DIR="$storage" DOCKET_BIND="$bind"
    nohup "$bin" serve >>"$log_file" 2>&1 &
    echo $! >"$pid_file"
  )
  for _ in $(seq 1 150); do
    if curl -fsS "http://$bind/health" >/dev/null 2>&1; then
      echo "Docket ($tier) runs at http://$bind/ (pid $(cat "$pid_file"), log $log_file)"
      echo "A first administrator token:"
      echo "  DOCKET_STORAGE_DIR=$storage $bin token --aud docket-billing --role PlatformAdmin --scope billing:read --ttl 8h"
      return 0
    fi
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "docket exited during start-up; the last lines of $log_file:" >&2
      tail -n 20 "$log_file" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "docket did not answer /health within 30 s; see $log_file" >&2
  return 1
}

if [ "$mode" = auto ]; then
  if docker_answers; then mode=compose; else mode=native; fi
fi

echo "installing the $tier tier ($mode)"
if $dry_run; then
  echo "+ write $env_file from $profile (mode 0600; secrets marked 'generate' kept or generated)"
else
  write_env
fi
for sub in billing secrets documents corpus index facts uploads run; do
  run install -d -m 0700 "$storage/$sub"
done
run chmod 0700 "$storage"

if [ "$mode" = compose ]; then
  profiles=$(grep -E '^COMPOSE_PROFILES=' "$profile" | tail -n 1 | cut -d= -f2-)
  profile_args=()
  IFS=',' read -r -a names <<<"$profiles"
  for name in "${names[@]}"; do
    [ -n "$name" ] && profile_args+=(--profile "$name")
  done
  compose "${profile_args[@]}" up -d --build
  echo "Docket ($tier) starts at http://127.0.0.1:8080/ ; 'docker compose -f infra/docker-compose.yml ps' shows it"
else
  start_native
fi
