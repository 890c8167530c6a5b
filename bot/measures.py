"""Measure clauses: the concrete measures a text names, cut out verbatim.

Two sources of measures:
- a past finding (所見) lists the measures it accepted between its opening topic (`…リスク対策として、`) and its
  closing (`等が具体的に記載されており、…`), joined with `こと、`;
- a draft's answer for a checkpoint is prose: sentences and bullet points; the ones that name who does what, with
  which system or document, how often or how it is checked are the concrete measures a finding can cite.

Every clause returned is a verbatim substring of the normalised input (bot.text.normalize), so a finding built from
clauses never says more than its source. The word lists that tell concrete from vague are data
(knowledge/review_templates.yaml, `concrete_markers` / `vague_phrases`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from bot.resources import knowledge_yaml
from bot.text import normalize

# Bullet and numbering markers that open a line or an item inside a line.
_BULLET = r"(?:[・●○◯■□◆◇▪▫•\-\*＊※]|\(\d{1,2}\)|（\d{1,2}）|\d{1,2}[\.．\)）]|[①-⑳]|[ア-ン][\.．\)）])"
_LEAD_RE = re.compile(r"^\s*(?:" + _BULLET + r"\s*)+")
# An item marker in the middle of a line (the PDF joined a list into one line): " ・", " ①", "。(2)".
_INLINE_ITEM_RE = re.compile(r"(?:(?<=\s)|(?<=。))(?=[・●■◆•①-⑳](?!\s*$))")
_SENTENCE_END_RE = re.compile(r"(?<=。)(?![)）」』])")
_FINDING_OPEN_RE = re.compile(r"^(.{2,120}?)(として|について|については)、")
_LOCK = threading.Lock()
_FINDING_CLOSE_RE = re.compile(r"等?が(?:、[^。]{0,40})?具体的に(?:記載|明記)")


@dataclass(frozen=True)
class MeasureVocabulary:
    concrete: dict[str, list[str]]
    vague: list[str]
    max_clause_chars: int
    min_clause_chars: int
    min_list_item_chars: int
    min_sentence_chars: int
    list_stopwords: frozenset[str]


@lru_cache(maxsize=1)
def vocabulary() -> MeasureVocabulary:
    data = knowledge_yaml("review_templates.yaml")
    m = data["measures"]
    return MeasureVocabulary(
        concrete={k: list(v) for k, v in m["concrete_markers"].items()},
        vague=list(m["vague_phrases"]),
        max_clause_chars=int(m.get("max_clause_chars", 260)),
        min_clause_chars=int(m.get("min_clause_chars", 8)),
        min_list_item_chars=int(m.get("min_list_item_chars", 2)),
        min_sentence_chars=int(m.get("min_sentence_chars", 20)),
        list_stopwords=frozenset(m.get("list_stopwords", [])),
    )


# --------------------------------------------------------------------------- draft prose -> clauses


def split_clauses(text: str) -> list[str]:
    """Sentences and list items of a text, normalised, without bullet markers and the closing 。.

    Each returned clause is a substring of normalize(text)."""
    t = normalize(text or "")
    out: list[str] = []
    for line in t.splitlines():
        for piece in _INLINE_ITEM_RE.split(line):
            for sent in _SENTENCE_END_RE.split(piece):
                c = _LEAD_RE.sub("", sent).strip()
                c = c.rstrip("。．.　 ").strip()
                # a clause that is only a heading like "【物理的対策】" or "<中間サーバー>" carries no measure
                c = re.sub(r"^[【<＜〈\[［][^】>＞〉\]］]{1,30}[】>＞〉\]］]\s*", "", c).strip()
                if c:
                    out.append(c)
    return out


def concreteness(clause: str) -> tuple[int, list[str]]:
    """How many kinds of concrete detail (who / system / document / frequency / check) a clause names."""
    voc = vocabulary()
    kinds = [k for k, words in voc.concrete.items() if any(w in clause for w in words)]
    return len(kinds), kinds


def is_vague(clause: str) -> bool:
    """A clause that is nothing but a generic promise (適切に管理する…) with no concrete detail."""
    voc = vocabulary()
    if not any(v in clause for v in voc.vague):
        return False
    score, _ = concreteness(clause)
    return score < 2


def split_top_level(text: str, sep: str = "、") -> list[str]:
    """Split on `sep` outside brackets: "A(B、C)、D" -> ["A(B、C)", "D"]."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "(（「『【[":
            depth += 1
        elif ch in ")）」』】]" and depth:
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [x.strip() for x in out if x.strip()]


def draft_measures(text: str, limit: int = 4, require_concrete: bool = True) -> list[str]:
    """The measure clauses of a draft's answer, in the draft's order, at most `limit`.

    With require_concrete (risk measures), keeps clauses naming at least one kind of concrete detail and prefers
    those naming more kinds. Without it (descriptions of the work, ①②), keeps the first non-vague clauses that say
    something is done; failing those, other sentences; failing those, the items of a ticked list
    ("庁内連携システム、税務システム"), each item once."""
    voc = vocabulary()
    clauses = [c for c in dict.fromkeys(split_clauses(text))
               if voc.min_clause_chars <= len(c) <= voc.max_clause_chars and not is_vague(c)]
    if require_concrete:
        scored = [(concreteness(c)[0], i, c) for i, c in enumerate(clauses)]
        best = sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))[:limit]
        return [c for _, _, c in sorted(best, key=lambda x: x[1])]
    predicates = [c for c in clauses if has_predicate(c)]
    if predicates:
        return predicates[:limit]
    sentences = [c for c in clauses if len(split_top_level(c)) == 1 and len(c) >= voc.min_sentence_chars]
    if sentences:
        return sentences[:limit]
    items: list[str] = []
    for c in split_clauses(text):
        for item in split_top_level(c):
            if item not in items and item not in voc.list_stopwords and len(item) >= voc.min_list_item_chars:
                items.append(item)
    return items[:limit]


