"""Running the app: an HTTP server for /slack/events (events, commands, interactivity), or Socket Mode."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_BODY = 5 * 1024 * 1024


class SlackHTTPServer:
    """A threaded HTTP server that hands each POST to /slack/events to the Bolt app (which checks signatures)."""

    def __init__(self, app: App, host: str = "0.0.0.0", port: int = 3000, path: str = EVENTS_PATH):
        bolt = app

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):  # requests are not logged (they carry user text)
                return

            def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    for vv in v if isinstance(v, list) else [v]:
                        self.send_header(k, vv)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if urlparse(self.path).path == "/healthz":
                    self._send(200, b"ok", {"Content-Type": "text/plain"})
                else:
                    self._send(404, b"not found", {"Content-Type": "text/plain"})

            def do_POST(self):
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if parsed.path != path:
                    self._send(404, b"not found", {"Content-Type": "text/plain"})
                    return
                if length > MAX_BODY:
                    self._send(413, b"too large", {"Content-Type": "text/plain"})
                    return
                body = self.rfile.read(length).decode("utf-8")
                headers: dict[str, list[str]] = {}
                for k, v in self.headers.items():
                    headers.setdefault(k.lower(), []).append(v)
                resp = bolt.dispatch(BoltRequest(body=body, query=parsed.query, headers=headers))
                self._send(resp.status, resp.body.encode("utf-8") if isinstance(resp.body, str) else resp.body,
                           resp.headers)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def serve_forever(self) -> None:
        log.info("listening on port %d (%s)", self.port, EVENTS_PATH)
        self.httpd.serve_forever()

    def start(self) -> "SlackHTTPServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="pia-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    """Socket Mode with the SDK's built-in websocket client; the app's WebClient (and so SLACK_API_URL) is used
    for apps.connections.open."""
    return SocketModeHandler(app, app_token, web_client=app.client)
