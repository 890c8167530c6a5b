"""From a loaded document to a clean stream of text segments (one per table cell or line), each with its page.

- Markdown syntax (headings, bullets, emphasis, `| a | b |` tables) is taken off; table cells become segments.
- Page numbers (`- 12 -`, `12 / 60`, `P.12`) are dropped; a text export that marks pages only with `- 12 -` lines is
  split into pages there.
- Running headers and footers (the same line at the top or bottom of most pages) are dropped, wherever a page break
  falls inside a field.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.text import canonical_roman, nfkc_keep_labels


@dataclass
class Segment:
    text: str  # NFKC (labels kept), roman numerals canonical, spaces kept
    page: int  # 1-based
    line: int  # running line number in the document
    cell: int  # cell index within its line (0 for a plain line)
    cells: int  # number of cells on the line
    printed: int = 0  # the printed page (a page of the file, cut after any page-number line inside it)


_DASH = "-－—–―‐ー"
_PAGE_NUMBER_RE = re.compile(
    rf"^\s*(?:[{_DASH}]\s*\d{{1,4}}\s*[{_DASH}]|\d{{1,4}}\s*/\s*\d{{1,4}}|(?:P|p|ページ|page|Page)\.?\s*\d{{1,4}}"
    rf"|\d{{1,4}}\s*ページ|第\s*\d{{1,4}}\s*頁)\s*$"
)
_BARE_NUMBER_RE = re.compile(r"^\s*\d{1,4}\s*$")
_MD_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_BULLET_RE = re.compile(r"^\s*[-*+]\s+(?=\S)")
_MD_EMPHASIS_RE = re.compile(r"(\*\*|__)(.+?)\1")
_MD_QUOTE_RE = re.compile(r"^\s*>\s?")
_MD_FENCE_RE = re.compile(r"^\s*```")
# How many lines at the top and bottom of a page may hold a running header or footer.
EDGE_LINES = 2
# A running header or footer is at least this long (without spaces).
MIN_RUNNING_CHARS = 8


def light_normalize(text: str) -> str:
    """NFKC keeping ①/Ⅲ, roman numerals canonical, white space kept (the reader needs it to see separators)."""
    text = nfkc_keep_labels(text).replace("\u00a0", " ").replace("\u200b", "").replace("\u3000", " ")
    return canonical_roman(text)


def _markdown_line(line: str) -> list[str] | None:
    """Cells of one Markdown line (None: drop the line)."""
    if _MD_FENCE_RE.match(line) or (_MD_TABLE_SEP_RE.match(line) and "-" in line):
        return None
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        cells = [c.strip() for c in stripped.strip("|").split("|")]
    else:
        line = _MD_QUOTE_RE.sub("", line)
        line = _MD_HEADING_RE.sub("", line)
        if not _PAGE_NUMBER_RE.match(line):
            line = _MD_BULLET_RE.sub("", line)
        cells = line.split("\t")
    return [_MD_EMPHASIS_RE.sub(r"\2", c).replace("<br>", " ").replace("<br/>", " ") for c in cells]


def _is_page_mark(line: str) -> bool:
    return bool(_PAGE_NUMBER_RE.match(line) and re.search(rf"[{_DASH}/]|ページ|頁|P", line))


def _split_marked_pages(pages: list[list[str]]) -> list[tuple[int, list[str]]]:
    """Pages as printed: a page of the file is also cut after each page-number line inside it (`- 12 -` typed or
    pasted into a text export or a Word file). Returns (page of the file, lines) for each printed page; a file that
    is one page (a text export) is numbered by its printed pages instead."""
    out: list[tuple[int, list[str]]] = []
    for pno, lines in enumerate(pages, start=1):
        marks = [i for i, ln in enumerate(lines) if _is_page_mark(ln)]
        last = max((i for i, ln in enumerate(lines) if ln.strip()), default=-1)
        cuts = [i for i in marks if i < last]  # a page number ending the page changes nothing
        if len(pages) == 1 and len(marks) < 2:
            cuts = []
        start = 0
        for i in cuts:
            out.append((pno, lines[start : i + 1]))
            start = i + 1
        if any(ln.strip() for ln in lines[start:]) or not cuts:
            out.append((pno, lines[start:]))
    if len(pages) == 1:
        out = [(n, lines) for n, (_, lines) in enumerate(out, start=1)]
    return out


def _edge_indexes(lines: list[str]) -> set[int]:
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    return set(idx[:EDGE_LINES] + idx[-EDGE_LINES:])


def _running_lines(pages: list[list[str]], protected) -> set[str]:
    """Lines repeated at the top (or at the bottom) of most pages: running headers and footers. Short lines are never
    taken for one (a value such as 該当なし may well end several pages)."""
    if len(pages) < 3:
        return set()
    out: set[str] = set()
    for edge in ("top", "bottom"):
        counter: Counter[str] = Counter()
        for lines in pages:
            idx = [i for i, ln in enumerate(lines) if ln.strip()]
            idx = idx[:EDGE_LINES] if edge == "top" else idx[-EDGE_LINES:]
            counter.update({_running_key(lines[i]) for i in idx})
        need = max(3, (len(pages) + 1) // 2)
        out |= {k for k, n in counter.items() if n >= need and len(k) >= MIN_RUNNING_CHARS and not protected(k)}
    return out


def _running_key(line: str) -> str:
    """A header or footer line compared across pages: without spaces, its numbers alike (「青葉県 11 / 24」)."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


_NUMBERED_EDGE_RE = re.compile(r"(?:^|\s)(\d{1,4})\s*/\s*(\d{1,4})\s*$")


def _page_footer(line: str, page: int, pages: int) -> bool:
    """A line at a page's edge that ends with this page's number out of the document's (「Ⅰ基本情報 2 / 21」)."""
    m = _NUMBERED_EDGE_RE.search(line)
    return bool(m and int(m.group(2)) == pages and abs(int(m.group(1)) - page) <= 1)


def segments(pages: list[str], fmt: str, protected=lambda key: False) -> list[Segment]:
    """Clean segments of a document. `protected(compact_line)` says a repeated line is a form label, not a header."""
    printed = _split_marked_pages([p.split("\n") for p in pages])
    page_lines = [lines for _, lines in printed]
    running = _running_lines(page_lines, protected)
    out: list[Segment] = []
    n = 0
    for printed_no, (pno, lines) in enumerate(printed, start=1):
        edges = _edge_indexes(lines)
        for i, raw in enumerate(lines):
            n += 1
            if not raw.strip():
                continue
            if fmt == "md" and i + 1 < len(lines) and _MD_TABLE_SEP_RE.match(lines[i + 1]) and "|" in raw:
                first = next((c for c in (_markdown_line(raw) or []) if c.strip()), "")
                if not protected(light_normalize(first).strip()):
                    continue  # a Markdown table's header row (unless it is a field of the form)
            if _PAGE_NUMBER_RE.match(raw):
                continue
            if i in edges and (_BARE_NUMBER_RE.match(raw) or _running_key(raw) in running
                               or _page_footer(raw, pno, len(pages))):
                continue
            cells = _markdown_line(raw) if fmt == "md" else raw.split("\t")
            if cells is None:
                continue
            cells = [light_normalize(c).strip() for c in cells]
            cells = [c for c in cells if c]
            for ci, cell in enumerate(cells):
                out.append(Segment(text=cell, page=pno, line=n, cell=ci, cells=len(cells), printed=printed_no))
    return out
