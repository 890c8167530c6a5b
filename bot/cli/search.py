"""`pia search QUERY [--kind ...] [-k N] [--json]` and `pia search --batch FILE --json` (JSON Lines)."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import click

from bot.cli import emit, emit_line
from bot.cli.paths import draft_path
from bot.errors import InputFileError
from bot.models import RecordKind

KIND_LABELS = {"checkpoint": "細目", "finding": "所見", "remark": "委員発言", "guideline": "指針等"}


@click.command("search")
@click.argument("query", required=False)
@click.option("--kind", type=click.Choice(get_args(RecordKind)), default=None,
              help="結果の種類を絞る")
@click.option("-k", "k", type=click.IntRange(1, 100), default=10, show_default=True, help="件数")
@click.option("--batch", "batch", type=draft_path(), default=None,
              help="1 行 1 クエリのファイルを読み、JSON Lines で出力する")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する")
def search(query: str | None, kind: RecordKind | None, k: int, batch: Path | None, as_json: bool):
    """細目・過去の所見・委員発言・指針を検索する。"""
    from bot.engine import Engine

    if (query is None) == (batch is None):
        raise click.UsageError("QUERY か --batch FILE のどちらか一方を指定してください。")
    engine = Engine()
    if batch is not None:
        queries = batch_queries(engine, batch)
        engine.warm()
        for q in queries:
            hits = engine.search(q, kind=kind, k=k)
            emit_line({"results": [hit_json(h) for h in hits]})
        return
    assert query is not None  # exactly one of QUERY and --batch, checked above
    note = engine.query_note(query)
    if note:
        click.echo(f"[pia] {note}", err=True)
    hits = engine.search(query, kind=kind, k=k)
    payload = {"results": [hit_json(h) for h in hits]}
    emit(payload, as_json, lambda d: _human(query, hits))


def hit_json(h) -> dict:
    """One search result in the contract's shape."""
    src = h.source
    return {
        "kind": h.kind,
        "id": h.id,
        "checkpoints": list(h.checkpoints),
        "text": h.text,
        "source": {"title": src.title, "agency": src.agency, "date": src.date, "path": src.path},
        "score": h.score,
    }


def _read_batch(path: Path, max_chars: int = 2000) -> Iterator[tuple[int, str]]:
    """(line number, query) for each non-empty line, read as a stream. A line longer than `max_chars` is cut while
    reading to max_chars + 1 characters (so the engine still sees that it was over its limit and says so): a file
    of one enormous line costs no more memory than a short one."""
    cap = (max_chars + 1) * 4 + 4  # bytes: UTF-8 needs at most 4 per character
    try:
        fh = path.open("rb")
    except OSError as e:
        raise InputFileError(f"{path} を読み込めません: {e.strerror}", hint="ファイルのパスを確認してください") from e
    with fh:
        number = 0
        while True:
            raw = fh.readline(cap)
            if not raw:
                return
            number += 1
            cut = not raw.endswith(b"\n") and len(raw) >= cap
            while cut:  # skip the rest of an over-long line
                more = fh.readline(1 << 16)
                if not more or more.endswith(b"\n"):
                    break
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            try:
                text = codecs.getincrementaldecoder("utf-8")().decode(raw, final=not cut)
            except UnicodeDecodeError as e:
                raise InputFileError(f"{path} は UTF-8 のテキストではありません（{number} 行目）。",
                                     hint="UTF-8 で保存し直してください") from e
            line = text.strip()[: max_chars + 1]
            if line:
                yield number, line


def batch_queries(engine, path: Path) -> Iterator[str]:
    """The queries of a --batch file (the engine cuts each to its limit), with a note on stderr for a cut line."""
    for number, line in _read_batch(path, engine.max_query_chars):
        if len(line) > engine.max_query_chars:
            click.echo(f"[pia] {number} 行目は {engine.max_query_chars:,} 文字を超えるため、"
                       f"先頭の {engine.max_query_chars:,} 文字だけを使いました。", err=True)
        yield line


def _human(query: str, hits) -> str:
    if not hits:
        return f"「{query}」に合うものは見つかりませんでした。"
    lines = [f"「{query}」の検索結果 {len(hits)} 件"]
    for n, h in enumerate(hits, 1):
        cps = ",".join(h.checkpoints)
        src = "、".join(x for x in [h.source.title, h.source.agency, h.source.date] if x)
        text = h.text if len(h.text) <= 160 else h.text[:160] + "…"
        lines.append(f"{n:2d}. [{KIND_LABELS.get(h.kind, h.kind)}{' ' + cps if cps else ''}] {text}")
        if src:
            lines.append(f"      出典: {src}")
    return "\n".join(lines)
