"""The check report as Markdown: summary, flags with reasons and precedents, and a table of every result."""

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


def _cell(text: str) -> str:
    return (text or "").replace("|", "\\|").replace("\n", "<br>")


def render(report: CheckReport) -> str:
    w = wording()["report"]
    cols = w["columns"]
    cat = load_catalog()
    d = report.document
    out = [f"# {w['title']}", "", f"- {w['document']}: {d.title or ''}", f"- {w['body']}: {d.body or ''}",
           f"- {w['file']}: {d.path}（{d.format}、{w['pages']} {d.pages}）"]
    s = report.summary
    labels = " | ".join(status_label(k) for k in STATUSES)
    out += ["", f"## {w['summary']}", "", f"| {labels} |", "| " + " | ".join("---" for _ in STATUSES) + " |",
            "| " + " | ".join(str(getattr(s, k)) for k in STATUSES) + " |"]
    out += [f"\n> {note}" for note in degraded_notes(report.degraded)]
    out += _round_section(report)
    worst = worst_sections(report)
    if worst:
        out += ["", f"{w['worst_sections']}: " + "、".join(f"{sec}（{n}{w['count_suffix']}）" for sec, n in worst)]
    out += ["", f"## {w['flags']}", ""]
    flags = flagged(report)
    if not flags:
        out.append(summary_line(report) or "")
    for r in flags:
        page = f"、{w['page_prefix']}{r.page}" if r.page else ""
        tag = f"【{round_label(report, r.id)}】" if report.changes is not None else ""
        same = f"（{w['round']['unedited']}）" if r.id in report.unedited else ""
        out.append(f"### {display_id(r.id)} {cat.title(r.id)}【{status_label(r.status)}】{tag}"
                   f"（{r.section}{page}）{same}")
        out.append("")
        for reason in r.reasons:
            out.append(f"- {reason.message}")
        if r.suggestion:
            out.append(f"- {r.suggestion.replace(chr(10), ' ／ ')}")
        for e in r.evidence[:3]:
            out.append(f"  - {cols['evidence']}「{e.label}」: {e.text}")
        for p in r.precedents:
            out.append(f"  - {w['precedent']}（{precedent_source(p)}）: {p.text}")
        out.append("")
    review = to_review(report)
    if review:
        out += [f"## {w['review']}（{len(review)}{w['count_suffix']}）", ""]
        for r in review:
            page = f"、{w['page_prefix']}{r.page}" if r.page else ""
            out.append(f"- {display_id(r.id)} {cat.title(r.id)}（{r.section}{page}）")
            out += [f"  - {reason.message}" for reason in r.reasons]
        out.append("")
    rounds = report.changes is not None
    round_head = f" {cols['round']} |" if rounds else ""
    out += [f"## {w['all_results']}", "",
            f"| {cols['id']} | {cols['title']} | {cols['status']} |{round_head} {cols['section']} | {cols['page']} "
            f"| {cols['reasons']} |",
            "| --- | --- | --- |" + (" --- |" if rounds else "") + " --- | --- | --- |"]
    for r in report.checkpoints:
        reasons = "<br>".join(_cell(x.message) for x in r.reasons)
        round_cell = f" {round_label(report, r.id)} |" if rounds else ""
        out.append(f"| {display_id(r.id)} | {_cell(cat.title(r.id))} | {status_label(r.status)} |{round_cell} "
                   f"{_cell(r.section)} | {r.page or ''} | {reasons} |")
    out += ["", f"*{w['note']}*", ""]
    return "\n".join(out)


def _round_section(report: CheckReport) -> list[str]:
    line = changes_line(report)
    if line is None or report.changes is None:
        return []
    w = wording()["report"]
    rw = w["round"]
    cat = load_catalog()
    out = ["", f"## {rw['heading']}", "", f"**{line}**", ""]
    for key in ("fixed", "new", "still"):
        ids = getattr(report.changes, key)
        items = "、".join(f"{display_id(c)} {cat.title(c)}" for c in ids) or rw["none"]
        out.append(f"- {rw[key]}（{len(ids)}{w['count_suffix']}）: {items}")
    if report.notes:
        out += ["", rw["carried"]]
    return out
