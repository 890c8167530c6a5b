"""A local OpenAI-compatible chat server for tests: POST /v1/chat/completions on loopback, requests recorded.

The reply is a fixed string or a function of the request body (so a test can answer with the numbered sources it
was sent). `status` makes it fail, `delay` makes it slow (for timeouts). A request with "stream": true gets the
reply as server-sent events, `chunk` characters at a time, `chunk_delay` seconds apart.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(self, reply: str | Callable[[dict], str] = "", *, status: int = 200, delay: float = 0.0,
                 chunk: int = 8, chunk_delay: float = 0.0):
        self.reply = reply
        self.status = status
        self.delay = delay
        self.chunk, self.chunk_delay = chunk, chunk_delay  # streamed replies (request with "stream": true)
        self.streamed: list[tuple[float, str]] = []
        self.requests: list[dict] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append({"path": self.path, "body": body,
                                      "authorization": self.headers.get("Authorization")})
                if fake.delay:
                    time.sleep(fake.delay)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                if fake.status != 200:
                    return self._send(fake.status, {"error": {"message": "fake failure", "type": "server_error"}})
                content = fake.reply(body) if callable(fake.reply) else fake.reply
                if body.get("stream"):
                    return self._stream(body, content)
                return self._send(200, {
                    "id": f"chatcmpl-fake-{len(fake.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "fake"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })

            def _stream(self, body: dict, content: str):
                """Server-sent events as OpenAI streams them: the reply in pieces of `chunk` characters, with
                `chunk_delay` seconds between them, then [DONE]."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                pieces = [content[i:i + fake.chunk] for i in range(0, len(content), fake.chunk)] or [""]
                base = {"id": f"chatcmpl-fake-{len(fake.requests)}", "object": "chat.completion.chunk",
                        "created": int(time.time()), "model": body.get("model", "fake")}
                try:
                    first = {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                                  "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(first)}\n\n".encode())
                    for piece in pieces:
                        if fake.chunk_delay:
                            time.sleep(fake.chunk_delay)
                        event = {**base, "choices": [{"index": 0, "delta": {"content": piece},
                                                      "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
                        self.wfile.flush()
                        fake.streamed.append((time.monotonic(), piece))
                    last = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                    self.wfile.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            def _send(self, status: int, payload: dict):
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ helpers for assertions
    def messages(self, i: int = -1) -> list[dict]:
        return self.requests[i]["body"]["messages"]

    def prompt_text(self, i: int = -1) -> str:
        return "\n".join(str(m.get("content", "")) for m in self.messages(i))
