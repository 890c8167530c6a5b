"""Excel workbooks laid out as the Commission's Excel template is filled in (openpyxl)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

from layouts.rows import Row


@dataclass
class XlsxLayout:
    sheets: str = "per_section"  # per_section | single
    columns: str = "label_value"  # label_value (A, B) | number_label_value (A, B, C:H merged) | group_label_value
    header_row: bool = False  # a 「項目 | 記載内容」 row at the top of each sheet
    title_row: bool = True  # the section title in a merged row at the top of its sheet
    line_breaks: bool = True  # a value's lines as line breaks inside one cell (else one row per line)


def render_xlsx(rows: list[Row], lay: XlsxLayout, rng: random.Random, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "評価書"
    w = _Writer(wb, ws, lay, rng)
    for row in rows:
        w.row(row)
    wb.save(str(path))
    return path


_WRAP = Alignment(wrap_text=True, vertical="top")


class _Writer:
    def __init__(self, wb, ws, lay: XlsxLayout, rng: random.Random):
        self.wb, self.ws, self.lay, self.rng = wb, ws, lay, rng
        self.r = 0
        self.sections = 0
        self.group_start: int | None = None
        self.group_label: str | None = None

    def _sheet(self, title: str) -> None:
        if self.lay.sheets == "single" and self.sections > 0:
            self.r += 1  # a blank row between sections
            return
        if self.sections > 0:
            name = _sheet_name(title, len(self.wb.worksheets))
            self.ws = self.wb.create_sheet(name)
        else:
            self.ws.title = _sheet_name(title, 0)
        self.r = 0
        if self.lay.header_row:
            self._put([(1, "項目"), (self._value_col(), "記載内容")])

    def _value_col(self) -> int:
        return 2 if self.lay.columns == "label_value" else 3

    def _put(self, cells: list[tuple[int, str]], merge_to: int | None = None) -> int:
        self.r += 1
        for col, text in cells:
            c = self.ws.cell(row=self.r, column=col, value=text if text != "" else None)
            c.alignment = _WRAP
        if merge_to is not None:
            first = cells[-1][0]
            self.ws.merge_cells(start_row=self.r, start_column=first, end_row=self.r, end_column=merge_to)
        return self.r

    def _value(self, lines: list[str]) -> list[str]:
        if self.lay.line_breaks:
            return ["\n".join(lines)] if lines else [""]
        return lines or [""]

    def row(self, row: Row) -> None:
        lay = self.lay
        if row.role == "section":
            self._sheet(row.label)
            self.sections += 1
            if lay.title_row or lay.sheets == "single":
                self._put([(1, row.label + ("　" + "　".join(row.value) if row.value else ""))], merge_to=8)
            return
        if row.role == "text":
            for part in self._value(row.value):
                self._put([(1, part)], merge_to=8)
            return
        vcol = self._value_col()
        if row.role in ("item", "group"):
            if row.node is not None and row.node.kind == "g" and lay.columns == "group_label_value":
                self.group_label = row.label  # written in column A of its sub-fields' rows, merged vertically
                self.group_start = None
                return
            self.group_label = None
            if lay.columns == "number_label_value" and row.role == "item":
                num, words = _split_number(row.label)
                self._put([(1, num), (2, words + ("　" + "　".join(row.value) if row.value else ""))], merge_to=8)
            else:
                self._put([(1, row.label + ("　" + "　".join(row.value) if row.value else ""))], merge_to=8)
            return
        parts = self._value(row.value)
        if lay.columns == "label_value":
            self._put([(1, row.label), (2, parts[0])])
        elif lay.columns == "number_label_value":
            num, words = _split_number(row.label)
            self._put([(1, num), (2, words), (3, parts[0])], merge_to=8)
        else:  # group_label_value
            if row.sub and self.group_label is not None:
                if self.group_start is None:
                    self.group_start = self._put([(1, self.group_label), (2, row.label), (3, parts[0])], merge_to=8)
                else:
                    r = self._put([(2, row.label), (3, parts[0])], merge_to=8)
                    if r - 1 > self.group_start:
                        self.ws.unmerge_cells(start_row=self.group_start, start_column=1, end_row=r - 1, end_column=1)
                    self.ws.merge_cells(start_row=self.group_start, start_column=1, end_row=r, end_column=1)
            else:
                self.group_label = self.group_start = None
                self._put([(1, row.label), (3, parts[0])], merge_to=8)
        for extra in parts[1:]:
            self._put([(vcol, extra)], merge_to=8 if vcol == 3 else None)


def _split_number(label: str) -> tuple[str, str]:
    """`① 事務の名称` -> (`①`, `事務の名称`); a label without numbering -> (``, label)."""
    import re

    m = re.match(r"^\s*((?:[ⅠⅡⅢⅣⅤⅥ]|I{1,3}|IV|VI?|[ＩＶ]+)[\s　．]|[（(]?別添\d[）)]?|【別添\d】|\d{1,2}\s*[.．]?\s|"
                 r"[０-９]{1,2}．|[①-⑩]\s?|[（(][0-9０-９]{1,2}[）)]|■?リスク\s?[0-9０-９]{1,2}\s?[：:]?)", label)
    if not m:
        return "", label
    return m.group(1).strip(), label[m.end():].strip()


def _sheet_name(title: str, n: int) -> str:
    bad = set("[]:*?/\\")
    name = "".join(c for c in title if c not in bad)[:28] or f"Sheet{n + 1}"
    return f"{name[:25]}{n}" if n else name
