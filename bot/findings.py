"""Past findings wording for reuse (`pia findings`).

search_findings ranks the indexed finding paragraphs by wording and meaning: the hybrid retriever (kind="finding",
BM25 + dense) gives a pool, and paragraphs that contain the query's words verbatim (each space-separated term, after
normalisation) move up by the share of terms they contain. Then they are filtered by checkpoint, assessing body,
review result and date. Each hit is the finding paragraph exactly
as the review sheet's parser stored it, with its source, so it can be copied as it stands.
"""

from __future__ import annotations

import re

from bot.catalog import normalize_checkpoint_id
from bot.errors import PiaError
from bot.knowledge_base import KnowledgeBase
from bot.models import FindingHit, SearchHit
from bot.text import compact, normalize

POOL_MIN = 50
POOL_FACTOR = 10


class BadFilterError(PiaError):
    pass


def parse_date_bound(value: str | None, *, end: bool) -> str | None:
    """'2025-09-30', '2025/9/30', '令和7年9月30日', '2025-09', '2025' -> ISO date (the first or last day for a
    bound)."""
    if value is None or not str(value).strip():
        return None
    from bot.wareki import find_date

    s = normalize(str(value)).strip()
    iso = find_date(s)
    if iso:
        return iso
    m = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2}))?", s)
    if m:
        year, month = int(m.group(1)), m.group(2)
        if month is None:
            return f"{year:04d}-12-31" if end else f"{year:04d}-01-01"
        mm = int(month)
        if not 1 <= mm <= 12:
            raise BadFilterError(f"日付「{value}」の月が正しくありません",
                                 hint="例: 2025-09-30、2025-09、令和7年9月30日")
        if end:
            import calendar

            return f"{year:04d}-{mm:02d}-{calendar.monthrange(year, mm)[1]:02d}"
        return f"{year:04d}-{mm:02d}-01"
    raise BadFilterError(f"日付「{value}」を読み取れません", hint="例: 2025-09-30、2025-09、令和7年9月30日")


def _hit_date(hit: SearchHit) -> str | None:
    from bot.wareki import find_date

    d = hit.source.date if hit.source else None
    return find_date(d) if d else None


def search_findings(
    engine: KnowledgeBase,
    query: str,
    checkpoint: str | None = None,
    agency: str | None = None,
    result: str | None = None,
    since: str | None = None,
    until: str | None = None,
    k: int = 10,
) -> list[FindingHit]:
    """Past findings closest to `query`, best first, filtered; at most k."""
    cid = None
    if checkpoint is not None and str(checkpoint).strip():
        cid = normalize_checkpoint_id(str(checkpoint))
        if cid is None:
            raise BadFilterError(f"細目の指定「{checkpoint}」を読み取れません",
                                 hint="例: --checkpoint 41、--checkpoint V5")
    lo, hi = parse_date_bound(since, end=False), parse_date_bound(until, end=True)
    if lo and hi and lo > hi:
        raise BadFilterError(f"期間の指定が逆です（{since} ～ {until}）",
                             hint="--since は --until より前の日付にしてください")
    k = max(1, int(k))
    text = (query or "").strip()
    if not text and cid:
        cp = engine.catalog.checkpoint(cid) or engine.catalog.viewpoint(cid)
        text = cp.text if cp else cid
    pool = max(POOL_MIN, k * POOL_FACTOR)
    hits = engine.search(text, kind="finding", k=pool)
    terms = [compact(t) for t in normalize(query or "").split() if compact(t)]

    agency_key = compact(agency) if agency else None
    result_key = compact(result) if result else None
    out: list[FindingHit] = []
    for h in hits:
        if cid and cid not in h.checkpoints:
            continue
        if agency_key and agency_key not in compact(" ".join(filter(None, [h.source.agency, h.source.title]))):
            continue
        if result_key and result_key not in compact(h.result or ""):
            continue
        if lo or hi:
            d = _hit_date(h)
            if d is None or (lo and d < lo) or (hi and d > hi):
                continue
        score = float(h.score) + wording_score(terms, h.text)
        out.append(FindingHit(text=h.text, checkpoints=list(h.checkpoints), result=h.result, source=h.source,
                              score=round(score, 6)))
    out.sort(key=lambda f: -f.score)  # stable: the retriever's order among equal wording
    return out[:k]


def wording_score(terms: list[str], text: str) -> float:
    """Share of the query's terms that the paragraph contains verbatim (0..1)."""
    if not terms:
        return 0.0
    body = compact(text)
    return sum(1 for t in terms if t in body) / len(terms)
