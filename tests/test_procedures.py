"""Procedure knowledge (bot/procedures.py, knowledge/procedures.yaml): the threshold table computed from the
question's numbers, body types, important change vs correction by the ※ marks, rules matched by their words."""

from __future__ import annotations

import pytest

from bot.form import load_form
from bot.procedures import (
    body_type,
    change_case,
    decide_threshold,
    is_important_change,
    load_procedures,
    match_rule,
    months_ago,
    rule_matches,
    threshold_case,
)

# --------------------------------------------------------------------------- the threshold table (rules.md)


@pytest.mark.parametrize(
    ("people", "handlers", "incident", "row", "required"),
    [
        (999, None, None, "1,000人未満", []),
        (1000, None, None, "1,000人以上1万人未満", ["基礎項目評価"]),
        (9999, 600, True, "1,000人以上1万人未満", ["基礎項目評価"]),  # 取扱者数 and incidents do not matter here
        (10_000, 499, False, "1万人以上10万人未満", ["基礎項目評価"]),
        (80_000, 600, None, "1万人以上10万人未満", ["基礎項目評価", "重点項目評価"]),
        (50_000, 10, True, "1万人以上10万人未満", ["基礎項目評価", "重点項目評価"]),
        (100_000, 300, False, "10万人以上30万人未満", ["基礎項目評価", "重点項目評価"]),
        (120_000, 500, None, "10万人以上30万人未満", ["基礎項目評価", "全項目評価"]),
        (299_999, 20, True, "10万人以上30万人未満", ["基礎項目評価", "全項目評価"]),
        (300_000, 1, False, "30万人以上", ["基礎項目評価", "全項目評価"]),
    ],
)
def test_threshold_table(people, handlers, incident, row, required):
    case = decide_threshold(people, handlers, incident)
    assert case.row == row
    assert case.required == required


def test_threshold_says_what_an_unknown_number_would_change():
    case = decide_threshold(150_000, None, None)
    assert case.required == ["基礎項目評価", "重点項目評価"]
    assert "500人以上" in case.undecided and "全項目評価" in case.undecided
    assert decide_threshold(150_000, 200, False).undecided == ""
    assert "全項目評価" in decide_threshold(5_000, None, None).optional  # always possible voluntarily


@pytest.mark.parametrize(
    ("question", "people", "handlers", "incident"),
    [
        ("8万人・600人で全項目は必要？", 80_000, 600, None),
        ("基礎項目評価では対象人数を約8万人としていたのですが、委託先の作業員も含めると取扱者数が600人くらいに"
         "なりそうです。", 80_000, 600, None),
        ("1万2千人、取扱者は200人、重大事故なし", 12_000, 200, False),
        ("対象者は25万人、職員は80人、昨年漏えい事故がありました", 250_000, 80, True),
        ("十二万人で事故は3年前", 120_000, None, False),
        ("住民5,000人の事務", 5_000, None, None),
        ("We have about 120,000 residents in scope and around 300 staff handling the file.", 120_000, 300, None),
        ("10万人未満の事務です", 99_999, None, None),
        # 取扱者数 is staff and contractors: numbers given for each add up, a part of a total does not
        ("対象者3万人、取扱者は職員400人と委託先150人", 30_000, 550, None),
        ("委託先の作業員200人、職員350人、住民6万人", 60_000, 550, None),
        ("対象者15万人、取扱者は600人（うち委託先150人）", 150_000, 600, None),
        ("We have 50,000 residents; 300 staff and 250 contractors handle the file.", 50_000, 550, None),
    ],
)
def test_threshold_numbers_are_read_from_the_question(question, people, handlers, incident):
    case = threshold_case(question)
    assert case is not None
    assert (case.people, case.handlers, case.incident) == (people, handlers, incident)


@pytest.mark.parametrize(
    ("text", "months"),
    [("半年前", 6), ("2年前", 24), ("1年半前", 18), ("1年3か月前", 15), ("18か月前", 18), ("三年前", 36),
     ("3ヶ月ほど前", 3), ("先週", None)],
)
def test_how_long_ago(text, months):
    assert months_ago(text) == months


@pytest.mark.parametrize(
    ("question", "incident"),
    [("対象者12万人、半年前に重大事故がありました", True),
     ("対象者12万人、1年半前に重大事故がありました", False),  # more than a year back: not for the threshold
     ("対象者12万人、重大事故は18か月前です", False),
     ("対象者12万人、3か月前に漏えい事故", True)],
)
def test_an_incident_counts_for_the_threshold_only_within_the_past_year(question, incident):
    case = threshold_case(question)
    assert case is not None and case.incident is incident


def test_no_people_no_threshold_case():
    assert threshold_case("パブコメは何日以上？") is None


# --------------------------------------------------------------------------- body types


@pytest.mark.parametrize(
    ("question", "body"),
    [
        ("市役所は委員会の承認が必要？", "local"),
        ("うちの町でも審査書は作られますか", "local"),
        ("県庁の全項目評価", "local"),
        ("第三者点検は誰にお願いする？", "local"),
        ("省で全項目評価を出すときの承認は？", "national"),
        ("独立行政法人の場合", "national"),
        ("国の機関と自治体で手続は違う？", None),
        ("パブコメの期間は？", None),
        ("Does a city need approval?", "local"),
    ],
)
def test_body_type(question, body):
    assert body_type(question) == body


