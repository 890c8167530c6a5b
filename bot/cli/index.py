"""`pia index [PATH ...] [--rebuild] [--remove PATH] [--json]` and `pia sources [--json]`."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import emit
from bot.cli.paths import InputPath

KIND_LABELS = {"review_sheet": "審査書", "minutes": "議事録", "guideline": "指針等", "catalog": "審査の観点・細目",
               "other": "その他"}


@click.command("index")
@click.argument("paths", nargs=-1, type=InputPath(path_type=Path))
@click.option("--rebuild", is_flag=True, help="索引を作り直す（埋め込みモデルを変えたときなど）")
@click.option("--remove", "remove", multiple=True, metavar="PATH", help="索引から文書を取り除く")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する")
def index(paths: tuple[Path, ...], rebuild: bool, remove: tuple[str, ...], as_json: bool):
    """同梱の知識（審査の観点・細目、審査書、議事録）と指定した文書を索引に登録する。"""
    from bot.engine import Engine

    engine = Engine()
    if remove:
        removed = {p: engine.remove_source(p) for p in remove}
        if not paths and not rebuild:
            payload = {"removed": [{"path": p, "records": n} for p, n in removed.items()],
                       "total_records": engine.record_count()}
            emit(payload, as_json, lambda d: "\n".join(f"削除しました: {x['path']}（{x['records']} 件）"
                                                       for x in d["removed"]))
            return
    report = engine.index(list(paths), rebuild=rebuild)
    emit(report, as_json, _human_report)


def _human_report(report) -> str:
    lines = [f"索引を更新しました（埋め込み: {report.embedder}、合計 {report.total_records} 件）"]
    for d in report.documents:
        lines.append(f"  {KIND_LABELS.get(d.kind, d.kind)}\t{d.records} 件\t{d.path}")
    return "\n".join(lines)


@click.command("sources")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する")
def sources(as_json: bool):
    """索引にある文書の一覧。"""
    from bot.engine import Engine

    engine = Engine()
    items = engine.sources()
    payload = {"sources": [s.model_dump(mode="json") for s in items], "embedder": engine.built_with()}
    emit(payload, as_json, _human_sources)


def _human_sources(payload) -> str:
    lines = [f"索引にある文書（埋め込み: {payload['embedder']}）"]
    for s in payload["sources"]:
        meta = "、".join(x for x in [s.get("agency"), s.get("date"),
                                     f"第{s['meeting']}回" if s.get("meeting") else None] if x)
        lines.append(f"  [{KIND_LABELS.get(s['kind'], s['kind'])}] {s.get('title') or '(無題)'}"
                     f"{'（' + meta + '）' if meta else ''}  {s['records']} 件\n      {s.get('path')}")
    return "\n".join(lines)
