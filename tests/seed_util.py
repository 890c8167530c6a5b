"""Helpers for my tests: an engine on a fresh data dir, and the seed review sheet's finding paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

from bot.resources import bundled_sources
from bot.text import compact

ROOT = Path(__file__).resolve().parents[1]
_P_BLOCK = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_PARA_SPLIT = re.compile(r"(?<=。)[ \t\u3000]{2,}")


def make_engine(data_dir: Path, **overrides):
    from bot.engine import Engine
    from bot.settings import Settings

    values = {"pia_data_dir": data_dir, "chroma_host": None, "pia_llm": None, "pia_llm_base_url": None}
    values.update(overrides)
    return Engine(Settings(_env_file=None, **values))


def seed_review_text() -> str:
    path = next(p for p in bundled_sources() if "review" in p.name)
    return path.read_text(encoding="utf-8")


def seed_finding_paragraphs() -> set[str]:
    """Every paragraph of every 所見 cell of the seed review sheet, compacted (normalised, no white space)."""
    out: set[str] = set()
    for line in seed_review_text().splitlines():
        if "\t" not in line:
            continue
        cell = line.split("\t")[-1]
        blocks = _P_BLOCK.findall(cell) or [cell]
        for b in blocks:
            for para in _PARA_SPLIT.split(b):
                c = compact(para)
                if c.endswith("。") and len(c) > 20:
                    out.add(c)
    return out
