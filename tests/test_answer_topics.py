"""Answers about the procedure, form items and things out of scope, through engine.ask on the seed index: the
questions of issue 10, every form item, relevance hygiene, English questions, abstention."""

from __future__ import annotations

import json
import re

import pytest

from bot.answer import templates
from bot.cli import main
from bot.form import load_form
from bot.form_refs import covers, item_checkpoints, item_label, resolve_item
from bot.text import compact


def _has(a, *phrases: str) -> bool:
    text = compact(a.answer)
    return all(compact(p) in text for p in phrases)


def markers(text: str) -> list[int]:
    return [int(m) for m in re.findall(r"\[(\d+)\]", text)]


# --------------------------------------------------------------------------- the questions of the issue


def test_consultation_period_states_30_days_and_the_shortening_rule(seed_engine):
    a = seed_engine.ask("パブコメは何日以上？")
    assert a.topic is not None and (a.topic.kind, a.topic.id) == ("procedure", "consultation_period")
    assert a.checkpoints[0].id == "V5"
    assert _has(a, "30日以上", "短縮", "Ⅵ 2. ③")
    assert a.form_items[0].startswith("Ⅵ 2.")
    # the rule is cited, and the source says where it comes from
    assert a.citations and a.citations[0].source.place
    assert set(markers(a.answer)) == set(range(1, len(a.citations) + 1))
    assert "V5" not in a.answer and "(5)" in a.answer


def test_city_needs_no_commission_approval_but_a_third_party_inspection(seed_engine):
    a = seed_engine.ask("市役所は委員会の承認が必要？")
    assert a.topic is not None and a.topic.id == "review_local"
    assert _has(a, "第三者点検", "Ⅵ 3.") and _has(a, "不要")
    assert a.form_items == ["Ⅵ 3. 第三者点検"]
    national = seed_engine.ask("省の全項目評価書は誰が承認するの？")
    assert national.topic is not None and national.topic.id == "review_national"
    assert _has(national, "個人情報保護委員会", "承認", "Ⅵ 4.")


def test_third_party_inspection_result_is_a_form_item(seed_engine):
    a = seed_engine.ask("第三者点検の結果はどこに書く？")
    assert a.topic is not None and (a.topic.kind, a.topic.id) == ("form_item", "Ⅵ 3. ③結果")
    assert not any(c.id == "70" for c in a.checkpoints)  # not 自己点検
    assert _has(a, "第三者点検", "地方公共団体等")


def test_contractor_change_is_a_correction_and_more_record_items_an_important_change(seed_engine):
    a = seed_engine.ask("委託先の会社が変わっただけなら再評価？")
    assert a.topic is not None and a.topic.id == "correction"
    assert _has(a, "修正", "別添3", "Ⅱ 4. ⑥委託先名", "※")
    assert "17" not in [c.id for c in a.checkpoints]
    b = seed_engine.ask("記録項目を増やすと？")
    assert b.topic is not None and b.topic.id == "important_change"
    assert _has(b, "重要な変更", "変更の前", "主な記録項目")


def test_a_change_answer_adds_what_other_rules_say_of_the_item(seed_engine):
    incident = seed_engine.ask("Ⅲ 7. リスク1 ⑨を「発生あり」に変えることになりました。再評価が必要ですか")
    assert incident.topic is not None and incident.topic.id == "correction"
    assert _has(incident, "修正で足ります", "しきい値判断の結果がより重い評価に変わる場合は、評価を再実施")
    sub = seed_engine.ask("来年度から委託先が再委託を始めることになりました。手続きとしては何が必要？")
    assert sub.topic is not None and sub.topic.id == "important_change"
    assert sub.form_items[0] == "Ⅱ 4. ⑦再委託の有無" and _has(sub, "変更の前に評価を再実施", "⑧再委託の許諾方法")


def test_years_to_re_assessment(seed_engine):
    a = seed_engine.ask("前回から何年で再評価？")
    assert a.topic is not None and a.topic.id == "reassessment"
    assert _has(a, "5年") and "見つかりませんでした" not in a.answer


def test_threshold_is_computed_with_its_deciding_row(seed_engine):
    a = seed_engine.ask("8万人・600人で全項目は必要？")
    assert a.topic is not None and a.topic.id == "threshold"
    assert a.checkpoints[0].id == "V1"
    assert _has(a, "8万人", "600人", "基礎項目評価と重点項目評価", "1万人以上10万人未満")
    assert _has(a, "全項目評価は義務ではありません")
    assert not [c for c in a.citations if c.kind == "finding"]  # no precedent instead of an answer


def test_a_serious_incident_with_the_numbers_is_a_computed_threshold(seed_engine):
    """A question about a serious incident's effect on the threshold that gives the numbers is computed, not
    answered with the item where incidents are recorded."""
    for q, required in [("対象者12万人、取扱者200人程度。半年前に重大事故がありました。しきい値判断はどうなりますか",
                         "基礎項目評価と全項目評価"),
                        ("対象者12万人、取扱者200人程度。重大事故は1年半前でした。しきい値判断はどうなりますか",
                         "基礎項目評価と重点項目評価"),
                        ("住民5万人、職員100人の事務で先月漏えい事故がありました。評価はどうなる？",
                         "基礎項目評価と重点項目評価")]:
        a = seed_engine.ask(q)
        assert a.topic is not None and a.topic.id == "threshold", (q, a.topic)
        assert _has(a, f"必要な評価は{required}です"), (q, a.answer)


