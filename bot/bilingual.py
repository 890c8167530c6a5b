"""English questions through the bilingual glossary (knowledge/glossary_en.yaml).

`is_english(text)` tells an English question from a Japanese one; `to_japanese(text)` reads it into the Japanese
words of the form and the procedure (plus its section numbers and numbers of people, and the English words the
glossary does not know, which stay as they are so that relevance can count them). The answer itself is written in
Japanese from that reading; `gist(...)` strings in knowledge/answer_templates.yaml give its one-line English opening.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.resources import knowledge_yaml
from bot.text import CIRCLED, japanese_ratio, normalize

JAPANESE_RATIO = 0.3
# the words of a reading are joined with 、: normalisation drops a space between Japanese characters, and
# 「委託先 取扱い」 would be read back as 委託 / 先取 / 扱い
READING_SEPARATOR = "、"


def is_english(text: str) -> bool:
    """Mostly Latin letters (a Japanese question quoting an English word stays Japanese)."""
    t = normalize(text or "")
    return bool(re.search(r"[A-Za-z]{2,}", t)) and japanese_ratio(t) < JAPANESE_RATIO


@dataclass
class Reading:
    """An English question read into Japanese."""

    japanese: str
    terms: list[tuple[str, list[str]]] = field(default_factory=list)  # (English phrase, Japanese words)
    unknown: list[str] = field(default_factory=list)  # content words the glossary does not know


@lru_cache(maxsize=1)
def _glossary() -> tuple[list[tuple[str, list[str], re.Pattern[str]]], frozenset[str]]:
    """(English phrase, Japanese words, its pattern) longest first, and the stop words. The patterns are compiled
    once: a question runs every one of them, more than the re module's own cache holds."""
    data = knowledge_yaml("glossary_en.yaml")
    pairs = [(str(en).lower(), [str(j) for j in e["ja"]]) for e in data["entries"] for en in e["en"]]
    pairs.sort(key=lambda x: -len(x[0]))
    # a plural or possessive ending does not hide a phrase (my numbers, contractor's)
    compiled = [(en, ja, re.compile((r"(?<![a-z])" + re.escape(en) + r"(?:s|es|'s)?(?![a-z])")
                                    if en[-1:].isalpha() else re.escape(en))) for en, ja in pairs]
    return compiled, frozenset(str(w).lower() for w in data.get("stopwords", []))


_PLACE_RISK = re.compile(r"([ⅠⅡⅢⅣⅤⅥ]\s*\d{1,2}\.?)\s*[,、]?\s*risk\s*(\d)\b")
_PLACE_FIELD = re.compile(r"([ⅠⅡⅢⅣⅤⅥ]\s*\d{1,2}\.?)\s*[-‐・.]?\s*[(（]\s*([1-9]|10)\s*[)）]")
# quotes of an English question: '…' (not an apostrophe inside a word), "…", “…”, 「…」
_QUOTE_EN = re.compile(r"(?<![a-z])'([^']{2,200})'(?![a-z])|\"([^\"]{2,200})\"|“([^“”]{2,200})”|「([^「」]{1,200})」")
# a run of Japanese the question writes (kana, kanji, the form's 等 and ・), kept as it is
_JA_RUN = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3005・ー]{2,}")
_PLACE = re.compile(r"(?:表紙|[ⅠⅡⅢⅣⅤⅥ](?:\s*\d{1,2}\.?)?(?:\s*リスク\s*\d)?(?:\s*[①-⑩])?|別添\s*\d)")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:k|thousand|million)?", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z'\-]*")
# "when" that opens a clause (when reviewers look at …, when we change …) rather than asking when: not followed by an
# auxiliary verb, "to", or the end of the question
_CLAUSE_WHEN = re.compile(r"\bwhen\b(?!\s+(?:do|does|did|is|are|was|were|should|must|can|could|will|would|shall|may|"
                          r"might|have|has|had|to)\b)(?!\s*(?:[?？.]|$))")


