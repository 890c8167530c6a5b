"""bot.loaders: every format read back with pages and tables in reading order; every bad input refused
with an InputFileError whose Japanese message says what happened and what to do."""

from __future__ import annotations

import importlib.util
import io
from datetime import date
from pathlib import Path

import pytest

from bot.errors import InputFileError, PiaError
from bot.loaders import load_document

BAD_DIR = Path(__file__).parent / "data" / "bad"
FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")


def _font() -> str:
    if not FONT.exists():
        pytest.fail(f"IPAex Gothic font missing at {FONT}: run `apt-get install -y fonts-ipaexfont-gothic` (.ci does)")
    return str(FONT)


def _refused(path: Path, *words: str, **kw) -> str:
    with pytest.raises(InputFileError) as info:
        load_document(path, **kw)
    err = info.value
    assert isinstance(err, PiaError) and err.exit_code == 2
    msg = str(err)
    assert "\n" not in msg and "Traceback" not in msg, msg
    assert path.name in msg, msg
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"
    # says what to do
    assert any(k in msg for k in ("してください", "指定してください")), msg
    return msg


# --------------------------------------------------------------------------- DOCX


def _docx_with_everything(path: Path) -> Path:
    import docx
    from docx.oxml import OxmlElement

    d = docx.Document()
    d.add_heading("特定個人情報保護評価書（全項目評価書）", level=1)
    d.add_paragraph("Ⅰ 基本情報")
    t = d.add_table(rows=4, cols=2)
    head = t.cell(0, 0).merge(t.cell(0, 1))  # horizontal merge: one gridSpan cell
    head.text = "1. 特定個人情報ファイルを取り扱う事務"
    t.cell(1, 0).text = "①事務の名称"
    t.cell(1, 1).text = "児童手当の支給に関する事務"
    label = t.cell(2, 0).merge(t.cell(3, 0))  # vertical merge: label printed once
    label.text = "②事務の内容"
    t.cell(2, 1).text = "認定請求の受付"
    t.cell(2, 1).add_paragraph("（二段落目）審査と決定")
    t.cell(3, 1).text = "現況の確認"
    d.add_paragraph("表の後の段落")
    d.add_page_break()
    d.add_paragraph("Ⅱ 特定個人情報ファイルの概要")
    outer = d.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "③対象人数"
    inner_cell = outer.cell(0, 1)
    inner_cell.text = "[ 10万人以上30万人未満 ]"
    inner = inner_cell.add_table(rows=2, cols=1)
    inner.cell(0, 0).text = "<選択肢> 1) 1,000人未満"
    inner.cell(1, 0).text = "2) 1,000人以上1万人未満"
    # Word's own marker of where it broke the page last time, right after a hard break: counts once.
    d.add_page_break()
    p = d.add_paragraph()
    r = p.add_run()
    r._r.append(OxmlElement("w:lastRenderedPageBreak"))
    p.add_run("Ⅲ リスク対策")
    # a table row that Word moved to the next page as a whole
    t2 = d.add_table(rows=2, cols=2)
    t2.cell(0, 0).text = "リスク1"
    t2.cell(0, 1).text = "措置A"
    first = t2.cell(1, 0).paragraphs[0]
    run = first.add_run()
    run._r.append(OxmlElement("w:lastRenderedPageBreak"))
    first.add_run("リスク2")
    t2.cell(1, 1).text = "措置B"
    d.add_paragraph("最後の段落")
    d.save(path)
    return path


def test_docx_pages_and_tables_in_reading_order(tmp_path):
    doc = load_document(_docx_with_everything(tmp_path / "draft.docx"))
    assert doc.format == "docx"
    assert len(doc.pages) == 4, doc.pages
    p1 = doc.pages[0].split("\n")
    lines = [line for line in p1 if line.strip()]
    assert lines == [
        "特定個人情報保護評価書（全項目評価書）",
        "Ⅰ 基本情報",
        "1. 特定個人情報ファイルを取り扱う事務",  # merged across two columns: once
        "①事務の名称\t児童手当の支給に関する事務",
        "②事務の内容\t認定請求の受付 （二段落目）審査と決定",  # cell paragraphs on one line
        "現況の確認",  # vertical-merge continuation cell not repeated
        "表の後の段落",
    ]
    assert doc.pages[1].strip().split("\n") == [
        "Ⅱ 特定個人情報ファイルの概要",
        "③対象人数\t[ 10万人以上30万人未満 ] <選択肢> 1) 1,000人未満 2) 1,000人以上1万人未満",  # nested table flattened
    ]
    assert [x for x in doc.pages[2].split("\n") if x] == ["Ⅲ リスク対策", "リスク1\t措置A"]
    assert [x for x in doc.pages[3].split("\n") if x] == ["リスク2\t措置B", "最後の段落"]


