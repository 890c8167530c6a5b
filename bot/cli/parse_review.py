"""`pia parse-review FILE [--json]`: parse one review sheet (審査書) without indexing it."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import emit
from bot.cli.paths import draft_path
from bot.models import ReviewSheet

RESULT_OK = "問題は認められない"
RESULT_NA = "該当なし"


def sheet_json(sheet: ReviewSheet) -> dict:
    """The contract's shape (rows also carry viewpoint, consideration and the checkpoint wording)."""
    return {
        "meta": sheet.meta.model_dump(mode="json"),
        "rows": [
            {
                "checkpoint": r.checkpoint,
                "section": r.section,
                "pages": r.pages,
                "result": r.result,
                "viewpoint": r.viewpoint,
                "consideration": r.consideration,
                "text": r.text,
            }
            for r in sheet.rows
        ],
        "findings": [{"text": f.text, "checkpoints": list(f.checkpoints), "group": f.group} for f in sheet.findings],
        "general_comments": list(sheet.general_comments),
        "review_remarks": list(sheet.review_remarks),
    }


def _human(sheet: ReviewSheet) -> str:
    m = sheet.meta
    numbered = [r for r in sheet.rows if r.checkpoint.isdigit()]
    ok = sum(1 for r in sheet.rows if r.result == RESULT_OK)
    na = sum(1 for r in sheet.rows if r.result == RESULT_NA)
    other = [r for r in sheet.rows if r.result not in (RESULT_OK, RESULT_NA)]
    lines = [
        f"評価書名: {m.title or '（不明）'}",
        f"評価実施機関: {m.agency or '（不明）'}　提出日: {m.submitted or '（不明）'}"
        f"　概要説明日: {m.overview_date or '（不明）'}",
        f"審査結果: {len(sheet.rows)} 行（細目 {len(numbered)}・観点 {len(sheet.rows) - len(numbered)}）"
        f"　問題は認められない {ok}　該当なし {na}　その他 {len(other)}",
    ]
    for r in other:
        lines.append(f"  ※ {r.checkpoint}（{r.section or '―'}）: {r.result or '（結果なし）'}")
    if sheet.new_checkpoints:
        lines.append("評価実施機関に特有の細目: " + "、".join(f"{c.id}. {c.title}" for c in sheet.new_checkpoints))
    lines.append(f"所見: {len(sheet.findings)} 件（内容で細目に割り当て。括弧内は印字されていた行）")
    for f in sheet.findings:
        head = f.text if len(f.text) <= 50 else f.text[:50] + "…"
        group = f.group or "観点"
        moved = "" if f.printed_on in f.checkpoints else f"（{f.printed_on} の行に印字）"
        lines.append(f"  [{group}] {', '.join(f.checkpoints)}{moved}: {head}")
    lines.append(f"総評: {len(sheet.general_comments)} 件")
    lines += [f"  {c}" for c in sheet.general_comments]
    lines.append(f"審査記載事項: {len(sheet.review_remarks)} 件")
    lines += [f"  {c}" for c in sheet.review_remarks]
    return "\n".join(lines)


@click.command("parse-review")
@click.argument("file", type=draft_path())
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する")
def parse_review(file: Path, as_json: bool):
    """審査書（PDF から抽出したテキスト等）を読み取り、細目ごとの審査結果と所見を表示する（索引には登録しない）。"""
    from bot.engine import Engine

    sheet = Engine().parse_review(file)
    emit(sheet_json(sheet), as_json, lambda _: _human(sheet))
