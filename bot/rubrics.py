"""Checkpoint rubrics: what a concrete answer names, one rubric per checkpoint (knowledge/rubrics.yaml).

A rubric lists the *items* a concrete answer to its checkpoint names (for 45: how the contractor erases, what proves
it, who at the body checks it), how many of them an answer must name (`need`), and the words that never count:
the checkpoint's own subject words (自己点検 for 70) and the empty qualifiers (適切に, 確実に, 定期的に …).

Each item is recognised over Sudachi morphemes, not raw substrings. A recogniser is a small pattern:

    仕切り|パーティション|衝立          one morpheme sequence among these lemmas (each term is tokenised the same way
                                          the text is, so 「パーティションで区切る」 and 「区切って」 both meet 区切る)
    #数詞 + 回|件                         a sequence: a number, then 回 or 件
    #名詞-担当-当該 + 職員                a noun other than 担当 or 当該, then 職員
    住民 + $                              住民 where its noun compound ends (住民が, not 住民票)
    @unit                                 a shared concept (knowledge/rubrics.yaml `concepts`)
    ログ|記録 ~ 点検|確認                 both parts in the same clause (sentence)

Terms are matched on Sudachi's normalised forms of the finest split (mode A), so a term also meets the parts of a
compound (証明書 in 消去証明書) and inflected verbs meet their lemma. A match made only of never-counting morphemes
does not count.

The same rubric serves three uses: the checker's concreteness judgement (coverage of the items, the missing ones
named in the flag, a 修正例 with 【　】 slots), the answer to 「…はどこまで具体的に書けばいい？」 (the items and
their precedent examples), and `pia review` (the draft's clauses that name the items).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, Field, field_validator, model_validator

from bot.resources import knowledge_yaml
from bot.text import normalize

_LOCK = threading.Lock()
# Sudachi refuses inputs above ~49 KB; answers are cut in pieces well below that
_CHUNK = 8000
_CLAUSE_END = re.compile(r"[。\n]")


# --------------------------------------------------------------------------- the model (knowledge/rubrics.yaml)


class RubricItem(BaseModel):
    """One thing a concrete answer names."""

    id: str
    name: str = Field(description="what it is, as a flag names it when missing: 「消去を確かめる方法」")
    slot: str = Field(description="the 【slot】 of a 修正例 when the draft does not name it: 【確認者】")
    find: list[str] = Field(min_length=1, description="recognisers (see the module doc)")
    examples: list[str] = Field(default_factory=list, description="precedent wording that shows the item")

    @field_validator("find")
    @classmethod
    def _patterns_parse(cls, v: list[str]) -> list[str]:
        for p in v:
            parse_pattern(p)
        return v


class Rubric(BaseModel):
    """What a concrete answer to one checkpoint (or viewpoint) names."""

    id: str = Field(description="'1'..'74' or 'V1'..'V12'")
    need: int = Field(default=2, ge=1, description="how many items a concrete answer names")
    require: list[str] = Field(default_factory=list, description="a concrete answer names at least one of these "
                                                                 "items, whatever else it names (44: how compliance "
                                                                 "is checked)")
    never: list[str] = Field(default_factory=list, description="the checkpoint's own subject words")
    items: list[RubricItem] = Field(min_length=1)
    suggestion: str = Field(description="修正例: {item id} is filled with the draft's words or becomes 【slot】")
    fields: list[str] = Field(default_factory=list, description="form field ids judged by it (default: the "
                                                                    "checkpoint's judged text fields)")

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        ids = [i.id for i in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError(f"rubric {self.id}: duplicate item ids")
        if self.need > len(self.items):
            raise ValueError(f"rubric {self.id}: need {self.need} > {len(self.items)} items")
        for name in re.findall(r"\{(\w+)\}", self.suggestion):
            if name not in ids:
                raise ValueError(f"rubric {self.id}: suggestion slot {{{name}}} is not an item")
        for name in self.require:
            if name not in ids:
                raise ValueError(f"rubric {self.id}: required item {name} is not an item")
        return self

    def item(self, item_id: str) -> RubricItem:
        return next(i for i in self.items if i.id == item_id)


class RubricSource(BaseModel):
    """Where the precedent examples come from (one review sheet)."""

    title: str
    agency: str
    date: str
    path: str = ""


class RubricSet(BaseModel):
    qualifiers: list[str] = Field(description="empty qualifiers: never count for any rubric")
    concepts: dict[str, list[str]] = Field(default_factory=dict)
    # a sentence saying no measure is taken counts for nothing (特段の措置は講じていない)
    void_clauses: list[str] = Field(default_factory=list)
    # a lone category closed by 等 before these words counts for nothing (アクセス制御等の措置を講じる)
    empty_lists: list[str] = Field(default_factory=list)
    # restrictions to nothing in particular (担当者に限り): their morphemes are masked
    void_phrases: list[str] = Field(default_factory=list)
    # a prohibition of a masked subject restates it (複製を禁止): masked too
    restating: list[str] = Field(default_factory=list)
    # the act nouns between the subject and the prohibition (目的外の使用を禁止, 複製することを禁止)
    restated_acts: list[str] = Field(default_factory=list)
    # a goal of improvement (住民サービスの向上を図るため): it and what it improves are masked
    goals: list[str] = Field(default_factory=list)
    # a topic or a rule whose only act is an empty one (バックアップ等についても、適切に管理している; 取扱要領に従い、
    # その都度適切に対処する): `connector ~ empty act`, the words before the connector are voided
    empty_topics: list[str] = Field(default_factory=list)
    # a line made only of the name of a kind of measure (・施錠管理, ・災害対策, ・バックアップの確保): a heading, not
    # a measure; the heads such a line ends in
    category_heads: list[str] = Field(default_factory=list)
    # terms of the form whose parts are not words of their own: 特定 in 特定個人情報 is not the act 特定
    fixed_terms: list[str] = Field(default_factory=list)
    concreteness_questions: list[str] = Field(default_factory=list, description="regexes: どこまで具体的に…")
    source: RubricSource
    rubrics: list[Rubric]

    @model_validator(mode="after")
    def _concepts_known(self) -> RubricSet:
        known = set(self.concepts)
        for name, pats in self.concepts.items():
            for p in pats:
                _check_refs(p, known, f"concept {name}")
        for p in [*self.void_clauses, *self.empty_lists, *self.void_phrases, *self.goals, *self.empty_topics,
                  *self.category_heads]:
            parse_pattern(p.lstrip("!"))
            _check_refs(p, known, "void_clauses/empty_lists")
        for r in self.rubrics:
            for it in r.items:
                for p in it.find:
                    _check_refs(p, known, f"rubric {r.id} item {it.id}")
        ids = [r.id for r in self.rubrics]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate rubric ids")
        return self

    def get(self, rubric_id: str) -> Rubric | None:
        return next((r for r in self.rubrics if r.id == rubric_id), None)


def _check_refs(pattern: str, known: set[str], where: str) -> None:
    for ref in re.findall(r"@(\w+)", pattern):
        if ref not in known:
            raise ValueError(f"{where}: unknown concept @{ref}")


# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class Term:
    kind: str  # "lemma", "pos", "concept", "any", "head" (zero-width: a noun compound ends here)
    text: str = ""  # the lemma, the part of speech or the concept name
    excluded: tuple[str, ...] = ()  # lemmas a part-of-speech term does not take


Seq = tuple[tuple[Term, ...], ...]  # a sequence of alternatives
Pattern = tuple[Seq, ...]  # parts that must all match in one clause


@lru_cache(maxsize=8192)
def parse_pattern(text: str) -> Pattern:
    parts = []
    for part in text.split("~"):
        seq = []
        for alt in part.split("+"):
            terms = []
            for raw in alt.split("|"):
                t = raw.strip()
                if not t:
                    raise ValueError(f"empty term in pattern {text!r}")
                if t == "*":
                    terms.append(Term("any"))
                elif t == "$":
                    terms.append(Term("head"))
                elif t.startswith("#"):
                    pos, *excluded = t[1:].split("-")
                    terms.append(Term("pos", pos, tuple(excluded)))
                elif t.startswith("@"):
                    terms.append(Term("concept", t[1:]))
                else:
                    terms.append(Term("lemma", t))
            seq.append(tuple(terms))
        parts.append(tuple(seq))
    return tuple(parts)


# --------------------------------------------------------------------------- morphemes


@dataclass(frozen=True)
class Unit:
    """One morpheme of the finest split (Sudachi mode A)."""

    lemma: str  # Sudachi's normalised form
    keys: frozenset[str]  # the forms a term may meet: normalised form, dictionary form, surface
    surface: str
    pos: tuple[str, ...]
    begin: int
    end: int
    clause: int


@dataclass
class Analysis:
    text: str  # the normalised text the offsets refer to
    units: list[Unit]
    masked: list[bool] = field(default_factory=list)  # never counts as evidence (subject words, qualifiers, voided)
    voided: list[bool] = field(default_factory=list)  # names nothing at all, not even the context of an item (void())
    # unit index -> (start, end) of the fixed term it is part of (特定個人情報): its parts are not words of their own
    bound: dict[int, tuple[int, int]] = field(default_factory=dict)

    def clause_text(self, clause: int) -> str:
        us = [u for u in self.units if u.clause == clause]
        if not us:
            return ""
        start = us[0].begin
        while start > 0 and not _CLAUSE_END.match(self.text[start - 1]):
            start -= 1
        end = us[-1].end
        while end < len(self.text) and not _CLAUSE_END.match(self.text[end]):
            end += 1
        return self.text[start:end].strip()


@lru_cache(maxsize=1)
def _tokenizer():
    from bot.tokenize import new_tokenizer

    return new_tokenizer()


def _lemma(m) -> str:
    return normalize(m.normalized_form()).lower()


def _keys(m) -> frozenset[str]:
    """A morpheme's normalised form, dictionary form and surface: a term tokenised alone may be read as another
    part of speech than in a sentence (ない alone is the adjective 無い, after a verb the auxiliary ない)."""
    return frozenset(normalize(x).lower() for x in (m.normalized_form(), m.dictionary_form(), m.surface()) if x)


@lru_cache(maxsize=16384)
def term_lemmas(term: str) -> tuple[frozenset[str], ...]:
    """A pattern term tokenised like the text, each morpheme as its forms: '証明書' -> ({'証明'}, {'書'})."""
    from sudachipy import SplitMode

    with _LOCK:
        return tuple(_keys(m) for m in _tokenizer().tokenize(normalize(term), SplitMode.A)
                     if m.part_of_speech()[0] != "空白")


def analyse(text: str) -> Analysis:
    """The normalised text as mode-A morphemes, each with its clause number."""
    from sudachipy import SplitMode

    s = normalize(text or "")
    units: list[Unit] = []
    offset = 0
    clause = 0
    pieces = [s[i:i + _CHUNK] for i in range(0, len(s), _CHUNK)] or [""]
    with _LOCK:
        tok = _tokenizer()
        for piece in pieces:
            if piece:
                for m in tok.tokenize(piece, SplitMode.A):
                    surface = m.surface()
                    b, e = offset + m.begin(), offset + m.end()
                    pos = tuple(p for p in m.part_of_speech() if p != "*")
                    if "\n" in surface or surface.strip() == "。":
                        clause += 1
                        continue
                    if pos and pos[0] == "空白":
                        continue
                    units.append(Unit(_lemma(m), _keys(m), surface, pos, b, e, clause))
            offset += len(piece)
    return Analysis(s, units, [False] * len(units), [False] * len(units))


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Alt:
    """One position of a sequence, compiled: lemma sequences by their first lemma, parts of speech, concepts."""

    lemmas: dict[str, tuple[tuple[frozenset[str], ...], ...]]  # any form of the first morpheme -> sequences
    pos: tuple[tuple[str, frozenset[str]], ...]
    concepts: tuple[str, ...]
    any: bool
    head: bool = False  # "$": matches no morpheme where the noun compound before it ends (住民が, not 住民票)
    words: frozenset[str] = frozenset()  # the forms of its one-morpheme terms of two characters or more


# Sudachi keeps some compounds of a thing's name as one morpheme even in mode A (仕切り板, 裁断機): a one-morpheme
# term of two characters or more meets such a noun when the rest is one of these object heads. Not any ending:
# 錠 never meets 錠剤, and a one-character term never meets a longer word.
_OBJECT_TAILS = ("板", "機", "器", "具", "台", "棚", "庫", "箱")


CSeq = tuple[Alt, ...]


@lru_cache(maxsize=8192)
def compile_pattern(text: str) -> tuple[CSeq, ...]:
    out = []
    for seq in parse_pattern(text):
        alts = []
        for alt in seq:
            lemmas: dict[str, list[tuple[frozenset[str], ...]]] = {}
            pos, concepts, any_, head = [], [], False, False
            for term in alt:
                if term.kind == "lemma":
                    want = term_lemmas(term.text)
                    for key in want[0] if want else ():
                        lemmas.setdefault(key, []).append(want)
                elif term.kind == "pos":
                    excluded = frozenset(k for x in term.excluded for first in term_lemmas(x)[:1] for k in first)
                    pos.append((term.text, excluded))
                elif term.kind == "concept":
                    concepts.append(term.text)
                elif term.kind == "head":
                    head = True
                else:
                    any_ = True
            words = frozenset(k for k, seqs in lemmas.items() if len(k) >= 2 and any(len(w) == 1 for w in seqs))
            alts.append(Alt({k: tuple(v) for k, v in lemmas.items()}, tuple(pos), tuple(concepts), any_, head,
                            words))
        out.append(tuple(alts))
    return tuple(out)


@dataclass(frozen=True)
class Match:
    start: int  # unit index
    end: int  # unit index, exclusive
    clause: int


class Matcher:
    """Matches patterns against one analysis; concepts come from the rubric set."""

    def __init__(self, analysis: Analysis, concepts: dict[str, list[str]]):
        self.a = analysis
        self.concepts = concepts
        self._concept_memo: dict[tuple[str, int], frozenset[int]] = {}
        self._find_memo: dict[tuple[str, bool], list[Match]] = {}

    def _alt_ends(self, alt: Alt, i: int, depth: int) -> set[int]:
        units = self.a.units
        if alt.head:
            # the noun compound before i ends at i: i is the end, another clause, or no noun or suffix
            ended = i >= len(units) or i == 0 or units[i].clause != units[i - 1].clause or \
                units[i].begin != units[i - 1].end or not (units[i].pos[:1] and units[i].pos[0] in _EXPAND_POS)
            return {i} if ended else set()
        if i >= len(units):
            return set()
        u = units[i]
        ends: set[int] = set()
        bound = self.a.bound
        for key in u.keys:
            for want in alt.lemmas.get(key, ()):
                n = len(want)
                if i + n <= len(units) and all(units[i + k].keys & want[k] and units[i + k].clause == u.clause
                                               for k in range(1, n)):
                    # a part of a fixed term is not a word of its own (特定 in 特定個人情報 is not the act 特定)
                    span = bound.get(i) or bound.get(i + n - 1)
                    if span is None or (i <= span[0] and i + n >= span[1]):
                        ends.add(i + n)
        if alt.words and u.pos[:1] == ("名詞",) and len(u.lemma) >= 3 and u.lemma[-1] in _OBJECT_TAILS \
                and u.lemma[:-1] in alt.words and i not in bound:
            ends.add(i + 1)  # 仕切り板 for 仕切り
        for name, excluded in alt.pos:
            if name in u.pos and not (u.keys & excluded):
                ends.add(i + 1)
        if alt.any:
            ends.add(i + 1)
        for c in alt.concepts:
            ends |= self._concept_ends(c, i, depth)
        return ends

    def _concept_ends(self, name: str, i: int, depth: int) -> frozenset[int]:
        key = (name, i)
        found = self._concept_memo.get(key)
        if found is None:
            ends: set[int] = set()
            if depth < 4:
                for p in self.concepts.get(name, []):
                    cp = compile_pattern(p)
                    if len(cp) == 1:
                        ends |= self._seq_ends(cp[0], i, depth + 1)
            found = frozenset(ends)
            self._concept_memo[key] = found
        return found

    def _seq_ends(self, seq: CSeq, i: int, depth: int = 0) -> set[int]:
        positions = {i}
        for alt in seq:
            nxt: set[int] = set()
            for p in positions:
                nxt |= self._alt_ends(alt, p, depth)
            if not nxt:
                return set()
            positions = nxt
        return positions

    def _start_keys(self, alt: Alt, depth: int = 0) -> frozenset[str] | None:
        """The forms a match of this position can start with (None: any morpheme may start one)."""
        if alt.any or alt.pos or alt.head or depth > 4:
            return None
        keys = set(alt.lemmas)
        for c in alt.concepts:
            for p in self.concepts.get(c, []):
                cp = compile_pattern(p)
                if len(cp) != 1:
                    continue  # a `~` pattern is not met by _concept_ends
                more = self._start_keys(cp[0][0], depth + 1)
                if more is None:
                    return None
                keys |= more
        return frozenset(keys)

    def _counts(self, start: int, end: int) -> bool:
        """A match made only of never-counting morphemes does not count."""
        return not all(self.a.masked[k] for k in range(start, end))

    def _context(self, start: int, end: int) -> bool:
        """A match may be the context of an item (「バッチ ~ 消去」) unless it is made only of voided morphemes."""
        return not all(self.a.voided[k] for k in range(start, end))

    def seq_matches(self, seq: CSeq, counted: bool | None = True) -> list[Match]:
        """Matches of a sequence: counted=True, evidence (not all masked); False, context (not all voided); None,
        any."""
        out = []
        units = self.a.units
        start = self._start_keys(seq[0])
        for i in range(len(units)):
            if start is not None and not (units[i].keys & start) and not (
                    units[i].lemma[-1:] in _OBJECT_TAILS and units[i].lemma[:-1] in start):
                continue
            ends = self._seq_ends(seq, i)
            if ends:
                end = max(ends)
                if counted is None or (self._counts(i, end) if counted else self._context(i, end)):
                    out.append(Match(i, end, units[i].clause))
        return out

    def find(self, pattern_text: str) -> list[Match]:
        """Matches of a pattern; for a `~` pattern, the first part's matches in clauses where every part matches."""
        key = (pattern_text, True)
        if key in self._find_memo:
            return self._find_memo[key]
        pattern = compile_pattern(pattern_text)
        out: list[Match] = []
        if len(pattern) == 1:
            seq = pattern[0]
            alt = seq[0]
            if len(seq) == 1 and alt.concepts and not alt.lemmas and not alt.pos and not alt.any:
                # a bare concept reference: its own patterns may be `~` patterns
                for c in alt.concepts:
                    for p in self.concepts.get(c, []):
                        out += self.find(p)
            else:
                out = self.seq_matches(seq)
        else:
            # only the first part carries the evidence: the others may be never-counting words (「バッチ ~ 消去」)
            per_part = [self.seq_matches(seq, counted=(k == 0)) for k, seq in enumerate(pattern)]
            clauses = set.intersection(*({m.clause for m in ms} for ms in per_part))
            out = [m for m in per_part[0] if m.clause in clauses]
        self._find_memo[key] = out
        return out


