"""The knowledge base never takes a draft, never loses a source, and cleans up after killed runs; the CLI says every
bad path in one Japanese line (embedded Chroma, the CLI in process or as real subprocesses).

Each test here failed on the code before issue 11 (see the report): a draft was indexed as kind `other`, two
concurrent runs lost a source or died with a NotFoundError traceback, an unchanged run left the orphans of a killed
run, deleted collections left their HNSW folders, and `pia check FOLDER` printed click's English usage text."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import open_store
from index_util import ROOT, make_settings
from indexer.pipeline import index_paths

PIA = str(Path(sys.executable).with_name("pia"))
TWO_DOCS = (("a", "委託先の作業場所に年一回の立入検査を行う。"), ("b", "再委託先の作業記録を五年間保存させる。"))
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).parent / "data"
REFUSAL = "評価書の案は索引に追加できません"


@pytest.fixture
def run(capsys):
    def _run(*args: str, expect: int = 0):
        code = main(list(args))
        cap = capsys.readouterr()
        assert code == expect, (args, cap.out[-500:], cap.err[-1500:])
        return cap

    return _run


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("[pia")]
    assert len(lines) == 1, err
    assert "Traceback" not in err and lines[0].startswith("エラー")
    return lines[0]


def indexed_paths(data_dir: Path) -> set[str]:
    return {s.path or "" for s in open_store(make_settings(data_dir, pia_embedder="hash")).sources()}


def env_for(data_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"CHROMA_HOST", "PIA_LLM"}}
    env.update({"PIA_DATA_DIR": str(data_dir), "PIA_EMBEDDER": "hash", **extra})
    return env


# --------------------------------------------------------------------------- drafts never become knowledge


@pytest.mark.parametrize("name", ["sample_complete.txt", "sample_national_defects.docx", "sample_local_defects.pdf",
                                  "sample_complete.xlsx", "sample_complete.md"])
def test_a_draft_named_on_the_command_line_is_refused(run, pia_env, tmp_path, name):
    pia_env(tmp_path / "data", embedder="hash")
    draft = tmp_path / name
    shutil.copy(EXAMPLES / name, draft)
    line = one_line(run("index", str(draft), expect=2).err)
    assert REFUSAL in line and name in line
    assert str(draft.resolve()) not in indexed_paths(tmp_path / "data")


def test_a_draft_in_a_folder_refuses_the_whole_run(run, pia_env, tmp_path):
    pia_env(tmp_path / "data", embedder="hash")
    run("index")
    before = indexed_paths(tmp_path / "data")
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copy(DATA / "review_removal_fixture.txt", folder / "review.txt")
    shutil.copy(EXAMPLES / "sample_heldout2_defects.docx", folder / "審査書_最終版.docx")  # a draft, whatever its name
    line = one_line(run("index", str(folder), expect=2).err)
    assert REFUSAL in line and "審査書_最終版.docx" in line
    assert indexed_paths(tmp_path / "data") == before  # nothing written: the review sheet waits for a clean folder


def test_a_review_sheet_quoting_the_form_is_not_taken_for_a_draft(run, pia_env, tmp_path):
    """review_city_juki.txt quotes enough of the form's labels for the draft reader alone to accept it."""
    pia_env(tmp_path / "data", embedder="hash")
    sheet = tmp_path / "review_city.txt"
    shutil.copy(DATA / "review_city_juki.txt", sheet)
    report = json.loads(run("index", str(sheet), "--json").out)
    assert [d["kind"] for d in report["documents"] if d["path"] == str(sheet.resolve())] == ["review_sheet"]


def test_one_sheet_from_two_paths_is_one_source_and_is_removed_by_its_key(run, pia_env, tmp_path):
    pia_env(tmp_path / "data", embedder="hash")
    first, second = tmp_path / "a" / "審査書.txt", tmp_path / "b" / "審査書（写し）.txt"
    for p in (first, second):
        p.parent.mkdir()
        shutil.copy(DATA / "review_removal_fixture.txt", p)
    run("index", str(first))
    run("index", str(second))
    added = [s for s in json.loads(run("sources", "--json").out)["sources"]
             if s["kind"] == "review_sheet" and not s["path"].startswith("knowledge/")]
    # the same sheet under another name and folder is the same source (identical content: nothing is rewritten)
    assert len(added) == 1 and added[0]["path"] == str(first.resolve())
    assert added[0]["key"].startswith("review_sheet:") and added[0]["agency"] == "架空市長"
    removed = json.loads(run("index", "--remove", added[0]["key"], "--json").out)
    assert removed["removed"][0]["records"] > 0
    assert not [s for s in json.loads(run("sources", "--json").out)["sources"] if s["agency"] == "架空市長"]


