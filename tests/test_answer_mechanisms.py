"""Mechanisms behind the misses of the held-out rounds 4 and 5, asked with questions of their own (not the eval
sets' wording): paraphrases of the public consultation, a period given as a length, a change read from what it does
(「直営から委託へ」, a choice switched from the option it has now, the threshold made heavier), timing with a system's
schedule, the body that reviews, the review sheet's wording of its results, a part's band against its file's."""

from __future__ import annotations

import pytest

from bot.procedure_cases import band_case, consultation_length_case
from bot.procedures import change_case, option_switch, rule_matches
from bot.text import compact


def _has(a, *phrases: str) -> bool:
    text = compact(a.answer)
    return all(compact(p) in text for p in phrases)


def _topic(a) -> tuple[str, str | None]:
    assert a.topic is not None
    return a.topic.kind, a.topic.id


# --------------------------------------------------------------------------- the public consultation, paraphrased


@pytest.mark.parametrize("question", [
    "市民の意見を募る期間は何日あればいいですか",
    "住民からの意見の募集期間を2週間にしたいのですが",
    "県民意見の公募はどのくらいの期間が要りますか",
])
def test_the_consultation_is_recognised_in_its_paraphrases(question):
    assert rule_matches(question)[0].rule.id == "consultation_period"


@pytest.mark.parametrize("text, days, short", [
    ("意見募集は2週間しか取れません", 14, True),
    ("パブコメを25日程度で", 25, True),
    ("意見聴取は５週間の予定", 35, False),
    ("三週間くらいでやりたい", 21, True),
])
def test_a_period_given_as_a_length_is_read_in_days(text, days, short):
    case = consultation_length_case(text)
    assert case is not None and case.days == days and case.short is short


def test_no_length_without_one():
    assert consultation_length_case("パブコメは令和8年1月5日から2月3日まで") is None
    assert consultation_length_case("意見聴取の方法は？") is None


def test_a_short_length_is_answered_with_30_days_and_the_reason_field(seed_engine):
    a = seed_engine.ask("議会の都合で、市民からの意見募集は2週間ほどになりそうです。問題ありますか？")
    assert _topic(a) == ("procedure", "consultation_period")
    assert _has(a, "2週間（14日）", "30日", "Ⅵ 2. ③期間を短縮する特段の理由")


def test_a_long_enough_length_needs_no_reason(seed_engine):
    a = seed_engine.ask("住民意見の募集は5週間取る予定ですが、短縮の理由の欄は書く必要がありますか")
    assert _topic(a) == ("procedure", "consultation_period")
    assert _has(a, "35日", "不要")


# --------------------------------------------------------------------------- a change read from what it does


def test_outsourcing_work_done_in_house_is_an_important_change():
    case = change_case("今まで職員が直営で入力していた業務を、再来年度から民間委託に移す方針です。"
                       "評価書はどうなりますか")
    assert case is not None and case.field_id == "ii_4_umu" and case.important


def test_a_company_renamed_is_a_correction():
    case = change_case("委託している会社の商号が変わりました。評価のやり直しは必要ですか")
    assert case is not None and case.field_id == "ii_4_6" and not case.important


@pytest.mark.parametrize("question, field", [
    ("評価書は現在「再委託しない」で公表しています。委託先から再委託の申し出がありました。手続は？", "ii_4_7"),
    ("今「委託しない」にしていますが、来年から委託したいです。何をすれば？", "ii_4_umu"),
    ("Ⅰ 6. ①は現在「実施しない」になっています。「実施する」に変える場合はどうなりますか", "i_6_1"),
])
def test_a_choice_switched_from_its_present_option_is_a_change_of_that_item(question, field):
    node = option_switch(question)
    assert node is not None and node.id == field


def test_a_choice_merely_named_is_no_switch():
    # no present answer is quoted: the choice's consequences are a consistency question, not a change
    assert option_switch("「再委託する」を選んだら、ほかにどの欄を書けばいいですか") is None
    # the present answer quoted, and the item spoken of only as a field, not as the other option
    assert option_switch("今「再委託しない」になっています。Ⅲ 4. の再委託の欄は何と書けば？") is None


def test_a_subcontracting_switch_is_answered_as_re_assessment(seed_engine):
    a = seed_engine.ask("評価書は現在「再委託しない」で公表しています。委託先から再委託の申し出がありました。手続は？")
    assert _topic(a) == ("procedure", "important_change")
    assert a.form_items[0].startswith("Ⅱ 4. ⑦")
    assert _has(a, "重要な変更", "再実施")


