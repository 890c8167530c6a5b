"""The bot in HTTP mode against the local fake Slack: signed requests in, recorded Web API calls out.

The engine here is ScriptedEngine (tests/slack_support.py), a real Engine subclass whose answers are built in the
test; tests/test_slack_e2e.py runs the same flows with the real engine."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest
from openpyxl import load_workbook

from bot.errors import InputFileError
from fake_slack import BOT_USER, FakeSlack, SignedSender, sign
from slack_support import SECRET_MARKER, ScriptedEngine, draft_docx, sample_draft, settings_for, start_bot

USER = "U0DRAFTER"
CHANNEL = "C0GENERAL"
DM = "D0DRAFTER"


@pytest.fixture(scope="module")
def fake():
    f = FakeSlack().start()
    yield f
    f.stop()


@pytest.fixture(scope="module")
def bot(fake, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("slack_http")
    settings = settings_for(fake.api_url, tmp)
    engine = ScriptedEngine(settings)
    running = start_bot(settings, engine, tmp / "scratch")
    yield running
    running.server.stop()


@pytest.fixture
def sender(bot):
    return SignedSender(bot.url)


@pytest.fixture(autouse=True)
def clean(fake, bot):
    fake.reset()
    e = bot.engine
    e.fail, e.delay, e.many_flags, e.long_answer = None, 0.0, False, False
    e.asked.clear(), e.checked.clear(), e.indexed.clear(), e.found.clear()
    yield


def mention(fake, text, *, thread_ts=None, channel=CHANNEL):
    msg = fake.add_message(channel, USER, f"<@{BOT_USER}> {text}", thread_ts=thread_ts)
    event = {"type": "app_mention", "user": USER, "text": msg["text"], "channel": channel, "ts": msg["ts"],
             "event_ts": msg["ts"]}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return msg, event


def ok_posts(fake, channel=None):
    return [c for c in fake.calls_to("chat.postMessage")
            if c.response["ok"] and (channel is None or c.params["channel"] == channel)]


def scratch_emptied(bot, timeout: float = 5.0) -> bool:
    """The private temp dirs are removed right after the work; give the worker a moment to get there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not bot.scratch.exists() or not list(bot.scratch.iterdir()):
            return True
        time.sleep(0.05)
    return False


def blocks_text(call) -> str:
    blocks = call.params.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return json.dumps(blocks or [], ensure_ascii=False) + str(call.params.get("text"))


# --------------------------------------------------------------------------- signatures and retries


def test_forged_or_stale_signatures_are_rejected(fake, bot, sender):
    _msg, event = mention(fake, "再委託の記載は？")
    body = json.dumps(sender.event_body(event))
    assert sender.post(body, "application/json", signature="v0=" + "0" * 64)[0] == 401
    stale = str(int(time.time()) - 3600)
    signature = sign("fake-signing-secret", stale, body)
    assert sender.post(body, "application/json", timestamp=stale, signature=signature)[0] == 401
    wrong_secret = SignedSender(bot.url, secret="not-the-secret")
    assert wrong_secret.event(event)[0] == 401
    time.sleep(0.5)
    assert bot.engine.asked == []
    assert fake.calls_to("chat.postMessage") == []


def test_a_slack_retry_is_not_answered_twice(fake, bot, sender):
    _msg, event = mention(fake, "バックアップはどこに書く？")
    assert sender.event(event, event_id="EvRETRY0001")[0] == 200
    fake.wait_for("chat.postMessage")
    assert sender.event(event, event_id="EvRETRY0001", retry_num=1)[0] == 200
    assert sender.event(event, event_id="EvRETRY0001", retry_num=2)[0] == 200
    time.sleep(1.0)
    assert len(bot.engine.asked) == 1
    assert len(ok_posts(fake)) == 1


# --------------------------------------------------------------------------- questions


def test_mention_is_answered_in_a_thread_with_sources(fake, bot, sender):
    msg, event = mention(fake, "再委託先の監督はどこに書く？")
    status, _ = sender.event(event)
    assert status == 200
    post = fake.wait_for("chat.postMessage")[0]
    assert post.response["ok"]
    assert post.params["channel"] == CHANNEL and post.params["thread_ts"] == msg["ts"]
    shown = blocks_text(post)
    assert "細目41" in shown and "Ⅲ 4." in shown and "*[1]* 審査書「" in shown and "feedback_buttons" in shown
    assert bot.engine.asked == [("再委託先の監督はどこに書く？", None)]  # the mention is stripped, no history yet
    react = fake.wait_for("reactions.add")[0]
    assert react.params["timestamp"] == msg["ts"] and react.params["name"] == "eyes"
    fake.wait_for("reactions.remove")


