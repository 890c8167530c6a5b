"""The fields read out of a draft, looked up by form field and by instance (file, 委託事項, 提供先/移転先, システム)."""

from __future__ import annotations

import re

from bot.draft.labels import key
from bot.draft.lines import light_normalize
from bot.form import INSTANCE_SEG, Form, parse_condition
from bot.models import DraftField

Scope = dict[str, int]  # instance kind -> number, e.g. {"ファイル": 1, "委託事項": 2}


FILE_SECTIONS = ("Ⅱ", "Ⅲ")  # the sections written once per 特定個人情報ファイル


def scope_of(path: list[str]) -> Scope:
    scope: Scope = {"ファイル": 1} if path and path[0] in FILE_SECTIONS else {}
    for seg in path:
        m = INSTANCE_SEG.match(seg)
        if m and m.group(2).isdigit():
            scope[m.group(1)] = int(m.group(2))
    return scope


def compatible(a: Scope, b: Scope) -> bool:
    return all(a[k] == b[k] for k in a.keys() & b.keys())


def option_key(text: str) -> str:
    return key(light_normalize(text or ""))


class DraftView:
    def __init__(self, fields: list[DraftField], form: Form):
        self.form = form
        self.fields = fields
        self.by_id: dict[str, list[DraftField]] = {}
        for f in fields:
            if f.field_id:
                self.by_id.setdefault(f.field_id, []).append(f)

    def found(self, field_id: str) -> bool:
        return field_id in self.by_id

    def all(self, field_id: str) -> list[DraftField]:
        return self.by_id.get(field_id, [])

    def get(self, field_id: str, scope: Scope | None = None) -> DraftField | None:
        for f in self.by_id.get(field_id, []):
            if scope is None or compatible(scope_of(f.path), scope):
                return f
        return None

    def scopes(self, field_ids: list[str]) -> list[Scope]:
        """The distinct instances (of the blocks these fields repeat in) found in the draft."""
        out: list[Scope] = []
        for fid in field_ids:
            spec = self.form.get(fid)
            kinds = {seg.replace("{n}", "") for seg in spec.path if "{n}" in seg}
            if spec.path[0] in FILE_SECTIONS:
                kinds.add("ファイル")
            block = self.form.repeat_block(fid)
            ids = [fid]
            if block is not None:
                ids += [block.id] + [d.id for d in self.form.descendants(block.id)]
            for i in ids:
                for f in self.by_id.get(i, []):
                    s = {k: v for k, v in scope_of(f.path).items() if k in kinds}
                    if s not in out:
                        out.append(s)
        return out or [{}]

    def holds(self, cond: str, scope: Scope | None = None) -> DraftField | None:
        """The field that makes `<field id>=<option>` true in this scope (its choice or a ticked box), else None."""
        field_id, option, negated = parse_condition(cond)
        want = option_key(option)
        for f in self.by_id.get(field_id, []):
            if scope is not None and not compatible(scope_of(f.path), scope):
                continue
            chosen = bool(f.choice and option_key(f.choice) == want) or any(option_key(c) == want for c in f.checks)
            answered = bool(f.choice or f.checks)
            if chosen and not negated or negated and answered and not chosen:
                return f
        return None

    def text(self) -> str:
        return "\n".join(f.value for f in self.fields if f.value)


def excerpt(text: str, limit: int = 160) -> str:
    s = re.sub(r"\s+", " ", text or "").strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"
