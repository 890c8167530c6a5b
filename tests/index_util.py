"""Helpers for the index/store/retrieval tests (importable from tests and from child processes)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_settings(data_dir: Path, **overrides):
    """Settings that ignore the developer's .env and environment: embedded Chroma under data_dir, no LLM."""
    from bot.settings import Settings

    values = {"pia_data_dir": Path(data_dir), "chroma_host": None, "pia_llm": None, "pia_embedder": "use"}
    values.update(overrides)
    return Settings(_env_file=None, **values)
