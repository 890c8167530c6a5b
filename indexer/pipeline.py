"""The index pipeline: files -> parsed documents -> typed records -> embeddings -> a new Chroma collection.

`index_paths(store, paths, rebuild=False)` always indexes the bundled knowledge (catalog + knowledge/sources) and
adds the given files or folders; sources indexed earlier stay in the index until `remove_source` takes them out.
Every run writes a complete new collection and switches to it at the end (see bot/store.py), so an interrupted
run leaves the previous index answering. Records keep their content-derived ids; embeddings of unchanged records
are copied, not recomputed, and a run that would change nothing writes nothing.

Safety:
- One run at a time: every run (and every removal) holds the store's index lock from before it reads the old
  records until after the switch, so two runs never build on the same old index and lose each other's source.
- A source is replaced only by itself: by the same identity (Source.key: body, date and title of a review sheet,
  see indexer/records.py) or the same file. Two different sheets that came under one file name both stay.
- Drafts never become knowledge: `screen(document, kind, name)` is called for every file that is not bundled
  (named, found in a folder, or re-read on --rebuild) before anything is written. The Engine passes the draft
  reader's judgement (DraftRefusedError, exit 2); a draft found among earlier sources on --rebuild is dropped.
- `kinds` restricts what a run accepts (Slack's /pia-index: review sheets, minutes and the guideline only).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.catalog import load_catalog
from bot.errors import DraftRefusedError, IndexStateError, InputFileError, PiaError
from bot.models import IndexedDocument, IndexReport, LoadedDocument, Record, ReviewSheet, Source, SourceKind
from bot.resources import bundled_sources, knowledge_dir
from bot.store import SUPPORT_MARKER, Store
from indexer.records import (
    CATALOG_PATH,
    catalog_records,
    dedupe,
    findings_of,
    guideline_document_records,
    guideline_records,
    identity_key,
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
# screen(document, kind, display name): raises (DraftRefusedError) for a document that must not be indexed
Screen = Callable[[LoadedDocument, str, str], None]
KIND_NAMES = {"review_sheet": "審査書", "minutes": "議事録", "guideline": "指針等", "other": "その他の文書"}


@dataclass
class ParsedSource:
    path: str
    kind: SourceKind
    records: list[Record] = field(default_factory=list)
    key: str | None = None  # the source's identity (Source.key)


def stderr_progress(stage: str, done: int, total: int) -> None:
    labels = {"parse": "文書を読み込み中", "embed": "埋め込みを計算中", "store": "索引に書き込み中",
              "commit": "索引を切り替え中"}
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


def _screened(path: Path, name: str, *, screen: Screen | None, kinds: set[str] | None):
    """(document, kind) of a file that passed `screen` and the `kinds` filter."""
    from bot.loaders import load_document
    from indexer.classify import detect_kind

    doc = load_document(path)
    kind = detect_kind(doc.text)
    if screen is not None:
        screen(doc, kind, name)
    if kinds is not None and kind not in kinds:
        wanted = "・".join(KIND_NAMES[k] for k in KIND_NAMES if k in kinds)
        found = KIND_NAMES.get(kind, kind)
        raise InputFileError(f"「{name}」は{wanted}として読み取れませんでした（読み取った種類: {found}）。",
                             hint=f"共有ナレッジに追加できるのは{wanted}です")
    return doc, kind


def inspect_file(path: Path, name: str, *, screen: Screen | None = None, kinds: set[str] | None = None) -> SourceKind:
    """The kind a file would be indexed as, after `screen` and the `kinds` filter (nothing is written)."""
    _, kind = _screened(path, name, screen=screen, kinds=kinds)
    return kind


def parse_file(path: Path, key: str, *, screen: Screen | None = None,
               kinds: set[str] | None = None) -> ParsedSource:
    """Read one file and turn it into records of its kind (bundled files skip `screen` and `kinds`)."""
    bundled = is_bundled(key)
    doc, kind = _screened(path, path.name, screen=None if bundled else screen, kinds=None if bundled else kinds)
    text = doc.text
    if doc.format == "pdf" and kind == "review_sheet":
        from indexer.pdf_tables import review_sheet_text

        text = review_sheet_text(path, text)  # cells from the ruled tables, not interleaved lines
    return parse_text(text, key, fallback_title=path.stem)


def review_sheet_file_text(path: Path) -> str:
    """The text of a review-sheet file through the loaders; a PDF is read through its ruled tables."""
    from bot.loaders import load_document
    from indexer.pdf_tables import review_sheet_text

    doc = load_document(path)
    return review_sheet_text(path, doc.text) if doc.format == "pdf" else doc.text


def read_review_sheet(path: Path) -> ReviewSheet:
    """One review sheet read and parsed, not indexed (`pia parse-review`)."""
    from indexer.review_parser import parse_review_sheet

    return parse_review_sheet(review_sheet_file_text(path), Source(path=str(path), kind="review_sheet"))


def parse_text(text: str, key: str, fallback_title: str = "") -> ParsedSource:
    """Records of a document's text; `key` is where it was read (knowledge/... or an absolute path)."""
    from indexer.classify import detect_kind

    catalog = load_catalog()
    kind = detect_kind(text)
    bundled = is_bundled(key)
    if kind == "review_sheet":
        from indexer.review_parser import parse_review_sheet

        sheet = parse_review_sheet(text, Source(path=key, kind="review_sheet"))
        m = sheet.meta
        ident = key if bundled else identity_key(kind, text, title=m.title, agency=m.agency, date=m.submitted)
        src = review_source(sheet, key, ident)
        return ParsedSource(key, kind, review_sheet_records(sheet, src, catalog, bundled=bundled), ident)
    if kind == "minutes":
        from indexer.minutes_parser import parse_minutes

        minutes = parse_minutes(text, Source(path=key, kind="minutes"))
        ident = key if bundled else identity_key(kind, text, date=minutes.date, meeting=minutes.meeting_number)
        return ParsedSource(key, kind, minutes_records(minutes, minutes_source(minutes, key, key=ident)), ident)
    title = _first_line(text) or fallback_title
    if kind == "guideline":
        from indexer.guideline_parser import parse_guideline

        ident = key if bundled else identity_key("guideline", text, title=title)
        src = Source(title=title, path=key, kind="guideline", key=ident)
        return ParsedSource(key, "guideline", guideline_document_records(parse_guideline(text, title), src), ident)
    ident = key if bundled else identity_key("other", text, title=title)
    src = Source(title=title, path=key, kind="other", key=ident)
    return ParsedSource(key, src.kind, guideline_records(text, src), ident)


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
    screen: Screen | None = None,
    kinds: set[str] | None = None,
    wait: float | None = None,
) -> IndexReport:
    """Index the bundled knowledge plus `paths` under the store's index lock (waits up to `wait` seconds, default
    PIA_INDEX_WAIT, for another run; then IndexBusyError)."""
    with store.index_lock(wait=wait, on_wait=_say_waiting):
        store.collect_garbage()  # what killed runs left, even when this run turns out to change nothing
        return _index_locked(store, paths, rebuild, progress=progress, screen=screen, kinds=kinds)