# --------------------------------------------------------------------------- rules computed from the question


def test_the_consultation_period_is_counted_from_the_question_s_dates(seed_engine):
    short = seed_engine.ask("意見募集は令和7年12月15日から令和8年1月10日までの予定です。問題ありませんか")
    assert short.topic is not None and short.topic.id == "consultation_period"
    assert _has(short, "初日と最終日を含めて27日", "Ⅵ 2. ③", "令和8年1月13日以降")
    enough = seed_engine.ask("パブコメを令和8年1月5日から2月3日まで実施します。期間は大丈夫？")
    assert _has(enough, "30日間です", "足りています")
    stated = seed_engine.ask("Ⅵ 2. ②を「令和7年6月1日から令和7年6月30日まで（31日間）」と書きました")
    assert stated.topic is not None and stated.topic.id == "consultation_period"
    assert _has(stated, "30日間です", "（31日間）", "一致しません")
    for a in (short, enough, stated):  # the rule in one sentence, where it goes, its source
        assert _has(a, "原則として30日以上", "Ⅵ 2. ②") and a.citations[0].source.place
        assert a.form_items[0].startswith("Ⅵ 2.")


def test_two_bands_are_compared_as_ranges(seed_engine):
    apart = seed_engine.ask("対象人数が「1万人以上10万人未満」で、Ⅱ 2. ②の本人の数は「10万人以上100万人未満」です。"
                            "矛盾していますか")
    assert apart.topic is not None and apart.topic.id == "count_bands"
    assert _has(apart, "重なる人数がない", "矛盾しています") and apart.form_items[0] == "Ⅰ 1. ③対象人数"
    fits = seed_engine.ask("Ⅰ 1. ③対象人数は「30万人以上」、本人の数は「100万人以上1,000万人未満」で整合してる？")
    assert _has(fits, "100万人以上1,000万人未満の範囲で重なる", "矛盾しません")


def test_time_since_the_last_assessment_is_set_against_five_years(seed_engine):
    a = seed_engine.ask("評価書を公表してから3年経ちました。特に変更はありませんが、何か必要な手続はありますか")
    assert a.topic is not None and a.topic.id == "reassessment"
    assert _has(a, "3年が経っている", "あと2年以内", "5年を経過する前")
    late = seed_engine.ask("前回の評価から6年たっています。このままで大丈夫？")
    assert _has(late, "5年を経過しているので", "再実施")
    # words of another rule (全項目, 必要) do not take the question away from the time it states
    other = seed_engine.ask("前の全項目評価を公表してから4年経ちます。そろそろ何か必要ですか")
    assert other.topic is not None and other.topic.id == "reassessment" and _has(other, "あと1年以内")


def test_a_quoted_generic_promise_is_answered_with_what_makes_a_measure_concrete(seed_engine):
    a = seed_engine.ask("措置の欄をすべて「必要な措置を講じる」にしておいたのですが、通りますか")
    assert a.topic is not None and a.topic.id == "generic_wording"
    assert a.checkpoints[0].id in ("V10", "V11")
    assert _has(a, "「必要な措置を講じる」は一般的な文言だけ", "誰が", "頻度")
    assert a.form_items[0].startswith("Ⅲ ") and _has(a, "評価書での記載箇所")  # where it goes: the measures
    item = seed_engine.ask("Ⅲ 3. リスク3には何を書けばいいですか")  # not a rule of every item of Ⅲ
    assert "一般的な文言だけでは" not in item.answer
    # a quote about a named item keeps that item's answer (its checkpoint's rubric)
    b = seed_engine.ask("Ⅲ 4. の消去ルールを「業務終了後は適切に消去させる」と書いたらどこまで具体的に書けばいい？")
    assert b.checkpoints and b.checkpoints[0].id == "45"


def test_a_quoted_legal_basis_is_checked(seed_engine):
    a = seed_engine.ask("提供先の法令上の根拠を「住民基本台帳法」とだけ書いています。これでいいですか")
    assert a.topic is not None and a.topic.id == "provision_basis"
    assert _has(a, "「住民基本台帳法」は、番号法第19条", "号") and a.form_items[0] == "Ⅱ 5. ①法令上の根拠"
    ok = seed_engine.ask("提供先の根拠に「番号法第19条第8号」と書けば足りますか")
    assert _has(ok, "「番号法第19条第8号」は、番号法第19条とその号を挙げています")
    transfer = seed_engine.ask("移転先の法令上の根拠を「地方税法」としたが問題ない？")
    assert transfer.topic is not None and transfer.topic.id == "transfer_basis"
    assert _has(transfer, "「地方税法」は、移転先での利用を認める規定")


# --------------------------------------------------------------------------- what one field requires of others