def test_a_heavier_threshold_result_means_re_assessment_not_a_correction(seed_engine):
    case = change_case("漏えい事故のため、しきい値判断で重い評価が必要になりました。修正だけでいいですか")
    assert case is not None and case.important and case.field_id == "vi_1_2"
    a = seed_engine.ask("漏えい事故のため、しきい値判断で重い評価が必要になりました。修正だけでいいですか")
    assert _topic(a) == ("procedure", "important_change")
    assert _has(a, "再実施")


# --------------------------------------------------------------------------- timing, the yearly review, who reviews


def test_timing_with_a_system_schedule_says_before_programming(seed_engine):
    a = seed_engine.ask("システム改修に合わせて評価を再実施します。稼働開始までに終われば間に合いますか？")
    assert _topic(a) == ("procedure", "timing")
    assert _has(a, "プログラミング")


def test_a_starting_schedule_is_no_change_to_the_published_assessment(seed_engine):
    a = seed_engine.ask("新システムの開発が来年5月に始まります。評価書の第三者点検は8月の予定ですが、"
                        "時期は問題ないですか")
    assert _topic(a) == ("procedure", "timing")
    assert _has(a, "プログラミング")


def test_something_done_regularly_with_a_published_assessment_is_the_yearly_review():
    assert rule_matches("評価書を公表済みですが、定期的にやらなければならないことはありますか")[0].rule.id == \
        "yearly_review"
    # regular work that is not about the published assessment is not
    assert not any(m.rule.id == "yearly_review" for m in rule_matches("定期的にやることはありますか"))


def test_the_review_a_named_body_goes_through(seed_engine):
    a = seed_engine.ask("当方は府省の外局です。全項目評価書はどんな審査を受けることになりますか")
    assert _topic(a) == ("procedure", "review_national")
    assert _has(a, "個人情報保護委員会", "承認")
    en = seed_engine.ask("We are a national agency. What review does our full assessment go through?")
    assert _topic(en) == ("procedure", "review_national")


def test_an_appeal_is_no_review_of_the_assessment():
    assert not any(m.rule.id == "review_body" for m in rule_matches("市町村の審査請求の手続はどうなっていますか"))


def test_the_cover_approval_date_is_answered_as_that_item_for_a_local_body(seed_engine):
    a = seed_engine.ask("村の評価書ですが、表紙の承認日には何か書く必要がありますか")
    assert _topic(a)[0] == "form_item" and "承認日" in (a.topic.id or "")
    assert _has(a, "第三者点検")


def test_the_review_sheet_s_wording_of_its_results(seed_engine):
    a = seed_engine.ask("審査書で細目ごとの結果はどういう文言で書かれるのですか")
    assert _topic(a) == ("procedure", "review_results")
    assert _has(a, "問題は認められない", "該当なし", "より具体的に記載する必要")


# --------------------------------------------------------------------------- a part's band against its file's


def test_a_provision_band_above_its_file_is_named_as_such():
    case = band_case("ファイルの本人の数は「1万人未満」ですが、提供先1の④を「1万人以上10万人未満」としました")
    assert case is not None and case.part == "provision" and case.part_exceeds


def test_a_part_s_band_is_answered_without_the_threshold_words(seed_engine):
    a = seed_engine.ask("ファイルの本人の数は「10万人以上100万人未満」、委託事項2の本人の数は"
                        "「100万人以上1,000万人未満」にしています。大丈夫ですか")
    assert _topic(a) == ("procedure", "count_bands")
    assert a.form_items[0].startswith("Ⅱ 4. ②")
    assert _has(a, "超えて", "矛盾")


# --------------------------------------------------------------------------- numbers, placeholders, labels


def test_a_count_is_placed_in_each_named_field_s_own_limits():
    from bot.procedure_cases import count_options

    picks = count_options("Ⅰ 1. ③とⅡ 2. ②、対象者がおよそ25万人の場合はそれぞれどれを選ぶのでしょうか")
    assert {(c.field_id, c.option) for c in picks} == {("i_1_3", "10万人以上30万人未満"),
                                                        ("ii_2_2", "10万人以上100万人未満")}
    # a limit written as an option is no count; which assessment to do is the threshold's question
    assert count_options("Ⅱ 2. ②で「10万人以上100万人未満」と「100万人以上1,000万人未満」のどちらを選ぶ？") == []
    assert count_options("対象人数（Ⅰ 1. ③）は12万人です。評価はどれをやればいいですか") == []


def test_the_kind_of_assessment_changing_is_the_threshold_s_question(seed_engine):
    q = "対象人数3万人、取扱者50人です。先月、重大事故が起きました。必要な評価の種類は変わりますか"
    assert change_case(q) is None
    a = seed_engine.ask(q)
    assert _topic(a) == ("procedure", "threshold")
    assert _has(a, "重点項目評価")


