#!/usr/bin/env bash
# Crawls the benchmark site (10,000 notice pages on 127.0.0.1, served by the bench binary's
# --serve mode) with gazette and with a minimal Scrapy spider, and reports pages/s and peak RSS
# of each (from /usr/bin/time -v when present, else psutil). Scrapy is installed into a
# virtualenv under target/. Politeness is off for both: it is our own site on loopback.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
work="$root/target/crawl-vs-scrapy"
venv="$root/target/scrapy-venv"
mkdir -p "$work"

if [[ ! -x "$venv/bin/scrapy" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet scrapy psutil
fi

bench="$(cargo bench -p gazette-worker --bench crawl --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "crawl":
        print(m["executable"])')"

"$bench" --serve > "$work/site.url" &
site_pid=$!
trap 'kill $site_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -s "$work/site.url" ]] && break; sleep 0.1; done
base="$(head -1 "$work/site.url")"
echo "site: $base (10,000 notice pages, 100 list pages)"

cat > "$work/spider.py" <<'PY'
import scrapy


class NoticeSpider(scrapy.Spider):
    """Follows the 100 list pages and stores each notice page's title and text."""

    name = "notices"
    custom_settings = {
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
    }

    def __init__(self, base, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [f"{base}/list_{n}.html" for n in range(1, 101)]

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            if href.startswith("/n/"):
                yield response.follow(href, self.parse_notice)

    def parse_notice(self, response):
        yield {
            "url": response.url,
            "title": response.css("h1::text").get(),
            "text": "\n".join(response.css("div.article p::text").getall()),
        }
PY

measure() { # name, command...
    local name="$1"; shift
    local start end
    start=$(date +%s.%N)
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -v "$@" > "$work/$name.out" 2> "$work/$name.time"
        rss_kib=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/$name.time")
    else
        "$venv/bin/python" - "$work/$name.out" "$@" > "$work/$name.rss" <<'PY'
import subprocess, sys, time, psutil
out = open(sys.argv[1], "w")
p = psutil.Popen(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL)
peak = 0
while p.poll() is None:
    try:
        peak = max(peak, p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True)))
    except psutil.Error:
        pass
    time.sleep(0.05)
print(peak // 1024)
PY
        rss_kib=$(cat "$work/$name.rss")
    fi
    end=$(date +%s.%N)
    secs=$(python3 -c "print(f'{$end - $start:.2f}')")
    rate=$(python3 -c "print(f'{10100 / ($end - $start):.0f}')")
    printf '%-8s %8s s %8s pages/s %8s MiB peak RSS\n' "$name" "$secs" "$rate" "$((rss_kib / 1024))"
}

rm -f "$work/items.jsonl"
measure gazette "$bench" --crawl "$base"
grep -h "gazette:" "$work/gazette.out" || true
measure scrapy "$venv/bin/scrapy" runspider "$work/spider.py" -a "base=$base" -o "$work/items.jsonl:jsonlines"
echo "scrapy items: $(wc -l < "$work/items.jsonl")"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
