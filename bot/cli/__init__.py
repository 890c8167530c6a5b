"""The `pia` command. Each subcommand lives in its own module under bot/cli/ and is loaded on first use."""

from __future__ import annotations

import importlib
import json
import sys

import click

from bot.errors import PiaError

# name -> "module:attribute"; modules are imported only when their command runs
COMMANDS = {
    "index": "bot.cli.index:index",
    "sources": "bot.cli.index:sources",
    "search": "bot.cli.search:search",
    "parse-review": "bot.cli.parse_review:parse_review",
    "ask": "bot.cli.ask:ask",
    "check": "bot.cli.check:check",
    "findings": "bot.cli.findings:findings",
    "review": "bot.cli.review:review",
    "serve": "bot.cli.serve:serve",
    "eval": "bot.cli.evaluate:evaluate",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pia-assistant")
def cli():
    """pia: 特定個人情報保護評価（全項目評価書）の作成・審査を支援するツール。"""


def emit(payload, as_json: bool, human=None) -> None:
    """Print exactly one JSON document (pydantic model or plain data) with --json, else the human text."""
    if as_json:
        if hasattr(payload, "model_dump"):
            payload = payload.model_dump(mode="json")
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        click.echo(human(payload) if human else str(payload))


def emit_line(payload) -> None:
    """One JSON Lines record (for --batch and several drafts)."""
    if hasattr(payload, "model_dump"):
        payload = payload.model_dump(mode="json")
    click.echo(json.dumps(payload, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="pia", standalone_mode=False)
    except PiaError as e:
        click.echo(f"エラー: {e}", err=True)
        return e.exit_code
    except click.exceptions.Abort:
        click.echo("中断しました。", err=True)
        return 130
    except click.UsageError as e:
        click.echo(usage_line(e), err=True)
        return 2
    except click.ClickException as e:
        click.echo(f"エラー: {e.format_message()}", err=True)
        return 2
    except click.exceptions.Exit as e:
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    return 0


def usage_line(e: click.UsageError) -> str:
    """click's usage errors (missing argument, unknown option, bad value) as one line in the form of every other
    bad input, with where to read the usage."""
    message = " ".join(e.format_message().split())
    command = e.ctx.command_path if e.ctx is not None else "pia"
    return f"エラー: 指定が正しくありません: {message}（`{command} --help` で使い方を確認できます）"


def run() -> None:
    """The `pia` entry point. Thread limits first: they must be in place before numpy loads (bot/threads.py)."""
    from bot.threads import pin_threads

    pin_threads()
    sys.exit(main())
