from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.blocks import index_modal
from bot.slack.checking import index_file, refuse_index
from bot.slack.progress import Conversation

from .arguments import resolve_file


def may_index(services, user: str) -> bool:
    return user in services.settings.indexer_ids


def pia_index(body: dict, client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Add a review sheet, minutes or guideline to the shared knowledge (allow-listed users only)."""
    services = context["pia"]
    channel, user = body["channel_id"], body["user_id"]
    conv = Conversation(client, channel, user=user)
    if not may_index(services, user):
        logger.info("user %s was refused /pia-index", user)
        refuse_index(conv)
        return
    arg = (body.get("text") or "").strip()
    if not arg:
        try:
            client.views_open(trigger_id=body["trigger_id"], view=index_modal({"channel": channel, "user": user}))
        except Exception as e:
            logger.info("views.open failed: %s", e)
            conv.post_text(":warning: ファイルを選ぶ画面を開けませんでした。"
                           "`/pia-index <ファイルのリンク>` を試してください。")
        return
    slack_file = resolve_file(client, conv, arg, user, channel, logger)
    if slack_file is None:
        if conv.thread_ts is None:
            conv.post_text("使い方: `/pia-index`（ファイルを選ぶ）、`/pia-index <ファイルのリンク>`、"
                           "`/pia-index latest`")
        return
    index_file(services, conv, slack_file, user)
