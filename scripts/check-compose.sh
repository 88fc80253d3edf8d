#!/usr/bin/env bash
# Static checks of the compose stack, for CI. Needs no Docker engine and installs nothing:
#   1. `docker-compose config -q` (or `docker compose config -q`) passes with a dummy WEBHOOK_TOKENS,
#   2. without WEBHOOK_TOKENS it fails and names the variable,
#   3. every bind-mounted host path exists,
#   4. no leftovers from the deprecated auto-setup era and no unpinned images,
#   5. deploy/**/*.sh parse (`bash -n`, plus `sh -n` for /bin/sh scripts) and are executable.
# Usage: scripts/check-compose.sh   (override the compose command with COMPOSE="docker compose")
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -n "${COMPOSE:-}" ]]; then
  read -r -a compose <<<"$COMPOSE"
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  echo "check-compose: neither docker-compose nor the docker compose plugin is available" >&2
  exit 1
fi

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() { echo "ok:   $*"; }

# Ignore a developer's local .env so the result depends on the repository only.
run_compose() { env -u WEBHOOK_TOKENS "$@"; }
empty_env=$(mktemp)
trap 'rm -f "$empty_env"' EXIT
compose_args=(--env-file "$empty_env" -f docker-compose.yml)
dummy_tokens="check-compose-dummy-token-0123456789"

# 1. valid with WEBHOOK_TOKENS set
if out=$(WEBHOOK_TOKENS="$dummy_tokens" "${compose[@]}" "${compose_args[@]}" config -q 2>&1); then
  pass "${compose[*]} config -q (WEBHOOK_TOKENS set)"
else
  fail "${compose[*]} config -q (WEBHOOK_TOKENS set):"$'\n'"$out"
fi

# 2. clear error without WEBHOOK_TOKENS
if out=$(run_compose "${compose[@]}" "${compose_args[@]}" config -q 2>&1); then
  fail "config -q without WEBHOOK_TOKENS should fail but passed"
elif grep -q 'WEBHOOK_TOKENS' <<<"$out"; then
  pass "config -q without WEBHOOK_TOKENS fails naming WEBHOOK_TOKENS"
else
  fail "config -q without WEBHOOK_TOKENS failed without naming it:"$'\n'"$out"
fi

# 3. bind-mount sources exist (short syntax "- /abs:/target" or long syntax "source: /abs")
if rendered=$(WEBHOOK_TOKENS="$dummy_tokens" "${compose[@]}" "${compose_args[@]}" config 2>/dev/null); then
  mapfile -t sources < <(
    { grep -oE '^[[:space:]]*- /[^:]+:' <<<"$rendered" | sed -E 's/^[[:space:]]*- //; s/:$//'
      grep -oE '^[[:space:]]*source: /.*$' <<<"$rendered" | sed -E 's/^[[:space:]]*source: //'
    } | sort -u
  )
  for src in "${sources[@]}"; do
    if [[ -e "$src" ]]; then pass "bind mount source exists: $src"; else fail "bind mount source missing: $src"; fi
  done
  [[ -e deploy/temporal/dynamicconfig/development-sql.yaml ]] \
    && pass "dynamic config file exists" \
    || fail "deploy/temporal/dynamicconfig/development-sql.yaml missing (the server exits without it)"
fi

# 4. stale or unpinned configuration (comments ignored)
code=$(grep -vE '^[[:space:]]*#' docker-compose.yml)
if grep -nE 'auto-setup|tctl|TEMPORAL_CLI_ADDRESS|SKIP_SCHEMA_SETUP|AUTO_SETUP|(^|[^_A-Za-z])(DEFAULT_NAMESPACE|SERVICES)\b|DB: *postgres(ql)?[[:space:]]*$|DB=postgres(ql)?[[:space:]]*$' <<<"$code"; then
  fail "docker-compose.yml uses names from the deprecated auto-setup/tctl era (see above)"
else
  pass "no auto-setup/tctl leftovers"
fi
if grep -nE 'image: *[^[:space:]]+:latest|image: *[^:[:space:]]+[[:space:]]*$' <<<"$code"; then
  fail "unpinned image tag (see above)"
else
  pass "all images pinned"
fi

# 5. shell scripts
mapfile -t scripts < <(find deploy -type f -name '*.sh' | sort)
if [[ ${#scripts[@]} -eq 0 ]]; then
  fail "no deploy/**/*.sh found"
fi
for f in "${scripts[@]}"; do
  if bash -n "$f"; then pass "bash -n $f"; else fail "bash -n $f"; fi
  if head -n1 "$f" | grep -qE '^#!/bin/sh'; then
    if sh -n "$f"; then pass "sh -n $f"; else fail "sh -n $f"; fi
  fi
  [[ -x "$f" ]] || fail "$f is not executable"
done

if ((failures > 0)); then
  echo "check-compose: $failures check(s) failed" >&2
  exit 1
fi
echo "check-compose: all checks passed"
