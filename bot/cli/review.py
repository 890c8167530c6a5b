"""`pia review DRAFT --format xlsx|docx|md --output FILE [--json]`: a pre-filled review sheet for a draft."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import emit


@click.command("review")
@click.argument("draft", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "docx", "md"]), default="md", show_default=True,
              help="出力形式")
@click.option("--output", "output", type=click.Path(path_type=Path), default=None,
              help="出力ファイル（md は省略すると標準出力）")
@click.option("--json", "as_json", is_flag=True, help="審査書の下書きを JSON で出力する")
def review(draft: Path, fmt: str, output: Path | None, as_json: bool):
    """評価書の下書きから、審査書（審査の観点・細目ごとの該当箇所・審査結果・所見）の下書きを作る。"""
    from bot.engine import Engine
    from bot.review_writers import render_md, write_review

    if output is None and fmt != "md" and not as_json:
        raise click.UsageError(f"--format {fmt} には --output FILE が必要です。")
    sheet = Engine().review(draft)
    if output is not None:
        write_review(sheet, fmt, output)
        click.echo(f"審査書の下書きを {output} に書き出しました（{len(sheet.rows)} 行）。", err=True)
    if as_json:
        emit(sheet, True)
    elif output is None:
        click.echo(render_md(sheet))
