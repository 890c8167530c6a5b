"""Recognise the form's fixed labels at the start of a text segment.

A segment is read as [numbering prefix] [label] [noise: ※, 【行政機関等のみ】, ：] [rest]. The prefix is any of a section
numeral (Ⅲ), an item number (4.), a circled field number (⑤), a risk number (リスク3：), an attachment (別添1) or a
repeated block (委託事項2). Labels are compared on a key that ignores white space, punctuation and the long vowel
mark, so `ユーザ認証` matches `ユーザー認証`, `（…を除く。）` matches `(…を除く)` and wrapped PDF words still match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.draft.lines import light_normalize
from bot.form import Form

_IGNORED = set(" \t\n\r。、,.・:;「」『』()[]{}【】<>〈〉《》\"'`ー-‐―—–~〜_/|")
_NOISE_RE = re.compile(r"【\s*行政機関等のみ\s*】|\[\s*行政機関等のみ\s*\]|\(\s*※\s*\)|※")
# bullets and marks decorating a heading: ◆リスク1, ■ Ⅲ, ・宛名システム等における…
_DECORATION_RE = re.compile(r"^[\s◆◇■□●○◎・▼▽▶►★☆\-\*＊>]+(?=\S)")
# what may follow a label before its value: closing brackets of the label, colons, a stray opening 【 of a wrapped
# 【行政機関等のみ】
_LEADING_JUNK_RE = re.compile(r"^[\s)）」』\]】.。、:：]*(?:【\s*$)?")
_SEPARATORS = set(" \t:：[【<(（※")

_ROMAN_RE = re.compile(r"^(表紙|[ⅠⅡⅢⅣⅤⅥ])(?:\s*[.、:：]\s*|\s+|(?=[^\s\d.]))")
_ITEM_RE = re.compile(r"^(\d{1,2})\s*[.]\s*(?!\d)")
_CIRCLED_RE = re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩])\s*")
_RISK_RE = re.compile(r"^リスク\s*(\d{1,2})\s*[:：]?\s*")
_ATTACH_RE = re.compile(r"^[(（]?\s*別添\s*(\d)\s*[)）]?\s*")
_INSTANCE_RE = re.compile(r"^(システム|委託事項|提供先|移転先)\s*(\d{1,2})(?!\d)\s*[:：]?\s*")


def key_map(text: str) -> tuple[str, list[int]]:
    """The comparison key of a text and, for each key character, its index in the text."""
    chars, idx = [], []
    for i, c in enumerate(text):
        if c in _IGNORED:
            continue
        chars.append(c)
        idx.append(i)
    return "".join(chars), idx


def key(text: str) -> str:
    return "".join(c for c in text if c not in _IGNORED)


def blank_noise(text: str) -> str:
    """※ and 【行政機関等のみ】 replaced by spaces (same length, so positions still hold)."""
    return _NOISE_RE.sub(lambda m: " " * len(m.group(0)), text)


@dataclass
class Prefix:
    roman: str | None = None
    item: str | None = None  # "4."
    circled: str | None = None
    risk: str | None = None  # "リスク3"
    attach: str | None = None  # "別添1"
    instance: tuple[str, int] | None = None  # ("委託事項", 2)
    end: int = 0

    @property
    def empty(self) -> bool:
        return not (self.roman or self.item or self.circled or self.risk or self.attach or self.instance)


def parse_prefix(text: str) -> Prefix:
    p = Prefix()
    pos = len(text) - len(text.lstrip())
    rest = text[pos:]
    for _ in range(4):
        m = None
        if p.roman is None and p.item is None and (m := _ROMAN_RE.match(rest)):
            p.roman = m.group(1)
        elif p.item is None and p.circled is None and (m := _ITEM_RE.match(rest)):
            p.item = f"{int(m.group(1))}."
        elif p.circled is None and (m := _CIRCLED_RE.match(rest)):
            p.circled = m.group(1)
        elif p.risk is None and (m := _RISK_RE.match(rest)):
            p.risk = f"リスク{int(m.group(1))}"
        elif p.attach is None and (m := _ATTACH_RE.match(rest)):
            p.attach = f"別添{int(m.group(1))}"
        elif p.instance is None and (m := _INSTANCE_RE.match(rest)):
            p.instance = (m.group(1), int(m.group(2)))
        if not m:
            break
        pos += m.end()
        rest = text[pos:]
    p.end = pos
    return p


@dataclass
class LabelHit:
    spec_id: str
    key_len: int  # length of the label key matched
    exact: bool  # nothing but noise after the label
    separated: bool  # a separator (space, colon, bracket…) right after the label
    rest: str  # the text after the label: the start of the value
    label_end: int  # index in the segment text where the label ends


@dataclass
class SegmentMatch:
    prefix: Prefix
    hits: list[LabelHit] = field(default_factory=list)
    body: str = ""  # text after the prefix


class LabelIndex:
    """Every anchor label of the form, indexed by the first two characters of its key."""

    def __init__(self, form: Form):
        self.form = form
        self._by_head: dict[str, list[tuple[str, str]]] = {}
        self.label_keys: dict[str, list[str]] = {}
        self.prefixes: set[str] = set()
        for spec in form:
            if spec.virtual or "{n}" in spec.label:
                continue
            keys = []
            for label in [spec.label, *spec.variants]:
                k = key(blank_noise(light_normalize(label)))
                if k and k not in keys:
                    keys.append(k)
            self.label_keys[spec.id] = keys
            for k in keys:
                self._by_head.setdefault(k[:2], []).append((k, spec.id))
                for n in range(4, len(k)):
                    self.prefixes.add(k[:n])
        for lst in self._by_head.values():
            lst.sort(key=lambda t: -len(t[0]))

    def is_label_text(self, text: str) -> bool:
        """A line that is nothing but a label (with its numbering): never a running header."""
        m = self.match(text)
        return any(h.exact for h in m.hits)

    def match(self, text: str) -> SegmentMatch:
        text = blank_noise(text)
        deco = _DECORATION_RE.match(text)
        if deco:
            text = " " * deco.end() + text[deco.end() :]
        prefix = parse_prefix(text)
        body = text[prefix.end :]
        result = SegmentMatch(prefix=prefix, body=body)
        k, idx = key_map(body)
        if not k:
            return result
        for lk, spec_id in self._by_head.get(k[:2], []):
            if not k.startswith(lk):
                continue
            end = idx[len(lk) - 1] + 1
            after = body[end:]
            rest = _LEADING_JUNK_RE.sub("", after).rstrip()
            separated = not after or after[0] in _SEPARATORS
            result.hits.append(
                LabelHit(
                    spec_id=spec_id,
                    key_len=len(lk),
                    exact=not key(rest),
                    separated=separated,
                    rest=rest,
                    label_end=prefix.end + end,
                )
            )
        return result
