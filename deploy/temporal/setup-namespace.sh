#!/bin/sh
# One-shot job (temporalio/admin-tools image), run once the server's port is open:
#   1. wait until `temporal operator cluster health` reports SERVING,
#   2. create the namespace unless it exists,
#   3. register the custom search attributes the workflows use (idempotent: existing ones are skipped),
#   4. check that every attribute is listed.
# Every step retries inside this script: compose's service_completed_successfully does not
# cover a job that only succeeds after a restart.
#
# Env: TEMPORAL_ADDRESS (host:port), TEMPORAL_NAMESPACE, NAMESPACE_RETENTION,
#      SEARCH_ATTRIBUTES ("Name=Type Name=Type ..."), SETUP_MAX_ATTEMPTS, SETUP_SLEEP_SECONDS.
# POSIX sh only: the admin-tools image has busybox sh, no bash.
set -eu

TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-72h}"
SEARCH_ATTRIBUTES="${SEARCH_ATTRIBUTES:-CallStatus=Keyword RinggCallStatus=Keyword AgentId=Keyword WorkspaceId=Keyword}"
MAX_ATTEMPTS="${SETUP_MAX_ATTEMPTS:-60}"
SLEEP_SECONDS="${SETUP_SLEEP_SECONDS:-5}"

host="${TEMPORAL_ADDRESS%:*}"
port="${TEMPORAL_ADDRESS##*:}"

# Use the IPv4 address when the name resolves to one (the upstream sample does the same to
# avoid the CLI trying an unreachable IPv6 address first); fall back to the name.
ip="$(getent ahosts "$host" 2>/dev/null | awk '/STREAM/ && $1 ~ /^[0-9.]+$/ { print $1; exit }' || true)"
if [ -n "$ip" ]; then
  address="$ip:$port"
else
  address="$TEMPORAL_ADDRESS"
fi

# retry DESCRIPTION COMMAND [ARGS...]: run the command until it succeeds or attempts run out.
retry() {
  what="$1"
  shift
  n=1
  until "$@"; do
    if [ "$n" -ge "$MAX_ATTEMPTS" ]; then
      echo "setup-namespace: $what failed after $n attempts" >&2
      return 1
    fi
    echo "setup-namespace: $what not done yet, retrying in ${SLEEP_SECONDS}s ($n/$MAX_ATTEMPTS)"
    n=$((n + 1))
    sleep "$SLEEP_SECONDS"
  done
}

ensure_namespace() {
  temporal operator namespace describe -n "$NAMESPACE" --address "$address" >/dev/null 2>&1 \
    || temporal operator namespace create -n "$NAMESPACE" --retention "$RETENTION" --address "$address"
}

register_search_attributes() {
  # shellcheck disable=SC2086 # word splitting of $sa_args is intended
  temporal operator search-attribute create --namespace "$NAMESPACE" --address "$address" $sa_args
}

search_attributes_listed() {
  listing="$(temporal operator search-attribute list --namespace "$NAMESPACE" --address "$address")" || return 1
  for pair in $SEARCH_ATTRIBUTES; do
    name="${pair%%=*}"
    if ! printf '%s\n' "$listing" | grep -qw -- "$name"; then
      echo "setup-namespace: search attribute $name not listed yet" >&2
      return 1
    fi
  done
}

sa_args=""
for pair in $SEARCH_ATTRIBUTES; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if [ -z "$name" ] || [ "$name" = "$pair" ] || [ -z "$type" ]; then
    echo "setup-namespace: bad SEARCH_ATTRIBUTES entry '$pair' (want Name=Type)" >&2
    exit 1
  fi
  sa_args="$sa_args --name $name --type $type"
done

echo "setup-namespace: waiting for Temporal at $TEMPORAL_ADDRESS ($address)"
retry "cluster health" temporal operator cluster health --address "$address"

echo "setup-namespace: ensuring namespace '$NAMESPACE' (retention $RETENTION)"
retry "namespace '$NAMESPACE'" ensure_namespace

echo "setup-namespace: registering search attributes: $SEARCH_ATTRIBUTES"
retry "search attribute registration" register_search_attributes
retry "search attribute check" search_attributes_listed

temporal operator search-attribute list --namespace "$NAMESPACE" --address "$address"
echo "setup-namespace: done"