@pytest.mark.parametrize(
    ("question", "rule", "home", "phrases"),
    [
        ("宛名システム等と接続しているとき、あわせて書く欄はありますか", "atena_system",
         "Ⅲ 3. リスク1 宛名システム等における措置の内容", ["宛名システム等における措置の内容"]),
        ("Ⅰ 6. ①を「実施する」にしたら、ほかにどこを書く必要がある？", "network_connection",
         "Ⅲ 6. 情報提供ネットワークシステムとの接続", ["Ⅰ 6. ②法令上の根拠", "Ⅲ 6."]),
        ("再委託することにした場合、ほかの欄で書かないといけない所は？", "subcontract_fields",
         "Ⅱ 4. ⑧再委託の許諾方法", ["再委託事項", "再委託していない"]),
        ("委託しない場合、Ⅲ 4. は書かなくていい？", "entrustment_fields",
         "Ⅲ 4. 特定個人情報ファイルの取扱いの委託", ["該当しません"]),
        ("Ⅱ 4. で「委託しない」にしたら Ⅲ 4. はどうする？", "entrustment_fields",
         "Ⅲ 4. 特定個人情報ファイルの取扱いの委託", ["該当しません"]),
        ("再委託しないなら⑧と⑨は空欄でいい？", "subcontract_fields", "Ⅱ 4. ⑧再委託の許諾方法", ["「－」で足ります"]),
        ("移転先の①法令上の根拠には何を書けばいい？", "transfer_basis", "Ⅱ 5. ①法令上の根拠", ["番号法第9条", "条例"]),
        ("提供先への提供はすべて情報提供ネットワークシステム経由です。Ⅲ 5. は不要ですか", "provision_fields",
         "Ⅲ 5. 特定個人情報の提供・移転（委託や情報提供ネットワークシステムを通じた提供を除く。）",
         ["Ⅲ 6. 情報提供ネットワークシステムとの接続", "対象となる提供はなく"]),
    ],
)
def test_what_a_field_s_answer_requires_of_other_fields(seed_engine, question, rule, home, phrases):
    """rules.md "Consistency inside the form": the answer points at the fields that follow, also when the question
    names the field whose answer it is."""
    a = seed_engine.ask(question)
    assert a.topic is not None and (a.topic.kind, a.topic.id) == ("procedure", rule), (question, a.topic)
    assert a.form_items[0] == home
    assert _has(a, *phrases), a.answer


def test_a_form_item_answer_carries_the_consistency_rules_about_it(seed_engine):
    a = seed_engine.ask("Ⅰ 7. 担当部署には何を書く？")
    assert a.topic is not None and a.topic.kind == "form_item"
    assert _has(a, "Ⅱ 2. ⑥事務担当部署", "Ⅱ 3. ⑦使用部署", "責任")
    # the form's own exclusion in an item's label is no question about the network
    b = seed_engine.ask("Ⅲ 5. 特定個人情報の提供・移転（委託や情報提供ネットワークシステムを通じた提供を除く。）"
                        "には何を書けばいいですか")
    assert b.topic is not None and b.topic.kind == "form_item"


def test_withholding_parts_is_answered_with_viewpoint_3_and_its_reason(seed_engine):
    a = seed_engine.ask("セキュリティの関係で一部を黒塗りにして公表したい。審査ではどう扱われる？")
    assert a.topic is not None and a.topic.id == "non_public"
    assert a.checkpoints[0].id == "V3" and _has(a, "理由", "適切な範囲")


@pytest.mark.parametrize(
    ("question", "rule"),
    [("マイナンバーカードの有効期限はいつまで？", None), ("評価書の有効期限は何年？", "reassessment"),
     ("補助金の申請は何年ごとにやり直す？", None), ("全項目評価は何年ごとにやり直す？", "reassessment"),
     ("有給休暇の承認は誰に申請する？", None), ("町の評価書も委員会の承認が必要？", "review_local"),
     ("業務マニュアルは毎年見直す？", None), ("公表した評価書は毎年見直す？", "yearly_review"),
     ("交通事故を起こしたらどうなる？", None), ("漏えい事故が起きたら評価はどうなる？", "incident")],
)
def test_words_said_of_many_things_are_the_assessment_s_only_with_the_assessment(seed_engine, question, rule):
    """有効期限, やり直す, 承認, 毎年見直す, 事故 … trigger a procedure rule only when the question names the assessment
    (or the Commission, a body): otherwise it is not answered with a procedure."""
    a = seed_engine.ask(question)
    assert a.topic is not None
    if rule is None:
        assert a.topic.kind == "out_of_scope" and not a.checkpoints, (question, a.topic)
    else:
        assert (a.topic.kind, a.topic.id) == ("procedure", rule), (question, a.topic)


def test_staff_and_contractors_given_apart_add_up_for_the_threshold(seed_engine):
    a = seed_engine.ask("対象人数3万人で、取扱者は職員400人と委託先150人です。どの評価が必要？")
    assert a.topic is not None and a.topic.id == "threshold"
    assert _has(a, "取扱者数550人（職員等400人と委託先150人の合計で、500人以上）", "基礎項目評価と重点項目評価")


def test_the_order_of_consultation_and_inspection_is_answered_also_when_the_inspection_is_named(seed_engine):
    a = seed_engine.ask("第三者点検のあとにパブコメをしてもいい？")
    assert a.topic is not None and a.topic.id == "procedure_order"
    assert _has(a, "第三者点検（Ⅵ 3. ①）の前に")


def test_card_reissue_fee_abstains(seed_engine):
    a = seed_engine.ask("マイナンバーカードの再発行手数料は？")
    assert a.topic is not None and a.topic.kind == "out_of_scope"
    assert a.checkpoints == [] and a.citations == []
    assert "該当する審査の細目は" not in a.answer
    assert "Ⅲ 4. その他のリスク" in a.answer  # says how to ask


