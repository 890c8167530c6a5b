"""Rules of rules.md computed from a question's own dates, numbers and quotes (bot/procedure_cases.py): the
consultation period counted with both days, number bands compared as ranges, the time since the last assessment
against five years, a quoted legal basis and a quoted measure judged as the checker judges a draft."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.procedure_cases import (
    band_case,
    basis_verdict,
    consultation_period_case,
    elapsed_case,
    generic_quote,
    months_ja,
    people_range,
    quoted,
)

TODAY = dt.date(2025, 4, 1)


# --------------------------------------------------------------------------- consultation period


@pytest.mark.parametrize(
    ("question", "days", "short", "stated", "stated_wrong"),
    [
        ("パブコメを令和8年1月5日から2月3日まで実施します。期間は大丈夫？", 30, False, None, False),
        ("意見募集は令和7年6月2日～令和7年6月30日の予定", 29, True, None, False),
        ("Ⅵ 2. ②に「令和7年6月1日から令和7年6月30日まで（31日間）」と書いた", 30, False, 31, True),
        ("2025年9月1日から2025年10月1日まで（31日間）", 31, False, 31, False),
        ("R7.8.1～R7.8.30で意見聴取", 30, False, None, False),
    ],
)
def test_the_consultation_period_is_counted_with_both_days(question, days, short, stated, stated_wrong):
    case = consultation_period_case(question, today=TODAY)
    assert case is not None
    assert (case.days, case.short, case.stated, case.stated_wrong) == (days, short, stated, stated_wrong)


def test_a_period_without_years_and_across_the_new_year():
    case = consultation_period_case("パブコメは12月15日から1月10日までです", today=TODAY)
    assert case is not None
    assert (case.start, case.end) == (dt.date(2025, 12, 15), dt.date(2026, 1, 10))
    assert case.days == 27 and case.short
    assert case.last_day_for_minimum == dt.date(2026, 1, 13)  # the 30th day


def test_no_period_without_two_dates():
    assert consultation_period_case("パブコメは何日以上？", today=TODAY) is None
    assert consultation_period_case("意見聴取は令和7年6月1日に始めます", today=TODAY) is None


# --------------------------------------------------------------------------- number bands


def test_bands_with_different_limits_are_compared_as_ranges():
    case = band_case("対象人数は「30万人以上」、本人の数は「10万人以上100万人未満」")
    assert case is not None and case.compatible and not case.part_exceeds
    assert people_range(case.low, case.high) == "30万人以上100万人未満"
    apart = band_case("Ⅰ 1. ③は「1万人以上10万人未満」、Ⅱ 2. ②は「10万人以上100万人未満」")
    assert apart is not None and not apart.compatible
    small = band_case("対象人数「1,000人以上1万人未満」と本人の数「1万人未満」")
    assert small is not None and small.compatible
    assert people_range(small.low, small.high) == "1,000人以上1万人未満"


def test_a_part_s_band_may_not_lie_above_its_file_s():
    case = band_case("ファイルの本人の数は「1万人以上10万人未満」なのに、"
                     "委託事項の対象となる本人の数を「10万人以上100万人未満」にした")
    assert case is not None and case.part_exceeds
    fits = band_case("ファイルの本人の数は「10万人以上100万人未満」、提供先の④は「1万人未満」")
    assert fits is not None and not fits.part_exceeds


def test_one_band_is_no_case():
    assert band_case("対象人数は「30万人以上」です") is None


# --------------------------------------------------------------------------- time since the last assessment


@pytest.mark.parametrize(
    ("question", "months", "due"),
    [
        ("前回の全項目評価から4年半たちました", 54, False),
        ("評価書を公表してから3年経ちましたが何か必要？", 36, False),
        ("前回の評価から5年以上経過しています", 60, True),
        ("評価を実施してから1年3か月になります", 15, False),
        ("3年前に評価したきりです", 36, False),
        ("前回の評価から六年たった", 72, True),
        ("評価を実施して5年2か月になります", 62, True),
    ],
)
def test_time_since_the_last_assessment(question, months, due):
    case = elapsed_case(question)
    assert case is not None and (case.months, case.due) == (months, due)


def test_no_elapsed_time_without_the_assessment_it_counts_from():
    assert elapsed_case("システムを導入して4年たちました") is None
    assert elapsed_case("パブコメは何日以上？") is None
    assert months_ja(54) == "4年6か月" and months_ja(6) == "6か月" and months_ja(60) == "5年"


# --------------------------------------------------------------------------- quotes


def test_a_quoted_legal_basis_is_judged_as_the_checker_judges_it():
    assert quoted("①に「地方税法」と書いた。『番号法』は？") == ["地方税法", "番号法"]
    problem = basis_verdict("地方税法")
    assert problem is not None and "第19条" in problem
    assert "号" in (basis_verdict("番号法第十九条") or "")
    assert basis_verdict("番号法第19条第8号") is None
    assert basis_verdict("番号法第9条第1項", transfer=True) is None
    assert basis_verdict("地方税法", transfer=True) is not None


def test_a_quoted_generic_promise_is_found():
    assert generic_quote("全部「関係法令に基づき適切に取り扱う」で埋めた") == "関係法令に基づき適切に取り扱う"
    assert generic_quote("「必要な措置を講じる」と書いた") is not None
    assert generic_quote("「担当課長が毎月、操作ログをチェックリストで確認する」と書いた") is None
    assert generic_quote("引用なしで適切に管理すると書いた") is None  # only what the question quotes


# --------------------------------------------------------------------------- consultation before inspection


def test_the_inspection_date_is_set_against_the_consultation_s_last_day():
    from bot.procedure_cases import order_case

    wrong = order_case("意見募集を11月1日から11月30日まで行い、11月20日に審議会へ諮問します", today=TODAY)
    assert wrong is not None and wrong.step == "第三者点検" and not wrong.in_order
    assert wrong.period.days == 30 and not wrong.period.dated
    right = order_case("パブコメ 10/1～10/31、第三者点検は11/12の予定", today=TODAY)
    assert right is not None and right.in_order and right.period.end.day == 31
    national = order_case("令和8年2月1日から3月2日まで意見募集、委員会への提出は令和8年2月20日", today=TODAY)
    assert national is not None and national.step == "提出" and not national.in_order
    assert order_case("パブコメは6月1日から6月30日までです", today=TODAY) is None  # no third date
    # the two dates joined as a period are the period, whatever comes first
    case = consultation_period_case("点検を9/10に入れて、パブコメは9/1〜9/30", today=TODAY)
    assert case is not None and (case.start.day, case.end.day, case.days) == (1, 30, 30)


def test_the_date_of_the_last_assessment_is_counted_to_today():
    import datetime as dt

    case = elapsed_case("評価書の公表は令和2年11月でした。そろそろ見直しが要りますか", today=dt.date(2025, 5, 1))
    assert case is not None and case.since == dt.date(2020, 11, 1) and case.months == 54 and not case.due
    assert elapsed_case("2021年2月に評価書を公表しました", today=dt.date(2025, 5, 1)).months == 51  # type: ignore[union-attr]
    assert elapsed_case("評価書は令和9年3月に公表する予定です", today=dt.date(2025, 5, 1)) is None  # not yet


def test_a_date_is_the_assessment_s_only_with_the_assessment_named():
    import datetime as dt

    today = dt.date(2025, 5, 1)
    assert elapsed_case("有給休暇の承認が令和6年4月でした。そろそろ取り直し？", today=today) is None
    assert elapsed_case("人事評価の公表は令和4年1月でした。今年もやりますか", today=today) is None
