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

import itertools
import re
from dataclasses import dataclass, field

from bot.draft.labels import LabelHit, LabelIndex, SegmentMatch, key, key_map
from bot.draft.lines import Segment
from bot.draft.values import listed_files, read_value, rejoin_wrapped
from bot.form import Form
from bot.models import DraftField, FormFieldSpec

# How far (in form nodes) a weak label match may jump ahead.
WEAK_WINDOW = 40
# A long label is its own confirmation.
STRONG_KEY_LEN = 8
# A label looked for again anywhere in a segment is at least this long (key characters); shorter ones only at the
# start of a segment.
MIN_RELOCATE_KEY = 6
# What opening one more file than Ⅰ 3. lists costs the reading (in anchors: 2 points each).
FILE_PENALTY = 12
# How many following segments a wrapped label may continue over.
MAX_JOIN = 6
# The first part of a label cut by a page break is at least this long (key characters).
MIN_CUT_HEAD = 6
# A label missing its last words is still read when what is there is long and most of it.
MIN_TRUNCATED = 16
TRUNCATED_SHARE = 0.75
# How far after a cut label its last words are looked for.
TAIL_SEARCH = 60
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# what follows 委託事項1 / 提供先2 … in a sentence that points at it (委託事項1の⑤と同じ。): not a block's heading
_REFERENCE_RE = re.compile(r"^\s*(?:[のとにをはでがへも]|及び|又は|並びに)")
# the end of a wrapped label that lands at the start of the value: ※, 行政機関等のみ】
_VALUE_NOISE_RE = re.compile(r"^\s*(?:※|\(※\)|【?\s*行政機関等のみ\s*】)\s*")


# the column headings of a table a template puts above its rows (項目 | 記載内容)
_COLUMN_HEADINGS = frozenset({"項目", "記載内容", "記載事項", "内容", "記入欄", "記載欄", "回答", "値", "欄"})


_CONTINUED_RE = re.compile(r"[(（]\s*(?:続き|つづき|続)\s*[)）]\s*$")


def _continued(segments: list[Segment], i: int, consumed: int) -> bool:
    """A label marked as continued (「3. 特定個人情報の使用」 then 「（続き）」, or a wrapped label ending in it): a
    table cell split over a page break and printed again, not a new heading."""
    last = i + max(consumed, 1) - 1
    if last < len(segments) and _CONTINUED_RE.search(segments[last].text):
        return True
    return last + 1 < len(segments) and bool(_CONTINUED_RE.fullmatch(segments[last + 1].text.strip()))


def _heading_row(segments: list[Segment], i: int) -> bool:
    """Is segment i a cell of a row of two or more cells that are all column headings?"""
    seg = segments[i]
    if seg.cells < 2:
        return False
    row = [s for s in segments[max(0, i - seg.cell): i - seg.cell + seg.cells] if s.line == seg.line]
    return len(row) >= 2 and all(key(s.text) in _COLUMN_HEADINGS for s in row)


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
    prev: _Cand | None = None
    tail: str = ""  # the key of a label's last words found elsewhere (dropped from the value when met alone)
    within: int | None = None  # opened a new instance of a block ending at this form node: the next anchor is in it
    joined: bool = False  # read on two labels in one (a group's, item's or choice's and a field's of its place)


@dataclass
class _Open:
    spec: FormFieldSpec
    path: list[str]
    page: int
    parts: list[str] = field(default_factory=list)
    span: FieldSpan | None = None


@dataclass
class FieldSpan:
    """Where a field was read: the segments of its label (anchor) and of its value (indexes into the segments).

    A label and the start of its value may share a segment (`①事務の名称 住民税の賦課`): it is then in both."""

    label: list[int]
    value: list[int] = field(default_factory=list)

    @property
    def segments(self) -> set[int]:
        return {*self.label, *self.value}


@dataclass
class DraftReading:
    """What one reading of a draft leaves for looking again: its segments, which of them were anchored, and the
    segment span of each field. Kept in memory only, for the check of this draft (the text is never logged)."""

    fields: list[DraftField]
    segments: list[Segment]
    spans: list[FieldSpan]  # parallel to fields
    anchored: list[int]
    wrapped: bool = False
    expected_files: int | None = None
    files_read: int = 1
    keys: dict[int, tuple[str, list[int], int]] = field(default_factory=dict, repr=False)  # segment -> its key

    def span_of(self, f: DraftField) -> FieldSpan | None:
        for g, span in zip(self.fields, self.spans, strict=True):
            if g is f:
                return span
        return None


