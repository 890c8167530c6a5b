"""The content of a sample draft (examples/src/<name>.yaml), as the layout mutator needs it.

Every node keeps its source label split into the parts a layout may write differently: the numbering before the label
(Ⅲ, 1., ①, リスク2：, システム1, 委託事項2, （別添1）) and the marks after it (※, 【行政機関等のみ】). Values stay as
written: the mutator changes how a draft is laid out, never what it says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SRC = EXAMPLES / "src"

ROMANS = "ⅠⅡⅢⅣⅤⅥ"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"

_NUMBERING_RE = re.compile(
    r"^(?:(?P<roman>[ⅠⅡⅢⅣⅤⅥ])\s+"
    r"|(?P<attach>[（(]別添(?P<attach_n>\d)[）)])"
    r"|(?P<item>\d{1,2})\.\s*"
    r"|(?P<circled>[①②③④⑤⑥⑦⑧⑨⑩])"
    r"|リスク(?P<risk>\d{1,2})：\s*"
    r"|(?P<inst>システム|委託事項|提供先|移転先|変更項目)(?P<inst_n>\d{1,2})$)"
)
_MARKS_RE = re.compile(r"\s*(※|【行政機関等のみ】)\s*$")


@dataclass
class Label:
    """A source label: numbering + words + marks. `words` is what the form prints as the label."""

    roman: str | None = None
    attach: int | None = None
    item: int | None = None
    circled: str | None = None
    risk: int | None = None
    instance: tuple[str, int] | None = None
    words: str = ""
    marks: list[str] = field(default_factory=list)

    @property
    def numbered(self) -> bool:
        return any(x is not None for x in (self.roman, self.attach, self.item, self.circled, self.risk))


def parse_label(text: str) -> Label:
    lab = Label()
    rest = text.strip()
    m = _NUMBERING_RE.match(rest)
    if m:
        if m.group("roman"):
            lab.roman = m.group("roman")
        elif m.group("attach"):
            lab.attach = int(m.group("attach_n"))
        elif m.group("item"):
            lab.item = int(m.group("item"))
        elif m.group("circled"):
            lab.circled = m.group("circled")
        elif m.group("risk"):
            lab.risk = int(m.group("risk"))
        elif m.group("inst"):
            lab.instance = (m.group("inst"), int(m.group("inst_n")))
            return lab
        rest = rest[m.end():]
    while (mm := _MARKS_RE.search(rest)) is not None:
        lab.marks.insert(0, mm.group(1))
        rest = rest[: mm.start()]
    lab.words = rest.strip()
    return lab


@dataclass
class Node:
    kind: str  # h1 (section), h2 (item), h3 (group), g (label of sub-fields), f (field), p (free text)
    text: str  # the source label (or the paragraph text of a `p`)
    label: Label
    cover: bool = False
    value: str | None = None  # `v`
    choice: str | None = None  # `c` ('' = nothing chosen)
    options: list[str] | dict[str, list[str]] | None = None  # `o`, resolved through options.yaml
    ticked: list[str] | None = None  # `x`
    details: dict[str, str] = field(default_factory=dict)  # `d`
    counts: dict[str, int] = field(default_factory=dict)  # `counts`
    count: int | None = None  # `n`: 「（ 2 ）件」 after a choice

    @property
    def is_choice(self) -> bool:
        return self.choice is not None

    @property
    def is_boxes(self) -> bool:
        return self.ticked is not None

    def flat_options(self) -> list[str]:
        if isinstance(self.options, dict):
            return [o for group in self.options.values() for o in group]
        return list(self.options or [])


@dataclass
class Draft:
    name: str
    header: str
    body_kind: str
    nodes: list[Node]


@lru_cache(maxsize=1)
def _options() -> dict:
    return yaml.safe_load((SRC / "options.yaml").read_text(encoding="utf-8"))


def sample_names() -> list[str]:
    return sorted(p.name[: -len(".expected.yaml")] for p in SRC.glob("*.expected.yaml"))


@lru_cache(maxsize=16)
def load(name: str) -> Draft:
    data = yaml.safe_load((SRC / f"{name}.yaml").read_text(encoding="utf-8"))
    nodes = []
    for raw in data["body"]:
        kind = next(k for k in ("h1", "h2", "h3", "g", "f", "p") if k in raw)
        text = str(raw[kind])
        node = Node(kind=kind, text=text, label=parse_label(text) if kind != "p" else Label(words=text),
                    cover=bool(raw.get("cover")))
        if "o" in raw:
            node.options = _options()[raw["o"]]
        if "v" in raw:
            node.value = "" if raw["v"] is None else str(raw["v"])
        if "c" in raw:
            node.choice = "" if raw["c"] is None else str(raw["c"])
        if "x" in raw:
            node.ticked = [str(x) for x in raw["x"] or []]
        node.details = {str(k): str(v) for k, v in (raw.get("d") or {}).items()}
        node.counts = {str(k): int(v) for k, v in (raw.get("counts") or {}).items()}
        if "n" in raw:
            node.count = int(raw["n"])
        nodes.append(node)
    meta = data["meta"]
    return Draft(name=name, header=str(meta.get("header", "")), body_kind=str(meta.get("body_kind", "")), nodes=nodes)
