"""What every listener shares: the engine, the settings, two bounded work pools (questions and checks), recent check
reports (for the section buttons), the ids of events already handled (so a Slack retry is not answered twice), the
warm-up state that /healthz reports, and the in-flight work a graceful shutdown waits for. Listeners reach it as
`context["pia"]` (a global middleware puts it there).

Why two pools: a 60-page check must never make a question wait. Questions and checks each get their own bounded
FIFO pool of worker threads; a time limit counts from when a job starts, not from when it was queued; a check that
has to wait is told its place in line. Slack I/O (reactions, posts, uploads) runs in the listener threads, so a pool
worker only ever runs engine work.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
import traceback
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

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


class PoolFull(Exception):
    """The pool's line is at its limit: the user is asked to come back later."""

    def __init__(self, pool: str, waiting: int):
        super().__init__(f"{pool}: {waiting} waiting")
        self.pool, self.waiting = pool, waiting


class ShuttingDown(Exception):
    """The bot is stopping (SIGTERM): work not started is refused, work still running at the deadline is dropped."""

    def __init__(self, started: bool = False):
        super().__init__("interrupted by shutdown" if started else "shutting down")
        self.started = started


class Job(Generic[T]):
    """One call waiting in or running on a pool. `result(timeout)` counts the timeout from the start."""

    def __init__(self, fn: Callable[..., T], args: tuple, kwargs: dict):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.started = threading.Event()
        self.done = threading.Event()
        self.started_at: float | None = None
        self._value: T | None = None
        self._error: BaseException | None = None

    def _run(self) -> None:
        self.started_at = time.monotonic()
        self.started.set()
        try:
            self._value = self.fn(*self.args, **self.kwargs)
        except BaseException as e:  # handed to the waiting listener, which turns it into a message
            self._error = e
        finally:
            self.done.set()

    def _fail(self, error: BaseException) -> None:
        """End the wait of the listener (shutdown); a running fn keeps running in the background."""
        if not self.done.is_set():
            self._error = error
            self.started.set()
            self.done.set()

    def result(self, timeout: float | None = None) -> T:
        self.started.wait()
        if timeout is not None:
            started = self.started_at if self.started_at is not None else time.monotonic()
            left = timeout - (time.monotonic() - started)
            if not self.done.wait(max(0.0, left)):
                raise WorkTimeout(timeout)
        else:
            self.done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class WorkPool:
    """A bounded FIFO pool: `workers` threads, at most `queue_limit` jobs waiting beyond them.

    Workers start taking jobs once `gate` is set (the warm-up is over), so an early question waits for the index
    instead of racing it. A job that runs over its caller's time limit keeps its thread until it ends; the pool
    starts a replacement thread meanwhile so the line keeps moving."""

    def __init__(self, name: str, workers: int, queue_limit: int, gate: threading.Event | None = None):
        self.name = name
        self.workers = max(1, workers)
        self.queue_limit = max(0, queue_limit)
        self._gate = gate
        self._queue: deque[Job] = deque()
        self._cond = threading.Condition()
        self._running: set[Job] = set()
        self._threads = 0
        self._extra = 0  # replacement threads for jobs abandoned after their time limit
        self._closed = False
        self.completed = 0
        for _ in range(self.workers):
            self._spawn()

    # ------------------------------------------------------------------ workers
    def _spawn(self) -> None:
        self._threads += 1
        threading.Thread(target=self._loop, name=f"pia-{self.name}-{self._threads}", daemon=True).start()

    def _loop(self) -> None:
        if self._gate is not None:
            self._gate.wait()
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:  # closed and nothing left
                    self._threads -= 1
                    self._cond.notify_all()
                    return
                job = self._queue.popleft()
                self._running.add(job)
                self._cond.notify_all()
            job._run()
            with self._cond:
                self._running.discard(job)
                self.completed += 1
                self._cond.notify_all()
                if self._threads > self.workers + self._extra:
                    self._threads -= 1
                    return

    # ------------------------------------------------------------------ callers
    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Job[T]:
        job: Job[T] = Job(fn, args, kwargs)
        with self._cond:
            if self._closed:
                raise ShuttingDown()
            if len(self._queue) >= self.queue_limit + self._idle():
                raise PoolFull(self.name, len(self._queue))
            self._queue.append(job)
            self._cond.notify_all()
        return job

    def _idle(self) -> int:
        return max(0, self.workers - len(self._running))

    def ahead_of(self, job: Job) -> int:
        """How many jobs run or wait before `job` (0 once it has started)."""
        with self._cond:
            try:
                i = self._queue.index(job)
            except ValueError:
                return 0
            return len(self._running) + i

    def run(self, fn: Callable[..., T], *args: Any, timeout: float | None = None,
            on_queued: Callable[[int], None] | None = None, on_started: Callable[[], None] | None = None,
            **kwargs: Any) -> T:
        """Run `fn` on the pool and wait for it. `timeout` counts from when the job starts. When the job has to
        wait, `on_queued(ahead)` is called (again whenever the line moves); `on_started()` once it has started. Both
        run in the caller's thread."""
        job = self.submit(fn, *args, **kwargs)
        if on_queued is not None or on_started is not None:
            told, wait = 0, 0.05
            while not job.started.wait(wait):
                ahead = self.ahead_of(job)
                if on_queued is not None and ahead and ahead != told:
                    told = ahead
                    on_queued(ahead)
                wait = 2.0
            if on_started is not None:
                on_started()
        try:
            return job.result(timeout)
        except WorkTimeout:
            self._abandon(job)
            raise

    def run_relayed(self, fn: Callable[..., T], *args: Any, timeout: float | None = None,
                    relay: Callable[[str], None], tick: Callable[[], None] | None = None,
                    relay_arg: str = "on_text", **kwargs: Any) -> T:
        """run() for a fn that reports text as it goes (through its `relay_arg` callback): the pieces reach `relay`
        in the caller's thread while the job runs, and `tick()` is called about every 0.1 s (to flush buffers).
        Slack I/O therefore stays out of the pool's threads."""
        pieces: queue.SimpleQueue[str] = queue.SimpleQueue()
        kwargs[relay_arg] = pieces.put
        job = self.submit(fn, *args, **kwargs)
        job.started.wait()

        def drain() -> None:
            while True:
                try:
                    relay(pieces.get_nowait())
                except queue.Empty:
                    return

        while not job.done.wait(0.1):
            drain()
            started = job.started_at or time.monotonic()
            if timeout is not None and time.monotonic() - started > timeout:
                self._abandon(job)
                raise WorkTimeout(timeout)
            if tick is not None:
                tick()
        drain()
        return job.result(0)

    def _abandon(self, job: Job) -> None:
        with self._cond:
            if job in self._running and not self._closed:
                self._extra += 1
                self._spawn()
                threading.Thread(target=self._forget, args=(job,), daemon=True).start()

    def _forget(self, job: Job) -> None:
        job.done.wait()
        with self._cond:
            self._extra -= 1
            self._cond.notify_all()

    # ------------------------------------------------------------------ state and shutdown
    def stats(self) -> dict:
        with self._cond:
            return {"workers": self.workers, "running": len(self._running), "waiting": len(self._queue),
                    "queue_limit": self.queue_limit, "completed": self.completed}

    def close(self) -> None:
        """Take no new jobs; the ones in line still run."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait_idle(self, deadline: float) -> bool:
        with self._cond:
            while self._queue or self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def cancel(self) -> int:
        """Fail every job still waiting or running (their listeners tell the users); returns how many."""
        with self._cond:
            waiting, running = list(self._queue), list(self._running)
            self._queue.clear()
            self._cond.notify_all()
        for job in waiting:
            job._fail(ShuttingDown(started=False))
        for job in running:
            job._fail(ShuttingDown(started=True))
        return len(waiting) + len(running)


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


class Flows:
    """Conversations with work in flight (a question being answered, a draft being checked), so that a shutdown
    can wait for them and tell the users whose work it had to drop."""

    def __init__(self) -> None:
        self._active: dict[int, Any] = {}
        self._cond = threading.Condition()
        self._ids = 0

    @contextlib.contextmanager
    def track(self, conv: Any) -> Iterator[None]:
        with self._cond:
            self._ids += 1
            key = self._ids
            self._active[key] = conv
        try:
            yield
        finally:
            with self._cond:
                self._active.pop(key, None)
                self._cond.notify_all()

    def __len__(self) -> int:
        with self._cond:
            return len(self._active)

    def wait_empty(self, deadline: float) -> bool:
        with self._cond:
            while self._active:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True


class ThreadMemory:
    """Channel threads the bot takes part in (it started them, was mentioned or answered there), so a reply in
    such a thread is answered without a new @mention. In memory: a replica that does not know a thread reads it
    from Slack once (conversations.replies) and remembers the verdict (a "no" only briefly: a mention on another
    replica can turn it into a "yes")."""

    def __init__(self, size: int = 4096, no_ttl: float = 30.0):
        self._items: OrderedDict[tuple[str, str], tuple[bool, float]] = OrderedDict()
        self._size, self._no_ttl = size, no_ttl
        self._lock = threading.Lock()

    def remember(self, channel: str, thread_ts: str | None, engaged: bool = True) -> None:
        if not thread_ts:
            return
        with self._lock:
            self._items[(channel, thread_ts)] = (engaged, time.monotonic())
            self._items.move_to_end((channel, thread_ts))
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def known(self, channel: str, thread_ts: str) -> bool | None:
        with self._lock:
            item = self._items.get((channel, thread_ts))
            if item is None:
                return None
            engaged, at = item
            if not engaged and time.monotonic() - at > self._no_ttl:
                self._items.pop((channel, thread_ts), None)
                return None
            return engaged


@dataclass
class BotServices:
    settings: Settings
    engine: Engine
    scratch_base: Path | None = None
    reports: ReportCache = field(default_factory=ReportCache)
    seen: SeenEvents = field(default_factory=SeenEvents)
    flows: Flows = field(default_factory=Flows)
    threads: ThreadMemory = field(default_factory=ThreadMemory)
    answer_timeout: float | None = None
    warmed: threading.Event = field(default_factory=threading.Event)
    warm_error: str | None = None
    draining: bool = False

    def __post_init__(self) -> None:
        s = self.settings
        if self.answer_timeout is None:
            self.answer_timeout = float(s.pia_answer_timeout)
        self.questions = WorkPool("questions", s.pia_question_workers, s.pia_question_queue, gate=self.warmed)
        self.checks = WorkPool("checks", s.pia_check_workers, s.pia_check_queue, gate=self.warmed)

    @property
    def worker(self) -> WorkPool:
        """The pool questions, explanations and findings searches run on (the name listeners used before)."""
        return self.questions

    # bolt deep-copies the context for lazy listeners; the services are shared, never copied
    def __copy__(self) -> BotServices:
        return self

    def __deepcopy__(self, memo: dict) -> BotServices:
        return self

    # ------------------------------------------------------------------ warm-up and readiness
    def warm_up(self, retry_every: float = 30.0) -> threading.Thread:
        """Load the index and models in the background; the pools start taking work when it is done. The index is
        built here if there is none (indexer/pipeline.py holds the data dir's index lock, so replicas started
        together build it once and the others wait for it). A failed warm-up is retried; the pools open anyway, so
        questions get the error as a message instead of waiting."""

        def run() -> None:
            while True:
                try:
                    self.engine.warm()
                    self.warm_error = None
                    self.warmed.set()
                    log.info("engine warmed up")
                    return
                except Exception as e:  # the first real question will report the problem
                    self.warm_error = type(e).__name__
                    log.warning("warm-up failed: %s", type(e).__name__)
                    self.warmed.set()
                    if self.draining or retry_every <= 0:
                        return
                    time.sleep(retry_every)

        t = threading.Thread(target=run, name="pia-warm-up", daemon=True)
        t.start()
        return t

    @property
    def ready(self) -> bool:
        return self.warmed.is_set() and self.warm_error is None and not self.draining

    def health(self) -> tuple[int, dict]:
        """What /healthz answers: 200 only when warmed up and not shutting down."""
        if self.draining:
            state = "draining"
        elif not self.warmed.is_set():
            state = "warming"
        elif self.warm_error:
            state = "failed"
        else:
            state = "ready"
        body: dict[str, Any] = {"status": state, "pid": os.getpid(), "questions": self.questions.stats(),
                                "checks": self.checks.stats(), "in_flight": len(self.flows)}
        if self.warm_error:
            body["error"] = self.warm_error
        return (200 if state == "ready" else 503), body

    # ------------------------------------------------------------------ shutdown
    def drain(self, seconds: float | None = None) -> dict:
        """Graceful stop: take no new work, let what is in line and running finish for up to `seconds`, then fail
        the rest so each waiting listener tells its user, and give those messages a moment to go out."""
        seconds = float(self.settings.pia_drain_seconds if seconds is None else seconds)
        self.draining = True
        t0 = time.monotonic()
        deadline = t0 + seconds
        for pool in (self.questions, self.checks):
            pool.close()
        finished = all(pool.wait_idle(deadline) for pool in (self.questions, self.checks))
        dropped = 0 if finished else self.questions.cancel() + self.checks.cancel()
        # the listeners post their last messages (answers, or what was dropped)
        settled = self.flows.wait_empty(max(deadline, time.monotonic() + (5.0 if dropped else 0.0)))
        report = {"drained_s": round(time.monotonic() - t0, 2), "finished": finished, "dropped": dropped,
                  "flows_left": 0 if settled else len(self.flows)}
        log.info("drained: %s", report)
        return report

    def shutdown(self) -> None:
        self.questions.close()
        self.checks.close()

    @property
    def streams_answers(self) -> bool:
        """Answers are streamed into Slack when a language model writes them (without one they take ~30 ms)."""
        return bool(self.settings.pia_llm) and bool(self.settings.pia_stream)

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
    if isinstance(exc, PoolFull):
        return (f"ただいま混雑しているため{doing}を受け付けられませんでした（順番待ち {exc.waiting} 件）。"
                "数分おいてからもう一度お試しください。")
    if isinstance(exc, ShuttingDown):
        if exc.started:
            return (f"ボットの再起動のため、{doing}を途中で中断しました。1 分ほどおいてからもう一度お試しください。")
        return f"ボットの再起動中のため、{doing}を始められませんでした。1 分ほどおいてからもう一度お試しください。"
    ref = uuid.uuid4().hex[:8]
    # the exception's message may quote a confidential draft: log its type and stack frames, never its text
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unexpected error during %s [ref %s]: %s\n%s", doing, ref, type(exc).__name__, frames)
    return (f"{doing}中に予期しないエラーが起きました（参照番号 {ref}）。少し待ってもう一度お試しください。"
            "解決しない場合はこの参照番号を添えて管理者に連絡してください。")
