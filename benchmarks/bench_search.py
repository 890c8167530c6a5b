"""Search latency on the bundled knowledge.

    .venv/bin/python benchmarks/bench_search.py [--embedder use] [--data-dir DIR]

Indexes the seeds into a temporary data dir (unless --data-dir points at an existing index), loads the models
once, then times every question of knowledge/eval/questions.yaml through the hybrid retriever (warm) and reports
the median / p95 / max latency, plus the embedder's query latency alone and the cold first query.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    from bot.evaluation.retrieval import load_questions
    from bot.retrieval import HybridRetriever
    from bot.settings import Settings
    from bot.store import open_store
    from indexer.pipeline import index_paths

    tmp = tempfile.TemporaryDirectory() if args.data_dir is None else None
    data_dir = Path(args.data_dir or tmp.name)
    settings = Settings(pia_data_dir=data_dir, pia_embedder=args.embedder)
    store = open_store(settings)
    if not store.exists():
        index_paths(store, [], progress=lambda *a: None)

    questions = [q.q for q in load_questions()]
    retriever = HybridRetriever(open_store(settings), settings)
    t = time.perf_counter()
    retriever.search(questions[0], k=10)
    cold = time.perf_counter() - t

    emb = retriever.store.embedder
    qlat = []
    for q in questions:
        t = time.perf_counter()
        emb.embed_query(q)
        qlat.append(time.perf_counter() - t)

    lat = {None: [], "checkpoint": []}
    for _ in range(args.rounds):
        for kind in lat:
            for q in questions:
                t = time.perf_counter()
                retriever.search(q, kind=kind, k=10)
                lat[kind].append(time.perf_counter() - t)

    print(f"embedder               {emb.name}; {len(questions)} questions x {args.rounds} rounds")
    print(f"first query (BM25 build, Sudachi load)       {cold * 1000:.0f} ms")
    print(f"query embedding alone  median {statistics.median(qlat) * 1000:.1f} ms")
    for kind, xs in lat.items():
        name = kind or "all kinds"
        print(f"search ({name:10s}) median {statistics.median(xs) * 1000:.1f} ms  p95 {pct(xs, 95) * 1000:.1f} ms"
              f"  max {max(xs) * 1000:.1f} ms")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
