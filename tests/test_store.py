"""The Chroma store and the index pipeline, on real embedded Chroma.

Store mechanics (ids, switching collections, crashes, removal) use the test-only hash embedder for speed; the
embedder-mismatch test rebuilds with the real default embedder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.errors import IndexStateError, InputFileError
from bot.retrieval import HybridRetriever
from bot.store import decode_ids, encode_ids, open_store
from index_util import ROOT, make_settings
from indexer.pipeline import index_paths, remove_source

EXTRA = textwrap.dedent(
    """\
    # 委託先管理の手引き（テスト用）

    委託先の監督として、年に一度、委託先の作業場所へ立入検査を行い、再委託の有無と作業記録を確認する。

    ## 記録の保存

    委託先には作業記録を五年間保存させ、求めに応じて提出させる。
    """
)
QUIET = None


def hash_settings(tmp_path: Path, name: str = "data"):
    return make_settings(tmp_path / name, pia_embedder="hash")


def snapshot(store):
    records = store.all_records()
    return sorted(r.id for r in records), store.active_name()


def test_checkpoint_lists_round_trip():
    assert decode_ids(encode_ids(["41", "42", "V3"])) == ["41", "42", "V3"]
    assert encode_ids([]) == "" and decode_ids("") == [] and decode_ids(None) == []


def test_reindex_is_idempotent(tmp_path):
    settings = hash_settings(tmp_path)
    store = open_store(settings)
    first = index_paths(store, [], progress=QUIET)
    ids1, active1 = snapshot(store)
    assert first.total_records == len(ids1) > 100
    kinds = {d.kind for d in first.documents}
    assert kinds == {"review_sheet", "minutes"}

    second = index_paths(open_store(settings), [], progress=QUIET)
    ids2, active2 = snapshot(open_store(settings))
    assert ids2 == ids1 and second.total_records == first.total_records
    assert active2 == active1  # nothing changed, nothing written

    # an extra document indexed twice: the second run changes nothing either
    doc = tmp_path / "guide.md"
    doc.write_text(EXTRA, encoding="utf-8")
    index_paths(store, [doc], progress=QUIET)
    ids3, active3 = snapshot(store)
    index_paths(store, [doc], progress=QUIET)
    ids4, active4 = snapshot(store)
    assert ids3 == ids4 and active3 == active4 and len(ids3) > len(ids1)

    # a full rebuild writes a new collection with exactly the same records
    index_paths(store, [], rebuild=True, progress=QUIET)
    ids5, active5 = snapshot(store)
    assert ids5 == ids3 and active5 != active3
    assert store.data_collections() == [active5]  # the old collection is gone


def test_sources_lists_what_the_index_holds(tmp_path):
    store = open_store(hash_settings(tmp_path))
    doc = tmp_path / "guide.md"
    doc.write_text(EXTRA, encoding="utf-8")
    index_paths(store, [doc], progress=QUIET)
    by_path = {s.path: s for s in store.sources()}
    review = by_path["knowledge/sources/review_isa_2025-09-30.txt"]
    assert review.kind == "review_sheet" and review.agency == "出入国在留管理庁長官" and review.date == "2025-09-30"
    minutes = by_path["knowledge/sources/minutes_337_2025-10-22.txt"]
    assert minutes.kind == "minutes" and minutes.meeting == 337
    catalog = by_path["knowledge/catalog.yaml"]
    assert catalog.kind == "catalog" and catalog.records == 74 + 12
    extra = by_path[str(doc.resolve())]
    assert extra.records >= 1 and extra.title.startswith("委託先管理の手引き")
    assert sum(s.records for s in by_path.values()) == len(store.all_records())


@pytest.mark.slow  # re-embeds the whole knowledge with the USE model
def test_embedder_mismatch_is_refused_until_rebuild(tmp_path, use_embedder):
    built = hash_settings(tmp_path)
    index_paths(open_store(built), [], progress=QUIET)

    other = make_settings(built.data_dir, pia_embedder="use")
    store = open_store(other)
    with pytest.raises(IndexStateError) as e:
        HybridRetriever(store, other).search("委託先の選定")
    assert "pia index --rebuild" in str(e.value) and "hash" in str(e.value)
    with pytest.raises(IndexStateError):
        index_paths(store, [], progress=QUIET)

    report = index_paths(store, [], rebuild=True, progress=QUIET)
    assert report.embedder == "use" and store.built_with() == "use"
    hits = HybridRetriever(open_store(other), other).search("委託先の選定", kind="checkpoint", k=3)
    assert hits[0].id == "41"


def _raise_at(stage_wanted: str, after: int = 0):
    seen = {"n": 0}

    def progress(stage, done, total):
        if stage == stage_wanted:
            seen["n"] += 1
            if seen["n"] > after:
                raise RuntimeError("injected failure in the middle of indexing")

    return progress


def test_failure_in_the_middle_keeps_the_old_index(tmp_path):
    settings = hash_settings(tmp_path)
    store = open_store(settings)
    index_paths(store, [], progress=QUIET)
    ids_before, active_before = snapshot(store)
    retriever = HybridRetriever(open_store(settings), settings)
    before = [h.id for h in retriever.search("委託先の選定", k=5)]

    doc = tmp_path / "guide.md"
    doc.write_text(EXTRA, encoding="utf-8")
    with pytest.raises(RuntimeError):
        # fails after the new collection received its first batch of records
        index_paths(store, [doc], rebuild=True, progress=_raise_at("store", after=1))

    ids_after, active_after = snapshot(open_store(settings))
    assert active_after == active_before and ids_after == ids_before
    assert open_store(settings).data_collections() == [active_before]  # the half-built collection was dropped
    assert [h.id for h in retriever.search("委託先の選定", k=5)] == before
    assert not any(str(doc.resolve()) == s.path for s in open_store(settings).sources())


@pytest.mark.slow  # a killed child process
def test_killed_indexing_process_leaves_the_old_index_answering(tmp_path):
    """SIGKILL in the middle of writing the new collection: no cleanup runs, the old index must still answer."""
    settings = hash_settings(tmp_path)
    store = open_store(settings)
    index_paths(store, [], progress=QUIET)
    ids_before, active_before = snapshot(store)
    doc = tmp_path / "guide.md"
    doc.write_text(EXTRA, encoding="utf-8")

    child = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from index_util import make_settings
        from bot.store import open_store
        from indexer.pipeline import index_paths
        settings = make_settings({str(settings.data_dir)!r}, pia_embedder="hash")
        calls = {{"n": 0}}
        def progress(stage, done, total):
            if stage == "store":
                calls["n"] += 1
                if calls["n"] == 2:
                    print("killing", flush=True)
                    os.kill(os.getpid(), signal.SIGKILL)
        index_paths(open_store(settings), [{str(doc)!r}], rebuild=True, progress=progress)
        print("finished", flush=True)
        """
    )
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert "killing" in proc.stdout and "finished" not in proc.stdout

    store = open_store(settings)
    ids_after, active_after = snapshot(store)
    assert active_after == active_before and ids_after == ids_before
    orphans = [c for c in store.data_collections() if c != active_before]
    assert orphans, "the killed run should have left its half-built collection behind"
    hits = HybridRetriever(store, settings).search("委託先の選定", kind="checkpoint", k=3)
    assert hits and all(h.source.path == "knowledge/catalog.yaml" for h in hits)

    # the next run cleans up and adds the document for real
    index_paths(store, [doc], progress=QUIET)
    assert len(store.data_collections()) == 1
    assert any(s.path == str(doc.resolve()) for s in store.sources())


