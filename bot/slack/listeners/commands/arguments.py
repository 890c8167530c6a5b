"""What a slash command's argument points at."""

from __future__ import annotations

from logging import Logger

from slack_sdk import WebClient

from bot.catalog import normalize_checkpoint_id
from bot.errors import PiaError
from bot.slack.files import SlackFile, file_ids_in_text, file_info, latest_file
from bot.slack.progress import Conversation
from bot.slack.runtime import user_message

LATEST = {"latest", "最新", "さいしん"}


def is_latest(arg: str) -> bool:
    return arg.strip().lower() in LATEST


def checkpoint_argument(arg: str) -> str | None:
    """'41', '細目41', 'V3' -> the checkpoint id."""
    s = arg.strip().removeprefix("細目").removeprefix("#").strip()
    return normalize_checkpoint_id(s) if s else None


def resolve_file(client: WebClient, conv: Conversation, arg: str, user: str, channel: str,
                 logger: Logger) -> SlackFile | None:
    """`latest`, a file link or a file id -> the file; posts what went wrong and returns None otherwise."""
    try:
        if is_latest(arg):
            f = latest_file(client, user, channel)
            if f is None:
                conv.post_text(":mag: このチャンネルであなたが共有したファイルが見つかりませんでした。"
                               "ファイルを共有してから `latest` を付けて実行するか、"
                               "引数なしで実行してファイルを選んでください。")
            return f
        ids = file_ids_in_text(arg)
        if ids:
            return file_info(client, ids[0])
    except PiaError as e:
        conv.post_text(":warning: " + user_message(e, doing="ファイルの確認"))
        return None
    return None
