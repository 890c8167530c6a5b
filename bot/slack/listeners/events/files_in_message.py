"""A file shared with words like 「チェックして」 is a draft to check."""

import re

from bot.slack.checking import check_file
from bot.slack.files import SlackFile
from bot.slack.progress import Conversation
from bot.slack.runtime import BotServices

CHECK_WORDS = re.compile(r"チェック|ちぇっく|点検|確認して|check", re.IGNORECASE)


def handle_files_in_message(services: BotServices, conv: Conversation, message: dict) -> bool:
    """Check the first file of a message that asks for a check; True if the message was handled that way."""
    files = message.get("files") or []
    if not files:
        return False
    if not CHECK_WORDS.search(message.get("text") or ""):
        conv.post_text(":paperclip: ファイルを受け取りました。評価書ドラフトのチェックなら、ファイルに"
                       "「チェックして」と添えて送ってください（ファイルは保存しません）。")
        return True
    check_file(services, conv, SlackFile.from_payload(files[0]), message.get("user") or "")
    return True
