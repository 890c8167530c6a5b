"""Check a draft against the form and the review checkpoints: `check_draft(engine, path) -> CheckReport`.

Every numbered checkpoint of the catalog and every viewpoint V1..V12 gets exactly one result:
- numbered checkpoints: the form fields mapped to them in knowledge/form.yaml, judged in every instance of a
  repeated block (empty, placeholder, bare 該当なし, generic-only or vague measures, choices that leave a risk,
  fields a choice makes necessary), plus the consistency rules between the form's parts;
- body-specific checkpoints (consideration ⑩, 74 and up) come from one body's review sheet: they apply to a draft
  only when the draft mentions the checkpoint's own topic (its aliases that appear in its wording, e.g.
  公共サービスメッシュ); then the fields at its form section must address that topic, else not_applicable;
- viewpoints: their own fields and rules (bot/checker/viewpoints.py).
Precedents (closest past findings, with source) are attached to the flagged results.
"""

from __future__ import annotations

from pathlib import Path

from bot.catalog import Catalog
from bot.checker import precedents as precedent_search
from bot.checker.consistency import consistency_findings
from bot.checker.draft_view import DraftView, excerpt
from bot.checker.messages import reason, text
from bot.checker.rules import CheckpointRules, Outcome, evidence, where
from bot.checker.viewpoints import ViewpointRules
from bot.draft.reader import DraftReading
from bot.draft.values import read_value
from bot.form import load_form
from bot.knowledge_base import KnowledgeBase
from bot.models import (
    FLAG_STATUSES,
    Checkpoint,
    CheckReport,
    CheckResult,
    CheckSummary,
    DraftDocument,
    DraftField,
    Evidence,
    FieldVerdict,
)
from bot.rubrics import coverage, missing_text, rubric_for, suggestion
from bot.text import normalize

FLAGGED = FLAG_STATUSES
MAX_EVIDENCE = 6
MAX_SUGGESTIONS = 2


def check_draft(engine: KnowledgeBase, path: Path | str, display_name: str | None = None,
                precedents: str = "flagged") -> CheckReport:
    from bot.draft import read_draft_reading

    document, reading = read_draft_reading(path, display_name)
    return check_fields(engine, document, reading.fields, precedents=precedents, reading=reading)


def check_fields(engine: KnowledgeBase, document: DraftDocument, fields: list[DraftField],
                 precedents: str = "flagged", reading: DraftReading | None = None) -> CheckReport:
    """The report for fields already read. precedents: "flagged" (default), "all" or "none". `reading`: the
    reading the fields come from, so that a label is looked for again before a field is called missing or empty."""
    catalog: Catalog = engine.catalog
    form = load_form()
    view = DraftView(fields, form, reading)
    rules = CheckpointRules(form, view)
    consistency = consistency_findings(view)
    outcomes: dict[str, Outcome] = {}
    for cp in catalog.checkpoints:
        out = _body_specific(cp, form, view) if cp.body_specific else rules.check(cp.id)
        for finding in consistency.get(cp.id, []):
            if out.status == "not_applicable":
                out.status, out.evidence = "ok", []
            out.add("incomplete", finding.reason)
            for ev in finding.evidence:
                out.add("incomplete", None, ev)
            out.page = out.page or next((e.page for e in finding.evidence if e.page), None)
        outcomes[cp.id] = out
    numbered = {cid: o.status for cid, o in outcomes.items()}
    vrules = ViewpointRules(form, view, rules, catalog)
    vrules.unwritten = [cid for cid, o in outcomes.items() if o.unwritten and o.status in FLAGGED]
    for vp in catalog.viewpoints:
        outcomes[vp.id] = vrules.check(vp.id, numbered, {cid: o.all_evidence() for cid, o in outcomes.items()})

    ids = catalog.ids()
    degraded: list[str] = []
    if precedents != "none":
        wanted = [cid for cid in ids if precedents == "all" or outcomes[cid].status in FLAGGED]
        found, complete = precedent_search.attach(engine, wanted)
        if not complete:
            degraded.append("precedents")
    else:
        found = {}
    results = []
    for cid in ids:
        out = outcomes[cid]
        precs = found.get(cid, [])
        if out.vague and precs:
            _add_precedent_kinds(out, precs)
        evidence_list = _unique(out.all_evidence() if out.status in (*FLAGGED, "review") else out.evidence)
        page = out.page or next((e.page for e in evidence_list if e.page), None)
        results.append(
            CheckResult(
                id=cid,
                status=out.status,
                section=catalog.section(cid),
                page=page,
                reasons=out.reasons if out.status in (*FLAGGED, "review") else [],
                evidence=evidence_list[:MAX_EVIDENCE],
                precedents=precs,
                suggestion="\n".join(out.suggestions[:MAX_SUGGESTIONS]) if out.status in FLAGGED and out.suggestions
                else None,
            )
        )
    summary = CheckSummary(**{s: sum(1 for r in results if r.status == s) for s in CheckSummary.model_fields})
    return CheckReport(document=document, summary=summary, checkpoints=results, fields=fields, degraded=degraded)


