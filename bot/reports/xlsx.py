"""The check report as an Excel workbook: a summary sheet, and one row per checkpoint/viewpoint with its status
(Japanese label on a coloured fill), section, page, reasons, evidence and closest precedent with its source.
Autofilter, frozen header, wrapped text, fixed column widths."""

from __future__ import annotations

from pathlib import Path

from bot.catalog import load_catalog
from bot.models import CheckReport
from bot.reports import display_id, precedent_source, status_label, wording, worst_sections

FILLS = {"ok": "E6F4EA", "incomplete": "FFF4D6", "missing": "FDE2E1", "not_applicable": "EEF0F2"}
COLUMNS = [("id", 8), ("title", 30), ("status", 11), ("section", 26), ("page", 8), ("reasons", 60),
           ("evidence", 60), ("precedent", 60), ("source", 28)]  # fmt: skip


def write(report: CheckReport, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    w = wording()["report"]
    cols = w["columns"]
    cat = load_catalog()
    wb = Workbook()
    summary = wb.active
    summary.title = w["summary_sheet"]
    results = wb.create_sheet(w["results_sheet"])
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    thin = Side(style="thin", color="B0B4B9")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    # ------------------------------------------------------------------ summary sheet
    d = report.document
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 80
    summary.append([w["title"]])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in ((w["document"], d.title or ""), (w["body"], d.body or ""), (w["file"], d.path),
                         (w["format"], d.format), (w["pages"], d.pages)):
        summary.append([label, value])
    summary.append([])
    summary.append([w["summary"]])
    summary.cell(summary.max_row, 1).font = bold
    for status in ("ok", "incomplete", "missing", "not_applicable"):
        summary.append([status_label(status), getattr(report.summary, status)])
        summary.cell(summary.max_row, 1).fill = PatternFill("solid", fgColor=FILLS[status])
    worst = worst_sections(report)
    if worst:
        summary.append([])
        summary.append([w["worst_sections"]])
        summary.cell(summary.max_row, 1).font = bold
        for sec, n in worst:
            summary.append([sec, n])
    summary.append([])
    summary.append([w["note"]])
    for row in summary.iter_rows():
        for c in row:
            c.alignment = wrap

    # ------------------------------------------------------------------ one row per checkpoint
    results.append([cols[k] for k, _ in COLUMNS])
    for i, (_, width) in enumerate(COLUMNS, start=1):
        results.column_dimensions[get_column_letter(i)].width = width
        head = results.cell(1, i)
        head.font = bold
        head.fill = PatternFill("solid", fgColor="D9E2F3")
        head.border = border
        head.alignment = Alignment(wrap_text=True, vertical="center")
    for r in report.checkpoints:
        prec = r.precedents[0] if r.precedents else None
        results.append([
            display_id(r.id),
            cat.title(r.id),
            status_label(r.status),
            r.section,
            r.page,
            "\n".join(x.message for x in r.reasons),
            "\n".join(f"「{e.label}」{'p.' + str(e.page) + ' ' if e.page else ''}{e.text}" for e in r.evidence[:3]),
            "\n\n".join(p.text for p in r.precedents),
            "\n\n".join(precedent_source(p) for p in r.precedents) if prec else "",
        ])
        row = results.max_row
        for i in range(1, len(COLUMNS) + 1):
            c = results.cell(row, i)
            c.alignment = wrap
            c.border = border
        results.cell(row, 3).fill = PatternFill("solid", fgColor=FILLS[r.status])
        results.cell(row, 3).font = bold
    results.freeze_panes = "A2"
    results.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{results.max_row}"
    wb.active = 1 if report.summary.incomplete + report.summary.missing else 0
    wb.save(str(path))
    return path