def test_remove_source(tmp_path):
    settings = hash_settings(tmp_path)
    store = open_store(settings)
    index_paths(store, [], progress=QUIET)
    base_ids, _ = snapshot(store)

    folder = tmp_path / "docs"
    folder.mkdir()
    doc = folder / "guide.md"
    doc.write_text(EXTRA, encoding="utf-8")
    index_paths(store, [folder], progress=QUIET)
    retriever = HybridRetriever(open_store(settings), settings)
    hits = retriever.search("立入検査 作業場所", kind="guideline", k=3)
    assert hits and hits[0].source.path == str(doc.resolve())

    removed = remove_source(store, str(doc))
    assert removed >= 1
    assert snapshot(store)[0] == base_ids
    assert not any(h.source.path == str(doc.resolve()) for h in retriever.search("立入検査 作業場所", k=20))
    assert str(doc.resolve()) not in {s.path for s in store.sources()}

    with pytest.raises(InputFileError):
        remove_source(store, str(doc))  # not in the index any more
    with pytest.raises(InputFileError):
        remove_source(store, "knowledge/sources/review_isa_2025-09-30.txt")  # bundled knowledge stays


def test_unreadable_explicit_file_changes_nothing(tmp_path):
    settings = hash_settings(tmp_path)
    store = open_store(settings)
    index_paths(store, [], progress=QUIET)
    before = snapshot(store)
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    with pytest.raises(InputFileError):
        index_paths(store, [bad], progress=QUIET)
    with pytest.raises(InputFileError):
        index_paths(store, [tmp_path / "missing.txt"], progress=QUIET)
    assert snapshot(open_store(settings)) == before