@pytest.mark.parametrize(
    ("question", "label", "checkpoint"),
    [
        ("Ⅲ 4. その他のリスクには何を書く？", "Ⅲ 4. その他のリスク", "48"),
        ("Ⅲ 2. の最後のその他のリスク", "Ⅲ 2. その他のリスク", "31"),
        ("Ⅲ 5. その他のリスク", "Ⅲ 5. その他のリスク", "53"),
    ],
)
def test_other_risks_items_are_answered(seed_engine, question, label, checkpoint):
    a = seed_engine.ask(question)
    assert a.topic is not None and (a.topic.kind, a.topic.id) == ("form_item", label)
    assert a.checkpoints[0].id == checkpoint
    assert "見つかりませんでした。質問を" not in a.answer
    assert _has(a, label, "特になし")
    scores = [c.score for c in a.checkpoints]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.slow  # a sweep: one question per item of the form
def test_every_form_item_named_by_its_label_is_answered(seed_engine):
    """A question naming any item of the form gets a form item answer on it: its checkpoints, or what the form
    asks there; never the abstention and never 「見つかりませんでした」."""
    form = load_form()
    failures = []
    for node in form:
        if "{n}" in node.label or node.label == "リスクへの対策は十分か":
            continue
        parent = form.get(node.parent) if node.parent else None
        if parent is not None and parent.label == node.label:
            continue
        label = item_label(node)
        a = seed_engine.ask(f"{label}には何を書けばいいですか")
        ok = (a.topic is not None and a.topic.kind == "form_item"
              and covers(resolve_item(a.topic.id).nodes, [node]) and "見つかりませんでした" not in a.answer)
        # the same place may hold several fields (Ⅱ 5. ⑦ of a 提供先 and of a 移転先): any of their checkpoints
        cps = item_checkpoints(resolve_item(label).nodes)
        if ok and cps:
            ok = bool(a.checkpoints) and a.checkpoints[0].id in cps
        if not ok:
            failures.append((label, a.topic, [c.id for c in a.checkpoints[:2]]))
    assert not failures, failures


# --------------------------------------------------------------------------- relevance hygiene


def test_the_minutes_remark_is_cited_only_where_it_speaks(seed_engine):
    assert any(c.kind == "remark" for c in seed_engine.ask("自己点検・監査の実効性を高めるには？").citations)
    for q in ["USBメモリへのコピーを防ぐ対策はどこに書く？", "委託先を選ぶときの確認は何を書けばいい？",
              "退職した職員のIDはどうする？", "亡くなった人のマイナンバーの保管方法はどこに書く？"]:
        a = seed_engine.ask(q)
        assert not [c for c in a.citations if c.kind == "remark"], q


def test_a_precedent_of_another_checkpoint_is_labelled(seed_engine):
    for q in ["USBメモリへのコピーを防ぐ対策はどこに書く？", "自己点検はどう書く？",
              "Ⅲ 4. その他のリスクには何を書く？", "委託先の消去ルール", "本人確認の方法"]:
        a = seed_engine.ask(q)
        top = a.checkpoints[0].id if a.checkpoints else None
        for c in a.citations:
            if c.kind == "finding" and top not in c.checkpoints:
                n = a.citations.index(c) + 1
                # the line where the finding is first cited says so (a finding item, or a rubric item's example)
                line = next(ln for ln in a.answer.splitlines() if f"[{n}]" in ln)
                assert "別の細目" in line, (q, c.checkpoints, line)


def test_no_internal_viewpoint_ids_in_prose(seed_engine):
    for q in ["パブコメの期間は？", "非公表にしてよい範囲は？", "表紙の宣言には何を書く？",
              "しきい値判断の結果はどこに書く？", "評価の実施時期はいつ？"]:
        a = seed_engine.ask(q)
        assert not re.search(r"(?<![A-Za-z])V\d{1,2}(?!\d)", a.answer), (q, a.answer)


def test_a_question_in_the_law_s_words_is_answered_at_the_item_the_law_names(seed_engine):
    """「委託先の監督」 is the My Number Act's name (第11条) for what Ⅲ 4. documents; knowledge/form_items.yaml `law`
    makes the item's words include it, so the question is answered there, not abstained or sent to Ⅱ 4. ⑤."""
    iii_4 = ("form_item", "Ⅲ 4. 特定個人情報ファイルの取扱いの委託")
    for q in ["委託先の監督について", "委託先の監督はどこに書く？",
              "委託先の監督について、審査ではどのあたりを見られますか？"]:
        a = seed_engine.ask(q)
        assert a.topic is not None and (a.topic.kind, a.topic.id) == iii_4, q
        assert a.checkpoints and a.checkpoints[0].id in {str(n) for n in range(41, 49)}, q
        assert _has(a, "番号法第11条", "委託先の監督"), q
        # an item several checkpoints review lists them all, each with its place
        assert _has(a, "41. 委託先の選定・情報保護管理体制の確認", "45. 委託先の消去ルール", "47."), q
    provision = seed_engine.ask("特定個人情報の提供の制限について")
    assert provision.topic is not None and provision.topic.kind == "form_item"
    assert provision.topic.id.startswith("Ⅱ 5.") and _has(provision, "番号法第19条")