def test_follow_up_in_the_thread_gets_the_earlier_question_as_history(fake, bot, sender):
    first, event = mention(fake, "委託先の監督について評価書のどこに書く？")
    sender.event(event)
    fake.wait_for("chat.postMessage")
    _second, event2 = mention(fake, "じゃあ再委託の場合は？", thread_ts=first["ts"])
    sender.event(event2)
    posts = fake.wait_for("chat.postMessage", count=2)
    assert posts[1].params["thread_ts"] == first["ts"]
    replies = fake.calls_to("conversations.replies")
    assert replies and replies[-1].params["ts"] == first["ts"]
    question, history = bot.engine.asked[-1]
    assert question == "じゃあ再委託の場合は？"
    # the first turn is passed; the bot's own answer and the current message are not
    assert history == ["委託先の監督について評価書のどこに書く？"]


def test_direct_message_is_answered_under_it(fake, bot, sender):
    msg = fake.add_message(DM, USER, "しきい値判断とは？")
    sender.event({"type": "message", "channel": DM, "channel_type": "im", "user": USER, "text": msg["text"],
                  "ts": msg["ts"], "event_ts": msg["ts"]})
    post = fake.wait_for("chat.postMessage")[0]
    assert post.params["channel"] == DM and post.params["thread_ts"] == msg["ts"]
    assert bot.engine.asked[-1] == ("しきい値判断とは？", None)


def test_assistant_view_greets_suggests_prompts_and_answers_with_status(fake, bot, sender):
    root = fake.add_message(DM, BOT_USER, "")
    root["subtype"] = "assistant_app_thread"
    sender.event({"type": "assistant_thread_started", "event_ts": root["ts"],
                  "assistant_thread": {"user_id": USER, "channel_id": DM, "thread_ts": root["ts"],
                                       "context": {"channel_id": CHANNEL, "team_id": "T0FAKE0001"}}})
    greet = fake.wait_for("chat.postMessage")[0]
    assert greet.params["thread_ts"] == root["ts"] and "評価書" in greet.params["text"]
    prompts = fake.wait_for("assistant.threads.setSuggestedPrompts")[0]
    assert prompts.response["ok"] and prompts.params["thread_ts"] == root["ts"]
    listed = prompts.params["prompts"]
    listed = json.loads(listed) if isinstance(listed, str) else listed
    assert 1 <= len(listed) <= 4 and all(p["title"] and p["message"] for p in listed)

    q = fake.add_message(DM, USER, "保管期間の記載で指摘されたことは？", thread_ts=root["ts"])
    sender.event({"type": "message", "channel": DM, "channel_type": "im", "user": USER, "text": q["text"],
                  "ts": q["ts"], "thread_ts": root["ts"], "event_ts": q["ts"]})
    status = fake.wait_for("assistant.threads.setStatus")[0]
    assert status.params["status"] == "回答を作成中…" and status.params["thread_ts"] == root["ts"]
    answer = fake.wait_for("chat.postMessage", count=2)[1]
    assert answer.params["thread_ts"] == root["ts"] and "細目41" in blocks_text(answer)
    assert status.at <= answer.at
    assert bot.engine.asked[-1] == ("保管期間の記載で指摘されたことは？", None)

    q2 = fake.add_message(DM, USER, "その場合の消去方法は？", thread_ts=root["ts"])
    sender.event({"type": "message", "channel": DM, "channel_type": "im", "user": USER, "text": q2["text"],
                  "ts": q2["ts"], "thread_ts": root["ts"], "event_ts": q2["ts"]})
    fake.wait_for("chat.postMessage", count=3)
    assert bot.engine.asked[-1] == ("その場合の消去方法は？", ["保管期間の記載で指摘されたことは？"])


def test_engine_failure_still_produces_a_message(fake, bot, sender):
    bot.engine.fail = RuntimeError("index exploded")
    _msg, event = mention(fake, "再委託は？")
    sender.event(event)
    post = fake.wait_for("chat.postMessage")[0]
    text = blocks_text(post)
    assert "予期しないエラー" in text and "参照番号" in text and "index exploded" not in text
    bot.engine.fail = InputFileError("索引がありません。", hint="pia index を実行してください")
    _msg, event = mention(fake, "再委託は？")
    sender.event(event)
    post = fake.wait_for("chat.postMessage", count=2)[1]
    assert "索引がありません。" in blocks_text(post) and "pia index を実行してください" in blocks_text(post)


