"""The draft reader: a draft in any format -> the form's fields, anchored on the form's fixed labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from _draft_builder import build_lines, build_text, with_second_file
from bot.draft import read_draft
from bot.errors import InputFileError, NotAnAssessmentError
from bot.form import load_form
from bot.loaders import load_document
from bot.text import compact

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
    toc = ["目次", "Ⅰ 基本情報", "(別添1) 事務の内容", "Ⅱ 特定個人情報ファイルの概要",
           "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策", "Ⅳ その他のリスク対策", "Ⅴ 開示請求、問合せ",
           "Ⅵ 評価実施手続", "(別添3) 変更箇所"]
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
    # label and value on one line, a wide space apart
    text = text.replace("リスク1：", "リスク１：").replace("\t", "　")
    _, fields = read_draft(write(tmp_path, "variants.txt", text))
    found = by_id(fields)
    assert ANCHORS - set(found) == set()
    assert found["iii_1"][0].path == ["Ⅲ", "1."] and found["iii_1"][0].value == "住民基本台帳ファイル"
    assert found["ii_2_1"][0].choice == "システム用ファイル"
    assert found["i_7_1"][0].value == "市民生活部市民課"


def test_choices_and_check_boxes_in_every_notation(tmp_path):
    lines = build_lines()
    text = "\n".join(lines)
    text = text.replace("[○] 庁内連携システム [○] 住民基本台帳ネットワークシステム",
                        "■庁内連携システム　☑ 住民基本台帳ネットワークシステム")
    text = text.replace("[ ] 既存住民基本台帳システム", "□既存住民基本台帳システム")
    text = text.replace("[ ] 税務システム", "☐ 税務システム")
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
    lines = build_lines(overrides={"i_1_2": "住民基本台帳法に基づき、住民の転入・転出・転居等の届出を受け付け、"
                                            "住民票を作成・管理する。"
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
        out.append("\n".join([header, *p, f"- {n} -"]))
    text = "\f".join(out)
    doc, fields = read_draft(write(tmp_path, "paged.txt", text))
    value = by_id(fields)["i_1_2"][0].value
    assert header not in value and "- 1 -" not in value
    assert compact(value).startswith(compact("住民基本台帳法に基づき、住民の転入・転出・転居等の届出を受け付け、"
                                             "住民票を作成"))
    assert all(header not in f.value and not re.search(r"- \d+ -", f.value) for f in fields)
    assert doc.pages == text.count("\f") + 1


def test_wrapped_label_and_value_on_the_same_line(tmp_path):
    """As a PDF renders a narrow label cell: the label wraps over lines, the value starts after a space."""
    lines = build_lines(layout="lines")
    label = ("特定個人情報の入手（情報提供ネットワークシステムを通じた入手を除く。）"
             "におけるその他のリスク及びそのリスクに対する措置")
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
        got = {(f.field_id, tuple(f.path)): (compact(f.value), f.choice, tuple(f.checks))
               for f in _fields(name, fmt)[1]}
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


# --------------------------------------------------------------------------- structure that must add up


def _heading_then_table(lines: list[str], start: str) -> list[str]:
    """`1. 特定個人情報ファイル名<TAB>値` written as a Word template does: the heading, then a table whose first row
    repeats the heading's label with the value."""
    out = []
    for ln in lines:
        if ln.startswith(start) and "\t" in ln:
            head, value = ln.split("\t", 1)
            out += [head, f"{head.split(' ', 1)[1]}\t{value}"]
        else:
            out.append(ln)
    return out


def test_a_table_repeating_its_headings_label_is_no_new_file(tmp_path):
    lines = _heading_then_table(build_lines(), "1. 特定個人情報ファイル名")
    assert sum(1 for ln in lines if ln.startswith("特定個人情報ファイル名\t")) == 2  # in Ⅱ and in Ⅲ
    _, fields = read_draft(write(tmp_path, "template.txt", "\n".join(lines)))
    assert not [f.path for f in fields if "ファイル2" in f.path]
    names = {tuple(f.path): f.value for f in fields if f.field_id in ("ii_1", "iii_1")}
    assert names == {("Ⅱ", "1."): "住民基本台帳ファイル", ("Ⅲ", "1."): "住民基本台帳ファイル"}
    ids = by_id(fields)
    assert len(ids["ii_2_3"]) == len(ids["iii_2_r1_a"]) == 1  # Ⅱ and Ⅲ read once, in full


