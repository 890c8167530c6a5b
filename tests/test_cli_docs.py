"""docs/cli.md is the repository's copy of the `pia` contract: it stays in step with `pia <command> --help`.

Every subcommand has a section `## \\`pia NAME\\``, whose usage line is the command's own, and whose options table
lists exactly the command's options (every long and short name), nothing more.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from bot.cli import COMMANDS, cli

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## `pia ([a-z-]+)`\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def command(name: str) -> click.Command:
    cmd = cli.get_command(click.Context(cli), name)
    assert cmd is not None
    return cmd


def documented_options(section: str) -> set[str]:
    """The option names in the first column of the section's options table."""
    names: set[str] = set()
    for line in section.splitlines():
        m = re.match(r"^\|\s*(`-(?:[^|\\]|\\.)*?)\s\|", line)  # up to the first unescaped |
        if m:
            names |= set(re.findall(r"`(-{1,2}[A-Za-z][\w-]*)`", m.group(1)))
    return names


def test_every_command_is_documented_and_nothing_else():
    assert set(sections()) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_usage_line_is_the_commands_own(name):
    cmd = command(name)
    usage = " ".join(cmd.collect_usage_pieces(click.Context(cmd)))
    assert f"`pia {name} {usage}`" in sections()[name]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_options_table_lists_exactly_the_commands_options(name):
    cmd = command(name)
    actual = {n for p in cmd.params if isinstance(p, click.Option) for n in p.opts + p.secondary_opts}
    assert documented_options(sections()[name]) == actual


def test_the_table_reader_sees_a_missing_or_extra_option():
    """The check above could pass vacuously if the table were not read: an altered table must differ."""
    section = sections()["check"]
    assert "--annotate" in documented_options(section)
    assert "--annotate" not in documented_options(section.replace("`--annotate`", "`--annotated`"))
