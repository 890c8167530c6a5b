"""Tell what kind of document a text is, so the indexer can pick its parser."""

from __future__ import annotations

import re
from typing import Literal

from bot.text import compact, normalize

DocumentKind = Literal["review_sheet", "minutes", "guideline", "other"]

_RESULT = re.compile(r"問題は認められない|該当なし|記載する必要がある")
_TURN = re.compile(r"^\s*[○〇◯]\s*\S{1,12}?(?:委員長|委員|事務局|参事官|課長|審議官|室長)", re.MULTILINE)
_ARTICLE = re.compile(r"^\s*(?:#+\s*)?第\s*(?:\d+|[一二三四五六七八九十]+)\s*(?:条|[ 　\t]|$)", re.MULTILINE)
_GUIDELINE_TITLE = re.compile(
    r"特定個人情報保護評価(?:指針|に関する規則|指針の解説|に関するQ&A|に関するよくある質問|"
    r"書(?:[(（][^)）]{0,12}[)）])?(?:の)?記載要領)"
)

_LIMIT = 200_000


def detect_kind(text: str) -> DocumentKind:
    """"review_sheet" | "minutes" | "guideline" | "other"."""
    if not text or not text.strip():
        return "other"
    head = text[:_LIMIT]
    c = compact(head)
    # a review sheet: its table headings and at least a few results
    if (
        "主な考慮事項" in c
        and "所見" in c
        and ("審査の観点" in c or "審査結果" in c)
        and len(_RESULT.findall(c)) >= 3
    ):
        return "review_sheet"
    # minutes: several speaker turns of the Commission's members and staff
    if len(_TURN.findall(head)) >= 3 and ("委員会" in c or "議事録" in c or "出席者" in c):
        return "minutes"
    # the guideline (指針), its commentary or the rules: named in the title lines, or article-structured text
    # naming them
    titles = [compact(normalize(line)).lstrip("#") for line in head.splitlines() if line.strip()][:3]
    titled = any(_GUIDELINE_TITLE.match(t) and len(t) <= 40 for t in titles)
    if titled or (_GUIDELINE_TITLE.search(c) and len(_ARTICLE.findall(head)) >= 3):
        return "guideline"
    return "other"
