import json
from logging import Logger

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.slack.blocks import FILE_ACTION, FILE_BLOCK
from bot.slack.checking import check_file, index_file, refuse_index
from bot.slack.files import SlackFile, file_info
from bot.slack.progress import Conversation
from bot.slack.runtime import user_message


def submitted_files(view: dict) -> list[dict]:
    state = ((view.get("state") or {}).get("values") or {}).get(FILE_BLOCK) or {}
    return (state.get(FILE_ACTION) or {}).get("files") or []


def ack_file_modal(ack: Ack, view: dict) -> None:
    if not submitted_files(view):
        ack(response_action="errors", errors={FILE_BLOCK: "ファイルを 1 つ選んでください。"})
    else:
        ack()


def _target(view: dict, body: dict, client: WebClient) -> tuple[Conversation, str]:
    meta = json.loads(view.get("private_metadata") or "{}")
    user = (body.get("user") or {}).get("id") or meta.get("user") or ""
    # without a channel (opened from a shortcut), results go to the user's DM with the app
    return Conversation(client, meta.get("channel") or user, user=user), user


def _file(client: WebClient, conv: Conversation, payload: dict) -> SlackFile | None:
    """The submitted file as files.info describes it (owner and shares: the check of who may see it needs them)."""
    try:
        return file_info(client, SlackFile.from_payload(payload).id)
    except Exception as e:
        conv.post_text(":warning: " + user_message(e, doing="ファイルの確認"))
        return None


def check_submitted_file(body: dict, view: dict, client: WebClient, context: BoltContext, logger: Logger) -> None:
    conv, user = _target(view, body, client)
    f = _file(client, conv, submitted_files(view)[0])
    if f is not None:
        check_file(context["pia"], conv, f, user)


def index_submitted_file(body: dict, view: dict, client: WebClient, context: BoltContext, logger: Logger) -> None:
    services = context["pia"]
    conv, user = _target(view, body, client)
    if user not in services.settings.indexer_ids:
        refuse_index(conv)
        return
    f = _file(client, conv, submitted_files(view)[0])
    if f is not None:
        index_file(services, conv, f, user)
