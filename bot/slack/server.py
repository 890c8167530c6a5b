"""Running the app: HTTP mode on uvicorn (Starlette through bolt's starlette adapter), or Socket Mode.

HTTP mode serves POST /slack/events (events, commands, interactivity; bolt checks the signatures) and GET /healthz
(200 only once the engine has warmed up, 503 while warming up, after a failed warm-up and while draining). uvicorn
gives a listen backlog of 2048 (the standard library's server had 5: a burst of mentions was reset at connect
time), HTTP keep-alive, and a graceful stop on SIGTERM:
it stops accepting, then the lifespan shutdown drains the work pools (bot/slack/runtime.py), telling users whose
work could not finish.

Socket Mode (the default, no public URL) runs one connection per process; `workers` starts several processes, and
Slack spreads the events over the open connections (up to 10). SIGTERM closes the connection first (Slack sends
the next events to the other connections), then drains. Several HTTP workers each listen on the same port
(SO_REUSEPORT); one supervisor (supervise()) restarts the workers of either mode and passes SIGTERM on.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.errors import ConfigurationError

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_BODY = 5 * 1024 * 1024
BACKLOG = 2048
KEEP_ALIVE_S = 30


# --------------------------------------------------------------------------- HTTP: the ASGI app


def asgi_app(app: App) -> Starlette:
    """The Starlette app over the Bolt app: events in, health out, drain on shutdown."""
    services = app.pia  # type: ignore[attr-defined]

    async def events(request: Request) -> Response:
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        # bolt dispatches synchronously (signature check, middleware, ack); off the event loop so that one slow
        # ack never holds the other requests
        resp = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(resp)

    async def healthz(request: Request) -> Response:
        status, body = services.health()
        return JSONResponse(body, status_code=status)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        yield
        await run_in_threadpool(services.drain)

    return Starlette(routes=[Route(EVENTS_PATH, events, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])], lifespan=lifespan)


def bind(host: str, port: int, backlog: int = BACKLOG, *, listen: bool = True,
         reuse_port: bool = False) -> socket.socket:
    """The listening socket, bound here so that a port in use is one clear error. `reuse_port`: one socket per
    worker process on the same port (SO_REUSEPORT), and the kernel spreads new connections evenly over them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise ConfigurationError(f"{host}:{port} で待ち受けられません（{e.strerror or e}）。",
                                 hint="別のポートを --port で指定するか、そのポートを使っているプロセスを止めてください"
                                 ) from e
    if listen:
        sock.listen(backlog)
    return sock


def uvicorn_config(app, *, drain_seconds: float = 25.0):
    import uvicorn

    return uvicorn.Config(app, lifespan="on", backlog=BACKLOG,
                          timeout_keep_alive=KEEP_ALIVE_S, timeout_graceful_shutdown=int(drain_seconds) + 5,
                          log_level="warning", access_log=False, server_header=False)


class SlackHTTPServer:
    """The ASGI app on uvicorn, in this process: `serve_forever()` in the main thread (SIGTERM stops it
    gracefully), or `start()` in a background thread (tests, benchmarks) and `stop()`."""

    def __init__(self, app: App, host: str = "0.0.0.0", port: int = 3000, sock: socket.socket | None = None):
        import uvicorn

        self.app = app
        self.sock = sock or bind(host, port)
        settings = app.pia.settings  # type: ignore[attr-defined]
        self.server = uvicorn.Server(uvicorn_config(asgi_app(app), drain_seconds=settings.pia_drain_seconds))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def serve_forever(self, on_listening: Callable[[], None] | None = None) -> None:
        if on_listening is not None:
            threading.Thread(target=self._when_started, args=(on_listening,), daemon=True).start()
        log.info("listening on port %d (%s)", self.port, EVENTS_PATH)
        # uvicorn handles SIGTERM/SIGINT itself (graceful stop, then our drain), and afterwards raises the signal
        # again with the handlers it found: with these, the process then ends normally (exit 0) instead of by it
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: None)
        self.server.run(sockets=[self.sock])

    def _when_started(self, callback: Callable[[], None]) -> None:
        while not self.server.started and not self.server.should_exit:
            time.sleep(0.02)
        if self.server.started:
            callback()

    def start(self) -> SlackHTTPServer:
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, name="pia-http",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 60.0) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        with contextlib.suppress(OSError):
            self.sock.close()


