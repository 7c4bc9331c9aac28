#!/bin/sh
# An rpq worker in shell, with curl and jq, over `rpq serve` (docs/PROTOCOL.md):
#   RPQ_SERVE=http://127.0.0.1:7464 RPQ_QUEUE=default contrib/http-worker.sh CMD [ARG...]
# runs CMD for each task with its payload (JSON) on stdin: exit 0 acks it with CMD's output as
# its result, any other status fails it (retried with backoff, dead once out of attempts).
# RPQ_SERVE_TOKEN: the server's token, if it has one (sent from a file, never on a command line).
set -u
base="${RPQ_SERVE:-http://127.0.0.1:7464}/api/queues/${RPQ_QUEUE:-default}"
name="$(hostname)-$$"
headers=$(mktemp) && trap 'rm -f "$headers"' EXIT && trap 'exit 143' TERM INT
[ -n "${RPQ_SERVE_TOKEN:-}" ] && printf 'Authorization: Bearer %s\n' "$RPQ_SERVE_TOKEN" >"$headers"
post() { # ROUTE BODY: the answer on stdout; fails on any status but 200
  curl -sS --fail-with-body -H @"$headers" -H 'Content-Type: application/json' \
    --data-binary "$2" "$base$1"
}
while :; do
  claim=$(post "/claim?wait=30s&consumer=$name" '{}') || { echo "claim: $claim" >&2; sleep 1; continue; }
  printf '%s\n' "$claim" | jq -c '.tasks[]' | while read -r task; do
    id=$(printf '%s' "$task" | jq -r .id)
    lease=$(printf '%s' "$task" | jq -c --arg c "$name" '{token, consumer: $c}')
    if out=$(printf '%s' "$task" | jq -c .payload | "$@"); then
      body=$(printf '%s' "$lease" | jq -c --arg r "$out" '. + {result: $r}') route=ack
    else
      body=$(printf '%s' "$lease" | jq -c '. + {error: "the handler failed"}') route=fail
    fi
    # 409: the lease ran out first; the task is someone else's now, nothing was changed.
    answer=$(post "/tasks/$id/$route" "$body") && printf '%s %s\n' "$(printf '%s' "$answer" | jq -r .outcome)" "$id" \
      || echo "$route $id: $answer" >&2
  done
done
