"""Answering a question in a Slack thread: earlier turns of the thread become history, the engine answers, the
answer is posted in the thread (split to fit), and any failure becomes a message saying what to do."""

from __future__ import annotations

import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.models import Answer
from bot.slack.blocks import answer_messages, error_message, no_answer_message
from bot.slack.progress import Conversation
from bot.slack.runtime import BotServices, user_message

log = logging.getLogger(__name__)

MAX_HISTORY_TURNS = 8
MAX_TURN_CHARS = 1500
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def clean_question(text: str) -> str:
    """The user's words without the bot mention and Slack's link/escape markup."""
    text = _MENTION.sub(" ", text or "")
    text = re.sub(r"<(?:https?|mailto):[^|>]+\|([^>]+)>", r"\1", text)
    text = re.sub(r"<(?:https?|mailto):([^>]+)>", r"\1", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()


def thread_history(client: WebClient, channel: str, thread_ts: str | None, current_ts: str | None,
                   bot_user_id: str | None) -> list[str]:
    """The users' earlier questions in the thread, oldest first (the engine joins them with a follow-up question
    to retrieve; the bot's own messages are left out). [] when there is no thread or it cannot be read."""
    if not thread_ts or thread_ts == current_ts:
        return []
    try:
        resp = client.conversations_replies(channel=channel, ts=thread_ts, limit=100)
    except SlackApiError as e:
        log.info("conversations.replies failed (%s); answering without history", e.response.get("error"))
        return []
    turns: list[str] = []
    for m in resp.get("messages") or []:
        ts = m.get("ts")
        if current_ts and ts and float(ts) >= float(current_ts):
            continue
        if m.get("bot_id") or m.get("subtype") or (bot_user_id is not None and m.get("user") == bot_user_id):
            continue
        text = clean_question(m.get("text") or "")
        if text:
            turns.append(text[:MAX_TURN_CHARS])
    return turns[-MAX_HISTORY_TURNS:]


def post_answer(conv: Conversation, answer: Answer) -> None:
    conv.post(answer_messages(answer))


def answer(services: BotServices, conv: Conversation, question: str, *, current_ts: str | None,
           bot_user_id: str | None) -> Answer | None:
    """Answer `question` in `conv` using the thread's earlier turns. Never silent: errors become messages."""
    question = clean_question(question)
    if not question:
        conv.post(error_message("質問が空でした。たとえば「再委託先の監督はどこに書く？」のように聞いてください。"))
        return None
    history = thread_history(conv.client, conv.channel, conv.thread_ts, current_ts, bot_user_id)
    try:
        result = services.worker.run(services.engine.ask, question, history=history or None,
                                     timeout=services.answer_timeout)
    except Exception as e:  # noqa: BLE001 - every failure becomes a message
        conv.post(error_message(user_message(e, doing="回答の作成")))
        return None
    if not result.checkpoints and not result.citations and not result.answer.strip():
        conv.post(no_answer_message())
        return result
    post_answer(conv, result)
    return result


def explain(services: BotServices, conv: Conversation, checkpoint_id: str) -> Answer | None:
    try:
        result = services.worker.run(services.engine.explain_checkpoint, checkpoint_id, timeout=services.answer_timeout)
    except Exception as e:  # noqa: BLE001
        conv.post(error_message(user_message(e, doing=f"確認事項 {checkpoint_id} の説明")))
        return None
    post_answer(conv, result)
    return result
