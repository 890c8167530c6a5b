"""Review rounds: `pia check NEW --since OLD` with OLD a previous draft or the xlsx report of the previous check, in
every format; the report's hidden round sheet (statuses and field hashes, no draft text); the 審査側コメント /
作成側の対応 columns carried forward for checkpoints still open; the round in the terminal, md, html and xlsx
reports."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FORMATS = ["docx", "pdf", "xlsx", "txt", "md"]
COMPLETE, DEFECTS = "sample_complete", "sample_local_defects"
FLAGS = ("incomplete", "missing")
# the comparisons are the same in every format: Word runs in the fast loop, the other formats with the slow tests
# (each format's reading is tested on its own in test_draft_reader.py and test_examples.py)
FORMAT_PARAMS = [f if f == "docx" else pytest.param(f, marks=pytest.mark.slow) for f in FORMATS]


@pytest.fixture(scope="module")
def flagged(check_engine):
    """The flagged ids of a sample, from a plain check (no round): what the comparisons must agree with."""
    cache: dict[str, list[str]] = {}

    def get(name: str) -> list[str]:
        if name not in cache:
            report = check_engine.check(EXAMPLES / name)
            cache[name] = [r.id for r in report.checkpoints if r.status in FLAGS]
        return cache[name]

    return get


def _changes(out: str) -> dict:
    d = json.loads(out)
    assert set(d["changes"]) == {"fixed", "new", "still"}
    return d["changes"]


@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
def test_since_a_draft_lists_fixed_and_new_exactly(check_cli, flagged, fmt):
    complete, defects = f"{COMPLETE}.{fmt}", f"{DEFECTS}.{fmt}"
    before, after = flagged(defects), flagged(complete)
    assert before and not after  # the samples: 19 planted flags, none in the complete draft
    rc, out, _ = check_cli(EXAMPLES / complete, "--since", EXAMPLES / defects, "--json")
    assert rc == 0
    ch = _changes(out)
    assert ch["fixed"] == [c for c in before if c not in after]
    assert ch["new"] == [] and ch["still"] == []
    rc, out, _ = check_cli(EXAMPLES / defects, "--since", EXAMPLES / complete, "--json")
    assert rc == 0
    ch = _changes(out)
    assert ch["new"] == before and ch["fixed"] == [] and ch["still"] == []


@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
def test_since_a_previous_xlsx_report(check_cli, flagged, tmp_path, fmt):
    complete, defects = f"{COMPLETE}.{fmt}", f"{DEFECTS}.{fmt}"
    old_report, complete_report = tmp_path / "defects.xlsx", tmp_path / "complete.xlsx"
    assert check_cli(EXAMPLES / defects, "--output", old_report)[0] == 0
    assert check_cli(EXAMPLES / complete, "--output", complete_report)[0] == 0
    rc, out, _ = check_cli(EXAMPLES / complete, "--since", old_report, "--json")
    assert rc == 0
    assert _changes(out) == {"fixed": flagged(defects), "new": [], "still": []}
    rc, out, _ = check_cli(EXAMPLES / defects, "--since", complete_report, "--json")
    assert rc == 0
    assert _changes(out) == {"fixed": [], "new": flagged(defects), "still": []}


def test_different_drafts_give_all_three_lists(check_cli, flagged):
    old, new = "sample_local_defects.docx", "sample_national_defects.docx"
    before, now = flagged(old), flagged(new)
    rc, out, _ = check_cli(EXAMPLES / new, "--since", EXAMPLES / old, "--json")
    assert rc == 0
    ch = _changes(out)
    assert ch["fixed"] == [c for c in before if c not in now]
    assert ch["new"] == [c for c in now if c not in before]
    assert ch["still"] == [c for c in now if c in before]
    assert ch["fixed"] and ch["new"] and ch["still"]


def test_without_since_there_is_no_changes_key(check_cli):
    rc, out, _ = check_cli(EXAMPLES / "sample_complete.md", "--json")
    assert rc == 0 and "changes" not in json.loads(out)


def test_the_round_in_every_report_format(check_cli, flagged, tmp_path):
    from bot.catalog import load_catalog
    from bot.reports import display_id

    old, new = EXAMPLES / "sample_local_defects.docx", EXAMPLES / "sample_national_defects.docx"
    rc, out, _ = check_cli(new, "--since", old, "--json")
    ch = _changes(out)
    line = f"前回から{len(ch['fixed'])}件解消・{len(ch['new'])}件新規・{len(ch['still'])}件未解消"
    # terminal
    rc, text, _ = check_cli(new, "--since", old)
    assert rc == 0 and f"前回との比較: {line}" in text
    cat = load_catalog()
    for key, label in (("fixed", "解消"), ("new", "新規"), ("still", "未解消")):
        listed = re.search(rf"^  {label}（\d+件）: (.*)$", text, re.M).group(1)
        assert listed == "、".join(f"{display_id(c)} {cat.title(c)}" for c in ch[key])
    for cid in ch["new"]:
        assert re.search(rf"^\[(要修正|記載なし)\]\[新規\] {re.escape(display_id(cid))} ", text, re.M), cid
    for cid in ch["still"]:
        assert re.search(rf"^\[(要修正|記載なし)\]\[未解消\] {re.escape(display_id(cid))} ", text, re.M), cid
    # markdown
    md = tmp_path / "r.md"
    assert check_cli(new, "--since", old, "--output", md)[0] == 0
    body = md.read_text(encoding="utf-8")
    assert "## 前回との比較" in body and f"**{line}**" in body
    table = body.split("## 細目・観点ごとの結果", 1)[1]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| (\d+|\(\d+\)) \| [^|]* \| [^|]* \| ([^|]*) \|", table,
                                                         re.M)}
    for key, label in (("fixed", "解消"), ("new", "新規"), ("still", "未解消")):
        assert [c for c, v in rows.items() if v.strip() == label] == [display_id(c) for c in ch[key]]
    # html
    html = tmp_path / "r.html"
    assert check_cli(new, "--since", old, "--output", html)[0] == 0
    page = html.read_text(encoding="utf-8")
    assert line in page
    for key in ("fixed", "new", "still"):
        m = re.search(rf'<li data-round="{key}" data-ids="([^"]*)">', page)
        assert m and m.group(1).split() == ch[key]
    # xlsx: the round column and the summary
    xlsx = tmp_path / "r.xlsx"
    assert check_cli(new, "--since", old, "--output", xlsx)[0] == 0
    wb = load_workbook(xlsx)
    ws = wb["細目別"]
    head = [c.value for c in ws[1]]
    assert head[:4] == ["細目", "項目", "状態", "前回から"]
    by_label: dict[str, list[str]] = {"解消": [], "新規": [], "未解消": []}
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[3]:
            by_label[row[3]].append(row[0])
    assert by_label == {"解消": [display_id(c) for c in ch["fixed"]], "新規": [display_id(c) for c in ch["new"]],
                        "未解消": [display_id(c) for c in ch["still"]]}
    summary = {r[0]: r[1] for r in wb["概要"].iter_rows(values_only=True) if r and r[0]}
    assert summary["前回との比較"] == line


def test_hidden_round_sheet_holds_statuses_and_hashes_but_no_draft_text(check_cli, check_engine, tmp_path):
    from bot.draft import read_draft

    draft = EXAMPLES / "sample_national_defects.docx"
    out = tmp_path / "r.xlsx"
    assert check_cli(draft, "--output", out)[0] == 0
    wb = load_workbook(out)
    ws = wb["pia_round"]
    assert ws.sheet_state == "hidden"
    cells = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    report = check_engine.check(draft)
    statuses = dict(row[:2] for row in ws.iter_rows(values_only=True) if row and row[0] in
                    {r.id for r in report.checkpoints})
    assert statuses == {r.id: r.status for r in report.checkpoints}
    _, fields = read_draft(draft)
    values = {f.value for f in fields if f.value and len(f.value) >= 6}
    assert len(values) > 100
    for cell in cells:
        for v in values:
            assert v not in cell, (cell[:40], v[:40])
    # nothing but the sheet's own words, checkpoint ids, statuses, form field ids, hex digests and the date
    allowed = re.compile(r"pia-check-round|salt|checked_at|format|checkpoint|status|field|hash|docx|\d+|V\d+"
                         r"|ok|incomplete|missing|not_applicable|review|[0-9a-f]{24,32}|[\dT:+-]{19,25}"
                         r"|[a-z0-9_-]+\|[0-9a-f]{12}(#\d+)?")
    for cell in cells:
        assert allowed.fullmatch(cell), cell
    hashes = [row[1] for row in ws.iter_rows(values_only=True) if row and row[0] and "|" in str(row[0])]
    assert len(hashes) == len(fields) and all(re.fullmatch(r"[0-9a-f]{24}", h) for h in hashes)
    # the draft loader never reads the hidden sheet: handing the report to pia check is refused as not a draft
    rc, _, err = check_cli(out)
    assert rc == 2 and len(err.strip().splitlines()) == 1


def test_comments_and_responses_carry_forward_for_checkpoints_still_open(check_cli, flagged, tmp_path):
    old, new = EXAMPLES / "sample_local_defects.docx", EXAMPLES / "sample_national_defects.docx"
    before, now = flagged(old.name), flagged(new.name)
    still = [c for c in now if c in before]
    fixed = [c for c in before if c not in now]
    assert still and fixed
    report = tmp_path / "round1.xlsx"
    assert check_cli(old, "--output", report)[0] == 0
    # the reviewer and the drafter fill in the two columns (Excel may reorder the rows with the filter: sort them)
    wb = load_workbook(report)
    ws = wb["細目別"]
    head = [c.value for c in ws[1]]
    rev, dra = head.index("審査側コメント"), head.index("作成側の対応")
    rows = list(ws.iter_rows(min_row=2))
    written = {}
    for row in rows:
        shown = row[0].value
        cid = f"V{shown[1:-1]}" if shown.startswith("(") else shown
        if cid in (still[0], fixed[0]):
            row[rev].value = f"審査側: {cid} の記載を具体的に"
            row[dra].value = f"作成側: {cid} は次回修正"
            written[cid] = (row[rev].value, row[dra].value)
    values = [[c.value for c in row] for row in rows]
    values.reverse()  # a user sorted the sheet
    for row, vals in zip(rows, values, strict=True):
        for c, v in zip(row, vals, strict=True):
            c.value = v
    wb.save(report)

    round2 = tmp_path / "round2.xlsx"
    rc, text, _ = check_cli(new, "--since", report, "--output", round2)
    assert rc == 0 and "引き継いで" in text
    ws2 = load_workbook(round2)["細目別"]
    head2 = [c.value for c in ws2[1]]
    got = {}
    for row in ws2.iter_rows(min_row=2, values_only=True):
        r, d = row[head2.index("審査側コメント")], row[head2.index("作成側の対応")]
        if r or d:
            shown = row[0]
            got[f"V{shown[1:-1]}" if shown.startswith("(") else shown] = (r, d)
    # carried for the checkpoint still open; the fixed one's notes are not (it is closed)
    assert got == {still[0]: written[still[0]]}


def test_unedited_still_open_checkpoints_are_marked(check_cli, tmp_path):
    """Field hashes tell an edited field from one left as it was: edit one flagged answer (still flagged)."""
    from docx import Document

    old = EXAMPLES / "sample_local_defects.docx"
    edited = tmp_path / "edited.docx"
    doc = Document(str(old))
    hits = [p for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs
            if p.text.strip() == "記載予定"]
    assert hits  # Ⅱ 3. ⑧情報の突合 (checkpoint 13)
    for p in hits:
        p.runs[0].text = "検討中"
        for r in p.runs[1:]:
            r.text = ""
    doc.save(str(edited))
    rc, text, _ = check_cli(edited, "--since", old)
    assert rc == 0
    line13 = next(ln for ln in text.splitlines() if re.match(r"^\[要修正\]\[未解消\] 13 ", ln))
    line12 = next(ln for ln in text.splitlines() if re.match(r"^\[要修正\]\[未解消\] 12 ", ln))
    assert "前回から記載の変更なし" not in line13 and "前回から記載の変更なし" in line12


def test_bad_old_and_bad_combinations_exit_2(check_cli, tmp_path):
    from openpyxl import Workbook

    new = EXAMPLES / "sample_complete.md"
    rc, _, err = check_cli(new, "--since", tmp_path / "nothing.docx")
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "見つかりません" in err
    other = tmp_path / "other.xlsx"
    wb = Workbook()
    wb.active.append(["集計表", 1])
    wb.save(other)
    rc, _, err = check_cli(new, "--since", other)
    assert rc == 2 and err.strip()
    broken = tmp_path / "broken.xlsx"
    assert check_cli(EXAMPLES / "sample_local_defects.md", "--output", broken)[0] == 0
    wb = load_workbook(broken)
    wb["pia_round"]["B2"].value = "not-hex"
    wb.save(broken)
    rc, _, err = check_cli(new, "--since", broken)
    assert rc == 2 and "記録シート" in err
    rc, _, err = check_cli(new, EXAMPLES / "sample_complete.txt", "--since", EXAMPLES / "sample_local_defects.md")
    assert rc == 2


def test_record_and_compare_unit():
    from bot.models import CheckReport, CheckResult, CheckSummary, DraftDocument, DraftField, PreviousRound
    from bot.round_record import record_of
    from bot.rounds import apply_round, changed_fields

    def report(statuses: dict[str, str], value: str) -> CheckReport:
        return CheckReport(document=DraftDocument(path="x.md", format="md"), summary=CheckSummary(),
                           checkpoints=[CheckResult(id=c, status=s) for c, s in statuses.items()],  # type: ignore[arg-type]
                           fields=[DraftField(path=["Ⅲ", "2.", "リスク1"], label="対象者以外の情報の入手を防止するため"
                                              "の措置の内容", value=value, field_id="iii_2_r1_measure")])

    old = record_of(report({"24": "incomplete", "25": "ok", "26": "missing", "V1": "ok"}, "検討中"))
    assert "検討中" not in old.model_dump_json()
    new = report({"24": "incomplete", "25": "missing", "26": "ok", "V1": "review"}, "検討中")
    ch = apply_round(new, PreviousRound(source="draft", record=old)).changes
    assert ch is not None and (ch.fixed, ch.new, ch.still) == (["26"], ["25"], ["24"])  # review is not a flag
    assert changed_fields(old, new) == 0
    edited = report({"24": "incomplete"}, "窓口で本人確認書類を確認する")
    assert changed_fields(old, edited) == 1
    # a new salt per record: the same text hashes differently in two records
    assert record_of(new).fields != record_of(new).fields


def test_original_files_are_untouched(check_cli, tmp_path):
    old = tmp_path / "old.docx"
    shutil.copy(EXAMPLES / "sample_local_defects.docx", old)
    before = old.read_bytes()
    assert check_cli(EXAMPLES / "sample_complete.docx", "--since", old, "--json")[0] == 0
    assert old.read_bytes() == before
