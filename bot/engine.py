"""The one engine behind every adapter. The CLI and the Slack bot call these methods and nothing deeper
(tests/test_layering.py keeps it so).

Each method delegates to the module that does the work; heavy parts (store, embedder, BM25) load lazily and once.
The Engine is also the `KnowledgeBase` (bot/knowledge_base.py) the services are given: they search through it.
The first method that needs the index builds it from the bundled knowledge if it is missing (`ensure_index`); the
retriever never builds one itself.

Bounded input: a question, a search or a findings query is cut to PIA_MAX_QUERY_CHARS (2,000 by default) here,
before any tokenizer, embedder or LLM sees it; `ask` then opens its answer with a note saying so, and the adapters
say it for searches (`query_note`). Thread history is bounded too (MAX_HISTORY_TURNS turns of at most a quarter of
the limit each), so a long thread cannot grow a follow-up query without end.

Drafts never become knowledge: `index` screens every file that is not bundled with the draft reader
(`refuse_drafts`), whatever path it comes by (a file or a folder on the command line, /pia-index, the modal).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.catalog import Catalog, load_catalog
from bot.errors import DraftRefusedError, NotAnAssessmentError
from bot.models import (
    Answer,
    CheckReport,
    DraftDocument,
    DraftField,
    FieldVerdict,
    FindingHit,
    IndexedSource,
    IndexReport,
    LoadedDocument,
    PreviousRound,
    Record,
    RecordKind,
    ReviewDraft,
    ReviewSheet,
    SearchHit,
    SearchMode,
    Source,
)
from bot.settings import Settings, get_settings

if TYPE_CHECKING:
    from bot.annotate import AnnotationResult
    from bot.retrieval import HybridRetriever
    from bot.rounds import RoundStore
    from bot.store import Store

PrecedentMode = Literal["flagged", "all", "none"]
MAX_HISTORY_TURNS = 8
TRUNCATION_NOTE = "※ 質問が長いため、先頭の {limit:,} 文字だけを読んで回答しました（上限 {limit:,} 文字）。"
SEARCH_NOTE = "検索語が長いため、先頭の {limit:,} 文字だけで検索しました（上限 {limit:,} 文字）。"
# what /pia-index accepts: knowledge, never a draft
SHARED_KINDS = frozenset({"review_sheet", "minutes", "guideline"})


class Engine:
    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings or get_settings()

    @property
    def settings(self) -> Settings:
        return self._settings

    @cached_property
    def catalog(self) -> Catalog:
        return load_catalog()

    # ------------------------------------------------------------------ knowledge base (indexer/, bot/store.py)
    @cached_property
    def store(self) -> Store:
        from bot.store import open_store

        return open_store(self.settings)

    @cached_property
    def retriever(self) -> HybridRetriever:
        from bot.retrieval import HybridRetriever

        self.ensure_index()
        return HybridRetriever(self.store, self.settings)

    @property
    def embedder_name(self) -> str:
        return self.store.configured_embedder

    def ensure_index(self) -> bool:
        """Build the index from the bundled knowledge if there is none yet; True if it built one."""
        from indexer.pipeline import ensure_index

        return ensure_index(self.store)

    def warm(self) -> None:
        """Load what the first question needs (index, BM25, Sudachi, the embedder, answer templates) now, so that
        the first question is answered quickly; a missing index is built first (ensure_index: one process at a
        time per data dir)."""
        self.retriever.warm()
        if self.settings.pia_llm:  # no LLM call just to warm up: the retriever is the slow part to load
            self.search("特定個人情報保護評価書", k=1)
        else:
            self.ask("再委託先の監督はどこに書く？")

    def index(self, paths: list[Path] | None = None, rebuild: bool = False, *, kinds: set[str] | None = None,
              wait: float | None = None) -> IndexReport:
        """Index the bundled knowledge plus `paths`. Drafts are refused (DraftRefusedError); `kinds` limits what
        is accepted (Slack: SHARED_KINDS); `wait` seconds for another run's lock (default PIA_INDEX_WAIT)."""
        from indexer.pipeline import index_paths

        report = index_paths(self.store, paths or [], rebuild=rebuild, screen=self.refuse_drafts, kinds=kinds,
                             wait=wait)
        self.__dict__.pop("retriever", None)
        return report

    def source_kind(self, path: Path, display_name: str | None = None, kinds: set[str] | None = None) -> str:
        """What kind of knowledge a file is, refusing drafts and kinds outside `kinds`, without indexing it."""
        from indexer.pipeline import inspect_file

        return inspect_file(Path(path), display_name or Path(path).name, screen=self.refuse_drafts, kinds=kinds)

    @staticmethod
    def refuse_drafts(document: LoadedDocument, kind: str, name: str) -> None:
        """Raise DraftRefusedError for a document the draft reader recognises as a 全項目評価書 draft. A document the
        indexer's classifier reads as a review sheet or minutes is not one (a review sheet quotes the form's
        section labels, which the reader alone would take for a draft's)."""
        if kind in ("review_sheet", "minutes"):
            return
        from bot.draft import DRAFT_FORMATS, read_text_pages

        fmt = document.format if document.format in DRAFT_FORMATS else "txt"  # html: read as text
        try:
            read_text_pages(document.pages, fmt, name)
        except NotAnAssessmentError:
            return
        raise DraftRefusedError(f"「{name}」は全項目評価書の案です。評価書の案は索引に追加できません。",
                                hint="共有ナレッジには審査書・議事録・指針などだけを追加してください。"
                                     "評価書の案の確認は pia check（Slack では /pia-check）で行えます")

    def remove_source(self, path: str) -> int:
        from indexer.pipeline import remove_source

        n = remove_source(self.store, path)
        self.__dict__.pop("retriever", None)
        return n

    def sources(self) -> list[IndexedSource]:
        self.ensure_index()
        return self.store.sources()

    def built_with(self) -> str | None:
        """The embedder the index was built with (None: no index yet)."""
        return self.store.built_with()

    def record_count(self) -> int:
        return int(self.store.info().get("count", 0))

    # ------------------------------------------------------------------ bounded input
    @property
    def max_query_chars(self) -> int:
        return int(self.settings.pia_max_query_chars)

    def bound_query(self, text: str) -> tuple[str, bool]:
        """(text cut to the query limit, whether it was cut)."""
        limit = self.max_query_chars
        text = text or ""
        return (text[:limit], True) if len(text) > limit else (text, False)

    def query_note(self, text: str, *, answer: bool = False) -> str | None:
        """The note an adapter shows when `text` is over the limit (None when it is not)."""
        if len(text or "") <= self.max_query_chars:
            return None
        template = TRUNCATION_NOTE if answer else SEARCH_NOTE
        return template.format(limit=self.max_query_chars)

    def bound_history(self, history: list[str] | None) -> list[str] | None:
        if not history:
            return history
        per_turn = max(100, self.max_query_chars // 4)
        return [h[:per_turn] for h in history[-MAX_HISTORY_TURNS:]]

    def search(self, query: str, kind: RecordKind | None = None, k: int = 10,
               mode: SearchMode = "hybrid") -> list[SearchHit]:
        query, _ = self.bound_query(query)
        return self.retriever.search(query, kind=kind, k=k, mode=mode)

    def records(self, kind: RecordKind) -> list[Record]:
        return self.retriever.records(kind)

    def parse_review(self, path: Path) -> ReviewSheet:
        """One review sheet read and parsed, not indexed (`pia parse-review`)."""
        from indexer.pipeline import read_review_sheet

        return read_review_sheet(Path(path))

    def parse_review_text(self, text: str, source: Source) -> ReviewSheet:
        from indexer.review_parser import parse_review_sheet

        return parse_review_sheet(text, source)

    # ------------------------------------------------------------------ answers (bot/answer.py)
    def ask(self, question: str, history: list[str] | None = None,
            on_text: Callable[[str], None] | None = None) -> Answer:
        """The answer to a question. With an LLM configured and `on_text` given, the model's sentences go to
        `on_text` as soon as they pass the citation check (for streaming into Slack)."""
        from bot.answer import answer_question

        bounded, cut = self.bound_query(question)
        answer = answer_question(self, bounded, history=self.bound_history(history), on_text=on_text)
        note = self.query_note(question, answer=True) if cut else None
        if note:
            answer.answer = f"{note}\n\n{answer.answer}"
        return answer

    def explain_checkpoint(self, checkpoint_id: str) -> Answer:
        from bot.answer import explain_checkpoint

        return explain_checkpoint(self, checkpoint_id)

    # ------------------------------------------------------------------ drafts (bot/draft, bot/checker)
    def read_draft(self, path: Path, display_name: str | None = None) -> tuple[DraftDocument, list[DraftField]]:
        from bot.draft import read_draft

        return read_draft(Path(path), display_name)

    def check(self, path: Path, display_name: str | None = None, precedents: PrecedentMode = "flagged") -> CheckReport:
        from bot.checker import check_draft
        from bot.errors import NotAnAssessmentError
        from bot.reports.xlsx import is_check_report
        from bot.resources import knowledge_yaml

        path = Path(path)
        if path.suffix.lower() == ".xlsx" and is_check_report(path):  # a report quotes enough labels to pass
            message = knowledge_yaml("check_messages.yaml")["reader"]["check_report"]
            raise NotAnAssessmentError(message.format(name=display_name or path.name))
        return check_draft(self, path, display_name=display_name, precedents=precedents)

    def judge_field(self, field_id: str, text: str, checkpoint_id: str | None = None) -> FieldVerdict:
        """One text judged as the value of one form field, exactly as `pia check` judges that field (for a
        checkpoint added for one body, as that checkpoint judges the text about its topic)."""
        from bot.checker import judge_field_text

        return judge_field_text(field_id, text, self.catalog.checkpoint(checkpoint_id) if checkpoint_id else None)

    # ------------------------------------------------------------------ review rounds (bot/rounds.py, bot/annotate.py)
    def previous_round(self, path: Path) -> PreviousRound:
        """The round to compare with (`--since OLD`): the xlsx report of the previous check (its hidden round sheet
        and the 審査側コメント / 作成側の対応 written in it), or the previous draft, checked again in memory."""
        from bot.reports.xlsx import is_check_report, read_round
        from bot.round_record import record_of

        path = Path(path)
        if path.suffix.lower() == ".xlsx" and is_check_report(path):
            record, notes = read_round(path)
            return PreviousRound(source="report", name=path.name, record=record, notes=notes)
        return PreviousRound(source="draft", name=path.name, record=record_of(self.check(path, precedents="none")))

    def compare_rounds(self, report: CheckReport, previous: PreviousRound) -> CheckReport:
        """The report with `changes` (fixed/new/still) and the previous report's comments carried forward."""
        from bot.rounds import apply_round

        return apply_round(report, previous)

    def annotate(self, report: CheckReport, path: Path, output: Path) -> AnnotationResult:
        """A copy of the drafter's .docx/.xlsx with one comment per flagged checkpoint of `report`."""
        from bot.annotate import annotate

        return annotate(report, Path(path), Path(output))

    @cached_property
    def rounds(self) -> RoundStore:
        from bot.rounds import RoundStore

        return RoundStore(self.settings.data_dir, self.settings.pia_round_retention_days)

    def recall_round(self, report: CheckReport, *, thread: str | None, owner: str | None) -> CheckReport | None:
        """The report compared with the last round kept for this thread, or for this owner and 評価書名 (Slack);
        None when there is none within the retention period."""
        from bot.rounds import apply_round

        record = self.rounds.recall(thread=thread, owner=owner, title=report.document.title)
        if record is None:
            return None
        return apply_round(report, PreviousRound(source="store", record=record))

    def remember_round(self, report: CheckReport, *, thread: str | None, owner: str | None) -> None:
        """Keep this check's statuses and field hashes (no text) for the next round, for the retention period."""
        from bot.round_record import record_of

        self.rounds.remember(record_of(report), thread=thread, owner=owner, title=report.document.title)

    # ------------------------------------------------------------------ secretariat (bot/findings.py, bot/review.py)
    def findings(self, query: str, checkpoint: str | None = None, agency: str | None = None, k: int = 10,
                 **filters: str | None) -> list[FindingHit]:
        from bot.findings import search_findings

        query, _ = self.bound_query(query)
        return search_findings(self, query, checkpoint=checkpoint, agency=agency, k=k, **filters)

    def review(self, path: Path) -> ReviewDraft:
        from bot.review import draft_review_sheet

        report = self.check(Path(path))
        return draft_review_sheet(self, Path(path), report=report)

    def write_review(self, sheet: ReviewDraft, fmt: str, output: Path) -> Path:
        """Write a review sheet (national) or a 第三者点検 checklist (local) as xlsx, docx or md."""
        from bot.review_writers import write_review

        return write_review(sheet, fmt, Path(output))

    def render_review_md(self, sheet: ReviewDraft) -> str:
        from bot.review_writers import render_md

        return render_md(sheet)