@lru_cache(maxsize=512)
def _phrase_index(phrases: tuple[str, ...]) -> dict[str, tuple[tuple[frozenset[str], ...], ...]]:
    index: dict[str, list[tuple[frozenset[str], ...]]] = {}
    for phrase in phrases:
        want = term_lemmas(phrase)
        for key in want[0] if want else ():
            index.setdefault(key, []).append(want)
    return {k: tuple(v) for k, v in index.items()}


def bind(analysis: Analysis, terms: list[str] | tuple[str, ...]) -> None:
    """Mark the occurrences of the fixed terms (the longest at each place): their parts match no term alone."""
    units = analysis.units
    index = _phrase_index(tuple(terms))
    i = 0
    while i < len(units):
        n = 0
        for key in units[i].keys:
            for want in index.get(key, ()):
                if len(want) > n and i + len(want) <= len(units) and all(
                        units[i + k].keys & want[k] for k in range(1, len(want))):
                    n = len(want)
        if n > 1:
            for k in range(i, i + n):
                analysis.bound[k] = (i, i + n)
            i += n
        else:
            i += 1


def mask(analysis: Analysis, phrases: list[str] | tuple[str, ...]) -> None:
    """Mark the morphemes of never-counting phrases (subject words, empty qualifiers)."""
    units = analysis.units
    index = _phrase_index(tuple(phrases))
    for i, u in enumerate(units):
        for key in u.keys:
            for want in index.get(key, ()):
                n = len(want)
                if i + n <= len(units) and all(units[i + k].keys & want[k] for k in range(1, n)):
                    for k in range(n):
                        analysis.masked[i + k] = True


