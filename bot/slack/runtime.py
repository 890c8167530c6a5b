"""What every listener shares: the engine, the settings, a worker that runs engine calls with a time limit, recent
check reports (for the section buttons), and the ids of events already handled (so a Slack retry is not answered
twice). Listeners reach it as `context["pia"]` (a global middleware puts it there).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from bot.engine import Engine
from bot.errors import PiaError
from bot.models import CheckReport
from bot.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


class WorkTimeout(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"timed out after {seconds:.0f}s")
        self.seconds = seconds


class EngineWorker:
    """Runs engine calls off the listener thread, one at a time (the engine's tokenizer and store are shared), each
    with a time limit. A call that runs over its limit keeps running in the background; the user is told at once."""

    def __init__(self, engine: Engine, max_workers: int = 2):
        self.engine = engine
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="pia-engine")
        self._lock = threading.Lock()

    def run(self, fn: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any) -> T:
        def locked() -> T:
            with self._lock:
                return fn(*args, **kwargs)

        future = self._executor.submit(locked)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout as e:
            raise WorkTimeout(timeout or 0) from e

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class ReportCache:
    """The last few check reports, in memory only, so a section button can show details. Never written to disk."""

    def __init__(self, size: int = 32, ttl: float = 6 * 3600):
        self._items: OrderedDict[str, tuple[float, CheckReport, str]] = OrderedDict()
        self._size, self._ttl = size, ttl
        self._lock = threading.Lock()

    def put(self, report: CheckReport, owner: str) -> str:
        key = uuid.uuid4().hex[:12]
        with self._lock:
            self._items[key] = (time.monotonic(), report, owner)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return key

    def get(self, key: str) -> tuple[CheckReport, str] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > self._ttl:
                self._items.pop(key, None)
                return None
            return item[1], item[2]


class SeenEvents:
    """Event ids already accepted. Slack retries an event (X-Slack-Retry-Num) when the first ack was late."""

    def __init__(self, size: int = 2048):
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        with self._lock:
            if event_id in self._ids:
                return False
            self._ids[event_id] = None
            while len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return True


@dataclass
class BotServices:
    settings: Settings
    engine: Engine
    worker: EngineWorker
    scratch_base: Path | None = None
    reports: ReportCache = field(default_factory=ReportCache)
    seen: SeenEvents = field(default_factory=SeenEvents)
    answer_timeout: float = 120.0

    # bolt deep-copies the context for lazy listeners; the services are shared, never copied
    def __copy__(self) -> "BotServices":
        return self

    def __deepcopy__(self, memo: dict) -> "BotServices":
        return self

    def warm_up(self) -> threading.Thread:
        """Load the index and models in the background so the first question is answered quickly."""

        def run() -> None:
            try:
                if self.settings.pia_llm:  # no LLM call just to warm up: the retriever is the slow part to load
                    self.worker.run(self.engine.search, "特定個人情報保護評価書", k=1, timeout=600)
                else:
                    self.worker.run(self.engine.ask, "再委託先の監督はどこに書く？", timeout=600)
                log.info("engine warmed up")
            except Exception as e:  # noqa: BLE001 - the first real question will report the problem
                log.warning("warm-up failed: %s", type(e).__name__)

        t = threading.Thread(target=run, name="pia-warm-up", daemon=True)
        t.start()
        return t

    @property
    def check_timeout(self) -> float:
        return float(getattr(self.settings, "pia_check_timeout", 300.0))

    @property
    def max_upload_mb(self) -> int:
        return int(self.settings.pia_max_upload_mb)


def user_message(exc: BaseException, *, doing: str = "処理") -> str:
    """What happened and what to do, in Japanese, for any failure. Internal details go to the log with an id."""
    if isinstance(exc, PiaError):
        return f"{doing}できませんでした: {exc}"
    if isinstance(exc, WorkTimeout):
        return (f"{doing}が {exc.seconds:.0f} 秒以内に終わりませんでした。ファイルを分割するか、混雑していない時間に"
                "もう一度お試しください。続く場合は管理者に `pia check` での確認を依頼してください。")
    ref = uuid.uuid4().hex[:8]
    # the exception's message may quote a confidential draft: log its type and stack frames, never its text
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unexpected error during %s [ref %s]: %s\n%s", doing, ref, type(exc).__name__, frames)
    return (f"{doing}中に予期しないエラーが起きました（参照番号 {ref}）。少し待ってもう一度お試しください。"
            "解決しない場合はこの参照番号を添えて管理者に連絡してください。")
