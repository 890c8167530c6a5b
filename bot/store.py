"""The Chroma store holding the knowledge base.

Embedded `chromadb.PersistentClient` under PIA_DATA_DIR by default; a Chroma server (`chromadb.HttpClient`) when
CHROMA_HOST is set. Telemetry is off.

Crash safety: records never change in place. Every index run (and every removal) writes a complete new data
collection, then switches the "active collection" pointer (the metadata of a small state collection, one atomic
update in both modes) and only then deletes the old collection. A run killed half-way leaves the old collection
active and untouched; the half-built one is an orphan that the next run deletes.

Each data collection records the embedder that built it; a store opened with another embedder refuses to search
or add to it (IndexStateError: run `pia index --rebuild`).

Chroma metadata cannot hold lists, so checkpoint ids are stored as one delimited string (",41,42,").
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property

import numpy as np

from bot.errors import ConfigurationError, IndexStateError
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
        "meeting": r.source.meeting,
        "result": r.result,
        "group": r.group,
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
            kind=meta.get("source_kind", "other"),
            meeting=meta.get("meeting"),
        ),
        result=meta.get("result"),
        group=meta.get("group"),
    )


@dataclass
class DenseHit:
    record: Record
    distance: float


# --------------------------------------------------------------------------- store


class Store:
    """One knowledge base in one Chroma (embedded or server)."""

    def __init__(self, client, settings: Settings, *, mode: str):
        self.client = client
        self.settings = settings
        self.mode = mode  # "embedded" | "server"
        self.prefix = settings.pia_collection
        self.state_name = f"{self.prefix}-state"
        self._cached_collection = None

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
        return self.client.get_or_create_collection(self.state_name, embedding_function=None)

    def active_name(self) -> str | None:
        try:
            meta = self.client.get_collection(self.state_name, embedding_function=None).metadata or {}
        except Exception:  # noqa: BLE001 - chroma raises NotFoundError/ValueError depending on mode
            return None
        return meta.get("active") or None

    def _set_active(self, name: str | None) -> None:
        meta = {"active": name or "", "updated": datetime.now(timezone.utc).isoformat()}
        self._state().modify(metadata=meta)

    def collection(self):
        """The active data collection, or None when nothing was indexed yet."""
        name = self.active_name()
        if not name:
            return None
        cached = self._cached_collection
        if cached is not None and cached.name == name:
            return cached
        try:
            col = self.client.get_collection(name, embedding_function=None)
        except Exception as e:  # noqa: BLE001
            raise IndexStateError(f"索引の状態が壊れています（{name} が見つかりません）。", hint=REBUILD_HINT) from e
        self._cached_collection = col
        return col

    def exists(self) -> bool:
        return self.collection() is not None

    def info(self) -> dict:
        col = self.collection()
        if col is None:
            return {}
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
        total = col.count()
        page = 5000
        for offset in range(0, total, page):
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

    def nearest_ids(self, vector: np.ndarray, n: int, kind: str | None = None, collection=None) -> list[tuple[str, float]]:
        """(record id, cosine distance) of the n nearest records: the fast path of dense search."""
        col = collection if collection is not None else self.collection()
        if col is None or n <= 0:
            return []
        got = col.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=n,
            where={"kind": kind} if kind else None,
            include=["distances"],
        )
        return list(zip(got["ids"][0], (float(d) for d in got["distances"][0])))

    def sources(self) -> list[IndexedSource]:
        """What the index holds, one entry per source document, bundled knowledge first."""
        by_path: dict[str, IndexedSource] = {}
        for r in self.all_records():
            key = r.source.path or "(unknown)"
            entry = by_path.get(key)
            if entry is None:
                entry = by_path[key] = IndexedSource(**r.source.model_dump(), records=0)
            entry.records += 1
        return sorted(by_path.values(), key=lambda s: (not (s.path or "").startswith("knowledge/"), s.path or ""))

    # ------------------------------------------------------------------ writing (copy-on-write)
    def begin_build(self, embedder_name: str, dim: int) -> "Build":
        self.collect_garbage()
        name = f"{self.prefix}-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        col = self.client.create_collection(
            name,
            embedding_function=None,
            metadata={
                "hnsw:space": "cosine",
                "embedder": embedder_name,
                "dim": int(dim),
                "created": datetime.now(timezone.utc).isoformat(),
            },
        )
        return Build(self, col)

    def collect_garbage(self) -> list[str]:
        """Delete data collections left behind by interrupted runs (neither active nor the state)."""
        active = self.active_name()
        removed = []
        for c in self.client.list_collections():
            name = c if isinstance(c, str) else c.name
            if name.startswith(self.prefix + "-") and name not in (active, self.state_name):
                try:
                    self.client.delete_collection(name)
                    removed.append(name)
                except Exception:  # noqa: BLE001 - another process may have removed it already
                    pass
        if removed:
            log.info("removed %d orphaned collections", len(removed))
        return removed

    def data_collections(self) -> list[str]:
        names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        return sorted(n for n in names if n.startswith(self.prefix + "-") and n != self.state_name)


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
        batch = max(1, min(1000, self.store.client.get_max_batch_size()))
        for i in range(0, len(records), batch):
            part = records[i : i + batch]
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
            except Exception:  # noqa: BLE001 - left for collect_garbage
                log.warning("could not delete old collection %s", old)

    def abort(self) -> None:
        try:
            self.store.client.delete_collection(self.name)
        except Exception:  # noqa: BLE001
            pass


# --------------------------------------------------------------------------- opening


def open_store(settings: Settings) -> Store:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
            client.heartbeat()
        except Exception as e:  # noqa: BLE001
            raise ConfigurationError(
                f"Chroma サーバー {settings.chroma_host}:{settings.chroma_port} に接続できません。",
                hint="サーバーが起動しているか、CHROMA_HOST/CHROMA_PORT を確認してください",
            ) from e
        return Store(client, settings, mode="server")
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    return Store(client, settings, mode="embedded")