def test_long_answer_is_split_and_every_message_is_accepted(fake, bot, sender):
    bot.engine.long_answer = True
    msg, event = mention(fake, "委託先の監督の書き方を詳しく")
    sender.event(event)
    posts = fake.wait_for("chat.postMessage", count=2)
    time.sleep(0.5)
    posts = fake.calls_to("chat.postMessage")
    assert len(posts) >= 2 and all(p.response["ok"] for p in posts)
    assert all(p.params["thread_ts"] == msg["ts"] for p in posts)


# --------------------------------------------------------------------------- /pia-check


def _view_submission(view_call, file_meta):
    view = view_call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    return {"type": "view_submission", "team": {"id": "T0FAKE0001"}, "user": {"id": USER}, "api_app_id": "A0PIAAPP1",
            "token": "legacy", "trigger_id": "9.trigger",
            "view": {"id": "V1", "type": "modal", "callback_id": view["callback_id"],
                     "private_metadata": view["private_metadata"],
                     "state": {"values": {"draft": {"file": {"type": "file_input", "files": [file_meta]}}}}}}


def test_pia_check_modal_upload_check_summary_and_xlsx_report(fake, bot, sender):
    name, data = sample_draft()
    t0 = time.monotonic()
    status, body = sender.command("/pia-check", "", user=USER, channel=CHANNEL)
    assert status == 200 and time.monotonic() - t0 < 3
    opened = fake.wait_for("views.open")[0]
    assert opened.response["ok"]
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["blocks"][0]["element"]["type"] == "file_input"

    meta = fake.add_file(name, data, user=USER)  # uploaded in the modal: shared nowhere, only its owner sees it
    status, body = sender.interaction(_view_submission(opened, meta))
    assert status == 200 and body in ("", "null")  # the modal closes
    first = fake.wait_for("chat.postMessage")[0]
    # the file is not shared in the channel the command came from: the results go to the owner's DM, and the
    # channel only gets an ephemeral note saying so
    assert "ファイルを受け取りました" in first.params["text"] and first.params["channel"] == DM
    note = fake.wait_for("chat.postEphemeral")[0]
    assert note.params["channel"] == CHANNEL and note.params["user"] == USER and "DM" in note.params["text"]
    upload = fake.wait_for("files.completeUploadExternal", timeout=30)[0]
    thread = first.response["ts"]
    updates = [c.params["text"] for c in fake.calls_to("chat.update")]
    assert any("チェック中" in u for u in updates) and any("チェックが終わりました" in u for u in updates)
    summary = [p for p in ok_posts(fake) if p.params.get("thread_ts") == thread]
    text = "".join(blocks_text(p) for p in summary)
    assert "チェック結果" in text and "要修正 1" in text and "記載なし 1" in text
    assert "細目28" in text and "細目41" in text and "理由:" in text and "先例:" in text

    # the report went up with files_upload_v2 into the same thread and is a real workbook
    get_url = fake.calls_to("files.getUploadURLExternal")[0]
    assert get_url.params["filename"].endswith(".xlsx")
    assert upload.params["channel_id"] == DM and upload.params["thread_ts"] == thread
    assert not [c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == CHANNEL]
    files = upload.params["files"]
    fid = (json.loads(files) if isinstance(files, str) else files)[0]["id"]
    wb = load_workbook(io.BytesIO(fake.uploads[fid]))
    cells = [str(c.value) for row in wb.active.iter_rows() for c in row if c.value is not None]
    assert any(c == "28" for c in cells) and any("記載なし" in c or "missing" in c for c in cells)

    # downloaded with the bot token, checked from a private temp file that is gone now
    assert fake.downloads == [(meta["id"], True)]
    checked = bot.engine.checked[0]
    assert checked["existed"] and checked["bytes"] == data and checked["display_name"] == name
    assert scratch_emptied(bot)  # waits for the worker's clean-up, which runs after the upload the test saw
    assert not checked["path"].exists()


def test_pia_check_explains_a_checkpoint(fake, bot, sender):
    sender.command("/pia-check", "41", user=USER, channel=CHANNEL)
    post = fake.wait_for("chat.postMessage")[0]
    assert "細目41" in blocks_text(post)
    assert bot.engine.checked == []


