"""Posting into a conversation: one progress message that is updated as work goes on, then the results in its
thread. If the bot cannot post in the channel (not a member), everything goes to the user's DM with the app."""

from __future__ import annotations

import logging
from typing import Any, cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.slack.blocks import SlackMessage, notice

log = logging.getLogger(__name__)
_NOT_HERE = {"not_in_channel", "channel_not_found", "is_archived"}


def _json(resp: SlackResponse) -> dict[str, Any]:
    # SlackResponse.data is typed dict | bytes; it is bytes only for binary downloads, JSON for the methods used here
    return cast(dict[str, Any], resp.data)


class Conversation:
    """A place to talk: channel + optional thread. The first post starts the thread if there is none."""

    def __init__(self, client: WebClient, channel: str, thread_ts: str | None = None, user: str | None = None):
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.user = user
        self.progress_ts: str | None = None

    def _post(self, msg: SlackMessage, thread_ts: str | None) -> dict:
        try:
            return _json(self.client.chat_postMessage(channel=self.channel, thread_ts=thread_ts, text=msg.text,
                                                      blocks=msg.blocks or None, unfurl_links=False,
                                                      unfurl_media=False))
        except SlackApiError as e:
            if e.response.get("error") in _NOT_HERE and self.user and self.channel != self.user:
                log.info("cannot post in %s (%s); moving to the user's DM", self.channel, e.response.get("error"))
                self.channel, self.thread_ts, thread_ts = self.user, None, None
                return _json(self.client.chat_postMessage(channel=self.channel, text=msg.text,
                                                          blocks=msg.blocks or None, unfurl_links=False,
                                                          unfurl_media=False))
            raise

    def post(self, messages: list[SlackMessage] | SlackMessage) -> list[str | None]:
        """Post in the thread (starting one with the first message if needed); returns the message ts's."""
        if isinstance(messages, SlackMessage):
            messages = [messages]
        out: list[str | None] = []
        for m in messages:
            resp = self._post(m, self.thread_ts)
            ts = resp.get("ts")
            out.append(ts)
            if self.thread_ts is None:
                self.thread_ts = ts
        return out

    def post_text(self, text: str) -> None:
        self.post(notice(text))

    def start(self, text: str) -> None:
        """The progress message (the thread's parent if there was no thread)."""
        self.progress_ts = self.post(notice(text))[0]

    def update(self, text: str) -> None:
        if self.progress_ts is None:
            self.start(text)
            return
        msg = notice(text)
        try:
            self.client.chat_update(channel=self.channel, ts=self.progress_ts, text=msg.text, blocks=msg.blocks)
        except SlackApiError as e:  # an update that fails must not hide the result that follows
            log.warning("chat.update failed: %s", e.response.get("error"))

    def upload(self, path, filename: str, title: str, comment: str | None = None) -> dict:
        return _json(self.client.files_upload_v2(file=str(path), filename=filename, title=title, channel=self.channel,
                                                 thread_ts=self.thread_ts, initial_comment=comment))