@pytest.mark.parametrize("row", [
    ["項目\t記載内容", "他の評価実施機関\t北部広域連合（保険料の賦課を担う。）"],  # a header row, then the label's row
    ["他 の評価実 施機関\u3000北部広域連合（保険料の賦課を担う。）"],  # the label repeated, the value on its line
])
def test_a_templates_header_row_and_the_repeated_label_are_no_part_of_the_value(tmp_path, row):
    lines = build_lines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("8. 他の評価実施機関"))
    lines[i:i + 1] = ["8. 他の評価実施機関", *row]
    _, fields = read_draft(write(tmp_path, "template.txt", "\n".join(lines)))
    assert by_id(fields)["i_8"][0].value == "北部広域連合(保険料の賦課を担う。)"  # NFKC


def test_a_second_files_sections_are_the_second_files_in_any_order(tmp_path):
    """[Ⅱ 1][Ⅲ 1][Ⅱ 2][Ⅲ 2]: the second Ⅲ belongs to the second file too."""
    lines = build_lines()
    ii, iv = (next(i for i, ln in enumerate(lines) if ln.startswith(h)) for h in ("Ⅱ ", "Ⅳ "))
    second = [ln.replace("住民基本台帳ファイル", "附票ファイル") for ln in lines[ii:iv]]
    doc = [*lines[:iv], *second, *lines[iv:]]
    _, fields = read_draft(write(tmp_path, "interleaved.txt", "\n".join(doc)))
    names = {tuple(f.path): f.value for f in fields if f.field_id in ("ii_1", "iii_1")}
    assert names == {("Ⅱ", "1."): "住民基本台帳ファイル", ("Ⅱ", "ファイル2", "1."): "附票ファイル",
                     ("Ⅲ", "1."): "住民基本台帳ファイル", ("Ⅲ", "ファイル2", "1."): "附票ファイル"}


def test_a_block_cut_by_page_numbers_and_a_running_header_keeps_its_fields(tmp_path):
    header = "みなと市 住民基本台帳に関する事務 全項目評価書"
    text = build_text(extra_entrustments=1)
    lines = text.split("\n")
    cut = next(i for i, ln in enumerate(lines) if ln.startswith("委託事項2")) + 5  # inside 委託事項2
    pages, n = [], 1
    for i, ln in enumerate(lines):
        pages.append(ln)
        if i and (i % 30 == 0 or i == cut):  # page numbers every 30 lines and one inside 委託事項2
            pages += [f"- {n} -", header]
            n += 1
    _, fields = read_draft(write(tmp_path, "paged.txt", "\n".join([header, *pages])))
    got = {(f.field_id, tuple(f.path)) for f in fields if f.field_id in ("ii_4_5", "ii_4_6", "ii_4_7")}
    assert {p for fid, p in got if "委託事項2" in p} == {("Ⅱ", "4.", "委託事項2", c) for c in "⑤⑥⑦"}
    assert not any(header in f.value for f in fields)
    assert not any(re.search(r"- \d+ -", f.value) for f in fields)


def test_the_number_of_files_is_read_from_i_3():
    from bot.draft.values import listed_files

    assert listed_files("住民基本台帳ファイル") == 1
    assert listed_files("(1) 生活保護ファイル\n(2) 生活保護費返還金等債権管理ファイル") == 2
    assert listed_files("①児童手当ファイル、②特例給付ファイル") == 2
    assert listed_files("") is None and listed_files("別紙のとおり") is None


def test_a_transfer_written_with_the_provision_labels_is_the_transfer(tmp_path):
    # zenkoumoku-form.md gives a 移転先 the 提供先's ①–⑦ with only ② changed; the printed form says 移転する情報:
    # a 移転先 written either way is the 移転先, not a second 提供先
    lines = build_lines()
    start = lines.index("移転先1")
    for i in range(start, start + 8):
        lines[i] = lines[i].replace("移転する情報", "提供する情報").replace("⑥移転方法", "⑥提供方法")
    assert "③提供する情報\t" in "\n".join(lines[start:])
    _, fields = read_draft(write(tmp_path, "transfer.txt", "\n".join(lines)))
    ids = by_id(fields)
    assert len(ids["ii_5_p1"]) == 1 and not [f for f in fields if "提供先2" in f.path]
    assert [f.path for f in ids["ii_5_m3"]] == [["Ⅱ", "5.", "移転先1", "③"]]
    assert ids["ii_5_m6"][0].checks == ["庁内連携システム"]


