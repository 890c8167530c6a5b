"""The Bolt app: one WebClient pointed at SLACK_API_URL, the shared services in the context, the listeners."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.error import BoltError
from slack_sdk import WebClient

from bot.engine import Engine
from bot.errors import ConfigurationError
from bot.settings import Settings
from bot.slack.listeners import register_listeners
from bot.slack.runtime import BotServices


class PiaApp(App):
    """The Bolt app, with the bot's shared services at hand for the server, `pia serve` and the tests (listeners
    get them from the context as `context["pia"]`)."""

    pia: BotServices


def token_refused() -> ConfigurationError:
    """Slack turned the bot token down (at start-up, by bolt or by auth.test)."""
    return ConfigurationError("SLACK_BOT_TOKEN が Slack に受け付けられませんでした。",
                              hint="トークンが正しいか、アプリがワークスペースにインストールされているか確認してください")


def slack_unreachable(settings) -> ConfigurationError:
    """Slack's Web API could not be reached at all."""
    return ConfigurationError(f"Slack（{api_base_url(settings)}）に接続できませんでした。",
                              hint="ネットワークとプロキシの設定、SLACK_API_URL を確認してください")


def api_base_url(settings: Settings) -> str:
    url = settings.slack_api_url or "https://slack.com/api/"
    return url if url.endswith("/") else url + "/"  # WebClient joins method names onto the base URL


def create_app(settings: Settings, engine: Engine, *, scratch_base: Path | None = None,
               answer_timeout: float | None = None, warm_up: bool = True) -> PiaApp:
    """Build the Slack app over `engine`. `scratch_base` is where drafts are downloaded (a private temp dir
    inside it per file, removed after use); the system temp dir by default. The engine warms up in the background
    (`app.pia.warmed`); the work pools open when it is done.

    Listeners run on a large thread pool of their own (PIA_SLACK_THREADS): they mostly wait on Slack and on the
    bounded work pools, and a slash command's ack() runs on the same pool, so it must never queue behind a burst of
    answers (bolt's default is 5 threads)."""
    if not settings.slack_bot_token:
        raise ConfigurationError("SLACK_BOT_TOKEN が設定されていません。",
                                 hint=".env に xoxb- で始まるボットトークンを設定してください")
    # Slack SDK debug logs include request bodies (answers, draft excerpts): keep them at INFO or above
    # (set on the loggers themselves, so a DEBUG root logger does not turn them back on)
    for name in ("slack_sdk", "slack_bolt"):
        lg = logging.getLogger(name)
        if lg.level < logging.INFO:  # NOTSET or DEBUG
            lg.setLevel(logging.INFO)

    client = WebClient(token=settings.slack_bot_token, base_url=api_base_url(settings), timeout=30)
    try:  # Bolt checks the token with auth.test here
        app = PiaApp(
            name="pia-assistant",
            client=client,
            signing_secret=settings.slack_signing_secret or "",
            process_before_response=False,
            listener_executor=ThreadPoolExecutor(max_workers=settings.pia_slack_threads,
                                                 thread_name_prefix="pia-slack"),
        )
    except BoltError as e:
        raise token_refused() from e
    except OSError as e:
        raise slack_unreachable(settings) from e
    services = BotServices(settings=settings, engine=engine, scratch_base=scratch_base,
                           answer_timeout=answer_timeout)
    app.use(_attach(services))
    app.use(_skip_retried_events)
    register_listeners(app)
    app.pia = services  # for the server and the tests
    if warm_up:
        services.warm_up()
    return app


def _attach(services: BotServices):
    def attach_services(context: BoltContext, next) -> None:
        context["pia"] = services
        next()

    return attach_services


def _skip_retried_events(body: dict, context: BoltContext, next, logger) -> BoltResponse | None:
    """Slack resends an event when our first ack was late (X-Slack-Retry-Num); answer each event once."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id and not context["pia"].seen.first_time(event_id):
        logger.info("event %s was already handled; acknowledging the retry only", event_id)
        return BoltResponse(status=200, body="")
    next()
    return None
