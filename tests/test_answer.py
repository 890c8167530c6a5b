"""`pia ask` and bot/answer.py on the embedded default store built from the bundled seeds (no LLM)."""

from __future__ import annotations

import json
import re

import pytest

from bot.answer import explain_checkpoint, is_follow_up, retrieval_queries, templates
from bot.cli import main
from bot.errors import UnknownCheckpointError
from bot.text import compact
from seed_util import seed_finding_paragraphs

USB_Q = "USBメモリへのコピーを防ぐ対策はどこに書く？"


def markers(text: str) -> list[int]:
    return [int(m) for m in re.findall(r"\[(\d+)\]", text)]


def test_usb_question_cites_checkpoint_39_first_and_a_copy_finding(seed_engine):
    a = seed_engine.ask(USB_Q)
    assert a.llm is None
    assert a.checkpoints[0].id == "39"
    assert a.checkpoints[0].section == "Ⅲ 3. リスク4"
    findings = [c for c in a.citations if c.kind == "finding"]
    assert findings, a.answer
    copy = [c for c in findings if "複製" in c.text and "39" in c.checkpoints]
    assert copy, [c.text[:40] for c in findings]
    # quoted verbatim: the cited text is a paragraph of the seed review sheet, with its source
    assert compact(copy[0].text) in seed_finding_paragraphs()
    src = copy[0].source
    assert src.agency and "出入国在留管理庁" in src.agency
    assert src.date and src.date.startswith("2025")
    # the answer names the checkpoint and its form section and quotes the finding
    assert "39" in a.answer and "Ⅲ 3. リスク4" in a.answer
    assert copy[0].text.strip() in a.answer


def test_every_marker_points_at_a_citation(seed_engine):
    for q in [USB_Q, "委託先を選ぶときの確認は何を書けばいい？", "パブコメの期間は？", "死者の個人番号の保管方法"]:
        a = seed_engine.ask(q)
        assert a.citations, q
        ms = markers(a.answer)
        assert ms, q
        assert all(1 <= m <= len(a.citations) for m in ms), (q, ms, len(a.citations))
        # every citation is referred to by the text
        assert set(range(1, len(a.citations) + 1)) == set(ms), q


def test_answer_lists_measures_from_the_findings_it_cites(seed_engine):
    a = seed_engine.ask(USB_Q)
    cited = dict(enumerate(a.citations, 1))
    items = [line for line in a.answer.splitlines() if line.startswith("・")]
    assert items
    for line in items:
        n = markers(line)[-1]
        measure = re.sub(r"\s*\[\d+\]$", "", line[1:]).strip()
        assert compact(measure) in compact(cited[n].text)


def test_no_support_abstains_and_says_what_is_covered(seed_engine):
    a = seed_engine.ask("明日の東京の天気と気温を教えてください")
    assert a.answer == templates()["out_of_scope"].strip()
    assert a.topic is not None and a.topic.kind == "out_of_scope" and a.topic.id is None
    assert a.checkpoints == [] and a.citations == []
    assert "該当する審査の細目" not in a.answer and "見つかりませんでした" not in a.answer


def test_follow_up_is_retrieved_with_the_previous_question(seed_engine):
    follow = "じゃあ、その場合はどこに？"
    assert is_follow_up(follow, [USB_Q])
    assert not is_follow_up(USB_Q, None)
    assert len(retrieval_queries(follow, [USB_Q])) == 2
    alone = seed_engine.ask(follow)
    assert alone.checkpoints == []  # nothing to go on without the thread
    threaded = seed_engine.ask(follow, history=[USB_Q])
    assert threaded.checkpoints and threaded.checkpoints[0].id == "39"


def test_follow_up_changes_topic_to_subcontracting(seed_engine):
    a = seed_engine.ask("じゃあ再委託の場合は？", history=["委託先を選ぶときの確認は何を書けばいい？"])
    top3 = [c.id for c in a.checkpoints[:3]]
    assert "47" in top3 or "18" in top3, top3
    assert any("再委託" in c.text for c in a.citations)


def test_explain_checkpoint(seed_engine):
    a = explain_checkpoint(seed_engine, "39")
    assert [c.id for c in a.checkpoints] == ["39"]
    assert a.checkpoints[0].section == "Ⅲ 3. リスク4"
    assert any(c.kind == "finding" and "39" in c.checkpoints for c in a.citations)
    assert a.citations[0].kind == "checkpoint" and "不正に複製" in a.citations[0].text
    v = explain_checkpoint(seed_engine, "V5")
    assert v.checkpoints[0].id == "V5"


def test_explain_unknown_checkpoint_raises(seed_engine):
    with pytest.raises(UnknownCheckpointError) as e:
        explain_checkpoint(seed_engine, "999")
    assert e.value.exit_code == 2
    with pytest.raises(UnknownCheckpointError):
        explain_checkpoint(seed_engine, "abc")


def test_remark_from_the_minutes_is_cited_for_self_inspection(seed_engine):
    a = seed_engine.ask("自己点検・監査の実効性を高めるには、評価書に何を書けばいい？")
    assert a.checkpoints[0].id in {"70", "71"}
    remarks = [c for c in a.citations if c.kind == "remark"]
    assert remarks and "監査" in remarks[0].text
    assert remarks[0].source.date and remarks[0].source.date.startswith("2025")


