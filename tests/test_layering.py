"""The layers of the code, written down and kept (README, "Architecture").

    foundation      models, text, errors, settings, resources, catalog, form, wareki, round_record,
                    form_refs, procedures, bilingual (form items in text, procedure rules, the English reading)
    infrastructure  documents in (loaders), the knowledge store, embedders, Sudachi tokens
    indexing        indexer/: review-sheet, minutes and guideline parsers, records, the index pipeline
    services        bot/: retrieval, answers, draft reader, checker, findings, review sheet, evaluation
    presentation    reports and review-sheet writers: rendering of the domain models, nothing else
    engine          bot/engine.py, the one facade
    evaluation      bot/evaluation: the quality figures, measured through the engine
    adapters        bot/cli, bot/slack

A module imports only from its own layer or from the layers it may use (ALLOWED); indexing and services never
import each other; adapters use the engine, the foundation and the presentation only. Every import counts, also
one inside a function or under TYPE_CHECKING. `pia eval`'s evaluation sits above the engine and measures through it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "indexer")

# module prefix -> layer (the longest prefix wins)
LAYER_OF = {
    "bot": "services",
    "bot.models": "foundation",
    "bot.text": "foundation",
    "bot.errors": "foundation",
    "bot.settings": "foundation",
    "bot.resources": "foundation",
    "bot.catalog": "foundation",
    "bot.form": "foundation",
    "bot.form_refs": "foundation",
    "bot.procedures": "foundation",
    "bot.bilingual": "foundation",
    "bot.wareki": "foundation",
    "bot.source_labels": "foundation",
    "bot.round_record": "foundation",
    "bot.threads": "foundation",
    "bot.loaders": "infrastructure",
    "bot.pdf_layout": "infrastructure",
    "bot.store": "infrastructure",
    "bot.embeddings": "infrastructure",
    "bot.tokenize": "infrastructure",
    "indexer": "indexing",
    "bot.reports": "presentation",
    "bot.review_writers": "presentation",
    "bot.engine": "engine",
    "bot.evaluation": "evaluation",
    "bot.cli": "adapters",
    "bot.slack": "adapters",
}

ALLOWED = {
    "foundation": {"foundation"},
    "infrastructure": {"foundation", "infrastructure"},
    "indexing": {"foundation", "infrastructure", "indexing"},
    "services": {"foundation", "infrastructure", "services"},
    "presentation": {"foundation", "presentation"},
    "engine": {"foundation", "infrastructure", "indexing", "services", "presentation", "engine"},
    "evaluation": {"foundation", "presentation", "engine", "evaluation"},
    "adapters": {"foundation", "presentation", "engine", "evaluation", "adapters"},
}


def layer_of(module: str) -> str | None:
    best = None
    for prefix, layer in LAYER_OF.items():
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, layer)
    return best[1] if best else None


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, imported module) for every import statement of a module, relative ones resolved."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            # `from bot import engine` imports the module bot.engine
            out.extend((node.lineno, f"{target}.{a.name}") for a in node.names if is_module(f"{target}.{a.name}"))
    return out


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    own = layer_of(module)
    if own is None:
        return []
    found = []
    for line, target in imports_of(source, module, is_package):
        theirs = layer_of(target)
        if theirs is not None and theirs not in ALLOWED[own]:
            found.append(f"{module}:{line} ({own}) imports {target} ({theirs})")
    return found


def project_modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_every_module_has_a_layer():
    assert all(layer_of(module_name(p)) for p in project_modules())


def test_imports_follow_the_layers():
    problems = []
    for path in project_modules():
        problems += violations(module_name(path), path.read_text(encoding="utf-8"), path.name == "__init__.py")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("bot.text", "from indexer.pipeline import index_paths\n"),  # the foundation imports the indexer
        ("bot.models", "def f():\n    from bot.engine import Engine\n"),  # a function-level import counts
        ("bot.retrieval", "from indexer.pipeline import ensure_index\n"),  # services build no index
        ("bot.draft.reader", "import indexer.loaders\n"),
        ("indexer.pipeline", "from bot.answer import answer_question\n"),  # indexing uses no service
        ("bot.checker", "from bot.slack.app import create_app\n"),  # an adapter imported below it
        ("bot.cli.check", "from bot.checker import check_draft\n"),  # an adapter bypassing the engine
        ("bot.slack.listeners.events.respond", "from ....answer import answer_question\n"),  # relative imports too
        ("bot.reports.xlsx", "from bot.store import open_store\n"),  # presentation renders, it fetches nothing
    ],
)
def test_a_broken_layer_is_caught(module, source):
    assert violations(module, source), f"{module} should not be allowed: {source!r}"


def test_allowed_imports_pass():
    assert not violations("bot.cli.check", "from bot.engine import Engine\nfrom bot.reports import report_json\n")
    assert not violations("indexer.pipeline", "from bot.store import Store\nfrom bot.models import Record\n")
    assert not violations("bot.checker.dates", "from bot.wareki import ERAS\n")