def test_docx_without_breaks_is_one_page(tmp_path):
    import docx

    d = docx.Document()
    for i in range(30):
        d.add_paragraph(f"段落{i}")
    d.save(tmp_path / "a.docx")
    doc = load_document(tmp_path / "a.docx")
    assert len(doc.pages) == 1
    assert doc.pages[0].split("\n")[29] == "段落29"


# --------------------------------------------------------------------------- XLSX


def test_xlsx_one_page_per_visible_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表紙"
    ws["A1"] = "評価書番号"
    ws["B1"] = 12
    ws["A3"] = "公表日"
    ws["B3"] = date(2025, 4, 1)
    ws2 = wb.create_sheet("Ⅲ")
    ws2.merge_cells("A1:C1")
    ws2["A1"] = "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策"
    ws2["A2"] = "リスク1"
    ws2["C2"] = "措置の内容\n二行目"
    ws2["B3"] = 1.5
    hidden = wb.create_sheet("選択肢リスト")
    hidden["A1"] = "特に力を入れている"
    hidden.sheet_state = "hidden"
    path = tmp_path / "draft.xlsx"
    wb.save(path)
    doc = load_document(path)
    assert doc.format == "xlsx"
    assert doc.pages == [
        "評価書番号\t12\n公表日\t2025-04-01",
        "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策\nリスク1\t措置の内容 二行目\n1.5",
    ]


# --------------------------------------------------------------------------- PDF


def _japanese_pdf(path: Path, pages: int) -> Path:
    from fpdf import FPDF

    class Draft(FPDF):
        def footer(self):
            self.set_y(-15)
            self.cell(0, 8, f"- {self.page_no()} -", align="C")

    pdf = Draft(format="A4")
    pdf.add_font("ipaexg", fname=_font())
    pdf.set_font("ipaexg", size=10.5)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(0, 8, f"Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策（{n}頁目）",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, "個人番号の真正性確認の措置の内容：住民基本台帳ネットワークシステムに照会し確認する。" * 3)
    pdf.output(str(path))
    return path


def test_pdf_pages_numbered(tmp_path):
    doc = load_document(_japanese_pdf(tmp_path / "draft.pdf", 3))
    assert doc.format == "pdf"
    assert len(doc.pages) == 3
    for n, text in enumerate(doc.pages, start=1):
        assert f"（{n}頁目）" in text
        assert f"- {n} -" in text
        assert "個人番号の真正性確認の措置の内容" in text


def test_pdf_encrypted_with_owner_password_only_is_read():
    doc = load_document(BAD_DIR / "ok_owner_only_encrypted.pdf")
    assert doc.pages[0].startswith("Assessment draft, protected copy")


# --------------------------------------------------------------------------- text, markdown, HTML


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "euc_jp", "utf-16"])
def test_txt_encodings(tmp_path, encoding):
    roman = "Ⅰ" if encoding != "euc_jp" else "第1"  # EUC-JP has no roman numerals
    text = f"{roman} 基本情報\r\n1. 事務の名称\t個人住民税の賦課に関する事務\r\n対象人数 [ 30万人以上 ]\r\n"
    path = tmp_path / "draft.txt"
    path.write_bytes(text.encode(encoding))
    doc = load_document(path)
    assert doc.format == "txt"
    assert doc.pages == [f"{roman} 基本情報\n1. 事務の名称\t個人住民税の賦課に関する事務\n対象人数 [ 30万人以上 ]"]


def test_txt_form_feed_splits_pages_and_md_is_text(tmp_path):
    path = tmp_path / "draft.md"
    path.write_text("# 表紙\n評価書番号 12\n\f## Ⅰ 基本情報\n①事務の名称\n", encoding="utf-8")
    doc = load_document(path)
    assert doc.format == "md"
    assert doc.pages == ["# 表紙\n評価書番号 12", "## Ⅰ 基本情報\n①事務の名称"]


def test_html_tables_in_reading_order_and_charset(tmp_path):
    html = """<!DOCTYPE html><html><head><meta charset="shift_jis"><title>t</title>
    <style>p{color:red}</style><script>var secret = 1;</script></head><body>
    <h1>Ⅱ 特定個人情報ファイルの概要</h1>
    <p>前の
       段落</p>
    <table>
      <tr><th colspan="2">3. 特定個人情報の入手・使用</th></tr>
      <tr><td>①入手元</td><td>[○] 本人又は本人の代理人<br>[ ] 民間事業者</td></tr>
      <tr><td>②入手方法</td><td><table><tr><td>[○] 紙</td><td>[ ] 電子メール</td></tr></table></td></tr>
    </table>
    <p>後の段落</p></body></html>"""
    path = tmp_path / "draft.html"
    path.write_bytes(html.encode("cp932"))
    doc = load_document(path)
    assert doc.format == "html"
    lines = [x for x in doc.pages[0].split("\n") if x.strip()]
    assert lines == [
        "Ⅱ 特定個人情報ファイルの概要",
        "前の 段落",
        "3. 特定個人情報の入手・使用",
        "①入手元\t[○] 本人又は本人の代理人 [ ] 民間事業者",
        "②入手方法\t[○] 紙 [ ] 電子メール",
        "後の段落",
    ]
    assert "secret" not in doc.pages[0]