def test_pia_check_latest_uses_the_callers_last_file_in_the_channel(fake, bot, sender):
    fake.add_file("old.docx", draft_docx("古い"), user=USER, channel=CHANNEL)
    newest = fake.add_file("new.docx", draft_docx("新しい"), user=USER, channel=CHANNEL)
    fake.add_file("someone_else.docx", draft_docx("他人"), user="U0OTHER", channel=CHANNEL)
    sender.command("/pia-check", "latest", user=USER, channel=CHANNEL)
    fake.wait_for("files.completeUploadExternal", timeout=30)
    assert fake.downloads == [(newest["id"], True)]
    assert bot.engine.checked[0]["display_name"] == "new.docx"


def test_pia_check_latest_without_a_file_says_what_to_do(fake, bot, sender):
    sender.command("/pia-check", "latest", user="U0NOFILES", channel=CHANNEL)
    post = fake.wait_for("chat.postMessage")[0]
    assert "見つかりませんでした" in post.params["text"]


def test_pia_check_refuses_oversized_and_disguised_files(fake, bot, sender):
    big = fake.add_file("huge.pdf", b"%PDF-1.7 small really", user=USER, size=200 * 1024 * 1024)
    sender.command("/pia-check", f"<{big['permalink']}|huge.pdf>", user=USER, channel=CHANNEL)
    fake.wait_for("chat.update", lambda c: "200.0 MB" in c.params["text"])
    assert fake.downloads == []  # refused before downloading

    disguised = fake.add_file("draft.pdf", draft_docx(), user=USER)  # a Word file renamed .pdf
    sender.command("/pia-check", disguised["id"], user=USER, channel=CHANNEL)
    refusal = fake.wait_for("chat.update", lambda c: "Word 文書" in c.params["text"])[0]
    assert ".pdf" in refusal.params["text"]
    unknown = fake.add_file("notes.pages", b"whatever", user=USER)
    sender.command("/pia-check", unknown["id"], user=USER, channel=CHANNEL)
    fake.wait_for("chat.update", lambda c: "読み取れない形式" in c.params["text"])
    time.sleep(0.3)
    assert bot.engine.checked == []
    assert scratch_emptied(bot)


@pytest.mark.slow  # timing: a 2 s engine call waited out
def test_pia_check_timeout_becomes_a_message(fake, bot, sender):
    services = bot.app.pia
    original = services.settings
    services.settings = original.model_copy(update={"pia_check_timeout": 0.5})
    bot.engine.delay = 2.0
    try:
        meta = fake.add_file("slow.docx", draft_docx(), user=USER, channel=CHANNEL)
        sender.command("/pia-check", meta["id"], user=USER, channel=CHANNEL)
        fake.wait_for("chat.update", lambda c: "秒以内に終わりませんでした" in c.params["text"])
    finally:
        services.settings = original
        time.sleep(2.0)  # let the slow call finish before the next test
    assert scratch_emptied(bot)


def test_section_button_posts_details_and_draft_text_never_reaches_the_logs(fake, bot, sender, caplog):
    caplog.set_level(logging.DEBUG)
    meta = fake.add_file("draft.docx", draft_docx(), user=USER, channel=CHANNEL)
    sender.command("/pia-check", meta["id"], user=USER, channel=CHANNEL)
    fake.wait_for("files.completeUploadExternal", timeout=30)
    summary = next(p for p in ok_posts(fake) if "チェック結果" in str(p.params.get("text")))
    blocks = summary.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    button = next(e for b in blocks if b["type"] == "actions" for e in b["elements"])
    msg = summary.response["message"]
    sender.interaction({"type": "block_actions", "user": {"id": USER}, "team": {"id": "T0FAKE0001"},
                        "api_app_id": "A0PIAAPP1", "token": "legacy", "trigger_id": "1.t",
                        "channel": {"id": CHANNEL}, "container": {"type": "message"},
                        "message": msg, "actions": [{**button, "block_id": "sections", "action_ts": "1"}]})
    details = fake.wait_for("chat.postMessage", lambda c: "の確認結果" in str(c.params.get("text")))[0]
    assert details.params["thread_ts"] == msg["thread_ts"]
    assert SECRET_MARKER in blocks_text(details)  # the draft's wording is shown to the user in Slack…
    assert SECRET_MARKER not in caplog.text  # …and never written to the logs


