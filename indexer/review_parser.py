"""Parse a review sheet (審査書) extracted from PDF into a ReviewSheet: meta, rows, findings, 総評, 審査記載事項.

The text arrives damaged (see the seed README): tab-separated table rows, cells wrapped in <p>…</p>, spaces inside
Japanese words, and merged 所見 cells printed on the first row of a group or several rows away from the checkpoint
they discuss. So findings are never attributed by the row they are printed on: each paragraph is attributed by its
content (its opening topic, matched against the vocabulary of its consideration group, knowledge/risk_topics.yaml
plus the catalog's labels), within its consideration group ①–⑩.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.catalog import load_catalog
from bot.errors import PiaError
from bot.models import Checkpoint, Finding, ReviewMeta, ReviewRow, ReviewSheet, Source
from bot.resources import knowledge_yaml
from bot.text import CIRCLED, compact, normalize
from bot.wareki import to_iso


class NotAReviewSheetError(PiaError):
    """The text holds no review table (審査の観点 / 主な考慮事項(細目) / 審査結果 / 所見)."""


NONE_MARKS = {"—", "-", "―", "ー", "–", "−", "‐", "ｰ", ""}
RESULT_OK = "問題は認められない"
RESULT_NA = "該当なし"

_P_BLOCK = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"</?p>|<br\s*/?>")
_PARA_SPLIT = re.compile(r"(?<=。)[ \t\u3000]{2,}")
_CHECKPOINT_CELL = re.compile(r"^(\d{1,3})\s*[.．、]\s*(.*)$", re.DOTALL)
_VIEWPOINT_NO = re.compile(r"^[(（]\s*(\d{1,2})\s*[)）]")
_ITEM_NO = re.compile(r"^(?:[-・*●]\s*)?[(（]\s*(\d{1,2})\s*[)）]\s*(.*)$")

META_LABELS = {"評価書名": "title", "評価実施機関名": "agency", "提出日": "submitted", "概要説明日": "overview_date"}


# --------------------------------------------------------------------------- small cell helpers


def _cell_paragraphs(cell: str) -> list[str]:
    """Raw paragraphs of a cell: its <p> blocks, or the cell itself."""
    if "<p>" in cell:
        blocks = list(_P_BLOCK.findall(cell))
        rest = _P_BLOCK.sub(" ", cell)
        if _TAG.sub("", rest).strip():
            blocks.append(_TAG.sub("", rest))
        return [b for b in blocks if b.strip()]
    return [_TAG.sub("", cell)] if cell.strip() else []


def _cell_text(cell: str) -> str:
    return normalize(" ".join(_cell_paragraphs(cell))).strip()


def _is_none(text: str) -> bool:
    return compact(text) in NONE_MARKS


def normalize_pages(cell: str) -> str | None:
    """`P.13 ～ P.15` / `P13-15` / `13～15頁` -> `P.13 ～ P.15`; `P.34` stays; `—` -> None."""
    s = _cell_text(cell)
    if _is_none(s):
        return None
    m = re.fullmatch(r"\s*(?:P|p)?\s*\.?\s*(\d{1,4})\s*(?:頁|ページ)?"
                     r"\s*(?:[~〜～\-–―ー]\s*(?:P|p)?\s*\.?\s*(\d{1,4})\s*(?:頁|ページ)?)?\s*", s)
    if m:
        a, b = m.group(1), m.group(2)
        return f"P.{int(a)} ～ P.{int(b)}" if b else f"P.{int(a)}"
    parts = [p for p in re.split(r"[、,]\s*", s) if p.strip()]
    pages = [re.fullmatch(r"\s*(?:P|p)?\s*\.?\s*(\d{1,4})\s*", p) for p in parts]
    if len(parts) > 1 and all(pages):
        return "、".join(f"P.{int(m.group(1))}" for m in pages if m)
    return s


def normalize_section(cell: str) -> str | None:
    """`II 2. ③` -> `Ⅱ 2. ③`, `Ⅲ 2. リスク1:` -> `Ⅲ 2. リスク1`, `Ⅲ 7. リスク1: ⑤` -> `Ⅲ 7. リスク1 ⑤`."""
    s = _cell_text(cell)
    if _is_none(s):
        return None
    s = re.sub(r"(リスク\s*\d+)\s*[:：]\s*", r"\1 ", s)
    s = re.sub(r"[:：]\s*$", "", s.strip())
    s = re.sub(r"\s+", " ", s).strip()
    return s or None


def normalize_result(cell: str) -> str | None:
    s = compact(" ".join(_cell_paragraphs(cell)))
    return None if s in NONE_MARKS else s


def _split_finding_paragraphs(cell: str) -> list[str]:
    """Paragraphs of a 所見 cell: <p> blocks, and inside them text separated by two+ spaces after a 。."""
    out: list[str] = []
    for block in _cell_paragraphs(cell):
        for piece in _PARA_SPLIT.split(block):
            text = normalize(piece).strip()
            if text:
                out.append(text)
    return out


# --------------------------------------------------------------------------- topic vocabulary


@dataclass(frozen=True)
class Topic:
    checkpoints: tuple[str, ...]
    cues: tuple[str, ...]
    refine: tuple[tuple[str, tuple[str, ...]], ...] = ()
    tier: int = 1


@dataclass
class Vocabulary:
    markers: list[str]
    connectives: list[str]
    max_opening: int
    groups: dict[str, list[Topic]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """knowledge/risk_topics.yaml plus the catalog's field labels and titles (tier 1) and aliases (tier 2)."""
    data = knowledge_yaml("risk_topics.yaml")
    vocab = Vocabulary(
        markers=[compact(m) for m in data["markers"]],
        connectives=[compact(c) for c in data["connectives"]],
        max_opening=int(data.get("max_opening", 90)),
    )
    for group, topics in (data.get("groups") or {}).items():
        items = []
        for t in topics:
            refine = tuple((str(k), tuple(compact(c) for c in v)) for k, v in (t.get("refine") or {}).items())
            items.append(Topic(tuple(str(c) for c in t["checkpoints"]), tuple(compact(c) for c in t["cues"]), refine))
        vocab.groups[str(group)] = items

    catalog = load_catalog()
    field_use: dict[str, set[str]] = {}
    for known in catalog.checkpoints:
        for f in known.fields:
            field_use.setdefault(compact(f), set()).add(known.id)
    for cons in catalog.considerations:
        if cons.id == "⑩":  # body-specific: the sheet's own rows define them
            continue
        labels: dict[str, set[str]] = {}
        aliases: dict[str, set[str]] = {}
        risks: dict[str, set[str]] = {}
        for cid in cons.checkpoints:
            cp = catalog.checkpoint(cid)
            if cp is None:
                continue
            for f in cp.fields:
                c = compact(f)
                if len(field_use.get(c, ())) == 1 and len(c) >= 2:
                    labels.setdefault(c, set()).add(cp.id)
            if cp.title and len(compact(cp.title)) >= 2:
                labels.setdefault(compact(cp.title), set()).add(cp.id)
            # the risk number of Ⅲ (`リスク3について、`): all the checkpoints under that risk
            risk = re.search(r"リスク\s*(\d+)", cp.section)
            if risk:
                risks.setdefault(f"リスク{risk.group(1)}", set()).add(cp.id)
            for a in cp.aliases:
                c = compact(a)
                if len(c) >= 2:
                    aliases.setdefault(c, set()).add(cp.id)
        extra = vocab.groups.setdefault(cons.id, [])
        # words of the consideration itself (`情報提供ネットワークシステム` in ⑦) name the whole group, not a checkpoint
        subject = compact(cons.text)
        labels = {k: v for k, v in labels.items() if k not in subject}
        aliases = {k: v for k, v in aliases.items() if k not in subject}
        for cue, ids in labels.items():
            if len(ids) == 1:
                extra.append(Topic(tuple(ids), (cue,), (), 1))
        for cue, ids in risks.items():
            extra.append(Topic(tuple(sorted(ids, key=int)), (cue,), (), 1))
        for cue, ids in aliases.items():
            if len(ids) == 1:
                extra.append(Topic(tuple(ids), (cue,), (), 2))
    return vocab


