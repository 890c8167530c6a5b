"""Retrieval quality on knowledge/eval/questions.yaml: hit@1, hit@3 and MRR for checkpoints.

For each question the retriever is asked for checkpoint records (kind="checkpoint"); the rank is that of the first
hit whose checkpoint id is in the question's label. The three modes (lexical only, dense only, hybrid) run on the
same index so that their figures can be compared side by side.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from bot.engine import Engine
from bot.models import SearchMode
from bot.resources import knowledge_file

MODES: tuple[SearchMode, ...] = ("lexical", "dense", "hybrid")
DEPTH = 10
HELDOUT_FILE = "eval/questions_heldout.yaml"  # written without seeing the tuned set or the retriever


class Question(BaseModel):
    q: str
    expect: list[str]
    tags: list[str] = Field(default_factory=list)


class ModeScore(BaseModel):
    mode: str
    questions: int
    hit_at_1: float
    hit_at_3: float
    mrr: float


class Miss(BaseModel):
    q: str
    expect: list[str]
    got: list[str]
    rank: int | None


class TagScore(BaseModel):
    tag: str
    questions: int
    hit_at_1: float
    hit_at_3: float


class RetrievalEval(BaseModel):
    questions: int
    embedder: str
    modes: list[ModeScore]
    hybrid_by_tag: list[TagScore] = Field(default_factory=list, description="hybrid figures per question tag")
    misses: list[Miss] = Field(default_factory=list, description="hybrid questions not answered first")


def load_questions(path: Path | None = None) -> list[Question]:
    path = path or knowledge_file("eval/questions.yaml")
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [Question(**{**q, "expect": [str(x) for x in q["expect"]]}) for q in data["questions"]]


def load_heldout_questions() -> list[Question] | None:
    """The held-out set, reported apart from the tuned one; None when it is not shipped."""
    path = knowledge_file(HELDOUT_FILE)
    return load_questions(path) if path.is_file() else None


def rank_of(got: list[str], expect: list[str]) -> int | None:
    for i, cid in enumerate(got, 1):
        if cid in expect:
            return i
    return None


def evaluate_retrieval(engine: Engine, questions: list[Question] | None = None,
                       modes: tuple[SearchMode, ...] = MODES) -> RetrievalEval:
    questions = questions or load_questions()
    scores, misses = [], []
    by_tag: dict[str, list[int | None]] = {}
    for mode in modes:
        h1 = h3 = rr = 0.0
        for q in questions:
            hits = engine.search(q.q, kind="checkpoint", k=DEPTH, mode=mode)
            got = [h.id for h in hits]
            r = rank_of(got, q.expect)
            h1 += r == 1
            h3 += r is not None and r <= 3
            rr += 1.0 / r if r else 0.0
            if mode == "hybrid":
                for tag in q.tags or ["(none)"]:
                    by_tag.setdefault(tag, []).append(r)
                if r != 1:
                    misses.append(Miss(q=q.q, expect=q.expect, got=got[:5], rank=r))
        n = len(questions) or 1
        scores.append(ModeScore(mode=mode, questions=len(questions), hit_at_1=round(h1 / n, 4),
                                hit_at_3=round(h3 / n, 4), mrr=round(rr / n, 4)))
    tags = [
        TagScore(tag=t, questions=len(rs), hit_at_1=round(sum(r == 1 for r in rs) / len(rs), 4),
                 hit_at_3=round(sum(r is not None and r <= 3 for r in rs) / len(rs), 4))
        for t, rs in sorted(by_tag.items())
    ]
    return RetrievalEval(questions=len(questions), embedder=engine.embedder_name, modes=scores,
                         hybrid_by_tag=tags, misses=misses)
