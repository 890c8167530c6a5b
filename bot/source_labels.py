"""How a quoted source is named in an answer: 「出入国在留管理庁「…」審査書（2025-09-30）細目41」.

Foundation-level (models + the answer templates' `labels`), so the answer composer and the CLI's citation list
name sources the same way.
"""

from __future__ import annotations

from bot.models import Citation, SearchHit, Source
from bot.resources import knowledge_yaml


def source_label(c: Citation | SearchHit) -> str:
    labels = knowledge_yaml("answer_templates.yaml")["labels"]
    s = c.source or Source()
    kind = s.kind if s.kind in labels else "other"
    if c.kind == "checkpoint" and s.kind in ("catalog", "other"):
        kind = "catalog"
    values = {
        "title": s.title or "",
        "agency": s.agency or "",
        "date": s.date or "",
        "checkpoints": "・".join(checkpoint_name(x) for x in c.checkpoints),
        "place": labels["place"].format(place=s.place) if s.place else "",
    }
    text = labels[kind].format(**values).replace("「」", "").replace("（）", "").strip()
    return text or labels["unknown"]


def checkpoint_name(cid: str) -> str:
    """How prose names a checkpoint or viewpoint: 細目41, 観点(5) (never the internal id V5)."""
    if cid.upper().startswith("V") and cid[1:].isdigit():
        return f"観点({cid[1:]})"
    return f"細目{cid}"


def ref_name(cid: str, title: str) -> str:
    """'41. 委託先の選定' for a checkpoint, '(5) 意見聴取' for a viewpoint."""
    if cid.upper().startswith("V") and cid[1:].isdigit():
        return f"({cid[1:]}) {title}"
    return f"{cid}. {title}"
