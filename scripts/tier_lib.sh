#!/usr/bin/env bash
# shellcheck disable=SC2154  # dry_run and root are set by the sourcing script
# Shared by install_tier.sh and stop_tier.sh (sourced). Expects $dry_run (true|false) and $root.

# Runs a command, or prints it under --dry-run.
run() {
  if $dry_run; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# True when a Docker engine answers (the client alone is not enough).
docker_answers() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1
}

# docker compose (plugin) or docker-compose (Debian's package) on the project's stack.
compose() {
  if docker compose version >/dev/null 2>&1; then
    run docker compose --env-file "$root/infra/.env" -f "$root/infra/docker-compose.yml" "$@"
  else
    run docker-compose --env-file "$root/infra/.env" -f "$root/infra/docker-compose.yml" "$@"
  fi
}