# --------------------------------------------------------------------------- attribution


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    topic: Topic

    @property
    def length(self) -> int:
        return self.end - self.start


_COORDINATORS = {"・", "及び", "並びに", "や", "と", "又は", "、"}
_OPEN_BRACKETS, _CLOSE_BRACKETS = "(「『[【", ")」』]】"


def _split_top_level(text: str, sep: str = "、") -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    for ch in text:
        if ch in _OPEN_BRACKETS:
            depth += 1
        elif ch in _CLOSE_BRACKETS and depth:
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [p for p in parts if p]


def _find_matches(text: str, topics: list[Topic]) -> list[_Match]:
    found: list[_Match] = []
    for topic in topics:
        for cue in topic.cues:
            if not cue:
                continue
            start = text.find(cue)
            while start >= 0:
                found.append(_Match(start, start + len(cue), topic))
                start = text.find(cue, start + 1)
    # overlaps: the longest cue wins; on an equal span the more specific topic (fewer checkpoints) wins
    found.sort(key=lambda m: (-m.length, len(m.topic.checkpoints), m.start))
    kept: list[_Match] = []
    for m in found:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def _heads(part: str, matches: list[_Match]) -> list[_Match]:
    """The topic(s) a phrase is about: its last cue, plus cues coordinated with it (`自己点検・監査`)."""
    if not matches:
        return []
    heads = [matches[-1]]
    for m in reversed(matches[:-1]):
        gap = part[m.end : heads[0].start]
        if gap in _COORDINATORS:
            heads.insert(0, m)
        else:
            break
    return heads


