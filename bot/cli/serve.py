"""`pia serve [--http --port N]`: run the Slack bot (Socket Mode by default)."""

from __future__ import annotations

import logging

import click

from bot.cli import emit_line
from bot.errors import ConfigurationError


@click.command()
@click.option("--http", "http_mode", is_flag=True, help="Slack からの HTTP リクエストを /slack/events で受ける（Socket Mode の代わり）")
@click.option("--port", type=int, default=3000, show_default=True, help="--http のときの待ち受けポート")
@click.option("--host", default="0.0.0.0", show_default=True, help="--http のときの待ち受けアドレス")
@click.option("--json", "as_json", is_flag=True, help="起動したら待ち受け状態を JSON 1 行で標準出力に書く（監視・スクリプト用）")
def serve(http_mode: bool, port: int, host: str, as_json: bool) -> None:
    """Slack ボットを起動する（既定は Socket Mode）。"""
    from bot.settings import get_settings

    settings = get_settings()
    if not settings.slack_bot_token:
        raise ConfigurationError("SLACK_BOT_TOKEN が設定されていません。", hint=".env に xoxb- で始まるボットトークンを設定してください")
    if http_mode and not settings.slack_signing_secret:
        raise ConfigurationError("SLACK_SIGNING_SECRET が設定されていません。",
                                 hint="HTTP モードでは Slack アプリの Signing Secret を .env に設定してください")
    if not http_mode and not settings.slack_app_token:
        raise ConfigurationError("SLACK_APP_TOKEN が設定されていません。",
                                 hint="Socket Mode では xapp- で始まるアプリレベルトークンを .env に設定するか、--http で起動してください")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from bot.engine import Engine
    from bot.slack.app import create_app
    from bot.slack.server import SlackHTTPServer, socket_mode_handler

    app = create_app(settings, Engine(settings))
    app.pia.warm_up()
    if http_mode:
        server = SlackHTTPServer(app, host=host, port=port)
        click.echo(f"pia serve: HTTP モードで待ち受けます（http://{host}:{server.port}/slack/events）", err=True)
        if as_json:
            emit_line({"mode": "http", "url": f"http://{host}:{server.port}/slack/events", "status": "listening"})
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            server.stop()
    else:
        click.echo("pia serve: Socket Mode で接続します", err=True)
        if as_json:
            emit_line({"mode": "socket", "status": "connecting"})
        socket_mode_handler(app, settings.slack_app_token).start()
