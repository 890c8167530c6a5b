"""An answer streamed into its thread while the language model writes it.

slack_sdk's ChatStream drives chat.startStream / chat.appendStream / chat.stopStream. Only sentences that passed
the citation check (bot/llm.py CitedStream) are appended, so the stream never shows what the final answer drops.
The first sentence goes out at once, then at most one append a second (Slack rate-limits the stream methods). The
stream closes with the answer's checkpoints, sources and feedback buttons as blocks. If Slack refuses the stream at
any point, the caller posts the answer as a normal message instead (and a stream already shown is closed with a
note, or replaced with chat.update)."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.models import Answer
from bot.slack.blocks import MAX_MESSAGE_CHARS, answer_messages
from bot.slack.progress import Conversation

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0
FLUSH_CHARS = 600
FALLBACK_NOTE = "\n\n（文章の生成を続けられなかったため、資料からまとめた回答を続けて示します）"
STOPPED_NOTE = "\n\n（回答の作成を中断しました）"


class AnswerStream:
    def __init__(self, conv: Conversation, *, user: str | None, team: str | None):
        self.conv = conv
        self.failed = False
        self.sent = ""
        self._pending = ""
        self._last = 0.0
        kwargs = {"recipient_user_id": user, "recipient_team_id": team}
        self._stream = conv.client.chat_stream(channel=conv.channel, thread_ts=conv.thread_ts or "", buffer_size=1,
                                               **{k: v for k, v in kwargs.items() if v})

    @property
    def started(self) -> bool:
        return self._stream.ts is not None

    # ------------------------------------------------------------------ while the model writes
    def add(self, text: str) -> None:
        self._pending += text
        if not self.sent or len(self._pending) >= FLUSH_CHARS:
            self._flush()

    def tick(self) -> None:
        if self._pending and time.monotonic() - self._last >= FLUSH_SECONDS:
            self._flush()

    def _flush(self) -> None:
        if self.failed or not self._pending.strip():
            return
        try:
            self._stream.append(markdown_text=self._pending)
        except (SlackApiError, SlackClientError) as e:
            self._refused("append", e)
            return
        self.sent += self._pending
        self._pending = ""
        self._last = time.monotonic()

    def _refused(self, what: str, e: Exception) -> None:
        error = e.response.get("error") if isinstance(e, SlackApiError) else type(e).__name__
        log.info("streaming (%s) refused: %s; the answer will be posted instead", what, error)
        self.failed = True

    # ------------------------------------------------------------------ the end
    def finish(self, answer: Answer) -> bool:
        """Close the stream with the whole answer. False when the caller must post the answer itself."""
        if answer.llm is None:  # the model's text was not used: the extractive answer follows as a message
            self.close(FALLBACK_NOTE if self.sent else "")
            return False
        if self.failed:
            return self._replace(answer)
        shown = (self.sent + self._pending).strip()
        full = answer.answer.strip()
        tail = self._pending + (full[len(shown):] if full.startswith(shown) else "")
        pages = answer_messages(answer, body=False, max_chars=max(2000, MAX_MESSAGE_CHARS - len(full)))
        try:
            self._stream.stop(markdown_text=tail or None, blocks=pages[0].blocks)
        except (SlackApiError, SlackClientError) as e:
            self._refused("stop", e)
            return self._replace(answer)
        self.sent += tail
        self._pending = ""
        if len(pages) > 1:
            self.conv.post(pages[1:])
        return True

    def close(self, note: str = STOPPED_NOTE) -> None:
        """End a stream that was shown without finishing the answer (an error, a fallback)."""
        if not self.started or self.failed:
            return
        try:
            self._stream.stop(markdown_text=(self._pending + note) or None)
        except (SlackApiError, SlackClientError) as e:
            self._refused("stop", e)

    def _replace(self, answer: Answer) -> bool:
        """Slack stopped taking the stream half-way: put the whole answer into the streamed message instead."""
        ts = self._stream.ts
        if ts is None:
            return False
        pages = answer_messages(answer)
        try:
            self.conv.client.chat_update(channel=self.conv.channel, ts=ts, text=pages[0].text,
                                         blocks=pages[0].blocks)
        except SlackApiError as e:
            log.info("chat.update of the stream failed: %s", e.response.get("error"))
            return False
        if len(pages) > 1:
            self.conv.post(pages[1:])
        return True
