"""Writers for the pre-filled review sheet: XLSX (openpyxl), DOCX (python-docx), Markdown.

All three follow the seed review sheet's table: 審査の観点 / 主な考慮事項 / 主な考慮事項(細目) / 該当箇所 (pages,
section) / 審査結果 / 所見, one table per part, then 総評 and the 審査記載事項 candidates. The viewpoint and
consideration cells are merged over their rows, as in the printed sheet.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from bot.errors import InputFileError
from bot.models import ReviewDraft, ReviewDraftRow
from bot.review import templates

FORMATS = ("xlsx", "docx", "md")


def write_review(draft: ReviewDraft, fmt: str, output: Path) -> Path:
    output = Path(output)
    if fmt not in FORMATS:
        raise InputFileError(f"出力形式「{fmt}」には対応していません", hint="xlsx、docx、md のいずれかを指定してください")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        {"xlsx": write_xlsx, "docx": write_docx, "md": write_md}[fmt](draft, output)
    except OSError as e:
        raise InputFileError(f"{output} に書き込めません: {e.strerror}", hint="出力先のパスと権限を確認してください") from e
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

    t = templates()
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
    for col, w in widths.items():
        ws.column_dimensions[col].width = w

    ws.append([t["sheet_title"]])
    ws["A1"].font = Font(bold=True, size=14)
    for k, v in _meta_lines(draft):
        ws.append([k, v])
    ws.append([t["notice"]])
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

    t = templates()
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
    doc.save(output)


# --------------------------------------------------------------------------- Markdown


def _md_cell(s: str | None) -> str:
    return (s or "—").replace("|", "｜").replace("\n", "<br>")


def render_md(draft: ReviewDraft) -> str:
    t = templates()
    headers = t["headers"]
    out = [f"# {t['sheet_title']}", ""]
    out += [f"- {k}: {v}" for k, v in _meta_lines(draft)]
    out += ["", f"> {t['notice']}", ""]
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
