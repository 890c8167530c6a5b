"""`pia search QUERY [--kind ...] [-k N] [--json]` and `pia search --batch FILE --json` (JSON Lines)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import emit, emit_line
from bot.errors import InputFileError

KIND_LABELS = {"checkpoint": "細目", "finding": "所見", "remark": "委員発言", "guideline": "指針等"}


@click.command("search")
@click.argument("query", required=False)
@click.option("--kind", type=click.Choice(["checkpoint", "finding", "remark", "guideline"]), default=None,
              help="結果の種類を絞る")
@click.option("-k", "k", type=click.IntRange(1, 100), default=10, show_default=True, help="件数")
@click.option("--batch", "batch", type=click.Path(path_type=Path), default=None,
              help="1 行 1 クエリのファイルを読み、JSON Lines で出力する")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する")
def search(query: str | None, kind: str | None, k: int, batch: Path | None, as_json: bool):
    """細目・過去の所見・委員発言・指針を検索する。"""
    from bot.engine import Engine

    if (query is None) == (batch is None):
        raise click.UsageError("QUERY か --batch FILE のどちらか一方を指定してください。")
    engine = Engine()
    if batch is not None:
        queries = _read_batch(batch)
        engine.retriever.warm()
        for q in queries:
            hits = engine.search(q, kind=kind, k=k)
            emit_line({"results": [hit_json(h) for h in hits]})
        return
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


def _read_batch(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputFileError(f"{path} を読み込めません: {e.strerror}", hint="ファイルのパスを確認してください") from e
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputFileError(f"{path} は UTF-8 のテキストではありません。", hint="UTF-8 で保存し直してください") from e
    return [line.strip() for line in text.splitlines() if line.strip()]


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
