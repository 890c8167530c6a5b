"""Shared pieces for the Slack tests: a scripted Engine (a test double for the ENGINE only: Slack is the local fake),
draft files to upload, and a running bot (HTTP mode) wired to the fake Slack."""

from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.engine import Engine
from bot.models import (
    Answer,
    CheckpointRef,
    CheckReport,
    CheckResult,
    CheckSummary,
    Citation,
    DraftDocument,
    Evidence,
    FindingHit,
    IndexedDocument,
    IndexReport,
    Precedent,
    Reason,
    Source,
)
from bot.settings import Settings

REVIEW = Source(title="外国人の在留資格に係る許可に関する事務 全項目評価書", agency="出入国在留管理庁長官",
                date="令和7年10月8日", kind="review_sheet", path="knowledge/sources/review_isa_2025-09-30.txt")
MINUTES = Source(title="第337回個人情報保護委員会", date="2025-10-22", kind="minutes", meeting=337)
FINDING_41 = ("委託先に対しては、委託契約書において特定個人情報の取扱いに関する事項を定め、定期的に報告を求める"
              "とともに、必要に応じて実地の監査を行うこととしており、指針に適合している。")
SECRET_MARKER = "極秘ドラフト本文マーカー7Q"


def settings_for(fake_api_url: str, tmp: Path, **extra) -> Settings:
    values = {"slack_bot_token": "xoxb-fake-bot-token", "slack_app_token": "xapp-fake-app-token",
              "slack_signing_secret": "fake-signing-secret", "slack_api_url": fake_api_url,
              "pia_data_dir": tmp / "data", "pia_embedder": "hash", "pia_max_upload_mb": 2,
              "pia_indexers": "UINDEXER1", "pia_check_timeout": 20.0}
    values.update(extra)
    return Settings(_env_file=None, **values)


