"""Read the review table (審査書) out of text without tabs: text extracted from a real PDF.

A PDF's text layer has no cells: each cell comes out as its lines in reading order (a long cell wrapped over many
lines, cells that share a baseline joined by a space: `— — — — 問題は`), the table header and a footer `- n -` on
every page, and a row taller than the rest of a page continued after the next page's header (the rest of each cell
that did not fit, in column order). This module rebuilds the rows as the same cells the tab-separated path reads
(viewpoint, consideration, checkpoint, pages, section, result, finding), so review_parser attributes the findings
exactly as it does for tab-separated text.

A row is anchored on its result (問題は認められない / 該当なし / より…必要がある, wrapped or not); what precedes it back
to the row's opening token (`(9)`, `③`, `24.` at the start of a line) is parsed as viewpoint / consideration /
checkpoint / pages / section; what follows up to the next row is its 所見. Where the text cannot be read as rows
consistently (a result left outside any row, a checkpoint cell never closed), ReviewLayoutError is raised rather
than rows that may be wrong.
"""

from __future__ import annotations

import re

from bot.errors import PiaError
from bot.text import compact, nfkc_keep_labels


class ReviewLayoutError(PiaError):
    """The review table was found but its rows cannot be read reliably from the text without tabs."""


def _sp(word: str) -> str:
    """A word that may be wrapped or spaced anywhere (`問題は 認めら れない`)."""
    return r"\s*".join(map(re.escape, word))


_RESULT_BODY = "(?:" + "|".join(
    [
        _sp("問題は認められない"),
        _sp("該当なし"),
        _sp("問題がある"),
        "(?:" + _sp("より") + "|" + _sp("さらに") + ")[^。]{0,40}?"
        "(?:" + _sp("必要がある") + "|" + _sp("必要である") + ")",
    ]
) + ")"
_RESULT = re.compile(r"(?<=\s)" + _RESULT_BODY + r"(?=\s|$)")
_STRAY_RESULT = re.compile(r"(?:^|\n)[ \u3000]*" + _RESULT_BODY + r"[ \u3000]*(?:\n|$)")
_NONE = r"[—―–\-−ー‐]"
_NUM = r"\d(?:\s*\d){0,3}"  # a page number may be wrapped too (`P.12~1` | `3`)
_PAGES = rf"P\s*\.?\s*{_NUM}(?:\s*[~〜～\-–]\s*(?:P\s*\.?\s*)?{_NUM})?"
_SECTION = r"(?:[ⅠⅡⅢⅣⅤⅥ]|(?:VI|IV|V|I{1,3})(?=[\s.、(])|表紙|別添)"
_PREFIX = re.compile(
    rf"""\s*
    (?:(?P<viewpoint>\(\s*\d{{1,2}}\s*\).*?)\s+)?
    (?:(?P<consideration>{_NONE}|[①-⑳].*?)\s+)?
    (?P<checkpoint>{_NONE}|\d{{1,3}}\s*\.(?!\d).*?)
    (?:\s+(?P<pages>{_NONE}|{_PAGES}))?
    (?:\s+(?P<section>{_NONE}|{_SECTION}.*?))?
    \s*$""",
    re.DOTALL | re.VERBOSE,
)
_ROW_START = re.compile(r"^(?:\(\s*\d{1,2}\s*\)|[①-⑳]|\d{1,3}\s*\.(?!\d))", re.MULTILINE)
_FOOTER = re.compile(r"^\s*(?:[-‐―−ー–—]\s*\d{1,3}\s*[-‐―−ー–—]|\d{1,3}\s*/\s*\d{1,3})\s*$")
_HEADER_WORDS = re.compile(r"審査の観点|\(指針[^()]*(?:\([^()]*\))?[^()]*\)|主な考慮事項\(細目\)|主な考慮事項"
                           r"|該当箇所|審査結果|審査|結果|所見")
_CLOSED = re.compile(r"か\s*。\s*$")
_ENDING = re.compile(
    r"(?:妥当である|記載されている|明記されている|適合している|宣言している|必要がある|重要である|適切である|部署である|実施している|こととしている)\s*。\s*$"
)
_PARA = "\x1e"  # an explicit paragraph break (</p>, or two spaces after 。)
_PAGE = "\x0c"  # a page's repeated table header


def is_footer(line: str) -> bool:
    """A page footer line (`- 5 -`, `5 / 13`)."""
    return bool(_FOOTER.match(line))


