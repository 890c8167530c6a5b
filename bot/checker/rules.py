"""The numbered checkpoints: each one judged on the form fields it points at (knowledge/form.yaml `checkpoints`),
in every instance of a repeated block, plus the consistency rules between the form's parts (rules.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.checker.draft_view import DraftView, Scope, excerpt, option_key
from bot.checker.messages import reason
from bot.checker.references import follow, mentioned
from bot.checker.text_rules import is_risk_remaining, judge_text, placeholder_token
from bot.draft.reader import Relocation
from bot.form import Form
from bot.models import DraftField, Evidence, FormFieldSpec, Reason, Status
from bot.rubrics import Coverage, missing_text, rubric_for_field, suggestion

SEVERITY: dict[Status, int] = {"not_applicable": 0, "ok": 1, "review": 2, "incomplete": 3, "missing": 4}
VERDICT_LABEL = "リスクへの対策は十分か"
RISK_SECTIONS = ("Ⅲ", "Ⅳ")


@dataclass
class Outcome:
    status: Status = "ok"
    reasons: list[Reason] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    vague: list[tuple[str, Coverage | None]] = field(default_factory=list)  # (label, rubric coverage) of vague answers
    page: int | None = None
    flagged_evidence: list[Evidence] = field(default_factory=list)  # the fields the reasons are about
    suggestions: list[str] = field(default_factory=list)  # 修正例 of the flagged fields, in order
    unwritten: bool = False  # a field it asks for is absent, empty or a placeholder (viewpoint (6))

    def suggest(self, text: str | None) -> None:
        if text and text not in self.suggestions:
            self.suggestions.append(text)

    def worse(self, status: Status) -> None:
        if SEVERITY[status] > SEVERITY[self.status]:
            self.status = status

    def add(self, status: Status, r: Reason | None = None, ev: Evidence | None = None) -> None:
        self.worse(status)
        if r is not None and all(x.message != r.message for x in self.reasons):
            self.reasons.append(r)
        if ev is not None and not _has(self.flagged_evidence, ev):
            self.flagged_evidence.append(ev)
            if self.page is None or (ev.page is not None and not self.flagged_evidence[:-1]):
                self.page = ev.page

    def all_evidence(self) -> list[Evidence]:
        """The fields behind the reasons first, then the other fields looked at."""
        out = list(self.flagged_evidence)
        for ev in self.evidence:
            if not _has(out, ev):
                out.append(ev)
        return out


def _has(evs: list[Evidence], ev: Evidence) -> bool:
    return any((e.label, e.text, e.page) == (ev.label, ev.text, ev.page) for e in evs)


def where(path: list[str]) -> str:
    return " ".join(p for p in path if p != "表紙") or "表紙"


def instance_path(path: list[str], scope: Scope) -> list[str]:
    out = []
    for seg in path:
        if "{n}" in seg:
            base = seg.replace("{n}", "")
            seg = f"{base}{scope.get(base, 1)}"
        out.append(seg)
    if scope.get("ファイル", 1) > 1 and out and out[0] in ("Ⅱ", "Ⅲ"):
        out.insert(1, f"ファイル{scope['ファイル']}")
    return out


_INSTANCE = re.compile(r"^(?:ファイル|委託事項|提供先|移転先|システム)\d+$")


def evidence(f: DraftField, label: str | None = None) -> Evidence:
    """The field quoted as evidence; a field of a repeated block names its instance (委託事項2 …)."""
    text = f.value or f.choice or "、".join(f.checks) or "（空欄）"
    instance = " ".join(seg for seg in f.path if _INSTANCE.match(seg))
    label = label or f.label
    return Evidence(label=f"{instance} {label}" if instance else label, text=excerpt(text), page=f.page)


class CheckpointRules:
    def __init__(self, form: Form, view: DraftView):
        self.form = form
        self.view = view

    # ------------------------------------------------------------------ one field in one instance
    def _na_field(self, spec: FormFieldSpec, scope: Scope) -> DraftField | None:
        for cond in self.form.na_conditions(spec.id):
            f = self.view.holds(cond, scope)
            if f is not None:
                return f
        return None

    def _missing_reason(self, spec: FormFieldSpec, scope: Scope) -> Reason:
        """Name the highest part of the form that is absent: a whole item, a risk group, or the field itself."""
        top = None
        for anc in self.form.ancestors(spec.id):  # parent first
            if anc.virtual:
                continue
            if self.view.get(anc.id, scope) is not None:
                break
            top = anc
        if top is not None:
            return reason("missing_section", where=where(instance_path(top.path, scope)), label=top.label)
        return reason("missing_field", where=where(instance_path(spec.path, scope)), label=spec.label)

    def _required_by(self, spec: FormFieldSpec, scope: Scope) -> tuple[DraftField | None, bool]:
        """(the choice that makes this field required, whether the field has such conditions at all)."""
        if not spec.required_when:
            return None, False
        for cond in spec.required_when:
            f = self.view.holds(cond, scope)
            if f is not None:
                return f, True
        return None, True

    def judge_field(self, spec: FormFieldSpec, scope: Scope, out: Outcome) -> Status:
        """Judge one field in one instance; returns its status."""
        na = self._na_field(spec, scope)
        if na is not None:
            out.evidence.append(evidence(na))
            return "not_applicable"
        f = self.view.get(spec.id, scope)
        verdict_only = spec.label == VERDICT_LABEL
        trigger, conditional = self._required_by(spec, scope)
        if f is None:
            if spec.optional or verdict_only or (conditional and trigger is None):
                return "ok"
            # nothing present is reported missing: look for the label in the draft's own text first
            rel = self.view.relocate(spec, scope, instance_path(spec.path, scope))
            if rel is None:
                out.add("missing", self._missing_reason(spec, scope))
                out.unwritten = True
                return "missing"
            if rel.field is None:
                return self._unsure(spec, scope, rel, out, "reader_unsure")
            f = rel.field
        w = where(f.path)
        if out.page is None:
            out.page = f.page
        if spec.kind == "choice":
            return self._judge_choice(spec, f, w, out, verdict_only)
        if spec.kind == "checkbox":
            if not f.checks and not spec.optional:
                if f.value and placeholder_token(f.value) is None:
                    # written as a sentence instead of ticks: the answer is in the file, a person confirms the option
                    out.add("review", reason("checks_as_text", where=w, label=spec.label, value=excerpt(f.value, 40),
                                             options="・".join(spec.options)), evidence(f))
                    return "review"
                out.add("incomplete", reason("no_checks", where=w, label=spec.label), evidence(f))
                return "incomplete"
            out.evidence.append(evidence(f))
            return "ok"
        return self._judge_text(spec, f, w, out, trigger, conditional)

    def _judge_choice(self, spec, f: DraftField, w: str, out: Outcome, verdict_only: bool) -> Status:
        if not f.choice:
            if verdict_only:
                return "ok"
            if f.value:
                out.add("incomplete", reason("unknown_choice", where=w, label=spec.label, value=excerpt(f.value, 30),
                                             options="・".join(spec.options)), evidence(f))
            else:
                out.add("incomplete", reason("empty_choice", where=w, label=spec.label), evidence(f))
            return "incomplete"
        if not any(option_key(o) == option_key(f.choice) for o in spec.options):
            v = judge_text(f.choice, None, False)
            if v.code == "placeholder":
                out.add("incomplete", reason("placeholder", where=w, label=spec.label, token=v.detail), evidence(f))
                out.unwritten = True
            else:
                out.add("incomplete", reason("unknown_choice", where=w, label=spec.label, value=f.choice,
                                             options="・".join(spec.options)), evidence(f))
            return "incomplete"
        if f.path[0] in RISK_SECTIONS and is_risk_remaining(f.choice):
            out.add("incomplete", reason("risk_remaining", where=w, label=spec.label, value=f.choice), evidence(f))
            return "incomplete"
        if not verdict_only:
            out.evidence.append(evidence(f))
        return "ok"

    def _judge_text(self, spec, f: DraftField, w: str, out: Outcome, trigger, conditional: bool) -> Status:
        pointer = follow(self.view, spec, f)
        if pointer is not None:
            # 「Ⅱ 2. ③と同じ。」: the answer pointed at is judged in its place
            if pointer.target is None:
                out.add("review", reason("pointer_unresolved", where=w, label=spec.label, value=excerpt(f.value, 60)),
                        evidence(f))
                return "review"
            out.evidence.append(evidence(f))
            f = f.model_copy(update={"value": pointer.target.value})
            # an answer of another field is judged as that field's answer (its own rubric)
            target_id = pointer.target.field_id
            judged = self.form.get(target_id) if target_id and target_id != spec.id else spec
            v = judge_text(f.value, judged.judge or spec.judge, judged.none_ok, judged.id)
        else:
            v = judge_text(f.value, spec.judge, spec.none_ok, spec.id)
            if v.code in ("vague", "generic", "short") and spec.judge:
                # part of the answer is another answer's (「…の規定と同じ規定を置いている」): judged with it
                taken = mentioned(self.view, spec, f)
                if taken:
                    whole = "\n".join([f.value, *(t.value for t in taken)])
                    v = judge_text(whole, spec.judge, spec.none_ok, spec.id)
                    out.evidence.extend(evidence(t) for t in taken)
        ev = evidence(f)
        if v.code in (None, "none_ok"):
            out.evidence.append(ev)
            return "ok"
        if v.code == "none_reason":
            out.evidence.append(ev)
            return "not_applicable"
        if v.code == "empty":
            if spec.optional or (conditional and trigger is None):
                return "ok"
            again = self.view.relocate(spec, self.view.scope(f), f.path, anchored=f)
            if again is not None and again.field is not None and again.field.value:
                return self._judge_text(spec, again.field, w, out, trigger, conditional)
            if again is not None:
                return self._unsure(spec, self.view.scope(f), again, out, "reader_unsure_empty")
            if trigger is not None:
                out.add("incomplete", reason("required_by_choice", where=w, choice_where=where(trigger.path),
                                             choice_label=trigger.label,
                                             choice=trigger.choice or "、".join(trigger.checks), label=spec.label), ev)
            else:
                out.add("incomplete", reason("empty", where=w, label=spec.label), ev)
            out.unwritten = True
            self._suggest(spec, out, v.coverage)
            return "incomplete"
        if spec.optional and v.code in ("none_bare", "generic", "vague", "short"):
            out.evidence.append(ev)
            return "ok"
        if v.code == "placeholder":
            out.add("incomplete", reason("placeholder", where=w, label=spec.label, token=v.detail), ev)
            out.unwritten = True
        elif v.code == "none_bare":
            if conditional and trigger is None:
                out.evidence.append(ev)
                return "ok"
            out.add("incomplete", reason("none_bare", where=w, label=spec.label, value=excerpt(f.value, 20)), ev)
        elif v.code == "generic":
            missing = self._missing(v.coverage)
            key = "generic_rubric" if missing else "generic"
            out.add("incomplete", reason(key, where=w, label=spec.label, phrase=v.detail, missing=missing), ev)
            out.vague.append((spec.label, v.coverage))
        elif v.code == "short":
            out.add("incomplete", reason("short", where=w, label=spec.label, chars=v.detail), ev)
        elif v.code == "vague":
            out.add("incomplete", reason("vague", where=w, label=spec.label, missing=self._missing(v.coverage)), ev)
            out.vague.append((spec.label, v.coverage))
        self._suggest(spec, out, v.coverage)
        return "incomplete"

    @staticmethod
    def _missing(cov: Coverage | None) -> str:
        """What the rubric asks for that the answer does not name: 「消去の方法と、消去を確かめる方法」."""
        return missing_text(cov.missing) if cov is not None else ""

    @staticmethod
    def _unsure(spec: FormFieldSpec, scope: Scope, rel: Relocation, out: Outcome, key: str) -> Status:
        """The label is in the text but not where the form puts it (or in several places): a person confirms."""
        w = where(instance_path(spec.path, scope))
        out.add("review", reason(key, where=w, label=spec.label, page=rel.page, words=rel.words),
                Evidence(label=spec.label, text=rel.words, page=rel.page))
        return "review"

    @staticmethod
    def _suggest(spec: FormFieldSpec, out: Outcome, cov: Coverage | None) -> None:
        """A 修正例 for a flagged judged field: the draft's own words kept, the rubric's missing items as 【slots】."""
        if spec.judge is None:
            return
        if cov is None:
            rubric = rubric_for_field(spec.id)
            if rubric is None:
                return
            cov = Coverage(rubric, {})
        out.suggest(suggestion(cov))

    # ------------------------------------------------------------------ one checkpoint
    def check(self, checkpoint_id: str, specs: list[FormFieldSpec] | None = None) -> Outcome:
        """Judge the fields of a checkpoint (or viewpoint) id in every instance where they occur."""
        if specs is None:
            specs = self.form.for_checkpoint(checkpoint_id)
        out = Outcome()
        if not specs:
            return out
        scopes = self.view.scopes([s.id for s in specs])
        statuses: list[Status] = []
        for scope in scopes:
            scope_statuses = [self.judge_field(s, scope, out) for s in specs]
            real = [(st, s) for st, s in zip(scope_statuses, specs, strict=True) if s.label != VERDICT_LABEL]
            details = [st for st, s in real if s.kind != "choice"]
            choices = [st for st, s in real if s.kind == "choice"]
            # everything the checkpoint asks for does not apply, given the answer to its choice
            # (発生なし, 保管していない)
            if real and (all(st == "not_applicable" for st, _ in real)
                         or (details and all(st == "not_applicable" for st in details)
                             and all(st in ("ok", "not_applicable") for st in choices))):
                statuses.append("not_applicable")
            else:
                statuses.extend(st for st in scope_statuses if st != "not_applicable")
        if statuses and all(st == "not_applicable" for st in statuses):
            out.status = "not_applicable"
            out.reasons = []
        else:
            worse = [st for st in statuses if st in ("review", "incomplete", "missing")]
            out.status = max(worse, key=SEVERITY.__getitem__) if worse else "ok"
        return out
