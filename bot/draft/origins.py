"""Where a segment of a draft sits in the drafter's own file: the Word paragraph or table cell, the Excel cell.

The reader works on text segments (bot/draft/lines.py) that the loaders cut out of the file. To write a comment next
to a field in the drafter's own file (bot/annotate.py), each segment is traced back to the part of the file it came
from: the file is walked in the loaders' order into units (one per table cell, one per piece of a paragraph between
tabs and line breaks, one per non-empty Excel cell), and segments are matched to units in order by their normalised
text. A segment the walk cannot place (a page number, a running header) stays unplaced; the next one is looked for
after the last unit placed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.draft.lines import Segment, light_normalize
from bot.loaders import docx_row_cells, xlsx_cell_text

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W_P, W_TBL, W_TR, W_TC = f"{{{_W}}}p", f"{{{_W}}}tbl", f"{{{_W}}}tr", f"{{{_W}}}tc"
W_SDT, W_SDTCONTENT, W_CUSTOMXML = f"{{{_W}}}sdt", f"{{{_W}}}sdtContent", f"{{{_W}}}customXml"
W_T, W_TAB, W_BR, W_CR = f"{{{_W}}}t", f"{{{_W}}}tab", f"{{{_W}}}br", f"{{{_W}}}cr"
W_TCPR, W_VMERGE, W_VAL, W_TXBX = f"{{{_W}}}tcPr", f"{{{_W}}}vMerge", f"{{{_W}}}val", f"{{{_W}}}txbxContent"
W_NBH, W_R = f"{{{_W}}}noBreakHyphen", f"{{{_W}}}r"
MC_FALLBACK = f"{{{_MC}}}Fallback"
# how far ahead (in units) the next segment is looked for
LOOKAHEAD = 400
_SPLIT_RE = re.compile(r"[\t\n]")


@dataclass
class Unit:
    """A piece of the file: `element` is a w:p or w:tc (Word) or a (sheet title, row, column) cell (Excel)."""

    text: str
    element: Any
    kind: str  # "p" | "tc" | "cell"

    @property
    def key(self) -> str:
        return light_normalize(self.text).strip()


# --------------------------------------------------------------------------- Word


def _paragraph_text(p) -> str:
    out: list[str] = []

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in (MC_FALLBACK, W_TXBX):
                continue
            if tag == W_T:
                out.append(child.text or "")
            elif tag == W_TAB:
                out.append("\t")
            elif tag in (W_BR, W_CR):
                out.append("\n")
            elif tag == W_NBH:
                out.append("-")
            else:
                walk(child)

    walk(p)
    return "".join(out)


def _cell_text(tc) -> str:
    parts = [_paragraph_text(p) for p in tc.iter(W_P)]
    return re.sub(r"[\t\r\n]+", " ", " ".join(x.strip() for x in parts if x.strip())).strip()


def docx_units(body) -> list[Unit]:
    """Units of a Word body element (document.element.body) in reading order."""
    units: list[Unit] = []

    def walk(container) -> None:
        for child in container:
            tag = child.tag
            if tag == W_P:
                for piece in _SPLIT_RE.split(_paragraph_text(child)):
                    if piece.strip():
                        units.append(Unit(piece, child, "p"))
            elif tag == W_TBL:
                for tr in child.iter(W_TR):
                    if tr.getparent() is not None and _owning_table(tr) is not child:
                        continue  # a nested table's row: its text belongs to the outer cell
                    for tc in docx_row_cells(tr):
                        text = _cell_text(tc)
                        if text:
                            units.append(Unit(text, tc, "tc"))
            elif tag in (W_SDT, W_CUSTOMXML):
                inner = child.find(W_SDTCONTENT) if tag == W_SDT else child
                if inner is not None:
                    walk(inner)

    walk(body)
    return units


def _owning_table(tr):
    el = tr.getparent()
    while el is not None and el.tag != W_TBL:
        el = el.getparent()
    return el


# --------------------------------------------------------------------------- Excel


def xlsx_units(workbook) -> list[Unit]:
    """Units of an openpyxl workbook (loaded with data_only=True): every non-empty cell of the visible sheets."""
    units: list[Unit] = []
    for ws in workbook.worksheets:
        if getattr(ws, "sheet_state", "visible") != "visible":
            continue
        for row in ws.iter_rows():
            for c in row:
                text = xlsx_cell_text(c.value)
                if text:
                    units.append(Unit(text, (ws.title, c.row, c.column), "cell"))
    return units


# --------------------------------------------------------------------------- segments -> units


def align(segments: list[Segment], units: list[Unit]) -> list[int | None]:
    """For each segment, the index of the unit it came from (None when it cannot be placed)."""
    keys = [u.key for u in units]
    out: list[int | None] = []
    j = 0
    for seg in segments:
        found = None
        hi = min(len(units), j + LOOKAHEAD)
        for k in range(j, hi):
            if keys[k] == seg.text:
                found = k
                j = k + 1
                break
        if found is None:  # a unit the loader cut further (a page break inside a paragraph): stay on it
            for k in range(max(0, j - 1), hi):
                if seg.text and seg.text in keys[k]:
                    found = k
                    j = k
                    break
        out.append(found)
    return out
