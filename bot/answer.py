"""Answers to drafters' questions: which checkpoint, where in the form, what to write, the closest past findings.

answer_question(engine, question, history) first routes the question (route()):
1. a checkpoint named by number (細目41, 観点(5)) -> that checkpoint;
2. the assessment procedure (knowledge/procedures.yaml via bot/procedures.py): a change to a published assessment
   (important change or correction), a rule of rules.md computed from the question's own numbers, dates and quotes
   (the threshold, the consultation period, two number bands, the time since the last assessment, a quoted legal
   basis or generic measure: bot/procedure_cases.py), what one field's answer requires of others, or a procedure
   rule matched by its trigger words -> a procedure answer (bot/answer_topics.py);
3. a form item named by its place or label (bot/form_refs.py) -> a form item answer: its checkpoints, or what the
   form asks there;
4. otherwise retrieval: checkpoints, findings, remarks and guideline text with the hybrid retriever (engine.search;
   its checkpoint ranking already weighs aliases, form sections, explicit numbers and the past findings attributed
   to each checkpoint), composed from the retrieved material alone with the templates in
   knowledge/answer_templates.yaml; when nothing retrieved explains the question well enough (bot/relevance.py)
   the answer abstains (topic out_of_scope) and says what the assistant covers.
Every statement carries a [n] that points at Answer.citations. With PIA_LLM set, the model writes the retrieval
answer from the same numbered material (bot/llm.py) and its output is validated; on any failure the extractive
answer is returned with a note. English questions are read through the bilingual glossary (bot/bilingual.py); the
answer is in Japanese and opens with a one-line English gist.

A follow-up in a thread ("じゃあ再委託の場合は？") is retrieved together with the previous question(s).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from bot.catalog import Catalog, load_glossary, normalize_checkpoint_id
from bot.errors import UnknownCheckpointError
from bot.knowledge_base import KnowledgeBase
from bot.measures import finding_measures
from bot.models import Answer, AnswerTopic, CheckpointRef, Citation, RecordKind, SearchHit, Source
from bot.resources import knowledge_yaml
from bot.rubric_answer import rubric_lines
from bot.source_labels import ref_name, source_label
from bot.text import compact

log = logging.getLogger(__name__)

RRF_K = 5
K_CHECKPOINTS = 10
K_FINDINGS = 10
K_REMARKS = 4
K_GUIDELINE = 3
MAX_FINDINGS = 2
MAX_MEASURES = 4
MAX_RELATED = 2

# "細目39", "39番", "No.39", "(3)" in a question name a checkpoint or viewpoint explicitly.
_HIRAGANA_ONLY = re.compile(r"[\u3040-\u309f]+")


@lru_cache(maxsize=1)
def templates() -> dict:
    return knowledge_yaml("answer_templates.yaml")


# --------------------------------------------------------------------------- material


@dataclass
class Material:
    """What retrieval found for a question, before composing."""

    query: str
    refs: list[CheckpointRef] = field(default_factory=list)
    checkpoint_hits: dict[str, SearchHit] = field(default_factory=dict)
    findings: list[SearchHit] = field(default_factory=list)
    remarks: list[SearchHit] = field(default_factory=list)
    guidelines: list[SearchHit] = field(default_factory=list)
    explicit: list[str] = field(default_factory=list)


def is_follow_up(question: str, history: list[str] | None) -> bool:
    """A question that leans on the previous one: opens with じゃあ/では/その場合…, or is very short."""
    if not history:
        return False
    t = templates()["follow_up"]
    q = compact(question)
    return any(q.startswith(o) for o in t["openers"]) or len(q) <= int(t["short_chars"])


def retrieval_queries(question: str, history: list[str] | None) -> list[tuple[str, float]]:
    """(query, weight) pairs: the question itself, plus the question joined with the previous ones for follow-ups."""
    if not is_follow_up(question, history):
        return [(question, 1.0)]
    previous = [h for h in (history or []) if h and h.strip()][-2:]
    combined = "\n".join([*previous, question])
    if not _content_tokens(question):  # "その場合は？": nothing of its own to search with
        return [(question, 0.0), (combined, 1.0)]
    return [(question, 1.0), (combined, 0.6)]


def hit_checkpoints(hit: SearchHit) -> list[str]:
    if hit.checkpoints:
        return list(hit.checkpoints)
    cid = normalize_checkpoint_id(hit.id.split(":")[-1]) if hit.id else None
    return [cid] if cid else []


def explicit_checkpoints(question: str, catalog: Catalog) -> list[str]:
    """Checkpoints and viewpoints the question names by number (細目41, 41番, 観点(5)), as the retriever reads them."""
    from bot.retrieval import find_references, normalize_query

    return find_references(normalize_query(question), catalog).ids


def gather(engine: KnowledgeBase, question: str, history: list[str] | None = None) -> Material:
    """Retrieve and rank everything an answer can use."""
    catalog = engine.catalog
    queries = retrieval_queries(question, history)
    mat = Material(query=queries[-1][0])
    scores: dict[str, float] = defaultdict(float)
    findings: dict[str, tuple[float, SearchHit]] = {}
    remarks: dict[str, tuple[float, SearchHit]] = {}
    guidelines: dict[str, tuple[float, SearchHit]] = {}

    for q, w in queries:
        if w <= 0:
            continue
        # the retriever ranks checkpoints by their wording, aliases, form sections, explicit numbers and the
        # past findings attributed to them; its order is the answer's order (weighted over follow-up queries)
        for h in engine.search(q, kind="checkpoint", k=K_CHECKPOINTS):
            for cid in hit_checkpoints(h)[:1]:
                scores[cid] += w * float(h.score)
                mat.checkpoint_hits.setdefault(cid, h)
        for rank, h in enumerate(engine.search(q, kind="finding", k=K_FINDINGS)):
            key = h.id or h.text
            findings[key] = (findings.get(key, (0.0, h))[0] + w / (RRF_K + rank), h)
        for rank, h in enumerate(engine.search(q, kind="remark", k=K_REMARKS)):
            key = h.id or h.text
            remarks[key] = (remarks.get(key, (0.0, h))[0] + w / (RRF_K + rank), h)
        for rank, h in enumerate(engine.search(q, kind="guideline", k=K_GUIDELINE)):
            key = h.id or h.text
            guidelines[key] = (guidelines.get(key, (0.0, h))[0] + w / (RRF_K + rank), h)

    # a checkpoint the question names by number comes first even if its wording ranks low
    mat.explicit = explicit_checkpoints(question, catalog)
    top_score = max(scores.values(), default=1.0)
    for cid in reversed(mat.explicit):
        scores[cid] = top_score + scores.get(cid, 0.0) + 1e-3

    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    for cid, s in ranked:
        title, section = catalog.title(cid), catalog.section(cid)
        if title == cid and cid in mat.checkpoint_hits:  # a body-specific checkpoint a review sheet brought
            title = mat.checkpoint_hits[cid].text[:40]
        mat.refs.append(CheckpointRef(id=cid, title=title, section=section, score=round(s, 6)))
    mat.findings = [h for _, h in sorted(findings.values(), key=lambda x: -x[0])]
    mat.remarks = [h for _, h in sorted(remarks.values(), key=lambda x: -x[0])]
    mat.guidelines = [h for _, h in sorted(guidelines.values(), key=lambda x: -x[0])]
    return mat


# ------------------------------------------------------------------- support: does the material speak to the question?


@lru_cache(maxsize=4096)
def _content_tokens(text: str) -> frozenset[str]:
    from bot.tokenize import tokenize

    generic = set(templates().get("generic_terms", []))
    return frozenset(t for t in tokenize(text)
                     if len(t) >= 2 and t not in generic and not t.isdigit() and not _HIRAGANA_ONLY.fullmatch(t))


def _expanded_tokens(question: str) -> set[str]:
    tokens = set(_content_tokens(question))
    q = compact(question)
    for entry in load_glossary():
        if compact(entry.term) in q:
            for term in entry.form_terms:
                tokens |= _content_tokens(term)
    return tokens


def overlap(question_tokens: set[str], text: str) -> int:
    """Content words the text shares with the question."""
    return len(question_tokens & _content_tokens(text))


def relevance(question: str, mat: Material, engine: KnowledgeBase | None = None):
    """How well the best retrieved checkpoint (or form item) explains the question (bot/relevance.py); with the
    knowledge base, a checkpoint's words include its past findings."""
    from bot.relevance import assess, index_vocabulary

    return assess(question, [r.id for r in mat.refs[:3]], index=index_vocabulary(engine) if engine else None)


