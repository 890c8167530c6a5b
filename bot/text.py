"""Japanese text normalisation shared by every parser, the retriever and the checker.

- NFKC (full-width ASCII -> half-width, half-width katakana -> full-width), but circled numbers
  (①..⑳) and roman numerals (Ⅰ..Ⅻ) are kept as they are, because the form uses them as labels;
- roman numerals written `III` or `ＩＩＩ` in a section reference become `Ⅲ`;
- spaces inside Japanese words (left by PDF line wrapping in narrow cells) are removed.
"""

from __future__ import annotations

import re
import unicodedata

ROMAN = ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ", "Ⅶ", "Ⅷ", "Ⅸ", "Ⅹ"]
ASCII_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_SMALL_ROMAN = "ⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹ"

# Characters that make up Japanese words (kana, kanji, iteration marks, long vowel mark, CJK punctuation).
JP = (r"\u3005\u3006\u3007\u303b\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
      r"\u3000-\u303f\uff08\uff09\u300c-\u300f")
_JP_CLASS = f"[{JP}]"
_SPACE_IN_JP = re.compile(f"(?<={_JP_CLASS})[ \t\u3000]+(?={_JP_CLASS})")
# PDF wrapping also leaves a space between a Japanese character and the closing paren/digit run of a word,
# e.g. "特定個人情報 ファイル" (handled above) or "番号 利用法"; spaces next to ASCII words are kept.

_PROTECT = {c: f"\ue000{i:02d}" for i, c in enumerate(CIRCLED + "".join(ROMAN) + _SMALL_ROMAN)}
_RESTORE = {v: k for k, v in _PROTECT.items()}
_PROTECT_RE = re.compile("|".join(map(re.escape, _PROTECT)))
_RESTORE_RE = re.compile("\ue000\\d\\d")
# NFKC maps the small roman numerals to ascii; keep them as the capital ones instead.
_SMALL_TO_CAPITAL = str.maketrans(dict(zip(_SMALL_ROMAN, ROMAN, strict=True)))

# ASCII roman numeral used as a section number: standing alone, followed by a space and an item
# number ("III 2."), a Japanese character, a bracket, a separator or the end of the line.
_ASCII_ROMAN_RE = re.compile(
    r"(?<![A-Za-z0-9])(VIII|VII|VI|IV|IX|III|II|I|V|X)(?![A-Za-z0-9])(?=\s*(?:\d+[.．]|[" + JP + r"(（、,・]|$|\s*\n))",
    re.MULTILINE,
)


def nfkc_keep_labels(text: str) -> str:
    """NFKC, but keep circled numbers and roman numerals (NFKC would turn ① into 1 and Ⅲ into III)."""
    protected = _PROTECT_RE.sub(lambda m: _PROTECT[m.group(0)], text)
    normalized = unicodedata.normalize("NFKC", protected)
    restored = _RESTORE_RE.sub(lambda m: _RESTORE.get(m.group(0), m.group(0)), normalized)
    return restored.translate(_SMALL_TO_CAPITAL)


def canonical_roman(text: str) -> str:
    """`III 2.` / `ＩＩＩ 2.` -> `Ⅲ 2.` (only where the numeral is used as a section number)."""
    return _ASCII_ROMAN_RE.sub(lambda m: ROMAN[ASCII_ROMAN.index(m.group(1))], text)


def remove_spaces_in_japanese(text: str) -> str:
    return _SPACE_IN_JP.sub("", text)


def normalize(text: str) -> str:
    """The normal form every component compares text in."""
    if not text:
        return ""
    text = nfkc_keep_labels(text)
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    text = canonical_roman(text)
    text = remove_spaces_in_japanese(text)
    return text


def compact(text: str) -> str:
    """Normalised text with all white space removed: for matching labels against wrapped text."""
    return re.sub(r"\s+", "", normalize(text))


def roman_to_int(numeral: str) -> int | None:
    numeral = normalize(numeral).strip()
    if numeral in ROMAN:
        return ROMAN.index(numeral) + 1
    if numeral in ASCII_ROMAN:
        return ASCII_ROMAN.index(numeral) + 1
    return None


def circled_to_int(c: str) -> int | None:
    idx = CIRCLED.find(c)
    return idx + 1 if idx >= 0 else None


def int_to_circled(n: int) -> str:
    return CIRCLED[n - 1]


_JP_CHAR_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def japanese_ratio(text: str) -> float:
    """Share of kana/kanji among the letters of a text: tells a Japanese document from an English one."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if _JP_CHAR_RE.match(c)) / len(letters)


def pack(pieces: list[str], limit: int) -> list[str]:
    """Concatenate pieces greedily into parts of at most `limit` characters; a piece longer than that is cut."""
    parts, cur = [], ""
    for piece in pieces:
        if len(cur) + len(piece) > limit and cur:
            parts.append(cur)
            cur = ""
        while len(piece) > limit:
            parts.append(piece[:limit])
            piece = piece[limit:]
        cur += piece
    if cur:
        parts.append(cur)
    return parts
