"""The minutes parser on the seed (第337回) and on a synthetic meeting with two agenda items; detect_kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import PiaError
from bot.models import Source
from bot.resources import knowledge_file
from indexer.classify import detect_kind
from indexer.minutes_parser import NotMinutesError, checkpoints_named, parse_minutes, refers_to

DATA = Path(__file__).parent / "data"
SEED = knowledge_file("sources/minutes_337_2025-10-22.txt")
SYNTH = DATA / "minutes_340_synthetic.txt"


@pytest.fixture(scope="module")
def seed():
    return parse_minutes(SEED.read_text(encoding="utf-8"), Source(path=str(SEED), kind="minutes"))


@pytest.fixture(scope="module")
def synth():
    return parse_minutes(SYNTH.read_text(encoding="utf-8"))


def test_seed_header(seed):
    assert seed.meeting_number == 337  # not 335, the earlier meeting the secretariat mentions
    assert seed.date == "2025-10-22"
    assert seed.attendees == [
        "手塚委員長", "大島委員", "浅井委員", "清水委員", "藤本委員", "梶田委員", "高村委員", "小笠原委員",
        "西中事務局次長", "戸梶総務課長", "香月参事官", "日置参事官", "片岡参事官", "澤田参事官",
    ]
    assert len(seed.agenda) == 1
    assert seed.agenda[0].startswith("出入国在留管理庁長官(外国人の在留資格に係る許可に関する事務")
    assert seed.agenda[0].endswith("の全項目評価書(新規実施)について")


def test_seed_turns(seed):
    assert [(t.speaker, t.role) for t in seed.turns] == [
        ("戸梶総務課長", "総務課長"),
        ("手塚委員長", "委員長"),
        ("事務局", "事務局"),
        ("手塚委員長", "委員長"),
        ("清水委員", "委員"),
        ("手塚委員長", "委員長"),
    ]
    secretariat = seed.turns[2].text
    # continuation lines belong to the turn, and the paragraph broken by the page ("問題は認められない" /
    # "としております。") is joined
    assert "(5)として、事務フローの変更" in secretariat
    assert "問題は認められないとしております。" in secretariat
    assert "御説明がございました。" in seed.turns[4].text


def test_seed_only_the_commissioners_substantive_remark(seed):
    assert len(seed.remarks) == 1  # the chair's turns are all procedure
    r = seed.remarks[0]
    assert r.speaker == "清水委員"
    assert r.refers_to == ["(3)"]
    assert {"70", "71"} <= set(r.checkpoints)
    assert "74" not in r.checkpoints  # body-specific words of another sheet do not link
    assert r.assessment.startswith("出入国在留管理庁長官(") and not r.assessment.endswith("について")
    assert r.source.meeting == 337 and r.source.date == "2025-10-22" and r.source.kind == "minutes"
    assert r.source.agency == "出入国在留管理庁長官"
    assert r.source.path == str(SEED)
    assert "デジタル庁と緊密な連携を図りながら" in r.text
    assert r.id


def test_synthetic_meeting(synth):
    assert synth.meeting_number == 340
    assert synth.date == "2025-12-03"
    assert synth.attendees == ["手塚委員長", "大島委員", "浅井委員", "清水委員", "藤本委員", "西中事務局次長",
                               "香月参事官"]
    assert synth.agenda == [
        "みどり市長(住民基本台帳に関する事務)の全項目評価書について",
        "個人情報保護法の施行状況について",
    ]
    by = {r.speaker: r for r in synth.remarks}
    assert set(by) == {"大島委員", "浅井委員", "藤本委員"}  # 清水委員「特にございません。」is no remark
    assert by["大島委員"].refers_to == ["(1)", "(2)"]
    assert set(by["大島委員"].checkpoints) == {"66", "47"}  # 死者の個人番号, 再委託
    assert by["浅井委員"].checkpoints == ["75"]  # 「主な考慮事項(細目)」の75番, across a page break
    assert "作業者が特定個人情報に触れる" in by["浅井委員"].text
    assert by["浅井委員"].assessment == "みどり市長(住民基本台帳に関する事務)の全項目評価書"
    # the second agenda item is what 藤本委員 spoke about
    assert by["藤本委員"].assessment == "個人情報保護法の施行状況"
    assert by["藤本委員"].source.agency is None
    assert len({r.id for r in synth.remarks}) == 3


@pytest.mark.parametrize(
    "text,expected",
    [
        ("審査記載事項(3)に記載されていますように", ["(3)"]),
        ("審査記載事項の（１）及び（２）について", ["(1)", "(2)"]),
        ("審査記載事項(2)、(4)の点", ["(2)", "(4)"]),
        ("審査書の記載について", []),
    ],
)
def test_refers_to(text, expected):
    assert refers_to(text) == expected


def test_checkpoints_named():
    assert checkpoints_named("細目74について") == ["74"]
    assert checkpoints_named("自己点検・監査の実効性") == ["70", "71"]
    assert checkpoints_named("特にございません。") == []


@pytest.mark.parametrize("text", ["", "本日は晴天なり。\n議題はありません。",
                                  "Minutes of the board meeting.\nJohn: hello"])
def test_not_minutes(text):
    with pytest.raises(NotMinutesError) as e:
        parse_minutes(text)
    assert isinstance(e.value, PiaError) and "議事録" in str(e.value)


# --------------------------------------------------------------------------- detect_kind


def test_detect_kind_on_the_seeds_and_fixtures():
    assert detect_kind(SEED.read_text(encoding="utf-8")) == "minutes"
    assert detect_kind(SYNTH.read_text(encoding="utf-8")) == "minutes"
    review = knowledge_file("sources/review_isa_2025-09-30.txt").read_text(encoding="utf-8")
    assert detect_kind(review) == "review_sheet"
    assert detect_kind((DATA / "review_city_juki.txt").read_text(encoding="utf-8")) == "review_sheet"


def test_detect_kind_guideline_and_other():
    guideline = (
        "特定個人情報保護評価指針\n\n第１ 特定個人情報保護評価の意義\n本文\n第２ 定義\n本文\n"
        "第３ 特定個人情報保護評価の実施主体\n本文\n"
    )
    assert detect_kind(guideline) == "guideline"
    assert detect_kind("特定個人情報保護評価指針の解説\n\n指針の考え方を説明する。") == "guideline"
    assert detect_kind("") == "other"
    assert detect_kind("An English annual report.\nRevenue grew by 5%.") == "other"
    # a draft assessment mentions the guideline in its text but is not the guideline, nor a review sheet
    draft = (
        "特定個人情報保護評価書（全項目評価書）\n評価書名 住民基本台帳に関する事務\n"
        "個人のプライバシー等の権利利益の保護の宣言\n"
        "みどり市は、特定個人情報保護評価指針に基づき、リスクを軽減するための措置を講じる。\n"
    )
    assert detect_kind(draft) == "other"
