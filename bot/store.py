"""The Chroma store holding the knowledge base.

Embedded `chromadb.PersistentClient` under PIA_DATA_DIR by default; a Chroma server (`chromadb.HttpClient`) when
CHROMA_HOST is set. Telemetry is off.

Crash safety: records never change in place. Every index run (and every removal) writes a complete new data
collection, then switches the "active collection" pointer (the metadata of a small state collection, one atomic
update in both modes) and only then deletes the old collection. A run killed half-way leaves the old collection
active and untouched; the half-built one is an orphan that the next run deletes.

Each data collection records the embedder that built it; a store opened with another embedder refuses to search
or add to it (IndexStateError: run `pia index --rebuild`).

One writer at a time: `Store.index_lock()` is an exclusive lock on the knowledge base, held by every index run and
every removal. Embedded, it is an flock on PIA_DATA_DIR/index.lock (released by the kernel when the process dies);
with a Chroma server, a lock record (a collection named `<prefix>-lock`, created atomically by the server, with a
lease its holder renews) so that runs on other machines wait too. A run that finds the lock taken waits up to
PIA_INDEX_WAIT seconds, then stops with IndexBusyError (「別の索引処理が実行中です」).

Garbage: every locked run first deletes data collections that are neither active nor the state or lock (left by a
killed run), and, embedded, the segment folders under PIA_DATA_DIR/chroma that no collection owns any more (Chroma
leaves a deleted collection's HNSW folder on disk).

A Chroma server that stops answering mid-run raises StoreUnavailableError (one Japanese line, exit 2): the pointer
was not switched, so the old index is what the server holds when it comes back.

Chroma metadata cannot hold lists, so checkpoint ids are stored as one delimited string (",41,42,").
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

import numpy as np

from bot.errors import ConfigurationError, IndexBusyError, IndexStateError, PiaError, StoreUnavailableError
from bot.models import IndexedSource, Record, Source
from bot.settings import Settings

log = logging.getLogger(__name__)

REBUILD_HINT = "`pia index --rebuild` を実行して索引を作り直してください"
# In a checkpoint record's index text, the past findings attributed to it follow this line. They feed the dense
# vector (one line each) but not BM25, where long finding text drowns the checkpoint's own words.
SUPPORT_MARKER = "【過去の所見】"


def lexical_text(index_text: str) -> str:
    return index_text.split(SUPPORT_MARKER, 1)[0]


# --------------------------------------------------------------------------- record <-> chroma metadata


def encode_ids(ids: Sequence[str]) -> str:
    return "," + ",".join(ids) + "," if ids else ""


def decode_ids(value: str | None) -> list[str]:
    return [x for x in (value or "").split(",") if x]


def record_metadata(r: Record) -> dict:
    meta = {
        "kind": r.kind,
        "text": r.text,
        "checkpoints": encode_ids(r.checkpoints),
        "source_kind": r.source.kind,
        "source_title": r.source.title,
        "source_agency": r.source.agency,
        "source_date": r.source.date,
        "source_path": r.source.path,
        "source_key": r.source.key,
        "meeting": r.source.meeting,
        "source_place": r.source.place,
        "result": r.result,
        "group": r.group,
        "form_items": "\x1f".join(r.form_items) if r.form_items else None,
    }
    return {k: v for k, v in meta.items() if v is not None and v != ""}


def record_from_chroma(rid: str, document: str | None, meta: dict | None) -> Record:
    meta = meta or {}
    return Record(
        id=rid,
        kind=meta.get("kind", "guideline"),
        text=meta.get("text", document or ""),
        index_text=document or "",
        checkpoints=decode_ids(meta.get("checkpoints")),
        source=Source(
            title=meta.get("source_title"),
            agency=meta.get("source_agency"),
            date=meta.get("source_date"),
            path=meta.get("source_path"),
            key=meta.get("source_key"),
            kind=meta.get("source_kind", "other"),
            meeting=meta.get("meeting"),
            place=meta.get("source_place"),
        ),
        result=meta.get("result"),
        group=meta.get("group"),
        form_items=[x for x in (meta.get("form_items") or "").split("\x1f") if x],
    )


@dataclass
class DenseHit:
    record: Record
    distance: float


# --------------------------------------------------------------------------- faults


def _is_transport_error(exc: BaseException) -> bool:
    """A connection refused, reset or timed out (httpx under chromadb.HttpClient), anywhere in the cause chain."""
    try:
        import httpx

        kinds: tuple[type[BaseException], ...] = (httpx.TransportError, ConnectionError, TimeoutError)
    except ImportError:  # pragma: no cover - chromadb depends on httpx
        kinds = (ConnectionError, TimeoutError)
    seen = 0
    e: BaseException | None = exc
    while e is not None and seen < 8:
        if isinstance(e, kinds):
            return True
        e = e.__cause__ or e.__context__
        seen += 1
    return False


def _is_missing(exc: BaseException) -> bool:
    return type(exc).__name__ == "NotFoundError" or (isinstance(exc, ValueError) and "does not exist" in str(exc))


def _already_exists(exc: BaseException) -> bool:
    return "already exists" in str(exc)


_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


# --------------------------------------------------------------------------- store


class Store:
    """One knowledge base in one Chroma (embedded or server)."""

    def __init__(self, client, settings: Settings, *, mode: str):
        self.client = client
        self.settings = settings
        self.mode = mode  # "embedded" | "server"
        self.prefix = settings.pia_collection
        self.state_name = f"{self.prefix}-state"
        self.lock_name = f"{self.prefix}-lock"
        self._cached_collection = None

    # ------------------------------------------------------------------ faults
    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn a Chroma server that stopped answering into one clear error (the old index stays as it was)."""
        try:
            yield
        except PiaError:
            raise
        except Exception as e:
            if self.mode == "server" and _is_transport_error(e):
                host, port = self.settings.chroma_host, self.settings.chroma_port
                raise StoreUnavailableError(
                    f"Chroma サーバー {host}:{port} との接続が切れました。"
                    "索引は切り替えていません（以前の索引のままです）。",
                    hint="サーバーが動いているか確認してから、もう一度実行してください",
                ) from e
            raise

    # ------------------------------------------------------------------ embedder
    @cached_property
    def embedder(self):
        from bot.embeddings import get_embedder

        return get_embedder(self.settings.pia_embedder)

    @property
    def configured_embedder(self) -> str:
        """The configured embedder's name (Embedder.name equals the PIA_EMBEDDER value), known without loading it."""
        return self.settings.pia_embedder.strip() or "use"

    # ------------------------------------------------------------------ pointer
    def _state(self):
        with self._guard():
            return self.client.get_or_create_collection(self.state_name, embedding_function=None)

    def active_name(self) -> str | None:
        """The active data collection's name; None only when nothing was indexed yet (never on a fault: a pointer
        read that failed must not look like an empty knowledge base, or a run would rebuild it from the bundled
        knowledge alone)."""
        with self._guard():
            try:
                meta = self.client.get_collection(self.state_name, embedding_function=None).metadata or {}
            except Exception as e:
                if _is_missing(e):
                    return None
                raise
        return meta.get("active") or None

    def _set_active(self, name: str | None) -> None:
        meta = {"active": name or "", "updated": datetime.now(UTC).isoformat()}
        state = self._state()
        with self._guard():
            state.modify(metadata=meta)

    def collection(self):
        """The active data collection, or None when nothing was indexed yet."""
        name = self.active_name()
        if not name:
            return None
        cached = self._cached_collection
        if cached is not None and cached.name == name:
            return cached
        with self._guard():
            try:
                col = self.client.get_collection(name, embedding_function=None)
            except Exception as e:
                if not _is_missing(e):
                    raise
                raise IndexStateError(f"索引の状態が壊れています（{name} が見つかりません）。",
                                      hint=REBUILD_HINT) from e
        self._cached_collection = col
        return col

    def exists(self) -> bool:
        return self.collection() is not None

    def info(self) -> dict:
        col = self.collection()
        if col is None:
            return {}
        with self._guard():
            return dict(col.metadata or {}) | {"collection": col.name, "count": col.count()}

    def built_with(self) -> str | None:
        col = self.collection()
        return (col.metadata or {}).get("embedder") if col is not None else None

    def check_embedder(self) -> None:
        """Refuse to mix embedders: the index must have been built by the configured one."""
        built = self.built_with()
        if built is not None and built != self.configured_embedder:
            raise IndexStateError(
                f"索引は埋め込みモデル「{built}」で作られていますが、現在の設定は「{self.configured_embedder}」です。",
                hint=REBUILD_HINT,
            )

    # ------------------------------------------------------------------ reading
    def records(self, *, where: dict | None = None, with_embeddings: bool = False,
                collection=None) -> tuple[list[Record], np.ndarray | None]:
        col = collection if collection is not None else self.collection()
        if col is None:
            return [], None
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        out: list[Record] = []
        embs: list[np.ndarray] = []
        with self._guard():
            total = col.count()
        page = 5000
        for offset in range(0, total, page):
            with self._guard():
                got = col.get(where=where, include=include, limit=page, offset=offset)
            for i, rid in enumerate(got["ids"]):
                out.append(record_from_chroma(rid, got["documents"][i], got["metadatas"][i]))
            if with_embeddings and len(got["ids"]):
                embs.append(np.asarray(got["embeddings"], dtype=np.float32))
        if with_embeddings:
            return out, (np.concatenate(embs) if embs else np.zeros((0, 0), dtype=np.float32))
        return out, None

    def all_records(self) -> list[Record]:
        return self.records()[0]

    def dense_search(self, vector: np.ndarray, n: int, kind: str | None = None) -> list[DenseHit]:
        col = self.collection()
        if col is None:
            return []
        with self._guard():
            n = min(n, col.count())
            if n <= 0:
                return []
            got = col.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=n,
                where={"kind": kind} if kind else None,
                include=["documents", "metadatas", "distances"],
            )
        hits = []
        for i, rid in enumerate(got["ids"][0]):
            rec = record_from_chroma(rid, got["documents"][0][i], got["metadatas"][0][i])
            hits.append(DenseHit(rec, float(got["distances"][0][i])))
        return hits

    def nearest_ids(self, vector: np.ndarray, n: int, kind: str | None = None,
                    collection=None) -> list[tuple[str, float]]:
        """(record id, cosine distance) of the n nearest records: the fast path of dense search."""
        col = collection if collection is not None else self.collection()
        if col is None or n <= 0:
            return []
        with self._guard():
            got = col.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=n,
                where={"kind": kind} if kind else None,
                include=["distances"],
            )
        return list(zip(got["ids"][0], (float(d) for d in got["distances"][0]), strict=True))

    def sources(self) -> list[IndexedSource]:
        """What the index holds, one entry per source document (its identity key), bundled knowledge first."""
        by_path: dict[str, IndexedSource] = {}
        for r in self.all_records():
            key = r.source.key or r.source.path or "(unknown)"
            entry = by_path.get(key)
            if entry is None:
                entry = by_path[key] = IndexedSource(**r.source.model_dump(), records=0)
            entry.records += 1
        return sorted(by_path.values(), key=lambda s: (not (s.path or "").startswith("knowledge/"), s.path or ""))

    # ------------------------------------------------------------------ writing (copy-on-write)
    def begin_build(self, embedder_name: str, dim: int) -> Build:
        """A new, empty data collection (call under index_lock(): the garbage collection assumes one writer)."""
        self.collect_garbage()
        name = f"{self.prefix}-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        with self._guard():
            col = self.client.create_collection(
                name,
                embedding_function=None,
                metadata={
                    "hnsw:space": "cosine",
                    "embedder": embedder_name,
                    "dim": int(dim),
                    "created": datetime.now(UTC).isoformat(),
                },
            )
        return Build(self, col)

    def _is_data_name(self, name: str) -> bool:
        """`<prefix>-<YYYYmmddHHMMSS>-<6 hex>`: this knowledge base's data collections (not the state or the lock,
        nor the collections of another prefix such as `<prefix>-test-…` on a shared server)."""
        return re.fullmatch(re.escape(self.prefix) + r"-\d{14}-[0-9a-f]{6}", name) is not None

    def _collection_names(self) -> list[str]:
        with self._guard():
            return [c if isinstance(c, str) else c.name for c in self.client.list_collections()]

    def collect_garbage(self) -> list[str]:
        """Delete what interrupted runs left behind: data collections that are not active, and (embedded) the
        segment folders no collection owns. Only under index_lock(): a collection being built by another run would
        look orphaned too."""
        active = self.active_name()
        removed = []
        for name in self._collection_names():
            if self._is_data_name(name) and name != active:
                try:
                    with self._guard():
                        self.client.delete_collection(name)
                    removed.append(name)
                except StoreUnavailableError:
                    raise
                except Exception:  # another process may have removed it already
                    pass
        if removed:
            log.info("removed %d orphaned collections", len(removed))
        if self.mode == "embedded":
            folders = self.collect_segment_folders()
            if folders:
                log.info("removed %d orphaned segment folders", len(folders))
        return removed

    def collect_segment_folders(self) -> list[str]:
        """Embedded Chroma keeps each vector segment in a folder named by its id, and leaves the folder behind when
        the collection is deleted (or when a run is killed). Remove the folders whose id no segment has."""
        root = self.settings.data_dir / "chroma"
        db = root / "chroma.sqlite3"
        if not db.is_file():
            return []
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
            try:
                live = {str(row[0]) for row in con.execute("SELECT id FROM segments")}
            finally:
                con.close()
        except sqlite3.Error as e:  # another Chroma version's schema: leave the folders alone
            log.warning("could not read Chroma's segment list (%s); orphaned folders are kept", type(e).__name__)
            return []
        removed = []
        for d in root.iterdir():
            if d.is_dir() and _SEGMENT_DIR.match(d.name) and d.name not in live:
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d.name)
        return removed

    def data_collections(self) -> list[str]:
        return sorted(n for n in self._collection_names() if self._is_data_name(n))

    # ------------------------------------------------------------------ one writer at a time
    def index_lock(self, wait: float | None = None, on_wait: Callable[[float], None] | None = None) -> IndexLock:
        """The knowledge base's exclusive lock (a context manager; reentrant within one thread)."""
        return IndexLock(self, self.settings.pia_index_wait if wait is None else wait, on_wait)


