"""Block Kit rendering: long Japanese text is split within Slack's limits and quotes stay verbatim."""

from __future__ import annotations

import json
import re

import pytest

from bot.models import (
    Answer,
    CheckpointRef,
    CheckReport,
    CheckResult,
    CheckSummary,
    Citation,
    DraftDocument,
    FindingHit,
    Precedent,
    Reason,
    Source,
)
from bot.slack.blocks import (
    MAX_BLOCKS,
    MAX_MESSAGE_CHARS,
    SECTION_ACTION,
    SECTION_TEXT_LIMIT,
    answer_messages,
    block_chars,
    check_summary_messages,
    escape,
    findings_messages,
    paginate,
    quote,
    section_detail_messages,
    section_key,
    split_text,
)

SENTENCE = ("特定個人情報ファイルを取り扱う事務において、個人番号の利用が法令に基づくものであることを確認し、"
            "その根拠を記載する。")


def unquote(chunks: list[str]) -> str:
    """Undo quote(): strip '> ' at line starts, join, unescape."""
    lines = []
    for chunk in chunks:
        lines.append("\n".join(line[2:] if line.startswith("> ") else line for line in chunk.split("\n")))
    return "".join(lines).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def assert_message_limits(messages):
    for m in messages:
        assert len(m.blocks) <= MAX_BLOCKS
        assert sum(block_chars(b) for b in m.blocks) <= MAX_MESSAGE_CHARS
        assert 0 < len(m.text) <= 3000
        for b in m.blocks:
            if b["type"] == "section":
                assert 0 < len(b["text"]["text"]) <= SECTION_TEXT_LIMIT


def test_split_long_japanese_paragraph_keeps_every_character_in_order():
    text = SENTENCE * 120  # ~7,000 chars, one line, sentence ends only
    chunks = split_text(text, 3000)
    assert len(chunks) >= 3
    assert all(len(c) <= 3000 for c in chunks)
    assert "".join(chunks) == text
    # breaks land on sentence ends when there are some
    assert all(c.endswith("。") for c in chunks[:-1])


def test_split_without_any_punctuation_hard_cuts_within_limit():
    text = "あ" * 10001
    chunks = split_text(text, 3000)
    assert [len(c) for c in chunks] == [3000, 3000, 3000, 1001]
    assert "".join(chunks) == text


def test_split_prefers_paragraph_breaks_and_counts_the_prefix():
    paragraphs = [SENTENCE * 15 for _ in range(6)]  # ~900 chars each
    text = "\n\n".join(paragraphs)
    chunks = split_text(text, 3000, line_prefix="> ")
    assert all(len(c) <= 3000 for c in chunks)
    assert all(line.startswith("> ") for c in chunks for line in c.split("\n"))
    # no paragraph is cut in the middle: each chunk holds whole paragraphs
    for c in chunks:
        body = [line[2:] for line in c.split("\n") if line[2:]]
        assert all(p == paragraphs[0] for p in body)


def test_split_does_not_cut_inside_an_html_entity():
    text = escape("x" * 2998 + "&<>" + "y" * 100)
    chunks = split_text(text, 3000)
    assert all(len(c) <= 3000 for c in chunks)
    assert "".join(chunks) == text
    for c in chunks:
        assert not re.search(r"&[a-z]{0,3}$", c), c[-8:]


def test_quote_is_verbatim_after_unescaping():
    original = "委託先<A社>&再委託先の「監督」について。\n" + SENTENCE * 80
    chunks = quote(original, 1000)
    assert all(len(c) <= 1000 for c in chunks)
    assert unquote(chunks).replace("\n", "") == original.replace("\n", "")


def test_escape_blocks_slack_control_sequences():
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


def test_paginate_splits_by_block_count_and_characters():
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "あ" * 2900}} for _ in range(9)]
    msgs = paginate(blocks, "fallback")
    assert sum(len(m.blocks) for m in msgs) == 9
    assert_message_limits(msgs)
    assert msgs[0].text.endswith(f"（1/{len(msgs)}）")
    many = [{"type": "divider"} for _ in range(120)]
    assert [len(m.blocks) for m in paginate(many, "x")] == [50, 50, 20]


def _answer(long: bool) -> Answer:
    src = Source(title="外国人の在留資格に係る許可に関する事務", agency="出入国在留管理庁長官", date="令和7年10月8日",
                 kind="review_sheet")
    cites = [Citation(kind="finding", text=SENTENCE * (60 if long else 1), source=src, checkpoints=["41"])
             for _ in range(8 if long else 1)]
    cites.append(Citation(kind="remark", text="委員: 実効性のある監督をお願いしたい。",
                          source=Source(kind="minutes", meeting=337, date="2025-10-22"), checkpoints=["41"]))
    return Answer(answer=SENTENCE * (100 if long else 1),
                  checkpoints=[CheckpointRef(id="41", title="委託先の監督", section="Ⅲ 4. 情報保護管理体制の確認")],
                  citations=cites)