def test_a_group_label_and_its_first_field_in_one_cell_and_tree_marks(tmp_path):
    # `②保管期間　期間	[ 20年以上 ]` and `⑦使用の主体 使用部署	…` in one cell; `└ その妥当性` marked as a sub-item
    lines = build_lines()
    out, i = [], 0
    while i < len(lines):
        ln = lines[i]
        if ln in ("②保管期間", "⑦使用の主体"):
            out.append(f"{ln}　{lines[i + 1]}")
            i += 2
            continue
        out.append("└ " + ln if ln.startswith("その妥当性\t住民基本台帳法施行令") else ln)
        i += 1
    assert "②保管期間　期間\t[ 20年以上 ]" in "\n".join(out) and "└ その妥当性\t" in "\n".join(out)
    _, fields = read_draft(write(tmp_path, "joined.txt", "\n".join(out)))
    ids = by_id(fields)
    assert ids["ii_6_2_period"][0].choice == "20年以上"
    assert ids["ii_6_2_valid"][0].value == "住民基本台帳法施行令に定める保存期間に従うため。"
    assert ids["ii_3_7_dept"][0].value == "市民生活部市民課"


def test_a_heading_written_twice_is_not_the_previous_fields_value(tmp_path):
    # a heading paragraph, then the same heading as a table's first row: neither ends up in the field before it
    lines = build_lines(overrides={"iii_4_otherrisk": "委託先の持込端末は接続させず、県の保守端末で作業させる。"})
    for head in ("5. 特定個人情報の提供・移転（委託や情報提供ネットワークシステムを通じた提供を除く。）",
                 "6. 情報提供ネットワークシステムとの接続"):
        i = next(n for n, ln in enumerate(lines) if ln.startswith(head))
        lines[i:i + 1] = [head, lines[i]]
    _, fields = read_draft(write(tmp_path, "twice.txt", "\n".join(lines)))
    ids = by_id(fields)
    assert ids["iii_4_otherrisk"][0].value == "委託先の持込端末は接続させず、県の保守端末で作業させる。"
    assert all("情報提供ネットワークシステムとの接続" not in f.value for f in fields if f.path[:2] == ["Ⅲ", "5."])


def test_a_footer_with_the_page_number_inside_it_is_dropped():
    # 「青葉県　　　11 / 24」 at the foot of each page of a word processor's PDF, between a label cut by the page
    # break and the rest of it
    from bot.draft.lines import segments

    body = ["ルールの内容及びルール 『取扱要領』で、移転先を", "遵守の確認方法 住宅課に限っている。",
            "その他の措置の内容 なし"]
    pages = [f"{body[i]}\n青葉県　　　{i + 1} / 3" for i in range(3)]
    texts = [s.text for s in segments(pages, "pdf")]
    assert texts == body
    # and a running footer whose number changes from page to page, with no total
    pages = [f"見出し{i}\n本文の行{i}です。\n生活保護事務 評価書 {i + 1}ページ目" for i in range(4)]
    assert not any("評価書" in s.text for s in segments(pages, "pdf"))


def test_a_value_right_after_a_groups_label_is_its_choice(tmp_path):
    # 「②保管期間：［5年］（選択肢：…）」 with no 「期間」 of its own: the value is the 期間 choice
    lines = build_lines()
    i = lines.index("②保管期間")
    assert lines[i + 1].startswith("期間\t")
    lines[i:i + 2] = ["②保管期間：［5年］（選択肢：1) 1年未満 2) 1年 3) 2年 4) 3年 5) 4年 6) 5年）"]
    _, fields = read_draft(write(tmp_path, "group.txt", "\n".join(lines)))
    ids = by_id(fields)
    assert ids["ii_6_2_period"][0].choice == "5年"
    assert ids["ii_6_2_valid"][0].value == "住民基本台帳法施行令に定める保存期間に従うため。"