# --------------------------------------------------------------------------- important change or correction


def test_important_change_follows_the_asterisks_of_the_form():
    form = load_form()
    assert is_important_change(form.get("ii_2_4_main"))[0]  # 主な記録項目 ※
    assert is_important_change(form.get("ii_4_umu"))[0]  # 委託の有無 ※
    assert is_important_change(form.get("iii_4_sub_how"))[0]  # all of Ⅲ
    assert is_important_change(form.get("iv_1_1_how"))[0]  # all of Ⅳ
    assert not is_important_change(form.get("ii_4_6"))[0]  # 委託先名
    assert not is_important_change(form.get("i_7_1"))[0]  # 部署
    assert not is_important_change(form.get("v_2_1"))[0]  # 連絡先
    for fid in ("iii_7_r1_9", "iii_7_r1_9_what", "iii_7_r1_9_prevent"):  # Ⅲ except 7. リスク1 ⑨
        important, why = is_important_change(form.get(fid))
        assert not important and "⑨" in why


@pytest.mark.parametrize(
    ("question", "item", "important"),
    [
        ("委託先の会社が変わっただけなら再評価？", "Ⅱ 4. ⑥委託先名", False),
        ("記録項目を増やすと？", "Ⅱ 2. ④主な記録項目", True),
        ("担当課の名前が変わったら評価書はどうする？", "Ⅰ 7. ①部署", False),
        ("保管場所をガバメントクラウドに移行したら再評価が必要？", "Ⅱ 6. ①保管場所", True),
        ("Ⅲ 4. の内容を変えたら？", "Ⅲ 4. 特定個人情報ファイルの取扱いの委託", True),
        ("委託をやめて直営にすることにしました。評価書はどうなりますか", "Ⅱ 4. 委託の有無", True),
        # verbs of widening and narrowing, and 「…することになった」
        ("使用目的を広げる予定です。修正だけで足りますか", "Ⅱ 3. ⑥使用目的", True),
        ("対象となる本人の範囲を縮小したら再評価は必要？", "Ⅱ 2. ③対象となる本人の範囲", True),
        ("来年度から委託先が一部を再委託することになりました。手続きは？", "Ⅱ 4. ⑦再委託の有無", True),
        ("問合せの電話番号を新しくすることになった。評価書はどうする？", "Ⅴ 2. ①連絡先", False),
        ("委託先を別の会社に切り替えることになりました。再評価？", "Ⅱ 4. ⑥委託先名", False),
    ],
)
def test_change_case(question, item, important):
    case = change_case(question)
    assert case is not None
    assert case.item == item and case.important is important


def test_a_question_that_is_no_change_is_no_change_case():
    assert change_case("アクセス権限の変更はどう管理すればいい？") is None  # a checkpoint question (35)
    assert change_case("委託先名の確認方法はどこに書く？") is None


# --------------------------------------------------------------------------- rules by their words


def test_trigger_patterns_and_the_form_s_own_exclusions():
    """A trigger written /…/ is a pattern: 委託する does not match inside 再委託する; an item's own exclusion
    (「（…を除く。）」) is not read as what the question asks about."""
    ids = [m.rule.id for m in rule_matches("Ⅱ 4. ⑦で「再委託する」にしたら、ほかにどこを埋める必要がありますか")]
    assert ids[0] == "subcontract_fields" and "entrustment_fields" not in ids
    assert "entrustment_fields" in [m.rule.id for m in rule_matches("委託しないならⅢ 4. は書かなくていい？")]
    label = "Ⅲ 5. 特定個人情報の提供・移転（委託や情報提供ネットワークシステムを通じた提供を除く。）には何を書く？"
    assert "provision_fields" not in [m.rule.id for m in rule_matches(label)]
    network = "提供は全部情報提供ネットワークシステム経由。Ⅲ 5. は要る？"
    assert "provision_fields" in [m.rule.id for m in rule_matches(network)]


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        ("パブコメは何日以上？", "consultation_period"),
        ("パブコメで意見が1件もなかったら⑤は？", "consultation_response"),
        ("市役所は委員会の承認が必要？", "review_body"),
        ("前回から何年で再評価？", "reassessment"),
        ("前回の全項目評価から4年たったけど、変更がなくても再評価は必要？", "reassessment"),
        ("公表した評価書は毎年見直す？", "yearly_review"),
        ("プログラミング開始後に評価してもいい？", "timing"),
        ("※の意味は", "asterisk"),
        ("パブコメは第三者点検の前と後、どちらで実施するのですか", "procedure_order"),
        ("8万人・600人で全項目は必要？", "threshold"),
    ],
)
def test_rules_match_by_their_words(question, rule):
    m = match_rule(question)
    assert m is not None and m.rule.id == rule


def test_no_rule_for_a_checkpoint_question():
    assert match_rule("USBメモリへのコピーを防ぐ対策はどこに書く？") is None
    assert match_rule("自己点検の頻度はどう書けばいい？") is None
    # the document's name is no threshold question
    m = match_rule("全項目評価書のⅢ 4. は必須ですか")
    assert m is None or m.rule.id != "threshold"


def test_every_rule_is_complete_and_its_form_items_resolve():
    from bot.form_refs import resolve_item

    for rule in load_procedures().rules:
        assert rule.rule.endswith("。") and rule.basis
        for label in rule.form_items:
            assert resolve_item(label) is not None, (rule.id, label)
