"""`pia review`: the secretariat's output for the sample drafts (examples/), by body type: the pre-filled review sheet
(審査書) in the seed's table layout for a national body's draft, a 第三者点検 checklist for a local government's."""

from __future__ import annotations

import json
import re

import pytest

from bot.cli import main
from bot.review import sheet_layout, templates
from bot.text import compact
from seed_util import ROOT

EXAMPLES = ROOT / "examples"
COMPLETE = ["sample_complete.docx", "sample_complete.pdf", "sample_complete.xlsx"]
NATIONAL = "sample_national_defects.docx"  # a national body's draft (生活再建給付庁長官) with planted defects
LOCAL = "sample_local_defects.docx"  # a city's draft (かもめ台市長) with planted defects
_INTERNAL_ID = re.compile(r"(?<![A-Za-z])V\d{1,2}(?!\d)")
RESULTS = {"ok": "問題は認められない", "not_applicable": "該当なし"}
# a polite ending turned plain (`行い|ます` -> `行う` + `こと`) or `こと` after a plain predicate
_GLUE = re.compile(r"^(?:[\u4e00-\u9fff]?[\u3040-\u309f]{0,3})?こと|^")


@pytest.fixture(scope="module")
def engine(seed_engine):
    """The session's engine over the bundled knowledge indexed with the default embedder (tests/conftest.py): these
    tests only review and check drafts with it, and `pia review` reads its data dir."""
    return seed_engine


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
    from bot.loaders import load_document

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
    from bot.loaders import load_document

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


@pytest.mark.parametrize("name", [*COMPLETE, "sample_local_defects.docx"])
def test_findings_are_built_only_from_the_drafts_own_measures(reviews, name):
    sheet, _ = reviews(name)
    texts = draft_texts(name)
    f = templates()["finding"]
    closings = {f["measures_closing"], f["descriptive_closing"],
                f["measures_closing"][1:], f["descriptive_closing"][1:]}
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
    from bot.review import prose_ref

    for name in (LOCAL, NATIONAL):
        sheet, _ = reviews(name)
        flagged = [r for r in sheet.rows if r.status in ("incomplete", "missing")]
        assert flagged
        for r in flagged:
            assert r.result.startswith("要確認") and not r.measures
            assert "必要がある" in r.finding
        # the summary names the flagged rows the way prose does (審査の観点(7) 担当部署 / 細目12 使用目的)
        assert any(prose_ref(flagged[0].checkpoint) in c for c in sheet.general_comments)


def test_the_body_type_decides_the_output(reviews):
    assert reviews(NATIONAL)[0].kind == "review_sheet"
    for name in (LOCAL, *COMPLETE):  # both are cities' drafts
        sheet, _ = reviews(name)
        assert sheet.kind == "third_party_checklist", name
        assert sheet.review_remarks == []


def test_national_sheet_has_no_internal_ids_and_no_clean_conclusion_while_flags_remain(reviews):
    sheet, report = reviews(NATIONAL)
    assert sheet.kind == "review_sheet"
    assert report.summary.incomplete + report.summary.missing > 0
    prose = [*sheet.general_comments, *sheet.review_remarks]
    prose += [x for r in sheet.rows for x in (r.result, r.finding)]
    for text in prose:
        assert not _INTERNAL_ID.search(text), text
    conclusion = "\n".join([*sheet.general_comments, *sheet.review_remarks])
    assert "特段の問題は認められない" not in conclusion
    flagged = [r for r in sheet.rows if r.status in ("incomplete", "missing")]
    # the viewpoints among the flags are named as the sheet names them: 審査の観点(1) しきい値判断
    viewpoints = [r for r in flagged if r.checkpoint.startswith("V")]
    assert viewpoints
    vp = viewpoints[0]
    assert f"審査の観点({vp.checkpoint[1:]}) " in sheet.general_comments[0]
    assert sheet.review_remarks and all(re.match(r"^\(\d\) ", x) for x in sheet.review_remarks)
    assert "記載が十分でない" in sheet.review_remarks[0]


