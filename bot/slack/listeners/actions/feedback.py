from logging import Logger

from slack_bolt import Ack
from slack_sdk import WebClient


def handle_feedback(ack: Ack, body: dict, client: WebClient, logger: Logger) -> None:
    """Thumbs up/down under an answer: logged (no message text), thanked in an ephemeral note."""
    ack()
    action = body["actions"][0]
    good = action.get("value") == "good"
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id")
    user = (body.get("user") or {}).get("id")
    logger.info("answer feedback: %s (message %s, user %s)", "good" if good else "bad", message.get("ts"), user)
    if not channel or not user:  # nowhere to thank them
        return
    text = ("ありがとうございます。参考になってよかったです。" if good else
            "ご意見ありがとうございます。質問に評価書の項目名や細目番号を入れると、より近い回答になることがあります。")
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text,
                                  thread_ts=message.get("thread_ts") or message.get("ts"))
    except Exception as e:
        logger.info("chat.postEphemeral failed: %s", e)
