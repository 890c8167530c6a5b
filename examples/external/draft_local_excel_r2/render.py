# -*- coding: utf-8 -*-
"""Render the held-out draft local_excel: one long sheet, openpyxl -> xlsx, LibreOffice -> pdf, copy-paste -> txt."""
import math
import os
import subprocess
import sys

import pymupdf
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.named_styles import NamedStyle
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.properties import PageSetupProperties

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import content  # noqa: E402

FONT = "IPAexGothic"
FONTFILE = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
MFONT = pymupdf.Font(fontfile=FONTFILE)
COLS = "ABCDEF"
WIDTHS = {"A": 7, "B": 15, "C": 20, "D": 22, "E": 22, "F": 22}
PT_PER_UNIT = 6.1      # measured 6.27 pt per width unit in the LibreOffice PDF (unscaled); kept a little lower
PAD = 6.0              # horizontal padding inside a cell (pt, both sides)
SIZE = {"body": 9, "label": 8.5, "opt": 7.5, "sec": 11, "item": 9.5, "hdr": 9}
LINE = 1.12           # LibreOffice line pitch for IPAexGothic is 1.0 em; a little air

thin = Side(style="thin", color="000000")
BORDER = Border(left=thin, right=thin, top=thin, bottom=thin)
FILL_SEC = PatternFill("solid", fgColor="BDD7EE")
FILL_ITEM = PatternFill("solid", fgColor="DDEBF7")
FILL_SUB = PatternFill("solid", fgColor="F2F2F2")
FILL_LABEL = PatternFill("solid", fgColor="FAFAFA")


def layout(rows):
    """Turn content rows into a grid of (text, style) with ids for merges."""
    grid = []   # list of rows: each row is list of 6 [id, text, style]
    breaks = []
    nid = [0]

    def new():
        nid[0] += 1
        return nid[0]

    # header row
    grid.append([[new(), "番号", "hdr"], [new(), "項目", "hdr"], [new(), "細目", "hdr"],
                 [0, "記載欄", "hdr"], [0, "", "hdr"], [0, "", "hdr"]])
    i = grid[-1][3][0] = new()
    grid[-1][4][0] = grid[-1][5][0] = i
    real = [r for r in rows if r[0] != "brk"]
    k = 0
    for r in rows:
        kind = r[0]
        if kind == "brk":
            breaks.append(len(grid))   # break after this many rows
            continue
        prev = grid[-1]
        row = [[0, "", "body"] for _ in range(6)]
        if kind == "sec":
            i = new()
            for c in range(6):
                row[c] = [i, r[1] if c == 0 else "", "sec"]
        elif kind in ("item", "sub"):
            row[0] = [new(), r[1], "item" if kind == "item" else "sublab"]
            i = new()
            for c in range(1, 6):
                row[c] = [i, r[2] if c == 1 else "", "item" if kind == "item" else "sub"]
        elif kind == "note":
            row[0] = [new(), "", "label"]
            i = new()
            for c in range(1, 6):
                row[c] = [i, r[1] if c == 1 else "", "body"]
        elif kind == "pair":
            row[0] = [new(), "", "label"]
            i = new()
            row[1] = [i, r[1], "body"]
            row[2] = [i, "", "body"]
            i = new()
            for c in range(3, 6):
                row[c] = [i, r[2] if c == 3 else "", "body"]
        elif kind == "tbl":
            for c in range(6):
                row[c] = [new(), r[1][c], "body"]
        elif kind == "opt":
            for c in range(3):
                row[c] = [prev[c][0], "", prev[c][2]]
            i = new()
            for c in range(3, 6):
                row[c] = [i, r[1] if c == 3 else "", "opt"]
        elif kind == "f":
            _, a, b, c, d = r
            row[0] = [prev[0][0], "", prev[0][2]] if a == "^" else [new(), a, "label"]
            row[1] = [prev[1][0], "", "label"] if b == "^" else [new(), b, "label"]
            if c == "^":
                row[2] = [prev[2][0], "", "label"]
            elif c == "":
                # merge B:C unless a later row of the same B block carries its own sub-label
                j = k + 1
                while j < len(real) and real[j][0] == "opt":
                    j += 1
                if j < len(real) and real[j][0] == "f" and real[j][2] == "^" and real[j][3] != "^":
                    row[2] = [new(), "", "label"]
                else:
                    row[2] = [row[1][0], "", "label"]
            else:
                row[2] = [new(), c, "label"]
            i = new()
            for cc in range(3, 6):
                row[cc] = [i, d if cc == 3 else "", "body"]
        else:
            raise ValueError(kind)
        grid.append(row)
        k += 1
    return grid, breaks


def blocks(grid):
    """id -> (r0, c0, r1, c1), checking each id covers a full rectangle."""
    cells = {}
    for r, row in enumerate(grid):
        for c, (i, _, _) in enumerate(row):
            cells.setdefault(i, []).append((r, c))
    out = {}
    for i, cl in cells.items():
        r0 = min(x[0] for x in cl); r1 = max(x[0] for x in cl)
        c0 = min(x[1] for x in cl); c1 = max(x[1] for x in cl)
        if len(cl) != (r1 - r0 + 1) * (c1 - c0 + 1):
            raise SystemExit("non-rectangular merge for id %s at rows %s" % (i, sorted(cl)))
        out[i] = (r0, c0, r1, c1)
    return out


def n_lines(text, width_pt, size):
    if not text:
        return 1
    usable = width_pt - PAD
    n = 0
    for para in text.split("\n"):
        w = MFONT.text_length(para, fontsize=size)
        n += max(1, math.ceil(w / usable * 1.04))   # 4% for kinsoku / word wrap
    return n


