"""The draft reader: a draft in any format -> the form's fields, anchored on the form's fixed labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _draft_builder import build_lines, build_text, with_second_file

from bot.draft import read_draft
from bot.errors import InputFileError, NotAnAssessmentError
from bot.form import load_form
from bot.text import compact
from indexer.loaders import load_document

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEEDS = Path(__file__).resolve().parent.parent / "knowledge" / "sources"
FORMATS = ("docx", "pdf", "xlsx", "txt", "md")
FORM = load_form()
ANCHORS = {f.id for f in FORM if not f.virtual}


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def by_id(fields):
    out = {}
    for f in fields:
        out.setdefault(f.field_id, []).append(f)
    return out


# --------------------------------------------------------------------------- layouts built from the form's labels


@pytest.mark.parametrize("layout,ext", [("table", "txt"), ("lines", "txt"), ("md", "md")])
def test_every_label_of_the_form_is_found_in_each_layout(tmp_path, layout, ext):
    doc, fields = read_draft(write(tmp_path, f"draft.{ext}", build_text(layout=layout)))
    found = by_id(fields)
    assert ANCHORS - set(found) == set()
    assert doc.title == "住民基本台帳に関する事務 全項目評価書" and doc.body == "みなと市長"
    assert doc.format == ext
    assert found["i_1_1"][0].value == "住民基本台帳に関する事務"  # did not swallow ②事務の内容
    assert found["i_1_3"][0].choice == "10万人以上30万人未満"
    assert found["i_2_3"][0].checks == ["庁内連携システム", "住民基本台帳ネットワークシステム", "宛名システム等"]
    assert found["iii_3_r2_auth"][0].choice == "行っている"
    assert found["iii_3_r2_auth_how"][0].path == ["Ⅲ", "3.", "リスク2"]
    assert found["iii_7_r1_5_how"][0].path == ["Ⅲ", "7.", "リスク1", "⑤"]
    assert "担当職員" in found["iii_3_r2_auth_how"][0].value or found["iii_3_r2_auth_how"][0].value
    # three 具体的な管理方法 in one risk group stay three different fields
    hows = [found[i][0].value for i in ("iii_3_r2_auth_how", "iii_3_r2_grant_how", "iii_3_r2_access_how")]
    assert len(set(hows)) == 3
    for f in fields:
        assert "<選択肢>" not in f.value, f.field_id


def test_repeated_blocks_stay_distinct(tmp_path):
    text = build_text(extra_entrustments=1, overrides={"ii_4_6": "株式会社みなと情報サービス"})
    _, fields = read_draft(write(tmp_path, "two.txt", text))
    names = [f for f in fields if f.field_id == "ii_4_6"]
    assert [f.path for f in names] == [["Ⅱ", "4.", "委託事項1", "⑥"], ["Ⅱ", "4.", "委託事項2", "⑥"]]
    assert [f.label for f in fields if f.field_id == "ii_4_item"] == ["委託事項1", "委託事項2"]


def test_a_second_file_repeats_ii_and_iii(tmp_path):
    doc = with_second_file(build_lines(), {"住民基本台帳ファイル": "附票ファイル"})
    _, fields = read_draft(write(tmp_path, "files.txt", "\n".join(doc)))
    names = {tuple(f.path): f.value for f in fields if f.field_id in ("ii_1", "iii_1")}
    assert names == {("Ⅱ", "1."): "住民基本台帳ファイル", ("Ⅱ", "ファイル2", "1."): "附票ファイル",
                     ("Ⅲ", "1."): "住民基本台帳ファイル", ("Ⅲ", "ファイル2", "1."): "附票ファイル"}
    risk = [f.path for f in fields if f.field_id == "iii_2_r3_b"]
    assert risk == [["Ⅲ", "2.", "リスク3"], ["Ⅲ", "ファイル2", "2.", "リスク3"]]


def test_table_of_contents_does_not_start_the_sections(tmp_path):
    lines = build_lines()
    toc = ["目次", "Ⅰ 基本情報", "(別添1) 事務の内容", "Ⅱ 特定個人情報ファイルの概要", "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策",
           "Ⅳ その他のリスク対策", "Ⅴ 開示請求、問合せ", "Ⅵ 評価実施手続", "(別添3) 変更箇所"]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("Ⅰ "))
    _, fields = read_draft(write(tmp_path, "toc.txt", "\n".join(lines[:at] + toc + lines[at:])))
    found = by_id(fields)
    assert ANCHORS - set(found) == set()
    assert found["i_1_1"][0].value == "住民基本台帳に関する事務"
    assert found["vi_2_2"][0].value == "令和7年6月1日から令和7年6月30日まで"


def test_label_variants_roman_fullwidth_and_spacing(tmp_path):
    text = build_text()
    text = text.replace("Ⅲ 特定個人情報ファイルの取扱い", "III 特定個人情報ファイルの取扱い")
    text = text.replace("Ⅱ 特定個人情報ファイルの概要", "ＩＩ 特定個人情報ファイルの概要")
    text = re.sub(r"^(\d)\. ", lambda m: "１２３４５６７８９"[int(m.group(1)) - 1] + "． ", text, flags=re.M)
    text = re.sub(r"^([①-⑩])", r"\1 ", text, flags=re.M)
    text = text.replace("リスク1：", "リスク１：").replace("\t", "　")  # label and value on one line, a wide space apart
    _, fields = read_draft(write(tmp_path, "variants.txt", text))
    found = by_id(fields)
    assert ANCHORS - set(found) == set()
    assert found["iii_1"][0].path == ["Ⅲ", "1."] and found["iii_1"][0].value == "住民基本台帳ファイル"
    assert found["ii_2_1"][0].choice == "システム用ファイル"
    assert found["i_7_1"][0].value == "市民生活部市民課"


def test_choices_and_check_boxes_in_every_notation(tmp_path):
    lines = build_lines()
    text = "\n".join(lines)
    text = text.replace("[○] 庁内連携システム [○] 住民基本台帳ネットワークシステム", "■庁内連携システム　☑ 住民基本台帳ネットワークシステム")
    text = text.replace("[ ] 既存住民基本台帳システム", "□既存住民基本台帳システム").replace("[ ] 税務システム", "☐ 税務システム")
    # a choice written as boxes, the chosen one ticked
    text = text.replace("[ 十分である ]\t<選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている",
                        "□特に力を入れている　□十分である　■課題が残されている", 1)
    text = text.replace("[ 十分である ]\t<選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている",
                        "[〇] 特に力を入れている [ ] 十分である [ ] 課題が残されている", 1)
    _, fields = read_draft(write(tmp_path, "boxes.txt", text))
    found = by_id(fields)
    assert found["i_2_3"][0].checks == ["庁内連携システム", "住民基本台帳ネットワークシステム", "宛名システム等"]
    # the option list printed after a choice (which includes 3) 未定) is not the answer
    assert found["i_6_1"][0].choice == "実施する"
    assert found["iii_2_r1_enough"][0].choice == "課題が残されている"
    assert found["iii_2_r2_enough"][0].choice == "特に力を入れている"
    assert found["iii_2_r3_enough"][0].choice == "十分である"


def test_page_headers_and_footers_inside_a_field_are_dropped(tmp_path):
    lines = build_lines(overrides={"i_1_2": "住民基本台帳法に基づき、住民の転入・転出・転居等の届出を受け付け、住民票を作成・管理する。"
                                            "市民課の職員が住民記録システムで届出内容を登録する。"})
    text = "\n".join(lines)
    header = "みなと市 住民基本台帳に関する事務 全項目評価書"
    # cut the text into pages of 25 lines, each with a running header and a page number footer; one break falls in
    # the middle of ②事務の内容
    rows = text.split("\n")
    k = next(i for i, r in enumerate(rows) if r.startswith("②事務の内容"))
    rows[k] = rows[k].replace("受け付け、", "受け付け、\n- 1 -\n\f" + header + "\n")
    body = "\n".join(rows).split("\n")
    pages, cur = [], []
    for r in body:
        cur.append(r)
        if len(cur) >= 25:
            pages.append(cur)
            cur = []
    pages.append(cur)
    out = []
    for n, p in enumerate(pages, start=2):
        out.append("\n".join([header] + p + [f"- {n} -"]))
    text = "\f".join(out)
    doc, fields = read_draft(write(tmp_path, "paged.txt", text))
    value = by_id(fields)["i_1_2"][0].value
    assert header not in value and "- 1 -" not in value
    assert compact(value).startswith(compact("住民基本台帳法に基づき、住民の転入・転出・転居等の届出を受け付け、住民票を作成"))
    assert all(header not in f.value and not re.search(r"- \d+ -", f.value) for f in fields)
    assert doc.pages == text.count("\f") + 1


def test_wrapped_label_and_value_on_the_same_line(tmp_path):
    """As a PDF renders a narrow label cell: the label wraps over lines, the value starts after a space."""
    lines = build_lines(layout="lines")
    label = "特定個人情報の入手（情報提供ネットワークシステムを通じた入手を除く。）におけるその他のリスク及びそのリスクに対する措置"
    i = lines.index(label)
    lines[i : i + 2] = ["特定個人情報の入手（情報提供", "ネットワークシステムを通じた", "入手を除く。）におけるその他",
                        "のリスク及びそのリスクに対す", "る措置", "臨時窓口にも施錠できるキャビネットを置く。"]
    j = lines.index("公表日")
    lines[j : j + 2] = ["公表日 令和7年8月1日"]
    _, fields = read_draft(write(tmp_path, "wrapped.txt", "\n".join(lines)))
    found = by_id(fields)
    assert found["iii_2_other"][0].value == "臨時窓口にも施錠できるキャビネットを置く。"
    assert found["cover_published"][0].value == "令和7年8月1日"


# --------------------------------------------------------------------------- the sample drafts of examples/


def _fields(name: str, fmt: str):
    return read_draft(EXAMPLES / f"{name}.{fmt}")


@pytest.mark.parametrize("name", ["sample_complete", "sample_national_defects", "sample_local_defects",
                                  "sample_vaccination_defects"])
def test_every_format_reads_the_same_fields(name):
    ref = {(f.field_id, tuple(f.path)): (compact(f.value), f.choice, tuple(f.checks)) for f in _fields(name, "docx")[1]}
    assert len(ref) > 200
    for fmt in FORMATS[1:]:
        got = {(f.field_id, tuple(f.path)): (compact(f.value), f.choice, tuple(f.checks)) for f in _fields(name, fmt)[1]}
        diff = {k for k in set(ref) | set(got) if ref.get(k) != got.get(k)}
        assert not diff, (fmt, sorted(diff, key=str)[:5])


def test_complete_sample_has_every_field():
    doc, fields = _fields("sample_complete", "pdf")
    found = by_id(fields)
    optional = {f.id for f in FORM if f.optional}
    assert ANCHORS - optional - set(found) == set()
    # three systems, two 委託事項, 提供先 and 移転先 blocks
    assert [f.label for f in found["i_2_sys"]] == ["システム1", "システム2", "システム3"]
    assert len(found["ii_4_item"]) >= 2
    assert doc.title == "個人住民税の賦課に関する事務 全項目評価書" and doc.body == "みなと川市長" and doc.pages > 20


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_page_of_a_field_is_where_its_label_is(fmt):
    path = EXAMPLES / f"sample_complete.{fmt}"
    pages = [compact(p) for p in load_document(path).pages]
    _, fields = read_draft(path)
    checked = 0
    for f in fields:
        label = compact(f.label)
        if len(label) < 6 or f.page is None or sum(label in p for p in pages) != 1:
            continue  # a label printed on one page only tells where the field starts
        assert label in pages[f.page - 1], (f.field_id, f.page)
        checked += 1
    assert checked > 60


# --------------------------------------------------------------------------- not a draft


def test_english_document_is_refused(tmp_path):
    text = "Privacy impact assessment report\n" + "This report describes how the agency handles personal data. " * 40
    with pytest.raises(NotAnAssessmentError, match="英語の文書"):
        read_draft(write(tmp_path, "report.txt", text))


def test_review_sheet_and_minutes_are_refused():
    with pytest.raises(NotAnAssessmentError, match="審査書"):
        read_draft(SEEDS / "review_isa_2025-09-30.txt")
    with pytest.raises(NotAnAssessmentError, match="議事録"):
        read_draft(SEEDS / "minutes_337_2025-10-22.txt")


def test_nearly_blank_and_unrelated_japanese_documents_are_refused(tmp_path):
    with pytest.raises(NotAnAssessmentError, match="文字"):
        read_draft(write(tmp_path, "blank.md", "# メモ\n\n"))
    memo = "来週の打合せについて\n会議室を予約しました。資料は前日までに共有します。\n" * 5
    with pytest.raises(NotAnAssessmentError, match="全項目評価書"):
        read_draft(write(tmp_path, "memo.txt", memo))
    with pytest.raises(InputFileError):
        read_draft(write(tmp_path, "empty.txt", ""))