def test_a_draft_indexed_before_is_dropped_on_rebuild(run, pia_env, tmp_path, capsys):
    pia_env(tmp_path / "data", embedder="hash")
    draft = tmp_path / "draft.txt"
    shutil.copy(EXAMPLES / "sample_complete.txt", draft)
    settings = make_settings(tmp_path / "data", pia_embedder="hash")
    index_paths(open_store(settings), [draft], progress=None)  # how a draft got in before: no screen at all
    assert str(draft.resolve()) in indexed_paths(tmp_path / "data")
    cap = run("index", "--rebuild")
    assert "評価書の案のため、索引から外しました" in cap.err
    assert str(draft.resolve()) not in indexed_paths(tmp_path / "data")


def test_ask_never_quotes_a_refused_draft(run, pia_env, tmp_path):
    pia_env(tmp_path / "data", embedder="hash")
    marker = "極秘マーカー委託先甲乙丙"
    draft = tmp_path / "draft.txt"
    draft.write_text((EXAMPLES / "sample_complete.txt").read_text(encoding="utf-8").replace(
        "委託", f"{marker}委託", 1), encoding="utf-8")
    run("index", str(draft), expect=2)
    answer = json.loads(run("ask", f"{marker}の監督はどこに書く？", "--json").out)
    assert marker not in json.dumps(answer["citations"], ensure_ascii=False)


# --------------------------------------------------------------------------- one run at a time


