"""Dates as Japanese documents write them (令和7年9月30日, 平成31年4月1日, 2025年9月30日) -> ISO `2025-09-30`."""

from __future__ import annotations

import datetime as _dt
import re

from bot.text import normalize

# era name -> (first Gregorian year, first day of the era)
ERAS = {
    "令和": (2019, _dt.date(2019, 5, 1)),
    "平成": (1989, _dt.date(1989, 1, 8)),
    "昭和": (1926, _dt.date(1926, 12, 25)),
}
_ERA_ABBR = {"R": "令和", "H": "平成", "S": "昭和"}

_WAREKI = re.compile(r"(令和|平成|昭和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_WAREKI_ABBR = re.compile(r"(?<![A-Za-z])([RHS])\s*(\d{1,2})[.．/](\d{1,2})[.．/](\d{1,2})(?!\d)")
_SEIREKI = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> str | None:
    """The first date in `text` as ISO `YYYY-MM-DD`, or None when there is none (or it is not a real date)."""
    if not text:
        return None
    s = normalize(text)
    candidates: list[tuple[int, str | None]] = []
    for m in _WAREKI.finditer(s):
        era, y, mo, d = m.groups()
        year = ERAS[era][0] + (1 if y == "元" else int(y)) - 1
        candidates.append((m.start(), _iso(year, int(mo), int(d))))
    for m in _WAREKI_ABBR.finditer(s):
        era, y, mo, d = m.groups()
        year = ERAS[_ERA_ABBR[era]][0] + int(y) - 1
        candidates.append((m.start(), _iso(year, int(mo), int(d))))
    for rx in (_SEIREKI, _ISO):
        for m in rx.finditer(s):
            y, mo, d = m.groups()
            candidates.append((m.start(), _iso(int(y), int(mo), int(d))))
    for _, iso in sorted(candidates, key=lambda c: c[0]):
        if iso:
            return iso
    return None


def to_iso(text: str | None) -> str | None:
    """ISO date of a date cell; the normalised raw text when it holds no parseable date; None for empty."""
    if text is None:
        return None
    raw = normalize(text).strip()
    if not raw or raw in {"—", "-", "―", "ー"}:
        return None
    return find_date(raw) or raw
