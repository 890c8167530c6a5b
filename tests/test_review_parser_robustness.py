"""The review-sheet parser reads the seed the same way through the damage later sheets bring: full-width digits,
ASCII roman numerals, lost <p> tags, spaces inside Japanese words, CRLF, full-width brackets."""

from __future__ import annotations

import random
import re

import pytest

from bot.resources import bundled_sources
from indexer.review_parser import parse_review_sheet

SEED = next(p for p in bundled_sources() if "review" in p.name).read_text(encoding="utf-8")


def signature(sheet):
    rows = [(r.checkpoint, r.result, r.pages, r.section) for r in sheet.rows]
    findings = sorted((tuple(f.checkpoints), re.sub(r"\s", "", f.text)[:40]) for f in sheet.findings)
    return rows, findings, sheet.meta.model_dump(), len(sheet.general_comments), len(sheet.review_remarks)


def _spaces(text: str) -> str:
    rnd = random.Random(7)
    out = []
    for ch in text:
        out.append(ch)
        if "\u4e00" <= ch <= "\u9fff" and rnd.random() < 0.05:
            out.append(" ")
    return "".join(out)


DAMAGE = {
    "full-width digits": lambda t: t.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "ASCII roman numerals": lambda t: t.replace("Ⅲ", "III").replace("Ⅱ", "II").replace("Ⅳ", "IV").replace("Ⅵ", "VI"),
    "no <p> tags": lambda t: re.sub(r"</?p>", "", t),
    "spaces inside words": _spaces,
    "CRLF": lambda t: t.replace("\n", "\r\n"),
    "full-width brackets": lambda t: t.replace("(", "（").replace(")", "）"),
}


@pytest.fixture(scope="module")
def baseline():
    return signature(parse_review_sheet(SEED))


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_same_parse_through_damage(baseline, damage):
    damaged = DAMAGE[damage](SEED)
    assert damaged != SEED
    assert signature(parse_review_sheet(damaged)) == baseline
