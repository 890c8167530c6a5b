"""`pia check DRAFT [DRAFT ...] [--json] [--format md|html|xlsx --output FILE]`.

Checks each draft against the form and the review checkpoints. With --json: one JSON document (several drafts: one
per line, in order). With --format: the report is also written to FILE (several drafts: FILE is a folder, or the
draft's name is added to FILE's name). Unreadable input exits 2 with one line on stderr; the draft's text is never
logged nor indexed.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import emit, emit_line


def _output_for(output: Path, draft: Path, fmt: str, several: bool) -> Path:
    if not several:
        return output
    if output.is_dir() or not output.suffix:
        return output / f"{draft.stem}.{fmt}"
    return output.with_name(f"{output.stem}_{draft.stem}{output.suffix}")


@click.command("check")
@click.argument("drafts", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する（複数の評価書は 1 行 1 件）")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "xlsx"]), default=None,
              help="確認結果をファイルに書き出す形式")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="書き出し先のファイル")
def check(drafts: tuple[Path, ...], as_json: bool, fmt: str | None, output: Path | None):
    """全項目評価書の案を確認し、記載の不備と過去の所見を示す。"""
    from bot.checker import check_draft
    from bot.engine import Engine
    from bot.reports import report_json, terminal_text, write_report

    if fmt and output is None:
        raise click.UsageError("--format を指定したときは --output FILE で書き出し先を指定してください。")
    if output is not None and not fmt:
        fmt = output.suffix.lstrip(".").lower() or None
        if fmt not in ("md", "html", "xlsx"):
            raise click.UsageError("--output の拡張子から形式が分かりません。--format md|html|xlsx を指定してください。")
    engine = Engine()
    several = len(drafts) > 1
    for n, draft in enumerate(drafts):
        if several:
            click.echo(f"確認中: {draft.name}", err=True)
        report = check_draft(engine, draft)
        if fmt:
            written = write_report(report, fmt, _output_for(output, draft, fmt, several))
            click.echo(f"書き出しました: {written}", err=True)
        if as_json and several:
            emit_line(report_json(report))
        elif as_json:
            emit(report_json(report), True)
        else:
            if n:
                click.echo("")
            click.echo(terminal_text(report))
