"""The secretariat's output for a draft, by body type (rules.md, "Who reviews"): `pia review`.

draft_review_sheet(engine, path) checks the draft (engine.check) and lays the result out by who reviews it:
- a national body's draft (行政機関等): the pre-filled review sheet (審査書の下書き, kind `review_sheet`) as the seed
  review sheet does: 審査の観点 / 主な考慮事項 / 細目 / 該当箇所 / 審査結果 / 所見, in the seed's parts and order,
  then 総評 and the 審査記載事項 candidates;
- a local government's draft (地方公共団体等): a 第三者点検 checklist (kind `third_party_checklist`): the same rows
  with the draft's place and statement, the status, what the inspector should confirm and an empty column for the
  inspector's comment; no 審査記載事項 (the Commission does not review it). A draft whose body type cannot be told
  gets the review sheet.

- 該当箇所: the pages and the section where the draft answers the checkpoint (the checker's evidence pages).
- 審査結果: proposed from the checker: ok -> 問題は認められない, not_applicable -> 該当なし, incomplete/missing ->
  要確認 with the checker's reasons.
- 所見: built from the draft's OWN measures in the house style of past findings:
  「<topic>として、<A>こと、<B>こと等が具体的に記載されており、特定個人情報保護評価の目的に照らし、妥当である。」
  The topic (a fixed part) is the opening of a past finding on the same checkpoint, else the checkpoint's title;
  the measures are clauses cut verbatim out of the draft's answer (bot.measures). With PIA_LLM set the model picks
  the measures among the draft's clauses; anything it returns that is not verbatim draft text is dropped.
  Long clauses are condensed to the tail that names the measure (bot.measures.condense): the finding summarises
  what the draft names, still in the draft's own words, rather than copying its sentences wholesale.
- 総評 and the 審査記載事項 candidates agree with the statuses: while any row is flagged (or left to confirm) neither
  says 特段の問題は認められない, and the flagged rows are named. Prose never shows internal ids: a viewpoint is
  written 審査の観点(1) しきい値判断, a checkpoint 細目6 期待されるメリット. All wording is data:
  knowledge/review_templates.yaml.

The draft's text is used in memory only: nothing of it is logged or indexed.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from bot.catalog import Catalog
from bot.knowledge_base import KnowledgeBase
from bot.measures import condense, draft_measures, finding_topic, plain_clause, split_clauses
from bot.models import FLAG_STATUSES, CheckReport, CheckResult, DraftField, ReviewDraft, ReviewDraftRow
from bot.resources import knowledge_yaml
from bot.text import compact, normalize

log = logging.getLogger(__name__)

_FIELD_RE = re.compile(r"\{field:([^|}]*)\|([^}]*)\}")
# Viewpoints that stand on rows of their own, and where they go (the seed's layout).
GENERAL_HEAD = ["V1", "1", "V3", "V4", "V5", "V6", "V7"]  # (2) shares its row with checkpoint 1
GENERAL_TAIL = ["V9"]
GENERAL_LAST = ["V12"]


@lru_cache(maxsize=1)
def templates() -> dict:
    return knowledge_yaml("review_templates.yaml")


# --------------------------------------------------------------------------- layout


def sheet_layout(catalog: Catalog) -> list[tuple[str, str]]:
    """(part, id) for every row of the sheet, in the seed's order.

    全体的な事項: (1), (2)+1, (3)-(7), ① 2-7, (9), ⑨ 70-73, (12);
    特定個人情報ファイル: ② 8-23, ③-⑧ 24-69; 評価実施機関に特有の問題: ⑩ 74 and up."""
    parts = templates()["parts"]
    by_cons: dict[str, list[str]] = {}
    for cp in catalog.checkpoints:
        by_cons.setdefault(cp.consideration or "", []).append(cp.id)
    rows: list[tuple[str, str]] = []
    general, file_part, specific = parts["general"], parts["file"], parts["specific"]
    rows += [(general, i) for i in GENERAL_HEAD]
    rows += [(general, i) for i in by_cons.get("①", [])]
    rows += [(general, i) for i in GENERAL_TAIL]
    rows += [(general, i) for i in by_cons.get("⑨", [])]
    rows += [(general, i) for i in GENERAL_LAST]
    for cons in ["②", "③", "④", "⑤", "⑥", "⑦", "⑧"]:
        rows += [(file_part, i) for i in by_cons.get(cons, [])]
    rows += [(specific, i) for i in by_cons.get("⑩", [])]
    placed = {i for _, i in rows}
    # anything the catalog knows that the fixed layout does not place (a new consideration) goes last
    rows += [(specific, cp.id) for cp in catalog.checkpoints if cp.id not in placed]
    return rows


# --------------------------------------------------------------------------- 該当箇所


def page_ranges(pages: list[int]) -> str | None:
    """[12] -> 'P.12'; [12, 13, 14] -> 'P.12 ～ P.14'; [12, 30] -> 'P.12、P.30'."""
    ps = sorted({p for p in pages if isinstance(p, int) and p > 0})
    if not ps:
        return None
    groups: list[list[int]] = [[ps[0]]]
    for p in ps[1:]:
        if p == groups[-1][-1] + 1:
            groups[-1].append(p)
        else:
            groups.append([p])
    return "、".join(f"P.{g[0]}" if len(g) == 1 else f"P.{g[0]} ～ P.{g[-1]}" for g in groups)


def result_pages(res: CheckResult | None) -> list[int]:
    if res is None:
        return []
    pages = [e.page for e in res.evidence if e.page]
    if not pages and res.page:
        pages = [res.page]
    return pages


# --------------------------------------------------------------------------- 所見


def finding_text(topic: str, connector: str, measures: list[str], descriptive: bool) -> str:
    """The house-style finding around verbatim measures (see module doc)."""
    f = templates()["finding"]
    items = ["".join(plain_clause(m)) for m in measures]
    closing = f["descriptive_closing"] if descriptive else f["measures_closing"]
    if items and items[-1].endswith("等") and closing.startswith("等"):
        closing = closing[1:]  # "…システム等" + "が具体的に…", not "等等が"
    return f["open"].format(topic=topic, connector=connector) + f["item_joiner"].join(items) + closing


def precedent_topics(engine: KnowledgeBase) -> dict[str, tuple[str, str]] | None:
    """checkpoint id -> the opening topic (and connector) of a past finding on it, from the indexed review sheets;
    None when the index could not be read (the sheet then says `"degraded": ["precedents"]`).

    A finding attributed to fewer checkpoints speaks more precisely; topics naming a particular body are skipped."""
    try:
        records = engine.records("finding")
    except Exception as e:  # no index: the catalog titles serve as topics
        log.warning("no past findings for the review topics: %s", type(e).__name__)
        return None
    best: dict[str, tuple[int, str, str]] = {}
    catalog = engine.catalog
    for r in records:
        found = finding_topic(r.text)
        if not found or not r.checkpoints:
            continue
        topic, connector = found
        names = [x for x in (r.source.agency, r.source.title) if x]
        if len(topic) > 60 or any(compact(n)[:6] in compact(topic) for n in names):
            continue
        for cid in r.checkpoints:
            rank = len(r.checkpoints)
            if (cid not in best or rank < best[cid][0]) and _topic_fits(topic, catalog, cid):
                best[cid] = (rank, topic, connector)
    return {cid: (t, c) for cid, (_, t, c) in best.items()}


def _topic_fits(topic: str, catalog, cid: str) -> bool:
    """A past finding's opening serves as a topic only if it speaks of the checkpoint's own subject.

    Some findings open with their content instead (「誤字脱字・表記揺れについて、」 for checkpoint 73): reused for
    another draft that would put the old body's facts into the new sheet, so the checkpoint's title is used instead."""
    from bot.tokenize import tokenize

    own = _subject_words(catalog, cid)
    if own is None:
        return True
    words = [t for t in tokenize(topic) if len(t) > 1]
    return bool(words) and len([t for t in words if t in own]) / len(words) >= 0.5


@lru_cache(maxsize=256)
def _subject_words(catalog, cid: str) -> frozenset[str] | None:
    """Tokens of a checkpoint's title, wording, field labels and aliases (once per checkpoint, not per finding)."""
    from bot.tokenize import tokenize

    item = catalog.checkpoint(cid) or catalog.viewpoint(cid)
    if item is None:
        return None
    return frozenset(tokenize(" ".join([item.title, item.text, *getattr(item, "fields", []), *item.aliases])))


