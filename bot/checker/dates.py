"""Dates and periods as drafts write them: 令和7年6月1日から令和7年6月30日まで, 令和7年6月1日～6月30日,
2025年6月1日-2025年6月30日, R7.6.1～R7.6.30, 30日間, 1か月間."""

from __future__ import annotations

import datetime as dt
import re

from bot.text import normalize
from bot.wareki import ERAS

_ERA = "|".join(ERAS)
_ABBR = {"R": "令和", "H": "平成", "S": "昭和"}
_DATE_RE = re.compile(
    rf"(?:(?P<era>{_ERA})\s*(?P<ey>元|\d{{1,2}})\s*年|(?P<y>\d{{4}})\s*年)?\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日"
    rf"|(?P<ab>[RHS])\s*(?P<aby>\d{{1,2}})[./](?P<abm>\d{{1,2}})[./](?P<abd>\d{{1,2}})"
    rf"|(?P<iy>\d{{4}})[-/.](?P<im>\d{{1,2}})[-/.](?P<id>\d{{1,2}})"
)
_DAYS_RE = re.compile(r"(\d{1,3})\s*日間")
_MONTHS_RE = re.compile(r"(\d{1,2})\s*(?:か|ヶ|ケ|ヵ|カ|箇)?\s*月間")


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str) -> list[dt.date]:
    """Every date in a text, in order. A date without a year (～6月30日) takes the year of the date before it."""
    s = normalize(text or "")
    out: list[dt.date] = []
    year: int | None = None
    for m in _DATE_RE.finditer(s):
        if m.group("ab"):
            era = _ABBR[m.group("ab")]
            y = ERAS[era][0] + int(m.group("aby")) - 1
            d = _date(y, int(m.group("abm")), int(m.group("abd")))
        elif m.group("iy"):
            y = int(m.group("iy"))
            d = _date(y, int(m.group("im")), int(m.group("id")))
        else:
            if m.group("era"):
                ey = m.group("ey")
                y = ERAS[m.group("era")][0] + (1 if ey == "元" else int(ey)) - 1
            elif m.group("y"):
                y = int(m.group("y"))
            elif year is not None:
                y = year
            else:
                continue
            d = _date(y, int(m.group("m")), int(m.group("d")))
        if d is not None:
            year = d.year
            out.append(d)
    return out


_MONTH_RE = re.compile(
    rf"(?:(?P<era>{_ERA})\s*(?P<ey>元|\d{{1,2}})\s*年|(?P<y>\d{{4}})\s*年)\s*(?P<m>\d{{1,2}})\s*月(?!\s*\d)"
)


def dated(text: str) -> list[tuple[int, dt.date, bool]]:
    """(position, date, month only) of every date in a text and of every month given without its day (令和5年8月:
    its first day), in order."""
    s = normalize(text or "")
    out = [(m.start(), d, False) for m in _DATE_RE.finditer(s) for d in find_dates(m.group(0))]
    for m in _MONTH_RE.finditer(s):
        if m.group("era"):
            ey = m.group("ey")
            y = ERAS[m.group("era")][0] + (1 if ey == "元" else int(ey)) - 1
        else:
            y = int(m.group("y"))
        d = _date(y, int(m.group("m")), 1)
        if d is not None:
            out.append((m.start(), d, True))
    return sorted(out, key=lambda t: t[0])


def find_months(text: str) -> list[dt.date]:
    """Every date in a text, and every month given without its day (its first day), in order."""
    return [d for _, d, _ in dated(text)]


def month_end(d: dt.date) -> dt.date:
    nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def stated_days(text: str) -> int | None:
    """A count of days the text states itself (「（30日間）」), or None."""
    m = _DAYS_RE.search(normalize(text or ""))
    return int(m.group(1)) if m else None


def span(text: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day a text gives (令和7年8月1日から8月30日まで), in the order written; None without two
    dates."""
    dates = find_dates(text)
    return (dates[0], dates[1]) if len(dates) >= 2 else None


def inclusive_days(start: dt.date, end: dt.date) -> int:
    """Days from start to end, both counted: 8月1日から8月30日まで = 30."""
    return (end - start).days + 1


def japanese_date(d: dt.date) -> str:
    """令和7年8月1日 (平成 and earlier years written as 2018年…)."""
    if d >= dt.date(2019, 5, 1):
        return f"令和{d.year - 2018}年{d.month}月{d.day}日"
    return f"{d.year}年{d.month}月{d.day}日"


def period_days(text: str) -> int | None:
    """Length in days of the period a text gives (both ends counted), or None when it gives none."""
    s = normalize(text or "")
    dates = find_dates(s)
    if len(dates) >= 2 and dates[1] >= dates[0]:
        return (dates[1] - dates[0]).days + 1
    m = _DAYS_RE.search(s)
    if m:
        return int(m.group(1))
    m = _MONTHS_RE.search(s)
    if m:
        return int(m.group(1)) * 30
    return None
