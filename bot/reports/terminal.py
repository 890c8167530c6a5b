"""The human summary `pia check` prints: counts per status, the sections with most flags, each flag with its reasons
and the source of the closest precedent."""

from __future__ import annotations

from bot.catalog import load_catalog
from bot.models import STATUSES, CheckReport
from bot.reports import (
    changes_line,
    degraded_notes,
    display_id,
    flagged,
    precedent_source,
    round_label,
    status_label,
    summary_line,
    to_review,
    wording,
    worst_sections,
)

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
    counts = [f"{status_label(k)} {getattr(s, k)}" for k in STATUSES]
    lines.append(f"{w['summary']}: " + " / ".join(counts))
    lines.extend(degraded_notes(report.degraded))
    lines += _round_lines(report)
    worst = worst_sections(report)
    if worst:
        lines.append(f"{w['worst_sections']}: " + "、".join(f"{sec}（{n}{w['count_suffix']}）" for sec, n in worst))
    flags = flagged(report)
    lines.append("")
    if not flags:
        lines.append(summary_line(report) or "")
    else:
        lines.append(f"{w['flags']}（{len(flags)}{w['count_suffix']}）:")
    rw = w["round"]
    for r in flags:
        page = f", {w['page_prefix']}{r.page}" if r.page else ""
        tag = f"[{round_label(report, r.id)}]" if report.changes is not None else ""
        same = f" {rw['unedited']}" if r.id in report.unedited else ""
        lines.append(f"[{status_label(r.status)}]{tag} {display_id(r.id)} {cat.title(r.id)}（{r.section}{page}）{same}")
        lines.extend(f"    - {reason.message}" for reason in r.reasons)
        if r.suggestion:
            lines.extend(f"    {line}" for line in r.suggestion.splitlines())
        if r.precedents:
            p = r.precedents[0]
            excerpt = p.text if len(p.text) <= PRECEDENT_CHARS else p.text[: PRECEDENT_CHARS - 1] + "…"
            lines.append(f"    {w['precedent']}（{precedent_source(p)}）: 「{excerpt}」")
    review = to_review(report)
    if review:
        lines.append("")
        lines.append(f"{w['review']}（{len(review)}{w['count_suffix']}）:")
        for r in review:
            page = f", {w['page_prefix']}{r.page}" if r.page else ""
            lines.append(f"[{status_label(r.status)}] {display_id(r.id)} {cat.title(r.id)}（{r.section}{page}）")
            lines.extend(f"    - {reason.message}" for reason in r.reasons)
    lines.append("")
    lines.append(w["note"])
    return "\n".join(lines)


def _round_lines(report: CheckReport) -> list[str]:
    """The comparison with the previous round: the line, then the checkpoints fixed, new and still open."""
    line = changes_line(report)
    if line is None or report.changes is None:
        return []
    w = wording()["report"]
    rw = w["round"]
    cat = load_catalog()
    out = [f"{rw['heading']}: {line}"]
    for key in ("fixed", "new", "still"):
        ids = getattr(report.changes, key)
        items = "、".join(f"{display_id(c)} {cat.title(c)}" for c in ids) or rw["none"]
        out.append(f"  {rw[key]}（{len(ids)}{w['count_suffix']}）: {items}")
    if report.notes:
        out.append(f"  {rw['carried']}")
    return out