def _apply_refine(topic: Topic, body: str) -> list[str]:
    """The topic's checkpoints the text actually names (longest cue wins where cues overlap)."""
    if not topic.refine:
        return list(topic.checkpoints)
    subtopics = [Topic((cid,), cues) for cid, cues in topic.refine]
    picked = {m.topic.checkpoints[0] for m in _find_matches(body, subtopics)}
    return [c for c in topic.checkpoints if c in picked] or list(topic.checkpoints)


def _ordered(ids: set[str] | list[str]) -> list[str]:
    return sorted(set(ids), key=lambda c: (not c.isdigit(),
                                           int(c) if c.isdigit() else int(c[1:]) if c[1:].isdigit() else 0))


def opening_topic(paragraph: str, vocab: Vocabulary | None = None) -> tuple[str | None, str]:
    """(opening topic, rest of the paragraph), compacted; topic None when the paragraph opens with no marker."""
    vocab = vocab or load_vocabulary()
    text = compact(paragraph)
    rx = re.compile("(" + "|".join(map(re.escape, vocab.markers)) + ")、")
    m = rx.search(text)
    if not m or m.start() > vocab.max_opening or m.start() == 0:
        return None, text
    topic = text[: m.start()]
    changed = True
    while changed:
        changed = False
        for c in vocab.connectives:
            if topic.startswith(c + "、"):
                topic = topic[len(c) + 1 :]
                changed = True
    return (topic or None), text[m.end() :]


def _resolve_topic(topic: str, body: str, topics: list[Topic]) -> list[str]:
    out: set[str] = set()
    for part in _split_top_level(topic):
        for head in _heads(part, _find_matches(part, topics)):
            out.update(_apply_refine(head.topic, topic + "、" + body))
    return _ordered(out)


