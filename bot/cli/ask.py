"""`pia ask QUESTION [--json]` and `pia ask --batch FILE --json` (JSON Lines, models loaded once)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import emit, emit_line
from bot.cli.paths import draft_path


def source_json(src) -> dict:
    return {"title": src.title, "agency": src.agency, "date": src.date, "path": src.path}


def topic_json(a) -> dict:
    """What the answer is about (contract): checkpoint | viewpoint | procedure | form_item | out_of_scope."""
    if a.topic is not None:
        return {"kind": a.topic.kind, "id": a.topic.id}
    if a.checkpoints:
        return {"kind": "viewpoint" if a.checkpoints[0].id.startswith("V") else "checkpoint", "id": a.checkpoints[0].id}
    return {"kind": "out_of_scope", "id": None}


def answer_json(a) -> dict:
    """An answer in the contract's shape."""
    return {
        "answer": a.answer,
        "checkpoints": [{"id": c.id, "title": c.title, "section": c.section, "score": c.score} for c in a.checkpoints],
        "citations": [
            {"kind": c.kind, "text": c.text, "source": source_json(c.source), "checkpoints": list(c.checkpoints)}
            for c in a.citations
        ],
        "topic": topic_json(a),
        "llm": a.llm,
    }


@click.command("ask")
@click.argument("question", required=False)
@click.option("--batch", "batch", type=draft_path(), default=None,
              help="1 行 1 質問のファイルを読み、JSON Lines で出力する")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する")
def ask(question: str | None, batch: Path | None, as_json: bool):
    """評価書の書き方について質問する（該当する細目・様式の欄・過去の所見を引用して答える）。"""
    from bot.cli.search import batch_queries
    from bot.engine import Engine

    if (question is None) == (batch is None):
        raise click.UsageError("QUESTION か --batch FILE のどちらか一方を指定してください。")
    if question is not None and not question.strip():
        raise click.UsageError("質問が空です。")
    engine = Engine()
    if batch is not None:
        for q in batch_queries(engine, batch):
            emit_line(answer_json(engine.ask(q)))
        return
    assert question is not None  # exactly one of QUESTION and --batch, checked above
    answer = engine.ask(question)
    emit(answer_json(answer), as_json, lambda d: human(answer))


def human(a) -> str:
    lines = [a.answer]
    if a.citations:
        lines.append("")
        lines.append("出典:")
        from bot.source_labels import source_label

        for n, c in enumerate(a.citations, 1):
            lines.append(f"[{n}] {source_label(c)}")
    if a.llm:
        lines.append(f"（回答作成: {a.llm}）")
    return "\n".join(lines)
