"""Slash commands. Each is acknowledged at once (Slack allows 3 s); the work runs as a lazy listener."""

from slack_bolt import Ack, App

from .pia_check import pia_check
from .pia_findings import pia_findings
from .pia_index import pia_index


def ack_now(ack: Ack) -> None:
    ack()


def register(app: App) -> None:
    app.command("/pia-check")(ack=ack_now, lazy=[pia_check])
    app.command("/pia-findings")(ack=ack_now, lazy=[pia_findings])
    app.command("/pia-index")(ack=ack_now, lazy=[pia_index])