def test_cli_ask_json_shape(seed_cli_env, capsys):
    assert main(["ask", USB_Q, "--json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert set(doc) == {"answer", "checkpoints", "citations", "topic", "llm"}
    assert doc["llm"] is None
    assert doc["topic"] == {"kind": "checkpoint", "id": "39"}
    assert doc["checkpoints"][0]["id"] == "39"
    assert all(set(c) == {"id", "title", "section", "score"} for c in doc["checkpoints"])
    assert all(set(c) == {"kind", "text", "source", "checkpoints"} for c in doc["citations"])
    assert all(set(c["source"]) == {"title", "agency", "date", "path"} for c in doc["citations"])
    scores = [c["score"] for c in doc["checkpoints"]]
    assert scores == sorted(scores, reverse=True)


def test_cli_ask_batch_is_json_lines_in_order(seed_cli_env, seed_engine, capsys, tmp_path):
    from bot.cli.ask import answer_json

    qs = [USB_Q, "委託先がちゃんと情報を守れる会社か、契約前にどう確認したか書く欄は？", "明日の天気は？"]
    f = tmp_path / "q.txt"
    f.write_text("\n".join(qs) + "\n", encoding="utf-8")
    assert main(["ask", "--batch", str(f), "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    docs = [json.loads(x) for x in lines]
    assert docs[0]["checkpoints"][0]["id"] == "39"
    assert docs[1]["checkpoints"] and any("委託" in c["text"] for c in docs[1]["citations"])
    assert docs[2]["checkpoints"] == []
    # the same answers, in the same order, as one question at a time
    assert docs == [answer_json(seed_engine.ask(q)) for q in qs]


def test_cli_ask_human_and_usage_errors(seed_cli_env, capsys):
    assert main(["ask", USB_Q]) == 0
    out = capsys.readouterr().out
    assert "出典:" in out and "39" in out
    assert main(["ask"]) == 2
    assert main(["ask", "--batch", "/nonexistent/q.txt", "--json"]) == 2


def test_english_question_out_of_scope_abstains_with_an_english_gist(seed_engine):
    a = seed_engine.ask("What is the weather tomorrow in Tokyo?")
    first, rest = a.answer.split("\n", 1)
    assert first == templates()["gist"]["out_of_scope"]
    assert rest == templates()["out_of_scope"].strip()
    assert a.topic is not None and a.topic.kind == "out_of_scope"
    assert a.checkpoints == [] and a.citations == []


def test_how_concrete_question_answers_with_the_rubric_items_and_precedents(seed_engine):
    from bot.rubrics import rubric_for

    a = seed_engine.ask("委託先の消去ルールはどこまで具体的に書けばいい？")
    assert a.checkpoints[0].id == "45"
    rubric = rubric_for("45")
    assert rubric is not None
    for item in rubric.items:
        assert item.name in a.answer
    lines = [ln for ln in a.answer.splitlines() if ln.startswith("- ")]
    assert len(lines) >= len(rubric.items)
    cited = dict(enumerate(a.citations, 1))
    for ln in lines:
        n = markers(ln)[-1]
        quoted = re.search(r"「(.+?)」", ln)
        if quoted:  # a precedent example is quoted from the finding it cites, with that finding's source
            assert compact(quoted.group(1).rstrip("…")) in compact(cited[n].text)
            assert cited[n].source.agency and "出入国在留管理庁" in cited[n].source.agency
    assert set(markers(a.answer)) == set(range(1, len(a.citations) + 1))
    # a question about how concrete to be also gets rules.md's general criterion, cited to its procedure rule
    assert "どの細目でも同じ見方です" in a.answer and "どのくらいの頻度" in a.answer
    # an ordinary question about a checkpoint gets the rubric too (what the reviewer looks for), not the criterion
    plain = seed_engine.ask(USB_Q)
    assert plain.checkpoints[0].id == "39"
    assert "具体的と認められる記載は" in plain.answer and "（細目39）" in plain.answer
    assert "どの細目でも同じ見方です" not in plain.answer


@pytest.mark.parametrize(
    ("question", "concrete"),
    [
        ("委託先の消去ルールはどこまで具体的に書けばいい？", True),
        ("研修の欄、どんな内容を書いておけば審査で十分と認められますか", True),
        ("アクセス記録の具体的な方法はどう書けば審査で通る？", True),
        ("技術的対策はどのように書くと審査で評価されますか", True),
        ("USBメモリへのコピーを防ぐ対策はどこに書く？", False),  # where, not how concrete
        ("審査で評価される項目はどれ？", False),  # nothing about writing
    ],
)
def test_a_question_about_how_concrete_is_recognised_by_its_meaning(question, concrete):
    """A question about how (or what) to write together with what the review accepts asks for the rubric."""
    from bot.rubrics import is_concreteness_question

    assert is_concreteness_question(question) is concrete


def test_how_concrete_in_other_words_gets_the_rubric(seed_engine):
    a = seed_engine.ask("技術的対策はどのように書くと審査で評価されますか")
    assert a.checkpoints[0].id == "63"
    assert "具体的と認められる記載は" in a.answer and "（細目63）" in a.answer
