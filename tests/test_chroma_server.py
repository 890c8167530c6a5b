"""Server mode: a real `chroma run` on loopback, reached through chromadb.HttpClient via CHROMA_HOST/CHROMA_PORT.

Indexes the bundled knowledge and searches through the CLI, checks that the data lives on the server, that
re-indexing is idempotent and that adding a document switches collections atomically there too.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import open_store
from index_util import make_settings

CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.fail(f"the chroma CLI is missing at {CHROMA} (it ships with the chromadb package)")
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    with open(path / "server.log", "wb") as log:  # the server writes to its own copy of the descriptor
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path / "db")],
            stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma server did not start: {(path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield {"port": port, "path": path / "db"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_index_and_search_through_a_chroma_server(chroma_server, tmp_path, pia_env, capsys, use_embedder):
    local = tmp_path / "local"
    pia_env(local, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(chroma_server["port"]))

    def run(*args):
        code = main(list(args))
        cap = capsys.readouterr()
        assert code == 0, cap.err[-2000:]
        return json.loads(cap.out)

    report = run("index", "--json")
    assert report["embedder"] == "use" and report["total_records"] > 100
    first = run("search", "委託先の選定", "--json")["results"][0]
    assert first["kind"] == "checkpoint" and first["id"] == "41"

    # the records live on the server, not in the local data dir
    assert not (local / "chroma").exists()
    settings = make_settings(local, chroma_host="127.0.0.1", chroma_port=chroma_server["port"])
    store = open_store(settings)
    assert store.mode == "server" and store.info()["count"] == report["total_records"]
    active = store.active_name()

    # idempotent: nothing to do, the same collection stays active
    again = run("index", "--json")
    assert again["total_records"] == report["total_records"] and open_store(settings).active_name() == active

    # adding a document builds a new collection on the server and drops the old one
    doc = tmp_path / "guide.md"
    doc.write_text("# 委託先管理の手引き\n\n委託先の作業場所に年一回の立入検査を行う。\n", encoding="utf-8")
    added = run("index", str(doc), "--json")
    assert added["total_records"] == report["total_records"] + 1
    store = open_store(settings)
    assert store.active_name() != active and store.data_collections() == [store.active_name()]
    hits = run("search", "立入検査", "--kind", "guideline", "--json")["results"]
    assert hits and hits[0]["source"]["path"] == str(doc.resolve())


def test_unreachable_server_is_a_clear_error(pia_env, tmp_path, capsys):
    pia_env(tmp_path / "local", CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(free_port()))
    assert main(["search", "委託先の選定", "--json"]) == 2
    err = capsys.readouterr().err
    assert "Chroma サーバー" in err and err.strip().count("\n") == 0
