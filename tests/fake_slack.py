"""A local fake of the Slack platform for tests, on 127.0.0.1.

- Web API: the methods the bot calls (auth.test, chat.*, views.*, files.*, conversations.*, assistant.threads.*,
  reactions.*, apps.connections.open), each checked for the right token and RECORDED for assertions. Messages are
  checked against Slack's Block Kit limits (50 blocks, 3,000 chars per section text) and refused like Slack does.
- Who sees a file: files.info answers as Slack does, with the conversations a file is shared in (`channels` for
  public channels, `groups` for private ones, `ims` for DMs, and the same under `shares.public`/`shares.private`);
  conversations.members lists a conversation's members page by page (`limit`, `next_cursor`), and answers
  channel_not_found for a private conversation the bot is not in, as Slack does. conversations.open gives the DM
  between the bot and a user.
  Streamed messages (chat.startStream / appendStream / stopStream) grow one message, refused once it is stopped,
  and need recipient_user_id / recipient_team_id in channels, as Slack's do. The listen backlog is large: a burst
  of calls from the bot is never reset at connect time.
- File hosting: url_private_download served only with `Authorization: Bearer <bot token>` (without it, Slack's
  sign-in page as HTML), and the upload URLs files.getUploadURLExternal hands out.
- Socket Mode: a websocket server (websockets package) that apps.connections.open points at; it sends envelopes
  and records the acks (envelope_id) that come back.
- The sender side: `SignedSender` posts events, slash commands and interactions to the bot with a valid (or forged)
  X-Slack-Signature v0.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"
SIGNING_SECRET = "fake-signing-secret"
TEAM = "T0FAKE0001"
BOT_USER = "U0PIABOT1"
BOT_ID = "B0PIABOT1"
APP_ID = "A0PIAAPP1"

LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)
    response: dict[str, Any] | None = None


class SlackApiRefusal(Exception):
    def __init__(self, error: str, **extra):
        super().__init__(error)
        self.error = error
        self.extra = extra


def _section_texts(blocks: list[dict]) -> list[str]:
    out = []
    for b in blocks:
        if b.get("type") == "section" and isinstance(b.get("text"), dict):
            out.append(b["text"].get("text", ""))
    return out


def check_blocks(blocks: Any) -> None:
    """Refuse what Slack refuses (the limits the bot must respect)."""
    if blocks is None:
        return
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if len(blocks) > 50:
        raise SlackApiRefusal("invalid_blocks", detail="more than 50 blocks")
    for t in _section_texts(blocks):
        if len(t) > 3000:
            raise SlackApiRefusal("invalid_blocks", detail=f"section text of {len(t)} chars")
        if not t:
            raise SlackApiRefusal("invalid_blocks", detail="empty section text")
    for b in blocks:
        if b.get("type") == "header" and len(b["text"]["text"]) > 150:
            raise SlackApiRefusal("invalid_blocks", detail="header too long")
        if b.get("type") == "actions":
            for el in b.get("elements", []):
                if len(el.get("text", {}).get("text", "")) > 75:
                    raise SlackApiRefusal("invalid_blocks", detail="button text too long")


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # Slack itself never resets a connection under a burst; neither does its fake


def _chunk_text(p: dict) -> str:
    """The markdown of a chat.*Stream call: `markdown_text`, or the markdown_text chunks."""
    text = p.get("markdown_text") or ""
    chunks = p.get("chunks")
    if isinstance(chunks, str):
        chunks = json.loads(chunks)
    for c in chunks or []:
        if c.get("type") != "markdown_text":
            raise SlackApiRefusal("invalid_chunks")
        text += c.get("text", "")
    return text


class FakeSlack:
    def __init__(self, bot_token: str = BOT_TOKEN, app_token: str = APP_TOKEN):
        self.bot_token = bot_token
        self.app_token = app_token
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict]] = {}
        self.files: dict[str, dict] = {}
        self.file_data: dict[str, bytes] = {}
        self.uploads: dict[str, bytes] = {}
        self.downloads: list[tuple[str, bool]] = []  # (file id, authorised)
        self.not_member: set[str] = set()
        self.failures: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}  # conversation id -> member user ids (conversations.members)
        self.hidden: set[str] = set()  # private conversations the bot is not in: members cannot be listed
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._httpd: ThreadingHTTPServer | None = None
        self.ws: FakeSocketMode | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                return

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True, name="fake-slack").start()
        return self

    def stop(self) -> None:
        if self.ws:
            self.ws.stop()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def reset(self) -> None:
        with self._cond:
            self.calls.clear()
            self.messages.clear()
            self.uploads.clear()
            self.downloads.clear()
            self.not_member.clear()
            self.failures.clear()
            self.members.clear()
            self.hidden.clear()

    # ------------------------------------------------------------------ state helpers for tests
    def next_ts(self) -> str:
        return f"{1700000000 + next(self._ts)}.{next(self._ids):06d}"

    def add_message(self, channel: str, user: str, text: str, thread_ts: str | None = None,
                    files: list[dict] | None = None, ts: str | None = None) -> dict:
        msg = {"type": "message", "user": user, "text": text, "ts": ts or self.next_ts(), "team": TEAM}
        if thread_ts:
            msg["thread_ts"] = thread_ts
        if files:
            msg["files"] = files
        with self._cond:
            self.messages.setdefault(channel, []).append(msg)
        return msg

    def add_file(self, name: str, data: bytes, *, user: str, channel: str | None = None,
                 filetype: str | None = None, size: int | None = None, private: list[str] | None = None,
                 ims: list[str] | None = None) -> dict:
        """A file owned by `user`, shared in `channel` (a public channel, or a DM when it starts with D), in the
        private channels `private` and the DMs `ims`. Shared nowhere: only its owner may see it."""
        fid = f"F{uuid.uuid4().hex[:10].upper()}"
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        public = [channel] if channel and not channel.startswith("D") else []
        dms = ([channel] if channel and channel.startswith("D") else []) + list(ims or [])
        groups = list(private or [])
        ts = self.next_ts()
        meta = {
            "id": fid, "name": name, "title": name, "user": user, "filetype": filetype or ext,
            "mimetype": "application/octet-stream", "size": len(data) if size is None else size,
            "created": int(time.time()) + next(self._ids),
            "url_private": f"{self.url}files-pri/{TEAM}-{fid}/{urllib.parse.quote(name)}",
            "url_private_download": f"{self.url}files-pri/{TEAM}-{fid}/download/{urllib.parse.quote(name)}",
            "permalink": f"{self.url}files/{user}/{fid}/{urllib.parse.quote(name)}",
            "channels": public, "groups": groups, "ims": dms,
            "shares": {
                **({"public": {c: [{"ts": ts, "channel_name": c.lower(), "reply_count": 0}] for c in public}}
                   if public else {}),
                **({"private": {c: [{"ts": ts, "reply_count": 0}] for c in groups + dms}} if groups or dms else {}),
            },
            "is_public": bool(public),
        }
        with self._cond:
            self.files[fid] = meta
            self.file_data[fid] = data
        return meta

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, predicate: Callable[[Call], bool] | None = None, count: int = 1,
                 timeout: float = 15.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and (predicate is None or predicate(c))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"timed out waiting for {count}x {method}; calls so far: {seen}")
                self._cond.wait(left)

    def thread(self, channel: str, thread_ts: str) -> list[dict]:
        with self._cond:
            return sorted([m for m in self.messages.get(channel, []) if m["ts"] == thread_ts
                           or m.get("thread_ts") == thread_ts], key=lambda m: float(m["ts"]))

    def posted_text(self, channel: str | None = None) -> str:
        """Everything the bot posted or updated (texts and block texts), for assertions."""
        parts = []
        for c in self.calls:
            if c.method in ("chat.startStream", "chat.appendStream", "chat.stopStream") and (
                    channel is None or c.params.get("channel") == channel):
                with contextlib.suppress(SlackApiRefusal):
                    parts.append(_chunk_text(c.params))
            if c.method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "chat.stopStream") and (
                    channel is None or c.params.get("channel") == channel):
                parts.append(str(c.params.get("text", "")))
                blocks = c.params.get("blocks")
                if isinstance(blocks, str):
                    blocks = json.loads(blocks)
                parts.append(json.dumps(blocks or [], ensure_ascii=False))
        return "\n".join(parts)

    # ------------------------------------------------------------------ HTTP
    def _handle(self, req: BaseHTTPRequestHandler, verb: str) -> None:
        parsed = urllib.parse.urlparse(req.path)
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        if parsed.path.startswith("/api/"):
            method = parsed.path[len("/api/"):]
            params: dict[str, Any] = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()}
            ctype = (req.headers.get("Content-Type") or "").lower()
            if raw:
                if "json" in ctype:
                    params.update(json.loads(raw.decode("utf-8")))
                else:
                    params.update({k: v[0] for k, v in urllib.parse.parse_qs(raw.decode("utf-8")).items()})
            auth = req.headers.get("Authorization") or ""
            token = auth[len("Bearer "):] if auth.startswith("Bearer ") else params.get("token")
            body = self._api(method, params, token)
            self._reply(req, 200, json.dumps(body).encode(), "application/json; charset=utf-8")
        elif parsed.path.startswith("/files-pri/"):
            fid = parsed.path.split("/")[2].split("-", 1)[1]
            authorised = (req.headers.get("Authorization") or "") == f"Bearer {self.bot_token}"
            with self._cond:
                self.downloads.append((fid, authorised))
                self._cond.notify_all()
            if not authorised:
                self._reply(req, 200, LOGIN_PAGE, "text/html; charset=utf-8")
            elif fid not in self.file_data:
                self._reply(req, 404, b"not found", "text/plain")
            else:
                self._reply(req, 200, self.file_data[fid], "application/octet-stream")
        elif parsed.path.startswith("/upload/v1/") and verb == "POST":
            fid = parsed.path.rsplit("/", 1)[-1]
            with self._cond:
                self.uploads[fid] = raw
                self.calls.append(Call("upload", {"file_id": fid, "length": len(raw)}, None))
                self._cond.notify_all()
            self._reply(req, 200, b"OK - " + str(len(raw)).encode(), "text/plain")
        else:
            self._reply(req, 404, b"not found", "text/plain")

    @staticmethod
    def _reply(req: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str) -> None:
        req.send_response(status)
        req.send_header("Content-Type", ctype)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    def _api(self, method: str, params: dict, token: str | None) -> dict:
        call = Call(method, params, token)
        try:
            wanted = self.app_token if method == "apps.connections.open" else self.bot_token
            if token != wanted:
                raise SlackApiRefusal("invalid_auth")
            if method in self.failures:
                raise SlackApiRefusal(self.failures[method])
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                raise SlackApiRefusal("unknown_method")
            body = {"ok": True, **handler(params)}
        except SlackApiRefusal as e:
            body = {"ok": False, "error": e.error, **e.extra}
        call.response = body
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
        return body

    # ------------------------------------------------------------------ methods
    def _m_auth_test(self, p):
        return {"url": self.url, "team": "Fake", "user": "pia", "team_id": TEAM, "user_id": BOT_USER,
                "bot_id": BOT_ID, "is_enterprise_install": False}

    def _m_apps_connections_open(self, p):
        if not self.ws:
            raise SlackApiRefusal("socket_mode_not_enabled")
        return {"url": self.ws.url}

    def _bot_message(self, p: dict) -> dict:
        channel = p.get("channel")
        if not channel:
            raise SlackApiRefusal("channel_not_found")
        if channel in self.not_member:
            raise SlackApiRefusal("not_in_channel")
        blocks = p.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        check_blocks(blocks)
        text = p.get("text") or ""
        if not text and not blocks:
            raise SlackApiRefusal("no_text")
        if len(text) > 40000:
            raise SlackApiRefusal("msg_too_long")
        msg = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "text": text, "blocks": blocks or [],
               "ts": self.next_ts(), "team": TEAM}
        if p.get("thread_ts"):
            msg["thread_ts"] = p["thread_ts"]
        if p.get("metadata"):
            meta = p["metadata"]
            msg["metadata"] = json.loads(meta) if isinstance(meta, str) else meta
        return msg

    def _m_chat_postMessage(self, p):
        msg = self._bot_message(p)
        with self._cond:
            self.messages.setdefault(p["channel"], []).append(msg)
        return {"channel": p["channel"], "ts": msg["ts"], "message": msg}

    def _m_chat_update(self, p):
        blocks = p.get("blocks")
        check_blocks(blocks)
        with self._cond:
            for m in self.messages.get(p.get("channel"), []):
                if m["ts"] == p.get("ts"):
                    m["text"] = p.get("text", m["text"])
                    m["blocks"] = json.loads(blocks) if isinstance(blocks, str) else (blocks or [])
                    return {"channel": p["channel"], "ts": m["ts"], "text": m["text"]}
        raise SlackApiRefusal("message_not_found")

    def _m_chat_postEphemeral(self, p):
        check_blocks(p.get("blocks"))
        if not p.get("user"):
            raise SlackApiRefusal("user_not_found")
        return {"message_ts": self.next_ts()}

    def _m_views_open(self, p):
        if not p.get("trigger_id"):
            raise SlackApiRefusal("invalid_trigger_id")
        view = p.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        check_blocks(view.get("blocks"))
        return {"view": {"id": f"V{next(self._ids):08d}", **view}}

    def _m_views_update(self, p):
        return {"view": {"id": p.get("view_id")}}

    def _m_files_info(self, p):
        meta = self.files.get(p.get("file"))
        if meta is None:
            raise SlackApiRefusal("file_not_found")
        return {"file": meta}

    def _m_files_list(self, p):
        files = [f for f in self.files.values()
                 if (not p.get("user") or f["user"] == p["user"])
                 and (not p.get("channel") or p["channel"] in f["channels"] + f["groups"] + f["ims"])]
        files.sort(key=lambda f: -f["created"])
        count = int(p.get("count") or 100)
        return {"files": files[:count], "paging": {"count": count, "total": len(files), "page": 1, "pages": 1}}

    def _m_files_getUploadURLExternal(self, p):
        if not p.get("filename") or not p.get("length"):
            raise SlackApiRefusal("invalid_arguments")
        fid = f"F{uuid.uuid4().hex[:10].upper()}"
        return {"upload_url": f"{self.url}upload/v1/{fid}", "file_id": fid}

    def _m_files_completeUploadExternal(self, p):
        files = p.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        out = []
        for f in files:
            if f["id"] not in self.uploads:
                raise SlackApiRefusal("file_not_found", detail="complete before upload")
            out.append({"id": f["id"], "title": f.get("title"), "size": len(self.uploads[f["id"]])})
        channel = p.get("channel_id")
        if channel:
            msg = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "text": p.get("initial_comment") or "",
                   "ts": self.next_ts(), "files": out}
            if p.get("thread_ts"):
                msg["thread_ts"] = p["thread_ts"]
            with self._cond:
                self.messages.setdefault(channel, []).append(msg)
        return {"files": out}

    def _m_conversations_replies(self, p):
        msgs = self.thread(p.get("channel"), p.get("ts"))
        if not msgs:
            raise SlackApiRefusal("thread_not_found")
        include_meta = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        return {"messages": [m if include_meta else {k: v for k, v in m.items() if k != "metadata"} for m in msgs],
                "has_more": False}

    def _m_conversations_members(self, p):
        channel = p.get("channel")
        if not channel or channel in self.hidden or channel not in self.members:
            raise SlackApiRefusal("channel_not_found")
        members = self.members[channel]
        limit = max(1, min(1000, int(p.get("limit") or 100)))
        start = int(p.get("cursor") or 0)
        page = members[start : start + limit]
        nxt = str(start + limit) if start + limit < len(members) else ""
        return {"members": page, "response_metadata": {"next_cursor": nxt}}

    def _m_conversations_open(self, p):
        users = str(p.get("users") or "")
        if not users or "," in users:
            raise SlackApiRefusal("invalid_arguments")
        dm = "D" + users[1:]
        with self._cond:
            self.members.setdefault(dm, [users, BOT_USER])
        return {"channel": {"id": dm}}

    def _m_conversations_history(self, p):
        msgs = [m for m in self.messages.get(p.get("channel"), []) if not m.get("thread_ts")
                or m.get("thread_ts") == m["ts"]]
        return {"messages": sorted(msgs, key=lambda m: -float(m["ts"])), "has_more": False}

    def _m_assistant_threads_setStatus(self, p):
        if not p.get("channel_id") or not p.get("thread_ts"):
            raise SlackApiRefusal("invalid_arguments")
        return {}

    def _m_assistant_threads_setSuggestedPrompts(self, p):
        prompts = p.get("prompts")
        prompts = json.loads(prompts) if isinstance(prompts, str) else prompts
        if not prompts or len(prompts) > 4:
            raise SlackApiRefusal("invalid_arguments")
        return {}

    def _m_assistant_threads_setTitle(self, p):
        if not p.get("channel_id") or not p.get("thread_ts") or not p.get("title"):
            raise SlackApiRefusal("invalid_arguments")
        return {}

    # chat.startStream / appendStream / stopStream: one message that grows, then is finalised (with blocks)
    def _stream_message(self, p: dict) -> dict:
        with self._cond:
            for m in self.messages.get(p.get("channel"), []):
                if m["ts"] == p.get("ts"):
                    if not m.get("streaming"):
                        raise SlackApiRefusal("message_not_in_streaming_state")
                    return m
        raise SlackApiRefusal("message_not_found")

    def _m_chat_startStream(self, p):
        channel = p.get("channel")
        if not channel or not p.get("thread_ts"):
            raise SlackApiRefusal("invalid_arguments")
        if channel in self.not_member:
            raise SlackApiRefusal("not_in_channel")
        if channel[0] in "CG" and not (p.get("recipient_user_id") and p.get("recipient_team_id")):
            raise SlackApiRefusal("missing_recipient_user_id")  # required when streaming into channels
        text = _chunk_text(p)
        if len(text) > 12000:
            raise SlackApiRefusal("msg_too_long")
        msg = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "text": text, "blocks": [],
               "ts": self.next_ts(), "team": TEAM, "thread_ts": p["thread_ts"], "streaming": True}
        with self._cond:
            self.messages.setdefault(channel, []).append(msg)
        return {"channel": channel, "ts": msg["ts"]}

    def _m_chat_appendStream(self, p):
        msg = self._stream_message(p)
        text = _chunk_text(p)
        if not text or len(msg["text"]) + len(text) > 12000:
            raise SlackApiRefusal("invalid_arguments" if not text else "msg_too_long")
        with self._cond:
            msg["text"] += text
        return {"channel": p["channel"], "ts": msg["ts"]}

    def _m_chat_stopStream(self, p):
        msg = self._stream_message(p)
        blocks = p.get("blocks")
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        check_blocks(blocks)
        with self._cond:
            msg["text"] += _chunk_text(p)
            msg["blocks"] = blocks or []
            msg["streaming"] = False
        return {"channel": p["channel"], "ts": msg["ts"], "message": msg}

    def message(self, channel: str, ts: str) -> dict | None:
        with self._cond:
            return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    def _m_reactions_add(self, p):
        if not p.get("name") or not p.get("timestamp"):
            raise SlackApiRefusal("invalid_arguments")
        return {}

    def _m_reactions_remove(self, p):
        return {}

    # ------------------------------------------------------------------ Socket Mode
    def start_socket_mode(self) -> FakeSocketMode:
        self.ws = FakeSocketMode().start()
        return self.ws


class FakeSocketMode:
    """A websocket endpoint like wss-primary.slack.com: says hello, sends envelopes, records acks."""

    def __init__(self):
        self.acks: dict[str, dict] = {}
        self.connections: list[Any] = []
        self._loop = asyncio.new_event_loop()
        self._cond = threading.Condition()
        self._server = None
        self._port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/link/?ticket=fake"

    def start(self) -> FakeSocketMode:
        from websockets.asyncio.server import serve

        ready = threading.Event()

        async def handler(ws):
            with self._cond:
                self.connections.append(ws)
                self._cond.notify_all()
            await ws.send(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": APP_ID}}))
            try:
                async for raw in ws:
                    data = json.loads(raw)
                    if "envelope_id" in data:
                        with self._cond:
                            self.acks[data["envelope_id"]] = data
                            self._cond.notify_all()
            except Exception:  # a client going away ends the connection
                pass
            finally:
                with self._cond:
                    if ws in self.connections:
                        self.connections.remove(ws)

        async def main():
            self._server = await serve(handler, "127.0.0.1", 0)
            self._port = self._server.sockets[0].getsockname()[1]
            ready.set()
            await self._server.serve_forever()

        def run():
            asyncio.set_event_loop(self._loop)
            with contextlib.suppress(asyncio.CancelledError):
                self._loop.run_until_complete(main())

        threading.Thread(target=run, daemon=True, name="fake-socket-mode").start()
        ready.wait(10)
        return self

    def wait_connected(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.connections:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the bot never connected to the Socket Mode server")
                self._cond.wait(left)

    def wait_connections(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.connections) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.connections)} of {n} Socket Mode connections opened")
                self._cond.wait(left)

    def send(self, type_: str, payload: dict, retry_attempt: int = 0, connection: int = -1) -> str:
        """Send an envelope on one connection (the last opened by default; Slack spreads events over them)."""
        envelope_id = str(uuid.uuid4())
        envelope = {"envelope_id": envelope_id, "type": type_, "payload": payload,
                    "accepts_response_payload": type_ != "events_api", "retry_attempt": retry_attempt,
                    "retry_reason": ""}
        ws = self.connections[connection]
        asyncio.run_coroutine_threadsafe(ws.send(json.dumps(envelope)), self._loop).result(5)
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 5) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while envelope_id not in self.acks:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no ack for envelope {envelope_id}")
                self._cond.wait(left)
            return self.acks[envelope_id]

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)


# ---------------------------------------------------------------------- the sender side: signed requests to the bot


def sign(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


class SignedSender:
    """Posts to the bot's /slack/events as Slack does, with X-Slack-Signature and X-Slack-Request-Timestamp."""

    def __init__(self, bot_url: str, secret: str = SIGNING_SECRET):
        self.bot_url = bot_url
        self.secret = secret
        self._ids = itertools.count(1)

    def post(self, body: str, content_type: str, *, signature: str | None = None, timestamp: str | None = None,
             headers: dict | None = None) -> tuple[int, str]:
        ts = timestamp or str(int(time.time()))
        h = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
             "X-Slack-Signature": signature or sign(self.secret, ts, body)}
        h.update(headers or {})
        req = urllib.request.Request(self.bot_url, data=body.encode("utf-8"), headers=h, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8")

    def event_body(self, event: dict, event_id: str | None = None) -> dict:
        return {"token": "legacy", "team_id": TEAM, "api_app_id": APP_ID, "event": event, "type": "event_callback",
                "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}

    def event(self, event: dict, *, event_id: str | None = None, retry_num: int | None = None,
              signature: str | None = None) -> tuple[int, str]:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
        return self.post(json.dumps(self.event_body(event, event_id)), "application/json", headers=headers,
                         signature=signature)

    def command_form(self, command: str, text: str, *, user: str, channel: str) -> dict:
        return {"token": "legacy", "team_id": TEAM, "team_domain": "fake", "channel_id": channel,
                "channel_name": "general", "user_id": user, "user_name": "drafter", "command": command,
                "text": text, "api_app_id": APP_ID, "response_url": "http://127.0.0.1:9/unused",
                "trigger_id": f"{next(self._ids)}.trigger.fake"}

    def command(self, command: str, text: str = "", *, user: str, channel: str) -> tuple[int, str]:
        form = self.command_form(command, text, user=user, channel=channel)
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    def interaction(self, payload: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")
