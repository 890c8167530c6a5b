"""Answer latency of `pia ask` without an LLM (the extractive answer), on the bundled knowledge.

    .venv/bin/python benchmarks/bench_ask.py [--embedder use] [--data-dir DIR] [--limit N]

Indexes the seeds into a temporary data dir (unless --data-dir points at an existing index), then answers every
question of knowledge/eval/questions.yaml once cold-started and again warm, and reports the first (cold) answer,
the warm median / p95 / max, and the share of warm answers under 1 s (the target).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = ap.parse_args()

    import yaml

    from bot.engine import Engine
    from bot.resources import knowledge_file
    from bot.settings import Settings

    questions = [q["q"] for q in yaml.safe_load(knowledge_file("eval/questions.yaml").read_text("utf-8"))["questions"]]
    if args.limit:
        questions = questions[: args.limit]

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(args.data_dir) if args.data_dir else Path(tmp)
        settings = Settings(_env_file=None, pia_data_dir=data_dir, pia_embedder=args.embedder, pia_llm=None)
        if not args.data_dir:
            # build the index in another process, so that this one starts cold
            import os
            import subprocess

            env = dict(os.environ, PIA_DATA_DIR=str(data_dir), PIA_EMBEDDER=args.embedder)
            env.pop("PIA_LLM", None)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from bot.cli import run; run()", "index"], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           cwd=str(Path(__file__).resolve().parents[1]))
            print(f"index build (subprocess): {time.perf_counter() - t:.2f} s", file=sys.stderr)

        t = time.perf_counter()
        engine = Engine(settings)
        engine.ask(questions[0])
        cold = time.perf_counter() - t

        times = []
        for q in questions:
            t = time.perf_counter()
            engine.ask(q)
            times.append(time.perf_counter() - t)

    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    under = sum(1 for x in times if x < 1.0) / len(times)
    print(f"questions: {len(times)}  embedder: {args.embedder}  llm: none")
    print(f"cold first answer in a fresh process (store, BM25, embedder load): {cold:.2f} s")
    print(f"warm: median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms; under 1 s: {under:.0%}")


if __name__ == "__main__":
    main()
