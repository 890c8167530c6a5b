"""A review sheet PDF read through its ruled tables.

Plain PDF text extraction gives a table's cells line by line, and word processors (Word, LibreOffice) draw a row's
cells side by side, so the lines of neighbouring cells interleave. The review sheets' tables are ruled, so their
cells can be recovered from the geometry instead (pdfplumber): each row becomes one tab-separated line, the same
shape as the text the review-sheet parser reads, and a row cut by a page break is joined back to its first part.
Text outside the tables (title, meta block, 総評, 審査記載事項) is kept in reading order around them.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pdfplumber.table import Table

log = logging.getLogger(__name__)

_RESULT = re.compile(r"問題は認められない|該当なし|問題がある|必要がある")
_ROW_START = re.compile(r"^\s*(?:<p>)?\s*(?:\(\s*\d{1,2}\s*\)|（\s*\d{1,2}\s*）|[①-⑩]|\d{1,3}\s*[.．])")


def _cell(text: str | None) -> str:
    # lines of a cell are wrapped words (Japanese has no spaces between them); a line ending a sentence may end a
    # paragraph, which the parser's paragraph split (。 followed by two spaces) then sees
    text = re.sub(r"(?<=。)\n", "  ", text or "")
    text = re.sub(r"(?<=[A-Za-z0-9.:：)])\n", " ", text)  # "Ⅲ 2." + "リスク3" keeps its space
    return text.replace("\n", "")


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].replace(" ", "").startswith("審査の観点")


def _result_column(header: list[str]) -> int | None:
    for i, c in enumerate(header):
        if "結果" in c.replace(" ", ""):
            return i
    return None


def pdf_table_text(path: Path) -> str | None:
    """The PDF's text with its tables as tab-separated rows, or None when it has no ruled table."""
    try:
        import pdfplumber
    except ImportError:  # the line-mode parser still reads the plain text
        return None
    out: list[str] = []
    rows_seen = 0
    result_col: int | None = None
    last_row: int | None = None  # index in `out` of the last table row, for rows cut by a page break
    try:
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
                boxes = [t.bbox for t in tables]

                def outside(obj, boxes=boxes):
                    x = (obj["x0"] + obj["x1"]) / 2
                    y = (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

                lines = page.filter(outside).extract_text_lines() if boxes else page.extract_text_lines()
                # a text line outside the tables (str) or a table, from the top of the page down
                items: list[tuple[float, str | Table]] = [(ln["top"], ln["text"]) for ln in lines]
                items += [(t.bbox[1], t) for t in tables]
                for _, item in sorted(items, key=lambda x: x[0]):
                    if isinstance(item, str):
                        if re.fullmatch(r"\s*[-－–—]\s*\d+\s*[-－–—]\s*", item):  # page footer
                            continue
                        if out and "\t" in out[-1]:
                            out.append("")  # text after a table stands apart from its last row, as in the seeds
                        out.append(item)  # a running header between the parts of a cut row does not end the row
                        continue
                    if out and out[-1].strip() and "\t" not in out[-1]:
                        out.append("")
                    for raw in item.extract():
                        cells = [_cell(c) for c in raw]
                        if _is_header(cells):
                            result_col = _result_column(cells)
                            out.append("\t".join(cells))
                            continue
                        rows_seen += 1
                        has_result = result_col is not None and result_col < len(cells) and bool(
                            _RESULT.search(cells[result_col]))
                        starts = any(_ROW_START.match(c) for c in cells[:3])
                        if last_row is not None and not has_result and not starts:
                            prev = out[last_row].split("\t")
                            prev += [""] * (len(cells) - len(prev))
                            cells += [""] * (len(prev) - len(cells))
                            out[last_row] = "\t".join(a + b for a, b in zip(prev, cells, strict=True))
                            continue
                        out.append("\t".join(cells))
                        last_row = len(out) - 1
    except Exception as e:  # pdfplumber failing is not the user's problem: fall back to plain text
        log.warning("table extraction failed (%s); using the plain text", type(e).__name__)
        return None
    return "\n".join(out) if rows_seen else None


def review_sheet_text(path: Path, plain_text: str) -> str:
    """For a PDF review sheet: the table text when it parses at least as well as the plain text, else the plain text.

    The plain text is read by the parser's line mode; the table text by its tab mode. Whichever yields more rows
    with a result (then more findings) wins, so a PDF whose tables are not ruled loses nothing."""
    from bot.errors import PiaError
    from indexer.review_parser import parse_review_sheet

    tabbed = pdf_table_text(path)
    if not tabbed:
        return plain_text

    def score(text: str) -> tuple[int, int]:
        try:
            sheet = parse_review_sheet(text)
        except PiaError:
            return (-1, -1)
        return (sum(1 for r in sheet.rows if r.result), len(sheet.findings))

    return tabbed if score(tabbed) >= score(plain_text) else plain_text