def style_for(kind):
    if kind == "sec":
        return Font(name=FONT, size=SIZE["sec"], bold=True), FILL_SEC, Alignment(horizontal="left", vertical="center", wrap_text=True)
    if kind == "item":
        return Font(name=FONT, size=SIZE["item"], bold=True), FILL_ITEM, Alignment(horizontal="left", vertical="center", wrap_text=True)
    if kind in ("sub", "sublab"):
        return Font(name=FONT, size=SIZE["item"], bold=True), FILL_SUB, Alignment(horizontal="left", vertical="top", wrap_text=True)
    if kind == "hdr":
        return Font(name=FONT, size=SIZE["hdr"], bold=True), FILL_ITEM, Alignment(horizontal="center", vertical="center", wrap_text=True)
    if kind == "label":
        return Font(name=FONT, size=SIZE["label"]), FILL_LABEL, Alignment(horizontal="left", vertical="top", wrap_text=True)
    if kind == "opt":
        return Font(name=FONT, size=SIZE["opt"], color="595959"), None, Alignment(horizontal="left", vertical="top", wrap_text=True)
    return Font(name=FONT, size=SIZE["body"]), None, Alignment(horizontal="left", vertical="top", wrap_text=True)


def size_of(kind):
    return {"sec": SIZE["sec"], "item": SIZE["item"], "sub": SIZE["item"], "sublab": SIZE["item"],
            "hdr": SIZE["hdr"], "label": SIZE["label"], "opt": SIZE["opt"]}.get(kind, SIZE["body"])


def build_xlsx(path):
    grid, breaks = layout(content.ROWS)
    rects = blocks(grid)
    wb = Workbook()
    # make the workbook's Normal style use the Japanese font (column width units follow it)
    normal = [s for s in wb._named_styles if s.name == "Normal"][0]
    normal.font = Font(name=FONT, size=10)
    ws = wb.active
    ws.title = "本文"
    for col, w in WIDTHS.items():
        ws.column_dimensions[col].width = w
    colpt = [WIDTHS[c] * PT_PER_UNIT for c in COLS]

    # write values and styles
    for r, row in enumerate(grid, start=1):
        for c, (i, text, kind) in enumerate(row):
            cell = ws.cell(row=r, column=c + 1)
            if text:
                cell.value = text
            f, fill, al = style_for(kind)
            cell.font = f
            if fill is not None:
                cell.fill = fill
            cell.alignment = al
            cell.border = BORDER
    for i, (r0, c0, r1, c1) in rects.items():
        if (r0, c0) != (r1, c1):
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)

    # row heights: single-row blocks first, then stretch the last row of multi-row blocks
    heights = [12.0] * len(grid)
    need = {}
    for i, (r0, c0, r1, c1) in rects.items():
        text, kind = grid[r0][c0][1], grid[r0][c0][2]
        size = size_of(kind)
        width = sum(colpt[c0:c1 + 1])
        h = n_lines(text, width, size) * size * LINE + 5
        need[i] = h
        if r0 == r1:
            heights[r0] = max(heights[r0], h)
    for i, (r0, c0, r1, c1) in rects.items():
        if r1 > r0:
            have = sum(heights[r0:r1 + 1])
            if have < need[i]:
                heights[r1] += need[i] - have
    for r, h in enumerate(heights, start=1):
        ws.row_dimensions[r].height = round(h, 1)

    # print settings
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.75
    ws.page_margins.bottom = 0.7
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3
    ws.oddHeader.center.text = "東風町　特定個人情報保護評価書（全項目評価書）　予防接種に関する事務"
    ws.oddHeader.center.size = 9
    ws.oddHeader.center.font = FONT + ",Regular"
    ws.oddFooter.center.text = "- &P -"
    ws.oddFooter.center.size = 9
    ws.oddFooter.center.font = FONT + ",Regular"
    for b in breaks:
        if b > 1:
            ws.row_breaks.append(Break(id=b))
    ws.freeze_panes = "A2"
    wb.save(path)
    return grid


def excel_copy_text(grid):
    """What select-all + copy + paste into a text editor gives: tab-separated, one row per line;
    cells holding line breaks or double quotes are quoted the way Excel does it."""
    out = []
    for row in grid:
        cells = []
        for _, text, _ in row:
            t = text or ""
            if "\n" in t or '"' in t or "\t" in t:
                t = '"' + t.replace('"', '""') + '"'
            cells.append(t)
        out.append("\t".join(cells))
    return "\r\n".join(out) + "\r\n"


def to_pdf(xlsx):
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", HERE, xlsx],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def norm(s):
    return "".join(ch for ch in s if not ch.isspace())


def check_pdf(pdf, grid):
    doc = pymupdf.open(pdf)
    alltext = norm("".join(p.get_text() for p in doc))
    missing = []
    for row in grid:
        for _, text, _ in row:
            if text and norm(text) not in alltext:
                # LibreOffice may hyphenate nothing in Japanese, but check piecewise for line-broken ASCII
                pieces = [p for p in text.split("\n") if p.strip()]
                bad = [p for p in pieces if norm(p) not in alltext]
                if bad:
                    missing.append(bad[0][:60])
    return len(doc), missing


if __name__ == "__main__":
    xlsx = os.path.join(HERE, "local_excel.xlsx")
    grid = build_xlsx(xlsx)
    with open(os.path.join(HERE, "local_excel.txt"), "w", encoding="utf-8", newline="") as f:
        f.write(excel_copy_text(grid))
    to_pdf(xlsx)
    pages, missing = check_pdf(os.path.join(HERE, "local_excel.pdf"), grid)
    print("pages:", pages, "rows:", len(grid))
    print("cells missing from PDF text:", len(missing))
    for m in missing:
        print("  ", m)
