"""Guideline documents a user indexes (指針, 指針の解説, 記載要領, Q&A), read by their structure.

The 指針 and its 解説 are numbered 第N / 1 / (1) / ① (a 規則 by 第N条); a 記載要領 goes form item by form item
(「Ⅲ 4. その他のリスク」, 「【Ⅱ 3. ⑦】使用の主体」); a Q&A by question (問1 / Q1-2). Every heading opens a chunk; a
chunk carries its place in the document (「指針 第6 2 (1)」, 「記載要領 Ⅲ 4. その他のリスク」, 「Q&A 問3」), the
headings above it, and its links: the form items it names (bot/form_refs.py), the checkpoints on them, and, when
its words are those of a procedure rule (bot/procedures.py), that rule's form items and viewpoints.

`parse_guideline(text, title)` -> GuidelineDocument; `guideline_records` (indexer/records.py) turns its chunks into
records of kind "guideline".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.form_refs import item_checkpoints, item_label, resolve_items
from bot.models import GuidelineChunk, GuidelineDocument
from bot.procedures import rule_matches
from bot.text import CIRCLED, compact, normalize

MAX_CHUNK_CHARS = 900
MAX_LINKS = 6

_KANJI = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _kanji_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _KANJI[s[1]]
    if len(s) == 2 and s[1] == "十":
        return _KANJI[s[0]] * 10
    if len(s) == 3 and s[1] == "十":
        return _KANJI[s[0]] * 10 + _KANJI[s[2]]
    return _KANJI.get(s, 0)


_NUM = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_L1 = re.compile(r"^第\s*" + _NUM + r"\s*(条)?(?:\s+|[　:：.．]|$)(.*)$")
_L2 = re.compile(r"^(\d{1,2})(?:\s*[.．]\s*|\s+)(\S.{0,60})$")
_L3 = re.compile(r"^[(（]\s*(\d{1,2})\s*[)）]\s*(.*)$")
_L4 = re.compile(r"^([" + CIRCLED + r"])\s*(.*)$")
_QA = re.compile(r"^(?:問|Q|Ｑ)\s*(\d{1,3}(?:\s*[-－‐の]\s*\d{1,3})?)\s*[.．:：)）]?\s*(.*)$", re.IGNORECASE)
_ITEM_HEADING = re.compile(r"^[【\[［(（]?\s*(?:表紙|[ⅠⅡⅢⅣⅤⅥ](?:\s*\d{1,2}\s*[.．]?)?|[(（]?別添\s*\d[)）]?)")


def document_type(title: str) -> str:
    """The short name a place is written with: 指針, 解説, 記載要領, Q&A, 規則 (or 指針等)."""
    t = compact(normalize(title))
    if "記載要領" in t:
        return "記載要領"
    if "Q&A" in t.upper() or "よくある質問" in t or "質疑応答" in t:
        return "Q&A"
    if "解説" in t:
        return "解説"
    if "規則" in t:
        return "規則"
    if "指針" in t:
        return "指針"
    return "指針等"


@dataclass
class _Open:
    place: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _heading(line: str, doc: str) -> tuple[int, str, str] | None:
    """(level, place segment, heading text) when the line opens a section."""
    if doc == "Q&A":
        m = _QA.match(line)
        if m:
            return 1, "問" + re.sub(r"\s+", "", m.group(1)), m.group(2)
        return None
    if doc == "記載要領" and _ITEM_HEADING.match(line):
        refs = [r for r in resolve_items(line[:40]) if r.how == "place" and r.start <= 2]
        if refs:
            rest = normalize(line)[refs[0].end :].strip(" 】]］)）")
            return 1, refs[0].label, "" if compact(rest) and compact(rest) in compact(refs[0].label) else rest
    m = _L1.match(line)
    if m:
        seg = f"第{_kanji_int(m.group(1))}" + ("条" if m.group(2) else "")
        return 1, seg, m.group(3).strip()
    m = _L3.match(line)
    if m:
        return 3, f"({int(m.group(1))})", m.group(2).strip()
    m = _L4.match(line)
    if m:
        return 4, m.group(1), m.group(2).strip()
    m = _L2.match(line)
    # a numbered heading is short and is no sentence (「30日以上の期間を設ける。」 at a line start is text)
    if m and len(m.group(2)) <= 40 and not m.group(2).rstrip().endswith("。") and not re.match(r"\d", m.group(2)):
        return 2, str(int(m.group(1))), m.group(2).strip()
    return None


def parse_guideline(text: str, title: str) -> GuidelineDocument:
    """The document's chunks, each with its place, headings and links."""
    doc = document_type(title)
    chunks: list[GuidelineChunk] = []
    stack: list[tuple[int, str, str]] = []  # (level, place segment, heading)
    cur = _Open()

    def flush() -> None:
        body = "\n".join(x for x in cur.lines if x).strip()
        if not body and not cur.headings:
            return
        place = " ".join([doc, *cur.place]) if cur.place else doc
        for part in _split(body) or [""]:
            content = "\n".join(x for x in [*cur.headings[-1:], part] if x).strip()
            if len(compact(content)) < 4:
                continue
            chunks.append(_linked(GuidelineChunk(place=place, headings=list(cur.headings), text=content)))

    for raw in normalize(text).splitlines():
        line = raw.strip().lstrip("#").strip()
        if not line:
            cur.lines.append("")
            continue
        if compact(line) == compact(title):
            continue
        h = _heading(line, doc)
        if h is None:
            cur.lines.append(line)
            continue
        flush()
        level = h[0]
        stack = [s for s in stack if s[0] < level] + [h]
        cur = _Open(place=[s[1] for s in stack], headings=[f"{s[1]} {s[2]}".strip() for s in stack])
    flush()
    return GuidelineDocument(title=title, doc=doc, chunks=chunks)


def _split(body: str) -> list[str]:
    """Long sections in parts of about MAX_CHUNK_CHARS, cut between paragraphs or sentences."""
    if len(body) <= MAX_CHUNK_CHARS:
        return [body] if body else []
    from bot.text import pack

    pieces = [p for p in re.split(r"(?<=[。\n])", body) if p]
    return [p.strip() for p in pack(pieces, MAX_CHUNK_CHARS) if p.strip()]


def _linked(chunk: GuidelineChunk) -> GuidelineChunk:
    """Form items the chunk names (by place, or by a label only one item carries) with their checkpoints, and the
    items and viewpoints of the procedure rule its words belong to."""
    text = "\n".join([*chunk.headings, chunk.text])
    items: list[str] = []
    checkpoints: list[str] = []
    for ref in resolve_items(text):
        if ref.how == "label" and ref.ambiguous:
            continue
        label = item_label(ref.node)
        if label not in items:
            items.append(label)
        for cid in item_checkpoints(ref.nodes)[:3]:
            if cid not in checkpoints:
                checkpoints.append(cid)
    found = [m for m in rule_matches(text) if m.groups >= 2]
    if found:
        rule = found[0].rule
        items += [x for x in rule.form_items if x not in items]
        checkpoints += [c for c in rule.checkpoints if c not in checkpoints]
    return chunk.model_copy(update={"form_items": items[:MAX_LINKS], "checkpoints": checkpoints[:MAX_LINKS]})
