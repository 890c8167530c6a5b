"""Past findings (所見) closest to a checkpoint, through the engine's retriever (kind="finding").

Findings attributed to the checkpoint come first; when the knowledge base has fewer than `limit` of them, findings
about checkpoints on the same item of the form (Ⅲ 2. for checkpoint 28) fill in. Results are cached on the engine:
the precedents of a checkpoint do not depend on the draft, so a warm engine checks a second draft without searching
again. Only the checkpoints that need them are searched (the flagged ones, by default).
"""

from __future__ import annotations

import logging

from bot.errors import PiaError
from bot.knowledge_base import KnowledgeBase
from bot.models import Precedent, SearchHit

log = logging.getLogger(__name__)

CACHE_ATTR = "_checker_precedents"
SEARCH_K = 12


def _query(engine: KnowledgeBase, cid: str) -> str:
    cat = engine.catalog
    cp = cat.checkpoint(cid)
    if cp is not None:
        return f"{cp.title} {cp.text}"
    vp = cat.viewpoint(cid)
    return f"{vp.title} {vp.text}" if vp is not None else cid


def _neighbours(engine: KnowledgeBase, cid: str) -> set[str]:
    """Checkpoints on the same item of the form (Ⅲ 2. for 28): their findings are the next closest precedents."""
    cat = engine.catalog
    cp = cat.checkpoint(cid)
    if cp is None or len(cp.form_path) < 2:
        return set()
    return {c.id for c in cat.checkpoints if c.form_path[:2] == cp.form_path[:2] and not c.body_specific}


def precedents_for(engine: KnowledgeBase, cid: str, limit: int = 2) -> list[Precedent]:
    cache = engine.__dict__.setdefault(CACHE_ATTR, {})
    if cid in cache:
        return cache[cid][:limit]
    hits: list[SearchHit] = engine.search(_query(engine, cid), kind="finding", k=SEARCH_K)
    own = [h for h in hits if cid in h.checkpoints]
    group = _neighbours(engine, cid)
    near = [h for h in hits if h not in own and group & set(h.checkpoints)]
    chosen = (own + near)[: max(limit, 2)]
    result = [Precedent(text=h.text, source=h.source, checkpoints=list(h.checkpoints)) for h in chosen]
    cache[cid] = result
    return result[:limit]


def attach(engine: KnowledgeBase, ids: list[str], limit: int = 2) -> tuple[dict[str, list[Precedent]], bool]:
    """(precedents of each id, whether every search ran). An index that cannot be searched (missing, built with
    another embedder, a Chroma server that does not answer) leaves them empty and returns False: the report then
    says `"degraded": ["precedents"]` instead of passing for a check that found no precedent."""
    out: dict[str, list[Precedent]] = {}
    for cid in ids:
        try:
            out[cid] = precedents_for(engine, cid, limit)
        except PiaError as e:
            log.warning("過去の所見を検索できませんでした（%s）。指摘は過去の所見なしで表示します。", e)
            return out, False
    return out, True
