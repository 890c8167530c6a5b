"""Calibrate the abstention threshold (bot/relevance.py) on labelled answer sets.

    PIA_DATA_DIR=... .venv/bin/python scripts/calibrate_abstention.py knowledge/eval/answers_dev.yaml [...]

Only questions that reach retrieval count (procedure and form item questions answered by their own routes never
abstain). For every (threshold, cue bonus) of a grid it prints how many out-of-scope questions would be answered
(false answers) and how many in-scope ones would abstain (false abstentions), and the abstention precision and
recall (grid: threshold 0.30..0.90, bonus 0.00..0.50); the chosen pair is the one with no false answer and the
fewest false abstentions, with the widest margin between the threshold and the nearest question on either side.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(paths: list[str]) -> int:
    from bot import answer_topics
    from bot.answer import explicit_checkpoints, gather, relevance
    from bot.bilingual import is_english, to_japanese
    from bot.engine import Engine

    engine = Engine()
    rows: list[tuple[str, bool, float, bool]] = []  # id, out_of_scope, coverage, cue
    for path in paths:
        for q in yaml.safe_load(Path(path).read_text(encoding="utf-8"))["questions"]:
            text = q["q"]
            reading = to_japanese(text).japanese if is_english(text) else text
            if explicit_checkpoints(reading, engine.catalog) or answer_topics.route_topic(engine, reading, text):
                continue
            rel = relevance(reading, gather(engine, reading), engine)
            rows.append((str(q["id"]), q["kind"] == "out_of_scope", rel.coverage, rel.cue))
    oos = sum(1 for r in rows if r[1])
    print(f"questions reaching retrieval: {len(rows)} ({oos} out of scope)")
    print(f"{'threshold':>9} {'bonus':>6} {'false answers':>14} {'false abstentions':>18} "
          f"{'precision':>10} {'recall':>7}")
    best = None
    for t10 in range(30, 91, 5):
        t = t10 / 100
        for b10 in range(0, 51, 5):
            b = b10 / 100
            answered = [r for r in rows if r[2] + (b if r[3] else 0.0) >= t]
            abstained = [r for r in rows if r not in answered]
            false_answers = sum(1 for r in answered if r[1])
            false_abstentions = sum(1 for r in abstained if not r[1])
            correct = len(abstained) - false_abstentions
            precision = correct / len(abstained) if abstained else 1.0
            recall = correct / oos if oos else 1.0
            print(f"{t:9.2f} {b:6.2f} {false_answers:14d} {false_abstentions:18d} {precision:10.3f} {recall:7.3f}")
            # distance from the threshold to the nearest question on either side (in-scope answered, out of scope)
            above = min((r[2] + (b if r[3] else 0.0) for r in answered if not r[1]), default=1.0) - t
            below = t - max((r[2] + (b if r[3] else 0.0) for r in rows if r[1]), default=0.0)
            margin = min(above, below)
            key = (false_answers, false_abstentions, -margin)
            if best is None or key < best[0]:
                best = (key, t, b)
    if best is not None:
        print(f"chosen: threshold {best[1]:.2f}, cue bonus {best[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or [str(ROOT / "knowledge/eval/answers_dev.yaml")]))
