"""Writers for `pia review`: XLSX (openpyxl), DOCX (python-docx), Markdown, by the kind of output.

- review sheet (national body): the seed review sheet's table: 審査の観点 / 主な考慮事項 / 主な考慮事項(細目) /
  該当箇所 (pages, section) / 審査結果 / 所見, one table per part, then 総評 and the 審査記載事項 candidates. The
  viewpoint and consideration cells are merged over their rows, as in the printed sheet.
- 第三者点検 checklist (local government): one table, a row per checkpoint and viewpoint: 細目・観点 / 点検項目 /
  評価書の該当箇所 / 評価書の記載 / 状態 / 所見（案） / 確認すること / 点検者のコメント (empty, for the inspector),
  after a short 点検の概要. No 審査記載事項.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from bot.errors import InputFileError
from bot.models import ReviewDraft, ReviewDraftRow
from bot.resources import knowledge_yaml

FORMATS = ("xlsx", "docx", "md")


def write_review(draft: ReviewDraft, fmt: str, output: Path) -> Path:
    output = Path(output)
    if fmt not in FORMATS:
        raise InputFileError(f"出力形式「{fmt}」には対応していません",
                             hint="xlsx、docx、md のいずれかを指定してください")
    writers = ({"xlsx": write_xlsx, "docx": write_docx, "md": write_md} if draft.kind == "review_sheet" else
               {"xlsx": write_checklist_xlsx, "docx": write_checklist_docx, "md": write_md})
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        writers[fmt](draft, output)
    except OSError as e:
        raise InputFileError(f"{output} に書き込めません: {e.strerror}",
                             hint="出力先のパスと権限を確認してください") from e
    return output


def _parts(draft: ReviewDraft) -> list[tuple[str, list[ReviewDraftRow]]]:
    return [(part, list(rows)) for part, rows in groupby(draft.rows, key=lambda r: r.part)]


def _runs(rows: list[ReviewDraftRow], key) -> list[tuple[int, int]]:
    """(start, end) index ranges of consecutive rows with the same non-empty key (for merged cells)."""
    out, start = [], 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or key(rows[i]) != key(rows[start]) or not key(rows[start]):
            out.append((start, i - 1))
            start = i
    return out


def _needs_check(r: ReviewDraftRow) -> bool:
    return r.status in ("incomplete", "missing")


def _meta_lines(draft: ReviewDraft) -> list[tuple[str, str]]:
    d = draft.document
    lines = [("評価書名", d.title or ""), ("評価実施機関名", d.body or ""), ("ファイル", Path(d.path).name)]
    return [(k, v) for k, v in lines if v]


# --------------------------------------------------------------------------- XLSX


def write_xlsx(draft: ReviewDraft, output: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    t = knowledge_yaml("review_templates.yaml")
    wb = Workbook()
    ws = wb.active
    ws.title = "審査書（案）"
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    check_fill = PatternFill("solid", fgColor="FFF2CC")
    bold = Font(bold=True)
    widths = {"A": 28, "B": 28, "C": 44, "D": 12, "E": 18, "F": 16, "G": 70}
    for letter, w in widths.items():
        ws.column_dimensions[letter].width = w

    ws.append([t["sheet_title"]])
    ws["A1"].font = Font(bold=True, size=14)
    for k, v in _meta_lines(draft):
        ws.append([k, v])
    ws.append([t["notice"]])
    for note in _degraded(draft):
        ws.append([note])
    ws.append([])
    headers = t["headers"]
    for part, rows in _parts(draft):
        ws.append([part])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
        ws.append([headers[0], headers[1], headers[2], headers[3], "", headers[4], headers[5]])
        hr = ws.max_row
        ws.merge_cells(start_row=hr, start_column=4, end_row=hr, end_column=5)
        for c in range(1, 8):
            cell = ws.cell(hr, c)
            cell.font, cell.fill, cell.border, cell.alignment = bold, head_fill, border, Alignment(
                wrap_text=True, vertical="center", horizontal="center")
        first = ws.max_row + 1
        for r in rows:
            ws.append([r.viewpoint_text or "—", r.consideration_text or "—", r.checkpoint_text or "—",
                       r.pages or "—", r.section or "—", r.result, r.finding])
            n = ws.max_row
            for c in range(1, 8):
                cell = ws.cell(n, c)
                cell.alignment, cell.border = wrap, border
            if _needs_check(r):
                ws.cell(n, 6).fill = check_fill
                ws.cell(n, 7).fill = check_fill
        for col, key in ((1, lambda r: r.viewpoint_text), (2, lambda r: r.consideration_text)):
            for s, e in _runs(rows, key):
                if e > s:
                    ws.merge_cells(start_row=first + s, start_column=col, end_row=first + e, end_column=col)
        ws.append([])
    for title, items in ((t["general_comments_title"], draft.general_comments),
                         (t["review_remarks_title"], draft.review_remarks)):
        ws.append([title])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
        for item in items:
            ws.append([item])
            n = ws.max_row
            ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=7)
            ws.cell(n, 1).alignment = wrap
            ws.row_dimensions[n].height = 15 * max(2, len(item) // 90 + 1)
        ws.append([])
    ws.freeze_panes = None
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.print_options.gridLines = False
    wb.save(output)


# --------------------------------------------------------------------------- DOCX


def write_docx(draft: ReviewDraft, output: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    t = knowledge_yaml("review_templates.yaml")
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12))
    style = doc.styles["Normal"]
    style.font.size = Pt(8)
    doc.add_heading(t["sheet_title"], level=1)
    for k, v in _meta_lines(draft):
        doc.add_paragraph(f"{k}: {v}")
    doc.add_paragraph(t["notice"])
    for note in _degraded(draft):
        doc.add_paragraph(note)
    headers = t["headers"]
    col_widths = [Mm(34), Mm(34), Mm(52), Mm(14), Mm(22), Mm(20), Mm(97)]
    for part, rows in _parts(draft):
        doc.add_heading(part, level=2)
        table = doc.add_table(rows=1, cols=7)
        table.style = "Table Grid"
        hdr = table.rows[0].cells
        for i, label in enumerate([headers[0], headers[1], headers[2], headers[3], "", headers[4], headers[5]]):
            hdr[i].text = label
        hdr[3].merge(hdr[4])
        hdr[3].text = headers[3]
        for r in rows:
            cells = table.add_row().cells
            values = [r.viewpoint_text or "—", r.consideration_text or "—", r.checkpoint_text or "—",
                      r.pages or "—", r.section or "—", r.result, r.finding]
            for i, v in enumerate(values):
                cells[i].text = v
        for col, key in ((0, lambda r: r.viewpoint_text), (1, lambda r: r.consideration_text)):
            for s, e in _runs(rows, key):
                if e > s:
                    top, bottom = table.cell(1 + s, col), table.cell(1 + e, col)
                    text = top.text
                    merged = top.merge(bottom)
                    merged.text = text
        for row in table.rows:
            for i, w in enumerate(col_widths):
                row.cells[i].width = w
    doc.add_heading(t["general_comments_title"], level=2)
    for c in draft.general_comments:
        doc.add_paragraph(c)
    doc.add_heading(t["review_remarks_title"], level=2)
    for c in draft.review_remarks:
        doc.add_paragraph(c)
    doc.save(str(output))


# --------------------------------------------------------------------------- Markdown


def _degraded(draft: ReviewDraft) -> list[str]:
    """What could not run for this sheet (e.g. the past findings), as the check report says it."""
    if not draft.degraded:
        return []
    from bot.reports import degraded_notes

    return degraded_notes(draft.degraded)


def _md_cell(s: str | None) -> str:
    return (s or "—").replace("|", "｜").replace("\n", "<br>")


def render_md(draft: ReviewDraft) -> str:
    if draft.kind == "third_party_checklist":
        return render_checklist_md(draft)
    t = knowledge_yaml("review_templates.yaml")
    headers = t["headers"]
    out = [f"# {t['sheet_title']}", ""]
    out += [f"- {k}: {v}" for k, v in _meta_lines(draft)]
    out += ["", f"> {t['notice']}", ""]
    if draft.degraded:
        out += [f"> {n}" for n in _degraded(draft)] + [""]
    for part, rows in _parts(draft):
        out += [f"## {part}", ""]
        out.append("| " + " | ".join(headers) + " |")
        out.append("|" + "---|" * len(headers))
        prev_vp = prev_cons = None
        for r in rows:
            vp = "" if r.viewpoint_text == prev_vp else r.viewpoint_text
            cons = "" if r.consideration_text == prev_cons else r.consideration_text
            prev_vp, prev_cons = r.viewpoint_text, r.consideration_text
            place = " ".join(x for x in (r.pages, r.section) if x)
            cells = [_md_cell(vp) if vp else " ", _md_cell(cons) if cons else " ", _md_cell(r.checkpoint_text),
                     _md_cell(place), _md_cell(r.result), _md_cell(r.finding) if r.finding else " "]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    out += [f"## {t['general_comments_title']}", ""] + [f"- {c}" for c in draft.general_comments] + [""]
    out += [f"## {t['review_remarks_title']}", ""] + [f"- {c}" for c in draft.review_remarks] + [""]
    return "\n".join(out)


def write_md(draft: ReviewDraft, output: Path) -> None:
    output.write_text(render_md(draft), encoding="utf-8")


# --------------------------------------------------------------------------- 第三者点検 checklist (local governments)

STATUS_FILLS = {"ok": "E6F4EA", "review": "E3EEFB", "incomplete": "FFF4D6", "missing": "FDE2E1",
                "not_applicable": "EEF0F2"}


def checklist_cells(r: ReviewDraftRow) -> list[str]:
    """One checklist row, in the order of the checklist's headers (the inspector's comment empty)."""
    from bot.reports import display_id, status_label

    item = r.checkpoint_text or r.viewpoint_text
    place = " ".join(x for x in (r.pages, r.section) if x)
    return [display_id(r.checkpoint), item, place, r.statement, status_label(r.status), r.finding, r.confirm, ""]


def write_checklist_xlsx(draft: ReviewDraft, output: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    c = knowledge_yaml("review_templates.yaml")["checklist"]
    wb = Workbook()
    ws = wb.active
    ws.title = "第三者点検チェックリスト"
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = [9, 44, 18, 60, 10, 60, 44, 44]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.append([c["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    for k, v in _meta_lines(draft):
        ws.append([k, v])
    ws.append([c["notice"]])
    for note in _degraded(draft):
        ws.append([note])
    ws.append([])
    ws.append([c["summary_title"]])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    for line in draft.general_comments:
        ws.append([line])
    ws.append([])
    ws.append(list(c["headers"]))
    head = ws.max_row
    for i in range(1, len(widths) + 1):
        cell = ws.cell(head, i)
        cell.font, cell.border = Font(bold=True), border
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r in draft.rows:
        ws.append(checklist_cells(r))
        n = ws.max_row
        for i in range(1, len(widths) + 1):
            cell = ws.cell(n, i)
            cell.alignment, cell.border = wrap, border
        ws.cell(n, 5).fill = PatternFill("solid", fgColor=STATUS_FILLS.get(r.status, "FFFFFF"))
        ws.cell(n, 8).fill = PatternFill("solid", fgColor="FFFDE7")  # for the inspector
    ws.freeze_panes = ws.cell(head + 1, 1)
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(widths))}{ws.max_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    wb.save(output)


def write_checklist_docx(draft: ReviewDraft, output: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    c = knowledge_yaml("review_templates.yaml")["checklist"]
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12))
    doc.styles["Normal"].font.size = Pt(8)
    doc.add_heading(c["title"], level=1)
    for k, v in _meta_lines(draft):
        doc.add_paragraph(f"{k}: {v}")
    doc.add_paragraph(c["notice"])
    for note in _degraded(draft):
        doc.add_paragraph(note)
    doc.add_heading(c["summary_title"], level=2)
    for line in draft.general_comments:
        doc.add_paragraph(line)
    table = doc.add_table(rows=1, cols=len(c["headers"]))
    table.style = "Table Grid"
    for i, label in enumerate(c["headers"]):
        table.rows[0].cells[i].text = label
    for r in draft.rows:
        cells = table.add_row().cells
        for i, v in enumerate(checklist_cells(r)):
            cells[i].text = v
    widths = [Mm(12), Mm(40), Mm(20), Mm(55), Mm(14), Mm(55), Mm(40), Mm(37)]
    for row in table.rows:
        for i, w in enumerate(widths):
            row.cells[i].width = w
    doc.save(str(output))


def render_checklist_md(draft: ReviewDraft) -> str:
    c = knowledge_yaml("review_templates.yaml")["checklist"]
    out = [f"# {c['title']}", ""]
    out += [f"- {k}: {v}" for k, v in _meta_lines(draft)]
    out += ["", f"> {c['notice']}", ""] + [f"> {n}" for n in _degraded(draft)]
    out += ["", f"## {c['summary_title']}", ""]
    out += [f"- {line}" for line in draft.general_comments]
    out += ["", "| " + " | ".join(c["headers"]) + " |", "|" + "---|" * len(c["headers"])]
    for r in draft.rows:
        out.append("| " + " | ".join(_md_cell(v) if v else " " for v in checklist_cells(r)) + " |")
    out.append("")
    return "\n".join(out)
