"""Bounded input: peak memory and time of one long question, against the idle figure.

    .venv/bin/python benchmarks/bench_limits.py [--embedder use] [--data-dir DIR]

Each size runs in a fresh process (so that peak RSS, ru_maxrss, belongs to that question alone): the process loads
the engine, answers a short warm-up question (the idle figure: models, store and BM25 loaded), then answers one
question of N characters and reports its time and the new peak. Sizes: 40,000 characters (Slack's longest message)
and 2,000,000 (a 2 MB line, as `pia ask --batch` could get). The engine cuts both to PIA_MAX_QUERY_CHARS (2,000).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "委託先の監督について評価書のどこに何を書けばよいですか。"
CHILD = """
import json, resource, sys, time
from bot.engine import Engine
n, sentence = int(sys.argv[1]), sys.argv[2]
engine = Engine()
engine.ask("再委託先の監督はどこに書く？")
idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
question = (sentence * (n // len(sentence) + 1))[:n]
t = time.perf_counter()
answer = engine.ask(question)
took = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"chars": n, "idle_mb": idle, "peak_mb": peak, "seconds": took,
                  "noted": answer.answer.startswith("※")}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(args.data_dir) if args.data_dir else Path(tmp)
        env = dict(os.environ, PIA_DATA_DIR=str(data_dir), PIA_EMBEDDER=args.embedder)
        env.pop("PIA_LLM", None)
        env.pop("CHROMA_HOST", None)
        if not args.data_dir:
            subprocess.run([sys.executable, "-c", "from bot.cli import run; run()", "index"], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        print(f"embedder: {args.embedder}; each size in a fresh process")
        for n in (40, 40_000, 2_000_000):
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, str(n), SENTENCE], env=env, capture_output=True,
                                 text=True, cwd=ROOT, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{n:>9,} chars: answer {r['seconds'] * 1000:6.0f} ms, idle {r['idle_mb']:.0f} MB, "
                  f"peak {r['peak_mb']:.0f} MB, note: {'yes' if r['noted'] else 'no'}  "
                  f"(process {time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
