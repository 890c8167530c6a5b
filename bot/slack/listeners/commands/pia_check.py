from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.answering import explain
from bot.slack.blocks import check_modal
from bot.slack.checking import check_file
from bot.slack.progress import Conversation

from .arguments import checkpoint_argument, is_latest, resolve_file

USAGE = ("使い方: `/pia-check`（ファイルを選ぶ画面が開きます）、`/pia-check latest`（このチャンネルで最後に共有した"
         "ファイル）、`/pia-check <ファイルのリンク>`、`/pia-check 41`（細目41の説明）")


def pia_check(body: dict, client: WebClient, context: BoltContext, logger: Logger) -> None:
    services = context["pia"]
    arg = (body.get("text") or "").strip()
    channel, user = body["channel_id"], body["user_id"]
    conv = Conversation(client, channel, user=user)
    if not arg:
        try:
            client.views_open(trigger_id=body["trigger_id"], view=check_modal({"channel": channel, "user": user}))
        except Exception as e:  # the trigger lasts 3 s; say what to do instead
            logger.info("views.open failed: %s", e)
            conv.post_text(":warning: ファイルを選ぶ画面を開けませんでした。もう一度 `/pia-check` を実行するか、"
                           "ファイルを共有してから `/pia-check latest` を実行してください。")
        return
    if arg.lower() in ("help", "ヘルプ", "使い方"):
        conv.post_text(USAGE)
        return
    cid = checkpoint_argument(arg)
    if cid is not None and not is_latest(arg):
        explain(services, conv, cid)
        return
    slack_file = resolve_file(client, conv, arg, user, channel, logger)
    if slack_file is None:
        if not is_latest(arg) and conv.progress_ts is None and conv.thread_ts is None:
            conv.post_text(f":thinking_face: 「{arg[:100]}」はファイルのリンクでも細目番号でもありません。{USAGE}")
        return
    check_file(services, conv, slack_file, user)