def answer_text(res: CheckResult | None, fields: list[DraftField]) -> str:
    """The draft's full answer for a checkpoint: the fields its evidence points at (evidence holds excerpts)."""
    if res is None:
        return ""
    parts: list[str] = []
    choices: list[str] = []
    for ev in res.evidence:
        head = compact(ev.text.rstrip("…"))[:60]
        match = next((f for f in fields if f.label == ev.label and (ev.page is None or f.page == ev.page)
                      and head and compact(f.value or f.choice or "").startswith(head)), None)
        if match is not None and match.choice:  # a choice ("記録を残している") is not a measure
            if match.choice not in choices:
                choices.append(match.choice)
            continue
        value = match.value if match is not None else ev.text.rstrip("…")
        if value and value not in parts:
            parts.append(value)
    return "\n".join(parts or choices)


def reasons_text(res: CheckResult | None) -> str:
    """The checker's reasons, each cut to its first sentence, joined."""
    f = templates()["results"]
    if res is None or not res.reasons:
        return ""
    msgs: list[str] = []
    for r in res.reasons:
        m = re.split(r"(?<=。)(?![)）」』])", normalize(r.message).strip())[0].rstrip("。")
        limit = int(f.get("reason_max_chars", 90))
        m = m if len(m) <= limit else m[: limit - 1] + "…"
        if m and m not in msgs:
            msgs.append(m)
    return f["reason_joiner"].join(msgs)


