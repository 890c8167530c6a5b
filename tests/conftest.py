"""Shared fixtures. The USE model loads once per session; one data dir indexed from the bundled knowledge with it
is shared by the tests that only read (search, eval, CLI contract). Tests that write make their own data dir.

Additive: other modules' fixtures may be appended below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index_util import make_settings


@pytest.fixture(scope="session")
def use_embedder():
    from bot.embeddings import get_embedder

    emb = get_embedder("use")
    emb.embed_query("ウォームアップ")
    return emb


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory, use_embedder):
    """A data dir holding the bundled knowledge indexed with the default embedder. Read-only for tests."""
    from bot.store import open_store
    from indexer.pipeline import index_paths

    settings = make_settings(tmp_path_factory.mktemp("seed-index"))
    index_paths(open_store(settings), [], progress=None)
    return settings


@pytest.fixture(scope="session")
def seed_retriever(seed_settings):
    from bot.retrieval import HybridRetriever
    from bot.store import open_store

    retriever = HybridRetriever(open_store(seed_settings), seed_settings)
    retriever.warm()
    return retriever


@pytest.fixture
def pia_env(monkeypatch):
    """Point the `pia` CLI (in process) at a data dir: sets PIA_DATA_DIR and friends and resets the settings."""
    from bot.settings import reset_settings

    def use(data_dir: Path, embedder: str = "use", **env: str) -> None:
        monkeypatch.setenv("PIA_DATA_DIR", str(data_dir))
        monkeypatch.setenv("PIA_EMBEDDER", embedder)
        monkeypatch.delenv("CHROMA_HOST", raising=False)
        monkeypatch.delenv("PIA_LLM", raising=False)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        reset_settings()

    yield use
    reset_settings()


@pytest.fixture(scope="session")
def check_data_dir(tmp_path_factory) -> Path:
    """A data dir for the draft checker's tests: the bundled knowledge indexed with the small hash embedder."""
    return tmp_path_factory.mktemp("check-index")


@pytest.fixture(scope="session")
def check_engine(check_data_dir):
    """The real engine (embedded Chroma, hash embedder) the checker's tests share; the index builds on first search."""
    from bot.engine import Engine

    return Engine(make_settings(check_data_dir, pia_embedder="hash"))


@pytest.fixture(scope="session")
def seed_engine(seed_settings):
    """An Engine over the session's indexed data dir (read-only use: ask, findings, explain)."""
    from seed_util import make_engine

    return make_engine(seed_settings.pia_data_dir)


@pytest.fixture
def seed_cli_env(seed_settings, pia_env):
    """The `pia` CLI (in process) pointed at the session's indexed data dir, with no LLM and no Chroma server."""
    pia_env(seed_settings.pia_data_dir)


@pytest.fixture
def check_cli(pia_env, check_data_dir, capsys):
    """`pia check ARGS...` in process on the checker's data dir (hash embedder): returns (exit code, stdout, stderr)."""
    from bot.cli import main

    pia_env(check_data_dir, embedder="hash")

    def run(*args):
        rc = main(["check", *map(str, args)])
        out = capsys.readouterr()
        return rc, out.out, out.err

    return run
