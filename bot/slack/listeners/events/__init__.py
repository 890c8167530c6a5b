"""Events API listeners: @mentions in channels and messages in the DM with the app."""

from slack_bolt import App

from .app_mentioned import app_mentioned
from .direct_message import direct_message, is_top_level_dm


def register(app: App) -> None:
    app.event("app_mention")(app_mentioned)
    app.event("message", matchers=[is_top_level_dm])(direct_message)
    # other message events (edits, deletions, channel messages) need no answer
    app.event("message")(ignore_message)


def ignore_message() -> None:
    return None
