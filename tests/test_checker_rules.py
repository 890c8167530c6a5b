"""The rules rules.md added (consultation arithmetic, dates in order, number bands and counts within a file, the legal
basis of each 提供/移転, departments) and the honest statuses of the viewpoints. Each rule fires on a planted defect,
quotes the fields involved, and stays quiet on the legitimate answer next to it."""

from __future__ import annotations

import pytest

from _draft_builder import build_text
from bot.checker import check_draft
from bot.reports import summary_line

FLAGGED = ("incomplete", "missing")


@pytest.fixture(scope="module")
def engine(check_engine):
    return check_engine


@pytest.fixture
def check(tmp_path, engine):
    n = [0]

    def run(**overrides):
        n[0] += 1
        p = tmp_path / f"draft{n[0]}.txt"
        p.write_text(build_text(overrides=overrides), encoding="utf-8")
        report = check_draft(engine, p, precedents="none")
        return {r.id: r for r in report.checkpoints}, report

    return run


def flagged(results) -> set[str]:
    return {cid for cid, r in results.items() if r.status in FLAGGED}


def messages(result) -> str:
    return "\n".join(r.message for r in result.reasons)


# --------------------------------------------------------------------------- consultation arithmetic (V5)


def test_a_stated_count_that_disagrees_with_the_dates_is_a_defect(check):
    # 40 days by the dates (long enough), but the draft says 30: the count itself is wrong
    results, _ = check(vi_2_2="令和7年6月1日から令和7年7月10日まで（30日間）")
    assert flagged(results) == {"V5"}
    m = messages(results["V5"])
    assert "40日間" in m and "30日間" in m and "令和7年6月1日" in m and "令和7年7月10日" in m
    assert {r.code for r in results["V5"].reasons} == {"rule"}
    assert results["V5"].evidence[0].label == "実施日・期間"


@pytest.mark.parametrize("period", [
    "令和7年8月1日から8月30日まで（30日間）",  # both days counted: 30
    "令和7年6月1日から令和7年7月10日まで（40日間）",
    "令和7年6月1日から令和7年6月30日まで",
])
def test_a_count_that_agrees_with_the_dates_passes(check, period):
    results, _ = check(vi_2_2=period)
    assert "V5" not in flagged(results), results["V5"].reasons


def test_dates_given_backwards(check):
    results, _ = check(vi_2_2="令和7年6月30日から令和7年6月1日まで")
    assert flagged(results) == {"V5"}
    assert "令和7年6月1日" in messages(results["V5"])


# --------------------------------------------------------------------------- dates in order (V4)


def test_the_consultation_ends_before_the_third_party_inspection(check):
    # a local government (みなと市長): Ⅵ 3. ①第三者点検 on 6月20日, inside the consultation (6月1日〜6月30日)
    results, _ = check(vi_3_1="令和7年6月20日")
    assert flagged(results) == {"V4"}
    m = messages(results["V4"])
    assert "令和7年6月30日" in m and "令和7年6月20日" in m and "第三者点検" in m
    labels = {e.label for e in results["V4"].evidence}
    assert {"実施日・期間", "実施日"} <= labels


def test_the_consultation_ends_before_the_submission_of_a_national_body(check):
    national = {"cover_body": "防災給付庁長官", "vi_3_1": "", "vi_3_2": "", "vi_3_3": ""}
    results, _ = check(**national, vi_4_1="令和7年6月25日")
    assert flagged(results) == {"V4"}
    assert "提出日" in messages(results["V4"])
    results, _ = check(**national, vi_4_1="令和7年7月10日")
    assert not flagged(results)


def test_a_planned_go_live_comes_after_the_assessment(check):
    results, _ = check(cover_notes="新システムは令和7年5月1日に稼働する予定である。")
    assert flagged(results) == {"V4"} and "令和7年5月1日" in messages(results["V4"])
    # an existing system that went live years ago is being re-assessed: not a timing defect
    results, _ = check(cover_notes="現行システムは平成30年4月1日に稼働した。")
    assert not flagged(results)


# --------------------------------------------------------------------------- numbers that must agree


def test_people_and_the_largest_file_are_compatible_bands(check):
    # Ⅰ 1. ③ 1万〜10万 but the file holds 10万〜100万: the ranges do not meet
    results, _ = check(i_1_3="1万人以上10万人未満")
    assert flagged(results) == {"V1"}
    m = messages(results["V1"])
    assert "1万人以上10万人未満" in m and "10万人以上100万人未満" in m
    assert {r.code for r in results["V1"].reasons} == {"inconsistent"}
    # 30万人以上 (the work) and 10万〜100万 (the file) overlap
    results, _ = check(i_1_3="30万人以上", vi_1_2="基礎項目評価及び全項目評価の実施が義務付けられる")
    assert not flagged(results), {c: results[c].reasons for c in flagged(results)}


