"""Answering a message the app received (a mention, a DM, a reply in a thread the bot takes part in): a reaction
while working, then files or a question."""

from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.answering import answer
from bot.slack.progress import Conversation

from .files_in_message import CHECK_WORDS, handle_files_in_message

WORKING = "eyes"


def respond(event: dict, client: WebClient, context: BoltContext, logger: Logger, thread_ts: str, *,
            addressed: bool = True, thread: list[dict] | None = None) -> None:
    services = context["pia"]
    channel, ts = event["channel"], event["ts"]
    conv = Conversation(client, channel, thread_ts, user=event.get("user"))
    if addressed:
        services.threads.remember(channel, thread_ts)  # addressed in this thread: its replies are for us too
    reacted = _react(client, channel, ts, logger)
    try:
        wants_check = addressed or CHECK_WORDS.search(event.get("text") or "")
        if event.get("files") and wants_check and handle_files_in_message(services, conv, event):
            return
        answer(services, conv, event.get("text") or "", current_ts=ts, bot_user_id=context.bot_user_id,
               team_id=context.team_id, thread=thread, addressed=addressed)
    finally:
        if reacted:
            _unreact(client, channel, ts, logger)


def _react(client: WebClient, channel: str, ts: str, logger: Logger) -> bool:
    try:
        client.reactions_add(channel=channel, timestamp=ts, name=WORKING)
        return True
    except Exception as e:  # a missing reaction must not stop the answer
        logger.info("reactions.add failed: %s", e)
        return False


def _unreact(client: WebClient, channel: str, ts: str, logger: Logger) -> None:
    try:
        client.reactions_remove(channel=channel, timestamp=ts, name=WORKING)
    except Exception as e:
        logger.info("reactions.remove failed: %s", e)
