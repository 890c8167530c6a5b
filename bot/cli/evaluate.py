"""`pia eval [--json]`: the project's own quality figures.

- retrieval: hit@1, hit@3, MRR of checkpoints on knowledge/eval/questions.yaml, lexical only / dense only / hybrid
  (and on the held-out questions_heldout.yaml);
- answers: right-rate, abstention precision/recall, per kind and language, on each knowledge/eval/answers_*.yaml
  (bot.evaluation.answers; questions go through engine.ask, as `pia ask`), or on the files given with --answers;
- finding attribution accuracy (bot.evaluation.attribution) and draft flag precision/recall (bot.evaluation.flags),
  when those modules are installed;
- wording sets (bot.evaluation.wording): per knowledge/eval/wording_*.yaml (or the file/folder given with
  --wording), "boilerplate flagged" and "concrete passed", each text judged as `pia check` judges its field
  (engine.judge_field); the misses with --json.
`--only` runs some of these (retrieval, answers, attribution, flags, layouts, wording).
Every evaluation measures through the Engine.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import click

from bot.cli import emit

SECTIONS = ("retrieval", "answers", "attribution", "flags", "layouts", "wording")
# payload key -> "module:function"; each function takes the engine and returns a pydantic model
EVALUATIONS = {
    "attribution": "bot.evaluation.attribution:evaluate_attribution",
    "flags": "bot.evaluation.flags:evaluate_flags",
}
MODE_LABELS = {"lexical": "語彙のみ", "dense": "ベクトルのみ", "hybrid": "ハイブリッド"}


@click.command("eval")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する")
@click.option("--misses/--no-misses", default=False,
              help="1 位を外した質問・誤答を表示する（--json の回答の誤答は常に含む）")
@click.option("--only", "only", multiple=True, type=click.Choice(SECTIONS),
              help="一部の評価だけを実行する（複数指定可）")
@click.option("--answers", "answer_paths", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="回答の評価セット（answers_*.yaml 形式、複数指定可、既定は knowledge/eval/answers_*.yaml）")
@click.option("--layouts", "layouts", type=click.Choice(["fast", "all", "none"]), default="fast", show_default=True,
              help="様式の配置を変えた版での判定の一致（fast: 種類ごとに1版、all: 全版）")
@click.option("--wording", "wording", type=click.Path(), default=None,
              help="表現の判定セット（wording_*.yaml のファイルかフォルダ。既定は knowledge/eval/）")
@click.option("--samples", "samples", type=click.Path(), default=None,
              help="記載漏れ指摘を測る評価書案のフォルダ（案と <名前>.expected.yaml。既定は examples/）")
def evaluate(as_json: bool, misses: bool, only: tuple[str, ...], answer_paths: tuple[Path, ...], layouts: str,
             wording: str | None, samples: str | None):
    """評価セットで検索・回答・所見の帰属・記載漏れ指摘の精度を測る。"""
    from bot.engine import Engine
    from bot.evaluation.retrieval import evaluate_retrieval, load_heldout_questions

    run = set(only or SECTIONS)
    engine = Engine()
    engine.warm()
    payload: dict = {}
    if "retrieval" in run:
        print("[pia eval] 検索の評価中…", file=sys.stderr, flush=True)
        retrieval = evaluate_retrieval(engine)
        payload["retrieval"] = retrieval.model_dump(mode="json", exclude=None if misses else {"misses"})
        heldout = load_heldout_questions()
        if heldout:
            print("[pia eval] 検索の評価中（未調整の別セット）…", file=sys.stderr, flush=True)
            payload["retrieval_heldout"] = evaluate_retrieval(engine, heldout).model_dump(
                mode="json", exclude=None if misses else {"misses"})
    if "answers" in run:
        from bot.evaluation.answers import evaluate_answers

        print("[pia eval] 回答の評価中…", file=sys.stderr, flush=True)
        results = evaluate_answers(engine, list(answer_paths) or None)
        payload["answers"] = [r.model_dump(mode="json", exclude=None if (misses or as_json) else {"misses"})
                              for r in results]
    if samples is not None and not Path(samples).is_dir():
        from bot.errors import PiaError

        raise PiaError(f"評価書案のフォルダ「{samples}」が見つかりません",
                       hint="評価書案と <名前>.expected.yaml を置いたフォルダを指定してください")
    for key, target in EVALUATIONS.items():
        if key in run:
            extra = {"examples_dir": Path(samples)} if key == "flags" and samples else {}
            payload[key] = _run(target, engine, **extra)
    if "layouts" in run:
        payload["layouts"] = _run("bot.evaluation.layouts:evaluate_layouts", engine, which=layouts)
    if "wording" in run:
        payload["wording"] = _wording(engine, Path(wording) if wording else None, misses or as_json)
    emit(payload, as_json, _human)


def _wording(engine, path: Path | None, with_misses: bool) -> dict:
    from bot.evaluation.wording import evaluate_wording, wording_files

    if path is not None and not path.exists():
        from bot.errors import PiaError

        raise PiaError(f"表現の判定セット「{path}」が見つかりません",
                       hint="wording_*.yaml のファイルかフォルダを指定してください")
    if not wording_files(path):
        return {"available": False, "files": []}
    print("[pia eval] 表現の判定セットを評価中…", file=sys.stderr, flush=True)
    result = evaluate_wording(engine, path=path).model_dump(mode="json")
    if not with_misses:
        for f in result["files"]:
            f["misses"] = [{"id": m["id"], "checkpoint": m["checkpoint"], "label": m["label"]} for m in f["misses"]]
    return result


def _run(target: str, engine, **kwargs) -> dict:
    import importlib

    module, func = target.split(":")
    print(f"[pia eval] {module} を実行中…", file=sys.stderr, flush=True)
    return getattr(importlib.import_module(module), func)(engine, **kwargs).model_dump(mode="json")


def _human(payload: dict) -> str:
    lines: list[str] = []
    if payload.get("retrieval"):
        lines += _retrieval_lines(payload["retrieval"], "検索（細目）")
    if payload.get("retrieval_heldout"):
        lines += _retrieval_lines(payload["retrieval_heldout"], "検索（細目、未調整の別セット）")
    for res in payload.get("answers") or []:
        lines += _answer_lines(res)
    for key, title in (("attribution", "所見の帰属"), ("flags", "記載漏れ指摘")):
        if key not in payload:
            continue
        res = payload.get(key) or {}
        nums = {k: v for k, v in res.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        lines.append(f"{title}: " + ("、".join(f"{k}={_fmt(v)}" for k, v in nums.items()) or str(res)))
        if key == "flags":
            lines += _flag_lines(res)
    if "layouts" in payload:
        lines += _layout_lines(payload["layouts"])
    for f in (payload.get("wording") or {}).get("files", []):
        lines.append(f"表現の判定（{f['file']}、{f['items']} 件）: boilerplate flagged {f['boilerplate_flagged']}/"
                     f"{f['boilerplate']} = {f['boilerplate_flagged_rate']:.3f}、concrete passed "
                     f"{f['concrete_passed']}/{f['concrete']} = {f['concrete_passed_rate']:.3f}"
                     + (f"、対象外 {len(f['skipped'])} 件" if f["skipped"] else ""))
        for m in f["misses"][:40]:
            text = f": {m['text'][:60]}" if m.get("text") else ""
            lines.append(f"    × {m['id']} [{m['checkpoint']}] {m['label']}{text}")
    return "\n".join(lines)


def _flag_lines(res: dict) -> list[str]:
    """Per format, then each draft that is not clean: its false flags, misses and traps flagged."""
    lines = [f"  {f['format']}: precision {f['precision']:.3f}、recall {f['recall']:.3f}、traps {f['traps_violated']}"
             for f in res.get("formats", [])]
    for d in res.get("drafts", []):
        if d.get("error") or d["false_flags"] or d["missed"] or d["traps_violated"]:
            lines.append(f"    × {d['draft']}.{d['format']}: " + "、".join(x for x in (
                d.get("error") or "",
                "誤指摘 " + ",".join(d["false_flags"]) if d["false_flags"] else "",
                "見逃し " + ",".join(d["missed"]) if d["missed"] else "",
                "罠 " + ",".join(d["traps_violated"]) if d["traps_violated"] else "") if x))
    return lines


def _layout_lines(res: dict) -> list[str]:
    title = "様式の配置による判定の一致"
    if not res.get("available", True):
        return [f"{title}: 利用できません（{res.get('reason') or 'not available'}）"]
    lines = [f"{title}（{res['set']}）: {res['variants']} 版中 {res['identical']} 版で86件すべて一致、"
             f"結果の一致 {res['agreeing']}/{res['results']} = {res['agreement']:.4f}",
             "  " + _pad("種類", 20) + _pad("   版", 5) + _pad("  全一致", 8) + _pad("   一致率", 9)]
    for k in res["kinds"]:
        counts = f"{k['variants']:>5}{k['identical']:>8}{k['agreement']:>9.4f}"
        lines.append(f"  {_pad(k['kind'], 20)}{counts}  {k['about']}")
        for d in k["differences"][:3]:
            lines.append(f"      × {d['variant']}: {d['error'] or '、'.join(d['changed'][:6])}")
    return lines


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


KIND_LABELS = {"procedure": "手続", "form_item": "様式の欄", "checkpoint": "細目", "out_of_scope": "範囲外",
               "ja": "日本語", "en": "英語"}


def _answer_lines(r: dict) -> list[str]:
    ab = r["abstention"]

    def fmt(v) -> str:
        return "-" if v is None else f"{v:.3f}"

    lines = [
        f"回答（{r['file']}）: {r['questions']} 問、正答 {r['right']}（{r['right_rate']:.3f}）",
        "  種類別: " + "、".join(f"{KIND_LABELS.get(g['group'], g['group'])} {g['right']}/{g['questions']}"
                              for g in r["by_kind"]),
        "  言語別: " + "、".join(f"{KIND_LABELS.get(g['group'], g['group'])} {g['right']}/{g['questions']}"
                              for g in r["by_language"]),
        f"  回答の控え（範囲外）: 適合率 {fmt(ab['precision'])}、再現率 {fmt(ab['recall'])}"
        f"（範囲外 {ab['out_of_scope']} 問、控えた回答 {ab['abstained']}、範囲外で細目を示した回答 {ab['pointed']}）",
    ]
    for m in r.get("misses") or []:
        why = []
        if m["abstained"]:
            why.append("回答を控えた")
        if not m["pointed_right"]:
            why.append("指す先 " + ",".join(m["pointers"]) + " ≠ 期待 " + ",".join(m["expect"]))
        if m["missing_facts"]:
            why.append("欠けた事実 " + " / ".join("|".join(f) for f in m["missing_facts"]))
        lines.append(f"    × {m['id']} {m['q']}  {'; '.join(why)}")
    return lines


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal where kanji/kana take two columns."""
    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - cols)


def _fmt(v) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)
