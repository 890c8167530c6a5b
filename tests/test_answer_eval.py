"""The answer evaluation of `pia eval` (bot/evaluation/answers.py): how an answer's pointers meet the expected items,
facts, abstention figures, and the CLI."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.evaluation.answers import evaluate_answer_file, load_answer_questions, matches, missing_facts, pointers
from bot.models import Answer, AnswerTopic, CheckpointRef


@pytest.mark.parametrize(
    ("expected", "pointer", "ok"),
    [
        ("V5", "V5", True),
        ("V5", "(5)", True),
        ("41", "41", True),
        ("41", "42", False),
        ("Ⅵ 2.", "Ⅵ 2. ③期間を短縮する特段の理由", True),  # a pointer inside the expected item
        ("Ⅵ 2. ③", "Ⅵ 2.", False),  # a broader pointer is not that item
        ("Ⅵ 2. ③", "Ⅵ 2. ②実施日・期間", False),
        ("Ⅵ2.②実施日・期間", "Ⅵ 2. ②実施日・期間", True),  # spaces do not count
        ("Ⅲ 4. その他のリスク", "48", True),  # a checkpoint on the expected item
        ("48", "Ⅲ 4. その他のリスク", True),  # the expected checkpoint is on the item pointed at
        ("Ⅲ 4. その他のリスク", "41", False),
        ("Ⅵ 2.", "V5", True),
        ("Ⅵ 2. ⑤", "73", True),
        ("表紙 宣言", "V12", True),
        ("表紙 宣言", "1", False),
        ("Ⅰ (別添1)", "7", True),
        ("Ⅵ (別添3)", "Ⅵ (別添3) 変更箇所", True),
    ],
)
def test_matches(expected, pointer, ok):
    assert matches(expected, pointer) is ok


def test_facts_compare_after_nfkc_without_spaces():
    text = "原則として３０日 以上の期間を設け、短縮する場合は理由を記載します。In short: 30 Days"
    assert missing_facts(text, [["30日"], ["短縮", "短い期間"], ["30 days"]]) == []
    assert missing_facts(text, [["5年"], ["30日"]]) == [["5年"]]


def test_pointers_of_a_procedure_answer_include_the_rule_home_item():
    a = Answer(answer="", topic=AnswerTopic(kind="procedure", id="consultation_period"),
               checkpoints=[CheckpointRef(id="V5", title="", section="")], form_items=["Ⅵ 2. ②実施日・期間"])
    assert pointers(a) == ["Ⅵ 2. ②実施日・期間", "V5"]
    o = Answer(answer="", topic=AnswerTopic(kind="out_of_scope"))
    assert pointers(o) == []


SET = """questions:
- id: T1
  q: パブコメは何日以上？
  kind: procedure
  expect: [V5, 'Ⅵ 2.']
  facts: [['30日'], ['短縮']]
- id: T2
  q: Ⅲ 4. その他のリスクには何を書く？
  kind: form_item
  expect: ['Ⅲ 4. その他のリスク']
  facts: [['委託']]
- id: T3
  q: 明日の天気は？
  kind: out_of_scope
  expect: []
  facts: []
- id: T4
  q: USBメモリへのコピーを防ぐ対策はどこに書く？
  kind: checkpoint
  expect: ['41']
  facts: [['複製']]
- id: T5
  q: 住民票の写しの取り方は？
  kind: procedure
  expect: [V4]
  facts: [['5年']]
"""


def test_evaluate_a_set(seed_engine, tmp_path):
    path = tmp_path / "answers_t.yaml"
    path.write_text(SET, encoding="utf-8")
    assert [q.id for q in load_answer_questions(path)] == ["T1", "T2", "T3", "T4", "T5"]
    r = evaluate_answer_file(seed_engine, path)
    assert (r.questions, r.right) == (5, 3)
    assert {m.id for m in r.misses} == {"T4", "T5"}  # T4 points at 39 (the label says 41); T5 abstains
    t4 = next(m for m in r.misses if m.id == "T4")
    assert not t4.pointed_right and not t4.abstained and t4.missing_facts == []
    t5 = next(m for m in r.misses if m.id == "T5")
    assert t5.abstained
    # two abstentions, one of them right
    ab = r.abstention
    assert (ab.abstained, ab.correct, ab.precision, ab.recall) == (2, 1, 0.5, 1.0)
    kinds = {g.group: (g.questions, g.right) for g in r.by_kind}
    assert kinds == {"procedure": (2, 1), "form_item": (1, 1), "checkpoint": (1, 0), "out_of_scope": (1, 1)}


def test_cli_eval_answers_json(seed_cli_env, tmp_path, capsys):
    path = tmp_path / "answers_t.yaml"
    path.write_text(SET, encoding="utf-8")
    assert main(["eval", "--only", "answers", "--answers", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"answers"}
    [res] = doc["answers"]
    assert res["file"] == "answers_t.yaml" and res["right"] == 3
    assert {m["id"] for m in res["misses"]} == {"T4", "T5"}
    assert set(res["abstention"]) >= {"precision", "recall", "out_of_scope", "abstained", "pointed"}
