#!/usr/bin/env python3
"""Times trafilatura.extract (title included) over HTML pages on one core and writes each
page's output to OUT_DIR under the page's own file name, for score-clean.py with `cat`.

Usage: trafilatura_driver.py PAGES_DIR OUT_DIR [SECONDS]
Prints one line: `trafilatura pages=N pages_per_s=X mb_per_s=Y`.
"""
import sys
import time
from pathlib import Path

import trafilatura


def extract(raw):
    # Bytes in, so that trafilatura's own charset handling is part of the measurement.
    return trafilatura.extract(raw, output_format="txt", with_metadata=True,
                               include_comments=False, include_tables=True) or ""


def main():
    pages_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
    pages = sorted(p for p in pages_dir.iterdir() if p.suffix == ".html")
    raws = [p.read_bytes() for p in pages]
    out_dir.mkdir(parents=True, exist_ok=True)
    for page, raw in zip(pages, raws):
        (out_dir / page.name).write_text(extract(raw), encoding="utf-8")
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for raw in raws:
            extract(raw)
            done += 1
    rate = done / (time.perf_counter() - start)
    mb_per_page = sum(len(r) for r in raws) / len(raws) / 1e6
    print(f"trafilatura pages={len(raws)} pages_per_s={rate:.1f} mb_per_s={rate * mb_per_page:.2f}")


if __name__ == "__main__":
    main()
