"""Is a free-text answer an answer? Placeholders, bare "該当なし", generic-only promises, and the kinds of concrete
measure it names (who, which system or document, how often, how it is checked, measure nouns).

The vocabulary is data: knowledge/generic_phrases.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from bot.resources import knowledge_file
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
    kinds: dict[str, tuple[str, tuple[str, ...], str]]  # kind -> (display name, words, short name)
    nouns: tuple[str, ...]
    ignore: tuple[str, ...]
    min_kinds: int
    min_chars_with_who: int
    risk_choices: list[re.Pattern]
    describe_min_chars: dict[str, int]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = yaml.safe_load(knowledge_file("generic_phrases.yaml").read_text(encoding="utf-8"))
    return Vocabulary(
        placeholders=[re.compile(p, re.MULTILINE) for p in data["placeholder_marks"]],
        placeholder_words=[re.compile(re.escape(w) + "(?=" + data["placeholder_word_end"] + ")")
                           for w in data["placeholder_words"]],
        placeholder_short_chars=int(data.get("placeholder_short_chars", 20)),
        none_answers=frozenset(normalize(str(a)) for a in data["none_answers"]),
        none_reason_min_chars=int(data.get("none_reason_min_chars", 6)),
        generic=[re.compile(p) for p in data["generic_phrases"]],
        kinds={k: (v["name"], tuple(normalize(w) for w in v["words"]), v.get("short", v["name"]))
               for k, v in data["measure_kinds"].items()},
        nouns=tuple(normalize(str(w)) for w in data["measure_nouns"]),
        ignore=tuple(normalize(str(w)) for w in data.get("measure_ignore") or []),
        min_kinds=int(data.get("min_kinds", 2)),
        min_chars_with_who=int(data.get("min_chars_with_who", 15)),
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


def none_answer(text: str) -> tuple[bool, bool]:
    """(the answer is 該当なし/なし/－…, it goes on to give a reason). A dash counts only standing alone."""
    s = normalize(text or "").strip()
    voc = vocabulary()
    for ans in sorted(voc.none_answers, key=len, reverse=True):
        if not s.startswith(ans):
            continue
        rest = _PUNCT_RE.sub("", s[len(ans) :])
        if rest and (len(ans) == 1 or not any(c.isalpha() for c in ans)):
            continue  # a bullet dash or a one-letter word opening a real answer
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


@dataclass
class MeasureProfile:
    kinds: set[str] = field(default_factory=set)
    nouns: list[str] = field(default_factory=list)

    chars: int = 0

    @property
    def concrete(self) -> bool:
        """Names a measure noun, or enough kinds of detail (who alone never; who plus one more in a real sentence)."""
        voc = vocabulary()
        if self.nouns:
            return True
        others = self.kinds - {"who"}
        if len(others) >= voc.min_kinds:
            return True
        return "who" in self.kinds and len(others) >= 1 and self.chars >= voc.min_chars_with_who


def measure_profile(text: str) -> MeasureProfile:
    s = normalize(text or "")
    voc = vocabulary()
    for w in voc.ignore:
        s = s.replace(w, " ")
    prof = MeasureProfile()
    for kind, (_, words, _) in voc.kinds.items():
        if any(w in s for w in words):
            prof.kinds.add(kind)
    prof.nouns = [n for n in voc.nouns if n in s]
    prof.chars = len(_PUNCT_RE.sub("", s))
    return prof


def kind_names(kinds, short: bool = True) -> list[str]:
    """Display names of measure kinds in the vocabulary's order: 「誰が」 or 「誰が（担当者・委託先など）」."""
    voc = vocabulary()
    kinds = set(kinds)
    return [f"「{voc.kinds[k][0 if not short else 2]}」" for k in voc.kinds if k in kinds]


@dataclass
class TextVerdict:
    code: str | None  # None (an answer), empty, placeholder, none_bare, none_reason, none_ok, generic, vague
    detail: str = ""
    profile: MeasureProfile | None = None


def judge_text(value: str, judge: str | None, none_ok: bool, field_id: str | None = None) -> TextVerdict:
    """What a free-text value is, for a field judged as a measure, a description, or not judged (judge=None)."""
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
    rest, cut = strip_generic(s)
    leftover = _PUNCT_RE.sub("", re.sub(r"(する|している|した|します|しています|こととする|こととしている|を行う|を行っている|を図る|"
                                         r"とともに|また|なお|こと|ため|その他|上で|もの|において|による|により|及び|並びに|等|の|を|に|は|が|で|と|も|へ|や|て|た|る|い)",
                                         "", rest))
    if cut and len(leftover) < 4:
        return TextVerdict("generic", cut[0])
    if judge == "measure":
        prof = measure_profile(rest)
        if not prof.concrete:
            return TextVerdict("vague", cut[0] if cut else "", prof)
        return TextVerdict(None, profile=prof)
    need = vocabulary().describe_min_chars.get(field_id or "")
    chars = len(_PUNCT_RE.sub("", s))
    if need and chars < need:
        return TextVerdict("short", str(chars))
    return TextVerdict(None)
