#!/usr/bin/env bash
# Stops what scripts/install_tier.sh started: the compose project when it runs, else the native
# `docket serve` named by storage/run/docket.pid (SIGTERM: queued events are committed and
# usage.json is written before it exits). Data stays. Safe to run again.
#
#   scripts/stop_tier.sh [--dry-run]
set -euo pipefail

dry_run=false
case "${1:-}" in
  "") ;;
  --dry-run) dry_run=true ;;
  *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
storage="${DOCKET_STORAGE_DIR:-$root/storage}"
pid_file="$storage/run/docket.pid"
env_file="${DOCKET_ENV_FILE:-$root/infra/.env}"

# shellcheck source=scripts/tier_lib.sh
. "$root/scripts/tier_lib.sh"

if docker_answers && [ -f "$env_file" ]; then
  compose down
fi

if [ -f "$pid_file" ]; then
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    run kill -TERM "$pid"
    if ! $dry_run; then
      for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      if kill -0 "$pid" 2>/dev/null; then
        echo "docket (pid $pid) did not stop within 30 s" >&2
        exit 1
      fi
      echo "stopped docket (pid $pid)"
    fi
  fi
  run rm -f "$pid_file"
else
  echo "no native docket to stop"
fi
