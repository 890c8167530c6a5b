from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.answering import answer
from bot.slack.progress import Conversation

from .app_mentioned import _react, _unreact
from .files_in_message import handle_files_in_message


def is_top_level_dm(event: dict) -> bool:
    """A new message in the DM with the app (thread replies go to the assistant listener)."""
    return (event.get("channel_type") == "im" and event.get("subtype") in (None, "file_share")
            and not event.get("thread_ts") and not event.get("bot_id"))


def direct_message(event: dict, client: WebClient, context: BoltContext, logger: Logger) -> None:
    """A question (or a draft to check) sent straight to the app: reply in a thread under it."""
    services = context["pia"]
    channel, ts = event["channel"], event["ts"]
    conv = Conversation(client, channel, ts, user=event.get("user"))
    reacted = _react(client, channel, ts, logger)
    try:
        if handle_files_in_message(services, conv, event):
            return
        answer(services, conv, event.get("text") or "", current_ts=ts, bot_user_id=context.bot_user_id)
    finally:
        if reacted:
            _unreact(client, channel, ts, logger)
