from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from .respond import respond


def app_mentioned(event: dict, client: WebClient, context: BoltContext, logger: Logger) -> None:
    """@pia in a channel: answer in the thread (earlier turns of the thread are the history); from then on the
    thread's replies are answered without a new mention."""
    respond(event, client, context, logger, thread_ts=event.get("thread_ts") or event["ts"])