def test_clean_conclusion_only_when_nothing_is_flagged_or_left_to_confirm():
    from bot.models import ReviewDraftRow
    from bot.review import general_comments

    def rows(statuses):
        return [ReviewDraftRow(part="p", checkpoint=cid, consideration=cons, status=st)
                for cid, cons, st in statuses]

    clean = rows([("V1", None, "ok"), ("2", "①", "ok"), ("24", "③", "ok"), ("31", "③", "not_applicable")])
    out = general_comments(clean, "給付の事務")
    assert len(out) == 2 and all("特段の問題は認められない" in c for c in out)
    flagged = rows([("V1", None, "ok"), ("2", "①", "ok"), ("24", "③", "incomplete")])
    out = general_comments(flagged, "給付の事務")
    assert not any("特段の問題は認められない" in c for c in out)
    assert any("細目24 " in c and "修正する必要がある" in c for c in out)
    review = rows([("V3", None, "review"), ("2", "①", "ok"), ("24", "③", "ok")])
    out = general_comments(review, "給付の事務")
    assert not any("特段の問題は認められない" in c for c in out)
    assert any("審査の観点(3) " in c and "確認する必要がある" in c for c in out)


def test_findings_summarise_instead_of_copying_sentences(reviews):
    """所見 name the draft's measures condensed to what they name: no long draft sentence is copied whole."""
    from bot.measures import split_clauses

    for name in (COMPLETE[0], NATIONAL):
        sheet, report = reviews(name)
        long_sentences = {c for f in report.fields for c in split_clauses(f.value or "") if len(c) > 80}
        assert long_sentences
        for r in sheet.rows:
            for m in r.measures:
                assert m not in long_sentences, (r.checkpoint, m)
        sized = [len(m) for r in sheet.rows for m in r.measures]
        assert sized and sum(1 for n in sized if n <= 60) / len(sized) >= 0.9


def test_summaries_name_the_work(reviews):
    sheet, _ = reviews(NATIONAL)
    assert sheet.general_comments and sheet.general_comments[0].startswith("(1) ")
    # the flagged rows are named, then those left to confirm ((3) non-public parts is always one)
    assert any("記載が十分でないため" in c for c in sheet.general_comments)
    local, _ = reviews(COMPLETE[0])
    assert local.general_comments[0].startswith("個人住民税の賦課に関する事務の評価書の")
    assert "要修正・記載なしが0件" in local.general_comments[0]


def test_xlsx_writer(reviews, tmp_path):
    from openpyxl import load_workbook

    from bot.review_writers import write_review

    sheet, _ = reviews(NATIONAL)
    out = write_review(sheet, "xlsx", tmp_path / "r.xlsx")
    ws = load_workbook(out).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    headers = [i for i, row in enumerate(rows) if row[2] == "主な考慮事項(細目)"]
    assert len(headers) == 3  # one table per part
    assert rows[headers[0]][:7] == ["審査の観点 (指針第10-1(2))", "主な考慮事項", "主な考慮事項(細目)", "該当箇所",
                                    None, "審査結果", "所見"]
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

    sheet, _ = reviews(NATIONAL)
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

    sheet, _ = reviews(NATIONAL)
    md = render_md(sheet)
    assert md.count("| 審査の観点 (指針第10-1(2)) | 主な考慮事項 | 主な考慮事項(細目) | 該当箇所 | 審査結果"
                    " | 所見 |") == 3
    table_rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(table_rows) == len(sheet.rows) + 3
    assert "審査記載事項" in md


CHECKLIST_HEADERS = ["細目・観点", "点検項目", "評価書の該当箇所", "評価書の記載", "状態", "所見（案）", "確認すること",
                     "点検者のコメント"]