_KANJI_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々]{2,}")
_KATAKANA_RUN = re.compile(r"[\u30a0-\u30ffー]{2,}")
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")


def _content_tokens(s: str) -> set[str]:
    """Content words of a text: kanji bigrams, katakana words, ASCII words (particles and endings left out)."""
    s = compact(s)
    out: set[str] = set()
    for run in _KANJI_RUN.findall(s):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(_KATAKANA_RUN.findall(s))
    out.update(w.upper() for w in _ASCII_WORD.findall(s))
    return out


def _by_wording(text: str, candidates: dict[str, str]) -> list[str]:
    """Candidates whose distinctive wording (content words no other candidate has) the text names most."""
    toks = {cid: _content_tokens(w) for cid, w in candidates.items()}
    target = _content_tokens(text)
    scores: dict[str, tuple[int, float]] = {}
    for cid, t in toks.items():
        others = set().union(*(toks[o] for o in toks if o != cid)) if len(toks) > 1 else set()
        distinct = t - others
        hits = len(distinct & target)
        scores[cid] = (hits, hits / max(1, len(distinct)))
    best = max(scores.values(), default=(0, 0.0))
    if best[0] <= 0:
        return []
    return _ordered([cid for cid, s in scores.items() if s == best])


def attribute_paragraph(
    paragraph: str,
    group: str | None,
    group_checkpoints: dict[str, str],
    vocab: Vocabulary | None = None,
) -> tuple[list[str], str]:
    """Checkpoints a finding paragraph is about, within its group, and how that was decided.

    `group_checkpoints` maps the group's checkpoint ids to their wording. Returns (ids, method) where method is
    one of "opening", "alias", "content", "wording", "single", "none".
    """
    vocab = vocab or load_vocabulary()
    allowed = set(group_checkpoints)
    if len(allowed) == 1:
        return list(allowed), "single"
    topics = [t for t in vocab.groups.get(group or "", []) if set(t.checkpoints) & allowed]
    tier1 = [t for t in topics if t.tier == 1]
    tier2 = [t for t in topics if t.tier == 2]
    topic, body = opening_topic(paragraph, vocab)
    if topic:
        for tier, method in ((tier1, "opening"), (tier2, "alias")):
            ids = [c for c in _resolve_topic(topic, body, tier) if c in allowed]
            if ids:
                return ids, method
    # no topic in the opening: the cues the whole paragraph names most
    text = compact(paragraph)
    counts: dict[Topic, int] = {}
    for m in _find_matches(text, tier1):
        counts[m.topic] = counts.get(m.topic, 0) + 1
    if counts:
        best = max(counts.values())
        found: set[str] = set()
        for t, n in counts.items():
            if n == best:
                found.update(_apply_refine(t, text))
        found &= allowed
        if found:
            return _ordered(found), "content"
    ids = _by_wording(topic or text, group_checkpoints) or (_by_wording(text, group_checkpoints) if topic else [])
    if ids:
        return ids, "wording"
    return [], "none"


def _split_by_topic(paragraphs: list[str], group: str | None, group_checkpoints: dict[str, str]) -> list[str]:
    """Split a paragraph where a later sentence opens a new topic (`…妥当である。技術的対策として、…`)."""
    vocab = load_vocabulary()
    allowed = set(group_checkpoints)
    tier1 = [t for t in vocab.groups.get(group or "", []) if t.tier == 1 and set(t.checkpoints) & allowed]
    out: list[str] = []
    for para in paragraphs:
        sentences = [s for s in re.split(r"(?<=。)", para) if s.strip()]
        current: list[str] = []
        current_ids: list[str] | None = None
        current_topic: str | None = None
        for s in sentences:
            topic, body = opening_topic(s, vocab)
            ids: list[str] = []
            if topic and tier1:
                ids = [c for c in _resolve_topic(topic, body, tier1) if c in allowed]
            elif topic and len(allowed) > 1:  # a group without vocabulary (⑩): the sheet's own wording
                ids = _by_wording(topic, group_checkpoints)
            new_topic = bool(ids) and ids != current_ids
            if len(allowed) == 1 and topic and current_topic and topic != current_topic:
                new_topic = True  # one checkpoint only: a sentence opening another topic is another paragraph
            if current and new_topic:
                out.append("".join(current).strip())
                current = []
            if not current:
                current_ids = ids or None
                current_topic = topic
            current.append(s)
        if current:
            out.append("".join(current).strip())
    return out