def test_answer_rendering_shows_checkpoint_answer_sources_remark_and_feedback():
    msgs = answer_messages(_answer(long=False))
    assert len(msgs) == 1
    payload = json.dumps(msgs[0].blocks, ensure_ascii=False)
    assert "細目41" in payload and "委託先の監督" in payload and "Ⅲ 4. 情報保護管理体制の確認" in payload
    assert ("*[1]* 審査書「外国人の在留資格に係る許可に関する事務」 / 出入国在留管理庁長官 / 令和7年10月8日"
            " / 細目41") in payload
    assert "*[2]* 議事録 第337回 / 2025-10-22" in payload and "委員会での発言" in payload
    assert msgs[0].blocks[-1]["type"] == "context_actions"
    assert msgs[0].text.startswith(SENTENCE)


def test_long_answer_is_split_across_messages_within_limits():
    ans = _answer(long=True)
    msgs = answer_messages(ans)
    assert len(msgs) >= 3
    assert_message_limits(msgs)
    # every citation is still there, verbatim, in order
    quoted = []
    for m in msgs:
        for b in m.blocks:
            if b["type"] == "section":
                lines = b["text"]["text"].split("\n")
                quoted += [line[2:] for line in lines if line.startswith("> ")]
    joined = "".join(quoted)
    assert joined.count(SENTENCE * 60) == 8
    # feedback buttons only once, at the very end
    kinds = [b["type"] for m in msgs for b in m.blocks]
    assert kinds.count("context_actions") == 1 and kinds[-1] == "context_actions"


def _report(n_flags: int) -> CheckReport:
    from bot.catalog import load_catalog

    cat = load_catalog()
    results = []
    for i, cid in enumerate(cat.ids()):
        cp = cat.checkpoint(cid)
        status = "incomplete" if i < n_flags else "ok"
        results.append(CheckResult(
            id=cid, status=status, section=cp.section if cp else "Ⅰ 基本情報", page=i + 1,
            reasons=[Reason(code="vague", message="記載が抽象的です。" * 5)] if status != "ok" else [],
            precedents=[Precedent(text=SENTENCE * 40, source=Source(title="審査書A", kind="review_sheet"),
                                  checkpoints=[cid])] if status != "ok" else []))
    return CheckReport(document=DraftDocument(path="x.docx", format="docx", pages=3),
                       summary=CheckSummary(ok=len(results) - n_flags, incomplete=n_flags),
                       checkpoints=results, fields=[])


def test_check_summary_with_every_checkpoint_flagged_stays_within_limits():
    report = _report(86)
    msgs = check_summary_messages(report, "draft.docx", "key123")
    assert_message_limits(msgs)
    payload = json.dumps([b for m in msgs for b in m.blocks], ensure_ascii=False)
    assert "要修正 86" in payload
    assert "ほか 71 件" in payload  # 15 shown, the rest point at the xlsx
    buttons = [e for m in msgs for b in m.blocks if b["type"] == "actions" for e in b["elements"]]
    assert 1 <= len(buttons) <= 5
    assert all(e["action_id"].startswith(SECTION_ACTION) and json.loads(e["value"])["r"] == "key123" for e in buttons)
    assert len({e["action_id"] for e in buttons}) == len(buttons)


def test_section_key_groups_subsections():
    assert section_key("Ⅲ 2. リスク3") == "Ⅲ 2."
    assert section_key("Ⅲ 4. 情報保護管理体制の確認") == "Ⅲ 4."
    assert section_key("Ⅱ ファイルの概要") == "Ⅱ"
    assert section_key("") == "その他"


def test_section_details_include_all_precedents_and_stay_within_limits():
    report = _report(86)
    key = section_key(report.checkpoints[30].section)
    msgs = section_detail_messages(report, key)
    assert_message_limits(msgs)
    expected = sum(1 for c in report.checkpoints if section_key(c.section) == key)
    text = json.dumps([b for m in msgs for b in m.blocks], ensure_ascii=False)
    assert text.count("先例:") == sum(min(3, len(c.precedents)) for c in report.checkpoints
                                       if section_key(c.section) == key)
    assert expected > 0


@pytest.mark.parametrize("hits", [0, 3])
def test_findings_rendering(hits):
    items = [FindingHit(text=f"所見{i}: " + SENTENCE, checkpoints=["41"], result="問題は認められない",
                        source=Source(title="審査書B", agency="X省", date="2024-01-01", kind="review_sheet"))
             for i in range(hits)]
    msgs = findings_messages("委託先の監督", items)
    assert_message_limits(msgs)
    text = json.dumps([b for m in msgs for b in m.blocks], ensure_ascii=False)
    if hits:
        for i in range(hits):
            assert f"> 所見{i}: {SENTENCE}" in text
        assert "審査結果: 問題は認められない" in text
    else:
        assert "見つかりませんでした" in text


def test_a_flag_shows_its_suggestion():
    report = _report(2)
    report.checkpoints[0].suggestion = "修正例: 【委託先名】は、契約終了時に【消去方法】により消去する。"
    msgs = check_summary_messages(report, "draft.docx", "key1")
    payload = json.dumps([b for m in msgs for b in m.blocks], ensure_ascii=False)
    assert "修正例: 【委託先名】は" in payload
    assert_message_limits(msgs)
