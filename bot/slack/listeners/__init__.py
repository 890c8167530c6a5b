"""Every listener registers itself with the app, one package per kind (as in Slack's bolt-python templates)."""

from slack_bolt import App

from . import actions, assistant, commands, events, views


def register_listeners(app: App) -> None:
    # the assistant middleware first: it claims the messages of assistant (DM) threads
    assistant.register(app)
    events.register(app)
    commands.register(app)
    actions.register(app)
    views.register(app)
