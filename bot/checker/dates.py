"""Dates and periods as drafts write them: 令和7年6月1日から令和7年6月30日まで, 令和7年6月1日～6月30日,
2025年6月1日-2025年6月30日, R7.6.1～R7.6.30, 30日間, 1か月間."""

from __future__ import annotations

import datetime as dt
import re

from bot.text import normalize
from indexer.wareki import ERAS

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