# --------------------------------------------------------------------------- table parsing


@dataclass
class _RawRow:
    line_no: int
    cells: dict[str, str]


_COLUMNS = ["viewpoint", "consideration", "checkpoint", "pages", "section", "result", "finding"]


def _header_columns(cells: list[str]) -> list[str] | None:
    names: list[str | None] = []
    for cell in cells:
        c = compact(_TAG.sub("", cell))
        if "審査の観点" in c:
            names.append("viewpoint")
        elif "細目" in c:
            names.append("checkpoint")
        elif "主な考慮事項" in c:
            names.append("consideration")
        elif "該当箇所" in c:
            names.append("pages")
        elif "審査結果" in c or c == "結果":
            names.append("result")
        elif "所見" in c:
            names.append("finding")
        else:
            names.append(None)
    if "finding" not in names or ("checkpoint" not in names and "viewpoint" not in names):
        return None
    # the unnamed column right after 該当箇所 holds the section
    for i, n in enumerate(names):
        if n == "pages" and i + 1 < len(names) and names[i + 1] is None:
            names[i + 1] = "section"
    return [n or f"_{i}" for i, n in enumerate(names)]


def _table_rows(text: str) -> list[_RawRow]:
    rows: list[_RawRow] = []
    columns: list[str] | None = None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "\t" not in line:
            # a wrapped row: a line without tabs right between two table rows continues the previous finding
            if (
                columns
                and rows
                and rows[-1].line_no == i - 1
                and line.strip()
                and i + 1 < len(lines)
                and "\t" in lines[i + 1]
                and not line.lstrip().startswith("#")
            ):
                rows[-1].cells["finding"] = rows[-1].cells.get("finding", "") + line
                rows[-1].line_no = i
            continue
        cells = line.split("\t")
        header = _header_columns(cells)
        if header:
            columns = header
            continue
        if columns is None:
            continue
        if not any(c.strip() for c in cells):
            continue
        if set(_COLUMNS) <= set(columns) and len(cells) == len(columns):
            named = dict(zip(columns, cells, strict=True))
        else:
            # empty cells dropped (DOCX/HTML tables) or a header without the blank section column:
            # place each cell by what it holds, keeping the columns' order
            named = _infer_cells(cells)
        rows.append(_RawRow(i, named))
    return rows


_SECTION_START = re.compile(r"^(?:[ⅠⅡⅢⅣⅤⅥ]|(?:VI|IV|V|I{1,3})(?=[\s.、(])|表紙|別添)")
_PAGES_CELL = re.compile(r"^(?:P|p)?\s*\.?\s*\d{1,4}(?:\s*(?:頁|ページ))?(?:\s*[~〜～\-–―ー、,].*)?$")
_RESULT_CELL = re.compile(r"(?:認められない|該当なし|必要がある|必要である|問題がある)$")

_ACCEPTS = {
    "viewpoint": lambda s: bool(_VIEWPOINT_NO.match(s)),
    "consideration": lambda s: s[:1] in CIRCLED or _is_none(s),
    "checkpoint": lambda s: bool(_CHECKPOINT_CELL.match(s)) or _is_none(s),
    "pages": lambda s: bool(_PAGES_CELL.match(s)) or _is_none(s),
    "section": lambda s: bool(_SECTION_START.match(s)) or _is_none(s),
    "result": lambda s: bool(_RESULT_CELL.search(compact(s))) or _is_none(s),
    "finding": lambda s: True,
}


