#!/usr/bin/env bash
# Compares gazette's cleaner with trafilatura 2.3.1 on the ten shared gov-html pages, in one run:
# pages/s on one core for both (gazette in-process via the `clean` bench, trafilatura in-process
# via benches/trafilatura_driver.py), and recall/leak/title of both via score-clean.py.
#
# Usage: notice/benches/clean-vs-trafilatura.sh [SECONDS]   (from anywhere; default 3 s each)
# Needs python3 with venv and pip access to PyPI; the venv lives in target/bench-venv.
set -euo pipefail

SECONDS_EACH="${1:-3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHARED="$ROOT/../shared"
PAGES="$SHARED/fixtures/gov-html"
GOLD="$SHARED/gold/gov-html.json"
SCORE="$SHARED/tools/score-clean.py"
VENV="$ROOT/target/bench-venv"

if [[ ! -d "$PAGES" ]]; then
    echo "skipping: shared corpus not found at $PAGES"
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

echo "== gazette"
BENCH_ONLY=gov-html BENCH_SECONDS="$SECONDS_EACH" "${PIN[@]}" \
    cargo bench -q -p gazette-notice --bench clean 2>/dev/null | grep -E "gov-html|skipping"
python3 "$SCORE" "$GOLD" "$PAGES" -- "$ROOT/target/release/examples/clean_file" | tail -n 1 || true

echo "== trafilatura 2.3.1"
"${PIN[@]}" "$VENV/bin/python" "$ROOT/notice/benches/trafilatura_driver.py" "$PAGES" "$OUT" "$SECONDS_EACH"
python3 "$SCORE" "$GOLD" "$OUT" -- cat | tail -n 1 || true