def _http_worker(index: int, host: str, port: int) -> None:  # runs in a spawned process
    """One HTTP worker: its own SO_REUSEPORT socket on the shared port (bound first, so requests queue while the
    app starts), the app, uvicorn in this process's main thread (SIGTERM: stop, drain, exit 0)."""
    from bot.engine import Engine
    from bot.settings import get_settings
    from bot.slack.app import create_app

    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s %(levelname)s [w{index}] %(name)s: %(message)s")
    settings = get_settings()
    try:
        sock = bind(host, port, reuse_port=True)
        app = create_app(settings, Engine(settings))
    except ConfigurationError as e:
        print(f"エラー: {e}", file=sys.stderr)
        sys.exit(2)
    SlackHTTPServer(app, sock=sock).serve_forever()


def serve_http_workers(host: str, port: int, workers: int, on_listening: Callable[[], None] | None = None) -> int:
    """N worker processes, each with its own socket on the same port (SO_REUSEPORT): the kernel spreads the
    connections evenly, where one shared socket let whichever worker woke first take most of a burst. A worker
    that dies is restarted; SIGTERM is passed on to all, each draining its own work. Returns the exit code."""

    def started() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # at least one worker listens: connections no longer refused
            try:
                socket.create_connection((host if host not in ("0.0.0.0", "::") else "127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        if on_listening is not None:
            on_listening()

    return supervise(_http_worker, lambda i: (i, host, port), workers, on_started=started)


# --------------------------------------------------------------------------- Socket Mode


def socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    """Socket Mode with the SDK's built-in websocket client; the app's WebClient (and so SLACK_API_URL) is used
    for apps.connections.open."""
    return SocketModeHandler(app, app_token, web_client=app.client)


def run_socket_mode(app: App, app_token: str, on_connected: Callable[[], None] | None = None) -> dict:
    """Connect, serve until SIGTERM/SIGINT, then close the connection and drain. Returns the drain report."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    handler = socket_mode_handler(app, app_token)
    handler.connect()
    if on_connected is not None:
        on_connected()
    while not stop.wait(0.5):
        pass
    log.info("stopping: closing the Socket Mode connection, then draining")
    with contextlib.suppress(Exception):
        handler.close()
    return app.pia.drain()  # type: ignore[attr-defined]


def _socket_worker(index: int) -> None:  # runs in a spawned process
    from bot.engine import Engine
    from bot.settings import get_settings
    from bot.slack.app import create_app

    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s %(levelname)s [w{index}] %(name)s: %(message)s")
    settings = get_settings()
    try:
        app = create_app(settings, Engine(settings))
    except ConfigurationError as e:
        print(f"エラー: {e}", file=sys.stderr)
        sys.exit(2)
    run_socket_mode(app, settings.slack_app_token or "")


def serve_socket_workers(workers: int, on_started: Callable[[], None] | None = None) -> int:
    """N Socket Mode processes (one connection each); see supervise()."""
    return supervise(_socket_worker, lambda i: (i,), workers, on_started=on_started)


def supervise(target: Callable[..., None], args_for: Callable[[int], tuple], workers: int,
              on_started: Callable[[], None] | None = None) -> int:
    """Run `target(*args_for(i))` in `workers` spawned processes. A worker that dies is restarted (not one that
    exits 2: a configuration error would only repeat); SIGTERM/SIGINT are passed on to all, and each stops
    gracefully. Returns 2 if a worker reported a configuration error, else 0."""
    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    def start(i: int):
        p = ctx.Process(target=target, args=args_for(i), name=f"pia-worker-{i}")
        p.start()
        return p

    procs = [start(i) for i in range(workers)]
    if on_started is not None:
        on_started()
    while not stop.wait(1.0):
        for i, p in enumerate(procs):
            if p.exitcode is None:
                continue
            if p.exitcode == 2:
                stop.set()
                break
            log.warning("worker %d exited (%s); restarting it", i, p.exitcode)
            procs[i] = start(i)
    for p in procs:
        if p.exitcode is None and p.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                p.terminate()  # SIGTERM: each worker drains
    for p in procs:
        p.join()
    return 2 if any(p.exitcode == 2 for p in procs) else 0
