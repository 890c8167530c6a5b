"""Buttons: feedback on answers, details of one section of a check report."""

import re

from slack_bolt import App

from bot.slack.blocks import FEEDBACK_ACTION, SECTION_ACTION

from .feedback import handle_feedback
from .section_details import ack_now, show_section_details


def register(app: App) -> None:
    app.action(FEEDBACK_ACTION)(handle_feedback)
    app.action(re.compile(f"^{SECTION_ACTION}(_\\d+)?$"))(ack=ack_now, lazy=[show_section_details])
