"""Reading order of a PDF page whose text is not stored in reading order.

A PDF stores its text in the order its producer drew it. A word processor draws a table row by row, so the stored
order reads as the page does. A spreadsheet printed to PDF (LibreOffice Calc, Excel) may draw it column by column:
every label of the page, then every value, so a label ends up pages of text away from its value.

This module takes the page's lines in stored order with their boxes (PDF points, y growing upwards) and decides:
- when the stored order goes back up the page by more than a few lines, outside the header and footer bands, the
  page was drawn out of reading order;
- then consecutive lines that sit directly under one another in the same column are one block (a cell's text, a
  paragraph), and the blocks are read row by row (tops within half a line of each other), left to right.
A page drawn in reading order is left exactly as it was stored.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from statistics import median


@dataclass(frozen=True)
class Line:
    text: str
    left: float
    bottom: float
    right: float
    top: float

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(frozen=True)
class Rule:
    """A horizontal edge drawn on the page (a cell border, the edge of a shaded cell)."""

    y: float
    left: float
    right: float

    def spans(self, left: float, right: float) -> bool:
        return self.left < right and left < self.right


def _between(rules: list[Rule], upper: Line, lower: Line) -> bool:
    """A rule drawn between two lines, across them: they are in different cells."""
    left, right = min(upper.left, lower.left), max(upper.right, lower.right)
    return any(lower.top - 1 <= r.y <= upper.bottom + 1 and r.spans(left, right) for r in rules)


# a jump back up the page of more than this many line heights, over at least REVISITED blocks of text already read,
# means the page was drawn out of reading order
JUMP_LINES = 2.5
REVISITED = 3
# header and footer bands (share of the page height) where a producer may draw out of order anyway
MARGIN_SHARE = 0.045


def _line_height(lines: list[Line]) -> float:
    return median(ln.height for ln in lines)


def out_of_order(lines: list[Line], page_height: float, rules: list[Rule] | None = None) -> bool:
    """True when the stored order reads a row of the page before a row above it.

    With the page's rules (a bordered table), every block of text belongs to the row under its cell's top border: a
    word processor reads row after row (a label centred in its cell, or a merged group label, still starts under
    the border of its row), a spreadsheet drawn column by column goes back to the first row for each column.
    Without rules, a jump back up the page by more than JUMP_LINES lines over at least REVISITED blocks of text
    already read is the sign."""
    boxed = [ln for ln in lines if ln.height > 0]
    if len(boxed) < 3:
        return False
    lh = _line_height(boxed)
    low, high = page_height * MARGIN_SHARE, page_height * (1 - MARGIN_SHARE)
    blocks = [b for b in _blocks(boxed, lh, rules) if low < b[0].top < high]
    if rules and len(rules) >= 3:
        keys = [_row_top(b, rules) for b in blocks]
        return any(later - earlier > 0.6 * lh for earlier, later in itertools.pairwise(keys))
    for i in range(1, len(blocks)):
        a, b = blocks[i - 1][-1], blocks[i][0]
        if b.top - a.top <= JUMP_LINES * lh:
            continue
        passed = sum(1 for block in blocks[: i - 1] if any(a.top < ln.top < b.top for ln in block))
        if passed >= REVISITED:
            return True
    return False


def _blocks(lines: list[Line], lh: float, rules: list[Rule] | None = None) -> list[list[Line]]:
    """Consecutive stored lines directly under one another in the same column (and the same cell)."""
    blocks: list[list[Line]] = []
    for ln in lines:
        if blocks:
            prev = blocks[-1][-1]
            below = prev.bottom - 1.2 * lh <= ln.top <= prev.bottom + 0.5 * lh
            same_column = prev.left - 2 * lh <= ln.left <= prev.right
            if below and same_column and not (rules and _between(rules, prev, ln)):
                blocks[-1].append(ln)
                continue
        blocks.append([ln])
    return blocks


def _row_top(block: list[Line], rules: list[Rule]) -> float:
    """Where the block's row starts: the nearest rule above its first line and across it, when a rule below its
    last line closes the cell; else (text outside the table) its first line."""
    first, last = block[0], block[-1]
    left, right = min(ln.left for ln in block), max(ln.right for ln in block)
    across = [r.y for r in rules if r.spans(left, right)]
    above = [y for y in across if y >= first.top - 1]
    below = [y for y in across if y <= last.bottom + 1]
    return min(above) if above and below else first.top


def reading_order(lines: list[Line], rules: list[Rule] | None = None) -> list[Line]:
    """The lines, cell by cell, in rows from the top of the page and left to right within a row. With the page's
    rules, a row is what lies under one rule (a label's cell and its value's cell start under the same border,
    however their text is aligned in the cell); without them, blocks whose tops are within half a line."""
    boxed = [ln for ln in lines if ln.height > 0]
    if not boxed:
        return lines
    rules = rules or []
    lh = _line_height(boxed)
    keyed = [(_row_top(b, rules), b) for b in _blocks(lines, lh, rules)]
    keyed.sort(key=lambda kb: (-kb[0], -kb[1][0].top))
    rows: list[list[tuple[float, list[Line]]]] = []
    for key, block in keyed:
        if rows and rows[-1][0][0] - key <= 0.6 * lh:
            rows[-1].append((key, block))
        else:
            rows.append([(key, block)])
    return [ln for row in rows for block in _by_column(row) for ln in block]


def _by_column(row: list[tuple[float, list[Line]]]) -> list[list[Line]]:
    """A row's blocks cell by cell, left to right: blocks that overlap horizontally are one cell's, read top down."""
    columns: list[list[list[Line]]] = []
    for _, block in sorted(row, key=lambda kb: min(ln.left for ln in kb[1])):
        left, right = min(ln.left for ln in block), max(ln.right for ln in block)
        for col in columns:
            if any(left < max(ln.right for ln in b) and min(ln.left for ln in b) < right for b in col):
                col.append(block)
                break
        else:
            columns.append([block])
    return [b for col in columns for b in sorted(col, key=lambda b: (-b[0].top, b[0].left))]