_LIST_POS = ("名詞", "接頭辞", "接尾辞")
_LIST_JOINS = ("、", "・", ",", "，", "及び", "や", "と", "並びに", "又は")


def _void(analysis: Analysis, k: int) -> None:
    analysis.masked[k] = True
    analysis.voided[k] = True


def _list_before(analysis: Analysis, matcher: Matcher, k: int, clause: int) -> list[int]:
    """The bare names of the list that ends at unit k, back over its joins (A、B及びC等): their unit indices."""
    units = analysis.units
    names: list[int] = []
    while True:
        run = []
        while k >= 0 and units[k].pos[:1] and units[k].pos[0] in _LIST_POS and units[k].clause == clause:
            run.append(k)
            k -= 1
        if not run:
            break
        names += run
        # 「ウイルス対策ソフトの導入」: the thing put in place is the element's name
        if k >= 1 and units[k].surface == "の" and units[k].clause == clause and any(
                s.start == run[-1] for s in matcher.find("@putting_in_place")):
            k -= 1
            continue
        if not (k >= 0 and units[k].clause == clause and units[k].surface in _LIST_JOINS):
            break
        k -= 1
    return names


_BULLETS = ("補助記号",)


def _heading_lines(analysis: Analysis, matcher: Matcher, rs: RubricSet) -> list[int]:
    """The clauses that are only the name of a kind of measure (・施錠管理, ・その他必要な対策, ・バックアップの確保):
    nouns joined by の, empty qualifiers, a bullet or numbering, and nothing else, ending in a category head."""
    units = analysis.units
    ends: set[int] = set()
    for p in rs.category_heads:
        for m in matcher.seq_matches(compile_pattern(p)[0], counted=None):
            ends.add(m.end)
    by_clause: dict[int, list[int]] = {}
    for k, u in enumerate(units):
        by_clause.setdefault(u.clause, []).append(k)
    out = []
    for clause, ks in by_clause.items():
        words = [k for k in ks if units[k].pos[:1] != _BULLETS]
        if not words or words[-1] + 1 not in ends:
            continue
        bare = True
        for k in words:
            u = units[k]
            if (u.pos[:1] and u.pos[0] in _LIST_POS) or u.surface == "の" or analysis.masked[k] \
                    or u.pos[:1] == ("連体詞",):
                continue
            if u.surface == "な" and k > 0 and analysis.masked[k - 1]:
                continue  # 必要な対策
            bare = False
            break
        if bare:
            out.append(clause)
    return out