def field_value(fields: list[DraftField], path_prefix: str, label_part: str) -> str | None:
    prefix = compact(path_prefix)
    want = compact(label_part)
    for fld in fields:
        if not compact(" ".join(fld.path)).startswith(prefix):
            continue
        if want not in compact(fld.label):
            continue
        value = (fld.choice or fld.value or "").strip()
        if not value:
            continue
        first = split_clauses(value)
        value = first[0] if first else normalize(value)
        return value
    return None


def fill_fields(template: str, fields: list[DraftField]) -> str | None:
    """Fill {field:PATH|LABEL} placeholders from the draft; None if the draft leaves one empty."""
    missing = False

    def sub(m):
        nonlocal missing
        v = field_value(fields, m.group(1), m.group(2))
        if v is None:
            missing = True
            return ""
        return v

    out = _FIELD_RE.sub(sub, template)
    return None if missing else out


def statement_text(res: CheckResult | None, fields: list[DraftField]) -> str:
    """The draft's statement for a row (the checklist's 評価書の記載): its answer, cut to a readable length."""
    limit = int(templates()["checklist"].get("statement_max_chars", 300))
    text = normalize(answer_text(res, fields)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def confirm_text(status: str, reasons: str, question: str) -> str:
    """What the inspector should confirm for a row, by its status (the checklist's 確認すること)."""
    c = templates()["checklist"]["confirm"]
    return c.get(status, c["ok"]).format(reasons=reasons, question=normalize(question).strip())


def body_kind(report: CheckReport) -> str | None:
    """'national' or 'local' from the draft's own fields (the checker's rule), None when it cannot be told."""
    from bot.checker.draft_view import DraftView
    from bot.checker.viewpoints import body_type
    from bot.form import load_form

    return body_type(DraftView(report.fields, load_form()))


# --------------------------------------------------------------------------- the sheet


def draft_text(report: CheckReport) -> str:
    """The draft's answers, normalised (in memory only)."""
    parts = []
    for f in report.fields:
        parts += [f.label, f.value or "", f.choice or "", " ".join(f.checks)]
    return normalize("\n".join(p for p in parts if p))


def build_row(engine: KnowledgeBase, part: str, cid: str, res: CheckResult | None, report: CheckReport, text: str,
              topics: dict[str, tuple[str, str]], llm=None, llm_rows: list[str] | None = None) -> ReviewDraftRow:
    catalog: Catalog = engine.catalog
    t = templates()
    cp = catalog.checkpoint(cid)
    vp = catalog.viewpoint(cid)
    status = res.status if res is not None else "missing"
    reasons = reasons_text(res) or t["results"]["default_reason"].get(status, "")
    result = t["results"][status].format(reasons=reasons)

    if cp is not None:
        vps = [catalog.viewpoint(v) for v in cp.viewpoints]
        viewpoint = ",".join(v.id for v in vps if v)
        viewpoint_text = "\n".join(f"({v.number}){v.text}" for v in vps if v)
        cons = catalog.consideration(cp.consideration) if cp.consideration else None
        row = ReviewDraftRow(
            part=part, checkpoint=cid, viewpoint=viewpoint or None, viewpoint_text=viewpoint_text,
            consideration=cp.consideration, consideration_text=f"{cons.id}{cons.text}" if cons else "",
            checkpoint_text=f"{cp.number}. {cp.text}", section=(res.section if res and res.section else cp.section),
        )
        if cid == "1":  # viewpoint (2) is printed on checkpoint 1's row
            v2 = catalog.viewpoint("V2")
            if v2:
                row.viewpoint, row.viewpoint_text = "V2", f"({v2.number}){v2.text}"
        title = cp.title
    else:
        row = ReviewDraftRow(
            part=part, checkpoint=cid, viewpoint=cid, viewpoint_text=f"({vp.number}){vp.text}" if vp else cid,
            section=(res.section if res and res.section else catalog.section(cid)),
        )
        title = vp.title if vp else cid
    row.pages = page_ranges(result_pages(res))
    row.status = status
    row.result = result

    f = t["finding"]
    topic, connector = topics.get(cid) or (title, f["default_connector"])
    row.topic = topic
    row.statement = statement_text(res, report.fields)
    row.confirm = confirm_text(status, reasons, cp.text if cp is not None else (vp.text if vp else ""))
    if status == "not_applicable":
        row.finding = f["not_applicable"]
    elif status == "review":  # what no rule can decide: never written up as 妥当
        row.finding = f["review"].format(topic=topic, reasons=reasons)
    elif status == "missing":
        row.finding = f["missing"].format(topic=topic)
    elif status == "incomplete":
        code = res.reasons[0].code if res is not None and res.reasons else ""
        row.finding = f["incomplete_by_code"].get(code, f["incomplete"]).format(topic=topic, reasons=reasons)
    elif cp is None or cid == "1":  # viewpoint rows, and checkpoint 1 which carries viewpoint (2)
        vid = row.viewpoint if cp is not None else cid
        template = t["viewpoints"].get(vid or "", t["viewpoints"]["fallback"])
        filled = fill_fields(template, report.fields)
        row.finding = filled or t["viewpoints"]["fallback"].format(title=title)
        row.topic = ""
    else:
        row.finding, row.measures, by_llm = measures_finding(cp, topic, connector, answer_text(res, report.fields),
                                                             text, row.checkpoint_text, llm)
        if by_llm and llm_rows is not None:
            llm_rows.append(cid)
    return row


def measures_finding(cp, topic: str, connector: str, answer: str, text: str, wording: str, llm=None):
    """(finding, measures, picked by the LLM) for a checkpoint the checker found answered: the draft's own
    measures, in the house style."""
    t = templates()
    f = t["finding"]
    descriptive = (cp.consideration or "") in f["descriptive_groups"]
    limit = int(t["measures"]["max_list_items" if descriptive else "max_per_finding"])
    measures: list[str] = []
    if llm is not None:
        from bot.llm import LLMError, select_measures

        try:
            measures = select_measures(llm, wording, split_clauses(answer)[:30], text, limit)
        except LLMError as e:
            log.warning("LLM failed for checkpoint %s, using extractive measures: %s", cp.id, e)
    by_llm = bool(measures)
    if not measures:
        measures = rubric_measures(cp.id, answer, limit)
    if not measures:
        measures = draft_measures(answer, limit=limit, require_concrete=not descriptive)
    measures = _summary(measures, int(f.get("summary_max_chars", 60)), int(f.get("summary_max_total_chars", 220)))
    if measures:
        return finding_text(topic, connector, measures, descriptive), measures, by_llm
    first = split_clauses(answer)
    if first:
        value = first[0][: int(f.get("quote_max_chars", 80))]
        return f["quoted"].format(topic=topic, value=value), [value], False
    return f["no_measure"].format(topic=topic), [], False


def rubric_measures(checkpoint_id: str, answer: str, limit: int) -> list[str]:
    """The draft's clauses that name the items of the checkpoint's rubric (knowledge/rubrics.yaml), verbatim and in
    the draft's order: what the finding says 「…等が具体的に記載されており」 about. [] without a rubric."""
    from bot.rubrics import coverage, rubric_for

    rubric = rubric_for(checkpoint_id)
    if rubric is None or not answer.strip():
        return []
    cov = coverage(rubric, answer)
    if not cov.named:
        return []
    clauses = list(dict.fromkeys(split_clauses(answer)))
    chosen: list[int] = []
    for named in sorted(cov.named.values(), key=lambda n: n.begin):
        k = next((i for i, c in enumerate(clauses) if named.words and named.words in c), None)
        if k is not None and k not in chosen:
            chosen.append(k)
    return [clauses[i] for i in sorted(chosen)][:limit]


def prose_ref(cid: str) -> str:
    """A checkpoint as prose names it: 審査の観点(1) しきい値判断 for a viewpoint, 細目6 期待されるメリット for a
    numbered checkpoint (never the internal V1)."""
    from bot.catalog import load_catalog

    g = templates()["general_comments"]
    title = load_catalog().title(cid)
    if cid.startswith("V"):
        return g["viewpoint_item"].format(n=cid[1:], title=title)
    return g["checkpoint_item"].format(n=cid, title=title)


def _listed(rows: list[ReviewDraftRow]) -> str:
    limit = int(templates()["general_comments"].get("attention_limit", 12))
    return "、".join(prose_ref(r.checkpoint) for r in rows[:limit]) + ("等" if len(rows) > limit else "")


def _summary(measures: list[str], each: int, total: int) -> list[str]:
    """The measures a finding names: each condensed to what it names (bot.measures.condense), in the draft's order,
    stopping at `total` characters (the first is always kept)."""
    out: list[str] = []
    used = 0
    for m in dict.fromkeys(condense(m, each) for m in measures):
        if out and used + len(m) > total:
            break
        out.append(m)
        used += len(m)
    return out


def general_comments(rows: list[ReviewDraftRow], office: str) -> list[str]:
    """総評: 特段の問題は認められない only when no row is flagged or left to confirm; otherwise each part is described
    without that conclusion, and the flagged rows (and those to confirm) are named."""
    g = templates()["general_comments"]
    ok = ("ok", "not_applicable")
    # (3) and (11) are always left to a person (rules.md): they are listed below, not held against the work itself
    person = {"V3", "V11"}
    first = [r for r in rows if (r.consideration in ("①", "②") or r.checkpoint.startswith("V"))
             and r.checkpoint not in person]
    rest = [r for r in rows if r.consideration and r.consideration not in ("①", "②")]
    flagged = [r for r in rows if r.status in FLAG_STATUSES]
    review = [r for r in rows if r.status == "review"]
    clean = not flagged and not review
    out = []
    for i, part in enumerate((first, rest)):
        if all(r.status in ok for r in part):
            out.append((g["ok"] if clean else g["described"])[i].format(office=office))
    if flagged:
        out.append(g["flagged"].format(items=_listed(flagged)))
    if review:
        out.append(g["review"].format(items=_listed(review)))
    return [f"({i}) {c}" for i, c in enumerate(out, 1)]


def review_remarks(report: CheckReport, text: str, office: str, rows: list[ReviewDraftRow] | None = None) -> list[str]:
    """審査記載事項 candidates (national bodies only). `when: clean` items only when no row is flagged or left to
    confirm, `when: flagged` items only while rows are flagged (they name them)."""
    rows = rows or []
    flagged = [r for r in rows if r.status in FLAG_STATUSES]
    clean = not flagged and not any(r.status == "review" for r in rows)
    out = []
    for item in templates()["review_remarks"]:
        when = item.get("when", "always")
        if (when == "clean" and not clean) or (when == "flagged" and not flagged):
            continue
        if when.startswith("text:") and when[5:] not in text:
            continue
        if when.startswith("field:"):
            spec, _, want = when[6:].partition("=")
            path, _, label = spec.partition("|")
            v = field_value(report.fields, path, label)
            if v is None or compact(want) not in compact(v):
                continue
        out.append(item["text"].format(office=office, items=_listed(flagged)))
    return [f"({i}) {r}" for i, r in enumerate(out, 1)]


def draft_review_sheet(engine: KnowledgeBase, path: Path, llm=None, report: CheckReport | None = None) -> ReviewDraft:
    """The pre-filled review sheet of a draft (see the module doc)."""
    from bot.llm import get_llm

    if report is None:
        from bot.checker import check_draft

        report = check_draft(engine, Path(path))
    if llm is None:
        llm = get_llm(engine.settings)
    results = {r.id: r for r in report.checkpoints}
    text = draft_text(report)
    catalog = engine.catalog
    found_topics = precedent_topics(engine)
    topics = found_topics or {}
    degraded = list(report.degraded)
    if found_topics is None and "precedents" not in degraded:
        degraded.append("precedents")
    llm_rows: list[str] = []
    rows = [build_row(engine, part, cid, results.get(cid), report, text, topics, llm=llm, llm_rows=llm_rows)
            for part, cid in sheet_layout(catalog)]
    office = field_value(report.fields, "Ⅰ 1.", "事務の名称") or report.document.title or templates()["draft_label"]
    if body_kind(report) == "local":  # a 第三者点検 checklist: no 審査記載事項 (rules.md, "Who reviews")
        return ReviewDraft(kind="third_party_checklist", document=report.document, rows=rows,
                           general_comments=checklist_summary(rows, office), review_remarks=[],
                           llm=llm.name if llm_rows else None, degraded=degraded)
    return ReviewDraft(
        kind="review_sheet",
        document=report.document,
        rows=rows,
        general_comments=general_comments(rows, office),
        review_remarks=review_remarks(report, text, office, rows),
        llm=llm.name if llm_rows else None,
        degraded=degraded,
    )


def checklist_summary(rows: list[ReviewDraftRow], office: str) -> list[str]:
    """The checklist's 点検の概要: how many rows need the inspector's attention, which, and where the result goes."""
    c = templates()["checklist"]
    flagged = [r for r in rows if r.status in FLAG_STATUSES]
    review = [r for r in rows if r.status == "review"]
    out = [c["summary"].format(office=office, rows=len(rows), flagged=len(flagged), review=len(review))]
    if flagged:
        out.append(c["summary_flagged"].format(items=_listed(flagged)))
    if review:
        out.append(c["summary_review"].format(items=_listed(review)))
    out.append(c["summary_record"])
    return out
