"""The check report as an Excel workbook: a summary sheet, and one row per checkpoint/viewpoint with its status
(Japanese label on a coloured fill), section, page, reasons, evidence and closest precedent with its source, and the
round's two columns (審査側コメント, 作成側の対応) for the reviewer and the drafter to fill in. Autofilter, frozen
header, wrapped text, fixed column widths.

A hidden sheet (`pia_round`) carries the round for the next check (`pia check NEW --since THIS.xlsx`): each
checkpoint's status and the salted hashes of the fields (bot/rounds.py), never the draft's text. read_round() reads
it back with the two columns as they were filled in (found by their headers, so sorting or moving columns is fine).
"""

from __future__ import annotations

from pathlib import Path

from bot.catalog import load_catalog
from bot.errors import InputFileError
from bot.models import STATUSES, CheckReport, RoundNote, RoundRecord
from bot.reports import display_id, precedent_source, round_label, status_label, wording, worst_sections

FILLS = {"ok": "E6F4EA", "review": "E3EEFB", "incomplete": "FFF4D6", "missing": "FDE2E1", "not_applicable": "EEF0F2"}
NOTE_FILL = "FFFDE7"
COLUMNS = [("id", 8), ("title", 30), ("status", 11), ("section", 26), ("page", 8), ("reasons", 60),
           ("evidence", 60), ("precedent", 60), ("source", 28), ("reviewer", 40), ("drafter", 40)]  # fmt: skip
ROUND_COLUMN = ("round", 10)  # after the status, when the report has a previous round
ROUND_MARK = "pia-check-round"


