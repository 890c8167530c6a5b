"""bot.text: the normal form every parser, the retriever and the checker compare Japanese text in."""

from __future__ import annotations

import pytest

from bot.text import (
    canonical_roman,
    circled_to_int,
    compact,
    int_to_circled,
    japanese_ratio,
    normalize,
    remove_spaces_in_japanese,
    roman_to_int,
)


@pytest.mark.parametrize(
    "raw,expected",
    [
        # NFKC: full-width ASCII and digits -> half-width, half-width katakana -> full-width (voiced marks composed)
        ("ＡＢＣ１２３", "ABC123"),
        ("ｱｲｳｴｵ ｶﾞｷﾞ", "アイウエオガギ"),
        ("（別添１）", "(別添1)"),
        ("リスク１：", "リスク1:"),
        # circled numbers are labels of the form: kept (plain NFKC would turn ① into 1)
        ("①②⑩⑳", "①②⑩⑳"),
        ("Ⅲ 7. リスク1 ⑤", "Ⅲ 7. リスク1 ⑤"),
        # roman numerals: kept as Ⅰ..Ⅵ (NFKC would make III), ASCII and full-width ones become canonical
        ("Ⅲ", "Ⅲ"),
        ("III 2. ③", "Ⅲ 2. ③"),
        ("ＩＩＩ 4. 再委託", "Ⅲ 4. 再委託"),
        ("IV 1. ①", "Ⅳ 1. ①"),
        ("I (別添1)", "Ⅰ (別添1)"),
        ("II、III", "Ⅱ、Ⅲ"),
        ("VI 2. ⑤", "Ⅵ 2. ⑤"),
        ("ⅲ", "Ⅲ"),
        # spaces left by PDF wrapping inside Japanese words are removed
        ("問題は 認めら れない", "問題は認められない"),
        ("特定個人情報 ファイル", "特定個人情報ファイル"),
        ("特定個人情報\u3000ファイル", "特定個人情報ファイル"),
        ("中間サーバー相当 機能", "中間サーバー相当機能"),
        # ... but not between Latin words, nor where a Japanese word meets an ASCII one
        ("I have a pen", "I have a pen"),
        ("Windows XP", "Windows XP"),
        ("ISO/IEC 27001", "ISO/IEC 27001"),
        ("e-Gov の意見", "e-Gov の意見"),
        ("", ""),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["ＩＩＩ 4. 再委託", "問題は 認めら れない", "①特定個人情報ファイル", "P.4 ～ P.5", "ｶﾞｷﾞ", "(10) 特定された リスク"],
)
def test_normalize_is_idempotent(raw):
    once = normalize(raw)
    assert normalize(once) == once


def test_half_and_full_width_forms_compare_equal():
    assert normalize("ＩＳＯ／ＩＥＣ２７００１") == normalize("ISO/IEC27001")
    assert normalize("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ") == normalize("マイナンバーカード") == "マイナンバーカード"
    assert compact("Ⅲ 4. 再 委託") == compact("III 4.再委託") == "Ⅲ4.再委託"


def test_compact_drops_all_white_space():
    assert compact(" 問題は　認められ\tない\n") == "問題は認められない"
    assert compact("P. 34") == "P.34"


def test_helpers():
    assert canonical_roman("III 2.") == "Ⅲ 2."
    assert canonical_roman("a CIA report") == "a CIA report"
    assert remove_spaces_in_japanese("該当 なし") == "該当なし"
    assert roman_to_int("III") == 3 and roman_to_int("Ⅳ") == 4 and roman_to_int("ＩＩ") == 2
    assert roman_to_int("X1") is None
    assert circled_to_int("⑩") == 10 and circled_to_int("a") is None
    assert int_to_circled(3) == "③"


def test_japanese_ratio_tells_japanese_from_english():
    assert japanese_ratio("特定個人情報保護評価書") == 1.0
    assert japanese_ratio("This is an English report.") == 0.0
    assert japanese_ratio("") == 0.0
    assert 0.3 < japanese_ratio("ISMSの認証を取得") < 1.0