def test_an_entrustment_cannot_hold_more_people_than_its_file(check):
    results, _ = check(ii_4_2="特定個人情報ファイルの一部", ii_4_2_count="100万人以上1,000万人未満")
    assert flagged(results) == {"16", "V8"}
    m = messages(results["16"])
    assert "100万人以上1,000万人未満" in m and "10万人以上100万人未満" in m
    results, _ = check(ii_4_2="特定個人情報ファイルの一部", ii_4_2_count="1万人以上10万人未満")
    assert not flagged(results)


def test_a_recipient_cannot_receive_more_people_than_the_file_holds(check):
    results, _ = check(ii_5_p4="100万人以上1,000万人未満")
    assert flagged(results) == {"19", "V8"}
    assert "提供先" in messages(results["19"])


# --------------------------------------------------------------------------- the legal basis of a provision


@pytest.mark.parametrize("basis,problem", [
    ("地方税法第294条", "第19条"),  # only the sector law
    ("番号利用法第19条", "号"),  # no 号
])
def test_each_provision_cites_article_19_and_its_go(check, basis, problem):
    results, _ = check(ii_5_p1=basis)
    assert flagged(results) == {"19", "V8"}
    m = messages(results["19"])
    assert basis in m and problem in m


@pytest.mark.parametrize("basis", ["番号利用法第19条第8号", "番号法第十九条第八号及び別表第二",
                                   "行政手続における特定の個人を識別するための番号の利用等に関する法律第19条第8号"])
def test_a_basis_with_article_19_and_its_go_passes(check, basis):
    results, _ = check(ii_5_p1=basis)
    assert not flagged(results), results["19"].reasons


def test_a_transfer_cites_the_provision_allowing_the_use(check):
    transfer = {"ii_5_umu": ["提供を行っている", "移転を行っている"],
                "ii_5_m2": "国民健康保険税の所得割額の算定のため。", "ii_5_m3": "住民税の課税情報",
                "ii_5_m5": "国民健康保険の被保険者", "ii_5_m6": ["庁内連携システム"], "ii_5_m7": "毎月"}
    results, _ = check(**transfer, ii_5_m1="地方税法第294条")
    assert "20" in flagged(results)
    assert "地方税法第294条" in messages(results["20"]) and "第9条" in messages(results["20"])
    results, _ = check(**transfer, ii_5_m1="番号法第9条第1項及び別表の48の項")
    assert "20" not in flagged(results), results["20"].reasons
    results, _ = check(**transfer, ii_5_m1="番号法第9条第2項、みなと市個人番号の利用に関する条例第3条")
    assert "20" not in flagged(results), results["20"].reasons


# --------------------------------------------------------------------------- departments (a point to confirm)


def test_a_department_not_found_among_the_files_is_a_point_to_confirm(check):
    results, report = check(i_7_1="総務部総務課")
    assert results["V7"].status == "review" and not flagged(results)
    m = messages(results["V7"])
    assert "総務部総務課" in m and "市民生活部市民課" in m
    assert report.summary.review >= 1
    # written differently but the same department
    results, _ = check(i_7_1="市民課")
    assert results["V7"].status == "ok"


# --------------------------------------------------------------------------- honest statuses


def test_a_viewpoint_is_never_better_than_its_checkpoints(check):
    results, _ = check(iii_2_r3_b="未定")
    assert results["28"].status == "incomplete"
    for vid in ("V10", "V11"):
        assert results[vid].status == "incomplete"
        assert "28" in messages(results[vid])
    results, _ = check(i_4_2="記載予定")
    assert results["6"].status == "incomplete" and results["V8"].status == "incomplete"


def test_what_no_rule_can_decide_is_to_be_confirmed_never_ok(check):
    results, report = check()
    assert not flagged(results)
    assert results["V3"].status == "review" and results["V11"].status == "review"
    assert results["V3"].reasons and results["V11"].reasons
    line = summary_line(report)
    assert line is not None and line != "指摘はありません。" and str(report.summary.review) in line


def test_a_withheld_part_needs_its_reason_and_saying_nothing_is_withheld_withholds_nothing(check):
    results, _ = check(cover_notes="システムの構成図の一部を非公表とした。")
    assert results["V3"].status == "incomplete"
    results, _ = check(cover_notes="本評価書に非公表とした部分はない。")
    assert results["V3"].status == "review", results["V3"].reasons  # (3) is left to a person, never a flag here
