"""Answers that are not about one retrieved checkpoint: the assessment procedure, a named form item, abstention,
and the English gist. bot/answer.py routes to them (route()); texts are templates in knowledge/answer_templates.yaml.

- procedure: the rule in one sentence, where it goes in the form, the rule's source (knowledge/procedures.yaml) and,
  when a guideline document has been indexed, the place in it that speaks about the same form item;
- threshold: the assessments the question's numbers require and the deciding row of the table (staff and
  contractors given apart add up);
- what a rule makes of the question's own dates, bands, elapsed time or quotes (bot/procedure_cases.py), stated
  before the rule;
- consistency: what one field's answer requires of other fields (rules.md), answered with the fields that follow;
- change: important change (re-assessment before the change) or correction, with the reason (the ※ mark);
- form item: the item, what the form asks there, its checkpoints (their wording and past findings, as any
  checkpoint answer), and the procedure rules about it;
- out_of_scope: what the assistant covers and how to ask; no checkpoints, no citations.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.form import load_form
from bot.form_refs import ItemRef, covers, item_checkpoints, item_label, item_notes, resolve_items
from bot.models import (
    Answer,
    AnswerTopic,
    ChangeCase,
    CheckpointRef,
    Citation,
    FormFieldSpec,
    ProcedureRule,
    SearchHit,
    Source,
    ThresholdCase,
)
from bot.procedure_cases import (
    BandCase,
    ElapsedCase,
    OrderCase,
    PeriodCase,
    ScheduleCase,
    band_case,
    basis_verdict,
    consultation_length_case,
    consultation_period_case,
    count_options,
    day_ja,
    elapsed_case,
    generic_quote,
    month_ja,
    months_ja,
    order_case,
    people_range,
    quoted,
    schedule_case,
    year_month_ja,
)
from bot.procedures import (
    HANDLERS_LIMIT,
    asks_omission,
    asks_threshold,
    body_type,
    change_case,
    decide_threshold,
    load_procedures,
    review_rules_for,
    rule_matches,
    rule_nodes,
    rules_for_item,
    threshold_case,
)
from bot.text import compact, normalize

MAX_DETAILS = 6
MAX_ITEM_RULES = 2
MAX_CHECKPOINT_RULES = 4  # a checkpoint on a whole section (観点(5) on Ⅵ 2.) has several rules: period, response, order
MAX_CHOICE_LINES = 3
MAX_CHECKPOINT_NOTES = 2
MAX_LISTED = 8
FORM_NODE_MARGIN = 0.2
K_GUIDELINE = 5
MIN_GUIDELINE_OVERLAP = 3
THRESHOLD_RULES = ("threshold", "incident")
CONSULTATION_RULES = {"consultation_period", "consultation_method", "consultation_response"}


def _t() -> dict:
    from bot.answer import templates

    return templates()


# --------------------------------------------------------------------------- citations


def procedure_citation(rule: ProcedureRule) -> Citation:
    p = load_procedures()
    return Citation(kind="guideline", text=f"{rule.title}: {rule.rule}",
                    source=Source(kind="guideline", title=p.basis_title, place=rule.basis,
                                  path="knowledge/procedures.yaml"),
                    checkpoints=list(rule.checkpoints))


def form_citation(label: str, text: str, checkpoints: list[str]) -> Citation:
    return Citation(kind="guideline", text=text,
                    source=Source(kind="guideline", title=load_procedures().form_title, place=label,
                                  path="knowledge/form.yaml"),
                    checkpoints=checkpoints)


def _catalog_citation(engine, cid: str) -> Citation | None:
    from bot.answer import templates

    item = engine.catalog.checkpoint(cid) or engine.catalog.viewpoint(cid)
    if item is None:
        return None
    return Citation(kind="checkpoint", text=item.text,
                    source=Source(kind="catalog", title=templates()["catalog_title"]), checkpoints=[cid])


class _Lines:
    """Answer lines, each ending with the [n] of the citation it rests on."""

    def __init__(self):
        self.lines: list[str] = []
        self.citations: list[Citation] = []

    def cite(self, c: Citation) -> int:
        for i, x in enumerate(self.citations, 1):
            if x.kind == c.kind and x.text == c.text:
                return i
        self.citations.append(c)
        return len(self.citations)

    def add(self, text: str, c: Citation | None = None) -> None:
        self.lines.append(f"{text} [{self.cite(c)}]" if c is not None else text)

    def text(self) -> str:
        return "\n".join(self.lines).strip()


def _refs(engine, ids: list[str]) -> list[CheckpointRef]:
    out = []
    for i, cid in enumerate(ids):
        if engine.catalog.checkpoint(cid) or engine.catalog.viewpoint(cid):
            out.append(CheckpointRef(id=cid, title=engine.catalog.title(cid), section=engine.catalog.section(cid),
                                     score=round(1.0 - 0.01 * i, 6)))
    return out


def _reviewed_by(engine, out: _Lines, ids: list[str]) -> None:
    from bot.answer import ref_name

    named = []
    for cid in ids:
        c = _catalog_citation(engine, cid)
        if c is None:
            continue
        kind = "審査の観点" if cid.startswith("V") else "審査の細目"
        named.append((f"{kind} {ref_name(cid, engine.catalog.title(cid))}", c))
    if named:
        n = out.cite(named[0][1])
        for _, c in named[1:]:
            out.cite(c)
        out.lines.append(_t()["procedure"]["reviewed_by"].format(names="、".join(x for x, _ in named), n=n))


def _guideline_place(engine, out: _Lines, query: str, nodes: list[FormFieldSpec], checkpoints: list[str]) -> None:
    """An indexed guideline chunk that speaks about the same form item or checkpoint (cited with its place)."""
    from bot.answer import _expanded_tokens, overlap, source_label
    from bot.form_refs import covers

    try:
        hits: list[SearchHit] = engine.search(query, kind="guideline", k=K_GUIDELINE)
    except Exception:  # a search failure must not lose the procedure answer
        return
    q_tokens = _expanded_tokens(query)
    for h in hits:
        linked = bool(set(h.checkpoints) & set(checkpoints))
        if not linked and nodes:
            for label in h.form_items:
                ref = resolve_items(label)
                if ref and (covers(ref[0].nodes, nodes) or covers(nodes, ref[0].nodes)):
                    linked = True
                    break
        if linked or overlap(q_tokens, h.text) >= MIN_GUIDELINE_OVERLAP:
            t = _t()["procedure"]
            n = out.cite(Citation(kind="guideline", text=h.text, source=h.source, checkpoints=list(h.checkpoints)))
            c = out.citations[n - 1]
            out.lines += ["", t["guideline_head"], t["guideline_item"].format(n=n, label=source_label(c),
                                                                             text=h.text.strip())]
            return


# --------------------------------------------------------------------------- routing


_HANDLER_ITEMS = ("ii_3_7_users", "ii_4_3")
# a system's schedule: what the assessment must come before (rules.md "Timing")
_SCHEDULE = re.compile(r"プログラミング|開発|稼働|改修|構築|運用開始|リリース|本番|programming|development|go-live",
                       re.IGNORECASE)


def route_topic(engine, text: str, original: str) -> Answer | None:
    """A procedure or form item answer for the question, or None (retrieval decides). Rules the question's own
    dates, numbers or quoted words decide (bot/procedure_cases.py) come before the rules matched by their words."""
    refs = resolve_items(text)
    named = refs[0] if refs and refs[0].explicit else None
    matches = rule_matches(text)
    match = matches[0] if matches else None
    ids = {m.rule.id for m in matches}
    # when the assessment must be done, asked with the system's schedule (プログラミング, 稼働): a schedule that
    # starts is no change to the published assessment, and a correction has no timing to ask about
    timing = any(m.rule.id == "timing" and m.groups >= 3 for m in matches) and bool(_SCHEDULE.search(text))
    # an English question's own words of change (start outsourcing, add a recipient) are read as well as its reading
    change = change_case(text) or (change_case(original) if original and original != text else None)
    if change is not None and not (timing and not change.important):
        return change_answer(engine, change, text, timing=timing)
    if timing:  # the months of the schedule: programming start against the assessment's steps
        schedule = schedule_case(original) or schedule_case(text)
        if schedule is not None:
            return rule_answer(engine, load_procedures().rule("timing"), text, original,
                               opening=_schedule_lines(schedule))
    # two number bands compared (Ⅰ 1. ③ and Ⅱ 2. ②, or a 委託事項's / 提供先's and its file's): as ranges
    bands = band_case(original) or band_case(text)
    if bands is not None and ("count_bands" in ids or bands.part):
        return rule_answer(engine, load_procedures().rule("count_bands"), text, original,
                           opening=_band_lines(bands), form_items=_band_items(bands))
    # a number of people and the count fields the question names: which option holds it, in each field's own limits
    picks = count_options(original) or count_options(text)
    if picks:
        t = _t()["procedure"]
        lines = [t["count_option"].format(count=people_ja(c.count), item=c.label, option=c.option) for c in picks]
        rule = load_procedures().rule("threshold" if picks[0].field_id in _HANDLER_ITEMS else "count_bands")
        return rule_answer(engine, rule, text, original, opening=lines,
                           form_items=[c.label for c in reversed(picks)])
    # the numbers of a question about the threshold or about a serious incident's effect on it decide the answer
    about_threshold = bool(ids & set(THRESHOLD_RULES))
    if about_threshold or asks_threshold(original) or asks_threshold(text):
        case = threshold_case(original) or threshold_case(text)
        if case is not None:
            return threshold_answer(engine, case, text)
    # the dates of a public consultation: counted, both days included
    about_consultation = bool(ids & CONSULTATION_RULES) or (named is not None and covers(_consultation_item(),
                                                                                             named.nodes))
    if about_consultation or ids & {"procedure_order"}:
        # with the date of the inspection or submission as well: the order of the two (rules.md "Dates in order")
        order = order_case(original) or order_case(text)
        if order is not None:
            return rule_answer(engine, load_procedures().rule("procedure_order"), text, original,
                               opening=_period_lines(order.period) + _order_lines(order))
    if about_consultation:
        period = consultation_period_case(original) or consultation_period_case(text)
        if period is not None:
            return rule_answer(engine, load_procedures().rule("consultation_period"), text, original,
                               opening=_period_lines(period))
        length = consultation_length_case(original) or consultation_length_case(text)
        if length is not None:
            key = "length_short" if length.short else "length_enough"
            return rule_answer(engine, load_procedures().rule("consultation_period"), text, original,
                               opening=[_t()["procedure"][key].format(said=length.said, days=length.days)])
    # the time since the last assessment, against the five years
    elapsed = elapsed_case(original) or elapsed_case(text)
    if elapsed is not None and not ids & CONSULTATION_RULES and not timing:  # a schedule's dates are plans
        # 「公表してから2年、見直しは？」 is answered with the yearly review, after the five years
        rule_id = "yearly_review" if "yearly_review" in ids else "reassessment"
        return rule_answer(engine, load_procedures().rule(rule_id), text, original, opening=_elapsed_lines(elapsed))
    # a quoted measure made of generic promises, about no particular item
    generic = generic_quote(original) or generic_quote(text)
    if generic is not None and named is None:
        return rule_answer(engine, load_procedures().rule("generic_wording"), text, original,
                           opening=[_t()["procedure"]["generic_quote"].format(quote=generic)])
    # what a named item's own label excludes (Ⅲ 2. 入手（情報提供ネットワークシステムを通じた入手を除く。）),
    # asked about there: the item it belongs to instead
    if named is not None and (match is None or match.rule.kind not in ("consistency", "review")):
        excluded = _excluded_asked(named, original or text)
        if excluded is not None:
            rule, line = excluded
            return rule_answer(engine, rule, text, original, opening=[line])
    if named is not None:
        named = narrowed(named, original or text)
        # a quoted answer names the subject of its field (「…消去させる」 in Ⅲ 4. is the 消去ルール's answer)
        quote = answer_quote(named.nodes, f"{original}\n{text}")
        if quote is not None:
            named = narrowed(named, quote, min_word=2)
    # a text the question quotes as a named item's answer is judged there, whatever else the question mentions
    # (「審議会の委員です。Ⅲ 4. の消去ルールが「…」だけでした」 is about that answer, not about who inspects)
    if named is not None and answer_quote(named.nodes, f"{original}\n{text}") is not None:
        return form_item_answer(engine, named, text, original=original)
    # what one field's answer requires of the others: answered with the fields that follow, also when the question
    # names the field whose answer it is (「Ⅰ 2. ③で宛名システム等に印を付けたら、連動して書く欄は？」)
    if match is not None and match.rule.kind in ("consistency", "review"):
        return rule_answer(engine, match.rule, text, original)
    # (an item only one kind of body writes, named: the item's answer says whether this body writes it)
    body_rule = (match is not None and match.rule.id == "review_body" and body_type(original or text) is not None
                 and not (named is not None and any(n.body for n in named.nodes) and not _related(match.rule, named)))
    # the question names a form item: the item's answer, which carries the procedure rules about it; a rule about
    # something else the question also asks wins only when the item has no checkpoint to answer with; who reviews a
    # given body's assessment is answered for that body (「独立行政法人の場合、第三者点検は？」)
    if named is not None and not body_rule and (
            match is None or _related(match.rule, named) or item_checkpoints(named.nodes)
            or (match.rule.id == "review_body" and any(n.body for n in named.nodes) and not body_rule)):
        return form_item_answer(engine, named, text, original=original)
    if match is not None:
        return rule_answer(engine, match.rule, text, original)
    return None


# what a label's exclusion names -> the rule of the item it belongs to instead (rules.md "Consistency inside the form")
_EXCLUDED_RULES = (("情報提供ネットワークシステム", "network_connection"), ("委託", "entrustment_fields"))
_EXCLUSION_TEXT = re.compile(r"[(（]([^()（）]*?)を除く。?[)）]")


def _excluded_asked(ref: ItemRef, text: str) -> tuple[ProcedureRule, str] | None:
    """The question asks about a named item something its label excludes (「ネットワークシステムで照会した情報の入手
    リスクもⅢ2に？」): the rule of the item that covers it, and a line saying so."""
    from bot.form import load_form

    form = load_form()
    q = _EXCLUSION_TEXT.sub("", normalize(text))
    for node in [ref.node, *form.ancestors(ref.node.id)]:
        m = _EXCLUSION_TEXT.search(node.label)
        if m is None:
            continue
        for term, rule_id in _EXCLUDED_RULES:
            if term in m.group(1) and term in q and not (term == "委託" and "情報提供ネットワークシステム" in q):
                rule = load_procedures().rule(rule_id)
                line = _t()["procedure"]["excluded"].format(label=item_label(node), excluded=m.group(1),
                                                           home=rule.form_items[0])
                return rule, line
    return None


def narrowed(ref: ItemRef, text: str, min_word: int = 3) -> ItemRef:
    """A section or item named by its place, with the words of fields inside it (「Ⅴの…個人情報ファイル簿について
    書く欄」): the smallest item holding every field whose label shares the question's longest such words (Ⅴ 1.:
    ④個人情報ファイル簿の公表, ⑥個人情報ファイル簿への不記載等). The reference as it is otherwise."""
    from bot.form import load_form

    form = load_form()
    if ref.how != "place" or len(ref.nodes) != 1:
        return ref
    inside = [n for n in form.descendants(ref.node.id) if "{n}" not in n.label]
    if not inside:
        return ref
    q = compact(normalize(text))
    own_labels = [ref.node.label, *(a.label for a in form.ancestors(ref.node.id))]
    for label in own_labels:  # the item's own label said in full is no word of a field inside it
        q = q.replace(compact(normalize(label)), "|")
    own = compact(" ".join(own_labels))
    best, hits = 0, []
    for n in inside:
        size = _shared(q, compact(n.label), own, min_word)
        if size > best:
            best, hits = size, [n]
        elif size == best and size:
            hits.append(n)
    if not best or len(hits) == len(inside):
        return ref
    # one field the form repeats in every risk block (リスクへの対策は十分か): its first instance stands for all
    same = len({n.label for n in hits}) == 1 and not any(form.descendants(n.id) for n in hits)
    common = hits[0] if len(hits) == 1 or same else _common_ancestor(hits)
    if common is None or common.id == ref.node.id:
        return ref
    return ItemRef(nodes=[common], how="place", start=ref.start, end=ref.end)


NARROW_MIN_CHARS = 5  # a shared run of any characters; a run of kanji or katakana alone counts from 3 (手数料)
NARROW_MIN_WORD = 3
# the form's generic words, and rules.md's qualifiers with nothing behind them, name no field
_GENERIC_RUNS = ("特定個人情報ファイル", "特定個人情報", "適切", "確実", "厳重", "適正", "徹底", "十分", "必要")
_WORD_RUN = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ff]+")


def _shared(q: str, label: str, own: str, min_word: int = NARROW_MIN_WORD) -> int:
    """The longest run of characters a label shares with the question (5 or more, or 3 or more kanji/katakana), not
    the form's generic words and not words of the named item's own label."""
    best = 0
    for i in range(len(label)):
        for j in range(len(label), i + best, -1):
            run = label[i:j]
            if run in q and run not in own and not any(run in g for g in _GENERIC_RUNS) and (
                    len(run) >= NARROW_MIN_CHARS or (len(run) >= min_word and _WORD_RUN.fullmatch(run))):
                best = j - i
                break
    return best


def _common_ancestor(nodes: list[FormFieldSpec]) -> FormFieldSpec | None:
    from bot.form import load_form

    form = load_form()
    chains = [[n.id, *(a.id for a in form.ancestors(n.id))] for n in nodes]
    for nid in chains[0]:
        if all(nid in c for c in chains[1:]):
            return form.get(nid)
    return None


def _consultation_item() -> list[FormFieldSpec]:
    return [load_form().get("vi_2")]


def _period_lines(period: PeriodCase) -> list[str]:
    t = _t()["procedure"]
    out = [t["period_days"].format(start=day_ja(period.start, period.dated), end=day_ja(period.end, period.dated),
                                   days=period.days)]
    if period.short:
        out.append(t["period_short"].format(last=day_ja(period.last_day_for_minimum, period.dated)))
    else:
        out.append(t["period_enough"])
    if period.stated is not None:
        key = "period_stated_wrong" if period.stated_wrong else "period_stated_ok"
        out.append(t[key].format(stated=period.stated, days=period.days))
    return out


def _order_lines(case: OrderCase) -> list[str]:
    import datetime as dt

    t = _t()["procedure"]
    key = "order_ok" if case.in_order else "order_wrong"
    dated = case.period.dated
    return [t[key].format(step=case.step, on=day_ja(case.on, dated), end=day_ja(case.period.end, dated),
                          next=day_ja(case.period.end + dt.timedelta(days=1), dated))]


def _band_lines(case: BandCase) -> list[str]:
    t = _t()["procedure"]
    if case.part_exceeds:
        return [t["bands_part_exceeds"].format(first=case.first, second=case.second)]
    if case.compatible:
        return [t["bands_compatible"].format(first=case.first, second=case.second,
                                             overlap=people_range(case.low, case.high))]
    return [t["bands_incompatible"].format(first=case.first, second=case.second)]


def _elapsed_lines(case: ElapsedCase) -> list[str]:
    import datetime as dt

    t = _t()["procedure"]
    out = []
    if case.since is not None:  # the date the question gives: when the five years end, in its own calendar
        due = dt.date(case.since.year + 5, case.since.month, 1)
        key = "elapsed_due_past" if case.due else "elapsed_due"
        out.append(t[key].format(since=year_month_ja(case.since), due=year_month_ja(due)))
    if case.due:
        return [*out, t["elapsed_over"].format(elapsed=months_ja(case.months))]
    return [*out, t["elapsed_before"].format(elapsed=months_ja(case.months), remaining=months_ja(case.remaining))]


def _quote_lines(rule: ProcedureRule, text: str) -> list[str]:
    """What the checker would say of a legal basis the question quotes."""
    if rule.id not in ("provision_basis", "transfer_basis"):
        return []
    t = _t()["procedure"]
    transfer = rule.id == "transfer_basis"
    for q in quoted(text):
        verdict = basis_verdict(q, transfer=transfer)
        if verdict is not None:
            return [t["basis_quote_problem"].format(quote=q, problem=verdict)]
        return [t["basis_quote_ok"].format(quote=q)]
    return []


def _related(rule: ProcedureRule, ref: ItemRef) -> bool:
    from bot.form_refs import covers

    for label in rule.form_items:
        found = resolve_items(label)
        if found and (covers(found[0].nodes, ref.nodes) or covers(ref.nodes, found[0].nodes)):
            return True
    return False


# --------------------------------------------------------------------------- procedure answers


def _schedule_lines(case: ScheduleCase) -> list[str]:
    t = _t()["procedure"]
    programming = month_ja(case.programming)
    late = case.late
    if late:
        steps = "、".join(f"{s}（{month_ja(d)}）" for s, d in late)
        return [t["schedule_late"].format(programming=programming, steps=steps)]
    steps = "、".join(f"{s}（{month_ja(d)}）" for s, d in case.steps)
    return [t["schedule_ok"].format(programming=programming, steps=steps)]


def _band_items(case: BandCase) -> list[str] | None:
    """The items a comparison of bands is about: a 委託事項's or 提供先's number and its file's (Ⅱ 2. ②)."""
    if not case.part:
        return None
    part = "Ⅱ 5. ④提供する情報の対象となる本人の数" if case.part == "provision" else "Ⅱ 4. ②対象となる本人の数"
    return [part, "Ⅱ 2. ②対象となる本人の数"]


