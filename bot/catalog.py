"""The checkpoint catalog, the form structure and the glossary, loaded from `knowledge/` into models."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.models import Checkpoint, Consideration, GlossaryEntry, Viewpoint
from bot.resources import knowledge_yaml
from bot.text import normalize


class Catalog:
    """12 viewpoints, 10 considerations and the numbered checkpoints, looked up by id."""

    def __init__(self, viewpoints: list[Viewpoint], considerations: list[Consideration], checkpoints: list[Checkpoint]):
        self.viewpoints = viewpoints
        self.considerations = considerations
        self.checkpoints = checkpoints
        self._by_id: dict[str, Checkpoint] = {c.id: c for c in checkpoints}
        self._vp: dict[str, Viewpoint] = {v.id: v for v in viewpoints}
        self._cons: dict[str, Consideration] = {c.id: c for c in considerations}

    def checkpoint(self, cid: str) -> Checkpoint | None:
        return self._by_id.get(normalize_checkpoint_id(cid) or "")

    def viewpoint(self, vid: str) -> Viewpoint | None:
        return self._vp.get(normalize_checkpoint_id(vid) or "")

    def consideration(self, c: str) -> Consideration | None:
        return self._cons.get(c)

    def ids(self) -> list[str]:
        """Every numbered checkpoint id, then every viewpoint id."""
        return [c.id for c in self.checkpoints] + [v.id for v in self.viewpoints]

    def title(self, cid: str) -> str:
        cp = self.checkpoint(cid)
        if cp:
            return cp.title
        vp = self.viewpoint(cid)
        return vp.title if vp else cid

    def section(self, cid: str) -> str:
        cp = self.checkpoint(cid)
        if cp:
            return cp.section
        vp = self.viewpoint(cid)
        return "、".join(vp.sections) if vp else ""

    def with_extra(self, extra: list[Checkpoint]) -> Catalog:
        """A catalog that also knows body-specific checkpoints brought by review sheets (⑩, 74 and up)."""
        known = dict(self._by_id)
        for cp in extra:
            known.setdefault(cp.id, cp)
        cps = sorted(known.values(), key=lambda c: c.number)
        return Catalog(self.viewpoints, self.considerations, cps)


_CP_ID = re.compile(r"^(?:V|Ｖ|v)?\s*\(?(\d{1,3})\)?$")


def normalize_checkpoint_id(cid: str) -> str | None:
    """'41', '４１', 'V3', '(3)' -> canonical id; None if it is not one."""
    s = normalize(str(cid)).strip()
    m = re.match(r"^[Vv]\s*\(?(\d{1,2})\)?$", s)
    if m:
        return f"V{int(m.group(1))}"
    m = re.match(r"^\((\d{1,2})\)$", s)
    if m:
        return f"V{int(m.group(1))}"
    m = re.match(r"^(\d{1,3})$", s)
    if m:
        return str(int(m.group(1)))
    return None


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    data = knowledge_yaml("catalog.yaml")
    return Catalog(
        [Viewpoint(**v) for v in data["viewpoints"]],
        [Consideration(**c) for c in data["considerations"]],
        [Checkpoint(**c) for c in data["checkpoints"]],
    )


@lru_cache(maxsize=1)
def load_glossary() -> list[GlossaryEntry]:
    data = knowledge_yaml("glossary.yaml")
    return [GlossaryEntry(**e) for e in data["entries"]]