def _header_end(lines: list[str], i: int) -> int | None:
    """Index after the table header block starting at line i (審査の観点 … 所見), else None."""
    if not compact(lines[i]).startswith("審査の観点"):
        return None
    seen = ""
    for j in range(i, min(i + 10, len(lines))):
        seen += compact(lines[j])  # header words may be wrapped too (`審査結` / `果`)
        if seen.endswith("所見"):
            return j + 1 if "主な考慮事項" in seen and not _HEADER_WORDS.sub("", seen) else None
        if len(seen) > 80:
            return None
    return None


def _is_heading(line: str, word: str) -> bool:
    s = compact(line).strip("#【】[]■□◆◇●○・-")
    return word in s and len(s) <= len(word) + 16 and "..." not in line


def _prepare(line: str) -> str:
    line = nfkc_keep_labels(line.replace("\t", " ")).replace("\u00a0", " ")
    line = re.sub(r"</p>\s*", "\n" + _PARA + "\n", line).replace("<p>", "").replace("<br>", "\n")
    line = re.sub(r"(?<=。)[ \u3000]{2,}", "\n" + _PARA + "\n", line)
    return line.strip()


def _stream(text: str) -> str | None:
    """The table part of the text as one stream: footers dropped, each header block replaced by a page mark."""
    lines = text.splitlines()
    out: list[str] = []
    started = False
    i = 0
    while i < len(lines):
        line = lines[i]
        end = _header_end(lines, i) if "審査の観点" in compact(line) else None
        if end is not None:
            out.append(_PAGE)
            started = True
            i = end
            continue
        if started and (_is_heading(line, "総評") or _is_heading(line, "審査記載事項")):
            break
        if started and not _FOOTER.match(line):
            prepared = _prepare(line)
            if prepared:
                out.append(prepared)
        i += 1
    return "\n".join(out) if started else None


def _join(text: str) -> str:
    """Lines of one cell: wrapped lines joined without a space, paragraph marks kept."""
    parts = [p.strip() for p in text.split("\n")]
    return "".join(p for p in parts if p)


def _finding_paragraphs(text: str) -> list[str]:
    """The 所見 paragraphs: explicit breaks, and a line ending a paragraph in the house style (…妥当である。)."""
    paras: list[str] = []
    buf = ""
    for line in text.split("\n"):
        line = line.strip()
        if line in (_PARA, _PAGE):
            if line == _PARA or buf.endswith("。"):
                paras.append(buf)
                buf = ""
            continue
        buf += line
        if _ENDING.search(buf):
            paras.append(buf)
            buf = ""
    paras.append(buf)
    return [p for p in (re.sub(r"\s+", " ", p).strip() for p in paras) if p]


def _viewpoint_cell(text: str) -> str:
    joined = _join(text.replace(_PARA, "\n")).replace(_PAGE, "")
    return re.sub(r"(?<=[か。])\s*(?=\(\s*\d{1,2}\s*\))", "  ", joined)


def _questions_only(parsed: re.Match) -> bool:
    """Viewpoint, consideration and checkpoint cells are questions: every sentence ends in か。 (a finding's
    sentence in them means the candidate is not a row, e.g. a viewpoint cell continued after a page break)."""
    cells = " ".join(parsed.group(c) or "" for c in ("viewpoint", "consideration", "checkpoint"))
    return not re.search(r"[^か\s]\s*。", cells)


def _next_row(stream: str, start: int, seen: set[str]) -> tuple[int, re.Match, re.Match] | None:
    """The next row from `start`: (its start, its prefix match, its result match)."""
    for m in _ROW_START.finditer(stream, start):
        number = re.match(r"(\d{1,3})\s*\.", m.group(0))
        if number and str(int(number.group(1))) in seen:
            continue
        result = _RESULT.search(stream, m.start())
        if not result:
            return None
        prefix = stream[m.start() : result.start()]
        parsed = _PREFIX.fullmatch(prefix.replace(_PARA, " ").replace(_PAGE, " "))
        if parsed and (parsed.group("checkpoint") or "").strip() and _questions_only(parsed):
            return m.start(), parsed, result
    return None


def _open(cell: str | None) -> bool:
    """A viewpoint / consideration / checkpoint cell that was cut by a page break (it does not end with か。)."""
    if not cell or re.fullmatch(r"\s*" + _NONE + r"\s*", cell):
        return False
    return not _CLOSED.search(cell.replace(_PARA, "").replace(_PAGE, ""))


def _is_text(cell: str | None) -> bool:
    if not cell:
        return False
    return not re.fullmatch(r"\s*" + _NONE + r"\s*", cell)