def test_feedback_button_is_acknowledged(fake, bot, sender):
    status, _ = sender.interaction({"type": "block_actions", "user": {"id": USER}, "team": {"id": "T0FAKE0001"},
                                    "api_app_id": "A0PIAAPP1", "token": "legacy", "trigger_id": "1.t",
                                    "channel": {"id": CHANNEL}, "container": {"type": "message"},
                                    "message": {"ts": "1700000001.000001", "text": "x"},
                                    "actions": [{"type": "feedback_buttons", "action_id": "pia_feedback",
                                                 "value": "bad", "action_ts": "1"}]})
    assert status == 200
    eph = fake.wait_for("chat.postEphemeral")[0]
    assert eph.params["user"] == USER and "ご意見ありがとうございます" in eph.params["text"]


def test_file_in_dm_with_check_words_is_checked(fake, bot, sender):
    meta = fake.add_file("dm_draft.docx", draft_docx(), user=USER, channel=DM)
    msg = fake.add_message(DM, USER, "これをチェックして", files=[meta])
    sender.event({"type": "message", "subtype": "file_share", "channel": DM, "channel_type": "im", "user": USER,
                  "text": msg["text"], "ts": msg["ts"], "event_ts": msg["ts"], "files": [meta]})
    upload = fake.wait_for("files.completeUploadExternal", timeout=30)[0]
    assert upload.params["channel_id"] == DM and upload.params["thread_ts"] == msg["ts"]
    assert bot.engine.checked[0]["display_name"] == "dm_draft.docx"
    assert scratch_emptied(bot)


# --------------------------------------------------------------------------- /pia-findings, /pia-index


def test_pia_findings_quotes_past_findings(fake, bot, sender):
    sender.command("/pia-findings", "委託先の監督 --checkpoint 41", user=USER, channel=CHANNEL)
    post = fake.wait_for("chat.postMessage")[0]
    text = blocks_text(post)
    assert "> 委託先に対しては" in text and "審査結果: 問題は認められない" in text and "出入国在留管理庁長官" in text
    assert bot.engine.found[-1] == ("委託先の監督", {"checkpoint": "41", "k": 5})
    sender.command("/pia-findings", "該当なしの話", user=USER, channel=CHANNEL)
    post = fake.wait_for("chat.postMessage", count=2)[1]
    assert "見つかりませんでした" in post.params["text"]


def test_pia_index_is_refused_to_users_not_on_the_list(fake, bot, sender):
    meta = fake.add_file("review.txt", "審査書".encode(), user=USER, channel=CHANNEL)
    sender.command("/pia-index", meta["id"], user=USER, channel=CHANNEL)
    post = fake.wait_for("chat.postMessage")[0]
    assert "PIA_INDEXERS" in post.params["text"]
    assert bot.engine.indexed == [] and fake.downloads == []


def test_pia_index_by_an_allowed_user_adds_the_source(fake, bot, sender):
    from pathlib import Path

    sheet = (Path(__file__).parent / "data" / "review_removal_fixture.txt").read_bytes()
    meta = fake.add_file("review_2025.txt", sheet, user="UINDEXER1", channel=CHANNEL)
    sender.command("/pia-index", f"<{meta['permalink']}>", user="UINDEXER1", channel=CHANNEL)
    fake.wait_for("chat.postMessage", lambda c: "共有ナレッジに追加しました" in str(c.params.get("text")))
    assert any("審査書" in c.params["text"] for c in fake.calls_to("chat.update"))  # the kind it found is named
    kept = bot.engine.indexed[0]
    assert kept.name == "review_2025.txt" and kept.read_bytes() == sheet
    # kept under a folder named by the content, so another file of the same name cannot overwrite it
    assert kept.parent.parent == bot.app.pia.settings.data_dir / "slack_sources"
    assert scratch_emptied(bot)


# --------------------------------------------------------------------------- the manifest matches the app


