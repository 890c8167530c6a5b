"""Serving under load, on the fake Slack with signed HTTP requests to the real server (uvicorn): the two work pools
(questions never wait behind a check; timeouts count from the start; a check in line is told its place), a burst
that loses nothing, acks that do not wait for work, streamed answers with their fallbacks, thread titles, and
follow-ups in channel threads without a new @mention."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.slack.runtime import PoolFull, ShuttingDown, WorkPool, WorkTimeout, user_message
from fake_slack import BOT_USER, FakeSlack, SignedSender
from slack_support import ScriptedEngine, draft_docx, settings_for, start_bot

USER = "U0LOADER1"
CHANNEL = "C0LOAD001"
DM = "D0LOADER1"
SENTENCES = ["委託先の監督は「Ⅲ 4. 情報保護管理体制」に書きます[1]。",
             "委託契約書で取扱いを定め、定期的に報告を求める旨を書いてください[1]。",
             "過去の審査では、実地の監査まで書いた例が適合とされています[1]。"]


# --------------------------------------------------------------------------- the pools themselves


def test_a_timeout_counts_from_the_start_not_from_the_queue():
    pool = WorkPool("t", workers=1, queue_limit=5)
    first = threading.Thread(target=pool.run, args=(time.sleep, 0.6), kwargs={"timeout": 5})
    first.start()
    time.sleep(0.05)
    t0 = time.monotonic()
    assert pool.run(lambda: "done", timeout=0.3) == "done"  # waited ~0.55 s in line, ran in no time
    assert time.monotonic() - t0 > 0.4
    with pytest.raises(WorkTimeout):
        pool.run(time.sleep, 1.0, timeout=0.2)
    assert pool.run(lambda: 7, timeout=0.5) == 7  # the line moves while the timed-out call finishes
    first.join()


def test_a_full_line_is_refused_with_a_message_and_a_drain_tells_who_was_dropped():
    pool = WorkPool("t", workers=1, queue_limit=1)
    release = threading.Event()
    running = pool.submit(release.wait, 5)
    running.started.wait(2)
    waiting = pool.submit(lambda: None)
    with pytest.raises(PoolFull) as full:
        pool.submit(lambda: None)
    assert "混雑" in user_message(full.value, doing="チェック")
    pool.close()
    with pytest.raises(ShuttingDown):
        pool.submit(lambda: None)
    assert not pool.wait_idle(time.monotonic() + 0.2)
    assert pool.cancel() == 2
    with pytest.raises(ShuttingDown) as dropped:
        waiting.result(1)
    assert "再起動" in user_message(dropped.value, doing="回答の作成")
    release.set()


@pytest.mark.slow  # timing: seconds of scripted work or waiting
def test_place_in_line_is_reported_and_updated():
    pool = WorkPool("t", workers=1, queue_limit=5)
    gates = [threading.Event() for _ in range(2)]
    for g in gates:
        pool.submit(g.wait, 5)
    told: list[int] = []
    started: list[bool] = []
    threading.Timer(0.3, gates[0].set).start()
    threading.Timer(2.5, gates[1].set).start()
    assert pool.run(lambda: "ok", timeout=5, on_queued=told.append, on_started=lambda: started.append(True)) == "ok"
    assert told == [2, 1] and started == [True]
    assert pool.run(lambda: "now", on_queued=told.append, on_started=lambda: started.append(True)) == "now"
    assert told == [2, 1] and started == [True, True]  # not queued: only started


# --------------------------------------------------------------------------- the bot


@pytest.fixture(scope="module")
def fake():
    f = FakeSlack().start()
    yield f
    f.stop()


@pytest.fixture(scope="module")
def bot(fake, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("slack_serving")
    settings = settings_for(fake.api_url, tmp, pia_check_workers=1, pia_check_queue=3)
    running = start_bot(settings, ScriptedEngine(settings), tmp / "scratch")
    running.app.pia.warmed.wait(10)
    yield running
    running.server.stop()


@pytest.fixture
def sender(bot):
    return SignedSender(bot.url)


@pytest.fixture(autouse=True)
def clean(fake, bot):
    fake.reset()
    e = bot.engine
    e.fail, e.delay, e.check_delay, e.stream_sentences, e.stream_pause, e.stream_llm = None, 0.0, 0.0, None, 0.0, \
        "openai:gpt-fake"
    e.asked.clear(), e.checked.clear()
    original = bot.app.pia.settings
    yield
    bot.app.pia.settings = original


def streaming(bot):
    bot.app.pia.settings = bot.app.pia.settings.model_copy(update={"pia_llm": "openai:gpt-fake"})


def mention(fake, text, *, channel=CHANNEL, thread_ts=None, user=USER):
    msg = fake.add_message(channel, user, f"<@{BOT_USER}> {text}", thread_ts=thread_ts)
    event = {"type": "app_mention", "user": user, "text": msg["text"], "channel": channel, "ts": msg["ts"],
             "event_ts": msg["ts"]}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return msg, event


def channel_reply(fake, text, thread_ts, *, channel=CHANNEL, user=USER):
    msg = fake.add_message(channel, user, text, thread_ts=thread_ts)
    return msg, {"type": "message", "channel": channel, "channel_type": "channel", "user": user, "text": text,
                 "ts": msg["ts"], "thread_ts": thread_ts, "event_ts": msg["ts"]}


def answers_in(fake, channel, thread_ts):
    return [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == channel
            and c.params.get("thread_ts") == thread_ts and c.response["ok"]]


def text_of(call) -> str:
    blocks = call.params.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return json.dumps(blocks or [], ensure_ascii=False) + str(call.params.get("text"))


@pytest.mark.slow  # timing: seconds of scripted work or waiting
def test_a_question_during_a_check_is_answered_before_the_check_ends(fake, bot, sender):
    bot.engine.check_delay = 3.0
    meta = fake.add_file("long.docx", draft_docx(), user=USER, channel=CHANNEL)
    sender.command("/pia-check", meta["id"], user=USER, channel=CHANNEL)
    fake.wait_for("chat.update", lambda c: "チェック中" in c.params["text"])
    deadline = time.monotonic() + 10
    while not bot.engine.checked and time.monotonic() < deadline:  # the file is downloaded before the check starts
        time.sleep(0.05)
    assert bot.engine.checked  # the check is running
    msg, event = mention(fake, "再委託先の監督はどこに書く？", channel="C0LOAD002")
    sender.event(event)
    answer = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0LOAD002")[0]
    assert answer.params["thread_ts"] == msg["ts"] and "細目41" in text_of(answer)
    done = fake.wait_for("chat.update", lambda c: "チェックが終わりました" in c.params["text"], timeout=15)[0]
    assert answer.at < done.at


@pytest.mark.slow  # timing: seconds of scripted work or waiting
def test_a_check_that_has_to_wait_is_told_its_place_in_line(fake, bot, sender):
    bot.engine.check_delay = 1.5
    channels = ["C0LINE001", "C0LINE002"]
    for ch in channels:
        meta = fake.add_file(f"{ch}.docx", draft_docx(), user=USER, channel=ch)
        sender.command("/pia-check", meta["id"], user=USER, channel=ch)
        time.sleep(0.3)
    queued = fake.wait_for("chat.update", lambda c: c.params.get("channel") == channels[1]
                           and "順番待ち" in c.params["text"])[0]
    assert "前に 1 件" in queued.params["text"]
    for ch in channels:
        fake.wait_for("chat.update", lambda c, ch=ch: c.params.get("channel") == ch
                      and "チェックが終わりました" in c.params["text"], timeout=20)
    second = [c.params["text"] for c in fake.calls_to("chat.update") if c.params.get("channel") == channels[1]]
    assert second.index(queued.params["text"]) < next(i for i, t in enumerate(second) if "チェック中" in t)
    assert not any("順番待ち" in c.params["text"] for c in fake.calls_to("chat.update")
                   if c.params.get("channel") == channels[0])


def test_a_burst_of_100_mentions_loses_nothing_and_acks_do_not_wait(fake, bot, sender):
    bot.engine.delay = 0.02  # each answer takes a little engine time, as real ones do
    events = [mention(fake, f"質問その{i}: 委託先の監督は？", channel=f"C0BURST{i:02d}") for i in range(100)]
    barrier = threading.Barrier(100)

    def send(event):
        barrier.wait()
        return sender.event(event)[0]

    with ThreadPoolExecutor(100) as ex:
        statuses = list(ex.map(send, [e for _, e in events]))
    assert statuses == [200] * 100
    posts = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel", "").startswith("C0BURST"),
                          count=100, timeout=60)
    by_channel = {c.params["channel"]: c for c in posts}
    assert len(by_channel) == 100
    for msg, event in events:
        assert by_channel[event["channel"]].params["thread_ts"] == msg["ts"]
    assert sorted(q for q, _ in bot.engine.asked) == sorted(f"質問その{i}: 委託先の監督は？" for i in range(100))


@pytest.mark.slow  # timing: seconds of scripted work or waiting
def test_a_slash_command_is_acked_while_answers_are_in_flight(fake, bot, sender):
    bot.engine.delay = 0.3
    for i in range(20):
        sender.event(mention(fake, "委託先の監督は？", channel=f"C0BUSY{i:02d}")[1])
    t0 = time.monotonic()
    status, _ = sender.command("/pia-findings", "委託先の監督", user=USER, channel="C0BUSYCMD")
    assert status == 200 and time.monotonic() - t0 < 3.0  # Slack gives an ack 3 s
    fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0BUSYCMD", timeout=30)


# --------------------------------------------------------------------------- streaming


def test_an_llm_answer_is_streamed_sentence_by_sentence(fake, bot, sender):
    streaming(bot)
    bot.engine.stream_sentences, bot.engine.stream_pause = SENTENCES, 0.4
    msg, event = mention(fake, "委託先の監督の書き方は？")
    sender.event(event)
    stop = fake.wait_for("chat.stopStream", timeout=15)[0]
    start = fake.calls_to("chat.startStream")[0]
    assert start.params["channel"] == CHANNEL and start.params["thread_ts"] == msg["ts"]
    assert start.params["recipient_user_id"] == USER and start.params["recipient_team_id"] == "T0FAKE0001"
    assert stop.at - start.at > 0.6  # the first sentence was shown while the rest was being written
    streamed = fake.message(CHANNEL, start.response["ts"])
    assert streamed["text"].strip() == "".join(SENTENCES) and not streamed["streaming"]
    final = json.dumps(streamed["blocks"], ensure_ascii=False)
    assert "feedback_buttons" in final and "細目41" in final and "*[1]*" in final
    assert answers_in(fake, CHANNEL, msg["ts"]) == []  # nothing posted twice
    assert len(fake.calls_to("chat.appendStream")) >= 1


def test_a_refused_stream_falls_back_to_a_posted_message(fake, bot, sender):
    streaming(bot)
    bot.engine.stream_sentences = SENTENCES
    fake.failures["chat.startStream"] = "not_allowed_token_type"
    msg, event = mention(fake, "委託先の監督の書き方は？")
    sender.event(event)
    post = fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == msg["ts"])[0]
    shown = text_of(post)
    assert "委託先の監督は" in shown and "定期的に報告を求める" in shown and "feedback_buttons" in shown


def test_a_stream_cut_half_way_is_replaced_by_the_whole_answer(fake, bot, sender):
    streaming(bot)
    bot.engine.stream_sentences, bot.engine.stream_pause = SENTENCES, 0.7  # an append is due after 1 s
    fake.failures["chat.appendStream"] = "message_not_in_streaming_state"
    _msg, event = mention(fake, "委託先の監督の書き方は？")
    sender.event(event)
    start = fake.wait_for("chat.startStream")[0]
    update = fake.wait_for("chat.update", lambda c: c.params.get("ts") == start.response["ts"], timeout=15)[0]
    assert update.response["ok"] and SENTENCES[2][:12] in text_of(update)


def test_a_model_failing_half_way_closes_the_stream_and_posts_the_sourced_answer(fake, bot, sender):
    streaming(bot)
    bot.engine.stream_sentences, bot.engine.stream_llm = SENTENCES[:1], None
    msg, event = mention(fake, "委託先の監督の書き方は？")
    sender.event(event)
    stop = fake.wait_for("chat.stopStream")[0]
    assert "資料からまとめた回答" in (stop.params.get("markdown_text") or json.dumps(stop.params.get("chunks"),
                                                                                 ensure_ascii=False))
    post = fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == msg["ts"])[0]
    assert "細目41です" in text_of(post)


def test_without_a_model_answers_are_posted_not_streamed(fake, bot, sender):
    msg, event = mention(fake, "委託先の監督の書き方は？")
    sender.event(event)
    fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == msg["ts"])
    assert fake.calls_to("chat.startStream") == []


# --------------------------------------------------------------------------- titles and follow-ups


def test_the_assistant_thread_is_titled_with_its_first_question(fake, bot, sender):
    root = fake.add_message(DM, BOT_USER, "")
    root["subtype"] = "assistant_app_thread"
    for i, text in enumerate(["再委託先の監督はどこに書けばよいですか？", "その場合の報告の頻度は？"]):
        q = fake.add_message(DM, USER, text, thread_ts=root["ts"])
        sender.event({"type": "message", "channel": DM, "channel_type": "im", "user": USER, "text": text,
                      "ts": q["ts"], "thread_ts": root["ts"], "event_ts": q["ts"]})
        fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root["ts"], count=i + 1)
    titles = fake.calls_to("assistant.threads.setTitle")
    assert len(titles) == 1 and titles[0].response["ok"]
    assert titles[0].params["title"] == "再委託先の監督はどこに書けばよいですか？"
    assert titles[0].params["thread_ts"] == root["ts"] and titles[0].params["channel_id"] == DM


def test_a_follow_up_in_the_bots_thread_needs_no_new_mention(fake, bot, sender):
    first, event = mention(fake, "委託先の監督について評価書のどこに書く？", channel="C0FOLLOW1")
    sender.event(event)
    fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0FOLLOW1")
    _reply, event2 = channel_reply(fake, "じゃあ再委託の場合は？", first["ts"], channel="C0FOLLOW1")
    sender.event(event2)
    posts = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0FOLLOW1", count=2)
    assert posts[1].params["thread_ts"] == first["ts"]
    assert bot.engine.asked[-1] == ("じゃあ再委託の場合は？", ["委託先の監督について評価書のどこに書く？"])


def test_replies_in_other_threads_or_to_colleagues_are_left_alone(fake, bot, sender):
    parent = fake.add_message("C0OTHERS1", "U0SOMEONE", "来週の会議の件")
    _r, event = channel_reply(fake, "了解です、委託先の監督も議題にします", parent["ts"], channel="C0OTHERS1")
    sender.event(event)
    fake.wait_for("conversations.replies", lambda c: c.params.get("channel") == "C0OTHERS1")
    first, mention_event = mention(fake, "委託先の監督は？", channel="C0OTHERS2")
    sender.event(mention_event)
    fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0OTHERS2")
    _r2, to_colleague = channel_reply(fake, "<@U0COLLEAG> この回答で合っていますか？", first["ts"],
                                      channel="C0OTHERS2")
    sender.event(to_colleague)
    time.sleep(1.0)
    assert [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == "C0OTHERS1"] == []
    assert len([c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == "C0OTHERS2"]) == 1


def test_a_thread_the_bot_started_is_recognised_from_slack_by_any_replica(fake, bot, sender):
    # a /pia-check progress message (posted by the bot, possibly by another replica) is the thread's parent
    parent = fake._m_chat_postMessage({"channel": "C0REPLICA", "text": ":inbox_tray: ファイルを受け取りました"})
    _r, event = channel_reply(fake, "細目41の直し方を教えて", parent["ts"], channel="C0REPLICA")
    sender.event(event)
    post = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0REPLICA")[0]
    assert post.params["thread_ts"] == parent["ts"] and "細目41" in text_of(post)


def test_a_failed_warm_up_keeps_healthz_red_and_questions_get_the_reason(fake, tmp_path):
    from bot.errors import IndexStateError

    class Broken(ScriptedEngine):
        def warm(self):
            raise IndexStateError("索引は別の埋め込みモデルで作られています。",
                                  hint="`pia index --rebuild` を実行してください")

        def ask(self, question, history=None, on_text=None):
            self.warm()

    settings = settings_for(fake.api_url, tmp_path)
    running = start_bot(settings, Broken(settings), tmp_path / "scratch")
    try:
        services = running.app.pia
        services.warmed.wait(5)
        status, body = services.health()
        assert status == 503 and body["status"] == "failed" and body["error"] == "IndexStateError"
        msg, event = mention(fake, "委託先の監督は？", channel="C0BROKEN1")
        SignedSender(running.url).event(event)
        post = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0BROKEN1")[0]
        assert post.params["thread_ts"] == msg["ts"] and "pia index --rebuild" in text_of(post)
    finally:
        running.server.stop()
