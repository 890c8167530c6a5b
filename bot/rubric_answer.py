"""What a concrete answer to a checkpoint names: the checkpoint's rubric (bot/rubrics.py) as a list of its items, each
with the precedent wording that shows it, quoted from its review sheet.

Every checkpoint answer (bot/answer.py compose) carries it: "what does the reviewer look for" is answered by what a
concrete answer must name (who, how often, against what, how it is checked), not by the checkpoint's title alone. A
question about how concrete an answer must be, or how to judge it (knowledge/rubrics.yaml `concreteness_questions`),
also gets the general criterion of rules.md (who does what, with which system or document, how often, how it is
checked; generic words are no measure). Every line carries a citation marker.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.models import RecordKind, SearchHit, Source
from bot.rubrics import is_concreteness_question, load_rubrics, rubric_for
from bot.text import compact

MAX_EXAMPLE_CHARS = 120


def rubric_lines(question: str, checkpoint_id: str | None, templates: dict,
                 cite: Callable[[RecordKind, str, Source | None, list[str]], int], checkpoint_marker: int | None,
                 findings: list[SearchHit] | None = None,
                 cite_hit: Callable[[SearchHit], int] | None = None) -> list[str]:
    """Lines naming what a concrete answer to the checkpoint names, or [] when it has no rubric.

    `cite(kind, text, source, checkpoints)` adds a citation and returns its number; `checkpoint_marker` is the
    number of the checkpoint's own citation (for items without a precedent example). A precedent example is cited
    as the retrieved finding that contains it (`findings`, `cite_hit`) when there is one, else as a quote of the
    rubric's source review sheet. A question about how concrete to be also gets the general criterion, cited to
    the procedure rule it belongs to (knowledge/procedures.yaml generic_wording)."""
    if not checkpoint_id:
        return []
    rubric = rubric_for(checkpoint_id)
    if rubric is None:
        return []
    t = templates["rubric"]
    src = load_rubrics().source
    source = Source(title=src.title, agency=src.agency, date=src.date, path=src.path or None, kind="review_sheet")
    lines = ["", t["head"].format(id=_id_name(checkpoint_id), need=rubric.need, items=len(rubric.items))]
    for item in rubric.items:
        if item.examples:
            example = item.examples[0]
            short = example if len(example) <= MAX_EXAMPLE_CHARS else example[: MAX_EXAMPLE_CHARS - 1] + "…"
            hit = next((h for h in findings or [] if compact(example) in compact(h.text)), None)
            n = cite_hit(hit) if hit is not None and cite_hit is not None else cite("finding", example, source,
                                                                                     [checkpoint_id])
            about = [c for c in (hit.checkpoints if hit is not None else []) if c != checkpoint_id]
            if about and checkpoint_id not in hit.checkpoints:  # type: ignore[union-attr]
                # the precedent was written for another checkpoint: said so, as for any finding
                lines.append(t["item_example_other"].format(name=item.name, example=short, n=n,
                                                            about="・".join(_id_name(c) for c in about)))
            else:
                lines.append(t["item_example"].format(name=item.name, example=short, n=n))
        elif checkpoint_marker is not None:
            lines.append(t["item"].format(name=item.name, n=checkpoint_marker))
    if rubric.never and checkpoint_marker is not None:
        lines.append(t["never"].format(words="、".join(rubric.never[:4]), n=checkpoint_marker))
    if is_concreteness_question(question):
        lines += criterion_lines(templates, cite)
    return lines


def _id_name(cid: str) -> str:
    """'41' -> '細目41', 'V5' -> '観点(5)' (viewpoint ids are never written V5 in prose)."""
    return f"観点({cid[1:]})" if cid.upper().startswith("V") and cid[1:].isdigit() else f"細目{cid}"


def criterion_lines(templates: dict, cite: Callable[[RecordKind, str, Source | None, list[str]], int]) -> list[str]:
    """rules.md's general criterion of a concrete measure, in one line cited to its procedure rule."""
    from bot.answer_topics import procedure_citation
    from bot.procedures import load_procedures

    rule = load_procedures().rule("generic_wording")
    c = procedure_citation(rule)
    n = cite(c.kind, c.text, c.source, c.checkpoints)
    return [templates["rubric"]["criterion"].format(criterion=rule.details[0], n=n)]
