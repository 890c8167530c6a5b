"""Streaming an LLM answer: only sentences that pass the citation check are handed on, as soon as each is complete,
and the streamed text is exactly the answer the non-streaming path returns. Through the real provider package
(langchain-openai streaming server-sent events from tests/fake_openai.py) and with random chunkings."""

from __future__ import annotations

import random
import re
import time

import pytest

from bot.llm import CitedStream, validate_cited
from fake_openai import FakeOpenAI
from seed_util import make_engine

USB_Q = "USBメモリへのコピーを防ぐ対策はどこに書く？"
TEXTS = [
    "細目39に当たります[1]。USBメモリは全面禁止が望ましいです。根拠のない出典を挙げた文です[99]。"
    "過去の所見が参考になります[2]。",
    "該当するのは細目39「不正な複製の防止」で、Ⅲ 3. リスク4に記載します[1]。\n"
    "・過去の所見では具体的と認められています[2]。\n・資料は全部で3件です[3]。",
    "一文目。[1] 二文目です[2][3]\n\n三文目「引用」。[2]\n理由なし\n四つ目？[1]最後[12",
    "1つ目は「x」です。[1]2つ目は[2]です。3つ目 [3]。",
]


@pytest.mark.parametrize("text", TEXTS)
def test_streamed_validation_equals_the_whole_text_validation(text):
    expected = validate_cited(text, 3)
    rng = random.Random(7)
    for _ in range(200):
        emitted: list[str] = []
        stream = CitedStream(3, emitted.append)
        i = 0
        while i < len(text):
            n = rng.randint(1, 7)
            stream.feed(text[i:i + n])
            i += n
        got = stream.finish()
        assert got.kept == expected.kept and got.dropped == expected.dropped
        assert "".join(emitted) == "".join(expected.kept)


def test_a_sentence_is_handed_on_as_soon_as_the_next_one_begins():
    emitted: list[str] = []
    stream = CitedStream(2, emitted.append)
    stream.feed("細目41です[1]")
    assert emitted == []  # a marker or a stop may still follow
    stream.feed("。委託")
    assert emitted == ["細目41です[1]。"]
    stream.feed("先の話[")
    assert emitted == ["細目41です[1]。"]
    stream.feed("2]。出典のない文。次")
    assert emitted == ["細目41です[1]。", "委託先の話[2]。"]  # the uncited sentence is never handed on
    assert stream.finish().dropped == ["出典のない文。", "次"]


@pytest.fixture(scope="module")
def data_dir(seed_settings):
    return seed_settings.pia_data_dir


def test_engine_streams_validated_sentences_while_the_model_writes(data_dir):
    def reply(body):
        n = len(re.findall(r"^\[(\d+)\] ", body["messages"][-1]["content"], flags=re.M))
        return (f"該当するのは細目39「不正な複製の防止」です[1]。USBメモリは禁止が望ましいです。"
                f"過去の所見では、ダウンロード機能を設けないことが具体的と認められています[2]。"
                f"資料は全部で{n}件です[{n}]。")

    seen: list[tuple[float, str]] = []
    with FakeOpenAI(reply, chunk=6, chunk_delay=0.05) as fake:
        engine = make_engine(data_dir, pia_llm="openai:gpt-fake", pia_llm_base_url=fake.base_url)
        a = engine.ask(USB_Q, on_text=lambda s: seen.append((time.monotonic(), s)))
        assert fake.requests[0]["body"].get("stream") is True
        last_piece_at = fake.streamed[-1][0]
    assert a.llm == "openai:gpt-fake"
    texts = [s for _, s in seen]
    assert texts[0] == "該当するのは細目39「不正な複製の防止」です[1]。"
    assert all("USBメモリは禁止" not in s for s in texts)  # dropped: no citation
    assert "".join(texts).strip() in a.answer and a.answer.startswith("".join(texts).strip())
    assert seen[0][0] < last_piece_at  # the first sentence went out before the model had finished


def test_engine_without_streaming_gives_the_same_answer(data_dir):
    reply = "細目39に当たります[1]。出典のない文です。過去の所見が参考になります[2]。"
    with FakeOpenAI(reply) as fake:
        engine = make_engine(data_dir, pia_llm="openai:gpt-fake", pia_llm_base_url=fake.base_url)
        plain = engine.ask(USB_Q)
        streamed_parts: list[str] = []
        streamed = engine.ask(USB_Q, on_text=streamed_parts.append)
    assert plain.answer == streamed.answer and plain.citations == streamed.citations
    assert "".join(streamed_parts).strip() == "細目39に当たります[1]。過去の所見が参考になります[2]。"