def write(report: CheckReport, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    w = wording()["report"]
    cols = w["columns"]
    cat = load_catalog()
    columns = list(COLUMNS)
    if report.changes is not None:
        columns.insert(3, ROUND_COLUMN)
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
    for status in STATUSES:
        summary.append([status_label(status), getattr(report.summary, status)])
        summary.cell(summary.max_row, 1).fill = PatternFill("solid", fgColor=FILLS[status])
    if report.changes is not None:
        ch = report.changes
        rw = w["round"]
        summary.append([])
        summary.append([rw["heading"], rw["line"].format(fixed=len(ch.fixed), new=len(ch.new), still=len(ch.still))])
        summary.cell(summary.max_row, 1).font = bold
        for key in ("fixed", "new", "still"):
            ids = getattr(ch, key)
            summary.append([rw[key], "、".join(display_id(c) for c in ids) or rw["none"]])
        if report.notes:
            summary.append(["", rw["carried"]])
    worst = worst_sections(report)
    if worst:
        summary.append([])
        summary.append([w["worst_sections"]])
        summary.cell(summary.max_row, 1).font = bold
        for sec, n in worst:
            summary.append([sec, n])
    summary.append([])
    summary.append([w["note"]])
    summary.append([w["round_columns_note"]])
    for row in summary.iter_rows():
        for c in row:
            c.alignment = wrap

    # ------------------------------------------------------------------ one row per checkpoint
    results.append([cols[k] for k, _ in columns])
    for i, (_, width) in enumerate(columns, start=1):
        results.column_dimensions[get_column_letter(i)].width = width
        head = results.cell(1, i)
        head.font = bold
        head.fill = PatternFill("solid", fgColor="D9E2F3")
        head.border = border
        head.alignment = Alignment(wrap_text=True, vertical="center")
    for r in report.checkpoints:
        prec = r.precedents[0] if r.precedents else None
        note = report.notes.get(r.id) or RoundNote()
        values = {
            "id": display_id(r.id),
            "title": cat.title(r.id),
            "status": status_label(r.status),
            "round": round_label(report, r.id),
            "section": r.section,
            "page": r.page,
            "reasons": "\n".join([x.message for x in r.reasons] + ([r.suggestion] if r.suggestion else [])),
            "evidence": "\n".join(f"「{e.label}」{'p.' + str(e.page) + ' ' if e.page else ''}{e.text}"
                                   for e in r.evidence[:3]),
            "precedent": "\n\n".join(p.text for p in r.precedents),
            "source": "\n\n".join(precedent_source(p) for p in r.precedents) if prec else "",
            "reviewer": note.reviewer,
            "drafter": note.drafter,
        }
        results.append([values[k] for k, _ in columns])
        row = results.max_row
        for i, (k, _) in enumerate(columns, start=1):
            c = results.cell(row, i)
            c.alignment = wrap
            c.border = border
            if k in ("reviewer", "drafter"):
                c.fill = PatternFill("solid", fgColor=NOTE_FILL)
        results.cell(row, 3).fill = PatternFill("solid", fgColor=FILLS[r.status])
        results.cell(row, 3).font = bold
    results.freeze_panes = "A2"
    results.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{results.max_row}"
    _round_sheet(wb, report, w["round_sheet"])
    wb.active = 1 if report.summary.incomplete + report.summary.missing else 0
    wb.save(str(path))
    return path


def _round_sheet(wb, report: CheckReport, title: str) -> None:
    """The hidden, machine-readable sheet: the round's statuses and field hashes (bot/rounds.py), no draft text."""
    from bot.round_record import record_of

    record = record_of(report)
    ws = wb.create_sheet(title)
    ws.sheet_state = "hidden"
    ws.append([ROUND_MARK, record.version])
    ws.append(["salt", record.salt])
    ws.append(["checked_at", record.checked_at])
    ws.append(["format", record.format or ""])
    ws.append([])
    ws.append(["checkpoint", "status"])
    for cid, status in record.statuses.items():
        ws.append([cid, status])
    ws.append([])
    ws.append(["field", "hash"])
    for key, digest in record.fields.items():
        ws.append([key, digest])


# --------------------------------------------------------------------------- reading a report back (--since)


def is_check_report(path: Path) -> bool:
    """Is this xlsx a `pia check` report with its round sheet? (False for drafts and unreadable files.)"""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(str(path), read_only=True, data_only=True)
    except Exception:  # not a workbook openpyxl can open: the draft loader will say what is wrong with it
        return False
    try:
        title = wording()["report"]["round_sheet"]
        return title in wb.sheetnames and wb[title].cell(1, 1).value == ROUND_MARK
    finally:
        wb.close()


def _id_of(shown) -> str | None:
    """A results row's first cell back to the checkpoint id: '41' -> '41', '(1)' -> 'V1'."""
    text = str(shown or "").strip()
    if text.startswith("(") and text.endswith(")") and text[1:-1].isdigit():
        return f"V{int(text[1:-1])}"
    if text.isdigit():
        return str(int(text))
    return None


def read_round(path: Path) -> tuple[RoundRecord, dict[str, RoundNote]]:
    """The round a report recorded, and the 審査側コメント / 作成側の対応 written in its results sheet."""
    from openpyxl import load_workbook

    w = wording()["report"]
    wb = load_workbook(str(path), read_only=True, data_only=True)
    try:
        rows = [list(r) for r in wb[w["round_sheet"]].iter_rows(values_only=True)]
        head = {str(r[0]): r[1] for r in rows[:4] if r and r[0] is not None}
        statuses: dict = {}
        fields: dict[str, str] = {}
        part = None
        for r in rows[4:]:
            first = r[0] if r else None
            if first in ("checkpoint", "field") and r[1] in ("status", "hash"):
                part = first
                continue
            if first is None or part is None:
                continue
            if part == "checkpoint" and r[1] in STATUSES:
                statuses[str(first)] = r[1]
            elif part == "field" and r[1]:
                fields[str(first)] = str(r[1])
        try:
            record = RoundRecord(version=int(head.get(ROUND_MARK) or 1), salt=str(head["salt"]),
                                 checked_at=str(head.get("checked_at") or ""), format=head.get("format") or None,
                                 statuses=statuses, fields=fields)
            bytes.fromhex(record.salt)
        except (KeyError, ValueError) as e:
            raise InputFileError(w["round"]["broken"].format(name=Path(path).name)) from e
        notes = _read_notes(wb[w["results_sheet"]] if w["results_sheet"] in wb.sheetnames else None, w["columns"])
    finally:
        wb.close()
    return record, notes


def _read_notes(ws, cols: dict) -> dict[str, RoundNote]:
    if ws is None:
        return {}
    rows = ws.iter_rows(values_only=True)
    header = [str(v or "").strip() for v in next(rows, [])]
    try:
        at_id = header.index(cols["id"])
    except ValueError:
        return {}
    at_rev = header.index(cols["reviewer"]) if cols["reviewer"] in header else None
    at_dra = header.index(cols["drafter"]) if cols["drafter"] in header else None
    notes: dict[str, RoundNote] = {}
    for row in rows:
        cid = _id_of(row[at_id] if at_id < len(row) else None)
        if cid is None:
            continue
        rev = str(row[at_rev] or "").strip() if at_rev is not None and at_rev < len(row) else ""
        dra = str(row[at_dra] or "").strip() if at_dra is not None and at_dra < len(row) else ""
        if rev or dra:
            notes[cid] = RoundNote(reviewer=rev, drafter=dra)
    return notes
