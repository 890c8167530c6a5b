"""Wording sets: does the checker tell boilerplate from concrete answers? (`pia eval`, "wording").

A wording file (knowledge/eval/wording_*.yaml) lists answers to one form field each, labelled `boilerplate` (names
nothing a reviewer could check) or `concrete`:

    items:
    - id: B001
      checkpoint: '45'                        # '1'..'74', 'V1'..'V12'; 'Ⅴ' (section Ⅴ items) is skipped
      field: 特定個人情報の消去ルール — ルールの内容及びルール遵守の確認方法   # "parent — sub-label" when ambiguous
      label: boilerplate                      # boilerplate | concrete
      text: |-
        委託契約に基づき、業務終了後は適切な方法により確実に消去させることとしている。

Each text is judged exactly as `pia check` judges that checkpoint's field: the field is resolved in the form
(knowledge/form.yaml; labels compared as the reader compares them, the drafter's numbering ignored; a checkpoint
answered only by check boxes resolves to its check-box field, read as the reader reads boxes) and the text goes
through the Engine (`engine.judge_field`) into the checker's own field
judgement (a one-field draft, CheckpointRules.judge_field). Reported per file: boilerplate flagged (status
incomplete/missing) and concrete passed (any other status), and the misses.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from bot.catalog import normalize_checkpoint_id
from bot.form import Form, load_form
from bot.models import FLAG_STATUSES, FormFieldSpec
from bot.resources import knowledge_dir
from bot.text import normalize

_SEPARATORS = re.compile(r"\s*(?:—|－|―|–|\s-\s|／|>|＞)\s*")


class WordingItem(BaseModel):
    id: str
    checkpoint: str
    field: str = ""
    label: Literal["boilerplate", "concrete"]
    text: str
    note: str = ""


class WordingMiss(BaseModel):
    id: str
    checkpoint: str
    field: str
    label: str
    status: str
    field_id: str | None = None
    reasons: list[str] = Field(default_factory=list)
    text: str


class WordingFileScore(BaseModel):
    file: str
    items: int
    boilerplate: int
    boilerplate_flagged: int
    boilerplate_flagged_rate: float
    concrete: int
    concrete_passed: int
    concrete_passed_rate: float
    skipped: list[str] = Field(default_factory=list, description="ids with no checker field (e.g. section Ⅴ)")
    fallback: list[str] = Field(default_factory=list, description="ids whose field label was not found: judged "
                                                                   "on the checkpoint's first judged field")
    misses: list[WordingMiss] = Field(default_factory=list)


class WordingScore(BaseModel):
    files: list[WordingFileScore]


def wording_files(path: Path | None = None) -> list[Path]:
    """knowledge/eval/wording_*.yaml, or the file / the wording_*.yaml of the folder given."""
    if path is None:
        path = knowledge_dir() / "eval"
    path = Path(path)
    if path.is_file():
        return [path]
    return sorted(path.glob("wording_*.yaml"))


def load_items(path: Path) -> list[WordingItem]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [WordingItem(**{**it, "checkpoint": str(it.get("checkpoint", ""))}) for it in data.get("items", [])]


# --------------------------------------------------------------------------- the field an item is about


# the numbering a drafter writes before a label: Ⅲ, 6., ②, (2), リスク2：, (別添1), 委託事項1
_NUMBERING = re.compile(r"^(?:[ⅠⅡⅢⅣⅤⅥ]|\d{1,2}\s*[.]|[①-⑳]|[(（]\s*\d{1,2}\s*[)）]|リスク\s*\d{1,2}\s*[:：]?"
                        r"|[(（【\[]?\s*別添\s*\d\s*[)）】\]]?|(?:システム|委託事項|提供先|移転先)\s*\d{1,2}\s*[:：]?)\s*")
# what the comparison ignores, as the reader's label keys do: white space, punctuation, the long vowel mark, ※
_IGNORED = re.compile(r"[\s。、,.・:;：；「」『』()（）\[\]{}【】<>〈〉《》\"'`ー\-‐―—–~〜_/|※]")


def label_key(label: str) -> str:
    """A label as the reader compares it: its numbering (②, 1., リスク2：, (別添1), Ⅲ) dropped, then white space,
    punctuation and the long vowel mark ignored (`②事務の内容` = `事務の内容`, `ユーザー認証` = `ユーザ認証`)."""
    s = normalize(label or "").strip()
    while (m := _NUMBERING.match(s)) and m.end():
        s = s[m.end():]
    return _IGNORED.sub("", s)


def _keys(spec: FormFieldSpec) -> list[str]:
    return [k for k in (label_key(x) for x in [spec.label, *spec.variants]) if k]


def _labels_above(form: Form, spec: FormFieldSpec) -> list[str]:
    """Labels a drafter may give as the parent: the ancestors', and the choice a detail field belongs to."""
    out = [a.label for a in form.ancestors(spec.id)]
    if spec.parent:
        siblings = form.children(spec.parent)
        i = next((k for k, s in enumerate(siblings) if s.id == spec.id), 0)
        out += [s.label for s in siblings[:i] if s.kind == "choice"][-1:]
    return out


