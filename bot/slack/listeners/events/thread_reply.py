from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.answering import bot_takes_part, thread_messages

from .respond import respond

_OTHER_MENTION = "<@"


def is_thread_reply(event: dict, context: BoltContext) -> bool:
    """A person's reply in a channel thread (message.channels / message.groups) that does not mention the bot
    (a mention arrives as app_mention and is answered there)."""
    thread_ts = event.get("thread_ts")
    return (event.get("channel_type") in ("channel", "group") and bool(thread_ts) and thread_ts != event.get("ts")
            and event.get("subtype") in (None, "file_share") and not event.get("bot_id")
            and event.get("user") != context.bot_user_id
            and f"<@{context.bot_user_id}>" not in (event.get("text") or ""))


def thread_reply(event: dict, client: WebClient, context: BoltContext, logger: Logger) -> None:
    """A follow-up without a new @mention: answered only in a thread the bot started, was mentioned in or answered
    in, and not when it is addressed to someone else."""
    if _OTHER_MENTION in (event.get("text") or ""):
        return  # talking to a colleague in the thread
    services = context["pia"]
    channel, thread_ts = event["channel"], event["thread_ts"]
    known = services.threads.known(channel, thread_ts)
    if known is False:
        return
    messages = thread_messages(client, channel, thread_ts)
    if known is None:
        engaged = messages is not None and bot_takes_part(messages, thread_ts, context.bot_user_id, context.bot_id)
        services.threads.remember(channel, thread_ts, engaged)
        if not engaged:
            return
    respond(event, client, context, logger, thread_ts=thread_ts, addressed=False, thread=messages)
