"""Word documents laid out as the Commission's Word template is filled in by hand (python-docx)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Pt

from layouts.rows import Row


@dataclass
class DocxLayout:
    structure: str = "heading_tables"  # heading_tables | section_tables | paragraphs | mixed
    repeat_heading: bool = True  # the table under a heading opens with a row repeating the heading's label
    merge_groups: bool = True  # group rows as one merged cell; a group's sub-fields under a vertically merged label
    page_breaks: float = 0.0  # chance of a page break before a row / inside a long value
    page_number_paragraphs: bool = False  # `- n -` paragraphs pasted in (text copied out of a PDF)
    running_header: str | None = None  # typed at the top of each "page" together with the page numbers
    section_page_break: bool = True
    value_paragraphs: bool = True  # each value line a paragraph of its own in the cell
    header_row: bool = False  # each table opens with a 「項目 | 記載内容」 row


def render_docx(rows: list[Row], lay: DocxLayout, rng: random.Random, path: Path) -> Path:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(9)
    style.font.name = "IPAexGothic"
    w = _Writer(doc, lay, rng)
    for row in rows:
        w.row(row)
    w.flush()
    doc.save(str(path))
    return path


class _Writer:
    def __init__(self, doc, lay: DocxLayout, rng: random.Random):
        self.doc, self.lay, self.rng = doc, lay, rng
        self.table = None
        self.cols = 2
        self.group_cell = None  # the vertically merged label cell of a `g` group
        self.page = 1
        self.first_section = True
        self.mode = lay.structure

    # ------------------------------------------------------------------ blocks
    def flush(self) -> None:
        self.table = None
        self.group_cell = None

    def _break(self) -> None:
        self.flush()
        p = self.doc.add_paragraph()
        p.add_run().add_break(WD_BREAK.PAGE)
        self.page += 1
        self._page_top()

    def _page_top(self) -> None:
        if self.lay.running_header:
            self.doc.add_paragraph(self.lay.running_header)

    def _page_number(self) -> None:
        if self.lay.page_number_paragraphs:
            self.flush()
            self.doc.add_paragraph(f"- {self.page} -")
            self.page += 1
            self._page_top()

    def _new_table(self, cols: int):
        self.table = self.doc.add_table(rows=0, cols=cols)
        self.table.style = "Table Grid"
        self.cols = cols
        self.group_cell = None
        if self.lay.header_row:
            cells = self.table.add_row().cells
            cells[0].text, cells[-1].text = "項目", "記載内容"
        return self.table

    def _cells(self, cols: int):
        if self.table is None or self.cols != cols:
            self._new_table(cols)
        return self.table.add_row().cells

    def _fill(self, cell, lines: list[str]) -> None:
        lines = list(lines) or [""]
        cell.paragraphs[0].text = lines[0] if self.lay.value_paragraphs else " ".join(lines)
        if self.lay.value_paragraphs:
            for ln in lines[1:]:
                cell.add_paragraph(ln)
        if self.lay.page_breaks and len(lines) > 1 and self.rng.random() < self.lay.page_breaks:
            # a page break falling inside the value (the row runs over two pages)
            paragraphs = [p for p in cell.paragraphs if p.runs]
            if paragraphs:
                paragraphs[self.rng.randrange(len(paragraphs))].runs[-1].add_break(WD_BREAK.PAGE)
                self.page += 1

    def _merged(self, text: str, extra: list[str] | None = None) -> None:
        cells = self._cells(self.cols)
        cell = cells[0].merge(cells[-1]) if self.lay.merge_groups else cells[0]
        self._fill(cell, [text, *(extra or [])] if not extra else [text + "　" + extra[0], *extra[1:]])
        self.group_cell = None

    # ------------------------------------------------------------------ rows
    def row(self, row: Row) -> None:
        lay = self.lay
        if row.role == "section":
            if not self.first_section and lay.section_page_break:
                self._break()
            self.first_section = False
            if self.lay.structure == "mixed":
                self.mode = self.rng.choice(["heading_tables", "section_tables", "paragraphs"])
        elif lay.page_breaks and self.rng.random() < lay.page_breaks / 3:
            self._break()
        elif lay.page_number_paragraphs and self.rng.random() < 0.04:
            self._page_number()
        mode = self.mode
        if mode == "paragraphs":
            self._paragraph_row(row)
        elif mode == "heading_tables":
            self._heading_table_row(row)
        else:
            self._section_table_row(row)

    def _paragraph_row(self, row: Row) -> None:
        self.flush()
        if row.role in ("section", "item"):
            self.doc.add_heading(row.label, level=1 if row.role == "section" else 2)
            for v in row.value:
                self.doc.add_paragraph(v)
            return
        if row.role == "text":
            for v in row.value:
                self.doc.add_paragraph(v)
            return
        p = self.doc.add_paragraph()
        p.add_run(row.label).bold = True
        for v in row.value:
            self.doc.add_paragraph(("　" if row.role == "field" else "") + v)

    def _heading_table_row(self, row: Row) -> None:
        if row.role in ("section", "item") or (row.numbered_item and row.role == "field"):
            self.flush()
            self.doc.add_heading(row.label, level=1 if row.role == "section" else 2)
            if row.role == "field":
                # `3. 特定個人情報ファイル名` as a heading, then a table whose first row repeats the label
                cells = self._cells(2)
                self._fill(cells[0], [row.words] if self.lay.repeat_heading else [""])
                self._fill(cells[1], row.value)
                return
            if row.value:
                self.doc.add_paragraph("　".join(row.value))
            if self.lay.repeat_heading and row.role == "item":
                self._new_table(2)
                self._merged(row.words)
            return
        if row.role == "text":
            self.flush()
            for v in row.value:
                self.doc.add_paragraph(v)
            return
        self._table_row(row)

    def _section_table_row(self, row: Row) -> None:
        if row.role == "section":
            self.flush()
            self.doc.add_paragraph(row.label).runs[0].bold = True
            return
        if row.role == "text":
            self._merged(row.value[0] if row.value else "", row.value[1:] if len(row.value) > 1 else None)
            return
        if row.role == "item":
            if self.table is None:
                self._new_table(3 if self.lay.merge_groups else 2)
            self._merged(row.label, row.value or None)
            return
        self._table_row(row)

    def _table_row(self, row: Row) -> None:
        if self.table is None:
            self._new_table(3 if self.lay.merge_groups else 2)
        if row.role == "group":
            if row.node is not None and row.node.kind == "g" and self.lay.merge_groups and self.cols == 3:
                # the group's label will be the first cell of its sub-fields' rows, merged vertically
                self.group_cell = row.label
                return
            self._merged(row.label, row.value or None)
            return
        if self.cols == 3:
            cells = self._cells(3)
            if row.sub and self.group_cell is not None:
                if isinstance(self.group_cell, str):
                    self._fill(cells[0], [self.group_cell])
                    self.group_cell = cells[0]
                else:
                    self.group_cell = self.group_cell.merge(cells[0])
                self._fill(cells[1], [row.label])
                self._fill(cells[2], row.value)
                return
            self.group_cell = None
            label = cells[0].merge(cells[1])
            self._fill(label, [row.label])
            self._fill(cells[2], row.value)
            return
        cells = self._cells(2)
        self._fill(cells[0], [row.label])
        self._fill(cells[1], row.value)

