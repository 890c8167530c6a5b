"""`pia check DRAFT [DRAFT ...] [--json] [--format md|html|xlsx --output FILE] [--since OLD] [--annotate OUT]`.

Checks each draft against the form and the review checkpoints. With --json: one JSON document (several drafts: one
per line, in order). With --format: the report is also written to FILE (several drafts: FILE is a folder, or the
draft's name is added to FILE's name). --since OLD compares with the previous round (OLD: the previous draft, or the
xlsx report of the previous check) and adds `changes`; --annotate OUT writes a copy of a .docx/.xlsx draft with one
comment per flagged checkpoint. Unreadable input exits 2 with one line on stderr; the draft's text is never logged
nor indexed.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import emit, emit_line
from bot.cli.paths import draft_path


def _output_for(output: Path, draft: Path, fmt: str, several: bool) -> Path:
    if not several:
        return output
    if output.is_dir() or not output.suffix:
        return output / f"{draft.stem}.{fmt}"
    return output.with_name(f"{output.stem}_{draft.stem}{output.suffix}")


@click.command("check")
@click.argument("drafts", nargs=-1, required=True, type=draft_path())
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する（複数の評価書は 1 行 1 件）")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "xlsx"]), default=None,
              help="確認結果をファイルに書き出す形式")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="書き出し先のファイル")
@click.option("--since", "since", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="前回の評価書の案、または前回の確認結果（xlsx）。解消・新規・未解消の指摘を示す")
@click.option("--annotate", "annotate_to", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="指摘をコメントとして書き込んだ評価書の写し（.docx / .xlsx）の書き出し先。元のファイルは変更しない")
def check(drafts: tuple[Path, ...], as_json: bool, fmt: str | None, output: Path | None, since: Path | None,
          annotate_to: Path | None):
    """全項目評価書の案を確認し、記載の不備と過去の所見を示す。

    --since で前回の案（または前回の確認結果 xlsx）と比べて解消・新規・未解消の指摘を示し（--json では changes）、
    --annotate で Word・Excel の案の写しに指摘をコメントとして書き込む。"""
    from bot.engine import Engine
    from bot.reports import report_json, terminal_text, write_report

    if fmt and output is None:
        raise click.UsageError("--format を指定したときは --output FILE で書き出し先を指定してください。")
    if output is not None and not fmt:
        fmt = output.suffix.lstrip(".").lower() or None
        if fmt not in ("md", "html", "xlsx"):
            raise click.UsageError("--output の拡張子から形式が分かりません。"
                                   "--format md|html|xlsx を指定してください。")
    several = len(drafts) > 1
    if several and (since is not None or annotate_to is not None):
        raise click.UsageError("--since と --annotate は評価書を 1 つだけ指定したときに使えます。")
    engine = Engine()
    previous = engine.previous_round(since) if since is not None else None  # a bad OLD fails before the check
    for n, draft in enumerate(drafts):
        if several:
            click.echo(f"確認中: {draft.name}", err=True)
        report = engine.check(draft)
        if report.degraded and (as_json or fmt):
            from bot.reports import degraded_notes

            for note in degraded_notes(report.degraded):
                click.echo(note, err=True)
        if previous is not None:
            report = engine.compare_rounds(report, previous)
        if annotate_to is not None:
            result = engine.annotate(report, draft, annotate_to)
            click.echo(f"指摘をコメントとして書き込みました: {result.path}（{len(result.comments)}件）", err=True)
        if fmt and output is not None:  # --format needs --output, checked above
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
