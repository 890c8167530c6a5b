"""The one engine behind every adapter. The CLI and the Slack bot call these methods and nothing deeper.

Each method delegates to the module that does the work; heavy parts (store, embedder, BM25) load lazily and once.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from bot.catalog import Catalog, load_catalog
from bot.settings import Settings, get_settings


class Engine:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()

    @cached_property
    def catalog(self) -> Catalog:
        return load_catalog()

    # ------------------------------------------------------------------ knowledge base (indexer/, bot/store.py)
    @cached_property
    def store(self):
        from bot.store import open_store

        return open_store(self.settings)

    @cached_property
    def retriever(self):
        from bot.retrieval import HybridRetriever

        return HybridRetriever(self.store, self.settings)

    def index(self, paths: list[Path] | None = None, rebuild: bool = False):
        from indexer.pipeline import index_paths

        report = index_paths(self.store, paths or [], rebuild=rebuild)
        self.__dict__.pop("retriever", None)
        return report

    def remove_source(self, path: str) -> int:
        from indexer.pipeline import remove_source

        n = remove_source(self.store, path)
        self.__dict__.pop("retriever", None)
        return n

    def sources(self):
        return self.store.sources()

    def search(self, query: str, kind: str | None = None, k: int = 10):
        return self.retriever.search(query, kind=kind, k=k)

    # ------------------------------------------------------------------ answers (bot/answer.py)
    def ask(self, question: str, history: list[str] | None = None):
        from bot.answer import answer_question

        return answer_question(self, question, history=history)

    def explain_checkpoint(self, checkpoint_id: str):
        from bot.answer import explain_checkpoint

        return explain_checkpoint(self, checkpoint_id)

    # ------------------------------------------------------------------ drafts (bot/draft, bot/checker)
    def check(self, path: Path, display_name: str | None = None):
        from bot.checker import check_draft

        return check_draft(self, Path(path), display_name=display_name)

    # ------------------------------------------------------------------ secretariat (bot/findings.py, bot/review.py)
    def findings(self, query: str, **filters):
        from bot.findings import search_findings

        return search_findings(self, query, **filters)

    def review(self, path: Path):
        from bot.review import draft_review_sheet

        return draft_review_sheet(self, Path(path))