def rule_answer(engine, rule: ProcedureRule, text: str, original: str = "",
                opening: list[str] | None = None, form_items: list[str] | None = None) -> Answer:
    """The rule in one sentence, where it goes, its details, who reviews it. `opening`: what the rule makes of the
    question's own dates, numbers or quotes (bot/procedure_cases.py), stated first and cited to the rule."""
    p = load_procedures()
    if rule.id == "review_body":
        body = body_type(original or text) or body_type(text)
        if body is not None:
            rule = p.rule(f"review_{body}")
    t = _t()["procedure"]
    out = _Lines()
    cite = procedure_citation(rule)
    lines = [*(opening or []), *_quote_lines(rule, original or text)]
    # a question whether the field that follows may be left out: said plainly first (rules.md "⇒ … is filled in")
    if rule.kind == "consistency" and rule.required and (asks_omission(original or text) or asks_omission(text)):
        lines.insert(0, rule.required)
    for line in lines:
        out.add(line, cite)
    out.add(rule.rule, cite)
    if rule.form_items:
        n = out.cite(cite)
        out.lines.append(t["where"].format(items="、".join(f"「{x}」" for x in rule.form_items[:3]), n=n))
    _named_choices(out, _rule_and_named_nodes(rule, text), original or text, rule.checkpoints)
    for d in rule.details[:MAX_DETAILS]:
        out.add(d, cite)
    _reviewed_by(engine, out, rule.checkpoints)
    _guideline_place(engine, out, text, rule_nodes(rule), rule.checkpoints)
    items = list(dict.fromkeys([*(form_items or []), *rule.form_items]))
    return Answer(answer=out.text(), checkpoints=_refs(engine, rule.checkpoints), citations=out.citations,
                  topic=AnswerTopic(kind="procedure", id=rule.id), form_items=items)


