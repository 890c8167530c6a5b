"""The form's number bands as ranges: 対象人数 (Ⅰ 1. ③) and 対象となる本人の数 (Ⅱ 2. ②, Ⅱ 4. ②, Ⅱ 5. ④) use
different limits, so they are compared as [low, high) ranges (rules.md "Numbers that must agree")."""

from __future__ import annotations

import math
import re

from bot.text import normalize

_NUM = r"(\d+)\s*(万)?\s*人"


def _value(number: str, man: str | None) -> int:
    return int(number) * (10000 if man else 1)


def band(option: str | None) -> tuple[float, float] | None:
    """'1万人以上10万人未満' -> (10000, 100000); '1,000人未満（任意実施）' -> (0, 1000);
    '30万人以上' -> (300000, inf)."""
    if not option:
        return None
    s = normalize(option).replace(",", "")
    low = re.search(_NUM + r"以上", s)
    high = re.search(_NUM + r"未満", s)
    if not low and not high:
        return None
    lo = _value(low.group(1), low.group(2)) if low else 0
    hi = _value(high.group(1), high.group(2)) if high else math.inf
    return (lo, hi) if lo < hi else None


def compatible_bands(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """The two ranges share at least one number of people."""
    return max(a[0], b[0]) < min(a[1], b[1])


def exceeds(part: tuple[float, float], whole: tuple[float, float]) -> bool:
    """Every count the part's band allows is above every count the whole's band allows."""
    return part[0] >= whole[1]
