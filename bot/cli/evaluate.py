"""`pia eval [--json]`: the project's own quality figures.

- retrieval: hit@1, hit@3, MRR of checkpoints on knowledge/eval/questions.yaml, lexical only / dense only / hybrid;
- finding attribution accuracy (bot.evaluation.attribution) and draft flag precision/recall (bot.evaluation.flags),
  when those modules are installed.
"""

from __future__ import annotations

import importlib
import sys
import unicodedata

import click

from bot.cli import emit

OPTIONAL = {
    "attribution": ("bot.evaluation.attribution", "evaluate_attribution"),
    "flags": ("bot.evaluation.flags", "evaluate_flags"),
}
MODE_LABELS = {"lexical": "語彙のみ", "dense": "ベクトルのみ", "hybrid": "ハイブリッド"}


@click.command("eval")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する")
@click.option("--misses/--no-misses", default=False, help="1 位を外した質問を表示する")
def evaluate(as_json: bool, misses: bool):
    """評価セットで検索・所見の帰属・記載漏れ指摘の精度を測る。"""
    from bot.engine import Engine
    from bot.evaluation.retrieval import evaluate_retrieval, load_heldout_questions

    engine = Engine()
    engine.retriever.warm()
    print("[pia eval] 検索の評価中…", file=sys.stderr, flush=True)
    retrieval = evaluate_retrieval(engine.retriever)
    payload: dict = {"retrieval": retrieval.model_dump(mode="json", exclude=None if misses else {"misses"})}
    heldout = load_heldout_questions()
    if heldout:
        print("[pia eval] 検索の評価中（未調整の別セット）…", file=sys.stderr, flush=True)
        payload["retrieval_heldout"] = evaluate_retrieval(engine.retriever, heldout).model_dump(
            mode="json", exclude=None if misses else {"misses"})
    for key, (module, func) in OPTIONAL.items():
        payload[key] = _optional(module, func)
    emit(payload, as_json, _human)


def _optional(module: str, func: str):
    try:
        fn = getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError):
        return {"available": False}
    print(f"[pia eval] {module} を実行中…", file=sys.stderr, flush=True)
    result = fn()
    if hasattr(result, "model_dump"):
        result = result.model_dump(mode="json")
    return result if isinstance(result, dict) else {"result": result}


def _human(payload: dict) -> str:
    lines = _retrieval_lines(payload["retrieval"], "検索（細目）")
    if payload.get("retrieval_heldout"):
        lines += _retrieval_lines(payload["retrieval_heldout"], "検索（細目、未調整の別セット）")
    for key, title in (("attribution", "所見の帰属"), ("flags", "記載漏れ指摘")):
        res = payload.get(key) or {}
        if res.get("available") is False:
            lines.append(f"{title}: 利用できません（not available）")
            continue
        nums = {k: v for k, v in res.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        lines.append(f"{title}: " + ("、".join(f"{k}={_fmt(v)}" for k, v in nums.items()) or str(res)))
    return "\n".join(lines)


def _retrieval_lines(r: dict, title: str) -> list[str]:
    lines = [
        f"{title}: {r['questions']} 問、埋め込み {r['embedder']}",
        f"  {_pad('方式', 22)}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}",
    ]
    for m in r["modes"]:
        label = f"{MODE_LABELS.get(m['mode'], m['mode'])} ({m['mode']})"
        lines.append(f"  {_pad(label, 22)}{m['hit_at_1']:>8.3f}{m['hit_at_3']:>8.3f}{m['mrr']:>8.3f}")
    if r.get("hybrid_by_tag"):
        lines.append("  ハイブリッドの質問タグ別 hit@1: " + "、".join(
            f"{t['tag']} {t['hit_at_1']:.2f} ({t['questions']})" for t in r["hybrid_by_tag"]))
    for miss in r.get("misses") or []:
        lines.append(f"    × {miss['q']}  期待 {','.join(miss['expect'])} → {','.join(miss['got'])}")
    return lines


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal where kanji/kana take two columns."""
    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - cols)


def _fmt(v) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)