def _rule_and_named_nodes(rule: ProcedureRule, text: str) -> list[FormFieldSpec]:
    """The form nodes a rule speaks of (its form items) and the items the question names."""
    refs = [found[0] for found in (resolve_items(label) for label in rule.form_items) if found]
    refs += [ref for ref in resolve_items(text) if ref.explicit]
    nodes: list[FormFieldSpec] = []
    for ref in refs:
        nodes += [n for n in ref.nodes if n not in nodes]
    return nodes


def _named_choices(out: _Lines, nodes: list[FormFieldSpec], text: str, checkpoints: list[str]) -> None:
    """What the choice the question names switches on or off (「委託しない」にチェックしたら …, 「発生あり」に
    書き換える): the form's conditions (choice_lines), cited to the form."""
    lines = choice_lines(nodes, named_in=text, said="\n".join(out.lines))
    if lines:
        c = choice_citation([n for n in nodes if any(f"「{o}」" in "".join(lines) for o in n.options)] or nodes,
                            checkpoints)
        for line in lines:
            out.add(line, c)


def people_ja(n: int) -> str:
    """80000 -> '8万人', 125000 -> '12万5,000人', 600 -> '600人', 10000000 -> '1,000万人'."""
    if n >= 10_000:
        man, rest = divmod(n, 10_000)
        return f"{man:,}万{rest:,}人" if rest else f"{man:,}万人"
    return f"{n:,}人"


