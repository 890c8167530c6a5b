"""An answer that only points at another answer of the same draft.

Drafters write 「Ⅱ 2. ③と同じ。」, 「委託事項1の⑤と同じ。」, 「Ⅲ（生活保護受給者情報ファイル）7. リスク1 ⑨と同じ。」 or
「特定個人情報ファイルの範囲と同じ」 instead of copying a paragraph. Such an answer is as good as the answer it points
at: the checker judges that one in its place. When the pointer cannot be followed to an answer of the draft, a
person confirms it (要確認); it is never called empty or vague for being short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.checker.draft_view import DraftView, Scope, option_key
from bot.form import INSTANCE_SEG
from bot.form_refs import resolve_items
from bot.models import DraftField, FormFieldSpec
from bot.text import CIRCLED, normalize

# the whole answer is a pointer: 「…と同じ。」 「…のとおり。」 「…を参照。」 「同上」
_POINTER_RE = re.compile(
    r"^(?P<ref>.{1,80}?)\s*(?:と同じ|に同じ|と同様|のとおり|の通り|を参照(?:のこと|されたい)?|参照"
    r"|(?:に|で)記載(?:している|した|する|のとおり|済み)|(?:に|で)評価(?:している|した|する))"
    r"(?:である|です|とする)?\s*[。.]?$"
)
_DITTO_RE = re.compile(r"^(?:同上|上記に同じ|上に同じ)\s*[。.]?$")
_INSTANCE_REF_RE = re.compile(r"(委託事項|提供先|移転先|システム)\s*(\d{1,2})(?!\d)")
_CIRCLED_REF_RE = re.compile(f"[{CIRCLED[:10]}]")
_BRACKETED_RE = re.compile(r"[(（]([^()（）]{2,60})[)）]")
_QUOTES_RE = re.compile(r"[「」『』\"]")
# an item number with no section before it: a place in the field's own section (「2.③…」 inside Ⅱ)
_RELATIVE_RE = re.compile(r"^\s*\d{1,2}\s*[.．]")
MAX_HOPS = 3


@dataclass
class Pointer:
    text: str  # the answer as written
    target: DraftField | None  # the answer it points at, when the draft has it


def is_pointer(value: str) -> bool:
    s = normalize(value or "").strip()
    return bool(_DITTO_RE.match(s) or _pointer_ref(s) is not None)


def _pointer_ref(s: str) -> str | None:
    """The place an answer points at, when every sentence of it only points elsewhere (「…は、Ⅲ 6. に記載している。」)
    and one of them names a place of the form or a block; else None."""
    sentences = [x.strip() for x in re.split(r"(?<=。)", s) if x.strip()]
    matches = [_POINTER_RE.match(x) for x in sentences]
    if not matches or not all(matches):
        return None
    named = [m for m in matches if m is not None and _names_a_place(m)]
    return named[0].group("ref") if named else None


def _names_a_place(m: re.Match[str] | None) -> bool:
    """The part before と同じ names a place of the form or a block (not 「前年と同じ方法で確認する」)."""
    if m is None:
        return False
    ref = m.group("ref")
    return bool(_INSTANCE_REF_RE.search(ref) or _CIRCLED_REF_RE.search(ref) or resolve_items(ref))


def follow(view: DraftView, spec: FormFieldSpec, f: DraftField) -> Pointer | None:
    """The answer `f` points at, or None when `f` is an answer of its own."""
    s = normalize(f.value or "").strip()
    if _DITTO_RE.match(s):
        return Pointer(s, None)
    if _pointer_ref(s) is None:
        return None
    target: DraftField | None = f
    seen = {id(f)}
    for _ in range(MAX_HOPS):
        assert target is not None
        ref = _pointer_ref(normalize(target.value or "").strip())
        target = _resolve(view, spec, target, ref) if ref is not None else None
        if target is None or id(target) in seen:
            return Pointer(s, None)
        seen.add(id(target))
        if _pointer_ref(normalize(target.value or "").strip()) is None:
            return Pointer(s, target if (target.value or "").strip() else None)
    return Pointer(s, None)


# 「…と同じ規定を置いている」, 「…と同様の方法で確保している」: an answer of its own that takes part of it from
# another answer
_INLINE_RE = re.compile(r"(?P<ref>[^。、]{2,80}?)(?:と同じ|と同様|のとおり|の通り)")


def mentioned(view: DraftView, spec: FormFieldSpec, f: DraftField) -> list[DraftField]:
    """The answers of the draft an answer takes part of itself from (「Ⅲ（…ファイル）4. …の規定と同じ規定を、…」)."""
    s = normalize(f.value or "")
    out: list[DraftField] = []
    for m in _INLINE_RE.finditer(s):
        if not _names_a_place(m):
            continue
        target = _resolve(view, spec, f, m.group("ref"))
        if target is not None and target is not f and (target.value or "").strip() and target not in out:
            out.append(target)
    return out


def _resolve(view: DraftView, spec: FormFieldSpec, f: DraftField, ref: str) -> DraftField | None:
    here = view.scope(f)
    scope: Scope = dict(here)
    target_spec = _target_spec(view, spec, ref)
    if target_spec is None:
        return None
    for kind, n in _INSTANCE_REF_RE.findall(ref):
        scope[kind] = int(n)
    named = _named_file(view, ref)
    if named is not None:
        scope["ファイル"] = named
    candidates = [g for g in view.all(target_spec.id) if _within(view.scope(g), scope)]
    # the same field pointing at itself elsewhere: another file or instance than its own
    others = [g for g in candidates if g is not f and view.scope(g) != here]
    pick = others if target_spec.id == spec.id else [g for g in candidates if g is not f]
    return pick[0] if pick else None


def _within(s: Scope, want: Scope) -> bool:
    return all(s.get(k) == v for k, v in want.items() if k in s)


def _target_spec(view: DraftView, spec: FormFieldSpec, ref: str) -> FormFieldSpec | None:
    """The form field a pointer names: a place (Ⅱ 2. ③, Ⅲ 7. リスク1 ⑨), a field number inside the same block
    (委託事項1の⑤), or a label (特定個人情報ファイルの範囲)."""
    form = view.form
    ref = _QUOTES_RE.sub("", ref)
    if _RELATIVE_RE.match(ref) and spec.path:
        ref = f"{spec.path[0]} {ref}"  # 「2.③対象となる本人の範囲」 inside Ⅱ is Ⅱ 2. ③
    items = resolve_items(_BRACKETED_RE.sub(" ", ref))
    if items:
        # the fields at that place, a text answer first (⑤物理的対策 is its choice and its 具体的な対策の内容)
        nodes = sorted((n for n in items[0].nodes if n.kind not in ("group", "section", "item")),
                       key=lambda n: n.kind != "text")
        same = [n for n in nodes if n.id == spec.id]
        if same:
            return same[0]
        # the place of the field itself (its choice's label names it: 「…4. 再委託先による…の確保と同じ方法」)
        if any(n.path == spec.path for n in items[0].nodes):
            return spec
        if nodes:
            return nodes[0]
        # a place that is the field's own group (Ⅲ 7. リスク1 ⑨ for its その内容): the same field elsewhere
        if any(spec.path[: len(n.path)] == n.path or _generic_path(spec.path[: len(n.path)]) == n.path
               for n in items[0].nodes):
            return spec
    circled = _CIRCLED_REF_RE.findall(ref)
    if circled and _INSTANCE_REF_RE.search(ref):
        block = [s for s in form if s.path[:-1] == spec.path[:-1] and s.path[-1] == circled[-1]]
        if spec.path[-1] == circled[-1]:
            return spec
        return block[0] if block else None
    return None


def _generic_path(path: list[str]) -> list[str]:
    """A path with its instance numbers as the form writes them (委託事項2 -> 委託事項{n})."""
    out = []
    for seg in path:
        m = INSTANCE_SEG.match(seg)
        out.append(f"{m.group(1)}{{n}}" if m and m.group(2).isdigit() else seg)
    return out


def _named_file(view: DraftView, ref: str) -> int | None:
    """The file a pointer names by its 特定個人情報ファイル名 (「Ⅲ（生活保護受給者情報ファイル）7. …」)."""
    names = {view.scope(g).get("ファイル", 1): option_key(g.value.split("\n")[0]) for g in view.all("ii_1")}
    for inner in _BRACKETED_RE.findall(normalize(ref)):
        k = option_key(inner)
        hits = [n for n, name in names.items() if name and (k == name or (len(k) >= 4 and k in name))]
        if len(hits) == 1:
            return hits[0]
    return None
