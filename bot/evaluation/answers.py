"""Answer quality on knowledge/eval/answers_*.yaml: right-rate, abstention precision and recall, per kind.

Each question runs through engine.ask, the path `pia ask` takes. An answer is right when
- kind out_of_scope: it abstains (topic.kind == "out_of_scope") and points at no checkpoint;
- otherwise: it does not abstain, states every fact (each fact is a list of alternative key phrases, compared
  after NFKC without spaces, case-insensitively), and points first to an expected item.

"Points first": the answer's first pointers are its topic (a checkpoint or viewpoint id, a form item label, or the
home form item of a procedure rule), its first checkpoint and its first form item. An expectation is met by a
pointer that is the same (after NFKC, ignoring spaces), or, through the form (bot/form_refs.py):
- a form item expectation ('Ⅵ 2.') by a pointer at that item or inside it ('Ⅵ 2. ③'), or by a checkpoint on it;
- a checkpoint expectation ('48') by a form item pointer the checkpoint is on ('Ⅲ 4. その他のリスク').
An empty `expect` (for an in-scope question) asks for the facts alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from bot.catalog import normalize_checkpoint_id
from bot.resources import knowledge_file
from bot.text import compact

KINDS = ("procedure", "form_item", "checkpoint", "out_of_scope")


class AnswerQuestion(BaseModel):
    id: str
    q: str
    kind: str
    expect: list[str] = Field(default_factory=list)
    facts: list[list[str]] = Field(default_factory=list)
    note: str = ""


class AnswerMiss(BaseModel):
    id: str
    q: str
    kind: str
    expect: list[str]
    pointers: list[str]
    abstained: bool
    missing_facts: list[list[str]] = Field(default_factory=list)
    pointed_right: bool


class GroupScore(BaseModel):
    group: str
    questions: int
    right: int
    right_rate: float


class Abstention(BaseModel):
    out_of_scope: int = Field(description="questions labelled out_of_scope")
    abstained: int = Field(description="answers that abstained")
    correct: int = Field(description="out_of_scope questions that abstained")
    precision: float | None = Field(description="correct / abstained (None when nothing abstained)")
    recall: float | None = Field(description="correct / out_of_scope (None without out_of_scope questions)")
    pointed: int = Field(description="out_of_scope questions answered with a checkpoint pointer")


class AnswerSetEval(BaseModel):
    file: str
    questions: int
    right: int
    right_rate: float
    by_kind: list[GroupScore]
    by_language: list[GroupScore]
    abstention: Abstention
    misses: list[AnswerMiss] = Field(default_factory=list)


def answer_files() -> list[Path]:
    d = knowledge_file("eval")
    return sorted(d.glob("answers_*.yaml")) if d.is_dir() else []


def load_answer_questions(path: Path) -> list[AnswerQuestion]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    out: list[AnswerQuestion] = []
    for q in data.get("questions") or []:
        q = dict(q)
        q["id"] = str(q.get("id", len(out) + 1))
        q["expect"] = [str(x) for x in q.get("expect") or []]
        q["facts"] = [[str(a) for a in (f if isinstance(f, list) else [f])] for f in q.get("facts") or []]
        out.append(AnswerQuestion(**q))
    return out


# --------------------------------------------------------------------------- pointers


def pointers(answer) -> list[str]:
    """The answer's first pointers: topic, first checkpoint, first form item (see the module doc)."""
    from bot.procedures import load_procedures

    out: list[str] = []
    topic = answer.topic
    if topic is not None and topic.id:
        if topic.kind == "procedure":
            rule = next((r for r in load_procedures().rules if r.id == topic.id), None)
            if rule is not None and rule.form_items:
                out.append(rule.form_items[0])
        else:
            out.append(topic.id)
    if answer.checkpoints:
        out.append(answer.checkpoints[0].id)
    if answer.form_items:
        out.append(answer.form_items[0])
    return list(dict.fromkeys(out))