def _say_waiting(seconds: float) -> None:
    print(f"[pia index] 別の索引処理が実行中です。終わるのを待っています（最大 {seconds:.0f} 秒）…",
          file=sys.stderr, flush=True)


def _index_locked(store: Store, paths: list[Path] | None, rebuild: bool, *, progress: Progress | None,
                  screen: Screen | None, kinds: set[str] | None) -> IndexReport:
    progress = progress or (lambda *a: None)

    def warn(msg: str) -> None:
        print(f"[pia index] 警告: {msg}", file=sys.stderr, flush=True)

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
    given = expand_paths(list(paths or []), warn)
    targets += given
    earlier: set[str] = set()
    if rebuild:
        earlier = {r.source.path for r in old_records if r.source.path and not is_bundled(r.source.path)}
        targets += [(Path(p), False) for p in sorted(earlier) if Path(p).is_file()]
    named = {source_key(p) for p, _ in given}

    parsed: dict[str, ParsedSource] = {}
    dropped: set[str] = set()  # earlier sources that turned out to be drafts
    total = len(targets)
    for i, (path, explicit) in enumerate(targets):
        key = source_key(path)
        if key in parsed:
            continue
        progress("parse", i, total)
        try:
            parsed[key] = parse_file(path, key, screen=screen, kinds=kinds)
        except DraftRefusedError:
            if key in named:
                raise  # named on the command line or found in a folder given now: refuse the run
            dropped.add(key)
            warn(f"{path} は評価書の案のため、索引から外しました。")
        except PiaError as e:
            if explicit:
                raise
            warn(f"{path} を読み込めないため飛ばしました: {e}")
    progress("parse", total, total)

    # 2. records: kept sources + parsed sources + the catalog's checkpoint records (rebuilt from all findings).
    # A parsed source replaces the records of the same file and of the same identity, and nothing else.
    replaced_keys = {ps.key for ps in parsed.values() if ps.key}
    gone_paths = set(parsed) | dropped

    def replaced(r: Record) -> bool:
        return r.source.path in gone_paths or (r.source.key is not None and r.source.key in replaced_keys)

    kept = [r for r in old_records if not replaced(r) and r.source.path != CATALOG_PATH]
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


def remove_source(store: Store, path: str | Path, *, wait: float | None = None) -> int:
    """Take a source (or every source under a folder, or the source of an identity key listed by `pia sources`) out
    of the index; returns the number of records removed."""
    with store.index_lock(wait=wait, on_wait=_say_waiting):
        store.collect_garbage()
        return _remove_locked(store, path)


def _remove_locked(store: Store, path: str | Path) -> int:
    if not store.exists():
        raise IndexStateError("索引がまだありません。", hint="`pia index` を実行してください")
    store.check_embedder()
    raw = str(path)
    keys = {raw, source_key(Path(raw))}
    records, embs = store.records(with_embeddings=True)
    prefix = tuple(k.rstrip("/") + "/" for k in keys)
    gone = [r for r in records if r.source.path in keys or (r.source.path or "").startswith(prefix)
            or (r.source.key is not None and r.source.key == raw)]
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
    old_vec = {records[i].id: embs[i] for i in kept_idx} if embs is not None else {}
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
    """Build the index from the bundled knowledge if there is none yet. Returns True if it built one. Under the
    index lock: two first commands at once build it once (the second finds it built)."""
    if store.exists():
        return False
    with store.index_lock(on_wait=_say_waiting):
        if store.exists():
            return False
        print("[pia] 索引がないため、同梱の知識から作成します…", file=sys.stderr, flush=True)
        index_paths(store, [], rebuild=False)
    return True
