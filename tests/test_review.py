"""`pia review`: the pre-filled review sheet on the sample drafts (examples/), in the seed's table layout."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.review import sheet_layout, templates
from bot.text import compact
from seed_util import ROOT, make_engine

EXAMPLES = ROOT / "examples"
COMPLETE = ["sample_complete.docx", "sample_complete.pdf", "sample_complete.xlsx"]
RESULTS = {"ok": "問題は認められない", "not_applicable": "該当なし"}
# a polite ending turned plain (`行い|ます` -> `行う` + `こと`) or `こと` after a plain predicate
_GLUE = re.compile(r"^(?:[\u4e00-\u9fff]?[\u3040-\u309f]{0,3})?こと|^")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    d = tmp_path_factory.mktemp("pia_review")
    e = make_engine(d)
    e.index([])
    return e


@pytest.fixture(scope="module")
def reviews(engine):
    cache: dict[str, tuple] = {}

    def get(name: str):
        if name not in cache:
            path = EXAMPLES / name
            cache[name] = (engine.review(path), engine.check(path))
        return cache[name]

    return get


def draft_texts(name: str) -> list[str]:
    """The draft's text two independent ways: as loaded (page by page) and as read into fields."""
    from bot.draft import read_draft
    from indexer.loaders import load_document

    path = EXAMPLES / name
    _, fields = read_draft(path)
    loaded = compact(load_document(path).text)
    read = compact("\n".join(f"{f.value}\n{f.choice or ''}\n{' '.join(f.checks)}" for f in fields))
    return [loaded, read]


def first_page(pages: str | None) -> int | None:
    m = re.match(r"P\.(\d+)", pages or "")
    return int(m.group(1)) if m else None


@pytest.mark.parametrize("name", COMPLETE)
def test_every_checkpoint_row_present_in_the_seed_order(engine, reviews, name):
    sheet, _ = reviews(name)
    ids = [r.checkpoint for r in sheet.rows]
    assert ids == [cid for _, cid in sheet_layout(engine.catalog)]
    numbered = [c.id for c in engine.catalog.checkpoints]
    assert set(numbered) <= set(ids) and len(ids) == len(set(ids))
    shown = set(ids) | {v for r in sheet.rows for v in (r.viewpoint or "").split(",") if v}
    assert {f"V{i}" for i in range(1, 13)} <= shown
    parts = list(dict.fromkeys(r.part for r in sheet.rows))
    assert parts == list(templates()["parts"].values())
    for r in sheet.rows:
        if r.checkpoint.isdigit():
            assert r.checkpoint_text.startswith(f"{r.checkpoint}. ")
            assert r.consideration_text.startswith(r.consideration) if r.consideration else r.checkpoint == "1"
        assert r.viewpoint_text


@pytest.mark.parametrize("name", COMPLETE)
def test_results_follow_the_checker(reviews, name):
    sheet, report = reviews(name)
    status = {c.id: c.status for c in report.checkpoints}
    for r in sheet.rows:
        assert r.status == status[r.checkpoint]
        if r.status in RESULTS:
            assert r.result == RESULTS[r.status]
        else:
            assert r.result.startswith("要確認（") and r.result.endswith("）")


@pytest.mark.parametrize("name", COMPLETE)
def test_pages_point_at_where_the_draft_answers(reviews, name):
    from indexer.loaders import load_document

    sheet, report = reviews(name)
    pages = load_document(EXAMPLES / name).pages
    results = {c.id: c for c in report.checkpoints}
    rows = {r.checkpoint: r for r in sheet.rows}
    checked = 0
    for cid in ["28", "39", "41", "47", "62", "70", "72"]:
        row, res = rows[cid], results[cid]
        assert row.status == "ok" and row.pages, cid
        p = first_page(row.pages)
        assert p is not None and 1 <= p <= len(pages), (cid, row.pages)
        page = compact(pages[p - 1])
        labels = [compact(e.label) for e in res.evidence if e.page == p]
        assert labels, (cid, row.pages)
        # the page cited holds the label of a field that answers the checkpoint
        assert any(lab[:20] in page for lab in labels), (cid, p, labels)
        checked += 1
    assert checked == 7
    assert rows["V9"].pages is None or first_page(rows["V9"].pages)


