"""Guideline documents read by their structure (indexer/guideline_parser.py), from text, Word and PDF, indexed and
cited by their place. The documents are guideline-shaped texts written for these tests (tests/data/guideline/),
not the real guideline."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.models import GuidelineDocument
from index_util import make_settings
from indexer.classify import detect_kind
from indexer.guideline_parser import document_type, parse_guideline

DATA = Path(__file__).parent / "data" / "guideline"
FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
SHISHIN = "特定個人情報保護評価指針（試験用）"
YORYO = "特定個人情報保護評価書（全項目評価書）記載要領（試験用）"
QA = "特定個人情報保護評価に関するQ&A（試験用）"


def _read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _by_place(doc: GuidelineDocument) -> dict:
    return {c.place: c for c in doc.chunks}


def test_documents_are_recognised_as_guidelines():
    for name in ("shishin_test.txt", "kisaiyoryo_test.txt", "qa_test.txt"):
        assert detect_kind(_read(name)) == "guideline", name
    assert (document_type(SHISHIN), document_type(YORYO), document_type(QA)) == ("指針", "記載要領", "Q&A")


def test_guideline_is_read_by_its_numbered_structure():
    doc = parse_guideline(_read("shishin_test.txt"), SHISHIN)
    places = _by_place(doc)
    for place in ("指針 第2 1", "指針 第2 2 (1)", "指針 第3 2 (2)", "指針 第4 1 (1)", "指針 第4 1 (2) ①",
                  "指針 第4 1 (2) ②", "指針 第4 2", "指針 第5"):
        assert place in places, (place, list(places))
    assert "30日以上" in places["指針 第4 1 (1)"].text
    # the headings above a chunk travel with it
    assert places["指針 第4 1 (2) ②"].headings == ["第4 国民・住民等からの意見の聴取", "1 期間", "(2) 短縮する場合",
                                                 "② 書く場所"]
    # a numbered sentence is text, not a heading: 「1,000人未満」 stays inside its section
    assert "1,000人未満" in places["指針 第2 2 (1)"].text


def test_chunks_link_to_form_items_and_checkpoints():
    places = _by_place(parse_guideline(_read("shishin_test.txt"), SHISHIN))
    consultation = places["指針 第4 1 (1)"]  # no form item named: linked by the words of the procedure rule
    assert "V5" in consultation.checkpoints and any(x.startswith("Ⅵ 2.") for x in consultation.form_items)
    where = places["指針 第4 1 (2) ②"]  # names Ⅵ 2. ③
    assert "Ⅵ 2. ③期間を短縮する特段の理由" in where.form_items
    assert "Ⅵ 3. 第三者点検" in places["指針 第5"].form_items
    assert "V1" in places["指針 第2 1"].checkpoints


def test_filling_instructions_go_form_item_by_form_item():
    places = _by_place(parse_guideline(_read("kisaiyoryo_test.txt"), YORYO))
    other = places["記載要領 Ⅲ 4. その他のリスク"]
    assert other.form_items[0] == "Ⅲ 4. その他のリスク" and "48" in other.checkpoints
    assert "特になし" in other.text
    assert "記載要領 Ⅱ 3. ⑦使用の主体" in places
    assert "64" in places[next(p for p in places if p.startswith("記載要領 Ⅲ 7. リスク1 ⑨"))].checkpoints


def test_questions_and_answers_go_question_by_question():
    places = _by_place(parse_guideline(_read("qa_test.txt"), QA))
    assert {"Q&A 問1", "Q&A 問2-1"} <= set(places)
    assert "別添3" in places["Q&A 問1"].text and "Ⅵ (別添3) 変更箇所" in places["Q&A 問1"].form_items


def _docx(text: str, path: Path) -> Path:
    from docx import Document

    d = Document()
    for line in text.splitlines():
        d.add_paragraph(line)
    d.save(str(path))
    return path


def _pdf(text: str, path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("ipaexg", fname=str(FONT))
    pdf.set_font("ipaexg", size=10)
    pdf.add_page()
    for line in text.splitlines():
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.mark.skipif(not FONT.is_file(), reason="the Japanese font of the PDF fixtures (fonts-ipaexfont-gothic)")
@pytest.mark.parametrize("make", [_docx, _pdf], ids=["docx", "pdf"])
def test_word_and_pdf_give_the_same_places(tmp_path, make):
    from bot.loaders import load_document

    text = _read("shishin_test.txt")
    path = make(text, tmp_path / ("shishin." + ("docx" if make is _docx else "pdf")))
    loaded = load_document(path).text
    assert detect_kind(loaded) == "guideline"
    got = _by_place(parse_guideline(loaded, SHISHIN))
    want = _by_place(parse_guideline(text, SHISHIN))
    assert set(want) <= set(got), sorted(set(want) - set(got))
    assert "30日以上" in got["指針 第4 1 (1)"].text


@pytest.fixture(scope="module")
def guideline_engine(tmp_path_factory, use_embedder):
    from bot.engine import Engine
    from bot.store import open_store
    from indexer.pipeline import index_paths

    settings = make_settings(tmp_path_factory.mktemp("guideline-index"))
    report = index_paths(open_store(settings), [DATA], progress=None)
    assert {d.kind for d in report.documents if "guideline" in d.path} == {"guideline"}
    return Engine(settings)


def test_indexed_chunks_carry_their_place_and_links(guideline_engine):
    hits = guideline_engine.search("意見を求める期間", kind="guideline", k=5)
    top = hits[0]
    assert top.source.place and top.source.place.startswith("指針 第4")
    assert "V5" in top.checkpoints and top.form_items


def test_answers_cite_the_place(guideline_engine):
    a = guideline_engine.ask("パブコメの期間は何日以上？")
    cited = [c for c in a.citations if c.kind == "guideline" and c.source.path and "guideline" in c.source.path]
    assert cited, [c.source for c in a.citations]
    assert cited[0].source.place is not None and cited[0].source.place.startswith("指針 第4")
    assert f"（{cited[0].source.place}）" in a.answer
    b = guideline_engine.ask("Ⅲ 4. その他のリスクには何を書く？")
    places = [c.source.place for c in b.citations if c.kind == "guideline" and c.source.place]
    assert "記載要領 Ⅲ 4. その他のリスク" in places, places
