"""A draft's content as rows (section, item, group, field, free text) with labels and values in one `Style`."""

from __future__ import annotations

from dataclasses import dataclass, field

from layouts.source import Draft, Node
from layouts.style import Style


@dataclass
class Row:
    role: str  # section | item | group | field | text
    label: str  # as printed (numbering, words, marks); "" for free text
    words: str  # the label's words alone (what a Word template repeats in the table's first row)
    value: list[str] = field(default_factory=list)  # value lines
    numbered_item: bool = False  # a field written as an item (`3. 特定個人情報ファイル名`)
    sub: bool = False  # a field under a `g` label (⑦使用の主体 → 使用部署)
    node: Node | None = None
    section: int = 0  # index of the section it belongs to

    @property
    def has_value(self) -> bool:
        return any(x.strip() for x in self.value)


_ROLE = {"h1": "section", "h2": "item", "h3": "group", "g": "group", "f": "field", "p": "text"}


def rows_of(draft: Draft, style: Style) -> list[Row]:
    out: list[Row] = []
    section = -1
    under_g = False
    for node in draft.nodes:
        role = _ROLE[node.kind]
        if role == "section":
            section += 1
            under_g = False
        if node.kind in ("h1", "h2", "h3") or (node.kind == "f" and node.label.numbered):
            under_g = False
        if node.kind == "p":
            out.append(Row(role="text", label="", words="", value=style.text_lines(node.text), node=node,
                           section=section))
            continue
        label = style.label(node.label) if not node.cover else node.text
        words = style.label(node.label, numbering=False) if not node.cover else node.text
        row = Row(role=role, label=label, words=words, value=style.value_lines(node), node=node, section=section,
                  numbered_item=node.kind == "f" and node.label.item is not None, sub=node.kind == "f" and under_g)
        if node.kind == "g":
            under_g = True
        out.append(row)
    return out