def judge_field_text(field_id: str, text: str, checkpoint: Checkpoint | None = None) -> FieldVerdict:
    """The checker's own judgement of one text as the value of one form field, on a draft holding only that field
    (the path `pia check` takes for every field: CheckpointRules.judge_field). For a checkpoint a review sheet added
    for one body (74), the field is judged as that checkpoint judges the draft's text about its topic."""
    from bot.checker.draft_view import scope_of

    form = load_form()
    spec = form.get(field_id)
    value, choice, checks = text, None, []  # type: tuple[str, str | None, list[str]]
    if spec.kind in ("choice", "checkbox"):
        value, choice, checks = read_value(spec, text)  # read as the reader reads a field of that kind
    f = DraftField(path=[seg.replace("{n}", "1") for seg in spec.path], label=spec.label, value=value, choice=choice,
                   checks=checks, field_id=spec.id)
    view = DraftView([f], form)
    if checkpoint is not None and checkpoint.body_specific:
        out = _body_specific(checkpoint, form, view)
        status = out.status
    else:
        out = Outcome()
        status = CheckpointRules(form, view).judge_field(spec, scope_of(f.path), out)
    return FieldVerdict(field_id=field_id, status=status, reasons=list(out.reasons),
                        suggestion=out.suggestions[0] if out.suggestions else None)


def _unique(evidence: list[Evidence]) -> list[Evidence]:
    """Evidence in order, each field quoted once (several rules may point at the same field)."""
    seen: set[tuple] = set()
    out = []
    for e in evidence:
        key = (e.label, e.text, e.page)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _add_precedent_kinds(out: Outcome, precs) -> None:
    """Say which of the rubric's items the precedents name that the vague answer lacks, with their words."""
    for _, cov in out.vague:
        if cov is None or not cov.missing:
            continue
        prec = coverage(cov.rubric, " ".join(p.text for p in precs))
        shown = [item for item in cov.missing if item.id in prec.named]
        if not shown:
            continue
        kinds = missing_text(shown[:3])
        src = precs[0].source
        source = " ".join(x for x in (src.agency, src.date) if x) or (src.title or "審査書")
        for r in out.reasons:
            if r.code == "vague":
                r.message = r.message + " " + text("vague_precedent", source=source, kinds=kinds)
                return
        return


def _body_specific(cp: Checkpoint, form, view: DraftView) -> Outcome:
    """A checkpoint one review sheet added for one body: applies when the draft mentions its topic, and asks for
    the measures on that topic 具体的に — the text that addresses it names its rubric's items."""
    out = Outcome()
    wording = normalize(cp.text)
    terms = [normalize(a) for a in cp.aliases if normalize(a) and normalize(a) in wording]
    all_text = normalize(view.text())
    mentioned = [t for t in terms if t in all_text]
    if not mentioned:
        out.status = "not_applicable"
        return out
    specs = [s for s in form.at_path(cp.form_path) if s.kind == "text"]
    specs += [d for s in form.at_path(cp.form_path) for d in form.descendants(s.id) if d.kind == "text"]
    addressed = []
    for s in specs:
        for f in view.all(s.id):
            if any(t in normalize(f.value) for t in mentioned):
                addressed.append(f)
    if addressed:
        out.evidence.extend(evidence(f) for f in addressed[:3])
        out.page = addressed[0].page
        # the checkpoint asks for the measures 具体的に: the text that addresses it must name its rubric's items
        rubric = rubric_for(cp.id)
        if rubric is not None:
            cov = coverage(rubric, "\n".join(f.value for f in addressed))
            if not cov.concrete:
                said = addressed[0]
                out.add("incomplete", reason("vague", where=where(said.path), label=said.label,
                                             missing=missing_text(cov.missing)))
                out.vague.append((said.label, cov))
                out.suggest(suggestion(cov))
        return out
    where_text = where(cp.form_path)
    out.add("incomplete", reason("body_specific_unaddressed", term=mentioned[0], where=where_text))
    first = next((f for s in specs for f in view.all(s.id)), None)
    if first is not None:
        out.evidence.append(Evidence(label=first.label, text=excerpt(first.value), page=first.page))
        out.page = first.page
    return out
