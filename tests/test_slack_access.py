"""Who may see a file, and where its results go, against the local fake Slack (files.info shares and
conversations.members as Slack returns them). And /pia-index: only knowledge, never a draft, never a file the asker
cannot see; two different sheets uploaded under one name both stay (the REAL engine, hash embedder).

Each test here failed on the code before issue 11: /pia-check and /pia-index never compared the asker with the file,
section buttons never checked their owner, and /pia-index kept uploads under their file name."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from bot.engine import Engine
from fake_slack import FakeSlack, SignedSender
from slack_support import SECRET_MARKER, ScriptedEngine, draft_docx, sample_draft, settings_for, start_bot

OWNER = "U0OWNER01"
MEMBER = "U0MEMBER1"
OUTSIDER = "U0OUTSIDE"
INDEXER = "UINDEXER1"
PUBLIC = "C0PUBLIC1"
PRIVATE = "C0PRIVATE1"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def fake():
    f = FakeSlack().start()
    yield f
    f.stop()


@pytest.fixture(scope="module")
def bot(fake, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("slack_access")
    settings = settings_for(fake.api_url, tmp)
    running = start_bot(settings, ScriptedEngine(settings), tmp / "scratch")
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
    fake.members.update({PUBLIC: [OWNER, MEMBER, OUTSIDER, INDEXER], PRIVATE: [OWNER, MEMBER]})
    yield


def posts_in(fake, channel):
    return [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == channel]


def private_draft(fake, name="secret_draft.docx"):
    """A draft shared only in a private channel that OWNER and MEMBER are in."""
    return fake.add_file(name, draft_docx(), user=OWNER, private=[PRIVATE])


def settle():
    time.sleep(0.6)  # lazy listeners run after the ack: give a refused flow the time to do anything it would


# --------------------------------------------------------------------------- /pia-check


def test_a_draft_shared_in_a_private_channel_is_refused_to_an_outsider(fake, bot, sender, caplog):
    caplog.set_level(logging.DEBUG)
    meta = private_draft(fake)
    sender.command("/pia-check", meta["id"], user=OUTSIDER, channel=PUBLIC)
    refusal = fake.wait_for("chat.postEphemeral")[0]
    assert refusal.params["channel"] == PUBLIC and refusal.params["user"] == OUTSIDER
    assert "共有されていない" in refusal.params["text"] and meta["id"] in refusal.params["text"]
    settle()
    assert fake.downloads == [] and bot.engine.checked == []
    assert fake.calls_to("chat.postMessage") == [] and fake.calls_to("files.completeUploadExternal") == []
    # the bot looked at the shares and the members before deciding
    assert fake.calls_to("conversations.members")[0].params["channel"] == PRIVATE
    # only ids in the log: not the file's name, not its content
    assert meta["id"] in caplog.text and OUTSIDER in caplog.text
    assert "secret_draft" not in caplog.text and SECRET_MARKER not in caplog.text


def test_a_member_checking_from_a_wider_channel_gets_the_results_in_a_dm(fake, bot, sender):
    meta = private_draft(fake)
    sender.command("/pia-check", meta["id"], user=MEMBER, channel=PUBLIC)
    upload = fake.wait_for("files.completeUploadExternal", timeout=30)[0]
    dm = "D" + MEMBER[1:]
    assert upload.params["channel_id"] == dm
    assert posts_in(fake, PUBLIC) == []  # nothing about the draft in the public channel
    assert any("チェック結果" in str(c.params.get("text")) for c in posts_in(fake, dm))
    note = fake.wait_for("chat.postEphemeral")[0]
    assert note.params["channel"] == PUBLIC and note.params["user"] == MEMBER and "DM" in note.params["text"]
    assert bot.engine.checked and fake.downloads == [(meta["id"], True)]


def test_a_member_checking_in_the_files_own_channel_gets_the_results_there(fake, bot, sender):
    meta = private_draft(fake)
    sender.command("/pia-check", meta["id"], user=MEMBER, channel=PRIVATE)
    upload = fake.wait_for("files.completeUploadExternal", timeout=30)[0]
    assert upload.params["channel_id"] == PRIVATE
    assert all(c.params["channel"] == PRIVATE for c in fake.calls_to("chat.postMessage"))
    assert fake.calls_to("chat.postEphemeral") == []


def test_membership_is_read_page_by_page(fake, bot, sender):
    crowd = [f"U{n:08d}" for n in range(2600)]
    fake.members[PRIVATE] = [OWNER, *crowd, MEMBER]  # MEMBER is on the third page of 1,000
    meta = private_draft(fake)
    sender.command("/pia-check", meta["id"], user=MEMBER, channel=PRIVATE)
    fake.wait_for("files.completeUploadExternal", timeout=30)
    pages = [c for c in fake.calls_to("conversations.members") if c.params.get("channel") == PRIVATE]
    assert len(pages) == 3 and pages[1].params.get("cursor")


def test_a_conversation_whose_members_the_bot_cannot_read_counts_as_not_shared(fake, bot, sender):
    meta = private_draft(fake)
    fake.hidden.add(PRIVATE)  # the bot is not in the private channel: conversations.members says channel_not_found
    sender.command("/pia-check", meta["id"], user=MEMBER, channel=PUBLIC)
    assert "共有されていない" in fake.wait_for("chat.postEphemeral")[0].params["text"]
    settle()
    assert fake.downloads == [] and bot.engine.checked == []


def test_a_file_shared_nowhere_is_only_its_owners(fake, bot, sender):
    meta = fake.add_file("own.docx", draft_docx(), user=OWNER)
    sender.command("/pia-check", meta["id"], user=MEMBER, channel=PUBLIC)
    fake.wait_for("chat.postEphemeral")
    settle()
    assert fake.downloads == []
    sender.command("/pia-check", meta["id"], user=OWNER, channel=PUBLIC)
    upload = fake.wait_for("files.completeUploadExternal", timeout=30)[0]
    assert upload.params["channel_id"] == "D" + OWNER[1:] and posts_in(fake, PUBLIC) == []


def test_section_details_open_only_for_the_person_who_ran_the_check(fake, bot, sender):
    meta = fake.add_file("shared.docx", draft_docx(), user=OWNER, channel=PUBLIC)
    sender.command("/pia-check", meta["id"], user=OWNER, channel=PUBLIC)
    fake.wait_for("files.completeUploadExternal", timeout=30)
    summary = next(p for p in posts_in(fake, PUBLIC) if "チェック結果" in str(p.params.get("text")))
    blocks = summary.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    button = next(e for b in blocks if b["type"] == "actions" for e in b["elements"])

    def click(user):
        sender.interaction({"type": "block_actions", "user": {"id": user}, "team": {"id": "T0FAKE0001"},
                            "api_app_id": "A0PIAAPP1", "token": "legacy", "trigger_id": "1.t",
                            "channel": {"id": PUBLIC}, "container": {"type": "message"},
                            "message": summary.response["message"],
                            "actions": [{**button, "block_id": "sections", "action_ts": "1"}]})

    click(OUTSIDER)
    refusal = fake.wait_for("chat.postEphemeral", lambda c: c.params.get("user") == OUTSIDER)[0]
    assert "チェックを実行した人だけ" in refusal.params["text"]
    settle()
    assert not [c for c in fake.calls_to("chat.postMessage") if "の確認結果" in str(c.params.get("text"))]
    click(OWNER)
    details = fake.wait_for("chat.postMessage", lambda c: "の確認結果" in str(c.params.get("text")))[0]
    assert details.params["channel"] == PUBLIC and SECRET_MARKER in json.dumps(details.params.get("blocks"),
                                                                               ensure_ascii=False)


# --------------------------------------------------------------------------- /pia-index


def test_pia_index_refuses_a_file_the_indexer_cannot_see(fake, bot, sender):
    sheet = (DATA / "review_removal_fixture.txt").read_bytes()
    meta = fake.add_file("review.txt", sheet, user=OWNER, private=[PRIVATE])
    sender.command("/pia-index", meta["id"], user=INDEXER, channel=PUBLIC)
    assert "共有されていない" in fake.wait_for("chat.postEphemeral")[0].params["text"]
    settle()
    assert fake.downloads == [] and bot.engine.indexed == []


def _kept_files(bot) -> list[Path]:
    root = bot.app.pia.settings.data_dir / "slack_sources"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_pia_index_refuses_a_draft_and_keeps_nothing(fake, bot, sender):
    before = _kept_files(bot)
    meta = fake.add_file("review_2025.docx", sample_draft()[1], user=INDEXER, channel=PUBLIC)
    sender.command("/pia-index", meta["id"], user=INDEXER, channel=PUBLIC)
    failed = fake.wait_for("chat.update", lambda c: ":warning:" in c.params["text"])[0]
    assert "評価書の案は索引に追加できません" in failed.params["text"]
    settle()
    assert bot.engine.indexed == [] and _kept_files(bot) == before


def test_pia_index_modal_refuses_a_draft(fake, bot, sender):
    sender.command("/pia-index", "", user=INDEXER, channel=PUBLIC)
    opened = fake.wait_for("views.open")[0]
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    meta = fake.add_file("minutes.docx", sample_draft()[1], user=INDEXER)
    sender.interaction({"type": "view_submission", "team": {"id": "T0FAKE0001"}, "user": {"id": INDEXER},
                        "api_app_id": "A0PIAAPP1", "token": "legacy", "trigger_id": "2.t",
                        "view": {"id": "V2", "type": "modal", "callback_id": view["callback_id"],
                                 "private_metadata": view["private_metadata"],
                                 "state": {"values": {"draft": {"file": {"type": "file_input", "files": [meta]}}}}}})
    failed = fake.wait_for("chat.update", lambda c: ":warning:" in c.params["text"])[0]
    assert "評価書の案は索引に追加できません" in failed.params["text"]
    settle()
    assert bot.engine.indexed == []


def test_pia_index_names_what_it_found_when_it_is_not_knowledge(fake, bot, sender):
    note = "# 打合せメモ\n\n来週の打合せで委託先の監督について話し合う。資料は各自で用意する。\n".encode()
    meta = fake.add_file("memo.md", note, user=INDEXER, channel=PUBLIC)
    sender.command("/pia-index", meta["id"], user=INDEXER, channel=PUBLIC)
    failed = fake.wait_for("chat.update", lambda c: ":warning:" in c.params["text"])[0]
    assert "その他の文書" in failed.params["text"] and "審査書" in failed.params["text"]
    assert bot.engine.indexed == []


# --------------------------------------------------------------------------- the real engine: nothing lost


@pytest.fixture(scope="module")
def real(fake, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("slack_access_real")
    settings = settings_for(fake.api_url, tmp)
    engine = Engine(settings)
    running = start_bot(settings, engine, tmp / "scratch")
    yield running
    running.server.stop()


def _upload(fake, sender, name: str, data: bytes) -> None:
    meta = fake.add_file(name, data, user=INDEXER, channel=PUBLIC)
    before = len([c for c in fake.calls_to("chat.update") if "追加しました" in c.params["text"]])
    sender.command("/pia-index", meta["id"], user=INDEXER, channel=PUBLIC)
    fake.wait_for("chat.update", lambda c: "追加しました" in c.params["text"] or ":warning:" in c.params["text"],
                  count=before + 1, timeout=120)
    done = [c for c in fake.calls_to("chat.update") if "追加しました" in c.params["text"]]
    assert len(done) == before + 1, [c.params["text"] for c in fake.calls_to("chat.update")][-3:]


def test_two_different_sheets_uploaded_under_one_name_both_stay(fake, real):
    sender = SignedSender(real.url)
    a = (DATA / "review_removal_fixture.txt").read_bytes()
    b = (DATA / "review_city_juki.txt").read_bytes()
    _upload(fake, sender, "審査書.txt", a)
    _upload(fake, sender, "審査書.txt", b)
    sources = real.engine.sources()
    agencies = {s.agency for s in sources if s.kind == "review_sheet" and not (s.path or "").startswith("knowledge/")}
    assert {"架空市長"} < agencies and len(agencies) == 2, agencies  # both bodies' sheets are in the index
    kept = [p for p in (real.app.pia.settings.data_dir / "slack_sources").rglob("*") if p.is_file()]
    assert sorted(p.read_bytes() for p in kept) == sorted([a, b])

    # the same sheet again, corrected and under another name: it replaces itself and nothing else
    count = len(sources)
    corrected = a.replace("毎週木曜日".encode(), "毎週金曜日".encode())
    assert corrected != a
    _upload(fake, sender, "審査書_修正版.txt", corrected)
    after = real.engine.sources()
    assert len(after) == count
    texts = [h.text for h in real.engine.search("操作記録システム 毎週 抽出", kind="finding", k=20)]
    assert any("毎週金曜日" in t for t in texts) and not any("毎週木曜日" in t for t in texts)
    assert {s.agency for s in after if s.kind == "review_sheet"} >= agencies
