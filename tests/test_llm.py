"""The LLM path of `pia ask` (and of the review sheet's measure selection).

Through the real provider package: langchain's init_chat_model -> langchain-openai -> a local OpenAI-compatible
server on loopback (tests/fake_openai.py) that records the requests. The citation validation is also exercised with
langchain's own fake chat models."""

from __future__ import annotations

import re

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from bot.answer import answer_question, templates
from bot.cli import main
from bot.llm import ChatLLM, select_measures, validate_cited
from fake_openai import FakeOpenAI
from seed_util import make_engine

USB_Q = "USBメモリへのコピーを防ぐ対策はどこに書く？"
NOTE_FALLBACK = templates()["answer"]["llm_fallback"].split("{")[0]
NOTE_DROPPED = templates()["answer"]["llm_dropped"].split("{")[0]


@pytest.fixture(scope="module")
def data_dir(seed_settings):
    """The session's data dir with the bundled knowledge indexed (conftest.py); these tests only read it."""
    return seed_settings.pia_data_dir


@pytest.fixture(scope="module")
def offline(data_dir):
    return make_engine(data_dir)


def llm_engine(data_dir, fake: FakeOpenAI, timeout: float = 10.0):
    return make_engine(data_dir, pia_llm="openai:gpt-fake", pia_llm_base_url=fake.base_url, pia_llm_timeout=timeout)


def sources_in(body: dict) -> int:
    user = body["messages"][-1]["content"]
    return len(re.findall(r"^\[(\d+)\] ", user, flags=re.M))


def test_answer_through_openai_compatible_server(data_dir, offline):
    def reply(body):
        n = sources_in(body)
        return (f"該当するのは細目39「不正な複製の防止」で、評価書のⅢ 3. リスク4に記載します[1]。\n"
                f"・過去の所見では、ダウンロード機能を設けないことが具体的と認められています[2]。\n"
                f"・資料は全部で{n}件です[{n}]。")

    with FakeOpenAI(reply) as fake:
        a = llm_engine(data_dir, fake).ask(USB_Q)
        assert len(fake.requests) == 1
        req = fake.requests[0]
    body = req["body"]
    assert req["path"] == "/v1/chat/completions"
    assert body["model"] == "gpt-fake"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    prompt = "\n".join(m["content"] for m in body["messages"])
    # the prompt carries the question and every retrieved source, numbered
    assert USB_Q in prompt
    assert a.citations and sources_in(body) == len(a.citations)
    for n, c in enumerate(a.citations, 1):
        assert f"[{n}] " in prompt
        assert c.text.strip()[:60] in prompt
    assert any(c.kind == "finding" and "複製" in c.text for c in a.citations)
    # the model's answer is used as it came, every sentence cited
    assert a.llm == "openai:gpt-fake"
    assert "細目39「不正な複製の防止」" in a.answer
    assert f"資料は全部で{len(a.citations)}件です[{len(a.citations)}]" in a.answer
    assert NOTE_FALLBACK not in a.answer and NOTE_DROPPED not in a.answer
    # the checkpoints are the retrieval's, not the model's
    assert a.checkpoints == offline.ask(USB_Q).checkpoints


def test_uncited_sentences_and_unknown_sources_are_dropped(data_dir):
    reply = ("細目39に当たります[1]。USBメモリは全面禁止が望ましいです。"
             "根拠のない出典を挙げた文です[99]。過去の所見が参考になります[2]。")
    with FakeOpenAI(reply) as fake:
        a = llm_engine(data_dir, fake).ask(USB_Q)
    assert a.llm == "openai:gpt-fake"
    assert "細目39に当たります[1]。" in a.answer and "過去の所見が参考になります[2]。" in a.answer
    assert "全面禁止" not in a.answer and "[99]" not in a.answer
    assert NOTE_DROPPED in a.answer and "2 件" in a.answer


def test_nothing_valid_falls_back_to_the_extractive_answer(data_dir, offline):
    with FakeOpenAI("出典を付けない回答です。もう一文。") as fake:
        a = llm_engine(data_dir, fake).ask(USB_Q)
    extractive = offline.ask(USB_Q)
    assert a.llm is None
    assert a.answer.startswith(extractive.answer)
    assert NOTE_FALLBACK in a.answer
    assert a.citations == extractive.citations


