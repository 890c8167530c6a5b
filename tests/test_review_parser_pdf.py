"""Review sheets without tabs: the seed (and the synthetic city sheet) with every tab turned into a newline, and the
same sheets rendered into a real PDF (fpdf2, IPAex Gothic: a 7-column table with wrapped cells, the 所見 in the last
column, rows continued across page breaks under a repeated header, a footer "- n -") and read back with
bot.loaders.load_document (pypdfium2). Each is checked against the hand-made attribution tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _review_pdf_builder import FONT, render_review_pdf
from bot.errors import PiaError
from bot.evaluation.attribution import load_table, match_findings, sheet_path
from bot.loaders import load_document
from bot.models import Source
from bot.resources import knowledge_file
from indexer.review_lines import ReviewLayoutError
from indexer.review_parser import parse_review_sheet

TABLES = {
    "seed": knowledge_file("eval/seed_attribution.yaml"),
    "city": Path(__file__).parent / "data" / "review_city_juki_attribution.yaml",
}

pytestmark = pytest.mark.skipif(not FONT.exists(), reason="fonts-ipaexfont-gothic not installed (scripts/bootstrap.sh)")


def _rows(sheet):
    return {r.checkpoint: [r.result, r.pages, r.section] for r in sheet.rows}


def _exact(sheet, table) -> tuple[int, int, list]:
    pairs, extra = match_findings(sheet, table)
    exact = sum(1 for e, got in pairs if got is not None and set(got.checkpoints) == set(e.checkpoints))
    return exact, len(pairs), extra


@pytest.fixture(scope="module", params=sorted(TABLES))
def sheet_text(request):
    table = load_table(TABLES[request.param])
    return request.param, table, sheet_path(table).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_path(sheet_text, tmp_path_factory):
    name, _, text = sheet_text
    return render_review_pdf(text, tmp_path_factory.mktemp("pdf") / f"{name}.pdf")


def test_tabs_as_newlines_parse_like_the_tab_table(sheet_text):
    _name, table, text = sheet_text
    lines = text.replace("\t", "\n")
    assert "\t" not in lines
    tab, line = parse_review_sheet(text), parse_review_sheet(lines)
    # the same rows (id, result, pages, section, wording, group) and the same findings, text and printed row included
    assert [(r.checkpoint, r.result, r.pages, r.section, r.text, r.viewpoint, r.consideration) for r in line.rows] == [
        (r.checkpoint, r.result, r.pages, r.section, r.text, r.viewpoint, r.consideration) for r in tab.rows
    ]
    assert [(f.text, f.checkpoints, f.group, f.printed_on) for f in line.findings] == [
        (f.text, f.checkpoints, f.group, f.printed_on) for f in tab.findings
    ]
    assert _rows(line) == table.rows
    exact, total, extra = _exact(line, table)
    assert (exact, extra) == (total, [])
    assert line.meta.model_dump() == table.meta
    assert (len(line.general_comments), len(line.review_remarks)) == (table.general_comments, table.review_remarks)
    assert [c.id for c in line.new_checkpoints] == table.new_checkpoints


def test_real_pdf_rows_and_attribution(sheet_text, pdf_path):
    _name, table, _ = sheet_text
    doc = load_document(pdf_path)
    assert doc.format == "pdf" and len(doc.pages) >= 10
    assert "\t" not in doc.text and "- 3 -" in doc.text  # no cells, footers present
    sheet = parse_review_sheet(doc.text, Source(path=str(pdf_path), kind="review_sheet"))
    rows = _rows(sheet)
    numbered = sorted(int(r) for r in rows if r.isdigit())
    assert numbered[:74] == list(range(1, 75))
    assert rows == table.rows  # every row: result, pages and section
    exact, total, extra = _exact(sheet, table)
    assert exact / total >= 0.9, f"{exact}/{total}"
    assert exact == total and not extra  # measured: 40/40 (seed), 57/57 (city)
    assert sheet.meta.model_dump() == table.meta
    assert (len(sheet.general_comments), len(sheet.review_remarks)) == (table.general_comments, table.review_remarks)
    for item in sheet.general_comments + sheet.review_remarks:
        assert not item.rstrip().endswith("-")  # no page footer glued to an item
    for f in sheet.findings:
        assert f.text.endswith("。") and "審査の観点" not in f.text and "- " not in f.text


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory):
    table = load_table(TABLES["seed"])
    path = render_review_pdf(sheet_path(table).read_text(encoding="utf-8"),
                             tmp_path_factory.mktemp("seed") / "seed.pdf")
    return table, path


def test_seed_pdf_finding_moved_rows_and_continued_cells(seed_pdf):
    _, pdf_path = seed_pdf
    sheet = parse_review_sheet(load_document(pdf_path).text)
    f67 = next(f for f in sheet.findings if f.checkpoints == ["67"])
    assert f67.printed_on == "64"
    assert f67.text.startswith("特定個人情報が古い情報のまま保管され続けるリスク対策として、")
    # row 20 and row 46 are cut by a page break: their wording is whole again
    row = {r.checkpoint: r for r in sheet.rows}
    assert row["20"].text.endswith("具体的に記載しているか。")
    assert row["46"].text.endswith("妥当なものか。") and "記載された対策は" in row["46"].text
    assert row["V7"].text.endswith("責任を負うことができるか。")


def test_cut_cells_that_cannot_be_rejoined_are_an_error_not_wrong_rows():
    header = "\n".join(["審査の観点", "主な考慮事項", "主な考慮事項(細目)", "該当箇所", "審査結果", "所見"])
    # a checkpoint cell cut by a page break whose rest never comes: no row is guessed
    text = "\n".join([
        header,
        "⑧特定個人情報の保管・消去について、具体的に記載しているか。",
        "66. 死者の個人番号を保管している場合は保管方法を",
        "P.43 Ⅲ 7. リスク1: ⑩ 問題は認められない",
        "特定個人情報が古い情報のまま保管され続けるリスク対策として、都度更新することが具体的に記載されている。",
    ])
    with pytest.raises(ReviewLayoutError) as e:
        parse_review_sheet(text)
    assert isinstance(e.value, PiaError) and e.value.exit_code == 2 and "読み取れませんでした" in str(e.value)
    # a result left outside any row (cells out of order): an error too
    text = "\n".join([
        header,
        "⑧特定個人情報の保管・消去について、具体的に記載しているか。",
        "66. 死者の個人番号を保管している場合は保管方法を具体的に記載しているか。",
        "P.43 Ⅲ 7. リスク1: ⑩ 問題は認められない",
        "物理的対策として、施錠することが具体的に記載されている。",
        "問題は認められない",
    ])
    with pytest.raises(ReviewLayoutError):
        parse_review_sheet(text)


@pytest.mark.slow  # reads the PDF's tables twice (parse-review, then index); test_review_pdf_tables.py keeps a
# parse-review of a PDF in the fast loop
def test_cli_parse_review_and_index_read_the_pdf(seed_pdf, tmp_path, capsys, pia_env):
    table, pdf_path = seed_pdf
    from bot.cli import main

    assert main(["parse-review", str(pdf_path), "--json"]) == 0
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert data["meta"] == table.meta
    assert {r["checkpoint"]: [r["result"], r["pages"], r["section"]] for r in data["rows"]} == table.rows
    assert len(data["findings"]) == len(table.findings)
    f67 = next(f for f in data["findings"] if f["checkpoints"] == ["67"])
    assert f67["group"] == "⑧"

    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "review.pdf").write_bytes(pdf_path.read_bytes())
    pia_env(tmp_path / "data", "hash")
    assert main(["index", str(folder), "--json"]) == 0
    out, _ = capsys.readouterr()
    report = json.loads(out)
    doc = next(d for d in report["documents"] if d["path"].endswith("review.pdf"))
    assert doc["kind"] == "review_sheet" and doc["records"] > len(table.findings)


def _findings_after_their_group(text: str) -> str:
    """Tabs as newlines, with each group's 所見 cells moved after the group's last row (a merged 所見 cell that
    the PDF's text layer gives after the rows it spans)."""
    out: list[str] = []
    group: list[list[str]] = []
    pending: list[str] = []

    def flush():
        for cells in group:
            out.extend(cells[:6])
        out.extend(pending)
        group.clear()
        pending.clear()

    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) == 7 and "所見" not in cells[6]:
            if (cells[0].strip() or cells[1].strip()) and group:
                flush()
            group.append(cells)
            if cells[6].strip():
                pending.append(cells[6])
            continue
        flush()
        out.append(line.replace("\t", "\n"))
    flush()
    return "\n".join(out)


def test_findings_printed_after_the_rows_of_their_group(sheet_text):
    _, table, text = sheet_text
    moved = _findings_after_their_group(text)
    assert "\t" not in moved and moved != text.replace("\t", "\n")
    sheet = parse_review_sheet(moved)
    assert _rows(sheet) == table.rows
    exact, total, extra = _exact(sheet, table)
    assert (exact, extra) == (total, [])  # by content, not by the row they come after