@pytest.mark.parametrize("name", COMPLETE + ["sample_local_defects.docx"])
def test_findings_are_built_only_from_the_drafts_own_measures(reviews, name):
    sheet, _ = reviews(name)
    texts = draft_texts(name)
    f = templates()["finding"]
    closings = {f["measures_closing"], f["descriptive_closing"], f["measures_closing"][1:], f["descriptive_closing"][1:]}
    built = 0
    for r in sheet.rows:
        if not r.measures:
            continue
        for m in r.measures:
            assert len(m) >= 2
            assert any(compact(m) in t for t in texts), (r.checkpoint, m)
        if r.finding.startswith(r.topic + "について、「"):  # quoted answer (e.g. 重大事故: 発生なし)
            assert r.finding == f["quoted"].format(topic=r.topic, value=r.measures[0])
            continue
        # 所見 = topic + connector + (measure + glue)、… + closing: nothing else
        rest = r.finding[len(r.topic):]
        assert r.finding.startswith(r.topic) and r.topic
        assert rest.startswith(("として、", "について、")), r.finding
        rest = rest.split("、", 1)[1]
        for i, m in enumerate(r.measures):
            assert rest.startswith(m), (r.checkpoint, m, rest[:80])
            rest = rest[len(m):]
            rest = rest[_GLUE.match(rest).end():]
            if i < len(r.measures) - 1:
                assert rest.startswith("、"), (r.checkpoint, rest[:40])
                rest = rest[1:]
        assert rest in closings, (r.checkpoint, rest)
        # the topic is a fixed part: not taken from the draft
        built += 1
    assert built >= 40 if "complete" in name else built >= 10


def test_flagged_rows_ask_for_more_and_summary_lists_them(reviews):
    sheet, _ = reviews("sample_local_defects.docx")
    flagged = [r for r in sheet.rows if r.status in ("incomplete", "missing")]
    assert flagged
    for r in flagged:
        assert r.result.startswith("要確認") and not r.measures
        assert "必要がある" in r.finding
    assert any(flagged[0].checkpoint in c for c in sheet.general_comments)
    assert sheet.review_remarks and all(re.match(r"^\(\d\) ", x) for x in sheet.review_remarks)


def test_general_comments_and_remarks_come_last(reviews):
    sheet, _ = reviews("sample_complete.docx")
    assert sheet.general_comments and sheet.general_comments[0].startswith("(1) ")
    office = "個人住民税の賦課に関する事務"
    assert office in sheet.general_comments[0] and office in sheet.review_remarks[0]


def test_xlsx_writer(reviews, tmp_path):
    from openpyxl import load_workbook

    from bot.review_writers import write_review

    sheet, _ = reviews("sample_complete.docx")
    out = write_review(sheet, "xlsx", tmp_path / "r.xlsx")
    ws = load_workbook(out).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    headers = [i for i, row in enumerate(rows) if row[2] == "主な考慮事項(細目)"]
    assert len(headers) == 3  # one table per part
    assert rows[headers[0]][:7] == ["審査の観点 (指針第10-1(2))", "主な考慮事項", "主な考慮事項(細目)", "該当箇所", None,
                                    "審査結果", "所見"]
    findings = {row[6] for row in rows if row[6]}
    assert all(r.finding in findings for r in sheet.rows if r.finding)
    assert sum(1 for row in rows if row[5] in ("問題は認められない", "該当なし") or
               (row[5] or "").startswith("要確認")) == len(sheet.rows)
    cell = next(c for row in ws.iter_rows() for c in row if c.value == sheet.rows[20].finding)
    assert cell.alignment.wrap_text
    assert ws.column_dimensions["G"].width >= 60
    assert ws.cell(headers[0] + 1, 1).font.bold
    flat = [str(v) for row in rows for v in row if v]
    assert any(v.startswith("【総評】") for v in flat) and any("審査記載事項" in v for v in flat)


