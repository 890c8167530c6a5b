"""Hybrid retrieval: BM25 over Sudachi tokens + dense vectors from Chroma, fused by a weighted sum of normalised scores.

Local Chroma has no sparse index, so the lexical side lives here: a bm25s index over the store's documents,
rebuilt only when the active collection changes (tokens are cached on disk per collection).

A query goes through:
1. normalisation (bot.text.normalize, plus `III-7` / `III 2` -> `Ⅲ 7` / `Ⅲ 2`);
2. explicit references: `41番`, `細目41`, `チェックポイント41`, `観点(5)`, and form sections such as
   `Ⅲ 4. 再委託`, `Ⅲ 2. リスク3`, `Ⅱ 6. ②`, mapped to checkpoints through the catalog's form paths;
3. glossary expansion (knowledge/glossary.yaml: everyday words -> the form's words);
4. BM25 and dense scores, each normalised to 0..1 and combined with LEXICAL_WEIGHT;
5. checkpoints the query refers to explicitly are put first.

Checkpoint records carry their attributed past findings: in the dense vector (mean of line vectors) but not in BM25
(see bot.store.SUPPORT_MARKER).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.catalog import Catalog, load_catalog, load_glossary
from bot.errors import IndexStateError, PiaError
from bot.form_refs import normalize_refs
from bot.models import Checkpoint, Record, SearchHit, Viewpoint
from bot.settings import Settings
from bot.store import Store, lexical_text
from bot.text import CIRCLED, ROMAN, compact, normalize
from bot.tokenize import tokenize

log = logging.getLogger(__name__)

DENSE_POOL = 100
# Fusion: a convex combination of the BM25 scores (divided by the best) and the cosine similarities (min-max over the
# dense pool). It replaced RRF (k=10, dense weight 0.8): on questions.yaml hit@1 0.888 -> 0.914, MRR 0.931 -> 0.944.
# The weight was chosen on questions.yaml only (best MRR over 0.5..0.9).
LEXICAL_WEIGHT = 0.6
EXPANSION_WEIGHT = 0.5  # glossary words count half as much as the user's own words in BM25
ID_BOOST = 1.0  # an explicit checkpoint number (at the top of the 0..1 fused scores)
SECTION_BOOST = 0.5  # a form section reference
NAME_BOOST = 0.05  # the query names a checkpoint (its title or an alias), scaled by the share of the query it covers
MIN_NAME_CHARS = 4
MODES = ("hybrid", "lexical", "dense")
LEXICAL_FORMAT = 1  # bump when tokenisation or lexical_text changes: invalidates the token caches
KINDS = ("checkpoint", "finding", "remark", "guideline")


# --------------------------------------------------------------------------- query understanding


def normalize_query(query: str) -> str:
    """Normalised query with section numbers in one notation (`III-7` -> `Ⅲ 7`), as bot/form_refs.py reads them."""
    return normalize_refs(query)


_ID_PATTERNS = [
    re.compile(r"(?:細目|チェックポイント|チェック項目|考慮事項|checkpoint|check point)"
               r"\s*(?:の|no\.?|番号)?\s*(\d{1,3})(?!\d)", re.IGNORECASE),
    re.compile(r"(?<![\d.])(\d{1,3})\s*番(?![号地])"),
    re.compile(r"(?:No\.|No|#)\s*(\d{1,3})(?!\d)"),
]
_VIEWPOINT_PATTERN = re.compile(r"観点\s*(?:の)?\s*[(（]?\s*(\d{1,2})\s*[)）]?")
_SECTION_PATTERN = re.compile(
    r"([ⅠⅡⅢⅣⅤⅥ])\s*(?:の)?\s*(\d{1,2})(?!\d)\s*[.．]?\s*(?:の\s*)?"
    r"(?:(リスク\s*\d)\s*(?:[:：]\s*)?([" + CIRCLED[:10] + r"])?|([" + CIRCLED[:10] + r"])|(その他のリスク))?"
)


@dataclass
class References:
    ids: list[str]  # explicit checkpoint / viewpoint numbers
    sections: list[str]  # checkpoints the form sections in the query point at
    names: dict[str, float] = field(default_factory=dict)  # checkpoints named in the query -> share of the query

    def boost(self, cid: str) -> float:
        if cid in self.ids:
            return ID_BOOST
        if cid in self.sections:
            return SECTION_BOOST
        return NAME_BOOST * self.names.get(cid, 0.0)

    def __bool__(self) -> bool:
        return bool(self.ids or self.sections or self.names)


def find_references(q: str, catalog: Catalog) -> References:
    ids: list[str] = []
    for pat in _ID_PATTERNS:
        for m in pat.finditer(q):
            cid = str(int(m.group(1)))
            if catalog.checkpoint(cid) and cid not in ids:
                ids.append(cid)
    for m in _VIEWPOINT_PATTERN.finditer(q):
        vid = f"V{int(m.group(1))}"
        if catalog.viewpoint(vid) and vid not in ids:
            ids.append(vid)

    sections: list[str] = []
    for m in _SECTION_PATTERN.finditer(q):
        roman, item = m.group(1), f"{int(m.group(2))}."
        risk = re.sub(r"\s+", "", m.group(3)) if m.group(3) else None
        sub = m.group(4) or m.group(5)
        other = m.group(6)
        base = [c for c in catalog.checkpoints if c.form_path[:2] == [roman, item]]
        if not base:
            continue
        chosen = base
        if risk:
            chosen = [c for c in base if len(c.form_path) > 2 and c.form_path[2] == risk]
            if m.group(4):
                narrower = [c for c in chosen if len(c.form_path) > 3 and c.form_path[3] == m.group(4)]
                chosen = narrower or chosen
        elif sub:
            chosen = [c for c in base if len(c.form_path) > 2 and c.form_path[2] == sub]
        elif other:
            chosen = [c for c in base if len(c.form_path) > 2 and c.form_path[2] == "その他のリスク"]
        else:
            # a label written after the item number: "Ⅲ 4. 再委託", "Ⅲ 4. の消去ルール"
            rest = compact(q[m.end() : m.end() + 30])
            labelled = [c for c in base if len(c.form_path) > 2 and _label_matches(c.form_path[2], rest)]
            if labelled:
                chosen = labelled
        for c in chosen or base:
            if c.id not in sections:
                sections.append(c.id)
    return References(ids=ids, sections=sections, names=find_names(q, catalog))


# (compact name, checkpoint id) of each catalog, built once per catalog object
_NAMES_TABLES: weakref.WeakKeyDictionary[Catalog, list[tuple[str, str]]] = weakref.WeakKeyDictionary()


def _names_table(catalog: Catalog) -> list[tuple[str, str]]:
    cached = _NAMES_TABLES.get(catalog)
    if cached is not None:
        return cached
    table: list[tuple[str, str]] = []
    items: list[Checkpoint | Viewpoint] = [*catalog.checkpoints, *catalog.viewpoints]
    for item in items:
        names = {item.title, *re.split(r"[・/]", item.title), *item.aliases}
        for nm in names:
            c = compact(nm)
            if len(c) >= MIN_NAME_CHARS:
                table.append((c, item.id))
    _NAMES_TABLES[catalog] = table
    return table


def find_names(q: str, catalog: Catalog) -> dict[str, float]:
    """Checkpoints whose title or alias the query contains, with the share of the query the name covers."""
    cq = compact(q)
    if not cq:
        return {}
    out: dict[str, float] = {}
    for name, cid in _names_table(catalog):
        if name in cq:
            out[cid] = max(out.get(cid, 0.0), min(1.0, len(name) / len(cq)))
    return out


def _label_matches(label: str, rest: str) -> bool:
    label = compact(label)
    if not label or label[0] in CIRCLED or label[0] in ROMAN:
        return False
    if rest.startswith(label) or label in rest[: len(label) + 2]:
        return True
    # "閲覧者・更新者の制限" is often written "閲覧者の制限"; compare the head before the first 「・の」
    head = re.split(r"[・の]", label)[0]
    return len(head) >= 2 and rest.startswith(head)


def lemma_key(text: str) -> frozenset[str]:
    """The Sudachi lemmas a glossary term is recognised by, whatever its inflection: 「亡くなった人」 -> {亡くなる};
    a one-character word (人, 方, 者) is left out when there are others, so 「亡くなった方」 is the same term."""
    toks = tokenize(text)
    longer = {t for t in toks if len(t) > 1}
    return frozenset(longer or toks)


class Glossary:
    """Everyday words -> the form's words. A Japanese term is found as written, or by its lemmas (亡くなる also in
    亡くなった, 亡くなられた; 辞めた職員 also in 職員が辞めた)."""

    def __init__(self):
        entries = load_glossary()
        self.entries = sorted(
            ((normalize(e.term).lower(), [normalize(t) for t in e.form_terms]) for e in entries),
            key=lambda x: -len(x[0]),
        )
        self.lemmas = {term: lemma_key(term) for term, _ in self.entries if term and not term.isascii()}

    def expand(self, q: str) -> list[str]:
        ql = q.lower()
        q_lemmas = set(tokenize(q))
        extra: list[str] = []
        for term, form_terms in self.entries:
            if not term:
                continue
            if term.isascii():
                hit = re.search(r"(?<![a-z])" + re.escape(term) + r"(?![a-z])", ql) is not None
            else:
                key = self.lemmas.get(term)
                hit = term in ql or bool(key and key <= q_lemmas)
            if hit:
                for t in form_terms:
                    if t not in extra and t.lower() not in ql:
                        extra.append(t)
        return extra


# --------------------------------------------------------------------------- lexical index


class LexicalIndex:
    """BM25 over the Sudachi tokens of every record of one collection."""

    def __init__(self, collection: str, records: list[Record], tokens: list[list[str]], chroma_collection=None):
        import bm25s

        self.collection = collection
        self.chroma = chroma_collection
        self.records = records
        self.pos = {r.id: i for i, r in enumerate(records)}
        self.kinds = np.array([r.kind for r in records])
        self.checkpoint_ids = [r.checkpoints for r in records]
        self.bm25 = bm25s.BM25()
        self.bm25.index([t or [""] for t in tokens], show_progress=False)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        ids = self.bm25.get_tokens_ids(query_tokens)
        if not ids:
            return np.zeros(len(self.records), dtype=np.float32)
        return np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)

    @classmethod
    def load(cls, store: Store, cache_dir: Path | None) -> LexicalIndex:
        col = store.collection()
        records = store.all_records()
        tokens: list[list[str]] | None = None
        cache = cache_dir / f"{col.name}.v{LEXICAL_FORMAT}.json" if cache_dir else None
        if cache and cache.is_file():
            try:
                data = json.loads(cache.read_text(encoding="utf-8"))
                by_id = dict(zip(data["ids"], data["tokens"], strict=True))
                if set(by_id) == {r.id for r in records}:
                    tokens = [by_id[r.id] for r in records]
            except (OSError, ValueError, KeyError):
                tokens = None
        if tokens is None:
            tokens = [tokenize(lexical_text(r.index_text or r.text)) for r in records]
            if cache:
                try:
                    cache.parent.mkdir(parents=True, exist_ok=True)
                    for old in cache.parent.glob("*.json"):
                        if old != cache:
                            old.unlink(missing_ok=True)
                    tmp = cache.with_suffix(".tmp")
                    tmp.write_text(json.dumps({"ids": [r.id for r in records], "tokens": tokens}, ensure_ascii=False),
                                   encoding="utf-8")
                    tmp.replace(cache)
                except OSError:
                    log.warning("could not write the lexical cache %s", cache)
        return cls(col.name, records, tokens, chroma_collection=col)


# --------------------------------------------------------------------------- retriever


class HybridRetriever:
    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self._catalog = load_catalog()
        self.glossary = Glossary()
        self._lexical: LexicalIndex | None = None
        self._lock = threading.Lock()
        self._checked: str | None = None

    # ------------------------------------------------------------------ state
    def _ready(self) -> LexicalIndex:
        """Refuse a missing index or a foreign embedder, (re)load BM25 when the collection changed. The Engine builds
        a missing index before it makes a retriever (Engine.ensure_index); the retriever never builds one."""
        with self._lock:
            active = self.store.active_name()
            if not active:
                raise IndexStateError("索引がまだありません。", hint="`pia index` を実行してください")
            if self._checked != active:
                self.store.check_embedder()
                self._checked = active
            if self._lexical is None or self._lexical.collection != active:
                self._lexical = LexicalIndex.load(self.store, Path(self.settings.data_dir) / "lexical")
            return self._lexical

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    def records(self, kind: str) -> list[Record]:
        """Every record of one kind in the index, as the lexical index holds them (in memory, reloaded when the
        collection changes): no store round trip."""
        return [r for r in self._ready().records if r.kind == kind]

    def warm(self) -> None:
        """Load everything a first query needs (models, BM25), so that the first answer is fast."""
        self._ready()
        self.store.embedder.embed_query("ウォームアップ")

    # ------------------------------------------------------------------ search
    def search(self, query: str, kind: str | None = None, k: int = 10, mode: str = "hybrid") -> list[SearchHit]:
        """Best records for a query, best first. mode "lexical"/"dense" run one side alone (for `pia eval`)."""
        if kind is not None and kind not in KINDS:
            raise PiaError(f"種類 {kind} は指定できません。",
                           hint="checkpoint, finding, remark, guideline のいずれかです")
        if mode not in MODES:
            raise ValueError(mode)
        q = normalize_query(query or "")
        if not re.search(r"\w", q):
            raise PiaError("検索語が空です。", hint="調べたい言葉を入力してください")
        try:
            return self._search(q, kind, k, mode)
        except Exception as e:
            # another process switched the index and deleted the collection between our pointer read and query
            if type(e).__name__ != "NotFoundError":
                raise
            with self._lock:
                self._lexical = None
                self.store._cached_collection = None
            return self._search(q, kind, k, mode)

    def _search(self, q: str, kind: str | None, k: int, mode: str) -> list[SearchHit]:
        lex = self._ready()
        records = lex.records
        n = len(records)
        allowed = np.ones(n, dtype=bool) if kind is None else (lex.kinds == kind)

        fused = np.zeros(n, dtype=np.float64)
        if mode in ("hybrid", "lexical"):
            bm = self.lexical_scores(q, lex)
            bm[~allowed] = 0.0
            if mode == "lexical":
                fused += np.where(bm > 0, bm, 0.0)
            elif bm.max() > 0:
                fused += LEXICAL_WEIGHT * np.clip(bm, 0.0, None) / bm.max()
        if mode in ("hybrid", "dense"):
            sims = self.dense_scores(q, kind, lex)
            if sims:
                lo, hi = min(sims.values()), max(sims.values())
                for i, sim in sims.items():
                    if mode == "dense":
                        fused[i] += max(sim, 1e-6)
                    else:  # min-max normalised over the dense pool, so both sides span 0..1
                        fused[i] += (1.0 - LEXICAL_WEIGHT) * ((sim - lo) / (hi - lo) if hi > lo else 1.0)

        if mode == "hybrid":
            refs = find_references(q, self.catalog)
            if refs:
                for i, cps in enumerate(lex.checkpoint_ids):
                    if not cps or not allowed[i]:
                        continue
                    b = max(refs.boost(c) for c in cps)
                    if b:
                        # referenced checkpoints go first; findings about them rise a little
                        fused[i] += b if lex.kinds[i] == "checkpoint" else b * 0.05
        cand = [i for i in np.argsort(-fused, kind="stable") if allowed[i] and fused[i] > 0][:k]
        return [self._hit(records[i], float(fused[i])) for i in cand]

    def lexical_scores(self, q: str, lex: LexicalIndex | None = None) -> np.ndarray:
        """BM25 of the query's own tokens plus, at a lower weight, of its glossary expansion."""
        lex = lex or self._ready()
        scores = lex.scores(tokenize(q))
        extra = self.glossary.expand(q)
        if extra:
            scores = scores + EXPANSION_WEIGHT * lex.scores([t for term in extra for t in tokenize(term)])
        return scores

    def dense_scores(self, q: str, kind: str | None = None, lex: LexicalIndex | None = None) -> dict[int, float]:
        """Cosine similarity of the query to the nearest records (record position -> similarity)."""
        lex = lex or self._ready()
        vec = self.store.embedder.embed_query(q)
        pool = len(lex.records) if kind is None else int((lex.kinds == kind).sum())
        sims: dict[int, float] = {}
        for rid, dist in self.store.nearest_ids(vec, min(DENSE_POOL, pool), kind=kind, collection=lex.chroma):
            i = lex.pos.get(rid)
            if i is not None:
                sims[i] = 1.0 - dist
        return sims

    @staticmethod
    def _hit(r: Record, score: float) -> SearchHit:
        hid = r.checkpoints[0] if r.kind == "checkpoint" and r.checkpoints else r.id
        return SearchHit(
            kind=r.kind, id=hid, checkpoints=r.checkpoints, text=r.text, source=r.source, score=round(score, 6),
            result=r.result, form_items=r.form_items,
        )
