"""`pia serve`: refuses to start without its tokens (exit 2, one line), and in --http mode serves real signed
requests end to end with the real engine, talking to the fake Slack through SLACK_API_URL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from fake_slack import BOT_USER, FakeSlack, SignedSender

ROOT = Path(__file__).resolve().parent.parent
PIA = [sys.executable, "-c", "from bot.cli import run; run()"]


def clean_env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PIA_"))}
    env.update({"PIA_DATA_DIR": str(tmp_path / "data"), "PIA_EMBEDDER": "hash", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


@pytest.mark.parametrize("args,env_extra,missing", [
    (["serve"], {}, "SLACK_BOT_TOKEN"),
    (["serve"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
    (["serve", "--http"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
])
def test_missing_tokens_exit_2_with_one_line(tmp_path, args, env_extra, missing):
    proc = subprocess.run(PIA + args, cwd=tmp_path, env=clean_env(tmp_path, **env_extra), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and missing in lines[0] and "設定" in lines[0]
    assert proc.stdout == ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_pia_serve_http_answers_a_signed_mention(tmp_path):
    fake = FakeSlack().start()
    port = free_port()
    env = clean_env(tmp_path, SLACK_BOT_TOKEN=fake.bot_token, SLACK_SIGNING_SECRET="fake-signing-secret",
                    SLACK_API_URL=fake.api_url)
    proc = subprocess.Popen([*PIA, "serve", "--http", "--port", str(port), "--host", "127.0.0.1", "--json"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert json.loads(r.read())["status"] == "ready"  # 503 until the warm-up is over
                break
            except OSError as e:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"pia serve did not start: {proc.stderr.read() if proc.poll() else ''}") from e
                time.sleep(0.2)
        ready = json.loads(proc.stdout.readline())  # --json: one line on stdout once listening
        assert ready == {"mode": "http", "url": f"http://127.0.0.1:{port}/slack/events", "status": "listening"}
        sender = SignedSender(f"http://127.0.0.1:{port}/slack/events")
        msg = fake.add_message("C0SERVE01", "U0SERVE01", f"<@{BOT_USER}> 再委託先の監督はどこに書く？")
        status, _ = sender.event({"type": "app_mention", "user": "U0SERVE01", "text": msg["text"],
                                  "channel": "C0SERVE01", "ts": msg["ts"], "event_ts": msg["ts"]})
        assert status == 200
        post = fake.wait_for("chat.postMessage", timeout=180)[0]
        assert post.response["ok"] and post.params["thread_ts"] == msg["ts"]
        text = str(post.params.get("blocks"))
        assert "細目" in text and "出典" in text  # a real answer from the bundled knowledge, with sources
        forged = sender.post('{"type":"event_callback"}', "application/json", signature="v0=bad")
        assert forged[0] == 401
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        fake.stop()


@pytest.mark.slow  # two real `pia serve` processes
def test_a_token_slack_refuses_or_an_unreachable_slack_exit_2(tmp_path):
    fake = FakeSlack().start()
    try:
        env = clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-not-the-right-one", SLACK_SIGNING_SECRET="s",
                        SLACK_API_URL=fake.api_url)
        proc = subprocess.run([*PIA, "serve", "--http", "--port", str(free_port())], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and "SLACK_BOT_TOKEN が Slack に受け付けられませんでした" in proc.stderr
        assert fake.calls_to("auth.test")[0].response == {"ok": False, "error": "invalid_auth"}
    finally:
        fake.stop()
    env = clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", SLACK_API_URL="http://127.0.0.1:9/api/")
    proc = subprocess.run([*PIA, "serve", "--http", "--port", str(free_port())], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "接続できませんでした" in proc.stderr


def test_a_port_in_use_exits_2_with_one_line(tmp_path):
    fake = FakeSlack().start()
    try:
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            port = busy.getsockname()[1]
            env = clean_env(tmp_path, SLACK_BOT_TOKEN=fake.bot_token, SLACK_SIGNING_SECRET="s",
                            SLACK_API_URL=fake.api_url)
            proc = subprocess.run([*PIA, "serve", "--http", "--host", "127.0.0.1", "--port", str(port)], cwd=tmp_path,
                                  env=env, capture_output=True, text=True, timeout=60)
    finally:
        fake.stop()
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and f"127.0.0.1:{port} で待ち受けられません" in lines[0]
