"""Modal submissions: the draft chosen in the /pia-check modal, the source chosen in the /pia-index modal."""

from slack_bolt import App

from bot.slack.blocks import CHECK_MODAL, INDEX_MODAL

from .file_modal import ack_file_modal, check_submitted_file, index_submitted_file


def register(app: App) -> None:
    app.view(CHECK_MODAL)(ack=ack_file_modal, lazy=[check_submitted_file])
    app.view(INDEX_MODAL)(ack=ack_file_modal, lazy=[index_submitted_file])