def _as_id(s: str) -> str | None:
    s = s.strip()
    if re.fullmatch(r"[VvＶ]\s*\(?\d{1,2}\)?|\(\d{1,2}\)|\d{1,3}", s):
        return normalize_checkpoint_id(s)
    return None


def _nodes(label: str):
    from bot.form_refs import resolve_item

    ref = resolve_item(label)
    return ref.nodes if ref is not None else None


def matches(expected: str, pointer: str) -> bool:
    from bot.form_refs import checkpoint_nodes, covers

    if compact(expected) == compact(pointer):
        return True
    e_id, p_id = _as_id(expected), _as_id(pointer)
    if e_id and p_id:
        return e_id == p_id
    if e_id:  # a checkpoint expected, a form item pointed at: the checkpoint is on that item
        p_nodes = _nodes(pointer)
        return bool(p_nodes) and covers(p_nodes, checkpoint_nodes(e_id))
    e_nodes = _nodes(expected)
    if not e_nodes:
        return False
    if p_id:  # a form item expected, a checkpoint pointed at: the checkpoint is on the item
        return covers(e_nodes, checkpoint_nodes(p_id))
    p_nodes = _nodes(pointer)
    return bool(p_nodes) and covers(e_nodes, p_nodes)


def missing_facts(answer_text: str, facts: list[list[str]]) -> list[list[str]]:
    text = compact(answer_text).lower()
    return [f for f in facts if not any(compact(a).lower() in text for a in f)]


# --------------------------------------------------------------------------- running


def _score(groups: dict[str, list[bool]]) -> list[GroupScore]:
    return [GroupScore(group=g, questions=len(v), right=sum(v), right_rate=round(sum(v) / len(v), 4))
            for g, v in groups.items() if v]


def evaluate_answer_file(engine, path: Path) -> AnswerSetEval:
    from bot.bilingual import is_english

    questions = load_answer_questions(path)
    by_kind: dict[str, list[bool]] = {k: [] for k in KINDS}
    by_lang: dict[str, list[bool]] = {"ja": [], "en": []}
    misses: list[AnswerMiss] = []
    oos = abstained = correct = pointed = 0
    for q in questions:
        a = engine.ask(q.q)
        did_abstain = a.topic is not None and a.topic.kind == "out_of_scope" and not a.checkpoints
        abstained += did_abstain
        ps = pointers(a)
        if q.kind == "out_of_scope":
            oos += 1
            correct += did_abstain
            pointed += bool(a.checkpoints)
            right, missing, pointed_right = did_abstain, [], did_abstain
        else:
            missing = missing_facts(a.answer, q.facts)
            pointed_right = not q.expect or any(matches(e, p) for e in q.expect for p in ps)
            right = not did_abstain and not missing and pointed_right
        by_kind.setdefault(q.kind, []).append(right)
        by_lang["en" if is_english(q.q) else "ja"].append(right)
        if not right:
            misses.append(AnswerMiss(id=q.id, q=q.q, kind=q.kind, expect=q.expect, pointers=ps,
                                     abstained=did_abstain, missing_facts=missing, pointed_right=pointed_right))
    n = len(questions)
    right_total = n - len(misses)
    return AnswerSetEval(
        file=Path(path).name,
        questions=n,
        right=right_total,
        right_rate=round(right_total / n, 4) if n else 0.0,
        by_kind=_score(by_kind),
        by_language=_score(by_lang),
        abstention=Abstention(out_of_scope=oos, abstained=abstained, correct=correct,
                              precision=round(correct / abstained, 4) if abstained else None,
                              recall=round(correct / oos, 4) if oos else None, pointed=pointed),
        misses=misses,
    )


def evaluate_answers(engine, paths: list[Path] | None = None) -> list[AnswerSetEval]:
    return [evaluate_answer_file(engine, p) for p in (paths or answer_files())]
