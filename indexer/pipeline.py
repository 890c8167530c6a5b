"""The index pipeline: files -> parsed documents -> typed records -> embeddings -> a new Chroma collection.

`index_paths(store, paths, rebuild=False)` always indexes the bundled knowledge (catalog + knowledge/sources) and
adds the given files or folders; sources indexed earlier stay in the index until `remove_source` takes them out.
Every run writes a complete new collection and switches to it at the end (see bot/store.py), so an interrupted
run leaves the previous index answering. Records keep their content-derived ids; embeddings of unchanged records
are copied, not recomputed, and a run that would change nothing writes nothing.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.catalog import load_catalog
from bot.errors import IndexStateError, InputFileError, PiaError
from bot.models import IndexedDocument, IndexReport, Record, Source
from bot.resources import bundled_sources, knowledge_dir
from bot.store import SUPPORT_MARKER, Store
from indexer.records import (
    CATALOG_PATH,
    catalog_records,
    dedupe,
    findings_of,
    guideline_records,
    minutes_records,
    minutes_source,
    review_sheet_records,
    review_source,
)

log = logging.getLogger(__name__)

INDEXABLE = {".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm"}
EMBED_BATCH = 64

# progress(stage, done, total): stages "parse", "embed", "store", "commit"
Progress = Callable[[str, int, int], None]


@dataclass
class ParsedSource:
    path: str
    kind: str
    records: list[Record] = field(default_factory=list)


def stderr_progress(stage: str, done: int, total: int) -> None:
    labels = {"parse": "文書を読み込み中", "embed": "埋め込みを計算中", "store": "索引に書き込み中", "commit": "索引を切り替え中"}
    if stage in ("embed", "store") and total and done not in (0, total) and done % (EMBED_BATCH * 8):
        return
    print(f"[pia index] {labels.get(stage, stage)} {done}/{total}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- source paths


def source_key(path: Path) -> str:
    """The path a source is stored under: `knowledge/...` for bundled files (stable across machines),
    the absolute path for everything else."""
    p = Path(path).resolve()
    kdir = knowledge_dir().resolve()
    try:
        return "knowledge/" + p.relative_to(kdir).as_posix()
    except ValueError:
        return str(p)


def is_bundled(key: str) -> bool:
    return key.startswith("knowledge/")


def expand_paths(paths: list[Path], warn: Callable[[str], None]) -> list[tuple[Path, bool]]:
    """Files to index, each with `explicit` (named on the command line) or found in a folder."""
    out: list[tuple[Path, bool]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in INDEXABLE and not any(part.startswith(".") for part in f.parts)
            )
            if not found:
                warn(f"フォルダ {p} に索引できる文書（txt, md, pdf, docx, html）がありません。")
            out.extend((f, False) for f in found)
        elif p.is_file():
            out.append((p, True))
        else:
            raise InputFileError(f"ファイルまたはフォルダ {p} が見つかりません。", hint="パスを確認してください")
    return out


# --------------------------------------------------------------------------- parsing


def parse_file(path: Path, key: str) -> ParsedSource:
    """Read one file and turn it into records of its kind."""
    from indexer.loaders import load_document

    doc = load_document(path)
    text = doc.text
    if doc.format == "pdf":
        from indexer.classify import detect_kind
        from indexer.pdf_tables import review_sheet_text

        if detect_kind(text) == "review_sheet":
            text = review_sheet_text(path, text)  # cells from the ruled tables, not interleaved lines
    return parse_text(text, key, fallback_title=path.stem)


def parse_text(text: str, key: str, fallback_title: str = "") -> ParsedSource:
    from indexer.classify import detect_kind

    catalog = load_catalog()
    kind = detect_kind(text)
    if kind == "review_sheet":
        from indexer.review_parser import parse_review_sheet

        sheet = parse_review_sheet(text, Source(path=key, kind="review_sheet"))
        src = review_source(sheet, key)
        return ParsedSource(key, kind, review_sheet_records(sheet, src, catalog, bundled=is_bundled(key)))
    if kind == "minutes":
        from indexer.minutes_parser import parse_minutes

        minutes = parse_minutes(text, Source(path=key, kind="minutes"))
        return ParsedSource(key, kind, minutes_records(minutes, minutes_source(minutes, key)))
    title = _first_line(text) or fallback_title
    src = Source(title=title, path=key, kind="guideline" if kind == "guideline" else "other")
    return ParsedSource(key, src.kind, guideline_records(text, src))


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip(" \t#　")
        if len(line) >= 4:
            return line[:80]
    return ""


# --------------------------------------------------------------------------- embeddings


def embed_parts(record: Record) -> list[str]:
    """The lines of a record's index text (title, wording, section, aliases, each attributed finding...)."""
    parts = [ln.strip() for ln in (record.index_text or record.text).split("\n") if ln.strip() and ln != SUPPORT_MARKER]
    return parts or [record.text]


def embed_records(embedder, records: list[Record]) -> np.ndarray:
    """One vector per record: the normalised mean of the embeddings of its lines.

    A sentence encoder averages a long multi-topic text into mush; the mean of per-line vectors keeps each line's
    meaning (measured on knowledge/eval/questions.yaml with USE: dense hit@1 0.49 -> 0.66).
    """
    parts = [embed_parts(r) for r in records]
    flat = [p for ps in parts for p in ps]
    if not flat:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    vecs = embedder.embed_documents(flat)
    out = np.zeros((len(records), vecs.shape[1]), dtype=np.float32)
    pos = 0
    for i, ps in enumerate(parts):
        v = vecs[pos : pos + len(ps)].mean(axis=0)
        pos += len(ps)
        n = float(np.linalg.norm(v))
        out[i] = v / n if n else v
    return out


