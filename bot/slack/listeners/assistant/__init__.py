"""The app's assistant (agent) view: a greeting with suggested prompts, then answers in the assistant thread."""

from slack_bolt import App, Assistant

from .thread_started import assistant_thread_started
from .user_message import assistant_user_message


def register(app: App) -> None:
    assistant = Assistant()
    assistant.thread_started(assistant_thread_started)
    assistant.user_message(assistant_user_message)
    app.assistant(assistant)
