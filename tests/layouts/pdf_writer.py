"""PDFs as printed from a filled-in Word or Excel template (fpdf2, IPAex Gothic).

Text is placed line by line, page by page, in the order a word processor or spreadsheet writes it: for each row, the
label cell's lines on this page, then the value cell's lines on this page. So a label and the first line of its value
share a baseline (a PDF reader gives them as one text line), a value that overflows the page continues on the next
page after the running header, and a long label wraps inside its column.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from layouts.rows import Row

FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")

PAGE_H = 297.0
TOP = 20.0
BOTTOM = 280.0
LEFT = 15.0
RIGHT = 195.0


@dataclass
class PdfLayout:
    mode: str = "table"  # table (label column + value column) | stacked (label line, value lines under it)
    label_width: float = 55.0  # mm
    size: float = 9.0  # pt
    header: str | None = None  # running header at the top of every page
    footer: str = "- {n} -"  # page number: "- {n} -" | "{n} / {total}" | "{n}" | "P.{n}"
    page_breaks: float = 0.0  # chance that a row is cut by a page break at a random line
    section_new_page: bool = True


def _width(text: str, size: float) -> float:
    """Width in mm of a text at `size` pt (full-width characters are 1 em, others half)."""
    em = size * 0.3528
    return sum(em if unicodedata.east_asian_width(c) in "WFA" else em * 0.55 for c in text)


def wrap(text: str, width: float, size: float) -> list[str]:
    out, cur = [], ""
    for ch in text:
        if cur and _width(cur + ch, size) > width:
            out.append(cur)
            cur = ""
        cur += ch
    if cur or not out:
        out.append(cur)
    return out


class _Pdf(FPDF):
    def __init__(self, lay: PdfLayout):
        super().__init__(format="A4")
        self.lay = lay
        self.set_auto_page_break(False)
        self.add_font("ipa", fname=str(FONT))
        self.set_font("ipa", size=lay.size)


def render_pdf(rows: list[Row], lay: PdfLayout, rng: random.Random, path: Path) -> Path:
    pdf = _Pdf(lay)
    lh = lay.size * 0.3528 * 1.45
    pages: list[list[tuple[float, float, str]]] = [[]]
    state = {"y": TOP}

    def new_page() -> None:
        pages.append([])
        state["y"] = TOP

    def line_at(x: float, y: float, text: str) -> None:
        pages[-1].append((x, y, text))

    def block(label_lines: list[str], value_lines: list[str], x_label: float, x_value: float) -> None:
        """Place two columns line by line; a page break may cut the row (the label stays on the first part)."""
        n = max(len(label_lines), len(value_lines), 1)
        cut = rng.randrange(1, n) if n > 1 and rng.random() < lay.page_breaks else None
        i = 0
        while i < n:
            room = int((BOTTOM - state["y"]) // lh)
            if room <= 0:
                new_page()
                continue
            take = min(room, n - i)
            if cut is not None and i < cut < i + take:
                take = cut - i
            y0 = state["y"]
            for k in range(i, i + take):  # the label cell's lines on this page, then the value cell's
                if k < len(label_lines) and label_lines[k]:
                    line_at(x_label, y0 + (k - i + 1) * lh, label_lines[k])
            for k in range(i, i + take):
                if k < len(value_lines) and value_lines[k]:
                    line_at(x_value, y0 + (k - i + 1) * lh, value_lines[k])
            state["y"] = y0 + take * lh
            i += take
            if i < n:
                new_page()
        state["y"] += lh * 0.3

    value_w = RIGHT - LEFT - lay.label_width - 3
    first = True
    for row in rows:
        if row.role == "section":
            if not first and lay.section_new_page:
                new_page()
            first = False
        if row.role == "text":
            lines = [w for v in row.value for w in wrap(v, RIGHT - LEFT, lay.size)]
            block([], lines, LEFT, LEFT)
            continue
        if row.role in ("section", "item", "group"):
            text = row.label + ("　" + "　".join(row.value) if row.value else "")
            block([], wrap(text, RIGHT - LEFT, lay.size), LEFT, LEFT)
            continue
        values = [w for v in (row.value or [""]) for w in wrap(v, value_w if lay.mode == "table" else RIGHT - LEFT - 8,
                                                               lay.size)]
        if lay.mode == "table":
            block(wrap(row.label, lay.label_width, lay.size), values, LEFT, LEFT + lay.label_width + 3)
        else:
            block(wrap(row.label, RIGHT - LEFT, lay.size), [], LEFT, LEFT)
            block([], values, LEFT + 8, LEFT + 8)
    total = len(pages)
    for n, items in enumerate(pages, start=1):
        pdf.add_page()
        if lay.header:
            pdf.text(LEFT, 12, lay.header)
        for x, y, text in items:
            pdf.text(x, y, text)
        foot = lay.footer.format(n=n, total=total)
        pdf.text((LEFT + RIGHT) / 2 - _width(foot, lay.size) / 2, 290, foot)
    pdf.output(str(path))
    return path
