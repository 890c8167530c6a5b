"""Plain text as drafters paste it out of Word, Excel or a PDF viewer."""

from __future__ import annotations

import random
from dataclasses import dataclass

from layouts.rows import Row


@dataclass
class TextLayout:
    field_layout: str = "below"  # below (label line, value lines under it) | colon (label：value) | tab | spaces
    indent: str = "　　"
    section_break: str = "\f"  # \f | rule | blank | none
    blank_lines: float = 0.0  # chance of an extra blank line after a line
    page_marks: str | None = None  # None | "- {n} -" | "{n} / {total}" | "P.{n}" | "{n}ページ"
    page_lines: tuple[int, int] = (28, 46)  # lines per "page" when page marks are written
    running_header: str | None = None  # a header line after each page mark
    repeat_heading: bool = False  # Word template: a heading, then its label again as the first row of the table
    numbered_item_as_heading: bool = False  # `3. 特定個人情報ファイル名` on a line, then `特定個人情報ファイル名：値`


def render_text(rows: list[Row], lay: TextLayout, rng: random.Random) -> str:
    lines: list[str] = []
    prev_section = None
    for row in rows:
        if row.role == "section" and prev_section is not None:
            if lay.section_break == "\f":
                lines.append("\f")
            elif lay.section_break == "rule":
                lines.extend(["", "─" * 30])
            elif lay.section_break == "blank":
                lines.extend(["", ""])
        if row.role == "section":
            prev_section = row.section
        lines.extend(_row_lines(row, lay))
    lines = _with_blank_lines(lines, lay, rng)
    if lay.page_marks:
        lines = _with_page_marks(lines, lay, rng)
    text = "\n".join(lines)
    return text.replace("\n\f\n", "\f").replace("\f\n", "\f").replace("\n\f", "\f") + "\n"


def _row_lines(row: Row, lay: TextLayout) -> list[str]:
    if row.role == "text":
        return list(row.value)
    if row.role in ("section", "item", "group"):
        out = [row.label + ("\u3000" + row.value[0] if row.value else ""), *row.value[1:]]
        if lay.repeat_heading and row.role == "item" and not row.value:
            out.append(row.words)
        return out
    label = row.label
    out = []
    if row.numbered_item and (lay.numbered_item_as_heading or lay.repeat_heading):
        out.append(label)
        label = row.words
    value = row.value or [""]
    if lay.field_layout == "colon":
        out.append(f"{label}：{value[0]}".rstrip())
        out.extend(lay.indent + v for v in value[1:])
    elif lay.field_layout == "spaces":  # columns pasted out of a PDF viewer: label, a run of spaces, value
        out.append(f"{label}{lay.indent or '    '}{value[0]}".rstrip())
        out.extend(lay.indent + v for v in value[1:])
    elif lay.field_layout == "tab":
        out.append(f"{label}\t{value[0]}".rstrip())
        out.extend("\t" + v for v in value[1:])
    else:
        out.append(label)
        out.extend(lay.indent + v if v.strip() else "" for v in value if v is not None)
    return out


def _with_blank_lines(lines: list[str], lay: TextLayout, rng: random.Random) -> list[str]:
    if lay.blank_lines <= 0:
        return lines
    out = []
    for ln in lines:
        out.append(ln)
        if ln != "\f" and rng.random() < lay.blank_lines:
            out.extend([""] * rng.choice([1, 1, 2]))
    return out


def _with_page_marks(lines: list[str], lay: TextLayout, rng: random.Random) -> list[str]:
    """Page numbers (and a running header) every so many lines, wherever that falls: mid-block, mid-value."""
    cuts = []
    i = 0
    while True:
        i += rng.randint(*lay.page_lines)
        if i >= len(lines):
            break
        cuts.append(i)
    total = len(cuts) + 1
    out: list[str] = []
    if lay.running_header:
        out.append(lay.running_header)
    page = 1
    for n, ln in enumerate(lines):
        if cuts and n == cuts[0]:
            cuts.pop(0)
            out.append(lay.page_marks.format(n=page, total=total))
            page += 1
            if lay.running_header:
                out.append(lay.running_header)
        out.append(ln)
    out.append(lay.page_marks.format(n=page, total=total))
    return out