def test_a_field_without_its_own_note_is_explained_by_its_item(seed_engine):
    a = seed_engine.ask("Ⅱ 3. ⑦使用者数には何を書けばいいですか")
    assert a.topic is not None and a.topic.id == "Ⅱ 3. ⑦使用者数"
    assert _has(a, "使用部署", "委託先における取扱者数")


@pytest.mark.parametrize("question", ["建築確認の審査期間は？", "人事評価の審査ではどこを見られますか",
                                      "採用試験の所見欄の書き方"])
def test_words_about_the_review_do_not_make_another_topic_relevant(seed_engine, question):
    """審査, 所見, 書く … say that a question is about the assessment (the cue bonus); they are not also words the
    material must cover, so a finding that happens to contain 審査 does not carry 建築確認 over the threshold."""
    from bot.relevance import question_words

    assert not {"審査", "所見", "書く"} & {w.form for w in question_words(question)}
    a = seed_engine.ask(question)
    assert a.topic is not None and a.topic.kind == "out_of_scope", (question, a.topic, a.checkpoints[:1])


# --------------------------------------------------------------------------- English


def test_english_question_is_answered_in_japanese_with_an_english_gist(seed_engine):
    a = seed_engine.ask("How many days should the public consultation run?")
    first, rest = a.answer.split("\n", 1)
    assert first.startswith("In short:") and "30 days" in first
    assert "30日以上" in rest
    assert a.topic is not None and a.topic.id == "consultation_period"
    b = seed_engine.ask("Where do I describe how we stop staff copying the file to USB sticks?")
    assert b.answer.startswith("In short:") and b.checkpoints[0].id == "39"
    c = seed_engine.ask("What is the fee to reissue a My Number card?")
    assert c.topic is not None and c.topic.kind == "out_of_scope" and c.checkpoints == []
    assert c.answer.split("\n", 1)[0] == templates()["gist"]["out_of_scope"]


def test_english_threshold_gist_computes(seed_engine):
    a = seed_engine.ask("We have 250,000 residents and 600 staff handling the data. Which assessment do we need?")
    assert a.topic is not None and a.topic.id == "threshold"
    assert "the full assessment" in a.answer.split("\n", 1)[0]
    assert "全項目評価" in a.answer


def test_an_english_reading_keeps_clauses_inflections_and_words_apart():
    from bot.bilingual import to_japanese
    from bot.tokenize import tokenize

    clause = to_japanese("When reviewers look at the draft, what do they want?").japanese
    assert "いつ" not in clause and "審査" in clause and "評価書" in clause
    for asking in ("When should the assessment be done?", "By when must we publish?", "When to publish it?"):
        assert "いつ" in to_japanese(asking).japanese, asking
    reading = to_japanese("who used the file, logging it").japanese
    assert "使用" in reading and "記録" in reading  # used -> use, logging -> log
    # the words stay apart: normalisation drops a space between Japanese words (委託先 取扱い -> 先取)
    toks = tokenize(to_japanese("When we outsource the handling of the file").japanese)
    assert "委託先" in toks and "先取" not in toks


def test_an_english_question_opening_with_a_when_clause(seed_engine):
    a = seed_engine.ask("When reviewers read the part on logging who used the file, what do they look for?")
    assert a.checkpoints and a.checkpoints[0].id == "37", (a.topic, [c.id for c in a.checkpoints[:3]])
    assert a.answer.startswith("In short: this belongs to checkpoint 37")


# --------------------------------------------------------------------------- the CLI contract


