"""What the services (answers, checker, findings, review sheet) need from the knowledge base, as a Protocol.

The services take a `KnowledgeBase`, not the Engine itself: they sit below the Engine (tests/test_layering.py), and
the Engine is the one object that satisfies this protocol in production. Tests may pass the Engine too.
"""

from __future__ import annotations

from typing import Protocol

from bot.catalog import Catalog
from bot.models import Record, RecordKind, SearchHit, SearchMode
from bot.settings import Settings


class KnowledgeBase(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def catalog(self) -> Catalog: ...

    def search(self, query: str, kind: RecordKind | None = None, k: int = 10,
               mode: SearchMode = "hybrid") -> list[SearchHit]: ...

    def records(self, kind: RecordKind) -> list[Record]:
        """Every record of one kind in the index (e.g. all past findings)."""
        ...
