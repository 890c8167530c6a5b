"""`pia review DRAFT --format xlsx|docx|md --output FILE [--json]`: the secretariat's output for a draft, by body type.

A national body's draft gets a pre-filled review sheet (審査書, with 総評 and 審査記載事項 candidates); a local
government's draft gets a 第三者点検 checklist instead (no 審査記載事項). `--json` prints
{"kind": "review_sheet|third_party_checklist", "output": FILE} (output null when nothing was written to a file), plus
"degraded": ["precedents"] when the past findings could not be read.
Markdown without --output goes to stdout.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import emit
from bot.cli.paths import draft_path

KIND_NAMES = {"review_sheet": "審査書", "third_party_checklist": "第三者点検チェックリスト"}


@click.command("review")
@click.argument("draft", type=draft_path())
@click.option("--format", "fmt", type=click.Choice(["xlsx", "docx", "md"]), default="md", show_default=True,
              help="出力形式")
@click.option("--output", "output", type=click.Path(path_type=Path), default=None,
              help="出力ファイル（md は省略すると標準出力）")
@click.option("--json", "as_json", is_flag=True,
              help='出力の種類と書き出し先を JSON で出力する: {"kind": "review_sheet|third_party_checklist", '
                   '"output": FILE}')
def review(draft: Path, fmt: str, output: Path | None, as_json: bool):
    """評価書の案から、行政機関等は審査書（審査の観点・細目ごとの該当箇所・審査結果・所見）の下書きを、
    地方公共団体等は第三者点検のチェックリスト（審査記載事項なし）の下書きを作る。"""
    from bot.engine import Engine

    if output is None and fmt != "md":
        raise click.UsageError(f"--format {fmt} には --output FILE が必要です。")
    engine = Engine()
    sheet = engine.review(draft)
    name = KIND_NAMES[sheet.kind]
    if sheet.degraded:
        from bot.reports import degraded_notes

        for note in degraded_notes(sheet.degraded):
            click.echo(note, err=True)
    if output is not None:
        engine.write_review(sheet, fmt, output)
        click.echo(f"{name}の下書きを {output} に書き出しました（{len(sheet.rows)} 行）。", err=True)
    if as_json:
        payload: dict = {"kind": sheet.kind, "output": str(output) if output is not None else None}
        if sheet.degraded:  # e.g. ["precedents"]: the knowledge store could not be read (as in `pia check --json`)
            payload["degraded"] = list(sheet.degraded)
        emit(payload, True)
    elif output is None:
        click.echo(engine.render_review_md(sheet))