def _join(items: list[str]) -> str:
    return "と".join(items) if len(items) <= 2 else "、".join(items[:-1]) + "と" + items[-1]


_ROW_RULES = {
    "1,000人未満": "評価の実施は義務ではありません（任意）。",
    "1,000人以上1万人未満": "基礎項目評価が必要です。",
    "1万人以上10万人未満": "基礎項目評価が必要で、取扱者数500人以上または重大事故があれば重点項目評価も必要です。",
    "10万人以上30万人未満": "基礎項目評価と重点項目評価が必要で、取扱者数500人以上または重大事故があれば"
                          "重点項目評価に代えて"
                          "全項目評価が必要です。",
    "30万人以上": "基礎項目評価と全項目評価が必要です。",
}


def threshold_answer(engine, case: ThresholdCase, text: str) -> Answer:
    p = load_procedures()
    rule = p.rule("threshold")
    t = _t()["procedure"]
    out = _Lines()
    cite = procedure_citation(rule)
    people = people_ja(case.people or 0)
    if not case.required:
        out.add(t["threshold_none"].format(people=people, row=case.row), cite)
    else:
        handlers = ""
        if case.handlers is not None:
            side = "以上" if case.handlers >= 500 else "未満"
            if len(case.handlers_parts) == 2:
                staff, contractors = case.handlers_parts
                handlers = t["threshold_handlers_sum"].format(handlers=people_ja(case.handlers), side=side,
                                                              staff=people_ja(staff),
                                                              contractors=people_ja(contractors))
            else:
                handlers = t["threshold_handlers"].format(handlers=people_ja(case.handlers), side=side)
        incident = ""
        if case.incident is True:
            incident = t["threshold_incident_yes"]
        elif case.incident is False:
            incident = t["threshold_incident_no"]
        out.add(t["threshold_result"].format(people=people, row=case.row, handlers=handlers, incident=incident,
                                             required=_join(case.required)), cite)
        optional = [x for x in case.optional if x not in case.required]
        # what the numbers do not require, said as plainly as what they do (「重点項目評価は不要です」)
        not_required = [x for x in ASSESSMENTS if x not in case.required and x not in optional]
        if not_required and not case.undecided:
            replaced = "全項目評価" in case.required and case.row == "10万人以上30万人未満"
            out.add(t["threshold_replaced" if replaced else "threshold_not_required"].format(
                names=_join(not_required)), cite)
        if optional:
            out.add(t["threshold_optional"].format(optional=_join(optional)), cite)
    if case.undecided:
        out.add(case.undecided, cite)
    # a number exactly at a limit of the table: which side it is on
    for line in _boundary_lines(case):
        out.add(line, cite)
    out.add(t["threshold_row"].format(row=case.row, row_rule=_ROW_RULES[case.row]), cite)
    # a serious incident that makes the result heavier: the assessment is done again (rules.md)
    if case.incident is True and case.people is not None:
        lighter = decide_threshold(case.people, case.handlers, False)
        if lighter.required != case.required:
            incident_rule = p.rule("incident")
            out.add(t["threshold_incident_heavier"].format(lighter=_join(lighter.required),
                                                           required=_join(case.required)),
                    procedure_citation(incident_rule))
            out.add(incident_rule.rule, procedure_citation(incident_rule))
    elif _INCIDENT_WORDS.search(text):
        # an incident the question speaks of: the threshold looks back one year, Ⅲ 7. リスク1 ⑨ three years
        incident_rule = p.rule("incident")
        for d in incident_rule.details:
            out.add(d, procedure_citation(incident_rule))
    n = out.cite(cite)
    out.lines.append(t["where"].format(items="、".join(f"「{x}」" for x in rule.form_items[:2]), n=n))
    out.add(rule.details[-1], cite)
    _reviewed_by(engine, out, rule.checkpoints)
    return Answer(answer=out.text(), checkpoints=_refs(engine, rule.checkpoints), citations=out.citations,
                  topic=AnswerTopic(kind="procedure", id=rule.id), form_items=list(rule.form_items))


