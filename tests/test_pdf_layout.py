"""Reading order of PDF pages stored out of order (a spreadsheet printed column by column), and pages stored in
reading order left exactly as they are (a word processor's table with centred labels and merged group cells)."""

from __future__ import annotations

from pathlib import Path

from bot.loaders import load_document
from bot.pdf_layout import Line, Rule, out_of_order, reading_order

EXTERNAL = Path(__file__).resolve().parent.parent / "examples" / "external"
PAGE = 600.0


def _line(text: str, left: float, top: float, width: float = 80.0) -> Line:
    return Line(text, left, top - 8, left + width, top)


# a table of three rows under borders at 500 / 460 / 420 / 380; labels at x=50, values at x=200
RULES = [Rule(y, 40, 560) for y in (500, 460, 420, 380)]
LABELS = [_line("①事務の名称", 50, 495), _line("②事務の内容", 50, 455), _line("③対象人数", 50, 415)]
VALUES = [
    [_line("給付金の支給事務", 200, 495)],
    [_line("申請を受け付けて", 200, 455), _line("審査し支給する。", 200, 446)],
    [_line("[ 30万人以上 ]", 200, 415)],
]


def test_a_page_drawn_column_by_column_is_read_row_by_row():
    stored = [*LABELS, *(ln for cell in VALUES for ln in cell)]  # every label first, then every value
    assert out_of_order(stored, PAGE, RULES)
    texts = [ln.text for ln in reading_order(stored, RULES)]
    assert texts == ["①事務の名称", "給付金の支給事務", "②事務の内容", "申請を受け付けて", "審査し支給する。",
                     "③対象人数", "[ 30万人以上 ]"]


def test_without_rules_a_jump_back_over_text_already_read_is_the_sign():
    labels = [_line(f"ラベル{i}", 50, 500 - 30 * i) for i in range(5)]
    values = [_line(f"値{i}", 200, 500 - 30 * i) for i in range(5)]
    assert out_of_order([*labels, *values], PAGE)
    assert [ln.text for ln in reading_order([*labels, *values])][:4] == ["ラベル0", "値0", "ラベル1", "値1"]
    interleaved = [ln for pair in zip(labels, values, strict=True) for ln in pair]
    assert not out_of_order(interleaved, PAGE)


def test_a_word_processor_table_with_centred_labels_stays_as_stored():
    # a merged group label centred over two rows, then each row's label (centred) and its value (from the top)
    stored = [_line("リスク1：目的外の入手", 50, 470),
              _line("対象者以外の措置", 140, 490), _line("窓口で住民票と照合する。", 300, 497),
              _line("受付簿に記録する。", 300, 488),
              _line("その他の措置", 140, 450), _line("郵送分は二人で確認する。", 300, 457)]
    rules = [Rule(y, 40, 560) for y in (500, 460)] + [Rule(420, 40, 560)]
    assert not out_of_order(stored, PAGE, rules)
    assert not out_of_order(stored, PAGE)


def test_a_cell_is_not_joined_to_the_cell_below_it_across_a_border():
    # two value cells touching each other; only the border between them says the lower one is row ②'s
    from bot.pdf_layout import _blocks

    upper, lower = _line("上のセル", 200, 468), _line("下のセル", 200, 459)
    assert len(_blocks([upper, lower], 8.0)) == 1
    assert len(_blocks([upper, lower], 8.0, RULES)) == 2
    order = [ln.text for ln in reading_order([*LABELS, upper, lower], RULES)]
    assert order[:4] == ["①事務の名称", "上のセル", "②事務の内容", "下のセル"]


def test_the_excel_print_of_a_held_out_draft_reads_label_then_value():
    # a LibreOffice print of an Excel workbook written by someone else: the stored text is every label, then every
    # value; read in rows, each label is followed by its own value
    pages = load_document(EXTERNAL / "draft_national_excel" / "national_defects.pdf").pages
    text = "\n".join(pages)
    lines = text.split("\n")
    i = lines.index("②事務の内容 ※")
    assert lines[i + 1].startswith("独立行政法人技能継承支援機構（以下「機構」という。）は")
    assert "個人のプライバシー等の権利利益の保護の宣言\n独立行政法人技能継承支援機構は、" in pages[0]


def test_pdfs_in_reading_order_are_read_as_stored():
    # the project's own renders and a word processor's PDF from other hands are untouched by the reordering
    from bot import loaders

    for path in [Path(__file__).resolve().parent.parent / "examples" / "sample_local_defects.pdf",
                 EXTERNAL / "draft_local_word" / "local_defects.pdf"]:
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(str(path))
        try:
            for i in range(len(document)):
                page = document[i]
                lines = loaders._pdf_boxes(page.get_textpage())
                assert not out_of_order(lines, page.get_height(), loaders._pdf_rules(page)), (path.name, i + 1)
        finally:
            document.close()


def test_a_cells_lines_are_read_top_down_whatever_their_indent():
    # the first line of a value cell indented further than the paragraph under it (「【事務の流れ】」 then 「① …」)
    label = _line("Ⅰ-（別添1） 事務の内容", 40, 741)
    first = _line("【事務の流れ】（◆＝特定個人情報の流れ）", 257, 741)
    second = _line("① 給与支払者 → 税務システム", 206, 734)
    third = _line("② 税務署 → 税務システム", 206, 727)
    rules = [Rule(742.5, 30, 560), Rule(700, 30, 560)]
    order = [ln.text for ln in reading_order([label, second, third, first], rules)]
    assert order == [label.text, first.text, second.text, third.text]