class Build:
    """A data collection being filled; becomes active on commit()."""

    def __init__(self, store: Store, collection):
        self.store = store
        self.collection = collection
        self.count = 0

    @property
    def name(self) -> str:
        return self.collection.name

    def add(self, records: Sequence[Record], embeddings: np.ndarray) -> None:
        if not records:
            return
        with self.store._guard():
            batch = max(1, min(1000, self.store.client.get_max_batch_size()))
        for i in range(0, len(records), batch):
            part = records[i : i + batch]
            with self.store._guard():
                self.collection.add(
                    ids=[r.id for r in part],
                    embeddings=np.asarray(embeddings[i : i + batch], dtype=np.float32),
                    documents=[r.index_text or r.text for r in part],
                    metadatas=[record_metadata(r) for r in part],
                )
        self.count += len(records)

    def commit(self) -> None:
        old = self.store.active_name()
        self.store._set_active(self.name)  # the one atomic switch
        self.store._cached_collection = None
        if old and old != self.name:
            try:
                self.store.client.delete_collection(old)
            except Exception:  # left for collect_garbage (the switch is done: the new index answers)
                log.warning("could not delete old collection %s", old)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.store.client.delete_collection(self.name)


# --------------------------------------------------------------------------- the index lock

LEASE_SECONDS = 60.0  # a server-mode lock record not renewed for this long belongs to a dead run
RENEW_SECONDS = 15.0
POLL_SECONDS = 0.25
_held: dict[str, tuple[int, threading.Thread, object]] = {}  # lock id -> (depth, holder thread, handle)
_held_guard = threading.Condition()