def _infer_cells(cells: list[str]) -> dict[str, str]:
    """Assign cells to columns by their content, in column order (for tables whose empty cells were dropped)."""
    named: dict[str, str] = {}
    pos = 0
    for cell in cells:
        s = _cell_text(cell)
        if not s:
            continue
        for i in range(pos, len(_COLUMNS)):
            col = _COLUMNS[i]
            if _ACCEPTS[col](s):
                if col == "finding" and "finding" in named:  # text after the 所見: part of it
                    named["finding"] += "\t" + cell
                else:
                    named[col] = cell
                pos = i + 1 if col != "finding" else i
                break
    return named


def _viewpoint_ids(cell: str) -> list[str]:
    ids = []
    for para in _cell_paragraphs(cell):
        for piece in re.split(r"[ \t\u3000]{2,}", para):
            m = _VIEWPOINT_NO.match(normalize(piece).strip())
            if m:
                ids.append(f"V{int(m.group(1))}")
    return ids


def _viewpoint_text(cell: str) -> str:
    s = _cell_text(cell)
    return _VIEWPOINT_NO.sub("", s).strip()


def _consideration_id(cell: str) -> str | None:
    s = _cell_text(cell)
    if s and s[0] in CIRCLED[:20]:
        return s[0]
    return None


# --------------------------------------------------------------------------- meta, 総評, 審査記載事項


def _parse_meta(text: str) -> ReviewMeta:
    values: dict[str, str] = {}
    lines = [normalize(line.replace("\t", "：")).strip() for line in text.splitlines()]
    label_re = re.compile(r"^(評価書名|評価実施機関名|提出日|概要説明日)\s*(?:[:：\t]\s*|\s+)?(.*)$")
    for i, line in enumerate(lines[:200]):
        m = label_re.match(line.replace("\t", " ").strip()) if line else None
        if not m or META_LABELS[m.group(1)] in values:
            continue
        value = m.group(2).strip()
        if not value:
            buf = []
            for nxt in lines[i + 1 : i + 6]:
                if not nxt or label_re.match(nxt) or nxt.startswith(("#", "(目次)", "○")):
                    break
                buf.append(nxt)
            value = "".join(buf)
        if value:
            values[META_LABELS[m.group(1)]] = value
    return ReviewMeta(
        title=values.get("title"),
        agency=values.get("agency"),
        submitted=to_iso(values.get("submitted")),
        overview_date=to_iso(values.get("overview_date")),
    )


def _is_heading(line: str, word: str) -> bool:
    s = compact(line).strip("#【】[]■□◆◇●○・-")
    return word in s and len(s) <= len(word) + 16 and "..." not in line and "\t" not in line


def _numbered_items(lines: list[str]) -> list[str]:
    items: list[str] = []
    for raw in lines:
        line = normalize(raw).strip()
        if not line:
            continue
        m = _ITEM_NO.match(line)
        if m:
            items.append(f"({int(m.group(1))}) {m.group(2).strip()}")
        elif items:
            items[-1] = items[-1] + line.lstrip("-・ ")
    return items


def _block_after(lines: list[str], word: str, stop_words: list[str]) -> list[str]:
    start = None
    for i, line in enumerate(lines):
        if _is_heading(line, word):
            start = i  # the last heading wins: the table of contents comes first
    if start is None:
        return []
    out = []
    for line in lines[start + 1 :]:
        if any(_is_heading(line, w) for w in stop_words) or line.startswith("## "):
            break
        out.append(line)
    return out


# --------------------------------------------------------------------------- the parser


def _result_of(ids: list[str], results: dict[str, str | None]) -> str | None:
    found = [results[c] for c in ids if results.get(c)]
    if not found:
        return None
    for r in found:
        if r not in (RESULT_OK, RESULT_NA):
            return r
    if all(r == RESULT_NA for r in found):
        return RESULT_NA
    return RESULT_OK


