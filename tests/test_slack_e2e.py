"""End to end with the REAL engine (bundled knowledge, hash embedder, embedded Chroma in a temp dir), the bot in
HTTP mode and the local fake Slack: a thread conversation with a follow-up, and the whole /pia-check flow."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from bot.engine import Engine
from fake_slack import BOT_USER, FakeSlack, SignedSender
from slack_support import sample_draft, settings_for, start_bot

pytestmark = pytest.mark.slow

USER = "U0E2EUSER"
CHANNEL = "C0E2ECHAN"


class RecordingEngine(Engine):
    """The real engine; it only notes what the Slack adapter asked of it."""

    def __init__(self, settings):
        super().__init__(settings)
        self.asked: list[tuple[str, list[str] | None]] = []
        self.checked: list[str] = []
        self.reports = []

    def ask(self, question, history=None):
        self.asked.append((question, list(history) if history else None))
        return super().ask(question, history=history)

    def check(self, path, display_name=None):
        self.checked.append(display_name)
        report = super().check(path, display_name=display_name)
        self.reports.append(report)
        return report


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    fake = FakeSlack().start()
    tmp = tmp_path_factory.mktemp("slack_e2e")
    settings = settings_for(fake.api_url, tmp, pia_check_timeout=240.0)
    engine = RecordingEngine(settings)
    bot = start_bot(settings, engine, tmp / "scratch", answer_timeout=240.0)
    bot.app.pia.warm_up().join(300)  # build the index once, before the timed parts
    yield fake, bot, engine, SignedSender(bot.url)
    bot.server.stop()
    fake.stop()


def _blocks(call) -> str:
    b = call.params.get("blocks")
    return json.dumps(json.loads(b) if isinstance(b, str) else b, ensure_ascii=False)


def test_thread_conversation_with_a_follow_up(world):
    fake, _bot, engine, sender = world
    first = fake.add_message(CHANNEL, USER, f"<@{BOT_USER}> 委託先の監督について評価書のどこに書けばいい？")
    sender.event({"type": "app_mention", "user": USER, "text": first["text"], "channel": CHANNEL,
                  "ts": first["ts"], "event_ts": first["ts"]})
    answer1 = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == CHANNEL, timeout=120)[0]
    assert answer1.response["ok"] and answer1.params["thread_ts"] == first["ts"]
    assert "細目" in _blocks(answer1) and "出典" in _blocks(answer1)

    follow = fake.add_message(CHANNEL, USER, f"<@{BOT_USER}> じゃあ再委託の場合は？", thread_ts=first["ts"])
    sender.event({"type": "app_mention", "user": USER, "text": follow["text"], "channel": CHANNEL,
                  "ts": follow["ts"], "thread_ts": first["ts"], "event_ts": follow["ts"]})
    posts = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == CHANNEL, count=2, timeout=120)
    answer2 = posts[-1]
    assert answer2.response["ok"] and answer2.params["thread_ts"] == first["ts"]
    assert engine.asked[-1] == ("じゃあ再委託の場合は？", ["委託先の監督について評価書のどこに書けばいい？"])
    assert "再委託" in _blocks(answer2)


def test_pia_check_end_to_end_with_the_real_checker(world):
    fake, _bot, engine, sender = world
    name, data = sample_draft()
    status, _ = sender.command("/pia-check", "", user=USER, channel="C0E2ECHK")
    assert status == 200
    opened = fake.wait_for("views.open")[0]
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    meta = fake.add_file(name, data, user=USER)
    status, _ = sender.interaction({
        "type": "view_submission", "team": {"id": "T0FAKE0001"}, "user": {"id": USER}, "api_app_id": "A0PIAAPP1",
        "token": "legacy", "trigger_id": "1.t",
        "view": {"id": "V1", "type": "modal", "callback_id": view["callback_id"],
                 "private_metadata": view["private_metadata"],
                 "state": {"values": {"draft": {"file": {"type": "file_input", "files": [meta]}}}}}})
    assert status == 200
    # the progress message ends as either done or a warning: fail fast on a warning
    final = fake.wait_for("chat.update", lambda c: "チェックが終わりました" in c.params["text"]
                          or ":warning:" in c.params["text"], timeout=300)[0]
    assert "チェックが終わりました" in final.params["text"], final.params["text"]
    upload = fake.wait_for("files.completeUploadExternal", timeout=60)[0]
    # uploaded in the modal, the draft is shared nowhere: its results go to the owner's DM, not to the channel
    dm = "D" + USER[1:]
    assert not [c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == "C0E2ECHK"]
    progress = next(c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == dm)
    thread = progress.response["ts"]
    summary = [c for c in fake.calls_to("chat.postMessage")
               if c.params.get("thread_ts") == thread and "チェック結果" in str(c.params.get("text"))]
    assert summary and all(c.response["ok"] for c in summary)
    assert upload.params["thread_ts"] == thread
    files = upload.params["files"]
    fid = (json.loads(files) if isinstance(files, str) else files)[0]["id"]
    wb = load_workbook(io.BytesIO(fake.uploads[fid]))
    assert max(ws.max_row for ws in wb.worksheets) > 10
    assert engine.checked == [name]
    # what was posted is the real report: its counts, and its flagged checkpoints with their reasons
    report = engine.reports[0]
    posted = "".join(_blocks(c) for c in summary)
    s = report.summary
    assert f"要修正 {s.incomplete}" in posted and f"記載なし {s.missing}" in posted and f"問題なし {s.ok}" in posted
    flagged = [c for c in report.checkpoints if c.status in ("incomplete", "missing")]
    for c in flagged[:15]:
        label = f"細目{c.id}" if not c.id.startswith("V") else f"審査の観点({c.id[1:]})"
        assert label in posted
    assert fake.downloads == [(meta["id"], True)]


def test_draft_with_defects_in_a_dm_flags_sections_and_shows_details(world):
    fake, _bot, engine, sender = world
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "examples" / "sample_local_defects.docx"
    dm = "D0E2EDM01"
    meta = fake.add_file(path.name, path.read_bytes(), user=USER, channel=dm)
    msg = fake.add_message(dm, USER, "チェックしてください", files=[meta])
    sender.event({"type": "message", "subtype": "file_share", "channel": dm, "channel_type": "im", "user": USER,
                  "text": msg["text"], "ts": msg["ts"], "event_ts": msg["ts"], "files": [meta]})
    fake.wait_for("files.completeUploadExternal", lambda c: c.params.get("channel_id") == dm, timeout=300)
    report = engine.reports[-1]
    assert report.summary.incomplete + report.summary.missing > 0
    summary = next(c for c in fake.calls_to("chat.postMessage")
                   if c.params["channel"] == dm and "チェック結果" in str(c.params.get("text")))
    blocks = summary.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    button = next(e for b in blocks if b["type"] == "actions" for e in b["elements"])
    section = json.loads(button["value"])["s"]
    sender.interaction({"type": "block_actions", "user": {"id": USER}, "team": {"id": "T0FAKE0001"},
                        "api_app_id": "A0PIAAPP1", "token": "legacy", "trigger_id": "1.t", "channel": {"id": dm},
                        "container": {"type": "message"}, "message": summary.response["message"],
                        "actions": [{**button, "block_id": "sections", "action_ts": "1"}]})
    details = fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == dm
                            and f"{section} の確認結果" in str(c.params.get("text")))
    assert all(d.response["ok"] for d in details) and details[0].params["thread_ts"] == msg["ts"]
    # every flagged checkpoint of that section is in the details, with the checker's reason
    from bot.slack.blocks import section_key

    shown = "".join(_blocks(d) for d in details)
    for c in report.checkpoints:
        if section_key(c.section) == section and c.status in ("incomplete", "missing"):
            assert c.reasons[0].message.replace("<", "&lt;").replace(">", "&gt;")[:30] in shown


def _uploads_in(fake, channel: str) -> list[tuple[str, bytes]]:
    """(title, bytes) of every file the bot uploaded into a channel, in order."""
    out = []
    for c in fake.calls_to("files.completeUploadExternal"):
        if c.params.get("channel_id") != channel:
            continue
        files = c.params["files"]
        for f in json.loads(files) if isinstance(files, str) else files:
            out.append((f.get("title") or "", fake.uploads[f["id"]]))
    return out


def test_second_upload_in_the_same_thread_opens_with_the_difference(world, tmp_path):
    """A defect draft, then the corrected draft in the same thread: the second summary opens with the round line,
    and the first upload (a Word draft with flags) came back with its comments written into a copy."""
    from pathlib import Path

    from docx import Document

    fake, _bot, engine, sender = world
    examples = Path(__file__).resolve().parent.parent / "examples"
    channel = "C0E2EROUND"
    defects, complete = examples / "sample_local_defects.docx", examples / "sample_complete.docx"

    meta1 = fake.add_file(defects.name, defects.read_bytes(), user=USER, channel=channel)
    first = fake.add_message(channel, USER, f"<@{BOT_USER}> チェックしてください", files=[meta1])
    sender.event({"type": "app_mention", "user": USER, "text": first["text"], "channel": channel, "ts": first["ts"],
                  "event_ts": first["ts"], "files": [meta1]})
    fake.wait_for("files.completeUploadExternal", lambda c: c.params.get("channel_id") == channel, count=2,
                  timeout=300)
    round1 = engine.reports[-1]
    flagged1 = [c.id for c in round1.checkpoints if c.status in ("incomplete", "missing")]
    assert round1.changes is None and flagged1
    titles = [t for t, _ in _uploads_in(fake, channel)]
    assert titles[0].startswith("チェック結果") and titles[1].startswith("指摘コメント付きの評価書")
    # both files go only where the draft was shared: this thread
    assert {c.params.get("thread_ts") for c in fake.calls_to("files.completeUploadExternal")
            if c.params.get("channel_id") == channel} == {first["ts"]}
    annotated = Document(io.BytesIO(_uploads_in(fake, channel)[1][1]))
    assert len(list(annotated.comments)) == len(flagged1)
    first_summary = next(c for c in fake.calls_to("chat.postMessage")
                         if c.params["channel"] == channel and "チェック結果" in str(c.params.get("text")))
    assert "前回から" not in _blocks(first_summary)

    meta2 = fake.add_file(complete.name, complete.read_bytes(), user=USER, channel=channel)
    second = fake.add_message(channel, USER, f"<@{BOT_USER}> 直したのでもう一度チェックして", thread_ts=first["ts"],
                              files=[meta2])
    sender.event({"type": "app_mention", "user": USER, "text": second["text"], "channel": channel,
                  "ts": second["ts"], "thread_ts": first["ts"], "event_ts": second["ts"], "files": [meta2]})
    summaries = fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == channel
                              and "チェック結果" in str(c.params.get("text")), count=2, timeout=300)
    round2 = engine.reports[-1]
    flagged2 = [c.id for c in round2.checkpoints if c.status in ("incomplete", "missing")]
    fixed = [c for c in flagged1 if c not in flagged2]
    new = [c for c in flagged2 if c not in flagged1]
    line = f"前回から{len(fixed)}件解消・{len(new)}件新規・{len(flagged2) - len(new)}件未解消"
    assert fixed and round2.changes is not None and round2.changes.fixed == fixed
    summary = summaries[-1]
    assert summary.params["thread_ts"] == first["ts"]
    blocks = summary.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert line in blocks[0]["text"]["text"]  # the difference comes first
    assert str(summary.params["text"]).startswith(line)
