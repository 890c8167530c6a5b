"""Events API listeners: @mentions in channels, messages in the DM with the app, and replies in the channel
threads the bot takes part in (message.channels / message.groups)."""

from slack_bolt import App

from .app_mentioned import app_mentioned
from .direct_message import direct_message, is_top_level_dm
from .thread_reply import is_thread_reply, thread_reply


def register(app: App) -> None:
    app.event("app_mention")(app_mentioned)
    app.event("message", matchers=[is_top_level_dm])(direct_message)
    app.event("message", matchers=[is_thread_reply])(thread_reply)
    # other message events (edits, deletions, other channel messages) need no answer
    app.event("message")(ignore_message)


def ignore_message() -> None:
    return None
