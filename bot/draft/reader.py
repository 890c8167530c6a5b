"""Read a draft into the form's fields by anchoring on the form's fixed labels.

1. Candidates: every segment (table cell or line) that starts with one of the form's labels, possibly wrapped over
   the next segments or preceded by a numbering cell of its own, is a candidate anchor for that form node. Numbering
   that agrees with the form (②, リスク3, Ⅲ 4.) and long labels make strong candidates; short bare labels weak ones.
2. Alignment: the anchors kept are the heaviest chain that walks the form in order. A chain may only move forward in
   the form (a weak anchor only a short way), except to open the next instance of a repeated block (a file's Ⅱ/Ⅲ,
   a 委託事項, a 提供先/移転先, a システム). So a table of contents, or a label quoted inside a value, cannot throw
   the reader off: it would cost the chain the many anchors that follow.
3. Fields: each kept anchor opens its field; the segments up to the next kept anchor are its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.draft.labels import LabelIndex, SegmentMatch, key
from bot.draft.lines import Segment
from bot.draft.values import clean_text, parse_checks, parse_choice, strip_option_list
from bot.form import Form
from bot.models import DraftField, FormFieldSpec

# How far (in form nodes) a weak label match may jump ahead.
WEAK_WINDOW = 40
# A long label is its own confirmation.
STRONG_KEY_LEN = 8
# How many following segments a wrapped label may continue over.
MAX_JOIN = 6
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# the end of a wrapped label that lands at the start of the value: ※, 行政機関等のみ】
_VALUE_NOISE_RE = re.compile(r"^\s*(?:※|\(※\)|【?\s*行政機関等のみ\s*】)\s*")


@dataclass(eq=False)
class _Cand:
    seg: int  # first segment
    consumed: int  # segments it takes
    spec_id: str
    order: int
    weight: int
    strong: bool
    rest: str  # text after the label: the start of the value
    instance: int | None = None
    score: int = 0
    prev: "_Cand | None" = None


@dataclass
class _Open:
    spec: FormFieldSpec
    path: list[str]
    page: int
    parts: list[str] = field(default_factory=list)


class FormReader:
    def __init__(self, form: Form, index: LabelIndex):
        self.form = form
        self.index = index
        self.order = {f.id: i for i, f in enumerate(form)}
        self.own_seg: dict[str, str | None] = {}
        for f in form:
            parent = form.get(f.parent) if f.parent else None
            self.own_seg[f.id] = f.path[-1] if (parent is None or len(f.path) > len(parent.path)) else None
        self.instance_specs = {f.label.replace("{n}", ""): f.id for f in form if "{n}" in f.label}
        # repeated blocks: the anchors that may open a new instance, and the form range they may jump back from
        self.restart_block: dict[str, str] = {}
        self.restart_range: dict[str, tuple[int, int]] = {}
        file_sections = [f for f in form if f.repeat == "file"]
        file_end = max(self.order[d.id] for s in file_sections for d in [s, *form.descendants(s.id)]) if file_sections else -1
        for f in form:
            if not f.repeat:
                continue
            anchors = [f.id]
            first = next((d for d in form.descendants(f.id) if not d.virtual), None)
            if first is not None:
                anchors.append(first.id)
            end = self.order[form.descendants(f.id)[-1].id] if form.descendants(f.id) else self.order[f.id]
            for a in anchors:
                self.restart_block[a] = f.id
                self.restart_range[a] = (self.order[a], file_end if f.repeat == "file" else end)
        self.prefix_specs = [f for f in form if not f.virtual and f.kind in ("section", "group", "item", "text")]

    # ------------------------------------------------------------------ public
    def read(self, segments: list[Segment]) -> list[DraftField]:
        chain = self._align([self._candidates(segments, i) for i in range(len(segments))])
        chosen = {c.seg: c for c in chain}
        self.matched = {c.spec_id for c in chain}
        self._build_reset()
        i = 0
        while i < len(segments):
            c = chosen.get(i)
            if c is None:
                if self.current is not None:
                    self.current.parts.append(segments[i].text)
                i += 1
                continue
            self._open(c, segments[i].page)
            i += c.consumed
        self._close()
        return self.fields

    # ------------------------------------------------------------------ 1. candidates
    def _consistent(self, spec: FormFieldSpec, m: SegmentMatch) -> bool | None:
        """Does the numbering before the label agree with the node (None: there is no numbering)?"""
        p = m.prefix
        if p.empty:
            return None
        seg = self.own_seg[spec.id]
        if p.instance:
            return False
        if p.circled:
            circled = [s for s in spec.path if s and s[0] in CIRCLED]
            if not circled or circled[-1] != p.circled:
                return False
        if p.item and not p.circled and seg != p.item:
            return False
        if p.roman and (spec.path[0] != p.roman or not p.item and spec.kind != "section"):
            return False
        if p.risk and seg != p.risk:
            return False
        if p.attach and seg != p.attach:
            return False
        return True

    def _from_match(self, m: SegmentMatch, i: int, consumed: int) -> list[_Cand]:
        out = []
        longest = max((h.key_len for h in m.hits), default=0)
        for h in m.hits:
            if h.key_len < longest and not h.separated:
                continue  # the start of a longer label found here
            spec = self.form.get(h.spec_id)
            cons = self._consistent(spec, m)
            if cons is False and h.key_len < STRONG_KEY_LEN:
                continue
            strong = cons is True or h.key_len >= STRONG_KEY_LEN or (h.exact and h.key_len >= 4)
            if not (strong or h.exact or h.separated):
                continue
            weight = (4 if cons else 3) if strong and cons is not False else 1
            out.append(_Cand(i, consumed, spec.id, self.order[spec.id], weight, strong, h.rest))
        return out

    def _candidates(self, segments: list[Segment], i: int) -> list[_Cand]:
        seg = segments[i]
        m = self.index.match(seg.text)
        out = self._from_match(m, i, 1)
        body_key = key(m.body)
        if m.prefix.instance and not m.hits:
            base, number = m.prefix.instance
            spec_id = self.instance_specs.get(base)
            if spec_id is not None:
                rest = m.body.strip(" \t:：")
                out.append(_Cand(i, 1, spec_id, self.order[spec_id], 4, True, rest, instance=number))
        # a label wrapped over the next segment(s), or numbering in a cell of its own
        text, acc_key = seg.text, body_key
        for j in range(1, MAX_JOIN + 1):
            if i + j >= len(segments) or (acc_key and acc_key not in self.index.prefixes):
                break
            text = text + " " + segments[i + j].text
            mj = self.index.match(text)
            mj.hits = [h for h in mj.hits if h.label_end > len(seg.text)]
            out.extend(self._from_match(mj, i, j + 1))
            acc_key = key(mj.body)
        # numbering alone (リスク2：, Ⅲ, (別添1)): the nodes it may stand for
        if not body_key and not m.prefix.empty and not m.prefix.instance and not m.prefix.circled:
            if not (m.prefix.item and not m.prefix.roman):
                for spec in self.prefix_specs:
                    if self._consistent(spec, m) is True:
                        out.append(_Cand(i, 1, spec.id, self.order[spec.id], 2, True, ""))
        return out

    # ------------------------------------------------------------------ 2. alignment
    def _align(self, cands_by_seg: list[list[_Cand]]) -> list[_Cand]:
        """The heaviest chain of candidates that walks the form in order (see module doc)."""
        n_specs = len(self.form)
        best: list[_Cand | None] = [None] * n_specs  # best chain ending at each form node, so far
        pending: dict[int, list[_Cand]] = {}
        for i, cands in enumerate(cands_by_seg):
            for c in pending.pop(i - 1, []):
                cur = best[c.order]
                if cur is None or c.score >= cur.score:
                    best[c.order] = c
            if not cands:
                continue
            prefix: list[_Cand | None] = []  # best chain ending strictly before each node
            run = None
            for j in range(n_specs):
                prefix.append(run)
                b = best[j]
                if b is not None and (run is None or b.score > run.score):
                    run = b  # on a tie the chain that got less far in the form
            for c in cands:
                j = c.order
                if c.strong:
                    prev = prefix[j]
                else:
                    prev = None
                    for k in range(max(0, j - WEAK_WINDOW), j):
                        b = best[k]
                        if b is not None and (prev is None or b.score > prev.score):
                            prev = b
                start_ok = c.strong or j < WEAK_WINDOW
                score = (prev.score if prev is not None else 0) + 2 * c.weight if prev is not None or start_ok else None
                # jumping back into a repeated block (a new instance) costs a little: taken only when it gains
                rng = self.restart_range.get(c.spec_id)
                if rng is not None or c.instance is not None:
                    lo, hi = rng if rng is not None else (j, j)
                    for k in range(max(lo, j), hi + 1):
                        b = best[k]
                        if b is not None and (score is None or b.score + 2 * c.weight - 1 > score):
                            prev, score = b, b.score + 2 * c.weight - 1
                if score is None:
                    continue
                c.prev, c.score = prev, score
                pending.setdefault(i + c.consumed - 1, []).append(c)
        for cs in pending.values():
            for c in cs:
                cur = best[c.order]
                if cur is None or c.score >= cur.score:
                    best[c.order] = c
        end = None
        for b in best:
            if b is not None and (end is None or b.score > end.score):
                end = b
        chain = []
        while end is not None:
            chain.append(end)
            end = end.prev
        chain.reverse()
        return chain

    # ------------------------------------------------------------------ 3. fields
    def _build_reset(self) -> None:
        self.pointer = -1
        self.counters: dict[str, int] = {}
        self.file_no: dict[str, int] = {}  # section id -> current file instance
        self.fields: list[DraftField] = []
        self.current: _Open | None = None

    def _enter(self, c: _Cand) -> None:
        spec = self.form.get(c.spec_id)
        restart = c.order <= self.pointer
        block_id = self.restart_block.get(spec.id)
        block = self.form.get(block_id) if block_id else None
        if block is not None and block.repeat == "file":
            sec = self.form.section_of(spec.id)
            if restart:
                self.file_no[sec.id] = self.file_no.get(sec.id, 1) + 1
                for base in ("委託事項", "提供先", "移転先"):
                    self.counters.pop(base, None)
            else:
                self.file_no.setdefault(sec.id, 1)
        elif block is not None and "{n}" in block.label:
            base = block.label.replace("{n}", "")
            if c.instance is not None:
                self.counters[base] = c.instance
            elif spec.id == block.id or restart:
                self.counters[base] = self.counters.get(base, 0) + 1
            else:
                self.counters.setdefault(base, 1)
        self.pointer = c.order

    def _instance_path(self, spec: FormFieldSpec) -> list[str]:
        path = []
        for seg in spec.path:
            if "{n}" in seg:
                base = seg.replace("{n}", "")
                path.append(f"{base}{self.counters.get(base, 1)}")
            else:
                path.append(seg)
        sec = self.form.section_of(spec.id)
        n = self.file_no.get(sec.id, 1)
        if sec.repeat == "file" and n > 1:
            path.insert(1, f"ファイル{n}")
        return path

    def _open(self, c: _Cand, page: int) -> None:
        self._close()
        self._enter(c)
        spec = self.form.get(c.spec_id)
        self.current = _Open(spec=spec, path=self._instance_path(spec), page=page)
        if c.rest:
            self.current.parts.append(c.rest)

    @staticmethod
    def _label(spec: FormFieldSpec, path: list[str]) -> str:
        if "{n}" not in spec.label:
            return spec.label
        base = spec.label.replace("{n}", "")
        return next((p for p in path if p.startswith(base)), base)

    def _close(self) -> None:
        cur, self.current = self.current, None
        if cur is None:
            return
        spec = cur.spec
        raw = _VALUE_NOISE_RE.sub("", "\n".join(cur.parts))
        choice = None
        checks: list[str] = []
        if spec.kind == "choice":
            choice, rest = parse_choice(raw, spec.options)
            value = choice or clean_text([rest])
        elif spec.kind == "checkbox" or (spec.options and spec.kind in ("item", "group")):
            ticked, unticked, outside = parse_checks(strip_option_list(raw, spec.options), spec.options)
            checks = ticked
            if spec.kind == "checkbox" and (ticked or unticked):
                value = "、".join(ticked)
            else:
                value = clean_text([outside])
        else:
            value = clean_text([strip_option_list(raw, [])])
        self.fields.append(
            DraftField(
                path=cur.path,
                label=self._label(spec, cur.path),
                value=value,
                choice=choice,
                checks=checks,
                page=cur.page,
                field_id=spec.id,
            )
        )
