"""Is a free-text answer an answer? Placeholders, bare "該当なし", generic-only promises, and, for the fields a
checkpoint rubric judges (bot/rubrics.py, knowledge/rubrics.yaml), whether it names what a concrete answer to that
checkpoint names.

The vocabulary of non-answers is data: knowledge/generic_phrases.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.resources import knowledge_yaml
from bot.rubrics import Coverage, coverage, rubric_for_field
from bot.text import normalize

_PUNCT_RE = re.compile(r"[\s。、,.・:：;；「」『』()\[\]【】<>〈〉\"'`*＊※\-－―ー—/]+")


@dataclass(frozen=True)
class Vocabulary:
    placeholders: list[re.Pattern]
    placeholder_words: list[re.Pattern]
    placeholder_short_chars: int
    none_answers: frozenset[str]
    none_reason_min_chars: int
    generic: list[re.Pattern]
    risk_choices: list[re.Pattern]
    describe_min_chars: dict[str, int]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = knowledge_yaml("generic_phrases.yaml")
    return Vocabulary(
        placeholders=[re.compile(p, re.MULTILINE) for p in data["placeholder_marks"]],
        placeholder_words=[re.compile(re.escape(w) + "(?=" + data["placeholder_word_end"] + ")")
                           for w in data["placeholder_words"]],
        placeholder_short_chars=int(data.get("placeholder_short_chars", 20)),
        none_answers=frozenset(normalize(str(a)) for a in data["none_answers"]),
        none_reason_min_chars=int(data.get("none_reason_min_chars", 6)),
        generic=[re.compile(p) for p in data["generic_phrases"]],
        risk_choices=[re.compile(p) for p in data["risk_remaining_choices"]],
        describe_min_chars={str(k): int(v) for k, v in (data.get("describe_min_chars") or {}).items()},
    )


def is_risk_remaining(choice: str | None) -> bool:
    """A choice such as 課題が残されている / 十分に行っていない / 定めていない."""
    s = normalize(choice or "").strip()
    return bool(s) and any(rx.search(s) for rx in vocabulary().risk_choices)


def placeholder_token(text: str) -> str | None:
    """The placeholder left in a value (○○, TBD, 未定, 【　】 …), or None."""
    s = normalize(text or "")
    voc = vocabulary()
    for rx in voc.placeholders:
        m = rx.search(s)
        if m:
            token = m.group(0).strip() or m.group(0)
            if len(token) <= 3 and sum(token.count(c) for c in "○〇◯×✕*") == 1:
                # a single mark inside a sentence: quote it with the words around it (「令和○年度から」)
                start, end = m.start(), m.end()
                while start > 0 and m.start() - start < 3 and s[start - 1] not in "。、 \n":
                    start -= 1
                while end < len(s) and end - m.end() < 3 and s[end] not in "。、 \n":
                    end += 1
                token = s[start:end]
            return token
    short = len(_PUNCT_RE.sub("", s)) <= voc.placeholder_short_chars
    for rx in voc.placeholder_words:
        word = rx.pattern.split("(?=")[0].replace("\\", "")
        if short and word in s:
            return word
        m = rx.search(s)
        if m:
            return m.group(0)
    return None


_BRACKETED = re.compile(r"\s*[(（〔［\[](.+)[)）〕］\]]\s*。?\s*", re.DOTALL)
# a none-answer word that goes on as a word of the sentence (不要となった情報は, 不要な書類, 対象外の者を) opens a
# real answer: it qualifies what the sentence is about
_WORD_OF_SENTENCE = re.compile(r"(?:[とに]な[っらりるれ]|な(?!し)|の|を|が)")


def none_answer(text: str) -> tuple[bool, bool]:
    """(the answer is 該当なし/なし/－…, it goes on to give a reason). A dash counts standing alone, or followed by
    its reason in brackets (「－（宛名システム等は使用していない。）」); a dash opening a sentence is a bullet."""
    s = normalize(text or "").strip()
    voc = vocabulary()
    for ans in sorted(voc.none_answers, key=len, reverse=True):
        if not s.startswith(ans):
            continue
        tail = s[len(ans) :]
        rest = _PUNCT_RE.sub("", tail)
        if rest and (len(ans) == 1 or not any(c.isalpha() for c in ans)) and not _BRACKETED.fullmatch(tail):
            continue  # a bullet dash or a one-letter word opening a real answer
        if _WORD_OF_SENTENCE.match(tail):
            continue  # 「不要となった特定個人情報は…」: the word is part of the sentence
        return True, len(rest) >= voc.none_reason_min_chars
    return False, False


def strip_generic(text: str) -> tuple[str, list[str]]:
    """The text with generic promises cut out, and the phrases cut."""
    s = normalize(text or "")
    cut: list[str] = []
    for rx in vocabulary().generic:
        for m in rx.finditer(s):
            if m.group(0).strip():
                cut.append(m.group(0))
        s = rx.sub(" ", s)
    return s, cut


@lru_cache(maxsize=8192)
def _field_coverage(field_id: str | None, s: str) -> Coverage | None:
    """The coverage of a field's normalised answer by the field's rubric, computed once per (field, text): a check
    judges the same answer for several checkpoints, `pia check NEW --since OLD` reads two drafts that share most of
    their answers, and the bot checks draft after draft in one process. The rubrics are loaded once per process and
    the result is read only (frozen), so a cached one is the one a fresh call would give."""
    rubric = rubric_for_field(field_id)
    return coverage(rubric, s) if rubric is not None else None


@dataclass
class TextVerdict:
    code: str | None  # None (an answer), empty, placeholder, none_bare, none_reason, none_ok, generic, vague, short
    detail: str = ""
    coverage: Coverage | None = None  # the rubric's items the answer names (judged fields with a rubric)


_FILLER = re.compile(r"(する|している|した|します|しています|こととする|こととしている|を行う|を行っている|を図る|"
                     r"とともに|また|なお|こと|ため|その他|上で|もの|において|による|により|及び|並びに|"
                     r"等|の|を|に|は|が|で|と|も|へ|や|て|た|る|い)")


def judge_text(value: str, judge: str | None, none_ok: bool, field_id: str | None = None) -> TextVerdict:
    """What a free-text value is, for a field judged as a measure, a description, or not judged (judge=None).

    A judged field with a rubric is an answer when it names at least the rubric's `need` items; the verdict
    carries the coverage (what it names and what it lacks) for the flag and its 修正例."""
    s = normalize(value or "").strip()
    if not s:
        return TextVerdict("empty")
    token = placeholder_token(s)
    if token:
        return TextVerdict("placeholder", token)
    is_none, has_reason = none_answer(s)
    if is_none:
        if none_ok:
            return TextVerdict("none_ok", s)
        return TextVerdict("none_reason" if has_reason else "none_bare", s)
    if not _PUNCT_RE.sub("", s):
        return TextVerdict("empty")
    if judge is None:
        return TextVerdict(None)
    cov = _field_coverage(field_id, s)
    rest, cut = strip_generic(s)
    leftover = _PUNCT_RE.sub("", _FILLER.sub("", rest))
    if cut and len(leftover) < 4 and not (cov is not None and cov.concrete):
        return TextVerdict("generic", cut[0], cov)
    if judge == "describe":
        need = vocabulary().describe_min_chars.get(field_id or "")
        chars = len(_PUNCT_RE.sub("", s))
        if need and chars < need:
            return TextVerdict("short", str(chars), cov)
    if cov is not None and not cov.concrete:
        return TextVerdict("vague", cut[0] if cut else "", cov)
    return TextVerdict(None, coverage=cov)