def test_manifest_declares_what_the_app_handles(fake, bot, sender):
    from pathlib import Path

    import yaml

    manifest = yaml.safe_load((Path(__file__).resolve().parent.parent / "manifest.yaml").read_text(encoding="utf-8"))
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert sorted(commands) == ["/pia-check", "/pia-findings", "/pia-index"]
    for command in commands:  # every declared command is handled (Bolt answers 404 to unhandled requests)
        assert sender.command(command, "help", user=USER, channel="C0MANIFEST")[0] == 200
    assert sender.command("/pia-unknown", "", user=USER, channel="C0MANIFEST")[0] == 404
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True
    bot_events = set(settings["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "assistant_thread_started"} <= bot_events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "files:read", "files:write", "im:history",
            "channels:history", "reactions:write", "assistant:write"} <= scopes
    # who may see a file: the members of the conversations it is shared in, and the asker's DM for the results
    assert {"channels:read", "groups:read", "im:read", "mpim:read", "im:write"} <= scopes
    assert manifest["features"]["assistant_view"]["assistant_description"]
    assert len(manifest["display_information"]["description"]) <= 139


def test_a_channel_the_bot_is_not_in_gets_the_answer_in_a_dm(fake, bot, sender):
    fake.not_member.add("C0PRIVATE")
    sender.command("/pia-findings", "委託先の監督", user=USER, channel="C0PRIVATE")
    post = fake.wait_for("chat.postMessage", lambda c: c.response["ok"])[0]
    assert post.params["channel"] == USER and "委託先に対しては" in blocks_text(post)


def test_modal_that_cannot_open_says_what_to_do(fake, bot, sender):
    fake.failures["views.open"] = "expired_trigger_id"
    sender.command("/pia-check", "", user=USER, channel=CHANNEL)
    post = fake.wait_for("chat.postMessage")[0]
    assert "/pia-check latest" in post.params["text"]


def _round_summaries(fake, channel):
    return [c for c in ok_posts(fake, channel) if "チェック結果" in str(c.params.get("text"))]


def test_same_titled_draft_from_the_same_user_in_the_channel_opens_with_the_difference(fake, bot, sender):
    """Another thread, the same 評価書名, the same user and channel: the last round is found (statuses and field
    hashes only); another user in that channel gets no comparison; the store holds no text."""
    import sqlite3

    channel = "C0ROUNDS1"
    name, data = sample_draft()

    def upload(user: str) -> None:
        meta = fake.add_file(name, data, user=user, channel=channel)
        msg = fake.add_message(channel, user, f"<@{BOT_USER}> チェックして", files=[meta])
        sender.event({"type": "app_mention", "user": user, "text": msg["text"], "channel": channel, "ts": msg["ts"],
                      "event_ts": msg["ts"], "files": [meta]})

    upload(USER)
    fake.wait_for("files.completeUploadExternal", lambda c: c.params.get("channel_id") == channel, timeout=30)
    assert "前回から" not in blocks_text(_round_summaries(fake, channel)[0])
    upload(USER)
    fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == channel
                  and "チェック結果" in str(c.params.get("text")), count=2, timeout=30)
    second = _round_summaries(fake, channel)[1]
    # the scripted engine flags 28 and 41 every time: both still open, nothing fixed or new
    assert str(second.params["text"]).startswith("前回から0件解消・0件新規・2件未解消")
    upload("U0OTHERUSR")
    fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == channel
                  and "チェック結果" in str(c.params.get("text")), count=3, timeout=30)
    assert "前回から" not in blocks_text(_round_summaries(fake, channel)[2])
    store = bot.engine.settings.data_dir / "rounds.sqlite3"
    with sqlite3.connect(store) as conn:
        dump = "\n".join(str(v) for row in conn.execute("SELECT * FROM rounds") for v in row)
    assert dump and SECRET_MARKER not in dump and name not in dump
    assert "住民税" not in dump and "みなと川" not in dump


def test_round_store_expires_after_the_retention_period(tmp_path):
    from bot.models import RoundRecord
    from bot.rounds import RoundStore

    store = RoundStore(tmp_path, retention_days=1)
    record = RoundRecord(salt="00" * 16, checked_at="2025-10-01T00:00:00+00:00", statuses={"41": "incomplete"})
    store.remember(record, thread="C1:1.0", owner="C1:U1", title="給付の事務 全項目評価書", now=1_000_000.0)
    assert store.recall(thread="C1:1.0", owner=None, title=None, now=1_000_000.0 + 3600) == record
    # another thread, the same owner and 評価書名 (full-width space: normalised)
    assert store.recall(thread="C1:9.9", owner="C1:U1", title="給付の事務　全項目評価書",
                        now=1_000_000.0 + 60) == record
    assert store.recall(thread=None, owner="C1:U2", title="給付の事務 全項目評価書", now=1_000_000.0 + 60) is None
    assert store.recall(thread="C1:1.0", owner="C1:U1", title="給付の事務 全項目評価書",
                        now=1_000_000.0 + 86400 + 1) is None
    assert store.count() == 0  # expired rows are deleted, not just hidden
    off = RoundStore(tmp_path / "off", retention_days=0)
    off.remember(record, thread="C1:1.0", owner="C1:U1", title="x")
    assert off.recall(thread="C1:1.0", owner="C1:U1", title="x") is None
    assert not (tmp_path / "off" / "rounds.sqlite3").exists()