ASSESSMENTS = ("基礎項目評価", "重点項目評価", "全項目評価")
_INCIDENT_WORDS = re.compile(r"重大事故|事故|漏えい|漏洩|流出|インシデント|incident|breach|leak", re.IGNORECASE)
_LIMITS = {1_000: "1,000人以上", 10_000: "1万人以上", 100_000: "10万人以上", 300_000: "30万人以上"}


def _boundary_lines(case: ThresholdCase) -> list[str]:
    """A number exactly at a limit of the threshold table (1万人ちょうど, 取扱者数500人ちょうど): which side it is
    on."""
    t = _t()["procedure"]
    out = []
    if case.people in _LIMITS:
        out.append(t["threshold_boundary_people"].format(people=people_ja(case.people), side=_LIMITS[case.people]))
    if case.handlers == HANDLERS_LIMIT:
        out.append(t["threshold_boundary_handlers"].format(handlers=people_ja(case.handlers)))
    return out


_COUNT_FIELDS = {"ii_3_7_users", "ii_2_2", "i_1_3", "ii_4_3"}
_CHANGE_RULES = {"important_change", "correction", "asterisk", "threshold"}


def change_answer(engine, change: ChangeCase, text: str, timing: bool = False) -> Answer:
    p = load_procedures()
    rule = p.rule("important_change" if change.important else "correction")
    t = _t()["procedure"]
    out = _Lines()
    cite = procedure_citation(rule)
    key = "change_important" if change.important else "change_correction"
    out.add(t[key].format(item=change.item, why=change.why), cite)
    for also in change.also:  # each item the question names, with its own verdict (the exception of Ⅲ 7. リスク1 ⑨)
        also_rule = p.rule("important_change" if also.important else "correction")
        also_key = "change_important" if also.important else "change_correction"
        out.add(t[also_key].format(item=also.item, why=also.why), procedure_citation(also_rule))
    if not change.important:
        n = out.cite(cite)
        out.lines.append(t["where"].format(items="「Ⅵ (別添3) 変更箇所」", n=n))
    out.add(rule.rule, cite)
    if timing:  # asked when: the re-assessment of a changed system is done before programming starts
        out.add(p.rule("timing").rule, procedure_citation(p.rule("timing")))
    for d in rule.details[:MAX_DETAILS]:
        out.add(d, cite)
    if change.field_id in _COUNT_FIELDS:
        out.add(t["change_counts"], procedure_citation(p.rule("threshold")))
    # what else a rule says of the item that changes (Ⅲ 7. リスク1 ⑨: an incident that makes the threshold heavier
    # means re-assessment after all; ⑦再委託する: ⑧⑨ and Ⅲ 4. 再委託 are to be written)
    node = load_form().get(change.field_id) if change.field_id else None
    for other in rules_for_item([node]) if node is not None else []:
        if other.id not in _CHANGE_RULES:
            out.add(other.rule, procedure_citation(other))
            break
    if node is not None:  # the choice it changes to: what that switches on or off (「発生あり」: その内容, 再発防止策)
        _named_choices(out, [node], text, list(rule.checkpoints))
    ids = list(rule.checkpoints)
    _reviewed_by(engine, out, ids)
    nodes = [load_form().get(change.field_id)] if change.field_id else []
    _guideline_place(engine, out, text, nodes, ids)
    # a narrower item named besides (Ⅲ 7. リスク1 ⑨ besides Ⅲ) is what the question singles out
    narrower = [o.item for o in change.also if o.field_id and change.field_id
                and change.field_id in [a.id for a in load_form().ancestors(o.field_id)]]
    items = list(dict.fromkeys([*narrower, change.item, *[o.item for o in change.also],
                                *[x for x in rule.form_items if x != change.item]]))
    return Answer(answer=out.text(), checkpoints=_refs(engine, ids), citations=out.citations,
                  topic=AnswerTopic(kind="procedure", id=rule.id), form_items=items)


# --------------------------------------------------------------------------- form items


def _heading(node: FormFieldSpec) -> str:
    form = load_form()
    chain = [a for a in reversed(form.ancestors(node.id)) if "{n}" not in a.label]
    return "＞".join(f"「{item_label(a)}」" for a in chain) or f"「{item_label(node)}」"


def _note(nodes: list[FormFieldSpec], key: str):
    """A note of knowledge/form_items.yaml for the item: its own, else the nearest enclosing item's (a field such as
    Ⅱ 3. ⑦使用者数 is explained by what the form asks at Ⅱ 3. ⑦; a field of Ⅲ 4. is under the law's 委託先の監督)."""
    from bot.form import path_key
    from bot.form_refs import nodes_at

    notes = item_notes()
    form = load_form()
    for n in nodes:
        if notes.get(n.id, {}).get(key):
            return notes[n.id][key]
    for n in nodes[:1]:
        # the node that opens the same place (Ⅱ 3. ⑦使用の主体 for ⑦使用者数), then the enclosing items
        for a in [*nodes_at(list(path_key(n.path))), *form.ancestors(n.id)]:
            if notes.get(a.id, {}).get(key):
                return notes[a.id][key]
    return None