@pytest.mark.slow  # real `pia index` processes, seconds of waiting on the lock
def test_concurrent_index_runs_lose_nothing(tmp_path):
    """Two real `pia index` processes at once, three times: both exit 0 (the second waits), both sources stay."""
    for trial in range(3):
        data = tmp_path / f"data{trial}"
        subprocess.run([PIA, "index"], env=env_for(data), capture_output=True, timeout=300, check=True)
        docs = []
        for name, body in TWO_DOCS:
            doc = tmp_path / f"t{trial}_{name}.md"
            doc.write_text(f"# 手引き{name}\n\n{body}\n", encoding="utf-8")
            docs.append(doc)
        procs = [subprocess.Popen([PIA, "index", str(d), "--json"], env=env_for(data), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for d in docs]
        outs = [p.communicate(timeout=300) for p in procs]
        for p, (_out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0 and "Traceback" not in err, err[-2000:]
        paths = indexed_paths(data)
        assert {str(d.resolve()) for d in docs} <= paths, (trial, paths)


@pytest.mark.slow  # real `pia index` processes, seconds of waiting on the lock
def test_a_held_lock_makes_index_wait_then_exit_2(tmp_path):
    data = tmp_path / "data"
    subprocess.run([PIA, "index"], env=env_for(data), capture_output=True, timeout=300, check=True)
    doc = tmp_path / "guide.md"
    doc.write_text("# 手引き\n\n委託先の作業場所に年一回の立入検査を行う。\n", encoding="utf-8")
    fd = os.open(data / "index.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another run holds the lock
        out = subprocess.run([PIA, "index", str(doc)], env=env_for(data, PIA_INDEX_WAIT="1"), capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 2
        assert "別の索引処理が実行中です" in one_line(out.stderr)
        assert "待っています" in out.stderr

        # with time to wait, it waits for the other run and then does its work
        proc = subprocess.Popen([PIA, "index", str(doc)], env=env_for(data, PIA_INDEX_WAIT="60"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(6)
        assert proc.poll() is None  # still waiting
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    assert str(doc.resolve()) in indexed_paths(data)


@pytest.mark.slow  # a killed child process and a real `pia index`
def test_orphans_of_a_killed_run_are_collected_by_the_next_run(tmp_path):
    settings = make_settings(tmp_path / "data", pia_embedder="hash")
    index_paths(open_store(settings), [], progress=None)
    doc = tmp_path / "guide.md"
    doc.write_text("# 手引き\n\n委託先の作業場所に年一回の立入検査を行う。\n", encoding="utf-8")
    child = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from index_util import make_settings
        from bot.store import open_store
        from indexer.pipeline import index_paths
        settings = make_settings({str(settings.data_dir)!r}, pia_embedder="hash")
        def progress(stage, done, total):
            if stage == "commit":
                os.kill(os.getpid(), signal.SIGKILL)
        index_paths(open_store(settings), [{str(doc)!r}], rebuild=True, progress=progress)
        """
    )
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    store = open_store(settings)
    active = store.active_name()
    assert len(store.data_collections()) == 2  # the killed run's collection is left behind

    def segment_folders() -> set[str]:
        return {p.name for p in (settings.data_dir / "chroma").iterdir() if p.is_dir()}

    # an earlier switch already left a deleted collection's HNSW folder: Chroma does not remove it
    out = subprocess.run([PIA, "index"], env=env_for(settings.data_dir), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    store = open_store(settings)
    assert store.data_collections() == [active] and store.active_name() == active  # nothing changed but the junk
    import sqlite3

    con = sqlite3.connect(settings.data_dir / "chroma" / "chroma.sqlite3")
    live = {row[0] for row in con.execute("SELECT id FROM segments")}
    con.close()
    assert segment_folders() <= live, segment_folders() - live


# --------------------------------------------------------------------------- bounded input


@pytest.mark.slow  # real `pia` processes, measured peak memory
def test_a_2mb_line_stays_under_600mb_peak(seed_settings, tmp_path):
    """`pia ask --batch` with one 2 MB line and `pia search --batch` with it too, default embedder, measured as
    the peak RSS of the pia process alone (a wrapper process whose only child is pia)."""
    sentence = "委託先の監督について評価書のどこに何を書けばよいですか。"
    batch = tmp_path / "batch.txt"
    batch.write_text((sentence * (2_000_000 // len(sentence) + 1))[:2_000_000] + "\n再委託先の監督はどこに書く？\n",
                     encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"CHROMA_HOST", "PIA_LLM", "PIA_EMBEDDER"}}
    env["PIA_DATA_DIR"] = str(seed_settings.data_dir)
    wrapper = ("import resource, subprocess, sys\n"
               "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "sys.stdout.write(r.stdout)\n"
               "sys.stderr.write(r.stderr)\n"
               "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode,"
               " file=sys.stderr)\n")
    for command in (["ask", "--batch", str(batch), "--json"], ["search", "--batch", str(batch), "--json"]):
        out = subprocess.run([sys.executable, "-c", wrapper, PIA, *command], env=env, capture_output=True,
                             text=True, timeout=600)
        peak_kb, code = (int(x) for x in out.stderr.rsplit("PEAK_KB", 1)[1].split())
        assert code == 0, out.stderr[-2000:]
        assert peak_kb < 600 * 1024, f"{command[0]}: peak {peak_kb / 1024:.0f} MB"
        lines = [json.loads(line) for line in out.stdout.splitlines()]
        assert len(lines) == 2
        assert "1 行目は 2,000 文字を超える" in out.stderr
        if command[0] == "ask":
            assert lines[0]["answer"].startswith("※ 質問が長いため、先頭の 2,000 文字だけ")
            assert not lines[1]["answer"].startswith("※")


def test_the_engine_cuts_questions_and_history_before_retrieval(seed_settings):
    from functools import cached_property

    from bot.engine import Engine
    from bot.retrieval import HybridRetriever

    seen: list[int] = []

    class Watching(HybridRetriever):
        """The real retriever; it notes how long each query that reaches it is."""

        def search(self, query, kind=None, k=10, mode="hybrid"):
            seen.append(len(query))
            return super().search(query, kind=kind, k=k, mode=mode)

    class WatchedEngine(Engine):
        @cached_property
        def retriever(self):
            return Watching(self.store, self.settings)

    engine = WatchedEngine(seed_settings)
    question = "委託先の監督について" * 4000  # 40,000 characters, Slack's longest message
    answer = engine.ask(question, history=["再委託先の監督は？" * 3000] * 50)
    assert answer.answer.startswith("※ 質問が長いため") and answer.checkpoints
    assert seen and max(seen) <= 2000
    short = engine.ask("委託先の監督はどこに書く？")
    assert not short.answer.startswith("※")


# --------------------------------------------------------------------------- click's own path errors


def test_path_errors_are_one_japanese_line(run, pia_env, tmp_path):
    pia_env(tmp_path / "data", embedder="hash")
    folder = tmp_path / "drafts"
    folder.mkdir()
    for args in (["check", str(folder)], ["review", str(folder)], ["parse-review", str(folder)],
                 ["ask", "--batch", str(folder)], ["search", "--batch", str(folder)]):
        assert "フォルダ" in one_line(run(*args, expect=2).err), args
    assert "見つかりません" in one_line(run("check", str(tmp_path / "missing.pdf"), expect=2).err)
    assert "--help" in one_line(run("check", expect=2).err)  # a missing argument
    assert "--help" in one_line(run("check", str(folder), "--bogus", expect=2).err)


def test_an_unreadable_draft_is_one_japanese_line(tmp_path):
    draft = tmp_path / "locked.txt"
    shutil.copy(EXAMPLES / "sample_complete.txt", draft)
    draft.chmod(0)
    prefix: list[str] = []
    if os.geteuid() == 0:  # root reads anything: drop the capabilities that let it, so permissions apply again
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to run this test as root"
        prefix = [setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]
    out = subprocess.run([*prefix, PIA, "check", str(draft)], env=env_for(tmp_path / "data"), capture_output=True,
                         text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 2
    assert "読み取れません" in one_line(out.stderr)
