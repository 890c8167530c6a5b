"""Where the bundled data lives. `knowledge/` and `prompts/` are packages, so they travel inside the wheel
and are found the same way from an editable install and from a plain `pip install .`."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def knowledge_dir() -> Path:
    return Path(str(resources.files("knowledge")))


def prompts_dir() -> Path:
    return Path(str(resources.files("prompts")))


def knowledge_file(name: str) -> Path:
    return knowledge_dir() / name


# libyaml's safe loader when PyYAML was built with it: the same documents, several times faster to parse
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def knowledge_yaml(name: str) -> Any:
    """One YAML file of knowledge/, parsed once per process (the one loader every vocabulary goes through).
    The object is shared: callers read it and never change it."""
    return yaml.load(knowledge_file(name).read_text(encoding="utf-8"), Loader=_SAFE_LOADER)


def bundled_sources() -> list[Path]:
    """The review sheets, minutes and guideline text shipped as the first knowledge base."""
    return sorted(p for p in (knowledge_dir() / "sources").iterdir() if p.is_file() and not p.name.startswith("."))


def prompt(name: str) -> str:
    return (prompts_dir() / name).read_text(encoding="utf-8")
