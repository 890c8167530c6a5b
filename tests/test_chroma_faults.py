"""Faults of the Chroma server mode, on a real `chroma run` on loopback that the tests kill mid-run.

Before issue 11: an outage mid-run ended in an httpx traceback (`search --batch`, `index`), `check` and `review`
exited 0 without precedents and `--json` did not say so, and two runs on one server lost a source."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.store import open_store
from chroma_util import ChromaServer
from index_util import ROOT, make_settings

pytestmark = pytest.mark.slow

PIA = str(Path(sys.executable).with_name("pia"))
TWO_DOCS = (("a", "委託先の作業場所に年一回の立入検査を行う。"), ("b", "再委託先の作業記録を五年間保存させる。"))
EXAMPLES = ROOT / "examples"


@pytest.fixture
def server(tmp_path):
    srv = ChromaServer(tmp_path / "chroma").start()
    yield srv
    srv.stop()


def env_for(srv: ChromaServer, local: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"PIA_LLM"}}
    env.update({"PIA_DATA_DIR": str(local), "PIA_EMBEDDER": "hash", "CHROMA_HOST": "127.0.0.1",
                "CHROMA_PORT": str(srv.port), **extra})
    return env


def settings_for(srv: ChromaServer, local: Path):
    return make_settings(local, pia_embedder="hash", chroma_host="127.0.0.1", chroma_port=srv.port)


def pia(srv, local, *args, expect=0, **extra):
    out = subprocess.run([PIA, *args], env=env_for(srv, local, **extra), capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == expect, (args, out.stderr[-2000:])
    return out


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("[pia")]
    assert len(lines) == 1 and "Traceback" not in err, err[-3000:]
    return lines[0]


def test_outage_during_search_batch_is_one_line_and_exit_2(server, tmp_path):
    local = tmp_path / "local"
    pia(server, local, "index")
    batch = tmp_path / "queries.txt"
    batch.write_text("\n".join(["委託先の選定", "再委託の監督", "アクセスログの保存"] * 1500) + "\n", encoding="utf-8")
    proc = subprocess.Popen([PIA, "search", "--batch", str(batch), "--json"], env=env_for(server, local),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert json.loads(first)["results"]  # it was answering
    server.kill()
    rest, err = proc.communicate(timeout=300)
    assert proc.returncode == 2
    line = one_line(err)
    assert "Chroma サーバー" in line and "接続が切れました" in line
    assert len(rest.splitlines()) < 4499  # it stopped; it did not print empty results for the rest


def test_outage_during_index_keeps_the_old_index(server, tmp_path):
    local = tmp_path / "local"
    pia(server, local, "index")
    settings = settings_for(server, local)
    active = open_store(settings).active_name()
    doc = tmp_path / "guide.md"
    doc.write_text("# 委託先管理の手引き\n\n委託先の作業場所に年一回の立入検査を行う。\n", encoding="utf-8")
    # the server goes down while the new collection is being written (the first batch of records)
    child = textwrap.dedent(
        f"""
        import os, signal, sys, time
        from bot.store import Build
        original = Build.add
        def add(self, *args, **kwargs):
            os.kill({server.pid}, signal.SIGKILL)
            time.sleep(1.0)
            return original(self, *args, **kwargs)
        Build.add = add
        from bot.cli import main
        sys.exit(main(["index", {str(doc)!r}]))
        """
    )
    out = subprocess.run([sys.executable, "-c", child], env=env_for(server, local), capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert out.returncode == 2, out.stderr[-3000:]
    assert "接続が切れました" in one_line(out.stderr)

    server.proc.wait(timeout=20)
    server.start()  # the same data, the same port
    store = open_store(settings)
    assert store.active_name() == active  # the old index answers
    assert str(doc.resolve()) not in {s.path for s in store.sources()}
    assert len(store.data_collections()) == 2  # the half-built collection is still there…
    pia(server, local, "index")
    assert open_store(settings).data_collections() == [active]  # …until the next run collects it


def test_check_and_review_without_the_server_say_degraded(server, tmp_path):
    local = tmp_path / "local"
    pia(server, local, "index")
    server.kill()
    draft = tmp_path / "draft.docx"
    shutil.copy(EXAMPLES / "sample_national_defects.docx", draft)
    out = pia(server, local, "check", str(draft), "--json")
    report = json.loads(out.stdout)
    assert report["degraded"] == ["precedents"]
    assert report["summary"]["incomplete"] + report["summary"]["missing"] > 0
    assert all(c["precedents"] == [] for c in report["checkpoints"])
    assert "先例" in out.stderr
    human = pia(server, local, "check", str(draft)).stdout
    assert "過去の所見（先例）を索引から取得できなかった" in human
    sheet = json.loads(pia(server, local, "review", str(draft), "--json").stdout)
    assert sheet["degraded"] == ["precedents"]
    assert "過去の所見（先例）を索引から取得できなかった" in pia(server, local, "review", str(draft)).stdout


def test_the_lock_record_on_the_server(server, tmp_path):
    local_a, local_b = tmp_path / "a", tmp_path / "b"  # two machines: their data dirs are not shared
    pia(server, local_a, "index")
    docs = []
    for name, body in TWO_DOCS:
        doc = tmp_path / f"{name}.md"
        doc.write_text(f"# 手引き{name}\n\n{body}\n", encoding="utf-8")
        docs.append(doc)
    procs = [subprocess.Popen([PIA, "index", str(d)], env=env_for(server, local), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for d, local in zip(docs, (local_a, local_b),
                                                                                       strict=True)]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and "Traceback" not in err, err[-2000:]
    store = open_store(settings_for(server, local_a))
    assert {str(d.resolve()) for d in docs} <= {s.path for s in store.sources()}
    assert store.lock_name not in store._collection_names()  # released

    # a live lock record held by another machine: wait, then exit 2
    holder = store.client.create_collection(store.lock_name, embedding_function=None,
                                            metadata={"owner": "elsewhere", "host": "other", "pid": 1,
                                                      "expires": time.time() + 600})
    out = pia(server, local_b, "index", "--rebuild", expect=2, PIA_INDEX_WAIT="1")
    assert "別の索引処理が実行中です" in one_line(out.stderr)
    # a record whose holder stopped renewing it (killed): broken, and the run goes on
    holder.modify(metadata={"owner": "elsewhere", "host": "other", "pid": 1, "expires": time.time() - 1})
    pia(server, local_b, "index", PIA_INDEX_WAIT="5")
