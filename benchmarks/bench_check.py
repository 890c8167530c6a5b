"""Time and memory of `pia check` on the 60-page benchmark draft (examples/large_60p.pdf).

    .venv/bin/python benchmarks/bench_check.py [--draft examples/large_60p.pdf] [--embedder use] [--data-dir DIR]
                                               [--runs 3]

Indexes the bundled knowledge into a temporary data dir in another process (unless --data-dir points at an index),
then in this process: the first check (cold: imports, form and label index, loader), warm checks with the same
engine (median of --runs), a warm check that searches precedents for ALL 86 results with an empty cache (the worst
case: every result flagged) and again with the cache filled, and the peak memory: tracemalloc's peak during a warm
all-precedents check (a separate, untimed pass), and the process's maximum resident set size (ru_maxrss, includes
the embedding model).
Targets: warm check < 5 s on 2 cores, peak memory < 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draft", default=str(ROOT / "examples" / "large_60p.pdf"))
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    draft = Path(args.draft)
    if not draft.exists():
        sys.exit(f"{draft} not found: render it with `python examples/build.py --large`")

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(args.data_dir) if args.data_dir else Path(tmp)
        if not args.data_dir:
            env = dict(os.environ, PIA_DATA_DIR=str(data_dir), PIA_EMBEDDER=args.embedder)
            env.pop("PIA_LLM", None)
            env.pop("CHROMA_HOST", None)
            subprocess.run([sys.executable, "-c", "from bot.cli import run; run()", "index"], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        from bot.checker import check_draft
        from bot.engine import Engine
        from bot.settings import Settings

        settings = Settings(_env_file=None, pia_data_dir=data_dir, pia_embedder=args.embedder, pia_llm=None)
        engine = Engine(settings)
        report, cold = timed(lambda: check_draft(engine, draft))
        warm = [timed(lambda: check_draft(engine, draft))[1] for _ in range(args.runs)]
        engine.retriever.warm()  # the model loads once per process; not part of a check
        engine.__dict__.pop("_checker_precedents", None)
        _, all_first = timed(lambda: check_draft(engine, draft, precedents="all"))
        _, all_cached = timed(lambda: check_draft(engine, draft, precedents="all"))
        # memory: a separate pass (tracemalloc slows Python down several times)
        engine.__dict__.pop("_checker_precedents", None)
        tracemalloc.start()
        check_draft(engine, draft, precedents="all")
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    result = {
        "draft": str(draft.relative_to(ROOT) if draft.is_relative_to(ROOT) else draft),
        "pages": report.document.pages,
        "fields": len(report.fields),
        "flagged": report.summary.incomplete + report.summary.missing,
        "embedder": args.embedder,
        "cold_first_check_s": round(cold, 3),
        "warm_check_median_s": round(statistics.median(warm), 3),
        "warm_check_max_s": round(max(warm), 3),
        "all_precedents_empty_cache_s": round(all_first, 3),
        "all_precedents_cached_s": round(all_cached, 3),
        "tracemalloc_peak_mb": round(traced_peak / 2**20, 1),
        "max_rss_mb": round(rss_mb, 1),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    ok = result["warm_check_median_s"] < 5 and result["all_precedents_empty_cache_s"] < 5 and rss_mb < 1024
    print(f"target (warm < 5 s, worst-case precedents < 5 s, peak < 1 GiB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
