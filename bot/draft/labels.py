"""Recognise the form's fixed labels at the start of a text segment.

A segment is read as [numbering prefix] [label] [noise: ※, 【行政機関等のみ】, ：] [rest]. The prefix is any of
a section numeral (Ⅲ), an item number (4.), a circled field number (⑤), a risk number (リスク3：), an attachment
(別添1) or a repeated block (委託事項2). Labels are compared on a key that ignores white space, punctuation and the
long vowel mark, so `ユーザ認証` matches `ユーザー認証`, `（…を除く。）` matches `(…を除く)` and wrapped PDF words
still match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.draft.lines import light_normalize
from bot.form import Form

_IGNORED = set(" \t\n\r。、,.・:;「」『』()[]{}【】<>〈〉《》\"'`ー-‐―—–~〜_/|")
_NOISE_RE = re.compile(r"【\s*行政機関等のみ\s*】|\[\s*行政機関等のみ\s*\]|\(\s*※\s*\)|※")
# bullets and marks decorating a heading: ◆リスク1, ■ Ⅲ, ・宛名システム等における…, and the tree marks of a sub-item
# (└ その妥当性, ├ 使用部署)
_DECORATION_RE = re.compile(r"^[\s◆◇■□●○◎・▼▽▶►★☆\-\*＊>•‣▪▫◦→⇒└├┗┣┃│─━∟]+(?=\S)")
# what may follow a label before its value: closing brackets of the label, colons, a stray opening 【 of a wrapped
# 【行政機関等のみ】
_LEADING_JUNK_RE = re.compile(r"^[\s)）」』\]】.。、:：]*(?:【\s*$)?")
_SEPARATORS = set(" \t:：[【<(（※")

_ROMAN_RE = re.compile(r"^(表紙|[ⅠⅡⅢⅣⅤⅥ])(?:\s*[.、:：]\s*|\s+|(?=[^\s\d.]))")
# `4.`, `4．` (NFKC: `4.`) or `4 ` before an item's label, or `4-` in a label path (`Ⅲ-4-再委託`)
_ITEM_RE = re.compile(r"^(\d{1,2})(?:\s*[.]\s*|\s+|\s*[-‐–—・/](?=\S))(?!\d)")
# what joins the parts of a label path written in one cell: `Ⅰ-2-システム1-① システムの名称`, `表紙-評価書番号`
_PATH_JOINER_RE = re.compile(r"^\s*[-‐–—・/]\s*")
# a field number: `⑤`, or `(5)` / `（５）` as many drafts write it
_CIRCLED_RE = re.compile(r"^(?:([①②③④⑤⑥⑦⑧⑨⑩])|[(（]\s*(\d{1,2})\s*[)）])\s*")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_RISK_RE = re.compile(r"^リスク\s*(\d{1,2})\s*[:：]?\s*")
_ATTACH_RE = re.compile(r"^[(（【\[]?\s*別添\s*(\d)\s*[)）】\]]?\s*")
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
    for _ in range(6):
        if pos and (j := _PATH_JOINER_RE.match(rest)):
            pos += j.end()
            rest = text[pos:]
        m = None
        if p.roman is None and p.item is None and (m := _ROMAN_RE.match(rest)):
            p.roman = m.group(1)
        elif p.item is None and p.circled is None and (m := _ITEM_RE.match(rest)):
            p.item = f"{int(m.group(1))}."
        elif p.circled is None and (m := _CIRCLED_RE.match(rest)) and (m.group(1) or 1 <= int(m.group(2)) <= 10):
            p.circled = m.group(1) or CIRCLED[int(m.group(2)) - 1]
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
    label_key: str = ""  # the key of the label matched


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
        specs = list(form)
        # a group's, item's or choice's label and the label of a field of the same place after it written in one
        # cell (`②保管期間　期間`, `⑦使用の主体 使用部署`, `② 監査 具体的な内容`, `特定個人情報の提供ルール 委託元と…`)
        # anchor that field
        joined: dict[str, list[str]] = {}
        self.joined_keys: set[str] = set()  # keys made of two labels (never read as one label cut by a page break)
        self.own_keys: set[str] = set()  # the keys of the labels themselves
        self.joined_after: dict[str, str] = {}  # field id -> the group, item or choice its joined label opens with
        for n, head in enumerate(specs):
            if head.kind not in ("group", "item", "choice") or head.virtual:
                continue
            for nxt in specs[n + 1 :]:
                if not (nxt.path == head.path or nxt.parent == head.id):
                    break
                joined.setdefault(nxt.id, []).append(f"{head.label}{nxt.label}")
                self.joined_keys.add(key(blank_noise(light_normalize(f"{head.label}{nxt.label}"))))
                self.joined_after.setdefault(nxt.id, head.id)
        for spec in specs:
            if spec.virtual or "{n}" in spec.label:
                continue
            keys = []
            for label in [spec.label, *spec.variants, *joined.get(spec.id, [])]:
                k = key(blank_noise(light_normalize(label)))
                if k and k not in keys:
                    keys.append(k)
            self.label_keys[spec.id] = keys
            self.own_keys.update(k for k in keys if k not in self.joined_keys)
            for k in keys:
                self._by_head.setdefault(k[:2], []).append((k, spec.id))
                for n in range(4, len(k)):
                    self.prefixes.add(k[:n])
        for lst in self._by_head.values():
            lst.sort(key=lambda t: -len(t[0]))
        self.longest = max((len(k) for keys in self.label_keys.values() for k in keys), default=0)

    def starting_with(self, head: str) -> list[tuple[str, str]]:
        """(label key, field id) of the labels whose key starts with `head` (at least two characters)."""
        return [(lk, sid) for lk, sid in self._by_head.get(head[:2], []) if lk.startswith(head)]

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
                    label_key=lk,
                )
            )
        return result