def test_docx_writer(reviews, tmp_path):
    from docx import Document

    from bot.review_writers import write_review

    sheet, _ = reviews("sample_complete.docx")
    doc = Document(str(write_review(sheet, "docx", tmp_path / "r.docx")))
    assert len(doc.tables) == 3
    assert sum(len(t.rows) - 1 for t in doc.tables) == len(sheet.rows)
    header = [c.text for c in doc.tables[0].rows[0].cells]
    assert header[0].startswith("審査の観点") and header[-1] == "所見" and "該当箇所" in header
    texts = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert all(r.finding in texts for r in sheet.rows if r.finding)
    body = "\n".join(p.text for p in doc.paragraphs)
    assert sheet.general_comments[0] in body and sheet.review_remarks[-1] in body


def test_md_writer(reviews):
    from bot.review_writers import render_md

    sheet, _ = reviews("sample_complete.docx")
    md = render_md(sheet)
    assert md.count("| 審査の観点 (指針第10-1(2)) | 主な考慮事項 | 主な考慮事項(細目) | 該当箇所 | 審査結果 | 所見 |") == 3
    table_rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(table_rows) == len(sheet.rows) + 3


def test_cli_review(engine, tmp_path, monkeypatch, capsys):
    from bot.settings import reset_settings

    monkeypatch.setenv("PIA_DATA_DIR", str(engine.settings.data_dir))
    monkeypatch.delenv("PIA_LLM", raising=False)
    reset_settings()
    try:
        out = tmp_path / "r.xlsx"
        assert main(["review", str(EXAMPLES / "sample_complete.docx"), "--format", "xlsx", "--output", str(out)]) == 0
        assert out.stat().st_size > 5000
        capsys.readouterr()
        assert main(["review", str(EXAMPLES / "sample_complete.pdf"), "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert len(doc["rows"]) == len(sheet_layout(engine.catalog)) and doc["document"]["format"] == "pdf"
        assert main(["review", str(tmp_path / "missing.docx"), "--format", "md"]) == 2
        assert main(["review", str(EXAMPLES / "sample_complete.docx"), "--format", "xlsx"]) == 2  # no --output
        empty = tmp_path / "empty.pdf"
        empty.write_bytes(b"")
        capsys.readouterr()
        assert main(["review", str(empty), "--format", "md"]) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    finally:
        reset_settings()


def test_llm_picks_measures_but_only_verbatim_ones(engine, reviews):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from bot.llm import ChatLLM
    from bot.review import draft_review_sheet

    _, report = reviews("sample_complete.docx")
    rows_needing = 200  # more than the rows that call the model
    # every call answers with one verbatim clause of 39's answer and one rewritten line that is not in the draft
    verbatim = "業務端末は資産管理ソフトで外部記憶媒体の接続を禁止している"
    reply = f"[1] {verbatim}\n[2] USBメモリは全面的に使用禁止とする"
    llm = ChatLLM(FakeListChatModel(responses=[reply] * rows_needing), "fake:list")
    sheet = draft_review_sheet(engine, EXAMPLES / "sample_complete.docx", llm=llm, report=report)
    row = next(r for r in sheet.rows if r.checkpoint == "39")
    assert row.measures == [verbatim]
    assert "全面的に使用禁止" not in row.finding and verbatim in row.finding
    assert sheet.llm == "fake:list"
    texts = draft_texts("sample_complete.docx")
    for r in sheet.rows:
        for m in r.measures:
            assert any(compact(m) in t for t in texts), (r.checkpoint, m)
    # a model that returns nothing usable leaves the extractive measures
    empty = ChatLLM(FakeListChatModel(responses=["（該当なし）"] * rows_needing), "fake:empty")
    plain = draft_review_sheet(engine, EXAMPLES / "sample_complete.docx", llm=empty, report=report)
    base = reviews("sample_complete.docx")[0]
    assert [r.finding for r in plain.rows] == [r.finding for r in base.rows] and plain.llm is None
