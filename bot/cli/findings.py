"""`pia findings QUERY [--checkpoint ID] [--agency NAME] [--result TEXT] [--since DATE] [--until DATE] [-k N]
[--json]`."""

from __future__ import annotations

import click

from bot.cli import emit


def finding_json(h) -> dict:
    src = h.source
    return {
        "text": h.text,
        "checkpoints": list(h.checkpoints),
        "result": h.result,
        "source": {"title": src.title, "agency": src.agency, "date": src.date, "path": src.path},
        "score": h.score,
    }


@click.command("findings")
@click.argument("query")
@click.option("--checkpoint", "checkpoint", default=None, help="細目の番号（例: 41）または観点（V5）で絞る")
@click.option("--agency", "agency", default=None, help="評価実施機関名（の一部）で絞る")
@click.option("--result", "result", default=None, help="審査結果（の一部）で絞る（例: 問題は認められない）")
@click.option("--since", "since", default=None, help="この日以降の審査書（例: 2025-04-01、令和7年4月1日）")
@click.option("--until", "until", default=None, help="この日以前の審査書")
@click.option("-k", "k", type=click.IntRange(1, 100), default=10, show_default=True, help="件数")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する")
def findings(query, checkpoint, agency, result, since, until, k, as_json):
    """過去の審査書の所見を、文言と意味の両方で検索する（そのまま引用できる形で出力）。"""
    from bot.engine import Engine

    engine = Engine()
    note = engine.query_note(query)
    if note:
        click.echo(f"[pia] {note}", err=True)
    hits = engine.findings(query, checkpoint=checkpoint, agency=agency, result=result, since=since,
                             until=until, k=k)
    emit({"results": [finding_json(h) for h in hits]}, as_json, lambda d: human(query, hits))


def human(query: str, hits) -> str:
    if not hits:
        return f"「{query}」に合う過去の所見は見つかりませんでした。"
    lines = [f"「{query}」に近い過去の所見 {len(hits)} 件"]
    for n, h in enumerate(hits, 1):
        src = "、".join(x for x in [h.source.agency, h.source.title, h.source.date] if x)
        about = f"細目 {'・'.join(h.checkpoints)}" if h.checkpoints else "総評・審査記載事項"
        lines.append("")
        lines.append(f"{n}. {about}｜{h.result or '-'}｜{src}")
        lines.append(h.text)
    return "\n".join(lines)