def _dead_here(meta: dict) -> bool:
    """A lock record written by a process of this machine that no longer runs."""
    if meta.get("host") != socket.gethostname():
        return False
    try:
        pid = int(meta.get("pid") or 0)
    except (TypeError, ValueError):
        return False
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class IndexLock:
    """Exclusive lock of one knowledge base. Waits up to `wait` seconds (calling on_wait(wait) once when it has to),
    then raises IndexBusyError. Reentrant for the thread that holds it (ensure_index inside a locked run); other
    threads of the process wait like other processes do."""

    def __init__(self, store: Store, wait: float, on_wait: Callable[[float], None] | None = None):
        self.store = store
        self.wait = max(0.0, float(wait))
        self.on_wait = on_wait
        if store.mode == "server":
            s = store.settings
            self.ident = f"server:{s.chroma_host}:{s.chroma_port}:{store.lock_name}"
        else:
            self.ident = f"file:{(store.settings.data_dir / 'index.lock').resolve()}"

    # ------------------------------------------------------------------ context manager
    def __enter__(self) -> IndexLock:
        me = threading.current_thread()
        deadline = time.monotonic() + self.wait
        told = False
        with _held_guard:
            while True:
                held = _held.get(self.ident)
                if held is None:
                    break
                depth, holder, handle = held
                if holder is me:
                    _held[self.ident] = (depth + 1, holder, handle)
                    return self
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._busy()
                if not told and self.on_wait:
                    told = True
                    self.on_wait(self.wait)
                _held_guard.wait(min(left, POLL_SECONDS))
            _held[self.ident] = (1, me, None)  # claimed inside the process; now across processes
        try:
            handle = self._acquire(deadline, told)
        except BaseException:
            with _held_guard:
                _held.pop(self.ident, None)
                _held_guard.notify_all()
            raise
        with _held_guard:
            _held[self.ident] = (1, me, handle)
        return self

    def __exit__(self, *exc) -> None:
        with _held_guard:
            depth, holder, handle = _held[self.ident]
            if depth > 1:
                _held[self.ident] = (depth - 1, holder, handle)
                return
            try:
                self._release(handle)
            finally:
                _held.pop(self.ident, None)
                _held_guard.notify_all()

    def _busy(self) -> IndexBusyError:
        return IndexBusyError("別の索引処理が実行中です。",
                              hint="終わってからもう一度実行してください（待つ秒数は PIA_INDEX_WAIT で変えられます）")

    def _acquire(self, deadline: float, told: bool) -> object:
        acquire = self._acquire_server if self.store.mode == "server" else self._acquire_file
        while True:
            handle = acquire()
            if handle is not None:
                return handle
            if time.monotonic() >= deadline:
                raise self._busy()
            if not told and self.on_wait:
                told = True
                self.on_wait(self.wait)
            time.sleep(POLL_SECONDS)

    def _release(self, handle: object) -> None:
        if self.store.mode == "server":
            self._release_server(handle)
        else:
            self._release_file(handle)

    # ------------------------------------------------------------------ embedded: flock on the data dir
    def _acquire_file(self) -> object | None:
        import fcntl

        path = self.store.settings.data_dir / "index.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {socket.gethostname()} {datetime.now(UTC).isoformat()}\n".encode())
        return fd

    @staticmethod
    def _release_file(handle: object) -> None:
        import fcntl

        if isinstance(handle, int):
            try:
                fcntl.flock(handle, fcntl.LOCK_UN)
            finally:
                os.close(handle)

    # ------------------------------------------------------------------ server: a lock record in Chroma
    def _record(self, token: str) -> dict:
        return {"owner": token, "host": socket.gethostname(), "pid": os.getpid(),
                "expires": time.time() + LEASE_SECONDS}

    def _acquire_server(self) -> object | None:
        store = self.store
        token = secrets.token_hex(8)
        try:
            with store._guard():
                store.client.create_collection(store.lock_name, embedding_function=None, metadata=self._record(token))
        except StoreUnavailableError:
            raise
        except Exception as e:
            if not _already_exists(e):
                raise
            self._break_if_stale()
            return None
        stop = threading.Event()
        renewer = threading.Thread(target=self._renew, args=(token, stop), name="pia-index-lease", daemon=True)
        renewer.start()
        return (token, stop, renewer)

    def _break_if_stale(self) -> None:
        """Delete a lock record whose holder stopped renewing it (killed, or lost its connection), or whose holder
        was a process of this machine that is gone."""
        store = self.store
        try:
            with store._guard():
                meta = store.client.get_collection(store.lock_name, embedding_function=None).metadata or {}
        except StoreUnavailableError:
            raise
        except Exception as e:
            if _is_missing(e):
                return
            raise
        if float(meta.get("expires") or 0) < time.time() or _dead_here(meta):
            log.info("removing a stale index lock of %s (pid %s)", meta.get("host"), meta.get("pid"))
            with contextlib.suppress(Exception):
                store.client.delete_collection(store.lock_name)

    def _renew(self, token: str, stop: threading.Event) -> None:
        store = self.store
        while not stop.wait(RENEW_SECONDS):
            try:
                col = store.client.get_collection(store.lock_name, embedding_function=None)
                if (col.metadata or {}).get("owner") != token:
                    log.error("the index lock was taken over while this run held it")
                    return
                col.modify(metadata=self._record(token))
            except Exception as e:  # the run itself reports a lost server; the lease then simply expires
                log.info("could not renew the index lock (%s)", type(e).__name__)
                return

    def _release_server(self, handle: object) -> None:
        if not isinstance(handle, tuple):
            return
        token, stop, renewer = handle
        stop.set()
        renewer.join(timeout=5)
        store = self.store
        try:
            col = store.client.get_collection(store.lock_name, embedding_function=None)
            if (col.metadata or {}).get("owner") == token:
                store.client.delete_collection(store.lock_name)
        except Exception as e:  # server gone (the run says so): the lease expires on its own
            log.info("could not release the index lock (%s); it expires in %.0f s", type(e).__name__, LEASE_SECONDS)


# --------------------------------------------------------------------------- opening


def open_store(settings: Settings) -> Store:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
            client.heartbeat()
        except Exception as e:
            raise ConfigurationError(
                f"Chroma サーバー {settings.chroma_host}:{settings.chroma_port} に接続できません。",
                hint="サーバーが起動しているか、CHROMA_HOST/CHROMA_PORT を確認してください",
            ) from e
        return Store(client, settings, mode="server")
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    return Store(client, settings, mode="embedded")