def void(analysis: Analysis, rs: RubricSet) -> None:
    """Mask what names no measure although it uses measure words: a sentence saying no measure is taken, a
    restriction to nothing in particular, a prohibition restating the subject, a goal of improvement and what it
    improves (住民サービスの向上を図るため), and categories closed by 等 before a
    kind of measures, alone or listed (「アクセス制御等の措置を講じている」「入退室管理、施錠管理等の物理的セキュリティ
    対策を講じている」: a list of nothing, rules.md), a topic or a rule whose only act is an empty one (「バックアップ等
    についても、適切に管理している」「取扱要領に従い、適切に対処する」), and a line that is only the name of a kind of
    measure (「・施錠管理」「・災害対策」)."""
    matcher = Matcher(analysis, rs.concepts)
    units = analysis.units
    for p in rs.void_clauses:
        for m in matcher.find(p):
            for k, u in enumerate(units):
                if u.clause == m.clause:
                    _void(analysis, k)
    for p in rs.void_phrases:
        unqualified = p.startswith("!")
        for m in matcher.seq_matches(compile_pattern(p.lstrip("!"))[0], counted=None):
            before = units[m.start - 1] if m.start > 0 and units[m.start - 1].clause == m.clause else None
            if unqualified and before is not None and before.surface in ("に", "の", "で"):
                continue  # 〜に必要な範囲: the purpose makes it specific
            for j in range(m.start, m.end):
                _void(analysis, j)
    restating = {k for w in rs.restating for first in term_lemmas(w)[:1] for k in first}
    acts = {k for w in rs.restated_acts for first in term_lemmas(w)[:1] for k in first}
    for k, u in enumerate(units):
        if not (u.keys & restating):
            continue
        j = k - 1
        while j >= 0 and units[j].surface != "。" and (units[j].keys & acts or units[j].pos[:1] in (("助詞",),
                                                                                                ("補助記号",))):
            j -= 1
        if j >= 0 and units[j].clause == u.clause and analysis.masked[j]:
            analysis.masked[k] = True  # masked, not voided: 「USBメモリへのコピーを禁止」 still names the medium
    for p in rs.goals:
        for m in matcher.seq_matches(compile_pattern(p)[0], counted=None):
            k = m.start - 1
            while k >= 0 and units[k].pos[:1] and units[k].pos[0] in _LIST_POS and units[k].clause == m.clause:
                k -= 1
            for j in range(k + 1, m.end):
                _void(analysis, j)
    for p in rs.empty_lists:
        for m in matcher.find(p):
            # the bare categories before 等, back over the list they close (A、B、C等の対策)
            for j in _list_before(analysis, matcher, m.start - 1, m.clause):
                _void(analysis, j)
    for p in rs.empty_topics:
        connector, *empty_acts = compile_pattern(p)
        after: dict[int, int] = {}  # clause -> the last start of an empty act in it
        for act_seq in empty_acts:
            for m in matcher.seq_matches(act_seq, counted=None):
                after[m.clause] = max(after.get(m.clause, -1), m.start)
        for m in matcher.seq_matches(connector, counted=None):
            if after.get(m.clause, -1) >= m.end:
                for j in _list_before(analysis, matcher, m.start - 1, m.clause):
                    _void(analysis, j)
    for clause in _heading_lines(analysis, matcher, rs):
        for k, u in enumerate(units):
            if u.clause == clause:
                _void(analysis, k)


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Named:
    """Where the draft names an item: its words (the noun compound around the match) and its clause."""

    words: str
    clause: str
    begin: int  # character offset in the normalised text


