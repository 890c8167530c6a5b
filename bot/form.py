"""The 全項目評価書 form structure (knowledge/form.yaml) as a flat, ordered list of FormFieldSpec.

Paths follow the catalog's form_path convention: ["Ⅲ", "2.", "リスク3"], ["Ⅲ", "7.", "リスク1", "⑤"],
["Ⅰ", "別添1"], ["表紙"]. A field without a segment of its own shares its parent's path (the fields of a risk group);
its label tells it apart. Repeated blocks carry an instance segment: "システム{n}", "委託事項{n}", "提供先{n}",
"移転先{n}" in the spec, "委託事項2" in a draft; files after the first get "ファイル2" after the section numeral.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.models import FormFieldSpec
from bot.resources import knowledge_yaml

INSTANCE_SEG = re.compile(r"^(システム|委託事項|提供先|移転先|ファイル)(\{n\}|\d+)$")
_NODE_KEYS = {
    "id", "seg", "label", "variants", "kind", "options", "required", "optional", "none_ok", "virtual", "repeat",
    "na_when", "required_when", "checkpoints", "judge", "body", "children",
}  # fmt: skip


def parse_condition(cond: str) -> tuple[str, str, bool]:
    """'ii_4_umu=委託しない' -> ('ii_4_umu', '委託しない', False); 'ii_5_umu!=移転を行っている' -> (…, True).
    A condition `a=x&b=y` (na_when) holds when all its parts do; split it on "&" before parsing."""
    field_id, _, option = cond.partition("=")
    negated = field_id.endswith("!")
    return field_id.rstrip("!").strip(), option.strip(), negated


def path_key(path: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """A path without its instance segments: ["Ⅱ","4.","委託事項2","②"] -> ("Ⅱ","4.","②")."""
    return tuple(p for p in path if not INSTANCE_SEG.match(p))


def instance_of(path: list[str]) -> str:
    """The instance segments of a path joined ("委託事項2", "ファイル2 委託事項1"), "" for a single block."""
    return " ".join(p for p in path if INSTANCE_SEG.match(p))


class Form:
    """The form's nodes in the order the form prints them."""

    def __init__(self, fields: list[FormFieldSpec]):
        self.fields = fields
        self._by_id = {f.id: f for f in fields}
        self._children: dict[str | None, list[FormFieldSpec]] = {}
        for f in fields:
            self._children.setdefault(f.parent, []).append(f)
        self._by_key: dict[tuple[str, ...], list[FormFieldSpec]] = {}
        for f in fields:
            self._by_key.setdefault(path_key(f.path), []).append(f)

    def __iter__(self):
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def get(self, field_id: str) -> FormFieldSpec:
        return self._by_id[field_id]

    def has(self, field_id: str) -> bool:
        return field_id in self._by_id

    def children(self, field_id: str | None) -> list[FormFieldSpec]:
        return self._children.get(field_id, [])

    def ancestors(self, field_id: str) -> list[FormFieldSpec]:
        """Parent first, the section last."""
        out = []
        node = self._by_id[field_id]
        while node.parent:
            node = self._by_id[node.parent]
            out.append(node)
        return out

    def descendants(self, field_id: str) -> list[FormFieldSpec]:
        out = []
        stack = list(reversed(self.children(field_id)))
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(self.children(node.id)))
        return out

    def at_path(self, form_path: list[str]) -> list[FormFieldSpec]:
        """Nodes whose path (instance segments ignored) is exactly form_path."""
        return self._by_key.get(path_key(form_path), [])

    def has_path(self, form_path: list[str]) -> bool:
        return bool(self.at_path(form_path))

    def for_checkpoint(self, checkpoint_id: str) -> list[FormFieldSpec]:
        return [f for f in self.fields if checkpoint_id in f.checkpoints]

    def section_of(self, field_id: str) -> FormFieldSpec:
        anc = self.ancestors(field_id)
        return anc[-1] if anc else self._by_id[field_id]

    def repeat_block(self, field_id: str) -> FormFieldSpec | None:
        """The innermost repeated node containing the field (itself included)."""
        node = self._by_id[field_id]
        if node.repeat:
            return node
        for anc in self.ancestors(field_id):
            if anc.repeat:
                return anc
        return None

    def na_conditions(self, field_id: str) -> list[str]:
        """The field's own not-applicable conditions and those of every ancestor."""
        node = self._by_id[field_id]
        conds = list(node.not_applicable_when)
        for anc in self.ancestors(field_id):
            conds.extend(anc.not_applicable_when)
        return conds


def _flatten(node: dict, parent: FormFieldSpec | None, out: list[FormFieldSpec]) -> None:
    unknown = set(node) - _NODE_KEYS
    if unknown:
        raise ValueError(f"form.yaml: unknown keys {sorted(unknown)} in node {node.get('id')}")
    base = list(parent.path) if parent else []
    path = [*base, node["seg"]] if node.get("seg") else base
    conds = list(node.get("na_when", [])) + list(node.get("required_when", []))
    spec = FormFieldSpec(
        id=node["id"],
        path=path,
        label=node["label"],
        variants=list(node.get("variants", [])),
        kind=node.get("kind", "text"),
        options=[str(o) for o in node.get("options", [])],
        required=bool(node.get("required", False)),
        repeat=node.get("repeat"),
        not_applicable_when=list(node.get("na_when", [])),
        required_when=list(node.get("required_when", [])),
        depends_on=sorted({parse_condition(part)[0] for c in conds for part in c.split("&")}),
        checkpoints=[str(c) for c in node.get("checkpoints", [])],
        optional=bool(node.get("optional", False)),
        none_ok=bool(node.get("none_ok", False)),
        virtual=bool(node.get("virtual", False)),
        judge=node.get("judge"),
        body=node.get("body"),
        parent=parent.id if parent else None,
    )
    out.append(spec)
    for child in node.get("children", []) or []:
        _flatten(child, spec, out)


@lru_cache(maxsize=1)
def load_form() -> Form:
    data = knowledge_yaml("form.yaml")
    out: list[FormFieldSpec] = []
    for section in data["sections"]:
        _flatten(section, None, out)
    return Form(out)
