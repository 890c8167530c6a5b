from logging import Logger

from slack_bolt import BoltContext, SetStatus, SetTitle
from slack_sdk import WebClient

from bot.slack.answering import answer
from bot.slack.listeners.events.files_in_message import handle_files_in_message
from bot.slack.progress import Conversation


def assistant_user_message(payload: dict, client: WebClient, context: BoltContext, set_status: SetStatus,
                           set_title: SetTitle, logger: Logger) -> None:
    """A message in an assistant thread (or any DM thread): check an attached draft, else answer with history.
    The thread's first question becomes its title."""
    services = context["pia"]
    conv = Conversation(client, payload["channel"], payload.get("thread_ts") or payload["ts"], user=payload.get("user"))
    if handle_files_in_message(services, conv, payload):
        return
    try:
        set_status(status="回答を作成中…", loading_messages=["確認事項を探しています…", "過去の所見を読んでいます…"])
    except Exception as e:  # a status is nice to have; the answer matters
        logger.info("assistant.threads.setStatus failed: %s", e)
    answer(services, conv, payload.get("text") or "", current_ts=payload.get("ts"), bot_user_id=context.bot_user_id,
           team_id=context.team_id, set_title=set_title)