def _source_slug(source: Source | None, meta: ReviewMeta) -> str:
    basis = (source.path if source and source.path else None) or f"{meta.agency}|{meta.title}|{meta.submitted}"
    return "review-" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:10]


@dataclass
class _PrintedFinding:
    """A 所見 cell as the sheet printed it: on which row, in which group (None: a viewpoint row)."""

    row: str
    group: str | None
    cell: str


@dataclass
class _SheetRows:
    rows: list[ReviewRow]
    printed: list[_PrintedFinding]
    new_checkpoints: list[Checkpoint]


def _raw_rows(text: str) -> tuple[list[_RawRow], bool]:
    """The table's rows, and whether they had to be read line by line (text from a real PDF, no tabs)."""
    raw_rows = _table_rows(text)
    line_mode = not any(_CHECKPOINT_CELL.match(_cell_text(r.cells.get("checkpoint", ""))) for r in raw_rows)
    if line_mode:
        from indexer.review_lines import line_rows

        raw_rows = [_RawRow(i, cells) for i, cells in line_rows(text)]
    return raw_rows, line_mode


def _read_rows(raw_rows: list[_RawRow]) -> _SheetRows:
    """Row reading: each checkpoint or viewpoint row with its result, pages and section; the 所見 cells as printed;
    the body-specific checkpoints (⑩, 74 and up) the sheet adds. A viewpoint or consideration cell carries over to
    the rows below it (merged cells)."""
    out = _SheetRows(rows=[], printed=[], new_checkpoints=[])
    cur_vps: list[str] = []
    cur_cons: str | None = None
    for raw in raw_rows:
        c = raw.cells
        vps = _viewpoint_ids(c.get("viewpoint", ""))
        if vps:
            cur_vps = vps
            cur_cons = _consideration_id(c.get("consideration", ""))
        elif c.get("consideration", "").strip():
            cur_cons = _consideration_id(c["consideration"]) if not _is_none(_cell_text(c["consideration"])) else None
        cp_text = _cell_text(c.get("checkpoint", ""))
        m = _CHECKPOINT_CELL.match(cp_text) if cp_text else None
        if m:
            row_id, wording = str(int(m.group(1))), m.group(2).strip()
        elif cur_vps and (_is_none(cp_text) or not cp_text):
            row_id, wording = cur_vps[0], ""
        else:
            continue
        row = ReviewRow(
            checkpoint=row_id,
            viewpoint=cur_vps[0] if cur_vps else None,
            consideration=cur_cons,
            text=wording or _viewpoint_text(c.get("viewpoint", "")),
            pages=normalize_pages(c.get("pages", "")),
            section=normalize_section(c.get("section", "")),
            result=normalize_result(c.get("result", "")),
        )
        out.rows.append(row)
        if c.get("finding", "").strip():
            out.printed.append(_PrintedFinding(row_id, row.consideration, c["finding"]))
        if row.consideration == "⑩" and row_id.isdigit() and int(row_id) >= 74:
            out.new_checkpoints.append(_body_specific_checkpoint(row, wording, cur_vps))
    return out


def _body_specific_checkpoint(row: ReviewRow, wording: str, viewpoints: list[str]) -> Checkpoint:
    """A checkpoint the sheet adds for its body under ⑩ (74 and up)."""
    return Checkpoint(
        id=row.checkpoint,
        number=int(row.checkpoint),
        text=wording,
        consideration="⑩",
        viewpoints=list(viewpoints),
        section=row.section or "",
        form_path=(row.section or "").split(),
        title=wording[:40],
        body_specific=True,
    )