@dataclass(frozen=True)
class Coverage:
    rubric: Rubric
    named: dict[str, Named]

    @property
    def count(self) -> int:
        return len(self.named)

    @property
    def concrete(self) -> bool:
        required = self.rubric.require
        return self.count >= self.rubric.need and (not required or any(r in self.named for r in required))

    @property
    def missing(self) -> list[RubricItem]:
        """The items not named, the required ones first when none of them is named."""
        out = [i for i in self.rubric.items if i.id not in self.named]
        required = self.rubric.require
        if required and not any(r in self.named for r in required):
            out.sort(key=lambda i: i.id not in required)
        return out

    @property
    def present(self) -> list[RubricItem]:
        return [i for i in self.rubric.items if i.id in self.named]


_EXPAND_POS = ("名詞", "接頭辞", "接尾辞")


def _words(analysis: Analysis, m: Match) -> str:
    """The matched morphemes widened to the noun compound they stand in (消去証明書 for 証明書)."""
    units = analysis.units
    start, end = m.start, m.end
    while start > 0 and units[start - 1].pos[:1] and units[start - 1].pos[0] in _EXPAND_POS \
            and units[start - 1].end == units[start].begin and units[start - 1].clause == m.clause \
            and m.end - start < 6:
        start -= 1
    while end < len(units) and units[end].pos[:1] and units[end].pos[0] in _EXPAND_POS \
            and units[end].begin == units[end - 1].end and units[end].clause == m.clause and end - m.start < 8:
        end += 1
    return analysis.text[units[start].begin:units[end - 1].end]