def test_label_paths_written_in_one_cell():
    # 「Ⅰ-1-① 事務の名称」, 「表紙-評価書番号」, 「Ⅲ-2-リスク1 …」, 「Ⅱ-4-委託事項1-⑤ …」: the numbering of every level
    # joined by hyphens in the label cell (a converted Excel template of another writer)
    from bot.draft.labels import LabelIndex, parse_prefix

    p = parse_prefix("Ⅱ-4-委託事項1-⑤ 委託先名の確認方法")
    assert (p.roman, p.item, p.instance, p.circled) == ("Ⅱ", "4.", ("委託事項", 1), "⑤")
    assert parse_prefix("表紙-評価書番号").roman == "表紙"
    index = LabelIndex(FORM)
    assert [h.spec_id for h in index.match("Ⅲ-2-リスク1 対象者以外の情報の入手を防止するための措置の内容").hits] == [
        "iii_2_r1_a"]
    _, fields = read_draft(EXAMPLES / "external" / "drafts_r3" / "city_defects.xlsx")
    ids = by_id(fields)
    assert ids["cover_number"][0].value == "7"
    assert ids["i_1_1"][0].value.startswith("個人住民税")
    assert ids["ii_4_5"][0].path == ["Ⅱ", "4.", "委託事項1", "⑤"]
    assert ids["iii_3_r2_auth"][0].choice == "行っている"  # 「行っている（1.行っている／2.行っていない）」
    # a choice's label and its sibling's in one cell: 「Ⅳ-1-② 監査 具体的な内容」, 「… 提供ルール 委託元と…」
    assert ids["iv_1_2_how"][0].value.startswith("情報政策課の監査担当")
    assert ids["iii_4_prov_between"][0].value.startswith("原票は市職員が")


def test_a_groups_label_wrapped_into_its_fields_label_and_a_dash_that_starts_nothing():
    # PDF lines of a narrow label cell: 「Ⅲ-6-リスク7 誤った情報を提供してしまうリスク、誤」 / 「った相手に…リスク
    # リスクに対する措置」 / 「の内容」, after a value that is only 「－」
    from bot.draft.labels import LabelIndex
    from bot.draft.lines import segments
    from bot.draft.reader import FormReader

    reader = FormReader(FORM, LabelIndex(FORM))
    segs = segments(["－\nⅢ-6-リスク7 誤った情報を提供してしまうリスク、誤\n"
                     "った相手に提供してしまうリスク リスクに対する措置\nの内容\n"
                     "副本は夜間バッチで登録し、翌朝に庶務係がエラーリストを確認する。"], "pdf")
    assert [(c.spec_id, c.consumed) for c in reader._candidates(segs, 1)] == [("iii_6_r7_m", 3)]
    assert reader._candidates(segs, 0) == []  # 「－」 joined with the next lines would read as the risk's heading


def test_a_heading_printed_again_with_continued_does_not_open_the_block_again(tmp_path):
    """A table cell split by a page break is printed again on the next page with 「（続き）」: the block already open
    continues, so the field read before the break stays where it is (a PDF of a Word or Excel table)."""
    text = build_text()
    head, risk = "3. 特定個人情報の使用", "リスク1： 目的を超えた紐付け、事務に必要のない情報との紐付けが行われるリスク"
    atena, other = "宛名システム等における措置の内容\t", "事務で使用するその他のシステムにおける措置の内容\t"
    assert f"{head}\n{risk}\n{atena}" in text and other in text
    # the first page cuts the risk's label short; the next page repeats both cells marked as continued
    text = text.replace(f"{head}\n{risk}\n", f"{head} リスク1： 目的を超えた紐\n", 1)
    text = text.replace(other, f"\f{head}\n（続き）\nリスク1： 目的を超えた紐\n付け、事務に必要のない情\n"
                               f"報との紐付けが行われるリ\nスク（続き）\n{other}", 1)
    _, fields = read_draft(write(tmp_path, "continued.txt", text))
    found = by_id(fields)
    atena_fields = found["iii_3_r1_a"]
    assert [f.path for f in atena_fields] == [["Ⅲ", "3.", "リスク1"]]
    assert atena_fields[0].value.startswith("団体内統合宛名システムでは")
    assert found["iii_3_r1_b"][0].value.startswith("住民記録システムは")
    assert "宛名システム" not in found["iii_2_other"][0].value
