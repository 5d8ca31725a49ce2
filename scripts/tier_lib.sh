#!/usr/bin/env bash
# shellcheck disable=SC2154  # dry_run, root and env_file are set by the sourcing script
# Shared by install_tier.sh and stop_tier.sh (sourced). Expects $dry_run (true|false), $root
# and $env_file (the tier's .env).

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

# docker compose (plugin) or docker-compose (Debian's package) on the project's stack. The
# docket service reads the same .env (DOCKET_ENV_FILE in infra/docker-compose.yml).
compose() {
  if docker compose version >/dev/null 2>&1; then
    run env DOCKET_ENV_FILE="$env_file" docker compose --env-file "$env_file" -f "$root/infra/docker-compose.yml" "$@"
  else
    run env DOCKET_ENV_FILE="$env_file" docker-compose --env-file "$env_file" -f "$root/infra/docker-compose.yml" "$@"
  fi
}
