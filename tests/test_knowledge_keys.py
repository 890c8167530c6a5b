"""Every template key the code uses exists in its knowledge/ YAML file.

The wording lives in knowledge/*.yaml and the code reaches it by key: `reason("empty", ...)` and `text(...)` in the
checker, and subscripts on what a loader returns (`templates()["finding"]["missing"]`, `w = wording()["report"]`
then `w["title"]`, `knowledge_yaml("check_messages.yaml")["annotate"]`). A key missing from the YAML would fail only
when that message is shown, often on an error path; this test reads the code (AST) and checks every literal key.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.resources import knowledge_yaml

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p for pkg in ("bot", "indexer") for p in (ROOT / pkg).rglob("*.py"))
# functions that format a message of check_messages.yaml's `reasons` by its key (bot/checker/messages.py)
REASON_FUNCTIONS = {"reason", "text"}


def _yaml_of_call(node: ast.AST) -> tuple[str, list[str]] | None:
    """`knowledge_yaml("x.yaml")` (possibly subscripted with literal keys) -> ("x.yaml", keys)."""
    keys: list[str] = []
    while isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value,
                                                                                                   str):
        keys.insert(0, node.slice.value)
        node = node.value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "knowledge_yaml"
            and node.args and isinstance(node.args[0], ast.Constant)):
        return str(node.args[0].value), keys
    return None


def loaders(tree: ast.Module) -> dict[str, tuple[str, list[str]]]:
    """Module-level functions whose body returns (a part of) a knowledge YAML: name -> (file, key prefix)."""
    out = {}
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Return) and node.value is not None:
                found = _yaml_of_call(node.value)
                if found:
                    out[fn.name] = found
    return out


def key_uses(path: Path, known: dict[str, tuple[str, list[str]]]) -> list[tuple[int, str, list[str]]]:
    """(line, YAML file, key path) for each literal key chain the module reads from a knowledge YAML."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    local = {**known, **loaders(tree)}
    uses: list[tuple[int, str, list[str]]] = []

    def root(node: ast.AST, names: dict[str, tuple[str, list[str]]]) -> tuple[str, list[str]] | None:
        keys: list[str] = []
        while isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(
                node.slice.value, str):
            keys.insert(0, node.slice.value)
            node = node.value
        base = _yaml_of_call(node)
        if base is None and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.args:
            base = local.get(node.func.id)
        if base is None and isinstance(node, ast.Name):
            base = names.get(node.id)
        return (base[0], base[1] + keys) if base else None

    for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Module))]:
        names: dict[str, tuple[str, list[str]]] = {}  # variables bound to a part of a YAML in this function
        body = fn.body if isinstance(fn, ast.FunctionDef) else [
            n for n in fn.body if not isinstance(n, ast.FunctionDef)]
        for stmt in body:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    found = root(node.value, names)
                    if found:
                        names[node.targets[0].id] = found
                if isinstance(node, ast.Subscript) and not isinstance(getattr(node, "parent", None), ast.Subscript):
                    found = root(node, names)
                    if found and found[1]:
                        uses.append((node.lineno, *found))
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REASON_FUNCTIONS
                        and node.args and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str) and path.parts[-2:-1] == ("checker",)):
                    uses.append((node.lineno, "check_messages.yaml", ["reasons", node.args[0].value]))
    return uses


def _has(data: Any, keys: list[str]) -> bool:
    for k in keys:
        if not isinstance(data, dict) or k not in data:
            return False
        data = data[k]
    return True


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def all_uses() -> tuple[tuple[str, int, str, list[str]], ...]:
    """Every module's key uses; a loader imported from another module (`from bot.reports import wording`) counts.
    Read once a session: the two tests below share it."""
    trees = {module_name(p): ast.parse(p.read_text(encoding="utf-8")) for p in MODULES}
    by_module = {name: loaders(tree) for name, tree in trees.items()}
    out = []
    for path in MODULES:
        imported = {}
        for node in ast.walk(trees[module_name(path)]):
            if isinstance(node, ast.ImportFrom) and node.module in by_module:
                for a in node.names:
                    if a.name in by_module[node.module]:
                        imported[a.asname or a.name] = by_module[node.module][a.name]
        for line, file, keys in key_uses(path, imported):
            out.append((str(path.relative_to(ROOT)), line, file, keys))
    return tuple(out)


def test_the_key_reader_finds_the_uses():
    """The check below must not pass vacuously: the known patterns are seen."""
    uses = all_uses()
    files = {u[2] for u in uses}
    assert {"check_messages.yaml", "review_templates.yaml", "answer_templates.yaml"} <= files
    assert any(u[0] == "bot/checker/rules.py" and u[3][0] == "reasons" for u in uses)  # reason("...") calls
    assert any(u[0] == "bot/reports/terminal.py" for u in uses)  # a loader imported from another module
    assert len(uses) > 100


def test_every_template_key_the_code_uses_exists():
    missing = [f"{mod}:{line} {file} {'/'.join(keys)}" for mod, line, file, keys in all_uses()
               if not _has(knowledge_yaml(file), keys)]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize(("source", "expected"), [
    ('def f():\n    return knowledge_yaml("check_messages.yaml")["nope"]\n', ["nope"]),
    ('def t():\n    return knowledge_yaml("review_templates.yaml")\n\ndef g():\n    x = t()["finding"]\n'
     '    return x["no_such_key"]\n', ["finding", "no_such_key"]),
])
def test_a_missing_key_is_caught(tmp_path, source, expected):
    p = tmp_path / "m.py"
    p.write_text(source, encoding="utf-8")
    uses = key_uses(p, {})
    assert any(keys == expected for _, _, keys in uses)
    assert any(not _has(knowledge_yaml(file), keys) for _, file, keys in uses)