# --------------------------------------------------------------------------- the run


def index_paths(
    store: Store,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    *,
    progress: Progress | None = stderr_progress,
) -> IndexReport:
    progress = progress or (lambda *a: None)
    warn = lambda msg: print(f"[pia index] 警告: {msg}", file=sys.stderr, flush=True)  # noqa: E731

    had_index = store.exists()
    if had_index and not rebuild:
        store.check_embedder()
    embedder = store.embedder
    catalog = load_catalog()

    old_records, old_embs = store.records(with_embeddings=True) if had_index else ([], None)
    reuse = had_index and store.built_with() == embedder.name
    old_vectors = {r.id: old_embs[i] for i, r in enumerate(old_records)} if reuse and old_embs is not None else {}

    # 1. what to parse: the bundled sources, the given files, and (on --rebuild) earlier sources still on disk
    targets: list[tuple[Path, bool]] = [(p, True) for p in bundled_sources()]
    targets += expand_paths(list(paths or []), warn)
    if rebuild:
        earlier = {r.source.path for r in old_records if r.source.path and not is_bundled(r.source.path)}
        targets += [(Path(p), False) for p in sorted(earlier) if Path(p).is_file()]

    parsed: dict[str, ParsedSource] = {}
    total = len(targets)
    for i, (path, explicit) in enumerate(targets):
        key = source_key(path)
        if key in parsed:
            continue
        progress("parse", i, total)
        try:
            parsed[key] = parse_file(path, key)
        except PiaError as e:
            if explicit:
                raise
            warn(f"{path} を読み込めないため飛ばしました: {e}")
    progress("parse", total, total)

    # 2. records: kept sources + parsed sources + the catalog's checkpoint records (rebuilt from all findings)
    kept = [r for r in old_records if r.source.path not in parsed and r.source.path != CATALOG_PATH]
    new_records = [r for ps in parsed.values() for r in ps.records]
    findings = findings_of(kept + new_records)
    records = dedupe(catalog_records(catalog, findings) + new_records + kept)

    report = IndexReport(
        documents=[IndexedDocument(path=ps.path, kind=ps.kind, records=len(ps.records)) for ps in parsed.values()],
        total_records=len(records),
        embedder=embedder.name,
    )
    if reuse and not rebuild and {r.id for r in records} == set(old_vectors):
        log.info("index unchanged")
        return report

    # 3. embeddings: copy unchanged ones, compute the rest
    vectors = np.zeros((len(records), embedder.dim), dtype=np.float32)
    todo = [i for i, r in enumerate(records) if r.id not in old_vectors or rebuild]
    for i, r in enumerate(records):
        if r.id in old_vectors and not rebuild:
            vectors[i] = old_vectors[r.id]
    for start in range(0, len(todo), EMBED_BATCH):
        progress("embed", start, len(todo))
        idx = todo[start : start + EMBED_BATCH]
        vectors[idx] = embed_records(embedder, [records[i] for i in idx])
    progress("embed", len(todo), len(todo))

    # 4. write a new collection, switch to it, drop the old one
    build = store.begin_build(embedder.name, embedder.dim)
    try:
        for start in range(0, len(records), EMBED_BATCH * 4):
            progress("store", start, len(records))
            build.add(records[start : start + EMBED_BATCH * 4], vectors[start : start + EMBED_BATCH * 4])
        progress("store", len(records), len(records))
        progress("commit", 0, 1)
        build.commit()
    except BaseException:
        build.abort()
        raise
    return report


def remove_source(store: Store, path: str | Path) -> int:
    """Take a source (or every source under a folder) out of the index; returns the number of records removed."""
    if not store.exists():
        raise IndexStateError("索引がまだありません。", hint="`pia index` を実行してください")
    store.check_embedder()
    raw = str(path)
    keys = {raw, source_key(Path(raw))}
    records, embs = store.records(with_embeddings=True)
    prefix = tuple(k.rstrip("/") + "/" for k in keys)
    gone = [r for r in records if r.source.path in keys or (r.source.path or "").startswith(prefix)]
    if not gone:
        raise InputFileError(f"索引に {raw} はありません。", hint="`pia sources` で索引にある文書を確認してください")
    if any(is_bundled(r.source.path or "") for r in gone):
        raise InputFileError(f"{raw} は同梱の知識なので削除できません。", hint="追加した文書だけが削除できます")
    gone_ids = {r.id for r in gone}
    kept_idx = [i for i, r in enumerate(records) if r.id not in gone_ids]
    kept = [records[i] for i in kept_idx]

    # checkpoint records carry findings of every review sheet: rebuild them without the removed ones
    catalog = load_catalog()
    cat_new = catalog_records(catalog, findings_of(kept))
    others = [r for r in kept if r.source.path != CATALOG_PATH]
    old_vec = {records[i].id: embs[i] for i in kept_idx}
    final = dedupe(cat_new + others)
    embedder = store.embedder
    vectors = np.zeros((len(final), embedder.dim), dtype=np.float32)
    todo = []
    for i, r in enumerate(final):
        if r.id in old_vec:
            vectors[i] = old_vec[r.id]
        else:
            todo.append(i)
    if todo:
        vectors[todo] = embed_records(embedder, [final[i] for i in todo])
    build = store.begin_build(embedder.name, embedder.dim)
    try:
        build.add(final, vectors)
        build.commit()
    except BaseException:
        build.abort()
        raise
    return len(gone)


def ensure_index(store: Store) -> bool:
    """Build the index from the bundled knowledge if there is none yet. Returns True if it built one."""
    if store.exists():
        return False
    print("[pia] 索引がないため、同梱の知識から作成します…", file=sys.stderr, flush=True)
    index_paths(store, [], rebuild=False)
    return True
