"""The human summary `pia check` prints: counts per status, the sections with most flags, each flag with its reasons
and the source of the closest precedent."""

from __future__ import annotations

from bot.catalog import load_catalog
from bot.models import CheckReport
from bot.reports import display_id, flagged, precedent_source, status_label, wording, worst_sections

PRECEDENT_CHARS = 60


def render(report: CheckReport) -> str:
    w = wording()["report"]
    cat = load_catalog()
    d = report.document
    lines = [f"{w['title']}: {d.title or d.path}"]
    meta = [f"{w['file']}: {d.path}", f"{w['format']}: {d.format}", f"{w['pages']}: {d.pages}"]
    if d.body:
        meta.insert(0, f"{w['body']}: {d.body}")
    lines.append("  " + " / ".join(meta))
    s = report.summary
    counts = [f"{status_label(k)} {getattr(s, k)}" for k in ("ok", "incomplete", "missing", "not_applicable")]
    lines.append(f"{w['summary']}: " + " / ".join(counts))
    worst = worst_sections(report)
    if worst:
        lines.append(f"{w['worst_sections']}: " + "、".join(f"{sec}（{n}{w['count_suffix']}）" for sec, n in worst))
    flags = flagged(report)
    lines.append("")
    if not flags:
        lines.append(w["no_flags"])
        return "\n".join(lines)
    lines.append(f"{w['flags']}（{len(flags)}{w['count_suffix']}）:")
    for r in flags:
        page = f", {w['page_prefix']}{r.page}" if r.page else ""
        lines.append(f"[{status_label(r.status)}] {display_id(r.id)} {cat.title(r.id)}（{r.section}{page}）")
        lines.extend(f"    - {reason.message}" for reason in r.reasons)
        if r.precedents:
            p = r.precedents[0]
            excerpt = p.text if len(p.text) <= PRECEDENT_CHARS else p.text[: PRECEDENT_CHARS - 1] + "…"
            lines.append(f"    {w['precedent']}（{precedent_source(p)}）: 「{excerpt}」")
    lines.append("")
    lines.append(w["note"])
    return "\n".join(lines)
