"""Load time of the sample drafts in every format, and of the 61-page benchmark PDF (target: well under 5 s).

    .venv/bin/python benchmarks/bench_loaders.py [--runs 5]

For each file: pages, characters, and the median / max of `load_document` over the runs (the first run of the
process included, so imports and PDFium start-up count once).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from bot.loaders import load_document

    print(f"import bot.loaders: {time.perf_counter() - t0:.2f} s")
    files = [*sorted((ROOT / "examples").glob("sample_*.*")), ROOT / "examples" / "large_60p.pdf"]
    print(f"{'file':40} {'pages':>5} {'chars':>7} {'median s':>9} {'max s':>7}")
    for path in files:
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            doc = load_document(path)
            times.append(time.perf_counter() - t)
        chars = sum(len(p) for p in doc.pages)
        print(f"{path.name:40} {len(doc.pages):>5} {chars:>7} {statistics.median(times):>9.3f} {max(times):>7.3f}")


if __name__ == "__main__":
    main()