def _mask_acts_on_subject(analysis: Analysis, rs: RubricSet, subject: list[bool]) -> None:
    """An act done on the checkpoint's own subject restates it (対象者を適切に把握するため, for the range of the people
    a file is about): the act is masked when its object, before を and past empty qualifiers, is a subject word."""
    units = analysis.units
    for m in Matcher(analysis, rs.concepts).seq_matches(compile_pattern("@act")[0], counted=None):
        j = m.start - 1
        while j >= 0 and units[j].clause == m.clause and (
                (analysis.masked[j] and not subject[j]) or units[j].pos[:1] in (("助動詞",), ("副詞",))):
            j -= 1  # 適切に, 確実に
        if j >= 1 and units[j].surface == "を" and units[j].clause == m.clause and subject[j - 1]:
            for k in range(m.start, m.end):
                analysis.masked[k] = True


def coverage(rubric: Rubric, text: str, rubric_set: RubricSet | None = None) -> Coverage:
    """Which items of the rubric the text names."""
    rs = rubric_set or load_rubrics()
    analysis = analyse(text)
    bind(analysis, rs.fixed_terms)
    mask(analysis, rubric.never)
    subject = list(analysis.masked)
    mask(analysis, rs.qualifiers)
    void(analysis, rs)
    _mask_acts_on_subject(analysis, rs, subject)
    matcher = Matcher(analysis, rs.concepts)
    named: dict[str, Named] = {}
    for item in rubric.items:
        best: Match | None = None
        for p in item.find:
            for m in matcher.find(p):
                if best is None or m.start < best.start:
                    best = m
        if best is not None:
            u = analysis.units[best.start]
            named[item.id] = Named(_words(analysis, best), analysis.clause_text(best.clause), u.begin)
    return Coverage(rubric, named)


