"""The fields read out of a draft, looked up by form field and by instance (file, 委託事項, 提供先/移転先, システム)."""

from __future__ import annotations

import re

from bot.draft.labels import key
from bot.draft.lines import light_normalize
from bot.draft.reader import DraftReading, Relocation
from bot.form import INSTANCE_SEG, Form, parse_condition
from bot.models import DraftField, FormFieldSpec

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


_FILE_NUMBERING_RE = re.compile(r"^\s*(?:[(（]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[.．、]|[①-⑩])\s*")


def _file_name_key(value: str) -> str:
    """The name of a 特定個人情報ファイル without its numbering ((1) 生活保護ファイル -> 生活保護ファイル)."""
    first = (value or "").strip().split("\n")[0]
    return option_key(_FILE_NUMBERING_RE.sub("", light_normalize(first)))


class DraftView:
    def __init__(self, fields: list[DraftField], form: Form, reading: DraftReading | None = None):
        self.form = form
        self.fields = fields
        self.reading = reading if reading is not None and reading.fields is fields else None
        self.order = {f.id: i for i, f in enumerate(form)}
        self.by_id: dict[str, list[DraftField]] = {}
        for f in fields:
            if f.field_id:
                self.by_id.setdefault(f.field_id, []).append(f)
        self.iii_files = self._pair_files()

    # ------------------------------------------------------------------ files
    def _pair_files(self) -> dict[int, int]:
        """Which file of Ⅱ each file of Ⅲ is about: by the 特定個人情報ファイル名 of Ⅱ 1. and Ⅲ 1. when every Ⅲ
        file names a distinct Ⅱ file, else by order (the n-th Ⅲ is about the n-th Ⅱ)."""
        ii = {scope_of(f.path).get("ファイル", 1): _file_name_key(f.value) for f in self.all("ii_1")}
        iii = {scope_of(f.path).get("ファイル", 1): _file_name_key(f.value) for f in self.all("iii_1")}
        out: dict[int, int] = {}
        for n, name in iii.items():
            match = [m for m, other in ii.items() if name and other and (name == other)]
            if len(match) != 1:
                return {}
            out[n] = match[0]
        return out if len(set(out.values())) == len(out) else {}

    def scope(self, f: DraftField) -> Scope:
        """The instance of a field, its file numbered as in Ⅱ (a Ⅲ file is paired with its Ⅱ file)."""
        s = scope_of(f.path)
        if f.path and f.path[0] == "Ⅲ" and self.iii_files:
            s["ファイル"] = self.iii_files.get(s["ファイル"], s["ファイル"])
        return s

    def file_of(self, f: DraftField | None) -> int | None:
        """The file (numbered as in Ⅱ) a field of Ⅱ or Ⅲ belongs to; None outside Ⅱ/Ⅲ."""
        return None if f is None else self.scope(f).get("ファイル")

    def in_file(self, field_id: str, n: int | None) -> list[DraftField]:
        """The instances of a field in one file (every instance when n is None)."""
        return [f for f in self.all(field_id) if n is None or self.file_of(f) in (None, n)]

    def found(self, field_id: str) -> bool:
        return field_id in self.by_id

    def all(self, field_id: str) -> list[DraftField]:
        return self.by_id.get(field_id, [])

    def get(self, field_id: str, scope: Scope | None = None) -> DraftField | None:
        for f in self.by_id.get(field_id, []):
            if scope is None or compatible(self.scope(f), scope):
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
                    s = {k: v for k, v in self.scope(f).items() if k in kinds}
                    if s not in out:
                        out.append(s)
        return out or [{}]

    def holds(self, cond: str, scope: Scope | None = None) -> DraftField | None:
        """The field that makes `<field id>=<option>` true in this scope (its choice or a ticked box), else None.
        `a=x&b=y` holds when every part does (the field of the last part is returned)."""
        if "&" in cond:
            found = None
            for part in cond.split("&"):
                found = self.holds(part, scope)
                if found is None:
                    return None
            return found
        field_id, option, negated = parse_condition(cond)
        want = option_key(option)
        for f in self.by_id.get(field_id, []):
            if scope is not None and not compatible(self.scope(f), scope):
                continue
            chosen = bool(f.choice and option_key(f.choice) == want) or any(option_key(c) == want for c in f.checks)
            answered = bool(f.choice or f.checks)
            if (chosen and not negated) or (negated and answered and not chosen):
                return f
        return None

    # ------------------------------------------------------------------ looking again
    def relocate(self, spec: FormFieldSpec, scope: Scope, path: list[str],
                 anchored: DraftField | None = None) -> Relocation | None:
        """Look for a field's label in the draft's own text where the form puts it: after the fields of the same
        instance read before it, before those read after it. `anchored`: the field as read (its own label is then
        not counted). None when there is no reading to look in or the label is not there."""
        if self.reading is None:
            return None
        from bot.draft import relocate

        own = self.reading.span_of(anchored) if anchored is not None else None
        lo, hi = self._region(spec, scope, skip=anchored)
        return relocate(self.reading, spec.id, path, lo, hi, exclude=own.segments if own else None)

    def _region(self, spec: FormFieldSpec, scope: Scope, skip: DraftField | None = None) -> tuple[int, int]:
        reading = self.reading
        assert reading is not None
        me = self.order[spec.id]
        lo, hi = 0, len(reading.segments)
        for f, span in zip(reading.fields, reading.spans, strict=True):
            if f is skip or not f.field_id or not span.label or not compatible(self.scope(f), scope):
                continue
            start = span.label[0]
            o = self.order.get(f.field_id, -1)
            if o < me:
                lo = max(lo, start)
            elif o > me:
                hi = min(hi, start)
        if hi <= lo:  # the fields around it are out of order in the document: look after the ones before it
            hi = len(reading.segments)
        return lo, hi

    def text(self) -> str:
        return "\n".join(f.value for f in self.fields if f.value)


def excerpt(text: str, limit: int = 160) -> str:
    s = re.sub(r"\s+", " ", text or "").strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"