# --------------------------------------------------------------------------- composing


class _Citations:
    def __init__(self):
        self.items: list[Citation] = []

    def add(self, kind: RecordKind, text: str, source: Source | None, checkpoints: list[str]) -> int:
        for i, c in enumerate(self.items, 1):
            if c.kind == kind and c.text == text:
                return i
        self.items.append(Citation(kind=kind, text=text, source=source or Source(), checkpoints=list(checkpoints)))
        return len(self.items)

    def add_hit(self, h: SearchHit) -> int:
        return self.add(h.kind, h.text, h.source, hit_checkpoints(h))


def _checkpoint_citation(engine: KnowledgeBase, cid: str, mat: Material, cites: _Citations) -> int | None:
    catalog = engine.catalog
    item = catalog.checkpoint(cid) or catalog.viewpoint(cid)
    hit = mat.checkpoint_hits.get(cid)
    if hit is not None:
        return cites.add("checkpoint", hit.text, hit.source, [cid])
    if item is not None:
        src = Source(kind="catalog", title=templates()["catalog_title"])
        return cites.add("checkpoint", item.text, src, [cid])
    return None


def select_findings(mat: Material, top: str | None, related: list[str]) -> list[SearchHit]:
    """Findings about the top checkpoint, in retrieval order; only when there is none, findings about the next
    checkpoints (the answer labels them as written for another checkpoint). Findings about no checkpoint (総評)
    are not precedents of anything."""
    if not mat.findings:
        return []
    primary = [h for h in mat.findings if top and top in hit_checkpoints(h)]
    if primary:
        return primary[:MAX_FINDINGS]
    secondary = [h for h in mat.findings if set(hit_checkpoints(h)) & set(related)]
    return secondary[:1]