def _asks(nodes: list[FormFieldSpec]) -> str:
    found = _note(nodes, "asks")
    return str(found) if found else ""


def _law(nodes: list[FormFieldSpec]) -> str:
    found = _note(nodes, "law")
    return "、".join(str(x) for x in found) if found else ""


def _checkpoint_list(engine, cps: list[str]) -> tuple[str, Citation] | None:
    """An item several numbered checkpoints review (Ⅲ 4., Ⅲ 3. リスク2): all of them, with where each one is."""
    from bot.answer import ref_name, templates

    numbered = [c for c in cps if engine.catalog.checkpoint(c) is not None]
    if len(numbered) < 2:
        return None
    names = [f"{ref_name(c, engine.catalog.title(c))}（{engine.catalog.section(c)}）" for c in numbered[:MAX_LISTED]]
    text = "\n".join(f"{ref_name(c, engine.catalog.title(c))}: {engine.catalog.checkpoint(c).text}"
                      for c in numbered[:MAX_LISTED])
    c = Citation(kind="checkpoint", text=text, source=Source(kind="catalog", title=templates()["catalog_title"]),
                 checkpoints=numbered[:MAX_LISTED])
    return _t()["form_item"]["checkpoints"].format(items="、".join(names)), c


def form_item_answer(engine, ref: ItemRef, text: str, llm=None, original: str = "") -> Answer:
    """The item, what the form asks there, its conditions and rules, its checkpoints. A text the question quotes as
    the item's answer (「不正アクセス対策を実施している。」とだけ書いた) is judged first, as `pia check` judges it."""
    from bot.answer import _finish, gather, templates

    t = templates()
    tf = t["form_item"]
    node, label = ref.node, ref.label
    cps = item_checkpoints(ref.nodes)
    asks, law = _asks(ref.nodes), _law(ref.nodes)
    cite = form_citation(label, f"{label}（{_heading(node)}）" + (f": {asks}" if asks else "")
                         + (f"（{law}）" if law else ""), cps)
    intro: list[tuple[str, Citation]] = [(t["answer"]["intro_form_item"].format(label=label, heading=_heading(node)),
                                          cite)]
    intro += [(line, cite) for line in body_lines(ref.nodes, original or text)]
    intro += quote_verdict_lines(engine, ref.nodes, f"{original}\n{text}" if original else text, cps)
    if asks:
        intro.append((tf["asks"].format(asks=asks), cite))
    if law:
        intro.append((tf["law"].format(law=law), cite))
    listed = _checkpoint_list(engine, cps)
    if listed is not None:
        intro.append(listed)
    if node.none_ok and "その他のリスク" in label:
        intro.append((tf["none_ok"], cite))
    if node.kind in ("choice", "checkbox") and node.options:
        intro.append((tf["options"].format(options=" / ".join(node.options)), cite))
        # a choice that says the risk is not met (課題が残されている, 十分に行っていない …) is a finding (rules.md)
        weak = load_procedures().rule("weak_choice")
        if any(o in weak.rule for o in node.options):
            intro.append((weak.rule, procedure_citation(weak)))
    for line in _conditions(ref.nodes):
        intro.append((line, cite))
    for i, rule in enumerate(rules_for_item(ref.nodes)[:MAX_ITEM_RULES]):
        intro.append((tf["rule_item"].format(rule=rule.rule), procedure_citation(rule)))
        if i == 0:  # the rule whose item this is: its details too
            intro += [(tf["rule_item"].format(rule=d), procedure_citation(rule)) for d in rule.details[:MAX_DETAILS]]
    if ref.ambiguous and ref.alternatives:
        intro.append((tf["ambiguous"].format(others="、".join(f"「{item_label(a)}」" for a in ref.alternatives[:3])),
                      cite))
    topic = AnswerTopic(kind="form_item", id=label)
    if cps:
        mat = gather(engine, text)
        mat.refs = _item_first(engine, mat.refs, cps)
        return _finish(engine, text, mat, llm=llm, topic=topic, intro=intro, form_items=[label])
    out = _Lines()
    for line, c in intro:
        out.add(line, c)
    out.add(tf["no_checkpoint"], cite)
    return Answer(answer=out.text(), checkpoints=[], citations=out.citations, topic=topic, form_items=[label])


def _judged_field(nodes: list[FormFieldSpec]) -> FormFieldSpec | None:
    """The free-text field the checker judges for an item (⑥技術的対策 -> its 具体的な対策の内容; Ⅳ 1. ①自己点検 ->
    具体的なチェック方法, the field at the same place)."""
    from bot.form import path_key
    from bot.form_refs import nodes_at

    form = load_form()
    for node in nodes:
        # the text a choice requires (「定めている」 -> ルールの内容及びルール遵守の確認方法) is judged for it
        required = [m for m in form if any(str(c).split("=")[0] == node.id for c in m.required_when)]
        for n in [node, *form.descendants(node.id), *nodes_at(list(path_key(node.path))), *required]:
            if n.kind == "text" and n.judge is not None:
                return n
    return None


def body_lines(nodes: list[FormFieldSpec], text: str) -> list[str]:
    """An item only one kind of body writes (knowledge/form.yaml body: Ⅵ 4. and the cover's approval date for
    行政機関等, Ⅵ 3. for 地方公共団体等), asked about by a body of the other kind (「町の評価書で、表紙の承認日は？」):
    not written there, and what is written instead."""
    form = load_form()
    asker = body_type(text)
    if asker is None or not nodes:
        return []
    owner = next((n.body for n in [nodes[0], *form.ancestors(nodes[0].id)] if n.body), None)
    if owner is None or owner == asker:
        return []
    tf = _t()["form_item"]
    names = tf["body_names"]
    return [tf["body_other"].format(asker=names[asker], label=item_label(nodes[0]), owner=names[owner]),
            tf["body_instead"][asker]]


@lru_cache(maxsize=1)
def _form_words() -> frozenset[str]:
    """Every label, variant and option of the form: a quote that is one of them names the form (「リスクへの対策は
    十分か」), it is no answer to judge."""
    return frozenset(w for n in load_form() for w in (n.label, *n.variants, *n.options))


def answer_quote(nodes: list[FormFieldSpec], text: str) -> str | None:
    """The first text the question quotes as the answer of an item whose field the checker judges: not one of its
    options or labels (「発生あり」, 「委託しない」 are choices), not a word or two."""
    from bot.procedure_cases import quoted

    field = _judged_field(nodes)
    if field is None:
        return None
    from bot.bilingual import is_english

    words = {o for n in nodes for o in n.options} | {n.label for n in nodes} | set(field.options) | _form_words()
    # an English question's quote is judged in its Japanese reading (the reading's 「…」), not as English text
    return next((q for q in quoted(text) if q not in words and len(q) >= 6 and not is_english(q)), None)


