"""Answering a question in a Slack thread: earlier turns of the thread become history, the engine answers on the
question pool, the answer is posted in the thread (split to fit) or streamed there when a language model writes it,
and any failure becomes a message saying what to do."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.models import Answer
from bot.slack.blocks import answer_messages, error_message, no_answer_message, truncate
from bot.slack.progress import Conversation
from bot.slack.runtime import BotServices, user_message
from bot.slack.streaming import AnswerStream

log = logging.getLogger(__name__)

MAX_HISTORY_TURNS = 8
MAX_TURN_CHARS = 1500
TITLE_CHARS = 40
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def clean_question(text: str) -> str:
    """The user's words without the bot mention and Slack's link/escape markup."""
    text = _MENTION.sub(" ", text or "")
    text = re.sub(r"<(?:https?|mailto):[^|>]+\|([^>]+)>", r"\1", text)
    text = re.sub(r"<(?:https?|mailto):([^>]+)>", r"\1", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()


def thread_messages(client: WebClient, channel: str, thread_ts: str | None) -> list[dict] | None:
    """Every message of a thread, oldest first; None when it cannot be read."""
    if not thread_ts:
        return None
    try:
        resp = client.conversations_replies(channel=channel, ts=thread_ts, limit=100)
    except SlackApiError as e:
        log.info("conversations.replies failed (%s); answering without history", e.response.get("error"))
        return None
    return list(resp.get("messages") or [])


def history_of(messages: list[dict] | None, current_ts: str | None, bot_user_id: str | None) -> list[str]:
    """The users' earlier questions in the thread, oldest first (the engine joins them with a follow-up question
    to retrieve; the bot's own messages are left out)."""
    turns: list[str] = []
    for m in messages or []:
        ts = m.get("ts")
        if current_ts and ts and float(ts) >= float(current_ts):
            continue
        if m.get("bot_id") or m.get("subtype") or (bot_user_id is not None and m.get("user") == bot_user_id):
            continue
        text = clean_question(m.get("text") or "")
        if text:
            turns.append(text[:MAX_TURN_CHARS])
    return turns[-MAX_HISTORY_TURNS:]


def bot_takes_part(messages: list[dict], thread_ts: str, bot_user_id: str | None, bot_id: str | None) -> bool:
    """The bot started the thread, was mentioned in it, or answered in it."""
    mention = f"<@{bot_user_id}>" if bot_user_id else None
    for m in messages:
        by_bot = (bot_id is not None and m.get("bot_id") == bot_id) or (
            bot_user_id is not None and m.get("user") == bot_user_id)
        if by_bot or (mention and mention in (m.get("text") or "")):
            return True
    return False


def thread_title(question: str) -> str:
    return truncate(clean_question(question), TITLE_CHARS)


def post_answer(conv: Conversation, answer: Answer) -> None:
    conv.post(answer_messages(answer))


def answer(services: BotServices, conv: Conversation, question: str, *, current_ts: str | None,
           bot_user_id: str | None, team_id: str | None = None, thread: list[dict] | None = None,
           set_title: Callable[[str], object] | None = None, addressed: bool = True) -> Answer | None:
    """Answer `question` in `conv` using the thread's earlier turns (`thread`, when the caller has read it).
    Never silent when `addressed` (a mention, a DM): errors and empty results become messages. A reply in a thread
    that did not address the bot gets an answer only when there is something to say."""
    question = clean_question(question)
    if not question:
        if addressed:
            conv.post(error_message("質問が空でした。たとえば「再委託先の監督はどこに書く？」のように聞いてください。"))
        return None
    with services.flows.track(conv):
        if thread is None and conv.thread_ts and conv.thread_ts != current_ts:
            thread = thread_messages(conv.client, conv.channel, conv.thread_ts)
        history = history_of(thread, current_ts, bot_user_id) if conv.thread_ts != current_ts else []
        if set_title is not None and not history:
            try:  # the assistant thread's title: its first question
                set_title(thread_title(question))
            except Exception as e:  # a title is nice to have; the answer matters
                log.info("assistant.threads.setTitle failed: %s", e)
        stream = AnswerStream(conv, user=conv.user, team=team_id) if services.streams_answers else None
        try:
            if stream is not None:
                result = services.questions.run_relayed(services.engine.ask, question, history=history or None,
                                                        timeout=services.answer_timeout, relay=stream.add,
                                                        tick=stream.tick)
            else:
                result = services.questions.run(services.engine.ask, question, history=history or None,
                                                timeout=services.answer_timeout)
        except Exception as e:  # every failure becomes a message
            if stream is not None:
                stream.close()
            conv.post(error_message(user_message(e, doing="回答の作成")))
            return None
        services.threads.remember(conv.channel, conv.thread_ts)
        if not result.checkpoints and not result.citations and not result.answer.strip():
            if stream is not None:
                stream.close()
            if addressed:
                conv.post(no_answer_message())
            return result
        if not addressed and not result.checkpoints and not result.citations:
            return result  # nothing from the knowledge for a remark nobody addressed to the bot
        if stream is None or not stream.finish(result):
            post_answer(conv, result)
        return result


def explain(services: BotServices, conv: Conversation, checkpoint_id: str) -> Answer | None:
    with services.flows.track(conv):
        try:
            result = services.questions.run(services.engine.explain_checkpoint, checkpoint_id,
                                            timeout=services.answer_timeout)
        except Exception as e:
            conv.post(error_message(user_message(e, doing=f"確認事項 {checkpoint_id} の説明")))
            return None
        post_answer(conv, result)
        return result