def test_handlers_include_the_contractor_s_staff(seed_engine):
    a = seed_engine.ask("しきい値の取扱者数に、委託先の社員は入れるのでしょうか")
    assert _topic(a) == ("procedure", "threshold")
    assert _has(a, "委託先", "含めて数えます")


def test_a_placeholder_in_the_text_a_choice_requires_is_no_answer(seed_engine):
    a = seed_engine.ask("Ⅲ 4. の提供ルールを「定めている」にしましたが、ルールの内容は「（後日記載）」のままです。"
                        "これで出して問題ないですか")
    assert _topic(a)[0] == "form_item"
    assert _has(a, "後日記載", "不十分")


def test_a_quoted_form_label_is_not_judged_as_an_answer():
    from bot.answer_topics import answer_quote
    from bot.form_refs import resolve_items

    q = "Ⅲ 3. の「リスクへの対策は十分か」は何を選べばいいですか"
    ref = resolve_items(q)[0]
    assert answer_quote(ref.nodes, q) is None


# --------------------------------------------------------------------------- several items, exclusions, narrowing


def test_each_item_a_change_question_names_gets_its_own_verdict(seed_engine):
    q = ("Ⅲのリスク対策を書き換えると重要な変更になると聞きました。"
         "Ⅲ 7. リスク1 ⑨の事故の記載を更新するのも重要な変更ですか")
    case = change_case(q)
    assert case is not None and case.important and case.field_id == "iii"
    assert [(c.field_id, c.important) for c in case.also] == [("iii_7_r1_9", False)]
    a = seed_engine.ask(q)
    assert a.form_items[0].startswith("Ⅲ 7. リスク1 ⑨")
    assert _has(a, "重要な変更に当たらない", "除かれています")


def test_what_an_item_s_label_excludes_is_answered_with_the_item_that_covers_it(seed_engine):
    a = seed_engine.ask("情報提供ネットワークシステム経由で受け取る情報の入手のリスク、Ⅲ 2.のリスク1に書くべきですか")
    assert _topic(a) == ("procedure", "network_connection")
    assert a.form_items[0].startswith("Ⅲ 6.")
    assert _has(a, "不要")


def test_a_named_section_is_narrowed_to_the_fields_its_words_name():
    from bot.answer_topics import narrowed
    from bot.form import load_form
    from bot.form_refs import ItemRef

    form = load_form()
    section = ItemRef(nodes=[form.get("v")], how="place")
    # two fields share the words (④個人情報ファイル簿の公表, ⑥個人情報ファイル簿への不記載等): the item holding both
    assert narrowed(section, "Ⅴの請求の項目で、個人情報ファイル簿に関係する欄は？").node.id == "v_1"
    # one field: that field
    assert narrowed(section, "Ⅴのうち、手数料について書く欄は").node.id == "v_1_3"
    # the section's own words, or the form's generic ones, narrow nothing
    assert narrowed(section, "Ⅴの開示請求、問合せには何を書けば？").node.id == "v"
    assert narrowed(section, "Ⅴの特定個人情報についての欄は？").node.id == "v"


# --------------------------------------------------------------------------- quoted draft text, English verdicts


def test_the_words_of_a_quoted_draft_text_make_no_change_question():
    from bot.procedures import is_change_question

    # 「必要に応じて…」 and 「追加」 belong to the draft's text, not to a change of the published assessment
    assert not is_change_question("Ⅳ 1. の記載が「必要に応じて自己点検の項目を追加し、適切に実施する」です。"
                                  "どう直せば？")
    # a quoted term is the question's own
    assert is_change_question("Ⅳの記載を変えるのは「重要な変更」ですか")


def test_an_english_question_s_quote_judged_vague_says_what_to_add_in_english(seed_engine):
    a = seed_engine.ask('Our Ⅳ 1. self-inspection field says "Self-inspections are carried out regularly as needed." '
                        "Is that concrete enough?")
    gist = a.answer.splitlines()[0]
    assert gist.startswith("In short:")
    assert "how often" in gist and "who" in gist and "not concrete enough" in gist


def test_a_generic_qualifier_names_no_field():
    from bot.form_refs import resolve_items

    # 「適切な」 is in 再委託's label (適切な取扱いの確保) but names nothing: the erasing is the 消去ルール's
    refs = resolve_items("Ⅲ 4.、「消去、適切に」")
    assert refs and refs[0].node.id != "iii_4_sub_c"


