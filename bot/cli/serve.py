"""`pia serve [--http --port N] [--workers N]`: run the Slack bot (Socket Mode by default)."""

from __future__ import annotations

import logging

import click

from bot.cli import emit_line
from bot.errors import ConfigurationError


@click.command()
@click.option("--http", "http_mode", is_flag=True,
              help="Slack からの HTTP リクエストを /slack/events で受ける（Socket Mode の代わり）")
@click.option("--port", type=int, default=3000, show_default=True, help="--http のときの待ち受けポート")
@click.option("--host", default="0.0.0.0", show_default=True, help="--http のときの待ち受けアドレス")
@click.option("--workers", type=click.IntRange(1, 10), default=None,
              help="プロセス数（HTTP のワーカー、または Socket Mode の接続）。既定は PIA_WORKERS（1）")
@click.option("--json", "as_json", is_flag=True,
              help="起動したら待ち受け状態を JSON 1 行で標準出力に書く（監視・スクリプト用）")
def serve(http_mode: bool, port: int, host: str, workers: int | None, as_json: bool) -> None:
    """Slack ボットを起動する（既定は Socket Mode）。"""
    from bot.settings import get_settings

    settings = get_settings()
    workers = workers or settings.pia_workers
    if not settings.slack_bot_token:
        raise ConfigurationError("SLACK_BOT_TOKEN が設定されていません。",
                                 hint=".env に xoxb- で始まるボットトークンを設定してください")
    if http_mode and not settings.slack_signing_secret:
        raise ConfigurationError("SLACK_SIGNING_SECRET が設定されていません。",
                                 hint="HTTP モードでは Slack アプリの Signing Secret を .env に設定してください")
    if not http_mode and not settings.slack_app_token:
        raise ConfigurationError("SLACK_APP_TOKEN が設定されていません。",
                                 hint="Socket Mode では xapp- で始まるアプリレベルトークンを .env に設定するか、"
                                      "--http で起動してください")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from bot.slack import server

    if http_mode:
        # workers each bind the port themselves (SO_REUSEPORT); this bound, not listening, socket checks it is free
        sock = server.bind(host, port, listen=workers == 1, reuse_port=workers > 1)
        port = sock.getsockname()[1]
        url = f"http://{host}:{port}/slack/events"

        def listening() -> None:
            click.echo(f"pia serve: HTTP モードで待ち受けます（{url}、{workers} プロセス）", err=True)
            if as_json:
                emit_line({"mode": "http", "url": url, "status": "listening"})

        if workers == 1:
            http = server.SlackHTTPServer(_app(settings), sock=sock)
            http.serve_forever(on_listening=listening)
            return
        _check_token(settings)  # once here: a refused token must not make the workers restart forever
        code = server.serve_http_workers(host, port, workers, on_listening=listening)
        sock.close()
        if code:
            raise SystemExit(code)
        return

    def connecting() -> None:
        click.echo(f"pia serve: Socket Mode で接続します（{workers} 接続）", err=True)
        if as_json:
            emit_line({"mode": "socket", "status": "connecting"})

    if workers == 1:
        server.run_socket_mode(_app(settings), settings.slack_app_token or "", on_connected=connecting)
    else:
        _check_token(settings)
        code = server.serve_socket_workers(workers, on_started=connecting)
        if code:
            raise SystemExit(code)


def _app(settings):
    from bot.engine import Engine
    from bot.slack.app import create_app

    return create_app(settings, Engine(settings))


def _check_token(settings) -> None:
    """What create_app checks (Slack accepts the token), without building the engine."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    from bot.slack.app import api_base_url, slack_unreachable, token_refused

    try:
        WebClient(token=settings.slack_bot_token, base_url=api_base_url(settings), timeout=30).auth_test()
    except SlackApiError as e:
        raise token_refused() from e
    except OSError as e:
        raise slack_unreachable(settings) from e