def quote_verdict_lines(engine, nodes: list[FormFieldSpec], text: str,
                        checkpoints: list[str]) -> list[tuple[str, Citation]]:
    """A text the question quotes as the item's answer, judged as `pia check` judges that field (engine.judge_field):
    what it lacks and a 修正例 when flagged, with rules.md's general criterion; that it is not flagged otherwise.
    A quoted option or label (「発生あり」, 「委託しない」) is a choice, not an answer text."""
    field = _judged_field(nodes)
    q = answer_quote(nodes, text)
    if field is None or q is None:
        return []
    from bot.bilingual import english_quotes

    t = _t()["procedure"]
    verdict = engine.judge_field(field.id, q)
    label = item_label(field)
    shown = q
    english = english_quotes(text)
    if english:  # an English quote, judged in its Japanese reading: said as the question wrote it
        shown = english[0]
    check = Citation(kind="guideline", text=f"{label}: " + "".join(r.message for r in verdict.reasons),
                     source=Source(kind="guideline", title=t["check_title"], place=label,
                                   path="knowledge/rubrics.yaml"),
                     checkpoints=list(checkpoints))
    if verdict.status not in ("incomplete", "missing"):
        return [(t["quote_not_flagged"].format(quote=shown, label=label), check)]
    out = [(t["quote_flagged"].format(quote=shown, label=label, reasons="".join(r.message for r in verdict.reasons)),
            check)]
    if verdict.suggestion:
        out.append((verdict.suggestion, check))
    generic = load_procedures().rule("generic_wording")
    out.append((_t()["rubric"]["criterion_text"].format(criterion=generic.details[0]), procedure_citation(generic)))
    return out


def _conditions(nodes: list[FormFieldSpec]) -> list[str]:
    """When the item does not apply, or must be filled in (knowledge/form.yaml na_when / required_when)."""
    from bot.form import parse_condition

    form = load_form()
    tf = _t()["form_item"]
    out: list[str] = []
    for node in nodes[:1]:
        for key, conds in (("na", node.not_applicable_when), ("req", node.required_when)):
            for cond in conds:
                if "&" in cond:
                    continue
                fid, option, negated = parse_condition(cond)
                if not form.has(fid):
                    continue
                if fid == node.id:  # the item's own check box (委託しない): said by choice_lines below
                    continue
                field = item_label(form.get(fid))
                if key == "req":
                    line = tf["required_when"].format(field=field, option=option)
                else:
                    line = tf["na_not" if negated else "na_when"].format(field=field, option=option)
                if line not in out:
                    out.append(line)
        # the fields this choice switches off or on (再委託しない: ⑧ and ⑨ do not apply), in the words a checkpoint
        # answer uses for them (choice_lines)
        out += [line for line in choice_lines([node], limit=MAX_DETAILS) if line not in out]
    return out


# --------------------------------------------------------------------------- what a choice switches on or off


@lru_cache(maxsize=1)
def _dependents() -> dict[tuple[str, str, str], list[FormFieldSpec]]:
    """(field id, option, "required" | "not_applicable") -> the nodes that choice makes required or not applicable
    (knowledge/form.yaml required_when / na_when), the top-most only (a node under another one the same choice switches
    is implied). Conditions of several parts (a=x&b=y) are left out: one choice alone does not decide them."""
    from bot.form import parse_condition

    form = load_form()
    found: dict[tuple[str, str, str], list[FormFieldSpec]] = {}
    for other in form:
        for key, conds in (("not_applicable", other.not_applicable_when), ("required", other.required_when)):
            for cond in conds:
                if "&" in cond:
                    continue
                fid, option, negated = parse_condition(cond)
                if not negated and form.has(fid):
                    found.setdefault((fid, option, key), []).append(other)
    out: dict[tuple[str, str, str], list[FormFieldSpec]] = {}
    for k, nodes in found.items():
        ids = {n.id for n in nodes}
        out[k] = [n for n in nodes if n.id == k[0] or not any(a.id in ids for a in form.ancestors(n.id))]
    return out


# an option is named when no letter of a longer word runs into it (「再委託しない」 does not name 委託しない)
_WORD_CHAR = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ffA-Za-z0-9]")


def option_named(option: str, text: str) -> bool:
    flat = _flat_text(text)
    opt = _flat_text(option)
    start = flat.find(opt)
    while start >= 0:
        if start == 0 or not _WORD_CHAR.match(flat[start - 1]):
            return True
        start = flat.find(opt, start + 1)
    return False


def _flat_text(text: str) -> str:
    from bot.text import normalize

    return re.sub(r"\s+", "", normalize(text))


def choice_lines(nodes: list[FormFieldSpec], named_in: str | None = None, limit: int = MAX_CHOICE_LINES,
                 said: str = "") -> list[str]:
    """What the choices of these fields switch on or off in other fields: 「⑨…」で「発生あり」を選んだ場合は、その内容と
    再発防止策の内容の記載が必要です. With `named_in`, only the options that text names (the choice a question is
    about: 「委託しない」にチェックしたら …). A consequence `said` already states (its option and every field it
    switches) is not repeated."""
    t = _t()["choice"]
    deps = _dependents()
    out: list[str] = []
    for node in nodes:
        grouped: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for option in node.options:
            if named_in is not None and not option_named(option, named_in):
                continue
            for key in ("required", "not_applicable"):
                found = deps.get((node.id, option, key), [])
                if found:
                    grouped.setdefault((key, tuple(n.id for n in found)), []).append(option)
        form = load_form()
        known = _flat_text(said)
        for (key, ids), options in grouped.items():
            opts = "、".join(f"「{o}」" for o in options)
            others = [form.get(i) for i in ids if i != node.id]
            if known and others and all(_flat_text(o) in known for o in options) and all(
                    _flat_text(n.label) in known for n in others):
                continue
            if key == "not_applicable" and not others:
                line = t["not_applicable_self"].format(field=item_label(node), options=opts)
            else:
                line = t[key].format(field=item_label(node), options=opts,
                                     fields="、".join(f"「{_each(item_label(n))}」" for n in others[:4]))
            if line not in out:
                out.append(line)
    return out[:limit]


def _each(label: str) -> str:
    """A repeated block's label as prose: 「Ⅱ 4. 委託事項{n}」 -> 「Ⅱ 4. 各委託事項」."""
    return re.sub(r"(\S+)\{n\}", r"各\1", label)


