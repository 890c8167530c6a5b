"""Time indexing the bundled knowledge (the seeds + the catalog) on a fresh data dir.

    .venv/bin/python benchmarks/bench_index.py [--embedder use] [--runs 3]

Prints: model load time, the first (cold) index build, a rebuild with the model already loaded (warm),
a no-change re-index (idempotent run), and the embedder's throughput in texts/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    from bot.embeddings import get_embedder
    from bot.settings import Settings
    from bot.store import open_store
    from indexer.pipeline import embed_parts, index_paths

    def quiet(*a) -> None:
        pass

    t = time.perf_counter()
    emb = get_embedder(args.embedder)
    emb.embed_query("ウォームアップ")
    load = time.perf_counter() - t

    with tempfile.TemporaryDirectory() as d:
        settings = Settings(pia_data_dir=Path(d) / "cold", pia_embedder=args.embedder)
        t = time.perf_counter()
        report = index_paths(open_store(settings), [], progress=quiet)
        first = time.perf_counter() - t

        warm = []
        for i in range(args.runs):
            s = Settings(pia_data_dir=Path(d) / f"warm{i}", pia_embedder=args.embedder)
            t = time.perf_counter()
            index_paths(open_store(s), [], progress=quiet)
            warm.append(time.perf_counter() - t)

        store = open_store(settings)
        t = time.perf_counter()
        index_paths(store, [], progress=quiet)
        again = time.perf_counter() - t

        from bot.catalog import load_catalog  # noqa: F401 - already loaded; just the records for throughput
        records = store.all_records()
        parts = [p for r in records for p in embed_parts(r)]
        t = time.perf_counter()
        emb.embed_documents(parts)
        tput = len(parts) / (time.perf_counter() - t)

    print(f"embedder               {emb.name} (dim {emb.dim}), cpus={os.cpu_count()}")
    print(f"records                {report.total_records} ({len(parts)} embedded lines)")
    print(f"model load             {load:.2f} s")
    print(f"first index (fresh)    {first:.2f} s")
    runs = ", ".join(f"{x:.2f}" for x in warm)
    print(f"index, model loaded    median {statistics.median(warm):.2f} s  (runs: {runs})")
    print(f"re-index, no change    {again:.2f} s")
    print(f"embedding throughput   {tput:.0f} lines/s")


if __name__ == "__main__":
    main()