def _top_level_commas(text: str) -> list[int]:
    """Positions of the 、 outside brackets."""
    out, depth = [], 0
    for i, ch in enumerate(text):
        if ch in "(（「『【[":
            depth += 1
        elif ch in ")）」』】]" and depth:
            depth -= 1
        elif ch == "、" and depth == 0:
            out.append(i)
    return out


def condense(clause: str, limit: int = 60) -> str:
    """The part of a long measure clause a finding names: a verbatim tail of the clause, from a top-level 、 to its
    end (so it keeps the clause's own predicate), at most `limit` characters, naming as many kinds of concrete detail
    as a tail that short can. A clause within the limit is kept whole; one with no short tail keeps its last part.

    So a finding summarises what the draft names instead of copying its sentences wholesale, and every measure it
    quotes is still the draft's own words."""
    c = clause.strip()
    if len(c) <= limit:
        return c
    tails = [c[i + 1:].strip() for i in _top_level_commas(c)]
    tails = [t for t in tails if t]
    short = [t for t in tails if len(t) <= limit and len(t) >= vocabulary().min_clause_chars]
    if short:
        return max(short, key=lambda t: (concreteness(t)[0], len(t)))
    return tails[-1] if tails and len(tails[-1]) >= vocabulary().min_clause_chars else c


# --------------------------------------------------------------------------- past findings -> measures


def finding_topic(text: str) -> tuple[str, str] | None:
    """The opening topic of a finding and its connector:
    ('特定個人情報ファイルが不正に複製されるリスク対策', 'として')."""
    m = _FINDING_OPEN_RE.match(normalize(text).strip())
    if not m:
        return None
    return m.group(1), ("について" if m.group(2) == "については" else m.group(2))


def finding_measures(text: str, limit: int = 6) -> list[str]:
    """The measures a past finding lists, verbatim (each ends with the finding's own `こと` where it has one)."""
    t = normalize(text).strip()
    # A finding may hold several `topic として、… 等が具体的に記載されており` sentences; take each body.
    out: list[str] = []
    for sentence in re.split(r"(?<=。)(?![)）」』])", t):
        opening = _FINDING_OPEN_RE.match(sentence.strip())
        body = sentence.strip()[opening.end():] if opening else sentence.strip()
        close = _FINDING_CLOSE_RE.search(body)
        if not close:
            continue
        body = body[: close.start()]
        for item in re.split(r"(?<=こと)(?:等が)?、|\s+・", body):
            item = item.strip(" ・、")
            if 8 <= len(item) <= 300:
                out.append(item)
            if len(out) >= limit:
                return out
    return out


def _ends_with_kana(s: str) -> bool:
    return bool(s) and "\u3040" <= s[-1] <= "\u309f"


# --------------------------------------------------------------------------- clause -> finding item


def plain_clause(clause: str) -> tuple[str, str]:
    """Split a clause for use as an item of a finding: (verbatim part, fixed tail).

    Findings list measures as `…すること、…していること`. A clause ending in a verb, auxiliary or adjective gets
    `こと`; one in polite form (`…を行います`) has its polite ending replaced by the plain form of its last verb
    (`行う` + `こと`), the verbatim part stopping before that verb. A clause ending in a noun is used as it is."""
    c = clause.rstrip("。")
    if c.endswith(("こと", "等")):
        return c, ""
    if c.endswith("ます"):
        head, tail = _plain_from_polite(c)
        if head:
            return head, tail + "こと"
    if c.endswith(("です", "でした", "ました", "ません")):
        return c, ""
    return (c, "こと") if has_predicate(c) else (c, "")


def has_predicate(clause: str) -> bool:
    """Does the clause end in a verb, an auxiliary verb or an adjective (i.e. say that something is done)?"""
    last = _morphemes(clause.rstrip("。"))[-1:]
    return bool(last) and last[0][1] in ("動詞", "助動詞", "形容詞") and last[0][0] not in ("ため", "為")


def _morphemes(text: str) -> list[tuple[str, str, int, str]]:
    """(surface, part of speech, begin, dictionary form) of each morpheme."""
    from sudachipy import SplitMode

    if not text:
        return []
    with _LOCK:  # a Sudachi tokenizer object is not thread-safe
        return [(m.surface(), m.part_of_speech()[0], m.begin(), m.dictionary_form())
                for m in _sudachi().tokenize(text, SplitMode.C)]


def _plain_from_polite(c: str) -> tuple[str, str]:
    morphs = _morphemes(c)
    if len(morphs) < 2 or morphs[-1][0] != "ます":
        return "", ""
    _surface, pos, begin, base = morphs[-2]
    if pos != "動詞":
        return "", ""
    return c[:begin], base


@lru_cache(maxsize=1)
def _sudachi():
    from bot.tokenize import new_tokenizer

    return new_tokenizer()
