from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from .respond import respond


def is_top_level_dm(event: dict) -> bool:
    """A new message in the DM with the app (thread replies go to the assistant listener)."""
    return (event.get("channel_type") == "im" and event.get("subtype") in (None, "file_share")
            and not event.get("thread_ts") and not event.get("bot_id"))


def direct_message(event: dict, client: WebClient, context: BoltContext, logger: Logger) -> None:
    """A question (or a draft to check) sent straight to the app: reply in a thread under it."""
    respond(event, client, context, logger, thread_ts=event["ts"])