def _group_members(rows: list[ReviewRow]) -> dict[str, dict[str, str]]:
    """Group membership: the checkpoints of each consideration group (id -> wording), the sheet's own rows plus
    the catalog's (⑩ only from the sheet: its checkpoints are the body's own)."""
    catalog = load_catalog()
    groups: dict[str, dict[str, str]] = {}
    for r in rows:
        if r.consideration:
            groups.setdefault(r.consideration, {})[r.checkpoint] = r.text
    for cons in catalog.considerations:
        if cons.id == "⑩" or cons.id not in groups:
            continue
        for cid in cons.checkpoints:
            cp = catalog.checkpoint(cid)
            if cp:
                groups[cons.id].setdefault(cid, cp.text)
    return groups


def _attribute_findings(sheet: _SheetRows, groups: dict[str, dict[str, str]]) -> list[Finding]:
    """Finding attribution: each paragraph of a 所見 cell goes to the checkpoints it speaks of, by its content,
    within the group it was printed in; a viewpoint row's paragraphs stay with the viewpoint (and its row)."""
    results = {r.checkpoint: r.result for r in sheet.rows}
    findings: list[Finding] = []
    for p in sheet.printed:
        paragraphs = _split_finding_paragraphs(p.cell)
        if p.group is None:
            ids = [next((r.viewpoint for r in sheet.rows if r.checkpoint == p.row), None) or p.row]
            if p.row.isdigit() and p.row not in ids:
                ids.append(p.row)
            for para in paragraphs:
                findings.append(Finding(text=para, checkpoints=ids, group=None, printed_on=p.row,
                                        result=_result_of([p.row], results)))
            continue
        members = groups.get(p.group, {p.row: ""})
        for para in _split_by_topic(paragraphs, p.group, members):
            ids, _method = attribute_paragraph(para, p.group, members)
            findings.append(Finding(text=para, checkpoints=ids or [p.row], group=p.group, printed_on=p.row,
                                    result=_result_of(ids or [p.row], results)))
    return findings


def _closing_blocks(text: str, line_mode: bool) -> tuple[list[str], list[str]]:
    """The 総評 and 審査記載事項 blocks after the table, as numbered items."""
    lines = text.splitlines()
    if line_mode:  # page footers (`- 5 -`) inside the blocks
        from indexer.review_lines import is_footer

        lines = [line for line in lines if not is_footer(line)]
    general = _numbered_items(_block_after(lines, "総評", ["審査記載事項"]))
    remarks = _numbered_items(_block_after(lines, "審査記載事項", ["総評"]))
    return general, remarks


def parse_review_sheet(text: str, source: Source | None = None) -> ReviewSheet:
    """Parse the text of a review sheet. Raises NotAReviewSheetError when it holds no review table."""
    if not text or not text.strip():
        raise NotAReviewSheetError("審査書のテキストが空です。"
                                   "審査書（審査の観点・所見の表を含む文書）を指定してください。")
    raw_rows, line_mode = _raw_rows(text)
    sheet = _read_rows(raw_rows)
    if not any(r.checkpoint.isdigit() for r in sheet.rows):
        raise NotAReviewSheetError(
            "審査書として読み取れませんでした（審査の観点・主な考慮事項(細目)・審査結果・所見の表が見つかりません）。"
            "審査書のテキストかどうか確認してください。"
        )
    meta = _parse_meta(text)
    src = (source or Source(kind="review_sheet")).model_copy()
    src.title = src.title or meta.title
    src.agency = src.agency or meta.agency
    src.date = src.date or meta.submitted
    findings = _attribute_findings(sheet, _group_members(sheet.rows))
    slug = _source_slug(source, meta)
    for i, f in enumerate(findings, 1):
        f.id = f"{slug}-f{i:03d}"
        f.source = src
    general, remarks = _closing_blocks(text, line_mode)
    return ReviewSheet(
        meta=meta,
        rows=sheet.rows,
        findings=findings,
        general_comments=general,
        review_remarks=remarks,
        new_checkpoints=sheet.new_checkpoints,
    )