def compose(engine: KnowledgeBase, question: str, mat: Material, cites: _Citations | None = None,
            lines: list[str] | None = None) -> tuple[str, list[Citation]]:
    """The extractive answer: template text around retrieved material, every statement cited. `cites`/`lines` let
    a caller open the answer with lines of its own (a form item's intro) numbered in the same citations."""
    t = templates()["answer"]
    catalog = engine.catalog
    cites = cites if cites is not None else _Citations()
    lines = lines if lines is not None else []
    top = mat.refs[0] if mat.refs else None

    if top is not None:
        cp = catalog.checkpoint(top.id)
        vp = catalog.viewpoint(top.id)
        n = _checkpoint_citation(engine, top.id, mat, cites)
        if cp is not None:
            lines.append(t["intro_checkpoint"].format(id=cp.id, title=cp.title, section=cp.section) + f" [{n}]")
            if cp.fields:
                lines.append(t["intro_fields"].format(fields="、".join(cp.fields)) + f" [{n}]")
            lines.append(t["wording"].format(text=cp.text, n=n))
        elif vp is not None:
            lines.append(t["intro_viewpoint"].format(number=vp.number, title=vp.title, section=top.section) + f" [{n}]")
            lines.append(t["wording"].format(text=vp.text, n=n))
        elif n is not None:
            lines.append(t["wording"].format(text=cites.items[n - 1].text, n=n))
        if cp is not None or vp is not None:
            _item_rules(top.id, lines, cites)

    related_ids = [r.id for r in mat.refs[1 : 1 + MAX_RELATED + 1]]
    chosen = select_findings(mat, top.id if top else None, related_ids)

    # what to write: the measures the closest findings on this checkpoint accepted as concrete
    measures: list[tuple[str, int]] = []
    for h in chosen:
        if top is not None and top.id not in hit_checkpoints(h):
            continue
        n = cites.add_hit(h)
        for m in finding_measures(h.text):
            if len(measures) < MAX_MEASURES and all(m != x for x, _ in measures):
                measures.append((m, n))
    if top is not None and catalog.checkpoint(top.id) is not None:
        lines.append("")
        if measures:
            lines.append(t["measures_head"])
            lines += [t["measure_item"].format(measure=m, n=n) for m, n in measures]
        else:
            lines.append(t["measures_none"])
    if top is not None and (catalog.checkpoint(top.id) is not None or catalog.viewpoint(top.id) is not None):
        # what the reviewer looks for: what the checkpoint's rubric asks a concrete answer to name
        cp_marker = _checkpoint_citation(engine, top.id, mat, cites)
        said = {_unmarked(ln) for ln in lines}
        lines += [ln for ln in rubric_lines(question, top.id, templates(), cites.add, cp_marker, mat.findings,
                                            cites.add_hit) if not ln or _unmarked(ln) not in said]

    if chosen:
        lines.append("")
        lines.append(t["findings_head"])
        for h in chosen:
            n = cites.add_hit(h)
            if top is not None and top.id not in hit_checkpoints(h):
                about = "、".join(ref_name(c, catalog.title(c)) for c in hit_checkpoints(h))
                lines.append(t["other_finding_item"].format(n=n, label=source_label(h), text=h.text.strip(),
                                                            about=about))
            else:
                lines.append(t["finding_item"].format(n=n, label=source_label(h), text=h.text.strip()))

    q_tokens = _expanded_tokens(mat.query)
    remark = next((h for h in mat.remarks if remark_speaks_to(h, top.id if top else None, q_tokens)), None)
    if remark is not None:
        n = cites.add_hit(remark)
        lines.append("")
        lines.append(t["remarks_head"])
        lines.append(t["remark_item"].format(n=n, label=source_label(remark), text=remark.text.strip()))

    # guideline text: a section linked to the answer's checkpoint first, else one sharing words with the question
    guideline = next((h for h in mat.guidelines if top is not None and top.id in h.checkpoints), None) or next(
        (h for h in mat.guidelines if overlap(q_tokens, h.text) >= 2), None)
    if guideline is not None:
        n = cites.add_hit(guideline)
        lines.append("")
        lines.append(t["guideline_head"])
        lines.append(t["guideline_item"].format(n=n, label=source_label(guideline), text=guideline.text.strip()))

    related = [r for r in mat.refs[1 : 1 + MAX_RELATED] if top is not None and r.score >= 0.5 * top.score]
    if related:
        items = "、".join(t["related_item"].format(name=ref_name(r.id, r.title), section=r.section) for r in related)
        lines.append("")
        lines.append(t["related"].format(items=items))
    return "\n".join(lines).strip(), cites.items


