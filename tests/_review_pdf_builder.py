"""Render a review sheet (the seed's tab-separated text) as a real PDF, the way the secretariat's sheets look:
A4 pages, a 7-column table with wrapped cells, the merged 審査の観点 / 主な考慮事項 cells printed on the first row of a
group, each 所見 cell in the last column of the row it is printed on (its paragraphs one under the other), rows
taller than the rest of a page continued on the next page under a repeated header, a footer "- n -" on every page.

Used by tests/test_review_parser_pdf.py; `python tests/_review_pdf_builder.py SHEET.txt OUT.pdf` renders one by hand.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
WIDTHS = [30, 27, 40, 15, 17, 13, 48]  # 観点, 考慮事項, 細目, 頁, 節, 結果, 所見 (mm, total 190)
FONT_SIZE = 7.5
LINE_H = 3.4
PAD = 1.0


def _paragraphs(cell: str) -> list[str]:
    blocks = re.findall(r"<p>(.*?)</p>", cell) or [cell]
    out: list[str] = []
    for b in blocks:
        out += [p.strip() for p in re.split(r"(?<=。)\s{2,}", b) if p.strip()]
    return out


def render_review_pdf(text: str, path: Path) -> Path:
    from fpdf import FPDF

    class Sheet(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("ipaexg", size=9)
            self.cell(0, 6, f"- {self.page_no()} -", align="C")

    pdf = Sheet(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(10, 12, 10)
    pdf.add_font("ipaexg", fname=str(FONT))
    bottom = pdf.h - 18
    header: list[str] | None = None

    def wrap(cell: str, width: float) -> list[str]:
        lines: list[str] = []
        for para in _paragraphs(cell):
            lines += pdf.multi_cell(width - 2 * PAD, LINE_H, para, dry_run=True, output="LINES")
        return lines

    def draw_row(cells: list[list[str]], is_header: bool = False) -> None:
        pending = [list(c) for c in cells]
        while True:
            room = int((bottom - pdf.get_y() - 2 * PAD) // LINE_H)
            if room < 3:
                new_page()
                continue
            take = min(room, max(len(c) for c in pending))
            y0, x = pdf.get_y(), pdf.l_margin
            height = take * LINE_H + 2 * PAD
            for w, lines in zip(WIDTHS, pending, strict=True):
                pdf.rect(x, y0, w, height)
                for k, line in enumerate(lines[:take]):
                    pdf.set_xy(x + PAD, y0 + PAD + k * LINE_H)
                    pdf.cell(w - 2 * PAD, LINE_H, line)
                x += w
            pdf.set_xy(pdf.l_margin, y0 + height)
            pending = [c[take:] for c in pending]
            if not any(pending):
                return
            new_page()  # the rest of a tall row continues on the next page

    def new_page() -> None:
        pdf.add_page()
        pdf.set_font("ipaexg", size=FONT_SIZE)
        if header is not None:
            draw_row([wrap(c, w) for c, w in zip(header, WIDTHS, strict=True)], True)

    def text_line(line: str, size: float = 10.5) -> None:
        pdf.set_font("ipaexg", size=size)
        lines = pdf.multi_cell(0, 5.5, line, dry_run=True, output="LINES")
        if pdf.get_y() + 5.5 * len(lines) > bottom:
            pdf.add_page()
        pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("ipaexg", size=FONT_SIZE)

    pdf.add_page()
    pdf.set_font("ipaexg", size=FONT_SIZE)
    in_table = False
    for raw in text.splitlines():
        if "\t" in raw and "....." not in raw:
            cells = raw.split("\t")
            if "所見" in cells[-1] and "審査の観点" in cells[0]:
                header = (cells + [""] * 7)[:7]
                if not in_table:
                    pdf.ln(2)
                draw_row([wrap(c, w) for c, w in zip(header, WIDTHS, strict=True)], True)
                in_table = True
                continue
            cells = (cells + [""] * 7)[:7]
            draw_row([wrap(c, w) for c, w in zip(cells, WIDTHS, strict=True)])
            continue
        if in_table:
            header = None
            in_table = False
            pdf.ln(3)
        line = raw.replace("\t", " ").strip()
        if not line:
            continue
        if line.startswith("## "):
            text_line(line[3:], 12)
        else:
            text_line(line.lstrip("- "))
    pdf.output(str(path))
    return path


if __name__ == "__main__":
    render_review_pdf(Path(sys.argv[1]).read_text(encoding="utf-8"), Path(sys.argv[2]))