class ScriptedEngine(Engine):
    """An Engine whose answers are built from the real catalog here, recording what the Slack adapter passed in.
    `fail` makes every call raise; `delay` makes calls slow; `many_flags` makes a long report."""

    def __init__(self, settings: Settings, *, fail: BaseException | None = None, delay: float = 0.0,
                 many_flags: bool = False, long_answer: bool = False):
        super().__init__(settings)
        self.fail, self.delay, self.many_flags, self.long_answer = fail, delay, many_flags, long_answer
        # as a language model would: (sentences given to on_text one by one, seconds between them, llm name)
        self.stream_sentences: list[str] | None = None
        self.stream_pause = 0.0
        self.stream_llm: str | None = "openai:gpt-fake"
        self.check_delay = 0.0
        self.asked: list[tuple[str, list[str] | None]] = []
        self.checked: list[dict] = []
        self.indexed: list[Path] = []
        self.found: list[tuple[str, dict]] = []
        self._lock = threading.Lock()

    def _maybe_fail(self) -> None:
        if self.delay:
            time.sleep(self.delay)
        if self.fail is not None:
            raise self.fail

    def warm(self):
        return None  # nothing to load

    def ask(self, question, history=None, on_text=None):
        with self._lock:
            self.asked.append((question, list(history) if history else None))
        if self.stream_sentences is not None:
            return self._streamed_answer(question, on_text)
        self._maybe_fail()
        cp = self.catalog.checkpoint("41")
        text = f"「{question}」は、評価書の「{cp.section}」に記載します（細目41）。[1]"
        if self.long_answer:
            text = text + ("委託先の監督の方法、報告の頻度、監査の手順を具体的に書いてください。" * 400)
        return Answer(answer=text,
                      checkpoints=[CheckpointRef(id="41", title=cp.title, section=cp.section, score=0.9)],
                      citations=[Citation(kind="finding", text=FINDING_41, source=REVIEW, checkpoints=["41"]),
                                 Citation(kind="remark", text="委託先の監督は実効性のあるものにしていただきたい。",
                                          source=MINUTES, checkpoints=["41"])])

    def _streamed_answer(self, question, on_text):
        """An answer written sentence by sentence (each one reaching on_text as a validated sentence would), then
        `fail` if set (the model dying half-way: the extractive answer comes back instead)."""
        for sentence in self.stream_sentences or []:
            if on_text is not None:
                on_text(sentence)
            time.sleep(self.stream_pause)
        cp = self.catalog.checkpoint("41")
        refs = [CheckpointRef(id="41", title=cp.title, section=cp.section, score=0.9)]
        cites = [Citation(kind="finding", text=FINDING_41, source=REVIEW, checkpoints=["41"])]
        if self.fail is not None or self.stream_llm is None:
            return Answer(answer=f"「{question}」は細目41です。[1]（LLM による回答は使いませんでした）",
                          checkpoints=refs, citations=cites, llm=None)
        return Answer(answer="".join(self.stream_sentences or []).strip(), checkpoints=refs, citations=cites,
                      llm=self.stream_llm)

    def explain_checkpoint(self, checkpoint_id):
        self._maybe_fail()
        cp = self.catalog.checkpoint(checkpoint_id)
        return Answer(answer=cp.text, checkpoints=[CheckpointRef(id=cp.id, title=cp.title, section=cp.section)])

    def check(self, path, display_name=None):
        path = Path(path)
        with self._lock:
            self.checked.append({"path": path, "existed": path.exists(), "bytes": path.read_bytes(),
                                 "display_name": display_name, "parent": path.parent})
        if self.check_delay:
            time.sleep(self.check_delay)
        self._maybe_fail()
        results = []
        for cid in self.catalog.ids():
            cp = self.catalog.checkpoint(cid)
            section = cp.section if cp else "Ⅰ 基本情報"
            status = "ok"
            if self.many_flags or cid in ("28", "41"):
                status = "missing" if cid == "28" else "incomplete"
            reasons = ([Reason(code="vague", message=f"{section}の記載が具体的ではありません。")]
                       if status != "ok" else [])
            precedents = [Precedent(text=FINDING_41 * (6 if self.many_flags else 1), source=REVIEW,
                                    checkpoints=[cid])] if status != "ok" else []
            evidence = [Evidence(label="記載内容", text=f"{SECRET_MARKER}（委託先を監督する。）", page=3)]
            results.append(CheckResult(id=cid, status=status, section=section, page=3, reasons=reasons,
                                       precedents=precedents, evidence=evidence))
        summary = CheckSummary(**{s: sum(1 for r in results if r.status == s)
                                  for s in ("ok", "incomplete", "missing", "not_applicable")})
        return CheckReport(document=DraftDocument(path=str(path), title=display_name, pages=12,
                                                  format=path.suffix.lstrip(".") or "txt"),
                           summary=summary, checkpoints=results, fields=[])

    def findings(self, query, **filters):
        with self._lock:
            self.found.append((query, filters))
        self._maybe_fail()
        if "該当なし" in query:
            return []
        return [FindingHit(text=FINDING_41, checkpoints=["41"], result="問題は認められない", source=REVIEW, score=0.8)]

    def index(self, paths=None, rebuild=False, *, kinds=None, wait=None):
        self._maybe_fail()
        with self._lock:
            self.indexed.extend(Path(p) for p in paths or [])
        return IndexReport(documents=[IndexedDocument(path=str(p), kind="review_sheet", records=7) for p in paths],
                           total_records=7 * len(paths), embedder="hash")


def draft_docx(marker: str = SECRET_MARKER) -> bytes:
    """A small 全項目評価書-like Word draft (used when examples/sample_complete.docx is not there)."""
    from docx import Document

    doc = Document()
    doc.add_heading("特定個人情報保護評価書（全項目評価書）", 0)
    doc.add_paragraph("評価書名: 住民基本台帳に関する事務 全項目評価書")
    doc.add_heading("Ⅰ 基本情報", 1)
    doc.add_paragraph(f"事務の内容: 住民票の写しの交付等。{marker}")
    doc.add_heading("Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策", 1)
    doc.add_paragraph("委託先の監督: 委託契約において特定個人情報の取扱いを定める。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def sample_draft() -> tuple[str, bytes]:
    """examples/sample_complete.docx when it exists, else a draft built here."""
    sample = Path(__file__).resolve().parent.parent / "examples" / "sample_complete.docx"
    if sample.exists():
        return sample.name, sample.read_bytes()
    return "draft_test.docx", draft_docx()


@dataclass
class RunningBot:
    app: object
    server: object
    engine: Engine
    scratch: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/slack/events"


def start_bot(settings: Settings, engine: Engine, scratch: Path, **kwargs) -> RunningBot:
    from bot.slack.app import create_app
    from bot.slack.server import SlackHTTPServer

    app = create_app(settings, engine, scratch_base=scratch, **kwargs)
    server = SlackHTTPServer(app, host="127.0.0.1", port=0).start()
    return RunningBot(app=app, server=server, engine=engine, scratch=scratch)