@dataclass
class Relocation:
    """A label the reading did not anchor, looked for in the document's own text."""

    spec_id: str
    page: int
    words: str  # the text around the label where it was found (an excerpt)
    field: DraftField | None = None  # the field read there, when the label stands where the form puts it


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
        # a group followed by a choice of its own place (②保管期間 / 期間): a value written right after the group's
        # label (「②保管期間：［5年］」) is that choice's
        specs = list(form)
        self.group_choice = {g.id: c for g, c in itertools.pairwise(specs)
                             if g.kind == "group" and c.kind == "choice" and c.path == g.path}
        # repeated blocks: the anchors that may open a new instance, the form range the chain may jump back from,
        # and the end of the block (a new instance must go on inside it: its next anchor is one of its labels)
        self.restart_block: dict[str, str] = {}
        self.restart_range: dict[str, tuple[int, int]] = {}
        self.block_end: dict[str, int] = {}
        file_sections = [f for f in form if f.repeat == "file"]
        file_end = (max(self.order[d.id] for s in file_sections for d in [s, *form.descendants(s.id)])
                    if file_sections else -1)
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
                self.block_end[a] = end
                # A new file opens at a section heading after any file's Ⅱ or Ⅲ; at the section's first row
                # (1. 特定個人情報ファイル名) only after that section's own rows: Ⅲ's rows never open a Ⅱ file.
                # The chain must be past the anchor itself: a table repeating its heading's label is no new block.
                hi = file_end if (f.repeat == "file" and a == f.id) else end
                self.restart_range[a] = (self.order[a] + 1, hi)
        self.file_anchors = {a for a, b in self.restart_block.items() if form.get(b).repeat == "file"}
        self.wrapped = False
        self.last: DraftReading | None = None
        self.segments: list[Segment] = []
        self.anchored: list[int] = []
        self.spans: list[FieldSpan] = []
        self.expected_files: int | None = None
        self.files_read = 1
        self.prefix_specs = [f for f in form if not f.virtual and f.kind in ("section", "group", "item", "text")]

    # ------------------------------------------------------------------ public
    def read(self, segments: list[Segment], wrapped: bool = False) -> list[DraftField]:
        """The fields of a draft's segments. `wrapped`: its lines wrap wherever a cell ends (a PDF).

        The number of files Ⅰ 3. lists is the expectation: a reading with more files than that is read again with
        opening a file made costly, so only a file whose Ⅱ or Ⅲ really follows in full is kept."""
        self.wrapped = wrapped
        cands = [self._candidates(segments, i) for i in range(len(segments))]
        # a heading repeated at the top of the next page with 「（続き）」 continues the block already open
        cands = [[c for c in cs if not _continued(segments, i, c.consumed)] for i, cs in enumerate(cands)]
        self._build(segments, self._align(cands))
        self.expected_files = listed_files(next((f.value for f in self.fields if f.field_id == "i_3"), ""))
        if self.expected_files and max(self.file_no.values(), default=1) > self.expected_files:
            self._build(segments, self._align(cands, file_penalty=FILE_PENALTY))
        self.files_read = max(self.file_no.values(), default=1)
        self.last = DraftReading(fields=self.fields, segments=segments, spans=self.spans, anchored=self.anchored,
                                 wrapped=wrapped, expected_files=self.expected_files, files_read=self.files_read)
        return self.fields

    def _build(self, segments: list[Segment], chain: list[_Cand]) -> None:
        chosen = {c.seg: c for c in chain}
        self.matched = {c.spec_id for c in chain}
        self.segments = segments
        self.anchored = sorted(chosen)
        self._build_reset()
        i = 0
        tail = ""
        while i < len(segments):
            c = chosen.get(i)
            if c is None:
                k = key(segments[i].text)
                if tail and k and tail.startswith(k):
                    tail = tail[len(k):]  # the last words of the field's label, pushed past its value
                elif k and i + 1 in chosen and key(segments[i + 1].text) == k:
                    pass  # a heading written twice (a paragraph, then a table's first row): the next one is read
                elif self.current is not None and not self.current.parts and _heading_row(segments, i):
                    pass  # a table's column headings (「項目 | 記載内容」) opening the value are no part of it
                elif self.current is not None and not (
                        not self.current.parts and k in self.index.label_keys.get(self.current.spec.id, ())[:1]):
                    # a repeat of the field's own label is skipped, also when its value follows on the same line
                    # (a Word template's row 「他の評価実施機関　該当なし」)
                    text = segments[i].text if self.current.parts else self._without_own_label(segments[i].text)
                    self.current.parts.append(text)
                    if self.current.span is not None:
                        self.current.span.value.append(i)
                i += 1
                continue
            self._close()
            self._open_joined_head(c, segments[i].page)
            self._open(c, segments[i].page)
            if self.current is not None:
                label = list(range(i, i + c.consumed))
                self.current.span = FieldSpan(label=label, value=label[-1:] if c.rest else [])
            tail = c.tail
            i += c.consumed
        self._close()

    def _without_own_label(self, text: str) -> str:
        """The text without the open field's own label at its start, when a separator follows the label."""
        assert self.current is not None
        own = self.index.label_keys.get(self.current.spec.id, ())[:1]
        k, idx = key_map(text)
        if not own or not own[0] or not k.startswith(own[0]) or len(k) == len(own[0]):
            return text
        end = idx[len(own[0]) - 1] + 1
        if text[end:end + 1] not in (" ", "\u3000", "\t", ":", "：") and not text[end:end + 1].isspace():
            return text
        return text[end:].lstrip(" \u3000\t:：")

    # ------------------------------------------------------------------ 1. candidates
    def _consistent(self, spec: FormFieldSpec, m: SegmentMatch) -> bool | None:
        """Does the numbering before the label agree with the node (None: there is no numbering)?"""
        p = m.prefix
        if p.empty:
            return None
        seg = self.own_seg[spec.id]
        # a label path names the block instance a field is in (`Ⅱ-4-委託事項2-⑤ 委託先名の確認方法`)
        if p.instance and f"{p.instance[0]}{{n}}" not in spec.path:
            return False
        if p.circled:
            circled = [s for s in spec.path if s and s[0] in CIRCLED]
            if not circled or circled[-1] != p.circled:
                return False
        # a label path (`Ⅲ-7-リスク1 ⑦バックアップ`, `Ⅲ-4 特定個人情報ファイルの取扱いの記録`) names the field's places,
        # not only its own segment
        path_label = bool(p.roman and p.item)
        if p.item and not p.circled and seg != p.item and not (path_label and p.item in spec.path):
            return False
        if p.roman and (spec.path[0] != p.roman or (not p.item and spec.kind != "section" and len(spec.path) > 1)):
            return False
        if p.risk and seg != p.risk and p.risk not in spec.path:
            return False
        return not p.attach or seg == p.attach

    def _from_match(self, m: SegmentMatch, i: int, consumed: int) -> list[_Cand]:
        out = []
        longest = max((h.key_len for h in m.hits), default=0)
        longest_joined = max((h.key_len for h in m.hits if h.label_key in self.index.joined_keys), default=0)
        for h in m.hits:
            if h.key_len < longest and not h.separated:
                continue  # the start of a longer label found here
            spec = self.form.get(h.spec_id)
            if h.key_len < longest_joined and spec.kind in ("group", "item", "choice"):
                continue  # a group's, item's or choice's label opening the next field's (`保管期間　期間`): the field's
            cons = self._consistent(spec, m)
            if cons is False and h.key_len < STRONG_KEY_LEN:
                continue
            strong = cons is True or h.key_len >= STRONG_KEY_LEN or (h.exact and h.key_len >= 4)
            if not (strong or h.exact or h.separated):
                continue
            weight = (4 if cons else 3) if strong and cons is not False else 1
            out.append(_Cand(i, consumed, spec.id, self.order[spec.id], weight, strong, h.rest,
                             joined=h.label_key in self.index.joined_keys))
        return out

    def _candidates(self, segments: list[Segment], i: int) -> list[_Cand]:
        seg = segments[i]
        m = self.index.match(seg.text)
        out = self._from_match(m, i, 1)
        body_key = key(m.body)
        if m.prefix.instance and not m.hits and not _REFERENCE_RE.match(m.body):
            base, number = m.prefix.instance
            spec_id = self.instance_specs.get(base)
            if spec_id is not None:
                rest = m.body.strip(" \t:：")
                out.append(_Cand(i, 1, spec_id, self.order[spec_id], 4, True, rest, instance=number))
        # a label wrapped over the next segment(s), or numbering in a cell of its own
        text, acc_key = seg.text, body_key
        whole = max((h.key_len for h in m.hits), default=0)  # the longest whole label found
        # the longest run of segments that is the start of a label: (segments, key, the match)
        started = (1, body_key, m) if body_key in self.index.prefixes else None
        # (a segment of nothing but a mark, 「－」, starts no label: it is a value)
        for j in range(1, MAX_JOIN + 1 if (body_key or not m.prefix.empty) else 1):
            if i + j >= len(segments) or (acc_key and acc_key not in self.index.prefixes):
                break
            text = text + " " + segments[i + j].text
            mj = self.index.match(text)
            mj.hits = [h for h in mj.hits if h.label_end > len(seg.text)]
            if acc_key in self.index.own_keys:
                # the segments so far are a whole label (a risk's title in its cell): the next one's label is its own,
                # not the second half of one label written across both
                mj.hits = [h for h in mj.hits if h.label_key not in self.index.joined_keys]
            whole = max([whole, *(h.key_len for h in mj.hits)])
            out.extend(self._from_match(mj, i, j + 1))
            acc_key = key(mj.body)
            if acc_key in self.index.prefixes:
                started = (j + 1, acc_key, mj)
        if started is not None and len(started[1]) >= MIN_TRUNCATED:
            out.extend(self._truncated(started, segments, i, whole))
        if i + 1 < len(segments) and segments[i + 1].printed != seg.printed:
            out.extend(self._cut_by_page(m, segments, i))
        # numbering alone (リスク2：, Ⅲ, (別添1)): the nodes it may stand for
        if (not body_key and not m.prefix.empty and not m.prefix.instance and not m.prefix.circled
                and not (m.prefix.item and not m.prefix.roman)):
            for spec in self.prefix_specs:
                if self._consistent(spec, m) is True:
                    out.append(_Cand(i, 1, spec.id, self.order[spec.id], 2, True, ""))
        # a group's label here that goes on, over the next segments, into its first field's label
        # (`リスク1 目的外の入手が行われるリスク 対象者以` / `外の情報の入手を防止するための…`): the field's anchor
        opened: dict[str, int] = {}  # head id -> the most segments a field's joined label starting with it takes
        for c in out:
            head = self.index.joined_after.get(c.spec_id)
            if head is not None and c.joined and c.consumed > 1 and c.weight >= 3:
                opened[head] = max(opened.get(head, 0), c.consumed)
        return [c for c in out if not (c.spec_id in opened and c.consumed < opened[c.spec_id])]

    def _truncated(self, started: tuple[int, str, SegmentMatch], segments: list[Segment], i: int,
                   whole: int) -> list[_Cand]:
        """A long label whose last words were pushed elsewhere: a table row split over two pages leaves the end of the
        label cell at the top of the next page, after the value. The label is read when its missing words open a
        later page, or when what is there is most of a long label. The missing words are dropped from the value."""
        consumed, head, mj = started
        out = []
        for lk, spec_id in self.index.starting_with(head):
            if lk in self.index.joined_keys:
                continue
            tail = lk[len(head):]
            if len(lk) <= whole:
                continue
            most = whole < len(head) and len(head) >= TRUNCATED_SHARE * len(lk)
            if not most and not self._tail_opens_a_page(tail, segments, i + consumed):
                continue
            hit = LabelHit(spec_id=spec_id, key_len=len(lk), exact=True, separated=True, rest="",
                           label_end=len(mj.body))
            for c in self._from_match(SegmentMatch(prefix=mj.prefix, hits=[hit], body=mj.body), i, consumed):
                c.tail = tail
                out.append(c)
        return out

    @staticmethod
    def _tail_opens_a_page(tail: str, segments: list[Segment], start: int) -> bool:
        for j in range(start, min(len(segments), start + TAIL_SEARCH)):
            if segments[j].printed == segments[j - 1].printed:
                continue
            acc = ""
            for seg in segments[j: j + MAX_JOIN]:
                acc += key(seg.text)
                if acc == tail:
                    return True
                if not tail.startswith(acc):
                    break
            return False
        return False

    def _cut_by_page(self, m: SegmentMatch, segments: list[Segment], i: int) -> list[_Cand]:
        """A label cell cut by a page break: its first part ends the page, glued to the first line of the value
        (`④委託先への特定個人情報ファイルの [ ] 専用線…`), its last part opens the next page, glued to the rest of the
        value (`提供方法 ] フラッシュメモリ…`)."""
        k, idx = key_map(m.body)
        head = next((p for p in range(min(len(k), self.index.longest) , MIN_CUT_HEAD - 1, -1)
                     if k[:p] in self.index.prefixes), 0)
        if not head:
            return []
        out = []
        longest = max((h.key_len for h in m.hits), default=0)
        for lk, spec_id in self.index.starting_with(k[:head]):
            if lk in self.index.joined_keys:
                continue  # two labels (a choice's and the next field's) are not one label cut in two
            tail = lk[head:]
            if not tail or (len(tail) < 2 and head < 10) or len(lk) <= longest:
                continue
            # the tail may itself be wrapped over the first lines of the next page
            for n in range(1, MAX_JOIN + 1):
                if i + n >= len(segments):
                    break
                nxt = segments[i + n].text
                nk, nidx = key_map(nxt)
                if nk.startswith(tail):
                    first = m.body[idx[head - 1] + 1:]
                    second = nxt[nidx[len(tail) - 1] + 1:]
                    rest = "\n".join(x.strip() for x in (first, second) if x.strip())
                    hit = LabelHit(spec_id=spec_id, key_len=len(lk), exact=False, separated=True, rest=rest,
                                   label_end=m.prefix.end + idx[head - 1] + 1)
                    out.extend(self._from_match(SegmentMatch(prefix=m.prefix, hits=[hit], body=m.body), i, n + 1))
                    break
                if not nk or not tail.startswith(nk):
                    break
                tail = tail[len(nk):]
        return out

    # ------------------------------------------------------------------ 2. alignment
    def _align(self, cands_by_seg: list[list[_Cand]], file_penalty: int = 0) -> list[_Cand]:
        """The heaviest chain of candidates that walks the form in order (see module doc). `file_penalty` is what
        opening one more file costs."""
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
            opened: list[_Cand] = []  # chains that just opened a new instance (they go on only inside it)
            run = None
            for j in range(n_specs):
                prefix.append(run)
                b = best[j]
                if b is not None and b.within is not None:
                    opened.append(b)
                elif b is not None and (run is None or b.score > run.score):
                    run = b  # on a tie the chain that got less far in the form
            for c in cands:
                j = c.order
                if c.strong:
                    prev = prefix[j]
                else:
                    prev = None
                    for k in range(max(0, j - WEAK_WINDOW), j):
                        b = best[k]
                        if b is not None and b.within is None and (prev is None or b.score > prev.score):
                            prev = b
                for b in opened:
                    inside = b.within is not None and b.order < j <= b.within
                    if inside and (c.strong or j - b.order <= WEAK_WINDOW) and (prev is None or b.score > prev.score):
                        prev = b
                start_ok = c.strong or j < WEAK_WINDOW
                score = (prev.score if prev is not None else 0) + 2 * c.weight if prev is not None or start_ok else None
                within = None
                # jumping back into a repeated block (a new instance) costs a little: taken only when it gains, and
                # only from a chain that went past the anchor (a repeated heading label is no new instance)
                rng = self.restart_range.get(c.spec_id)
                if rng is not None or c.instance is not None:
                    lo, hi = rng if rng is not None else (j, j)
                    cost = 1 + (file_penalty if c.spec_id in self.file_anchors else 0)
                    for k in range(max(lo, j), hi + 1):
                        b = best[k]
                        gain = b.score + 2 * c.weight - cost if b is not None else 0
                        if b is not None and b.within is None and (score is None or gain > score):
                            prev, score = b, gain
                            within = self.block_end.get(c.spec_id)
                if score is None:
                    continue
                c.prev, c.score, c.within = prev, score, within
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
        self.spans = []  # parallel to self.fields
        self.current: _Open | None = None

    def _enter(self, c: _Cand) -> None:
        spec = self.form.get(c.spec_id)
        restart = c.order <= self.pointer
        block_id = self.restart_block.get(spec.id)
        block = self.form.get(block_id) if block_id else None
        if block is not None and block.repeat == "file":
            sec = self.form.section_of(spec.id)
            # a file's section entered again from before it ([Ⅱ 1][Ⅲ 1][Ⅱ 2][Ⅲ 2]) is the next file's too
            if restart or (sec.id in self.file_no and self.pointer < self.order[sec.id]):
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

    def _open_joined_head(self, c: _Cand, page: int) -> None:
        """A field anchored on its group's (or item's) label and its own in one cell: the group is read there too, with
        no value of its own, unless this instance already has it."""
        head_id = self.index.joined_after.get(c.spec_id) if c.joined else None
        head = self.form.get(head_id) if head_id else None
        if head is None or head.kind not in ("group", "item"):
            return
        self._open(_Cand(c.seg, 0, head.id, self.order[head.id], c.weight, True, ""), page)
        assert self.current is not None
        if any(f.field_id == head.id and f.path == self.current.path for f in self.fields):
            self.current = None
            return
        self.current.span = FieldSpan(label=[c.seg])
        self._close()

    def _open(self, c: _Cand, page: int) -> None:
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
        child = self.group_choice.get(cur.spec.id)
        if child is not None and child.id not in self.matched and cur.parts:
            field = self._field(child, cur.path, cur.page, cur.parts, self.wrapped)
            if field.choice:
                self.fields.append(self._field(cur.spec, cur.path, cur.page, [], self.wrapped))
                self.spans.append(FieldSpan(label=cur.span.label if cur.span else []))
                self.fields.append(field)
                self.spans.append(cur.span or FieldSpan(label=[]))
                return
        self.fields.append(self._field(cur.spec, cur.path, cur.page, cur.parts, self.wrapped))
        self.spans.append(cur.span or FieldSpan(label=[]))

    def _field(self, spec: FormFieldSpec, path: list[str], page: int, parts: list[str], wrapped: bool) -> DraftField:
        raw = _VALUE_NOISE_RE.sub("", "\n".join(parts))
        if wrapped:
            raw = rejoin_wrapped(raw)
        value, choice, checks = read_value(spec, raw)
        return DraftField(path=path, label=self._label(spec, path), value=value, choice=choice, checks=checks,
                          page=page, field_id=spec.id)

    # ------------------------------------------------------------------ 4. looking again
    def relocate(self, reading: DraftReading, spec_id: str, path: list[str], lo: int, hi: int,
                 exclude: set[int] | None = None) -> Relocation | None:
        """Look for a label the reading did not anchor in segments lo..hi (where the form puts it: between the
        fields read before and after it). Labels are compared on the key (width, spaces, roman numerals and
        punctuation do not count). One occurrence at the start of a segment is read as the field, up to the next
        anchored segment; an occurrence inside other text, or several, is only reported (page and words)."""
        keys = self.index.label_keys.get(spec_id) or []
        if not keys:
            return None
        found: list[tuple[int, int, int, int]] = []  # (segment, key position, key length, text position)
        for i in range(max(0, lo), min(hi, len(reading.segments))):
            if exclude and i in exclude:
                continue  # the field's own label, as read
            cached = reading.keys.get(i)
            if cached is None:
                m = self.index.match(reading.segments[i].text)
                cached = reading.keys[i] = (*key_map(m.body), m.prefix.end)
            k, kidx, start = cached
            for lk in keys:
                pos = k.find(lk)
                if pos >= 0 and (len(lk) >= MIN_RELOCATE_KEY or _NUMBERING_LIKE_RE.match(k[:pos])):
                    found.append((i, pos, len(lk), start + kidx[pos]))
                    break
        if not found:
            return None
        i, pos, n, at = found[0]
        seg = reading.segments[i]
        rel = Relocation(spec_id=spec_id, page=seg.page, words=_excerpt(seg.text[max(0, at - 12):]))
        if len(found) == 1 and _NUMBERING_LIKE_RE.match(k_of(seg.text, self.index)[:pos]):
            # the label opens its segment (after numbering of some kind): read the field there
            spec = self.form.get(spec_id)
            m = self.index.match(seg.text)
            k, idx = key_map(m.body)
            rest = m.body[idx[n - 1] + 1:] if n <= len(idx) else ""
            parts = [rest.lstrip(" \t:：)）]】")]
            nxt = next((a for a in reading.anchored if a > i), len(reading.segments))
            parts += [s.text for s in reading.segments[i + 1: min(nxt, hi)]]
            rel.field = self._field(spec, path, seg.page, parts, reading.wrapped)
        return rel


# what may stand before a label looked for again, and still be read as its numbering: `ア`, `5`, `a` (`ア)使用目的`)
_NUMBERING_LIKE_RE = re.compile(r"^[0-9A-Za-zア-ン]{0,2}$")


def k_of(text: str, index: LabelIndex) -> str:
    """The key of a segment's text after its numbering."""
    return key_map(index.match(text).body)[0]


def _excerpt(text: str, limit: int = 60) -> str:
    s = re.sub(r"\s+", " ", text).strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"