def test_server_error_falls_back(data_dir, offline):
    with FakeOpenAI("unused", status=500) as fake:
        a = llm_engine(data_dir, fake).ask(USB_Q)
        assert fake.requests  # it was really called
    assert a.llm is None
    assert a.answer.startswith(offline.ask(USB_Q).answer) and NOTE_FALLBACK in a.answer


def test_timeout_falls_back(data_dir, offline):
    with FakeOpenAI("遅すぎる回答[1]。", delay=3.0) as fake:
        a = llm_engine(data_dir, fake, timeout=0.5).ask(USB_Q)
    assert a.llm is None
    assert NOTE_FALLBACK in a.answer and "遅すぎる" not in a.answer


def test_no_support_never_calls_the_model(data_dir):
    with FakeOpenAI("呼ばれてはいけない[1]。") as fake:
        a = llm_engine(data_dir, fake).ask("明日の東京の天気と気温を教えてください")
        assert fake.requests == []
    assert a.answer == templates()["out_of_scope"].strip() and a.llm is None
    assert a.topic is not None and a.topic.kind == "out_of_scope"


# --------------------------------------------------------------------------- langchain fake chat models


def test_fake_list_model_uncited_dropped(offline):
    llm = ChatLLM(FakeListChatModel(responses=["記載欄はⅢ 3. リスク4です[1]。これは根拠がありません。"]), "fake:list")
    a = answer_question(offline, USB_Q, llm=llm)
    assert a.llm == "fake:list"
    assert a.answer.startswith("記載欄はⅢ 3. リスク4です[1]。")
    assert "根拠がありません" not in a.answer


def test_generic_fake_model_bad_marker_dropped(offline):
    model = GenericFakeChatModel(messages=iter([AIMessage(content="正しい文です[1]。間違った番号の文です[0]。")]))
    a = answer_question(offline, USB_Q, llm=ChatLLM(model, "fake:generic"))
    assert "正しい文です[1]。" in a.answer and "間違った番号" not in a.answer


def test_fake_model_empty_output_falls_back(offline):
    a = answer_question(offline, USB_Q, llm=ChatLLM(FakeListChatModel(responses=[""]), "fake:empty"))
    assert a.llm is None and NOTE_FALLBACK in a.answer
    assert a.checkpoints[0].id == "39"


def test_validate_cited_rules():
    r = validate_cited("A[1]。B。C[2][3]。D[4]。\n・E[2]\n・F", 3)
    assert r.text == "A[1]。C[2][3]。\n・E[2]"
    assert r.dropped == ["B。", "D[4]。", "・F"]
    # a marker written after the full stop stays with its sentence
    assert validate_cited("A。[1]B。[2]", 2).text == "A。[1]B。[2]"
    assert validate_cited("", 3).kept == []


def test_review_measures_must_be_verbatim_draft_text():
    draft = "操作ログは情報管理課長が毎月確認する。USB メモリの利用はシステムで禁止している。"
    clauses = ["操作ログは情報管理課長が毎月確認する", "USBメモリの利用はシステムで禁止している"]
    reply = ("[1] 操作ログは情報管理課長が毎月確認する\n"
             "[2] USBメモリの利用は全面的に禁止する\n"  # rewritten: not in the draft
             "[2] USBメモリの利用はシステムで禁止している")
    llm = ChatLLM(FakeListChatModel(responses=[reply]), "fake:list")
    out = select_measures(llm, "39. 不正な複製", clauses, draft, limit=4)
    assert out == ["操作ログは情報管理課長が毎月確認する", "USBメモリの利用はシステムで禁止している"]


def test_unknown_provider_is_a_configuration_error(data_dir, monkeypatch, capsys):
    from bot.settings import reset_settings

    monkeypatch.setenv("PIA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PIA_LLM", "nosuchprovider:some-model")
    reset_settings()
    try:
        assert main(["ask", USB_Q, "--json"]) == 2
    finally:
        reset_settings()
    err = capsys.readouterr().err
    assert "PIA_LLM" in err and len(err.strip().splitlines()) == 1


def test_follow_up_reaches_the_model_with_the_earlier_question(data_dir):
    with FakeOpenAI("細目39です[1]。") as fake:
        a = llm_engine(data_dir, fake).ask("じゃあ、その場合はどこに？", history=[USB_Q])
        prompt = fake.prompt_text()
    assert a.llm == "openai:gpt-fake"
    assert USB_Q in prompt and "じゃあ、その場合はどこに？" in prompt