_MARKER = re.compile(r"\s*\[\d+\]\s*$")


def _unmarked(line: str) -> str:
    """A line without its closing [n]: the same statement cited twice is said once."""
    return _MARKER.sub("", line).strip()


def _item_rules(cid: str, lines: list[str], cites: _Citations) -> None:
    """The rules about the form item the checkpoint is on and what its choices switch on or off
    (bot/answer_topics.py checkpoint_item_lines), each line once: a form item answer that opened with them does not
    repeat them."""
    from bot.answer_topics import checkpoint_item_lines

    said = compact("\n".join(lines))
    new = [(text, c) for text, c in checkpoint_item_lines(cid) if compact(text.lstrip("・")) not in said]
    if not new:
        return
    lines.append("")
    lines.append(templates()["answer"]["item_rules_head"])
    for text, c in new:
        n = cites.add(c.kind, c.text, c.source, c.checkpoints)
        lines.append(f"{text} [{n}]")


MIN_REMARK_OVERLAP = 3


def remark_speaks_to(h: SearchHit, top: str | None, q_tokens: set[str]) -> bool:
    """A minutes remark is cited when it is about the answer's checkpoint, or (when it is linked to no checkpoint)
    shares several content words with the question; a remark about other checkpoints is not."""
    cps = hit_checkpoints(h)
    if cps:
        return top is not None and top in cps
    return overlap(q_tokens, h.text) >= MIN_REMARK_OVERLAP


def _llm_material(engine: KnowledgeBase, mat: Material, base: list[Citation]) -> list[Citation]:
    """Numbered sources for the model: the extractive answer's citations plus the next checkpoints' wording."""
    cites = _Citations()
    cites.items = list(base)
    for r in mat.refs[1:3]:
        _checkpoint_citation(engine, r.id, mat, cites)
    return cites.items


def topic_of(engine: KnowledgeBase, mat: Material) -> AnswerTopic | None:
    if not mat.refs:
        return None
    top = mat.refs[0].id
    if engine.catalog.viewpoint(top) is not None and engine.catalog.checkpoint(top) is None:
        return AnswerTopic(kind="viewpoint", id=top)
    return AnswerTopic(kind="checkpoint", id=top)


def _finish(engine: KnowledgeBase, question: str, mat: Material, llm=None, *, topic: AnswerTopic | None = None,
            intro: list[tuple[str, Citation]] | None = None, form_items: list[str] | None = None,
            on_text=None) -> Answer:
    """Compose (or have the model write) the answer from the material. `intro`: lines that open the answer, each
    with the citation it rests on. `on_text`: the model's validated sentences while it writes (streaming)."""
    from bot.llm import LLMError, get_llm, write_answer

    t = templates()["answer"]
    topic = topic or topic_of(engine, mat)
    if form_items is None:
        form_items = [mat.refs[0].section] if mat.refs and mat.refs[0].section else []
    cites = _Citations()
    head: list[str] = []
    for line, c in intro or []:
        n = cites.add(c.kind, c.text, c.source, c.checkpoints)
        head.append(f"{line} [{n}]")
    text, citations = compose(engine, question, mat, cites=cites, lines=list(head))

    def done(answer: str, cited: list[Citation], name: str | None) -> Answer:
        return Answer(answer=answer, checkpoints=mat.refs, citations=cited, llm=name, topic=topic,
                      form_items=form_items)

    if llm is None:
        llm = get_llm(engine.settings)
    if llm is None:
        return done(text, citations, None)
    numbered = _llm_material(engine, mat, citations)
    try:
        cited = write_answer(llm, question, numbered, source_label, on_text=on_text)
    except LLMError as e:
        log.warning("LLM failed, using the extractive answer: %s", e)
        return done(text + "\n\n" + t["llm_fallback"].format(reason=str(e)[:120]), citations, None)
    if not cited.kept:
        reason = t["llm_dropped"].format(count=len(cited.dropped))
        return done(text + "\n\n" + t["llm_fallback"].format(reason=reason), citations, None)
    out = cited.text
    if head:
        out = "\n".join(head) + "\n" + out
    if cited.dropped:
        out += "\n\n" + t["llm_dropped"].format(count=len(cited.dropped))
    return done(out, numbered, llm.name)