def choice_citation(nodes: list[FormFieldSpec], checkpoints: list[str]) -> Citation:
    """The form's choices the lines of choice_lines() rest on."""
    choices = [n for n in nodes if n.options]
    label = item_label(choices[0]) if choices else (item_label(nodes[0]) if nodes else "")
    text = " ".join(f"{item_label(n)}（{' / '.join(n.options)}）" for n in choices) or label
    return form_citation(label, text, checkpoints)


def review_lines(cid: str) -> list[tuple[str, Citation]]:
    """How the review treats what a draft says about the checkpoint (knowledge/procedures.yaml kind review: a
    viewpoint never reads better than its worst checkpoint, (11) is left to a person, a reasoned 該当なし is no
    finding, 74 and up are one body's own), each rule with its details."""
    tf = _t()["answer"]
    out: list[tuple[str, Citation]] = []
    for rule in review_rules_for(cid):
        c = procedure_citation(rule)
        out += [(tf["item_rule"].format(rule=x), c) for x in (rule.rule, *rule.details)]
    return out


def checkpoint_item_lines(cid: str) -> list[tuple[str, Citation]]:
    """What a checkpoint answer adds about the form item the checkpoint is on, as a form item answer does: the
    procedure and consistency rules about it (knowledge/procedures.yaml) and what its choices switch on or off."""
    from bot.form_refs import checkpoint_nodes

    nodes = checkpoint_nodes(cid)
    if not nodes:
        return review_lines(cid)
    tf = _t()["answer"]
    out: list[tuple[str, Citation]] = []
    notes = item_notes()
    for node in nodes:  # what the form asks at its fields (form_items.yaml: 全ての記録項目 -> 別添2)
        asks = notes.get(node.id, {}).get("asks")
        if asks and len(out) < MAX_CHECKPOINT_NOTES:
            label = item_label(node)
            out.append((tf["item_rule"].format(rule=f"{label}: {asks}"), form_citation(label, f"{label}: {asks}",
                                                                                       [cid])))
    for rule in rules_for_item(nodes)[:MAX_CHECKPOINT_RULES]:
        out.append((tf["item_rule"].format(rule=rule.rule), procedure_citation(rule)))
    out += review_lines(cid)
    lines = choice_lines(nodes, said="\n".join(text for text, _ in out))
    if lines:
        c = choice_citation(nodes, [cid])
        out += [(tf["item_rule"].format(rule=line), c) for line in lines]
    return out


def _item_first(engine, refs: list[CheckpointRef], cps: list[str]) -> list[CheckpointRef]:
    """The item's checkpoints first (in retrieval order, then form order), then the other retrieved ones; scores
    stay in descending order."""
    retrieved = {r.id: r for r in refs}
    mine = sorted(cps, key=lambda c: (c not in retrieved, -(retrieved[c].score if c in retrieved else 0.0),
                                      cps.index(c)))
    ordered = [retrieved.get(c) or CheckpointRef(id=c, title=engine.catalog.title(c), section=engine.catalog.section(c))
               for c in mine] + [r for r in refs if r.id not in cps]
    top = max([r.score for r in refs], default=0.0) + 1.0
    return [r.model_copy(update={"score": round(top - 1e-3 * i, 6)}) for i, r in enumerate(ordered)]


def form_node_instead(engine, text: str, mat, rel) -> Answer | None:
    """When the words of the question are a form item's rather than any retrieved checkpoint's (「開示請求の手数料は
    どこに書く？」), answer with the form item."""
    from bot.form_refs import ItemRef
    from bot.relevance import checkpoint_vocabulary, coverage, index_vocabulary, question_words

    if not rel.best.startswith("form:"):
        return None
    node = load_form().get(rel.best.split(":", 1)[1])
    cps = item_checkpoints([node])
    if cps and mat.refs and mat.refs[0].id in cps:
        return None
    ws = question_words(text)
    index = index_vocabulary(engine)
    own = index.by_checkpoint if rel.cue else {}
    top_cov = max((coverage(ws, checkpoint_vocabulary(r.id) | own.get(r.id, frozenset()), index.words)
                   for r in mat.refs[:3]), default=0.0)
    if rel.coverage < top_cov + FORM_NODE_MARGIN:
        return None
    return form_item_answer(engine, ItemRef(nodes=[node], how="label"), text)


# --------------------------------------------------------------------------- abstention and the English gist


def out_of_scope_answer() -> Answer:
    return Answer(answer=_t()["out_of_scope"].strip(), checkpoints=[], citations=[],
                  topic=AnswerTopic(kind="out_of_scope"), form_items=[])


def _en_assessments(names: list[str]) -> str:
    m = _t()["gist"]["assessments"]
    items = [m.get(x, x) for x in names]
    return " and ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + " and " + items[-1]


def gist(engine, answer: Answer, question: str) -> str:
    """The one-line English opening of an answer to an English question."""
    from bot.bilingual import to_japanese

    g = _t()["gist"]
    topic = answer.topic
    if topic is None or topic.kind == "out_of_scope":
        return g["out_of_scope"]
    if topic.kind == "procedure":
        reading = to_japanese(question).japanese
        if topic.id == "threshold":
            case = threshold_case(question) or threshold_case(reading)
            if case is not None and case.people is not None:
                if not case.required:
                    return g["threshold_none"].format(people=f"{case.people:,}")
                handlers = f" and {case.handlers:,} handlers" if case.handlers is not None else ""
                incident = {True: " and a serious incident", False: " and no serious incident", None: ""}[case.incident]
                return g["threshold"].format(people=f"{case.people:,}", handlers=handlers, incident=incident,
                                             required=_en_assessments(case.required), row=case.row)
        if topic.id in ("important_change", "correction"):
            change = change_case(reading) or change_case(question)
            if change is not None:
                return g["change_important" if change.important else "change_correction"].format(item=change.item)
        rule = next((r for r in load_procedures().rules if r.id == topic.id), None)
        return g["procedure"].format(gist=rule.gist_en if rule else "")
    # a quoted draft text the answer judged not concrete: what it lacks, said in English too
    flagged = g["quote_flagged"] if _t()["procedure"]["quote_flagged_marker"] in answer.answer else ""
    if topic.kind == "form_item":
        ids = ", ".join(c.id for c in answer.checkpoints[:2] if not c.id.startswith("V"))
        extra = g["form_item_checkpoints"].format(ids=ids) if ids else ""
        return g["form_item"].format(label=topic.id, checkpoints=extra) + flagged
    top = answer.checkpoints[0] if answer.checkpoints else None
    if top is None:
        return g["out_of_scope"]
    vp = engine.catalog.viewpoint(top.id)
    if vp is not None and engine.catalog.checkpoint(top.id) is None:
        return g["viewpoint"].format(number=vp.number, title=vp.title, section=top.section) + flagged
    return g["checkpoint"].format(id=top.id, title=top.title, section=top.section) + flagged
