"""Sudachi tokenisation for the lexical (BM25) side of retrieval.

Text is normalised with bot.text.normalize, then split with Sudachi (mode C, plus the mode-A parts of compound
words so that 委託先 also matches 委託). Tokens are Sudachi's normalised forms (表記ゆれ: 引越し/引っ越し); particles,
auxiliary verbs, symbols and a few function words are dropped. Form labels survive as tokens of their own:
roman numerals (Ⅲ), circled numbers (④) and numbered risks (リスク3), which Sudachi would otherwise reduce to bare
digits.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from bot.text import CIRCLED, ROMAN, normalize, pack

_DROP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
# Function words that carry no topic (the normalised forms Sudachi gives them).
_STOP = {
    "為る", "有る", "居る", "成る", "出来る", "言う", "思う", "良い", "いい", "よい", "無い", "ない", "こと", "事",
    "もの", "物", "ため", "為", "よう", "様", "とき", "時", "場合", "等", "など", "何", "なに", "どう", "どの",
    "どこ", "どれ", "どんな", "ここ", "これ", "それ", "その", "この", "あの", "そう", "こう", "書く", "教える",
    "いる", "ある", "する", "なる", "くれる", "もらう", "貰う", "下さる", "ください", "です", "ます", "の", "ん",
    "か", "ね", "よ", "な", "つく", "付く", "について", "おく", "置く", "みる", "見る", "しまう", "仕舞う",
}
# Form labels kept verbatim: Ⅲ, ④, リスク3 / リスク 3.
_LABEL_RE = re.compile(r"リスク\s*(\d{1,2})|([" + "".join(ROMAN) + CIRCLED + r"])")


@lru_cache(maxsize=1)
def sudachi_dictionary():
    """The one Sudachi core dictionary of the process (~75 MB each): every tokenizer object is made from it."""
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def new_tokenizer():
    """A Sudachi tokenizer object on the shared dictionary (not thread-safe: its owner keeps a lock)."""
    d = sudachi_dictionary()
    return d.tokenizer() if hasattr(d, "tokenizer") else d.create()


class SudachiTokenizer:
    def __init__(self):
        from sudachipy import SplitMode

        self._tok = new_tokenizer()
        self._mode_c = SplitMode.C
        self._mode_a = SplitMode.A
        self._lock = threading.Lock()  # a Sudachi tokenizer object is not thread-safe

    def tokens(self, text: str) -> list[str]:
        text = normalize(text)
        out: list[str] = []
        for m in _LABEL_RE.finditer(text):
            out.append(f"リスク{int(m.group(1))}" if m.group(1) else m.group(2))
        text = _LABEL_RE.sub(lambda m: " リスク " if m.group(1) else " ", text)
        with self._lock:
            for chunk in _chunks(text):
                for m in self._tok.tokenize(chunk, self._mode_c):
                    pos = m.part_of_speech()[0]
                    if pos in _DROP_POS:
                        continue
                    form = m.normalized_form().lower()
                    if form in _STOP or not form.strip():
                        continue
                    out.append(form)
                    subs = m.split(self._mode_a)
                    if len(subs) > 1:
                        for s in subs:
                            sf = s.normalized_form().lower()
                            if sf != form and sf not in _STOP and s.part_of_speech()[0] not in _DROP_POS:
                                out.append(sf)
        return out


    def words(self, text: str) -> list[tuple[str, list[str], str]]:
        text = _LABEL_RE.sub(" ", normalize(text))
        out: list[tuple[str, list[str], str]] = []
        with self._lock:
            for chunk in _chunks(text):
                for m in self._tok.tokenize(chunk, self._mode_c):
                    pos = m.part_of_speech()[0]
                    if pos in _DROP_POS:
                        continue
                    form = m.normalized_form().lower()
                    if form in _STOP or not form.strip():
                        continue
                    subs = [s.normalized_form().lower() for s in m.split(self._mode_a)]
                    out.append((form, [s for s in subs if s != form] if len(subs) > 1 else [], pos))
        return out


def _chunks(text: str, limit: int = 10000) -> list[str]:
    """Sudachi refuses inputs above ~49 KB; split long texts on line breaks."""
    if len(text.encode("utf-8")) < 40000:
        return [text]
    return pack(text.splitlines(keepends=True), limit)


@lru_cache(maxsize=1)
def get_tokenizer() -> SudachiTokenizer:
    return SudachiTokenizer()


def tokenize(text: str) -> list[str]:
    return get_tokenizer().tokens(text)


def words(text: str) -> list[tuple[str, list[str], str]]:
    """Content words (Sudachi mode C, normalised forms) with their mode-A parts and part of speech:
    [('委託先', ['委託', '先'], '名詞'), ...]. Particles, auxiliaries, symbols and function words are dropped as in
    tokenize()."""
    return get_tokenizer().words(text)
