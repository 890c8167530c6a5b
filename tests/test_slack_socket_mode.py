"""Socket Mode: the bot opens a connection through apps.connections.open (on the fake Web API), receives envelopes
from a local websocket server and acknowledges each by envelope_id."""

from __future__ import annotations

import time

import pytest

from fake_slack import BOT_USER, FakeSlack, SignedSender
from slack_support import ScriptedEngine, settings_for

USER = "U0SOCKET1"
CHANNEL = "C0SOCKET1"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from bot.slack.app import create_app
    from bot.slack.server import socket_mode_handler

    fake = FakeSlack().start()
    ws = fake.start_socket_mode()
    tmp = tmp_path_factory.mktemp("slack_socket")
    settings = settings_for(fake.api_url, tmp)
    engine = ScriptedEngine(settings)
    app = create_app(settings, engine, scratch_base=tmp / "scratch")
    handler = socket_mode_handler(app, settings.slack_app_token)
    handler.connect()
    ws.wait_connected()
    yield fake, ws, engine
    handler.close()
    fake.stop()


def test_connection_is_opened_with_the_app_token(world):
    fake, _ws, _engine = world
    opened = fake.calls_to("apps.connections.open")
    assert opened and opened[0].token == fake.app_token and opened[0].response["ok"]


def test_event_envelope_is_acked_and_answered(world):
    fake, ws, engine = world
    msg = fake.add_message(CHANNEL, USER, f"<@{BOT_USER}> 特定個人情報の保管期間は？")
    body = SignedSender("unused").event_body({"type": "app_mention", "user": USER, "text": msg["text"],
                                              "channel": CHANNEL, "ts": msg["ts"], "event_ts": msg["ts"]})
    t0 = time.monotonic()
    envelope_id = ws.send("events_api", body)
    ack = ws.wait_ack(envelope_id)
    assert ack["envelope_id"] == envelope_id and time.monotonic() - t0 < 3
    post = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == CHANNEL)[0]
    assert post.params["thread_ts"] == msg["ts"] and post.response["ok"]
    assert engine.asked[-1][0] == "特定個人情報の保管期間は？"

    # the same event again (Slack's retry) is acked but not answered twice
    again = ws.send("events_api", body, retry_attempt=1)
    ws.wait_ack(again)
    time.sleep(0.5)
    assert len([c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]) == 1


@pytest.mark.slow  # timing: a 1 s engine and the connection closed after it
def test_slash_command_envelope_is_acked_within_three_seconds(world):
    fake, ws, engine = world
    engine.delay = 1.0  # slow engine: the ack must not wait for it
    try:
        form = SignedSender("unused").command_form("/pia-findings", "委託先の監督", user=USER, channel="C0SOCKET2")
        t0 = time.monotonic()
        envelope_id = ws.send("slash_commands", form)
        ws.wait_ack(envelope_id)
        acked = time.monotonic() - t0
        post = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0SOCKET2")[0]
        assert acked < 1.0 <= time.monotonic() - t0
        assert "委託先に対しては" in str(post.params.get("blocks"))
    finally:
        engine.delay = 0.0
