"""A review sheet PDF written by a word processor (LibreOffice, from a Word table): its cells interleave in the plain
text, so the parser reads the ruled tables' cells instead (indexer/pdf_tables.py) and must get the same sheet as
from the tab-separated seed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.cli import main
from bot.loaders import load_document
from bot.resources import bundled_sources
from indexer.pdf_tables import pdf_table_text, review_sheet_text
from indexer.review_parser import parse_review_sheet

PDF = Path(__file__).parent / "data" / "review_seed_libreoffice.pdf"
SEED = next(p for p in bundled_sources() if "review" in p.name).read_text(encoding="utf-8")


def _rows(sheet):
    return {r.checkpoint: (r.result, r.pages, r.section) for r in sheet.rows}


def _findings(sheet):
    return sorted((tuple(f.checkpoints), re.sub(r"\s", "", f.text)) for f in sheet.findings)


def test_table_cells_give_the_same_sheet_as_the_tab_separated_seed():
    expected = parse_review_sheet(SEED)
    sheet = parse_review_sheet(pdf_table_text(PDF))
    assert _rows(sheet) == _rows(expected)
    assert _findings(sheet) == _findings(expected)
    assert sheet.meta == expected.meta
    assert len(sheet.general_comments) == 3 and len(sheet.review_remarks) == 5


def test_the_table_text_is_chosen_over_the_interleaved_plain_text():
    plain = load_document(PDF).text
    assert review_sheet_text(PDF, plain) != plain


def test_parse_review_cli_reads_the_pdf(capsys):
    assert main(["parse-review", str(PDF), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len([r for r in out["rows"] if not r["checkpoint"].startswith("V")]) == 74
    assert len(out["findings"]) == 40
    assert out["meta"]["agency"] == "出入国在留管理庁長官"
