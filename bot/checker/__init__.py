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

from bot.checker import precedents as precedent_search
from bot.checker.consistency import consistency_findings
from bot.checker.draft_view import DraftView, excerpt
from bot.checker.messages import reason, text
from bot.checker.rules import CheckpointRules, Outcome, evidence, where
from bot.checker.text_rules import kind_names, measure_profile, vocabulary
from bot.checker.viewpoints import ViewpointRules
from bot.catalog import Catalog
from bot.form import load_form
from bot.models import Checkpoint, CheckReport, CheckResult, CheckSummary, DraftDocument, DraftField, Evidence
from bot.text import normalize

FLAGGED = ("incomplete", "missing")
MAX_EVIDENCE = 6


def check_draft(engine, path: Path | str, display_name: str | None = None, precedents: str = "flagged") -> CheckReport:
    from bot.draft import read_draft

    document, fields = read_draft(path, display_name)
    return check_fields(engine, document, fields, precedents=precedents)


def check_fields(engine, document: DraftDocument, fields: list[DraftField], precedents: str = "flagged") -> CheckReport:
    """The report for fields already read. precedents: "flagged" (default), "all" or "none"."""
    catalog: Catalog = engine.catalog
    form = load_form()
    view = DraftView(fields, form)
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
    for vp in catalog.viewpoints:
        outcomes[vp.id] = vrules.check(vp.id, numbered)

    ids = catalog.ids()
    if precedents != "none":
        wanted = [cid for cid in ids if precedents == "all" or outcomes[cid].status in FLAGGED]
        found = precedent_search.attach(engine, wanted)
    else:
        found = {}
    results = []
    for cid in ids:
        out = outcomes[cid]
        precs = found.get(cid, [])
        if out.vague and precs:
            _add_precedent_kinds(out, precs)
        evidence_list = _unique(out.all_evidence() if out.status in FLAGGED else out.evidence)
        page = out.page or next((e.page for e in evidence_list if e.page), None)
        results.append(
            CheckResult(
                id=cid,
                status=out.status,
                section=catalog.section(cid),
                page=page,
                reasons=out.reasons if out.status in FLAGGED else [],
                evidence=evidence_list[:MAX_EVIDENCE],
                precedents=precs,
            )
        )
    summary = CheckSummary(**{s: sum(1 for r in results if r.status == s) for s in CheckSummary.model_fields})
    return CheckReport(document=document, summary=summary, checkpoints=results, fields=fields)


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
    """Say which kinds of measure the precedents had that the vague answer lacks."""
    have = set()
    for _, prof in out.vague:
        if prof is not None:
            have |= prof.kinds
    prec_text = " ".join(p.text for p in precs)
    prec = measure_profile(prec_text)
    missing = [k for k in vocabulary().kinds if k in prec.kinds and k not in have]
    if not missing and not prec.nouns:
        return
    kinds = "".join(kind_names(missing)) if missing else "具体的な措置"
    nouns = [n for n in prec.nouns if not any(n != m and n in m for m in prec.nouns)]
    examples = "、".join(nouns[:4])
    detail = kinds + (f"（例: {examples}）" if examples else "")
    src = precs[0].source
    source = " ".join(x for x in (src.agency, src.date) if x) or (src.title or "審査書")
    for r in out.reasons:
        if r.code == "vague":
            r.message = r.message + " " + text("vague_precedent", source=source, kinds=detail or "具体的な措置")
            break


def _body_specific(cp: Checkpoint, form, view: DraftView) -> Outcome:
    """A checkpoint one review sheet added for one body: applies when the draft mentions its topic."""
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
        return out
    where_text = where(cp.form_path)
    out.add("incomplete", reason("body_specific_unaddressed", term=mentioned[0], where=where_text))
    first = next((f for s in specs for f in view.all(s.id)), None)
    if first is not None:
        out.evidence.append(Evidence(label=first.label, text=excerpt(first.value), page=first.page))
        out.page = first.page
    return out