# --------------------------------------------------------------------------- entry points


def answer_question(engine: KnowledgeBase, question: str, history: list[str] | None = None, llm=None,
                    on_text=None) -> Answer:
    """Answer a drafter's question from the knowledge base (see the module doc). With a model and `on_text`, the
    model's validated sentences also go to `on_text` while it writes (the returned Answer is the same)."""
    from bot import answer_topics
    from bot.bilingual import is_english, to_japanese

    question = (question or "").strip()
    english = is_english(question)
    reading = to_japanese(question).japanese if english else question
    answer = route(engine, question, reading, history, llm=llm, on_text=on_text)
    if english:
        answer.answer = answer_topics.gist(engine, answer, question) + "\n" + answer.answer
    return answer


def route(engine, question: str, reading: str, history: list[str] | None = None, llm=None,
          on_text=None) -> Answer:
    """Pick the kind of answer (module doc): explicit checkpoint, procedure, form item, retrieval or abstention.
    `reading` is the question itself, or the Japanese reading of an English one; `question` keeps its numbers."""
    from bot import answer_topics

    if not explicit_checkpoints(reading, engine.catalog):
        texts = [reading]
        if is_follow_up(question, history):
            texts.append("\n".join([*[h for h in (history or []) if h and h.strip()][-2:], reading]))
        for text in texts:
            routed = answer_topics.route_topic(engine, text, question)
            if routed is not None:
                return routed
    mat = gather(engine, reading, history)
    support_text = mat.query if len(retrieval_queries(reading, history)) > 1 else reading
    if not mat.explicit:
        rel = relevance(support_text, mat, engine) if (mat.refs or mat.findings) else None
        if rel is None or not rel.answered():
            return answer_topics.out_of_scope_answer()
        node_answer = answer_topics.form_node_instead(engine, support_text, mat, rel)
        if node_answer is not None:
            return node_answer
    # a follow-up reaches the model together with the thread's earlier questions
    return _finish(engine, support_text, mat, llm=llm, on_text=on_text)


def explain_checkpoint(engine: KnowledgeBase, checkpoint_id: str, llm=None) -> Answer:
    """What a checkpoint asks, where it goes in the form, and the past findings on it."""
    catalog = engine.catalog
    cid = normalize_checkpoint_id(str(checkpoint_id))
    item = (catalog.checkpoint(cid) or catalog.viewpoint(cid)) if cid else None
    mat = Material(query="")
    if item is None and cid:
        # body-specific checkpoints (75 and up) come from indexed review sheets
        for h in engine.search(f"{cid}.", kind="checkpoint", k=20):
            if cid in hit_checkpoints(h):
                mat.checkpoint_hits[cid] = h
                break
    if cid is None or (item is None and cid not in mat.checkpoint_hits):
        raise UnknownCheckpointError(
            f"細目「{checkpoint_id}」は見つかりません",
            hint="1〜74 の番号、索引済みの審査書が追加した細目の番号、または V1〜V12 を指定してください",
        )
    wording = item.text if item is not None else mat.checkpoint_hits[cid].text
    mat.query = wording
    title = catalog.title(cid) if item is not None else wording[:40]
    mat.refs = [CheckpointRef(id=cid, title=title, section=catalog.section(cid), score=1.0)]
    mat.explicit = [cid]
    for h in engine.search(wording, kind="checkpoint", k=K_CHECKPOINTS):
        if cid in hit_checkpoints(h):
            mat.checkpoint_hits.setdefault(cid, h)
    mat.findings = [h for h in engine.search(wording, kind="finding", k=30) if cid in hit_checkpoints(h)]
    mat.remarks = [h for h in engine.search(wording, kind="remark", k=K_REMARKS) if cid in hit_checkpoints(h)]
    return _finish(engine, wording, mat, llm=llm)

