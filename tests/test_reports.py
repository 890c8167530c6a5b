"""Reports of a check: the exact --json shape, the terminal summary, Markdown, Excel (opened with openpyxl) and HTML
(rendered in real headless Chromium)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.checker import check_draft
from bot.reports import report_json, terminal_text, write_report

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def report(check_engine):
    return check_draft(check_engine, EXAMPLES / "sample_local_defects.docx")


@pytest.fixture(scope="module")
def flagged_ids(report):
    return [r.id for r in report.checkpoints if r.status in ("incomplete", "missing")]


def test_json_has_exactly_the_contract_shape(report):
    d = report_json(report)
    assert set(d) == {"document", "summary", "checkpoints", "fields", "degraded"}  # "changes" only with --since
    assert d["degraded"] == []
    assert set(d["document"]) == {"path", "title", "body", "pages", "format"}
    assert d["document"]["format"] == "docx" and d["document"]["body"] == "かもめ台市長"
    assert set(d["summary"]) == {"ok", "incomplete", "missing", "not_applicable", "review"}
    assert sum(d["summary"].values()) == len(d["checkpoints"]) == 86
    for c in d["checkpoints"]:
        assert set(c) - {"suggestion"} == {"id", "status", "section", "page", "reasons", "evidence", "precedents"}
        assert "suggestion" not in c or (c["status"] in ("incomplete", "missing") and c["suggestion"])
        assert isinstance(c["id"], str)
        assert c["status"] in ("ok", "incomplete", "missing", "not_applicable", "review")
        for r in c["reasons"]:
            assert set(r) == {"code", "message"}
            assert r["code"] in ("empty", "placeholder", "vague", "inconsistent", "missing_section", "risk_remaining",
                                 "rule")
        for e in c["evidence"]:
            assert set(e) == {"label", "text", "page"}
        for p in c["precedents"]:
            assert set(p) == {"text", "source", "checkpoints"}
            assert set(p["source"]) == {"title", "agency", "date", "path"}
    for f in d["fields"]:
        assert set(f) == {"path", "label", "value", "page"}
    flagged = [c for c in d["checkpoints"] if c["status"] in ("incomplete", "missing")]
    assert flagged and all(c["reasons"] for c in flagged)
    assert any(c["precedents"] for c in flagged)
    json.dumps(d, ensure_ascii=False)


def test_terminal_summary_is_readable_japanese(report, flagged_ids):
    text = terminal_text(report)
    s = report.summary
    assert f"問題なし {s.ok}" in text and f"要修正 {s.incomplete}" in text and f"記載なし {s.missing}" in text
    assert "指摘の多い箇所:" in text
    assert f"指摘（{len(flagged_ids)}件）" in text
    assert "[記載なし] 7 " in text  # 別添1 missing
    assert "過去の所見（出入国在留管理庁長官 2025-09-30、細目" in text
    assert "(7) 担当部署" in text  # viewpoints are shown as (n)


def test_markdown_report(report, tmp_path, flagged_ids):
    path = write_report(report, "md", tmp_path / "r.md")
    md = path.read_text(encoding="utf-8")
    assert md.startswith("# 全項目評価書 確認結果")
    assert len(re.findall(r"^### ", md, re.M)) == len(flagged_ids)
    table = md.split("## 細目・観点ごとの結果", 1)[1]
    rows = [ln for ln in table.splitlines() if re.match(r"^\| (\d+|\(\d+\)) \|", ln)]
    assert len(rows) == 86
    s = report.summary
    assert f"| {s.ok} | {s.review} | {s.incomplete} | {s.missing} | {s.not_applicable} |" in md


def test_excel_report(report, tmp_path):
    import openpyxl

    path = write_report(report, "xlsx", tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["概要", "細目別", "pia_round"]
    # the round's machine-readable sheet is hidden; the visible sheets are the report
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible", "visible", "hidden"]
    ws = wb["細目別"]
    assert ws.max_row == 87
    assert [c.value for c in ws[1]] == ["細目", "項目", "状態", "該当箇所", "ページ", "指摘の理由", "評価書の記載",
                                        "過去の所見", "出典", "審査側コメント", "作成側の対応"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:K87"
    assert ws.column_dimensions["F"].width >= 40 and ws.column_dimensions["A"].width <= 12
    by_id = {r.id: r for r in report.checkpoints}
    fills = {"問題なし": "E6F4EA", "要確認": "E3EEFB", "要修正": "FFF4D6", "記載なし": "FDE2E1", "該当なし": "EEF0F2"}
    for row in ws.iter_rows(min_row=2):
        cid = row[0].value
        cid = f"V{cid[1:-1]}" if cid.startswith("(") else cid
        result = by_id[cid]
        assert row[2].fill.fgColor.rgb.endswith(fills[row[2].value])
        assert row[3].value == result.section
        assert row[5].alignment.wrap_text
        if result.status in ("incomplete", "missing"):
            assert row[5].value and row[5].value.splitlines()[0] == result.reasons[0].message
        if result.precedents:
            assert row[8].value and "出入国在留管理庁長官" in row[8].value
    summary = wb["概要"]
    values = {r[0].value: r[1].value for r in summary.iter_rows() if r[0].value}
    assert values["要修正"] == report.summary.incomplete and values["記載なし"] == report.summary.missing
    assert values["評価実施機関"] == "かもめ台市長"


@pytest.mark.slow  # starts headless Chromium
def test_html_report_is_self_contained_and_renders_in_chromium(report, tmp_path, flagged_ids):
    path = write_report(report, "html", tmp_path / "r.html")
    html = path.read_text(encoding="utf-8")
    assert "<style>" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "<script" not in html
    assert Path(CHROMIUM).exists(), "chromium missing: apt-get install -y chromium (scripts/bootstrap.sh installs it)"
    profile = tmp_path / "profile"
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(re.findall(r'<tr class="result r-', dom)) == 86
    assert len(re.findall(r'<div class="flag (incomplete|missing)"', dom)) == len(flagged_ids)
    assert "要修正" in dom and "記載なし" in dom
    assert f"指摘（{len(flagged_ids)}件）" in dom
    assert re.search(r'data-status="missing">記載なし<b>\d+</b>', dom)


def test_every_report_shows_the_suggestion_of_a_vague_answer(report, tmp_path):
    """A flagged vague answer carries a 修正例 (the draft's words kept, the rubric's missing items as 【slots】), in
    --json, the terminal text and every file format."""
    import openpyxl

    with_suggestion = [r for r in report.checkpoints if r.suggestion]
    assert with_suggestion and all(r.status in ("incomplete", "missing") for r in with_suggestion)
    vague = next(r for r in with_suggestion if any(x.code == "vague" for x in r.reasons))
    assert vague.suggestion.startswith("修正例") and "【" in vague.suggestion
    d = {c["id"]: c for c in report_json(report)["checkpoints"]}
    assert d[vague.id]["suggestion"] == vague.suggestion
    assert vague.suggestion in terminal_text(report)
    md = write_report(report, "md", tmp_path / "s.md").read_text(encoding="utf-8")
    assert vague.suggestion.replace("\n", " ／ ") in md
    html = write_report(report, "html", tmp_path / "s.html").read_text(encoding="utf-8")
    assert '<div class="suggestion">' in html and "修正例" in html
    ws = openpyxl.load_workbook(write_report(report, "xlsx", tmp_path / "s.xlsx"))["細目別"]
    cells = [row[5].value or "" for row in ws.iter_rows(min_row=2)]
    assert any(vague.suggestion in c for c in cells)
