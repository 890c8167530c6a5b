"""The check report as Markdown: summary, flags with reasons and precedents, and a table of every result."""

from __future__ import annotations

from bot.catalog import load_catalog
from bot.models import CheckReport
from bot.reports import display_id, flagged, precedent_source, status_label, wording, worst_sections


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
    labels = " | ".join(status_label(k) for k in ("ok", "incomplete", "missing", "not_applicable"))
    out += ["", f"## {w['summary']}", "", f"| {labels} |", "| --- | --- | --- | --- |",
            f"| {s.ok} | {s.incomplete} | {s.missing} | {s.not_applicable} |"]
    worst = worst_sections(report)
    if worst:
        out += ["", f"{w['worst_sections']}: " + "、".join(f"{sec}（{n}{w['count_suffix']}）" for sec, n in worst)]
    out += ["", f"## {w['flags']}", ""]
    flags = flagged(report)
    if not flags:
        out.append(w["no_flags"])
    for r in flags:
        page = f"、{w['page_prefix']}{r.page}" if r.page else ""
        out.append(f"### {display_id(r.id)} {cat.title(r.id)}【{status_label(r.status)}】（{r.section}{page}）")
        out.append("")
        for reason in r.reasons:
            out.append(f"- {reason.message}")
        for e in r.evidence[:3]:
            out.append(f"  - {cols['evidence']}「{e.label}」: {e.text}")
        for p in r.precedents:
            out.append(f"  - {w['precedent']}（{precedent_source(p)}）: {p.text}")
        out.append("")
    out += [f"## {w['all_results']}", "",
            f"| {cols['id']} | {cols['title']} | {cols['status']} | {cols['section']} | {cols['page']} | {cols['reasons']} |",
            "| --- | --- | --- | --- | --- | --- |"]
    for r in report.checkpoints:
        reasons = "<br>".join(_cell(x.message) for x in r.reasons)
        out.append(f"| {display_id(r.id)} | {_cell(cat.title(r.id))} | {status_label(r.status)} | {_cell(r.section)} | "
                   f"{r.page or ''} | {reasons} |")
    out += ["", f"*{w['note']}*", ""]
    return "\n".join(out)