def test_cli_topic_per_contract(seed_cli_env, capsys):
    cases = {
        "パブコメは何日以上？": ("procedure", "consultation_period"),
        "Ⅲ 4. その他のリスクには何を書く？": ("form_item", "Ⅲ 4. その他のリスク"),
        "USBメモリへのコピーを防ぐ対策はどこに書く？": ("checkpoint", "39"),
        "意見聴取の観点(5)について": ("viewpoint", "V5"),
        "明日の天気は？": ("out_of_scope", None),
    }
    for q, (kind, tid) in cases.items():
        assert main(["ask", q, "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["topic"] == {"kind": kind, "id": tid}, q
        if kind == "out_of_scope":
            assert doc["checkpoints"] == []


# --------------------------------------------------------------------------- what every checkpoint answer carries


def test_every_checkpoint_answer_names_what_a_concrete_answer_must_name(seed_engine):
    """"What does the review look for" is answered by the checkpoint's rubric, whatever the question's wording: not
    only 「どこまで具体的に」."""
    from bot.rubrics import rubric_for

    a = seed_engine.ask("職員への教育について審査はどこを気にする？")
    assert a.topic is not None and (a.topic.kind, a.topic.id) == ("checkpoint", "72")
    rubric = rubric_for("72")
    assert rubric is not None
    assert all(item.name in a.answer for item in rubric.items), a.answer
    assert "（細目72）" in a.answer and "どの細目でも同じ見方です" not in a.answer
    assert set(markers(a.answer)) == set(range(1, len(a.citations) + 1))


def test_a_checkpoint_answer_carries_the_rules_of_its_form_item(seed_engine):
    """As a form item answer does: the rules of rules.md about the item, and what the item's choice switches on."""
    a = seed_engine.ask("漏えい事故の書き方で審査が気にするところは？")
    assert a.topic is not None and (a.topic.kind, a.topic.id) == ("checkpoint", "64")
    assert _has(a, "この欄の記載のきまり", "で「発生あり」を選んだ場合は", "⑨再発防止策の内容」の記載が必要です")
    assert _has(a, "しきい値判断の結果がより重い評価に変わる場合は、評価を再実施します")
    # every line of it is cited: the choice to the form, the rule to the procedure
    line = next(ln for ln in a.answer.splitlines() if "「発生あり」を選んだ場合は" in ln)
    cited = a.citations[markers(line)[-1] - 1]
    assert cited.source.path == "knowledge/form.yaml" and "発生あり / 発生なし" in cited.text
    v = seed_engine.ask("部署の記載について、審査側の視点は？")
    assert v.topic is not None and v.topic.id == "V7"
    assert _has(v, "Ⅱ 2. ⑥事務担当部署", "Ⅱ 3. ⑦使用部署")
    assert not re.search(r"(?<![A-Za-z])V\d{1,2}(?!\d)", v.answer)


def test_a_choice_is_named_only_by_itself_not_inside_a_longer_option():
    from bot.answer_topics import choice_lines, option_named

    assert option_named("委託しない", "Ⅱ 4.で「委託しない」に印")
    assert not option_named("委託しない", "公表済みでは「再委託しない」です")
    assert option_named("再委託しない", "公表済みでは「再委託しない」です")
    ii_4_7 = load_form().get("ii_4_7")
    only = choice_lines([ii_4_7], named_in="⑦を再委託しないにしたら？")
    assert len(only) == 1 and "「再委託しない」を選んだ場合、" in only[0] and "記載は不要です" in only[0]
    both = choice_lines([ii_4_7])
    assert len(both) == 2 and any("の記載が必要です" in x for x in both)


# --------------------------------------------------------------------------- computed facts said in plain words


def test_the_order_of_consultation_and_inspection_is_computed_from_the_dates(seed_engine):
    a = seed_engine.ask("パブコメを10/1〜10/31、審議会の点検を10/20に予定。問題ない？")
    assert a.topic is not None and a.topic.id == "procedure_order"
    assert _has(a, "31日間", "第三者点検（10月20日）が意見聴取の最終日（10月31日）より前", "順序が逆",
                "意見聴取の終了後（11月1日以降）")
    assert "令和" not in a.answer.split("\n")[0]  # no year was given: none is written back
    no_dates = seed_engine.ask("提出日を意見募集の最終日と同じ日にしてよいか")
    assert no_dates.topic is not None and no_dates.topic.id == "procedure_order"
    assert _has(no_dates, "意見聴取の終了後（最終日より後）に行います")


def test_the_threshold_says_what_is_not_required_and_which_side_of_a_limit_a_number_is_on(seed_engine):
    a = seed_engine.ask("対象人数5万人、取扱者100人、事故なし。どれが必要？")
    assert a.topic is not None and a.topic.id == "threshold"
    assert _has(a, "必要な評価は基礎項目評価です", "重点項目評価は不要です")
    edge = seed_engine.ask("対象者がちょうど30万人で取扱者100人の事務、評価は何が要る？")
    assert _has(edge, "対象人数がちょうど30万人の場合は、「30万人以上」の区分に入ります", "基礎項目評価と全項目評価")
    staff = seed_engine.ask("対象20万人、取扱者がちょうど500人なら重点項目評価で足りますか")
    assert _has(staff, "取扱者数がちょうど500人の場合は、「500人以上」に当たります",
                "重点項目評価は不要です（全項目評価がこれに代わります）")


def test_a_serious_incident_that_makes_the_threshold_heavier_means_doing_it_again(seed_engine):
    a = seed_engine.ask("対象8万人、取扱者200人で基礎項目だけやってきた。今年に入って重大事故が起きたがどうなる？")
    assert a.topic is not None and a.topic.id == "threshold"
    assert _has(a, "重大事故がなければ基礎項目評価で足りるところ", "基礎項目評価と重点項目評価が必要になります",
                "評価を再実施します")
    line = next(ln for ln in a.answer.splitlines() if "足りるところ" in ln)
    assert "重大事故" in a.citations[markers(line)[-1] - 1].text  # cited to the incident rule


def test_no_opinion_and_who_writes_a_review_sheet_and_after_publication(seed_engine):
    none = seed_engine.ask("パブコメで意見ゼロだった。⑤評価書への反映には何と書く？")
    assert _has(none, "空欄にせず", "評価書の変更はない旨")
    sheet = seed_engine.ask("県の全項目評価書にも審査記載事項は付きますか")
    assert sheet.topic is not None and sheet.topic.id == "review_local"
    assert _has(sheet, "行政機関等の評価書についてだけ作られ", "第三者点検")
    after = seed_engine.ask("評価書を公表した後のルールを教えて")
    assert after.topic is not None and after.topic.id == "yearly_review"
    assert _has(after, "少なくとも1年に1回", "5年を経過する前")


def test_a_choice_the_question_names_is_answered_with_what_it_switches(seed_engine):
    change = seed_engine.ask("Ⅲ 7. リスク1 ⑨を「発生なし」から「発生あり」に変えると重要な変更ですか")
    assert change.topic is not None and change.topic.id == "correction"
    assert _has(change, "で「発生あり」を選んだ場合は", "⑨再発防止策の内容」の記載が必要です")
    rule = seed_engine.ask("Ⅱ 4. は「委託しない」にした。その先の①〜⑨は書かなくていいか")
    assert rule.topic is not None and rule.topic.id == "entrustment_fields"
    assert _has(rule, "「Ⅱ 4. 委託の有無」で「委託しない」を選んだ場合、「Ⅱ 4. 各委託事項」", "記載は不要です")


def test_an_item_s_own_rule_from_the_form_is_in_its_answer(seed_engine):
    """zenkoumoku-form.md explains (別添1) (a flow chart and its explanation) and 全ての記録項目 (別添2を参照); the
    answer says so, whether the question reaches the item by its name or through the checkpoint it belongs to."""
    flow = seed_engine.ask("別添1はどんな図を描けばいい？")
    assert flow.topic is not None and flow.topic.kind == "form_item"
    assert _has(flow, "フロー図とその説明", "区別して示します")
    items = seed_engine.ask("記録する項目を全部書く場所はどこですか")
    assert items.checkpoints and items.checkpoints[0].id == "9"
    assert _has(items, "（別添2）特定個人情報ファイル記録項目に一覧で記載します")
    line = next(ln for ln in items.answer.splitlines() if "別添2" in ln)
    assert items.citations[markers(line)[-1] - 1].source.path == "knowledge/form.yaml"


# --------------------------------------------------------------------------- judging what is written


def test_a_question_about_judging_concreteness_gets_the_general_criterion(seed_engine):
    a = seed_engine.ask("委員として評価書の措置が具体的かどうかを見分ける基準は？")
    assert a.topic is not None and (a.topic.kind, a.topic.id) == ("procedure", "generic_wording")
    assert a.checkpoints[0].id in ("V10", "V11")
    assert _has(a, "誰が何を、どのシステム・文書で、どのくらいの頻度で行い、どう確認するか", "「適切に」")


def test_a_quoted_answer_of_a_named_item_is_judged_as_the_checker_judges_it(seed_engine):
    vague = "契約終了時に確実に消去させる"
    a = seed_engine.ask(f"Ⅲ 4. の消去ルールに「{vague}」と書いた。点検で何を言われる？")
    assert a.topic is not None and a.topic.kind == "form_item" and a.checkpoints[0].id == "45"
    verdict = seed_engine.judge_field("iii_4_erase_how", vague)
    assert verdict.status == "incomplete" and verdict.suggestion
    field = "Ⅲ 4. 消去ルール ルールの内容及びルール遵守の確認方法"
    assert _has(a, f"「{vague}」だけでは具体的ではなく、「{field}」の記載として不十分です",
                verdict.reasons[0].message, verdict.suggestion, "どのくらいの頻度")
    assert a.answer.count("どの細目でも同じ見方です") == 1
    concrete = ("契約終了後、委託先にデータを上書き消去させて消去証明書を提出させ、情報政策課の係長が内容を確認する")
    b = seed_engine.ask(f"Ⅲ 4. の消去ルールを「{concrete}」としました。足りますか")
    assert seed_engine.judge_field("iii_4_erase_how", concrete).status == "ok"
    assert _has(b, "点検しても指摘に当たりません") and "要修正" not in b.answer


def test_the_name_of_something_is_read_as_the_form_s_label_for_it(seed_engine):
    """"the name of X" / "X's name" reads as the form's own label X名 or Xの名称, when the form has one."""
    from bot.bilingual import to_japanese

    assert "委託先名" in to_japanese("Which box takes the name of the firm that we outsource to?").japanese
    assert "システムの名称" in to_japanese("Where does the system's name go?").japanese
    assert to_japanese("Where does the system's name go?").unknown == []
    assert "名" not in to_japanese("Which systems are named in Ⅰ 2.?").japanese  # no "name of": no label
    a = seed_engine.ask("In which part of the form do we enter the name of the vendor we outsource to?")
    assert a.topic is not None and (a.topic.kind, a.topic.id) == ("form_item", "Ⅱ 4. ⑥委託先名"), a.topic
    assert a.answer.startswith("In short:")


@pytest.mark.parametrize(
    "question",
    ["この企画書が具体的かどうか判断したい", "イベントの告知を公表したらその後の見直しは？",
     "住民5万人、職員100人の町です。防災訓練は何回必要？"],
)
def test_the_new_triggers_need_the_assessment(seed_engine, question):
    """Judging concreteness, what comes after publication, numbers of residents and staff: the assessment's only
    when the question is about the assessment (its measures, 評価, 対象人数 / 取扱者)."""
    a = seed_engine.ask(question)
    assert a.topic is not None and a.topic.kind == "out_of_scope" and not a.checkpoints, (question, a.topic)


def test_a_quoted_answer_of_a_named_item_comes_before_who_inspects(seed_engine):
    """A council member quoting a draft's answer asks about that answer, not about the third-party inspection."""
    a = seed_engine.ask("個人情報保護審議会の委員として町の案を見ています。Ⅲ 4. の提供ルールが"
                        "「関係者以外に提供しないよう指導する。」とだけありました。何を足してもらえばいいですか")
    assert a.topic is not None and a.topic.kind == "form_item" and a.checkpoints[0].id == "44", a.topic
    assert _has(a, "だけでは具体的ではなく", "不十分です")


def test_an_english_question_keeps_its_japanese_words_and_its_quoted_answer(seed_engine):
    from bot.bilingual import english_quotes, to_japanese

    reading = to_japanese("We ticked '宛名システム等' in I-2-(3) and left III-3 risk 1 blank.").japanese
    assert "宛名システム等" in reading and "Ⅰ 2 ③" in reading and "Ⅲ 3 リスク1" in reading and "空欄" in reading
    q = ("Our draft's III-4 erasure rule only says 'The contractor will erase the data appropriately in accordance "
         "with relevant laws.' Is that enough?")
    assert english_quotes(q) == ["The contractor will erase the data appropriately in accordance with relevant laws."]
    a = seed_engine.ask(q)
    assert a.topic is not None and a.topic.kind == "form_item", a.topic
    assert _has(a, "「The contractor will erase the data appropriately", "だけでは具体的ではなく")


# --------------------------------------------------------------------------- what a field must or must not contain


def test_a_field_that_follows_from_a_choice_cannot_be_left_out(seed_engine):
    """Asked whether the field a choice requires may be omitted: said plainly; not when the choice is not made."""
    a = seed_engine.ask("Ⅱ 4. で「委託する」を選んでいます。Ⅲ 4. は書くのが大変なので空欄で出してもいいですか")
    assert a.topic is not None and a.topic.id == "entrustment_fields", a.topic
    assert _has(a, "省略できず、記載が必要です")
    b = seed_engine.ask("委託していないので、Ⅲ 4. は空欄でいいですか")
    assert "省略できず" not in b.answer


def test_an_item_of_the_other_kind_of_body_is_not_written(seed_engine):
    local = seed_engine.ask("県庁の担当です。Ⅵ 4. の提出日には何を書けばいいですか")
    assert _has(local, "地方公共団体等の評価書では", "記載しません", "Ⅵ 3. 第三者点検")
    national = seed_engine.ask("独立行政法人の評価書で、Ⅵ 3. 第三者点検の結果はどう書きますか")
    assert _has(national, "行政機関等の評価書では", "記載しません", "Ⅵ 4. 個人情報保護委員会の承認")
    assert "記載しません" not in seed_engine.ask("市の評価書で、Ⅵ 3. 第三者点検の結果はどう書きますか").answer


def test_a_period_of_thirty_days_or_more_needs_no_reason(seed_engine):
    a = seed_engine.ask("意見募集を10月1日から10月31日まで行いました。Ⅵ 2. ③には何を書きますか")
    assert _has(a, "31日間", "記載は不要です")


def test_an_incident_the_threshold_no_longer_counts_still_goes_in_the_form(seed_engine):
    """A serious incident more than a year back: not counted for the threshold, but Ⅲ 7. リスク1 ⑨ looks back three
    years; a quoted 「重大事故」 names the notion and is no incident of its own."""
    a = seed_engine.ask("「重大事故」はいつまで数えますか。1年半前に漏えいが1件、対象12万人、取扱者300人です。"
                        "どの評価が必要？")
    assert a.topic is not None and a.topic.id == "threshold"
    assert _has(a, "過去1年以内の重大事故なし", "基礎項目評価と重点項目評価", "過去3年以内", "再発防止策")


# --------------------------------------------------------------------------- how the review treats what a draft says


def test_how_the_review_treats_a_choice_that_says_not_enough(seed_engine):
    a = seed_engine.ask("Ⅳ 1. ②監査で「十分に行っていない」を選んだ場合、審査する側ではどう扱われますか")
    assert a.topic is not None and (a.topic.kind, a.topic.id) == ("procedure", "weak_choice"), a.topic
    assert a.checkpoints[0].id in ("V10", "V11") and _has(a, "作成者に伝えるべき所見")


def test_review_logic_is_part_of_the_answers_about_its_checkpoints(seed_engine):
    """A viewpoint never reads better than its worst checkpoint and (11) is left to a person; a reasoned 該当なし is
    no finding; checkpoints of consideration ⑩ are one body's own, numbered from 74."""
    v10 = seed_engine.ask("観点(10)について教えてください")
    assert _has(v10, "最も悪いものより良くはなりません", "人が判断する確認事項")
    c32 = seed_engine.ask("細目32では何を見られますか")
    assert _has(c32, "理由のある該当なし", "指摘は不要です")
    tenth = seed_engine.ask("考慮事項⑩の細目はどの評価書でも同じものですか")
    assert tenth.topic is not None and tenth.topic.id == "body_specific_checkpoints", tenth.topic
    assert _has(tenth, "固有の懸念", "74から番号を振ります")


def test_a_change_named_in_everyday_words_is_read_through_the_glossary(seed_engine):
    a = seed_engine.ask("来月から入力作業の一部を孫請けに出すことになりました。評価書はどうすればいいですか")
    assert a.topic is not None and a.topic.id == "important_change", a.topic
    assert _has(a, "「Ⅱ 4. ⑦再委託の有無」の変更は重要な変更に当たる")


def test_a_choice_that_says_not_enough_is_the_assessment_s_only_about_its_items(seed_engine):
    a = seed_engine.ask("人事評価で「課題が残されている」と書かれました。どう扱われますか")
    assert a.topic is not None and a.topic.kind == "out_of_scope" and not a.checkpoints, a.topic
