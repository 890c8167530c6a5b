"""The numbered checkpoints: each one judged on the form fields it points at (knowledge/form.yaml `checkpoints`),
in every instance of a repeated block, plus the consistency rules between the form's parts (rules.md).
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field

from bot.checker.draft_view import DraftView, Scope, excerpt, option_key
from bot.checker.messages import reason
from bot.checker.text_rules import MeasureProfile, is_risk_remaining, judge_text
from bot.form import Form
from bot.models import DraftField, Evidence, FormFieldSpec, Reason

SEVERITY = {"not_applicable": 0, "ok": 1, "incomplete": 2, "missing": 3}
VERDICT_LABEL = "リスクへの対策は十分か"
RISK_SECTIONS = ("Ⅲ", "Ⅳ")


@dataclass
class Outcome:
    status: str = "ok"
    reasons: list[Reason] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    vague: list[tuple[str, MeasureProfile | None]] = field(default_factory=list)  # (label, profile) of vague answers
    page: int | None = None
    flagged_evidence: list[Evidence] = field(default_factory=list)  # the fields the reasons are about

    def worse(self, status: str) -> None:
        if SEVERITY[status] > SEVERITY[self.status]:
            self.status = status

    def add(self, status: str, r: Reason | None = None, ev: Evidence | None = None) -> None:
        self.worse(status)
        if r is not None and all(x.message != r.message for x in self.reasons):
            self.reasons.append(r)
        if ev is not None and not _has(self.flagged_evidence, ev):
            self.flagged_evidence.append(ev)
            if self.page is None or ev.page is not None and not self.flagged_evidence[:-1]:
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

    def judge_field(self, spec: FormFieldSpec, scope: Scope, out: Outcome) -> str:
        """Judge one field in one instance; returns its status."""
        na = self._na_field(spec, scope)
        if na is not None:
            out.evidence.append(evidence(na))
            return "not_applicable"
        f = self.view.get(spec.id, scope)
        verdict_only = spec.label == VERDICT_LABEL
        trigger, conditional = self._required_by(spec, scope)
        if f is None:
            if spec.optional or verdict_only or conditional and trigger is None:
                return "ok"
            out.add("missing", self._missing_reason(spec, scope))
            return "missing"
        w = where(f.path)
        if out.page is None:
            out.page = f.page
        if spec.kind == "choice":
            return self._judge_choice(spec, f, w, out, verdict_only)
        if spec.kind == "checkbox":
            if not f.checks and not spec.optional:
                out.add("incomplete", reason("no_checks", where=w, label=spec.label), evidence(f))
                return "incomplete"
            out.evidence.append(evidence(f))
            return "ok"
        return self._judge_text(spec, f, w, out, trigger, conditional)

    def _judge_choice(self, spec, f: DraftField, w: str, out: Outcome, verdict_only: bool) -> str:
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

    def _judge_text(self, spec, f: DraftField, w: str, out: Outcome, trigger, conditional: bool) -> str:
        v = judge_text(f.value, spec.judge, spec.none_ok, spec.id)
        ev = evidence(f)
        if v.code in (None, "none_ok"):
            out.evidence.append(ev)
            return "ok"
        if v.code == "none_reason":
            out.evidence.append(ev)
            return "not_applicable"
        if v.code == "empty":
            if spec.optional or conditional and trigger is None:
                return "ok"
            if trigger is not None:
                out.add("incomplete", reason("required_by_choice", where=w, choice_where=where(trigger.path),
                                             choice_label=trigger.label,
                                             choice=trigger.choice or "、".join(trigger.checks), label=spec.label), ev)
            else:
                out.add("incomplete", reason("empty", where=w, label=spec.label), ev)
            return "incomplete"
        if spec.optional and v.code in ("none_bare", "generic", "vague", "short"):
            out.evidence.append(ev)
            return "ok"
        if v.code == "placeholder":
            out.add("incomplete", reason("placeholder", where=w, label=spec.label, token=v.detail), ev)
        elif v.code == "none_bare":
            if conditional and trigger is None:
                out.evidence.append(ev)
                return "ok"
            out.add("incomplete", reason("none_bare", where=w, label=spec.label, value=excerpt(f.value, 20)), ev)
        elif v.code == "generic":
            out.add("incomplete", reason("generic", where=w, label=spec.label, phrase=v.detail), ev)
            out.vague.append((spec.label, v.profile))
        elif v.code == "short":
            out.add("incomplete", reason("short", where=w, label=spec.label, chars=v.detail), ev)
        elif v.code == "vague":
            missing = self._missing_kinds(v.profile)
            out.add("incomplete", reason("vague", where=w, label=spec.label, missing=missing), ev)
            out.vague.append((spec.label, v.profile))
        return "incomplete"

    @staticmethod
    def _missing_kinds(profile: MeasureProfile | None) -> str:
        from bot.checker.text_rules import kind_names, vocabulary

        have = profile.kinds if profile else set()
        names = kind_names(k for k in vocabulary().kinds if k not in have)
        return "".join(names) if names else "具体的な措置"

    # ------------------------------------------------------------------ one checkpoint
    def check(self, checkpoint_id: str, specs: list[FormFieldSpec] | None = None) -> Outcome:
        """Judge the fields of a checkpoint (or viewpoint) id in every instance where they occur."""
        if specs is None:
            specs = self.form.for_checkpoint(checkpoint_id)
        out = Outcome()
        if not specs:
            return out
        scopes = self.view.scopes([s.id for s in specs])
        statuses: list[str] = []
        for scope in scopes:
            scope_statuses = [self.judge_field(s, scope, out) for s in specs]
            real = [(st, s) for st, s in zip(scope_statuses, specs, strict=True) if s.label != VERDICT_LABEL]
            details = [st for st, s in real if s.kind != "choice"]
            choices = [st for st, s in real if s.kind == "choice"]
            # everything the checkpoint asks for does not apply, given the answer to its choice (発生なし, 保管していない)
            if real and (all(st == "not_applicable" for st, _ in real) or details and all(
                    st == "not_applicable" for st in details) and all(st in ("ok", "not_applicable") for st in choices)):
                statuses.append("not_applicable")
            else:
                statuses.extend(st for st in scope_statuses if st != "not_applicable")
        if statuses and all(st == "not_applicable" for st in statuses):
            out.status = "not_applicable"
            out.reasons = []
        else:
            flagged = [st for st in statuses if st in ("incomplete", "missing")]
            out.status = max(flagged, key=SEVERITY.get) if flagged else "ok"
        return out