def missing_text(items: list[RubricItem]) -> str:
    """「消去の方法と、消去を確かめる方法」: the missing items as one phrase."""
    names = [i.name for i in items]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return "、".join(names[:-1]) + "と、" + names[-1]


def suggestion(cov: Coverage) -> str:
    """修正例: the rubric's sentence with the draft's own words where it names an item and 【slot】 where not."""

    def fill(m: re.Match) -> str:
        item_id = m.group(1)
        named = cov.named.get(item_id)
        return named.words if named else f"【{cov.rubric.item(item_id).slot}】"

    return "修正例: " + re.sub(r"\{(\w+)\}", fill, cov.rubric.suggestion)


def draft_clauses(cov: Coverage, limit: int = 4) -> list[str]:
    """The draft's clauses that name the rubric's items, in the draft's order, each once."""
    seen: list[tuple[int, str]] = []
    for named in cov.named.values():
        if named.clause and all(named.clause != c for _, c in seen):
            seen.append((named.begin, named.clause))
    return [c for _, c in sorted(seen)][:limit]


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=1)
def load_rubrics() -> RubricSet:
    return RubricSet(**knowledge_yaml("rubrics.yaml"))


def rubric_for(checkpoint_id: str) -> Rubric | None:
    return load_rubrics().get(str(checkpoint_id))


@lru_cache(maxsize=1)
def field_rubrics() -> dict[str, Rubric]:
    """form field id -> the rubric that judges it (explicit `fields`, else the checkpoint's judged text fields)."""
    from bot.form import load_form

    form = load_form()
    out: dict[str, Rubric] = {}
    for r in load_rubrics().rubrics:
        ids = r.fields or [s.id for s in form.for_checkpoint(r.id) if s.kind == "text" and s.judge]
        for fid in ids:
            out.setdefault(fid, r)
    return out


def rubric_for_field(field_id: str | None) -> Rubric | None:
    return field_rubrics().get(field_id or "")


def is_concreteness_question(question: str) -> bool:
    """「…はどこまで具体的に書けばいい？」 and the like."""
    q = normalize(question or "")
    return any(re.search(p, q) for p in load_rubrics().concreteness_questions)