# --------------------------------------------------------------------------- bad input


BAD_CASES = {
    "empty.pdf": ["空（0バイト）"],
    "empty.docx": ["空（0バイト）"],
    "corrupt.pdf": ["壊れている"],
    "truncated.pdf": ["壊れている"],
    "encrypted.pdf": ["パスワード", "暗号化"],
    "scanned.pdf": ["テキスト層", "スキャン", "OCR"],
    "word_renamed.pdf": ["拡張子が.pdfですが、中身はWord文書", ".docx"],
    "excel_renamed.pdf": ["拡張子が.pdfですが、中身はExcelブック"],
    "excel_renamed.docx": ["拡張子が.docxですが、中身はExcelブック", ".xlsx"],
    "pdf_renamed.docx": ["拡張子が.docxですが、中身はPDF"],
    "pdf_renamed.txt": ["拡張子が.txtですが、中身はPDF"],
    "image_renamed.pdf": ["中身は画像ファイル"],
    "text_renamed.pdf": ["PDFの形式になっていません"],
    "password_protected.docx": ["パスワード"],
    "broken_zip.docx": ["壊れて"],
    "bomb_ratio.docx": ["安全のため", "圧縮率"],
    "bomb_declared.xlsx": ["安全のため", "展開後のサイズ", "300.0 MB"],
    "legacy.doc": ["対応していません", ".doc"],
    "slides.pptx": ["対応していません", "PowerPoint"],
    "binary.txt": ["バイナリ"],
    "undecodable.txt": ["文字コード", "UTF-8"],
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_input_refused_with_clear_message(name):
    _refused(BAD_DIR / name, *BAD_CASES[name])


def test_bad_fixture_generator_still_produces_every_case(tmp_path):
    spec = importlib.util.spec_from_file_location("make_bad", BAD_DIR / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.build(tmp_path)
    committed = {p.name for p in BAD_DIR.iterdir() if p.suffix != ".py" and p.name != "__pycache__"}
    assert set(written) == committed
    assert set(BAD_CASES) | {"ok_owner_only_encrypted.pdf"} == committed
    for name, words in BAD_CASES.items():
        _refused(written[name], *words)


def test_over_max_bytes(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("評価書" * 1000, encoding="utf-8")
    _refused(path, "大きすぎます", "上限", max_bytes=1000)
    assert load_document(path, max_bytes=10_000_000).pages[0].startswith("評価書")


def test_default_limit_comes_from_settings(tmp_path, monkeypatch):
    from bot.settings import reset_settings

    path = tmp_path / "big.txt"
    path.write_bytes(("あ" * 400_000).encode("utf-8"))  # 1.2 MB
    monkeypatch.setenv("PIA_MAX_FILE_MB", "1")
    reset_settings()
    try:
        _refused(path, "大きすぎます", "上限 1.0 MB")
    finally:
        monkeypatch.delenv("PIA_MAX_FILE_MB")
        reset_settings()
    assert load_document(path).format == "txt"


def test_missing_and_unsupported(tmp_path):
    with pytest.raises(InputFileError, match="見つかりません"):
        load_document(tmp_path / "nothing.pdf")
    with pytest.raises(InputFileError, match="フォルダ"):
        load_document(tmp_path)
    p = tmp_path / "data.csv"
    p.write_text("a,b\n", encoding="utf-8")
    _refused(p, "対応していません", ".csv")
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\t\n", encoding="utf-8")
    _refused(blank, "文字がありません")


def test_docx_text_pdf_and_xlsx_in_memory_types_are_not_confused(tmp_path):
    """A .pdf that is really a docx names the real type even when the zip has no [Content_Types]."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    p = tmp_path / "odd.pdf"
    p.write_bytes(buf.getvalue())
    _refused(p, "中身はWord文書")


def test_pdf_loads_from_several_threads_at_once(tmp_path):
    """PDFium is not thread-safe; the loader serialises it (the Slack bot handles uploads on a thread pool)."""
    from concurrent.futures import ThreadPoolExecutor

    path = _japanese_pdf(tmp_path / "draft.pdf", 4)
    expected = load_document(path).pages
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: load_document(path).pages, range(8)))
    assert all(r == expected for r in results)