def test_index_is_built_lazily_on_first_search(tmp_path):
    """The Engine builds a missing index on the first search; the retriever alone never builds one."""
    from bot.engine import Engine

    settings = hash_settings(tmp_path)
    store = open_store(settings)
    assert not store.exists()
    with pytest.raises(IndexStateError, match="索引がまだありません"):
        HybridRetriever(store, settings).search("再委託", kind="checkpoint", k=3)
    assert not store.exists()
    hits = Engine(settings).search("再委託", kind="checkpoint", k=3)
    assert store.exists() and hits[0].id in {"47", "18"}


def test_folder_with_a_broken_file_indexes_the_rest(tmp_path, capsys):
    settings = hash_settings(tmp_path)
    store = open_store(settings)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.md").write_text(EXTRA, encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    (folder / "notes.xyz").write_text("ignored: not an indexable type", encoding="utf-8")
    report = index_paths(store, [folder], progress=QUIET)
    paths = {d.path for d in report.documents}
    assert str((folder / "guide.md").resolve()) in paths
    assert not any(p.endswith(("broken.pdf", "notes.xyz")) for p in paths)
    assert "broken.pdf" in capsys.readouterr().err  # said on stderr, not silently dropped


def test_search_survives_a_switch_by_another_process(tmp_path):
    settings = hash_settings(tmp_path)
    index_paths(open_store(settings), [], progress=QUIET)
    retriever = HybridRetriever(open_store(settings), settings)
    assert retriever.search("再委託", kind="checkpoint", k=1)[0].id in {"47", "18"}
    doc = tmp_path / "guide.md"
    doc.write_text(EXTRA, encoding="utf-8")
    index_paths(open_store(settings), [doc], progress=QUIET)  # "another process": its own store object
    hits = retriever.search("立入検査 作業場所", kind="guideline", k=1)
    assert hits and hits[0].source.path == str(doc.resolve())


def test_body_specific_checkpoints_of_a_new_review_sheet(tmp_path):
    """A review sheet bringing its own ⑩ checkpoints (74, 75 for that body) gets checkpoint records of its own;
    the catalog's 74 (the bundled sheet's) keeps only the bundled sheet's findings."""
    sheet = tmp_path / "review_city.txt"
    shutil.copy(Path(__file__).parent / "data" / "review_city_juki.txt", sheet)
    settings = hash_settings(tmp_path)
    store = open_store(settings)
    report = index_paths(store, [sheet], progress=QUIET)
    assert {d.kind for d in report.documents if d.path == str(sheet.resolve())} == {"review_sheet"}

    records = store.all_records()
    own = [r for r in records if r.kind == "checkpoint" and r.source.path == str(sheet.resolve())]
    assert sorted(r.checkpoints[0] for r in own) == ["74", "75"]
    assert all(r.group == "⑩" and r.source.kind == "review_sheet" for r in own)
    catalog_74 = next(r for r in records if r.kind == "checkpoint" and r.source.path == "knowledge/catalog.yaml"
                      and r.checkpoints == ["74"])
    assert "公共サービスメッシュ" in catalog_74.text and "コンビニ" not in catalog_74.index_text

    hits = HybridRetriever(store, settings).search("コンビニ交付 証明書の誤交付", kind="checkpoint", k=3)
    assert hits[0].id == "74" and hits[0].source.path == str(sheet.resolve())


def test_reindex_with_an_extra_review_sheet_is_idempotent(tmp_path):
    """Checkpoint records carry findings of every sheet; their text must not depend on the order sources come in."""
    sheet = tmp_path / "review_city.txt"
    shutil.copy(Path(__file__).parent / "data" / "review_city_juki.txt", sheet)
    settings = hash_settings(tmp_path)
    store = open_store(settings)
    index_paths(store, [sheet], progress=QUIET)
    ids1, active1 = snapshot(store)
    index_paths(store, [], progress=QUIET)  # the sheet is now a kept source, read back from the store
    index_paths(store, [sheet], progress=QUIET)
    ids2, active2 = snapshot(store)
    assert ids2 == ids1 and active2 == active1