def _continue(cells: dict[str, str], after: str) -> str:
    """Text after a page break: the rest of each cut cell in column order, the remainder for the finding."""
    cut = [col for col in ("viewpoint", "consideration", "checkpoint") if _open(cells.get(col))]
    first = re.match(r"\s*([^。]*?か\s*。)", after)
    if re.match(r"\s*\(\s*\d{1,2}\s*\)", after) and "viewpoint" not in cut and _is_text(cells.get("viewpoint")):
        cut.insert(0, "viewpoint")  # a viewpoint cell cut between its items: `(10) …か。` | `(11) …か。`
    if not cut and first:
        # a cell cut right after one of its sentences (`…記載しているか。` | `記載された対策は…妥当なものか。`):
        # a finding never asks a question, so a leading sentence ending in か。 is the rest of that cell
        if re.match(r"\s*\(\s*\d{1,2}\s*\)", after):
            cut = ["viewpoint"]
        else:
            cut = [next((c for c in ("checkpoint", "consideration", "viewpoint") if _is_text(cells.get(c))),
                        "checkpoint")]
    for k, col in enumerate(cut):
        cells.setdefault(col, "")
        # the last cut cell takes every leading sentence ending in か。 (`…妥当であるか。また、…記載しているか。`)
        m = re.match(r"(?:[^。]*?か\s*。)+" if k == len(cut) - 1 else r"[^。]*?か\s*。", after)
        if not m:
            cells[col] += "\n" + after
            return ""
        cells[col] += "\n" + after[: m.end()]
        after = after[m.end() :]
    return after


def line_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """Rows of a review table in text without tabs, as (order, cells) with the tab path's column names."""
    stream = _stream(text)
    if stream is None:
        return []
    rows: list[tuple[int, dict[str, str]]] = []
    seen: set[str] = set()
    nxt = _next_row(stream, 0, seen)
    if nxt is None:
        return []
    while nxt is not None:
        _start, parsed, result = nxt
        cells = {k: v for k, v in parsed.groupdict().items() if v}
        cells["result"] = result.group(0)
        number = re.match(r"(\d{1,3})\s*\.", cells["checkpoint"])
        if number:
            seen.add(str(int(number.group(1))))
        following = _next_row(stream, result.end(), seen)
        end = following[0] if following else len(stream)
        region = stream[result.end() : end]
        # page breaks inside the region: the rest of the row's cut cells, or (before the next table's first row)
        # heading lines after the last finding, which are dropped
        if _STRAY_RESULT.search(region.replace(_PAGE, "\n")):
            raise ReviewLayoutError(
                "PDFから抽出した審査書の表で、どの細目の行にも属さない審査結果が見つかり、行と所見の対応を確実に読み取れませんでした。"
                "審査書のWord・Excel版か、タブ区切りのテキストを指定してください。"
            )
        pieces = region.split(_PAGE)
        finding = pieces[0]
        for k, piece in enumerate(pieces[1:], 1):
            last = k == len(pieces) - 1
            if last and following and not piece.strip():
                continue
            finding += "\n" + _PAGE + "\n" + _continue(cells, piece)
        if not following or (not pieces[-1].strip() and len(pieces) > 1):
            # the last row of a table: text after its last 。 is the heading of the next part, not the finding
            finding = finding[: finding.rfind("。") + 1]
        for col in ("viewpoint", "consideration", "checkpoint"):
            if _open(cells.get(col)):
                raise ReviewLayoutError(
                    f"PDFから抽出した審査書の表で、細目「{compact(cells.get('checkpoint', ''))[:20]}」の行のセルが"
                    "途中で切れており、行として確実に読み取れませんでした。審査書のWord・Excel版か、タブ区切りのテキストを指定してください。"
                )
        out = {
            "viewpoint": _viewpoint_cell(cells.get("viewpoint", "")),
            "consideration": _join(cells.get("consideration", "").replace(_PARA, "").replace(_PAGE, "")),
            "checkpoint": _join(cells.get("checkpoint", "").replace(_PARA, "").replace(_PAGE, "")),
            "pages": re.sub(r"\s+", " ", re.sub(r"(?<=\d)\s+(?=\d)", "", cells.get("pages", ""))).strip(),
            "section": re.sub(r"\s+", " ", cells.get("section", "").replace(_PARA, " ")).strip(),
            "result": re.sub(r"\s+", "", cells["result"]),
            "finding": "".join(f"<p>{p}</p>" for p in _finding_paragraphs(finding)),
        }
        rows.append((len(rows), out))
        nxt = following
    return rows