def to_japanese(text: str) -> Reading:
    """The Japanese words an English question stands for, in the order it says them."""
    from bot.form_refs import normalize_refs

    pairs, stop = _glossary()
    q = re.sub(r"[A-Z]+", lambda m: m.group(0).lower(), normalize_refs(text))  # str.lower() would turn Ⅲ into ⅲ
    q = re.sub(r"\bsection\s+(?=[ⅠⅡⅢⅣⅤⅥ])", "", q)
    # a risk or a field number after a place is the form's: III-3 risk 3 -> Ⅲ 3 リスク3, I-2-(3) -> Ⅰ 2 ③
    q = _PLACE_RISK.sub(lambda m: f"{m.group(1)} リスク{m.group(2)}", q)
    q = _PLACE_FIELD.sub(lambda m: f"{m.group(1)} {CIRCLED[int(m.group(2)) - 1]}", q)
    taken = [False] * len(q)
    found: list[tuple[int, str, list[str]]] = []
    # what the question quotes in Japanese (the form's own words: '宛名システム等') is kept as it is, and a quoted
    # English answer (our draft says: 'Staff will handle …') is read as a quote: 「its Japanese reading」
    for m in _QUOTE_EN.finditer(q):
        inner = next(g for g in m.groups() if g is not None)
        if _JA_RUN.search(inner) and japanese_ratio(inner) >= JAPANESE_RATIO:
            ja = [inner.strip()]
        elif len(inner.split()) >= 3:
            ja = ["「" + to_japanese(inner).japanese + "」"]
        else:
            continue
        for i in range(m.start(), m.end()):
            taken[i] = True
        found.append((m.start(), m.group(0), ja))
    for m in _CLAUSE_WHEN.finditer(q):  # 「When reviewers look at …, what …?」: a clause, not a question of time
        for i in range(m.start(), m.end()):
            taken[i] = True
    for en, ja, pattern in pairs:
        for m in pattern.finditer(q):
            if any(taken[m.start() : m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            found.append((m.start(), en, ja))
    for m in _PLACE.finditer(q):
        if not any(taken[m.start() : m.end()]):
            for i in range(m.start(), m.end()):
                taken[i] = True
            found.append((m.start(), m.group(0), [m.group(0).strip()]))
    for m in _JA_RUN.finditer(q):
        if not any(taken[m.start() : m.end()]):
            for i in range(m.start(), m.end()):
                taken[i] = True
            found.append((m.start(), m.group(0), [m.group(0)]))
    # "the name of X" / "X's name" is the form's label X名 or Xの名称 when the form has one: the name of the company we
    # outsource to -> 委託先名, the system's name -> システムの名称
    for i, (pos, en, ja) in enumerate(found):
        before = _NAME_OF.search(q[:pos])
        after = _NAME_AFTER.match(q[pos + len(en) :])
        label = _name_label(ja) if (before or after) else None
        if label is None:
            continue
        found[i] = (pos, en, [label])
        if before is not None:
            start, end = before.start(), pos
        elif after is not None:
            start, end = pos + len(en), pos + len(en) + after.end()
        for k in range(start, end):
            taken[k] = True
    single = {en: ja for en, ja, _ in pairs if " " not in en}
    unknown: list[str] = []
    for m in _WORD.finditer(q):
        if any(taken[m.start() : m.end()]):
            continue
        w = m.group(0).strip("'-")
        if len(w) < 3 or w in stop:
            continue
        lemma = next((v for v in _lemmas(w) if v in single), None)
        if lemma is not None:
            found.append((m.start(), lemma, single[lemma]))
            continue
        unknown.append(w)
        found.append((m.start(), w, [w]))
    found.sort(key=lambda x: x[0])
    words: list[str] = []
    for _, _, ja in found:
        for j in ja:
            if j not in words:
                words.append(j)
    return Reading(japanese=READING_SEPARATOR.join(words), terms=[(en, ja) for _, en, ja in found if en not in unknown],
                   unknown=unknown)


_NAME_OF = re.compile(r"\bname\s+of\s+(?:the\s+|our\s+|your\s+|a\s+|an\s+|this\s+)?"
                      r"(?:(?:company|companies|firm|business|organi[sz]ation|entity|party|one|body|people)\s+"
                      r"(?:that\s+|which\s+|who\s+|whom\s+)?(?:we\s+|you\s+|they\s+|i\s+)?)?$")
_NAME_AFTER = re.compile(r"(?:'s|s')?\s+names?\b")


def _name_label(ja: list[str]) -> str | None:
    """The form's label for the name of what `ja` reads as (委託先 -> 委託先名, システム -> システムの名称)."""
    labels = _form_labels()
    for j in ja:
        for candidate in (f"{j}名", f"{j}の名称", f"{j}名称"):
            if candidate in labels:
                return candidate
    return None


@lru_cache(maxsize=1)
def _form_labels() -> frozenset[str]:
    from bot.form import load_form

    return frozenset(n.label for n in load_form())


def english_quotes(text: str) -> list[str]:
    """The English texts an English question quotes ('Staff will handle …'), as written."""
    out = []
    for m in _QUOTE_EN.finditer(normalize(text or "")):
        inner = next(g for g in m.groups() if g is not None).strip()
        if not _JA_RUN.search(inner) and len(inner.split()) >= 3:
            out.append(inner)
    return out


def _lemmas(w: str) -> list[str]:
    """Plain forms an inflected English word may have: numbers -> number, described -> describe, copying -> copy."""
    out = []
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("ing", ""),
                         ("ing", "e"), ("'s", "")):
        stem = w[: -len(suffix)] + repl if w.endswith(suffix) else ""
        if len(stem) >= 3:  # used -> use, copies -> copy (not us, cop)
            out.append(stem)
            if suffix in ("ing", "ed") and not repl and len(stem) >= 4 and stem[-1] == stem[-2]:
                out.append(stem[:-1])  # logging -> log, stopped -> stop
    return out


def numbers_of(text: str) -> list[str]:
    return [m.group(0) for m in _NUMBER.finditer(text)]