def _check_checklist_rows(sheet, table: list[list[str]]) -> None:
    """Each row: the checkpoint, the draft's place and statement, the status, what to confirm, an empty inspector's
    column; the rows in the sheet's order."""
    from bot.reports import display_id, status_label

    assert [r[0] for r in table] == [display_id(r.checkpoint) for r in sheet.rows]
    for r, cells in zip(sheet.rows, table, strict=True):
        assert cells[1] == (r.checkpoint_text or r.viewpoint_text)
        assert cells[4] == status_label(r.status)
        assert cells[6] and cells[6] == r.confirm
        assert not cells[7]  # the inspector writes here
        if r.pages:
            assert r.pages in cells[2]
    answered = [(r, c) for r, c in zip(sheet.rows, table, strict=True) if r.status == "ok" and r.statement]
    assert len(answered) >= 10
    flagged = [(r, c) for r, c in zip(sheet.rows, table, strict=True) if r.status in ("incomplete", "missing")]
    assert flagged
    for r, c in flagged:  # what to confirm for a flag: that the reason the checker gave has been dealt with
        reason = r.result.removeprefix("要確認（").removesuffix("）")
        assert reason and reason in c[6], (c[6], reason)


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "md"])
def test_local_draft_gets_a_third_party_checklist_without_review_remarks(reviews, tmp_path, fmt):
    from bot.review_writers import write_review

    sheet, _ = reviews(LOCAL)
    assert sheet.kind == "third_party_checklist" and not sheet.review_remarks
    out = write_review(sheet, fmt, tmp_path / f"c.{fmt}")
    if fmt == "xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(out).active
        rows = [[("" if v is None else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]
        head = next(i for i, r in enumerate(rows) if r[:8] == CHECKLIST_HEADERS)
        table = [r[:8] for r in rows[head + 1:]]
        flat = "\n".join(v for row in rows for v in row)
    elif fmt == "docx":
        from docx import Document

        doc = Document(str(out))
        assert len(doc.tables) == 1
        cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
        assert cells[0] == CHECKLIST_HEADERS
        table = cells[1:]
        flat = "\n".join([p.text for p in doc.paragraphs] + [c for row in cells for c in row])
    else:
        md = out.read_text(encoding="utf-8")
        lines = md.splitlines()
        head = lines.index("| " + " | ".join(CHECKLIST_HEADERS) + " |")
        table = [[c.strip().replace("<br>", "\n") for c in ln.strip("|").split(" | ")]
                 for ln in lines[head + 2:] if ln.startswith("| ")]
        table = [[c.strip() for c in row] for row in table]
        flat = md
    assert "審査記載事項" not in flat and "第三者点検" in flat
    if fmt != "md":  # markdown cells carry <br> and escaped pipes; the order and the empty column are what count
        _check_checklist_rows(sheet, table)
    else:
        from bot.reports import status_label

        assert len(table) == len(sheet.rows)
        assert all(row[-1] == "" for row in table)
        assert [row[4] for row in table] == [status_label(r.status) for r in sheet.rows]
    # the rows of the sheet (the aggregate viewpoints (8), (10), (11) share the rows of their checkpoints)
    flags = sum(1 for r in sheet.rows if r.status in ("incomplete", "missing"))
    assert f"要修正・記載なしが{flags}件" in flat


def test_cli_review(engine, tmp_path, monkeypatch, capsys):
    from bot.settings import reset_settings

    monkeypatch.setenv("PIA_DATA_DIR", str(engine.settings.data_dir))
    monkeypatch.delenv("PIA_LLM", raising=False)
    reset_settings()
    try:
        out = tmp_path / "r.xlsx"
        assert main(["review", str(EXAMPLES / NATIONAL), "--format", "xlsx", "--output", str(out), "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"kind": "review_sheet", "output": str(out)}
        assert out.stat().st_size > 5000
        local = tmp_path / "c.docx"
        assert main(["review", str(EXAMPLES / "sample_local_defects.pdf"), "--format", "docx", "--output", str(local),
                     "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"kind": "third_party_checklist", "output": str(local)}
        assert main(["review", str(EXAMPLES / "sample_complete.pdf"), "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"kind": "third_party_checklist", "output": None}
        assert main(["review", str(EXAMPLES / "sample_complete.md")]) == 0
        assert "第三者点検" in capsys.readouterr().out
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


def test_findings_list_the_draft_clauses_that_name_the_rubric_items():
    """pia review: the 所見 of a checkpoint lists the draft's own clauses that name its rubric's items."""
    from bot.review import rubric_measures
    from bot.rubrics import coverage, rubric_for

    answer = ("委託先は作業終了時にデータ消去ソフトで上書き消去する。\n"
              "消去後、委託先から消去証明書を提出させる。\n"
              "受託者の作業場所は庁舎内に限る。\n"
              "市民課の係長が証明書を確認する。")
    measures = rubric_measures("45", answer, 4)
    # the clause naming no item (作業場所) is left out
    assert measures == ["委託先は作業終了時にデータ消去ソフトで上書き消去する",
                        "消去後、委託先から消去証明書を提出させる", "市民課の係長が証明書を確認する"]
    rubric = rubric_for("45")
    assert rubric is not None
    assert all(coverage(rubric, m).count >= 1 for m in measures)
    assert rubric_measures("45", "", 4) == [] and rubric_measures("999", answer, 4) == []