def _pick(form: Form, candidates: list[FormFieldSpec], parents: list[str]) -> FormFieldSpec | None:
    if len(candidates) <= 1 or not parents:
        return candidates[0] if candidates else None
    want = [label_key(p) for p in parents if label_key(p)]
    scored = [(sum(1 for w in want for lab in map(label_key, _labels_above(form, s)) if lab and (w in lab or lab in w)),
               k, s) for k, s in enumerate(candidates)]
    best = max(scored, key=lambda x: (x[0], -x[1]))
    return best[2]


def resolve_field(form: Form, checkpoint: str, field_label: str) -> tuple[FormFieldSpec | None, bool]:
    """(the field an item's `field` names for its checkpoint, whether it was only a fallback).

    Labels are compared as the reader compares them (label_key), so a drafter's numbering (`②事務の内容`,
    `(別添1) 事務の内容`, `リスク2：…`) does not hide the field. A checkpoint answered in a check-box field (4: Ⅰ 2. ③
    他のシステムとの接続) resolves to that field when it has no text field."""
    cid = normalize_checkpoint_id(checkpoint)
    if cid is None:
        return None, False
    parts = [p for p in _SEPARATORS.split(field_label or "") if p.strip()]
    sub = label_key(parts[-1]) if parts else ""
    parents = parts[:-1]
    mine = form.for_checkpoint(cid)
    own = [s for s in mine if s.kind == "text"]
    judged = [s for s in own if s.judge]

    def named(specs: list[FormFieldSpec]) -> list[FormFieldSpec]:
        return [s for s in specs if sub and sub in _keys(s)]

    found = _pick(form, named(own), parents)
    if found is None and sub:
        # the label of a choice or group of the checkpoint (物理的対策): its text field
        holders = [s for s in mine if s.kind != "text" and sub in _keys(s)]
        kids = [d for h in holders for d in form.descendants(h.id) if d.kind == "text" and d in own]
        kids += [s for h in holders for s in own if s.parent == h.parent and s not in kids]
        found = kids[0] if kids else None
        if found is None and not own:
            # a checkpoint with no text field: its own check-box field, judged as the reader reads check boxes
            found = next((h for h in holders if h.kind == "checkbox"), None)
    if found is None and sub:
        found = _pick(form, named([s for s in form if s.kind == "text"]), parents)
    if found is not None:
        return found, False
    fallback = judged[0] if judged else (own[0] if own else None)
    return fallback, fallback is not None


# --------------------------------------------------------------------------- judging


def judge_wording(engine, spec: FormFieldSpec, text: str, checkpoint: str | None = None) -> tuple[str, list[str]]:
    """(status, reasons) of the text as the value of this field, by the checker's own field judgement (a checkpoint
    added for one body, 74, judges the text about its topic)."""
    cid = normalize_checkpoint_id(checkpoint) if checkpoint else None
    verdict = engine.judge_field(spec.id, text, cid)
    return verdict.status, [r.message for r in verdict.reasons]


def score_file(engine, path: Path, form: Form | None = None) -> WordingFileScore:
    form = form or load_form()
    items = load_items(path)
    counts = {"boilerplate": [0, 0], "concrete": [0, 0]}  # label -> [items, right]
    skipped, fallback, misses = [], [], []
    for it in items:
        spec, by_fallback = resolve_field(form, it.checkpoint, it.field)
        if spec is None:
            skipped.append(it.id)
            continue
        if by_fallback:
            fallback.append(it.id)
        status, reasons = judge_wording(engine, spec, it.text, it.checkpoint)
        flagged = status in FLAG_STATUSES
        right = flagged if it.label == "boilerplate" else not flagged
        counts[it.label][0] += 1
        counts[it.label][1] += int(right)
        if not right:
            misses.append(WordingMiss(id=it.id, checkpoint=it.checkpoint, field=it.field, label=it.label,
                                      status=status, field_id=spec.id, reasons=reasons, text=it.text))
    (b, bf), (c, cp) = counts["boilerplate"], counts["concrete"]
    return WordingFileScore(
        file=path.name, items=len(items), boilerplate=b, boilerplate_flagged=bf,
        boilerplate_flagged_rate=round(bf / b, 4) if b else 1.0, concrete=c, concrete_passed=cp,
        concrete_passed_rate=round(cp / c, 4) if c else 1.0, skipped=skipped, fallback=fallback, misses=misses,
    )


def evaluate_wording(engine=None, path: Path | None = None) -> WordingScore:
    """Every wording file (knowledge/eval/wording_*.yaml unless a file or folder is given)."""
    if engine is None:
        from bot.engine import Engine

        engine = Engine()
    form = load_form()
    return WordingScore(files=[score_file(engine, p, form) for p in wording_files(path)])
