"""`pia serve` as the operator runs it, in real processes, against the fake Slack (and a fake OpenAI-compatible
server for the language model): /healthz says ready only after the warm-up, SIGTERM lets an answer in flight
finish (or tells the user it was dropped), HTTP workers and Socket Mode processes share one data dir and build a
missing index once, and the thread limits are set before numpy loads."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fake_openai import FakeOpenAI
from fake_slack import BOT_USER, FakeSlack, SignedSender

ROOT = Path(__file__).resolve().parent.parent
PIA = [sys.executable, "-c", "from bot.cli import run; run()"]
BUILDING = "索引がないため"
pytestmark = pytest.mark.slow


def env_for(tmp_path: Path, fake: FakeSlack, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PIA_", "OPENBLAS", "OMP_"))}
    env.update({"PIA_DATA_DIR": str(tmp_path / "data"), "PIA_EMBEDDER": "hash", "PYTHONPATH": str(ROOT),
                "SLACK_BOT_TOKEN": fake.bot_token, "SLACK_APP_TOKEN": fake.app_token,
                "SLACK_SIGNING_SECRET": "fake-signing-secret", "SLACK_API_URL": fake.api_url})
    env.update(extra)
    return env


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_ready(proc: subprocess.Popen, port: int, timeout: float = 120) -> list[tuple[int, str]]:
    """Poll /healthz until it says ready; returns every (status, state) seen."""
    seen: list[tuple[int, str]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"pia serve exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            status, body = health(port)
        except OSError:
            time.sleep(0.05)
            continue
        seen.append((status, body["status"]))
        if status == 200:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"never ready: {seen[-5:]}")


def serve(tmp_path: Path, env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([*PIA, "serve", *args], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stop(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.returncode, proc.stderr.read() if proc.stderr else ""


def mention(fake: FakeSlack, channel: str, text: str) -> tuple[dict, dict]:
    msg = fake.add_message(channel, "U0PROC001", f"<@{BOT_USER}> {text}")
    return msg, {"type": "app_mention", "user": "U0PROC001", "text": msg["text"], "channel": channel,
                 "ts": msg["ts"], "event_ts": msg["ts"]}


def cited_reply(body: dict) -> str:
    return "委託先の監督は評価書のⅢ 4. に記載します[1]。委託契約で報告を求める旨を書きます[1]。"


@pytest.fixture
def fake():
    f = FakeSlack().start()
    yield f
    f.stop()


def test_ready_only_after_warm_up_and_sigterm_lets_the_streamed_answer_finish(tmp_path, fake):
    with FakeOpenAI(cited_reply, delay=2.0, chunk=10, chunk_delay=0.05) as llm:
        port = free_port()
        env = env_for(tmp_path, fake, PIA_LLM="openai:gpt-fake", PIA_LLM_BASE_URL=llm.base_url)
        proc = serve(tmp_path, env, "--http", "--port", str(port), "--host", "127.0.0.1")
        try:
            seen = wait_ready(proc, port)
            assert (503, "warming") in seen  # an empty data dir: the index was being built
            assert (tmp_path / "data" / "chroma").is_dir()
            msg, event = mention(fake, "C0PROC001", "委託先の監督はどこに書く？")
            assert SignedSender(f"http://127.0.0.1:{port}/slack/events").event(event)[0] == 200
            deadline = time.monotonic() + 30
            while not llm.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert llm.requests, "the question never reached the model"
            t_term = time.monotonic()
            proc.send_signal(signal.SIGTERM)  # the model is still thinking (2 s)
            code, err = stop(proc)
        finally:
            stop(proc)
    assert code == 0, err
    stopped = fake.calls_to("chat.stopStream")
    assert stopped and stopped[0].response["ok"] and stopped[0].at > t_term
    streamed = fake.message("C0PROC001", fake.calls_to("chat.startStream")[0].response["ts"])
    assert streamed["thread_ts"] == msg["ts"] and "委託先の監督は評価書のⅢ 4. に記載します[1]。" in streamed["text"]


def test_sigterm_past_the_drain_time_tells_the_user_what_was_dropped(tmp_path, fake):
    with FakeOpenAI(cited_reply, delay=8.0) as llm:
        port = free_port()
        env = env_for(tmp_path, fake, PIA_LLM="openai:gpt-fake", PIA_LLM_BASE_URL=llm.base_url,
                      PIA_DRAIN_SECONDS="0.5", PIA_STREAM="false")
        proc = serve(tmp_path, env, "--http", "--port", str(port), "--host", "127.0.0.1")
        try:
            wait_ready(proc, port)
            msg, event = mention(fake, "C0PROC002", "委託先の監督はどこに書く？")
            SignedSender(f"http://127.0.0.1:{port}/slack/events").event(event)
            deadline = time.monotonic() + 30
            while not llm.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            t0 = time.monotonic()
            code, err = stop(proc)
            took = time.monotonic() - t0
        finally:
            stop(proc)
    assert code == 0, err
    assert took < 8.0  # it did not wait for the model
    told = [c for c in fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == msg["ts"]]
    assert told and "再起動のため" in json.dumps(told[-1].params, ensure_ascii=False)


def test_http_workers_share_the_data_dir_and_build_the_index_once(tmp_path, fake):
    port = free_port()
    proc = serve(tmp_path, env_for(tmp_path, fake), "--http", "--port", str(port), "--host", "127.0.0.1",
                 "--workers", "2")
    try:
        wait_ready(proc, port)
        pids: set[int] = set()
        # a correctness check, not a timing one: on a loaded machine the second worker can take minutes to warm up
        deadline = time.monotonic() + 240
        while len(pids) < 2 and time.monotonic() < deadline:  # each request is a new connection
            try:
                status, body = health(port)
            except (urllib.error.URLError, OSError):  # a worker too busy warming up to answer within 2 s
                status, body = 0, {}
            if status == 200:
                pids.add(body["pid"])
            else:
                time.sleep(0.2)
        assert len(pids) == 2, "two workers, both warmed up"
        sender = SignedSender(f"http://127.0.0.1:{port}/slack/events")
        events = [mention(fake, f"C0WORK{i:03d}", "再委託先の監督はどこに書く？") for i in range(10)]
        for _msg, event in events:
            assert sender.event(event)[0] == 200
        posts = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel", "").startswith("C0WORK"),
                              count=10, timeout=60)
        assert {p.params["channel"] for p in posts} == {e["channel"] for _m, e in events}
    finally:
        code, err = stop(proc)
    assert code == 0, err
    assert err.count(BUILDING) == 1, err  # one worker built the index, the other waited for it


def test_socket_mode_workers_each_hold_a_connection(tmp_path, fake):
    ws = fake.start_socket_mode()
    proc = serve(tmp_path, env_for(tmp_path, fake), "--workers", "2")
    try:
        ws.wait_connections(2)
        body = SignedSender("unused").event_body
        for i in range(2):
            _msg, event = mention(fake, f"C0SOCK{i:03d}", "再委託先の監督はどこに書く？")
            envelope = ws.send("events_api", body(event), connection=i)
            ws.wait_ack(envelope, timeout=10)
        posts = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel", "").startswith("C0SOCK"),
                              count=2, timeout=120)
        assert {p.params["channel"] for p in posts} == {"C0SOCK000", "C0SOCK001"}
    finally:
        code, err = stop(proc)
    assert code == 0, err
    assert err.count(BUILDING) == 1, err
    deadline = time.monotonic() + 10
    while ws.connections and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ws.connections == []  # both closed their connection on SIGTERM


@pytest.mark.parametrize("configured,expected", [(None, 1), ("2", 2)])
def test_thread_limits_are_set_before_numpy_loads(tmp_path, configured, expected):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIA_", "OPENBLAS", "OMP_", "MKL_"))}
    env["PYTHONPATH"] = str(ROOT)
    if configured:
        env["PIA_THREADS"] = configured
    code = ("from bot.threads import pin_threads; pin_threads(); import numpy, json, os; "
            "from threadpoolctl import threadpool_info; "
            "print(json.dumps({'blas': [i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'], "
            "'omp': os.environ.get('OMP_NUM_THREADS')}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60, check=True)
    got = json.loads(out.stdout)
    assert got["blas"] and all(n == min(expected, os.cpu_count() or 1) for n in got["blas"])
    assert got["omp"] == str(expected)
