#!/usr/bin/env bash
# Compares gazette's cleaner with trafilatura 2.3.1 on the shared page sets (the ten gov-html
# pages and the 23 real-pages), in one run: pages/s and MB/s on one core for both (gazette
# in-process via the `clean` bench, trafilatura in-process via benches/trafilatura_driver.py),
# and recall/leak/title of both via score-clean.py.
#
# Usage: notice/benches/clean-vs-trafilatura.sh [SECONDS] [SET...]   (from anywhere; default
# 3 s each, sets gov-html and real-pages). SHARED overrides the corpus location (default
# ../shared beside the repository). Needs python3 with venv and pip access to PyPI; the venv
# lives in target/bench-venv and nothing from it is committed.
set -euo pipefail

SECONDS_EACH="${1:-3}"
shift || true
SETS=("$@")
[[ ${#SETS[@]} -gt 0 ]] || SETS=(gov-html real-pages)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
export SHARED
SCORE="$SHARED/tools/score-clean.py"
VENV="$ROOT/target/bench-venv"

if [[ ! -d "$SHARED/fixtures" ]]; then
    echo "skipping: shared corpus not found at $SHARED"
    exit 0
fi

cd "$ROOT"
cargo build -q -p gazette-notice --release --examples
cargo bench -q -p gazette-notice --bench clean --no-run

if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q "trafilatura==2.3.1" lxml_html_clean

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
# Pin both to one core so that neither gains from parallelism.
PIN=(taskset -c 0)
command -v taskset >/dev/null || PIN=()

for SET in "${SETS[@]}"; do
    PAGES="$SHARED/fixtures/$SET"
    GOLD="$SHARED/gold/$SET.json"
    echo "== $SET: gazette"
    BENCH_ONLY="$SET" BENCH_SECONDS="$SECONDS_EACH" "${PIN[@]}" \
        cargo bench -q -p gazette-notice --bench clean 2>/dev/null | grep -E "^$SET|skipping"
    python3 "$SCORE" "$GOLD" "$PAGES" -- "$ROOT/target/release/examples/clean_file" | tail -n 1 || true

    echo "== $SET: trafilatura 2.3.1"
    rm -rf "${OUT:?}/$SET"
    "${PIN[@]}" "$VENV/bin/python" "$ROOT/notice/benches/trafilatura_driver.py" "$PAGES" "$OUT/$SET" "$SECONDS_EACH"
    python3 "$SCORE" "$GOLD" "$OUT/$SET" -- cat | tail -n 1 || true
done
