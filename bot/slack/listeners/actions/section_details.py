import json
from logging import Logger

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.slack.blocks import section_detail_messages
from bot.slack.progress import Conversation


def ack_now(ack: Ack) -> None:
    ack()


def show_section_details(body: dict, client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Post every result of one section (reasons, the draft's wording, precedents) in the report's thread."""
    services = context["pia"]
    action = body["actions"][0]
    channel = (body.get("channel") or {}).get("id")
    user = (body.get("user") or {}).get("id")
    message = body.get("message") or {}
    if not channel or not user:  # a button outside a conversation: nowhere to post the details
        logger.info("section details: no channel or user in the action")
        return
    try:
        value = json.loads(action.get("value") or "{}")
    except json.JSONDecodeError:
        value = {}
    found = services.reports.get(value.get("r", ""))
    if found is None:
        client.chat_postEphemeral(channel=channel, user=user,
                                  text="このチェック結果はもう保持していません（ボットの再起動か 6 時間の保持期限）。"
                                       "詳細は添付の Excel を見るか、もう一度 /pia-check を実行してください。")
        return
    report, owner = found
    if user != owner:  # the details quote the draft: only the person who ran the check may open them
        logger.info("user %s was refused the section details of a check by %s", user, owner)
        client.chat_postEphemeral(channel=channel, user=user,
                                  text=":no_entry: この詳細はチェックを実行した人だけが開けます。"
                                       "ご自身の評価書は /pia-check で確認してください。")
        return
    conv = Conversation(client, channel, message.get("thread_ts") or message.get("ts"), user=user)
    conv.post(section_detail_messages(report, value.get("s", "")))