def test_a_field_every_risk_block_repeats_stands_for_all_and_says_which_choice_is_a_finding(seed_engine):
    a = seed_engine.ask("Ⅲの各リスクの最後にある「リスクへの対策は十分か」は、どの選択肢を選ぶと点検で指摘扱いですか")
    assert _topic(a)[0] == "form_item" and "リスクへの対策は十分か" in (a.topic.id or "")
    assert _has(a, "特に力を入れている", "十分である", "課題が残されている", "所見（指摘）")
    # a choice that admits no shortfall says nothing of findings
    b = seed_engine.ask("Ⅲ 7. リスク1 ⑨の選択肢は何ですか")
    assert not _has(b, "所見（指摘）として扱われます")


# --------------------------------------------------------------------------- the schedule against programming start


def test_the_schedule_s_months_are_set_against_programming_start():
    import datetime as dt

    from bot.procedure_cases import schedule_case

    case = schedule_case("開発は2027年1月に着手します。パブコメを11月、第三者点検を12月に予定しています。",
                         today=dt.date(2026, 6, 1))
    # months without a year follow the year written before them: 11月 and 12月 of 2027 are after January 2027
    assert case is not None and case.programming == dt.date(2027, 1, 1)
    assert [s for s, _ in case.late] == ["意見聴取", "第三者点検"]
    early = schedule_case("第三者点検は令和8年9月、公表は10月、プログラミングは令和9年1月からです。")
    assert early is not None and early.late == []
    assert schedule_case("第三者点検は令和8年9月の予定です") is None


def test_a_late_schedule_is_said_to_be_late(seed_engine):
    a = seed_engine.ask("システム改修のプログラミングは令和9年2月に始める計画です。"
                        "評価書の第三者点検は令和9年3月の予定ですが、時期は大丈夫でしょうか")
    assert _topic(a) == ("procedure", "timing")
    assert _has(a, "令和9年2月", "第三者点検（令和9年3月）", "終わりません")


# --------------------------------------------------------------------------- the broader readings stay in scope


@pytest.mark.parametrize("question", [
    "社名変更の登記に必要な書類は何ですか？",
    "会社名が変わったので社員証を再発行したい。手続は？",
    "独立行政法人の職員採用試験はどんな審査がありますか？",
    "市民の意見を聞く会の会場はどこですか？",
])
def test_everyday_questions_with_the_new_readings_words_still_abstain(seed_engine, question):
    a = seed_engine.ask(question)
    assert _topic(a) == ("out_of_scope", None) and not a.checkpoints


def test_a_change_is_said_of_the_assessment_or_of_a_form_place():
    assert change_case("社名変更の登記に必要な書類は何ですか？") is None
    case = change_case("今までは再委託しないで運用してたんですが、来年度から委託先が一部を再委託することになりました。"
                       "手続きとしては何が必要？")
    assert case is not None and case.field_id == "ii_4_7" and case.important


# --------------------------------------------------------------------------- probes with unseen wording


def test_a_choice_that_switches_a_marked_item_on_is_an_important_change():
    from bot.form import load_form
    from bot.procedures import is_important_change

    # Ⅱ 5. 提供・移転の有無 carries no ※, but 「行っていない」 switches off Ⅲ 5. (※ under Ⅲ's heading)
    important, why = is_important_change(load_form().get("ii_5_umu"))
    assert important and "Ⅲ 5." in why
    # a plain text item with nothing depending on it stays a correction
    assert not is_important_change(load_form().get("ii_4_6"))[0]
    case = change_case("現在は「提供・移転しない」で公表していますが、来年から他の市に提供を始めます。"
                       "何をすればいいですか？")
    assert case is not None and case.field_id == "ii_5_umu" and case.important


def test_an_english_question_s_own_words_of_change_are_read(seed_engine):
    a = seed_engine.ask("Our city will start outsourcing data entry next April. What do we need to do with our "
                        "published assessment?")
    assert _topic(a) == ("procedure", "important_change")
    assert a.answer.startswith("In short: changing")


def test_a_count_for_a_named_item_goes_to_its_count_field(seed_engine):
    a = seed_engine.ask("使用者数は180人くらいです。Ⅱ 3. ⑦はどれを選べばいいですか？")
    assert _has(a, "180人", "「100人以上500人未満」")


def test_the_order_of_a_schedule_is_a_timing_question(seed_engine):
    a = seed_engine.ask("システム更改の開発が来年10月開始、評価書の公表は来年8月の予定です。順番は大丈夫？")
    assert _topic(a) == ("procedure", "timing")
    assert _has(a, "より前の予定なので")
