"""The twelve viewpoints (審査の観点 (1)–(12)): their own fields (form.yaml maps them) plus the rules of rules.md that
belong to them: the threshold judgement (1), non-publication (3), timing (4), public consultation (5), the form's
sections and the body-type procedure (6), risks identified (9). The viewpoints broken down into numbered
checkpoints (8), (10), (11) are judged through those checkpoints and are not flagged a second time.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot.checker.dates import find_dates, period_days
from bot.checker.draft_view import DraftView, excerpt
from bot.checker.messages import reason
from bot.checker.rules import CheckpointRules, Outcome, evidence
from bot.checker.text_rules import judge_text
from bot.catalog import Catalog
from bot.form import Form
from bot.models import Evidence
from bot.resources import knowledge_file
from bot.text import normalize

AGGREGATE = {"V8", "V10", "V11"}
LEVELS = {0: "評価は不要（任意）", 1: "基礎項目評価", 2: "基礎項目評価及び重点項目評価", 3: "基礎項目評価及び全項目評価"}


@lru_cache(maxsize=1)
def _vocab() -> dict:
    return yaml.safe_load(knowledge_file("generic_phrases.yaml").read_text(encoding="utf-8"))


def lower_bound(option: str | None) -> int | None:
    """'1万人以上10万人未満' -> 10000, '500人以上1,000人未満' -> 500, '1,000人未満（任意実施）' -> 0."""
    if not option:
        return None
    s = normalize(option).replace(",", "")
    m = re.search(r"(\d+)(万)?人以上", s)
    if m:
        return int(m.group(1)) * (10000 if m.group(2) else 1)
    if re.search(r"人未満", s):
        return 0
    return None


def body_type(view: DraftView) -> str | None:
    """'local' or 'national', from the body's name, else from which of Ⅵ 3./Ⅵ 4. the draft fills."""
    body = view.get("cover_body")
    name = normalize(body.value).strip() if body and body.value else ""
    types = _vocab()["body_types"]
    if name:
        for kind in ("local", "national"):
            if any(re.search(p, name) for p in types[kind]):
                return kind
    local = any(judge_text(f.value, None, False).code is None for fid in ("vi_3_1", "vi_3_3") for f in view.all(fid))
    national = any(judge_text(f.value, None, False).code is None for f in view.all("vi_4_1"))
    if local != national:
        return "local" if local else "national"
    return None


class ViewpointRules:
    def __init__(self, form: Form, view: DraftView, rules: CheckpointRules, catalog: Catalog):
        self.form = form
        self.view = view
        self.rules = rules
        self.catalog = catalog

    def check(self, vid: str, numbered: dict[str, str]) -> Outcome:
        """`numbered`: the status of every numbered checkpoint already judged."""
        out = self.rules.check(vid) if self.form.for_checkpoint(vid) else Outcome()
        handler = getattr(self, f"_v{vid[1:]}", None)
        if handler is not None:
            handler(out)
        if vid in AGGREGATE:
            vp = self.catalog.viewpoint(vid)
            flagged = [c for c in (vp.checkpoints if vp else []) if numbered.get(c) in ("incomplete", "missing")]
            total = len(vp.checkpoints) if vp else 0
            out.evidence.append(Evidence(label="細目", text=f"{total}件中{len(flagged)}件に指摘（各細目の結果を参照）"
                                         + (f": {', '.join(flagged)}" if flagged else "")))
        return out

    # ------------------------------------------------------------------ (1) threshold
    def _v1(self, out: Outcome) -> None:
        people_f = self.view.get("i_1_3")
        stated_f = self.view.get("vi_1_2")
        if people_f is None or stated_f is None or not people_f.choice or not stated_f.value:
            return  # the field rules already said what is missing
        people = lower_bound(people_f.choice)
        if people is None:
            return
        staff = sum(lower_bound(f.choice) or 0 for fid in ("ii_3_7_users", "ii_4_3") for f in self.view.all(fid))
        staff_fields = [f for fid in ("ii_3_7_users", "ii_4_3") for f in self.view.all(fid) if f.choice]
        incident_f = next((f for f in self.view.all("iii_7_r1_9") if f.choice == "発生あり"), None)
        many = staff >= 500 or incident_f is not None
        if people < 1000:
            required = 0
        elif people < 10000:
            required = 1
        elif people < 100000:
            required = 2 if many else 1
        elif people < 300000:
            required = 3 if many else 2
        else:
            required = 3
        text = normalize(stated_f.value)
        voluntary = "任意" in text
        if "全項目" in text:
            stated = 3
        elif "重点項目" in text:
            stated = 2
        elif "基礎項目" in text:
            stated = 1
        elif voluntary or "不要" in text or "義務付けられない" in text:
            stated = 0
        else:
            stated = None
        if stated == required or stated is not None and stated > required and voluntary:
            return
        extra = ""
        if staff >= 500:
            extra += reason("threshold_extra_staff", staff=f"{staff}人以上").message
        if incident_f is not None:
            extra += reason("threshold_extra_incident").message
        out.add("incomplete", reason("threshold_mismatch", stated=excerpt(stated_f.value, 60), people=people_f.choice,
                                     extra=extra, required=LEVELS[required]),
                evidence(people_f))
        out.evidence.append(evidence(stated_f))
        for f in staff_fields[:2]:
            out.evidence.append(evidence(f))
        out.page = out.page or stated_f.page

    # ------------------------------------------------------------------ (3) non-publication
    def _v3(self, out: Outcome) -> None:
        voc = _vocab()
        word = voc["unpublished_word"]
        for f in self.view.fields:
            v = normalize(f.value or "")
            if word in v and not any(w in v for w in voc["unpublished_reason_words"]):
                out.add("incomplete", reason("unpublished_no_reason"), evidence(f))
                out.page = out.page or f.page

    # ------------------------------------------------------------------ (4) timing
    def _v4(self, out: Outcome) -> None:
        start, start_field = self._programming_start()
        dated: list[tuple] = []
        for fid in ("vi_1_1", "vi_2_2", "vi_3_1", "vi_4_1", "cover_published", "cover_approval"):
            for f in self.view.all(fid):
                for d in find_dates(f.value):
                    dated.append((d, f))
        if not dated:
            if not any(r.code == "empty" for r in out.reasons) and self.view.found("vi"):
                out.add("incomplete", reason("timing_no_date"))
            return
        if start is None:
            return
        latest, latest_f = max(dated, key=lambda t: t[0])
        if latest > start:
            out.add("incomplete", reason("timing_after_start", assessed=_jdate(latest), start=_jdate(start)),
                    evidence(start_field))
            out.evidence.append(evidence(latest_f))
            out.page = out.page or start_field.page

    def _programming_start(self):
        words = _vocab()["programming_words"]
        best = None
        for f in self.view.fields:
            v = normalize(f.value or "")
            for sentence in re.split(r"(?<=。)", v):
                pos = [m.start() for w in words for m in re.finditer(re.escape(w), sentence)]
                if not pos:
                    continue
                for m in re.finditer(r"(?:令和|平成|昭和|\d{4}\s*年)[^。]*?\d{1,2}\s*日", sentence):
                    ds = find_dates(m.group(0))
                    if not ds:
                        continue
                    dist = min(abs(m.start() - p) for p in pos)
                    if best is None or dist < best[0] or dist == best[0] and ds[0] < best[1]:
                        best = (dist, ds[0], f)
        return (best[1], best[2]) if best else (None, None)

    # ------------------------------------------------------------------ (5) public consultation
    def _v5(self, out: Outcome) -> None:
        period_f = self.view.get("vi_2_2")
        if period_f is None or judge_text(period_f.value, None, False).code is not None:
            return
        days = period_days(period_f.value)
        if days is None:
            out.add("incomplete", reason("consultation_period_unreadable"), evidence(period_f))
            return
        if days >= 30:
            return
        why = self.view.get("vi_2_3")
        v = judge_text(why.value if why else "", None, False)
        if v.code is not None and v.code != "none_reason":
            out.add("incomplete", reason("consultation_short", days=days), evidence(period_f))
            if why is not None:
                out.evidence.append(evidence(why))
            out.page = out.page or period_f.page

    # ------------------------------------------------------------------ (6) every part of the form
    def _v6(self, out: Outcome) -> None:
        # a whole section, or an item no numbered checkpoint covers, absent from the draft
        for spec in self.form:
            top = len(spec.path) == 1 and spec.kind == "section" and spec.id != "cover"
            item = (len(spec.path) == 2 and spec.path[1].endswith(".") and spec.parent is not None
                    and self.form.get(spec.parent).kind == "section")
            if not (top or item) or spec.optional or spec.body:
                continue
            subtree = [spec, *self.form.descendants(spec.id)]
            if item and any(s.checkpoints for s in subtree):
                continue
            if item and not self.view.found(spec.parent):
                continue  # the whole section is missing: said once
            if not any(self.view.found(s.id) for s in subtree):
                out.add("missing", reason("missing_section", where=" ".join(spec.path), label=spec.label))
        # Ⅵ 3. 第三者点検 (local governments) or Ⅵ 4. 委員会の承認 (national bodies)
        kind = body_type(self.view)
        body = self.view.get("cover_body")
        name = body.value if body else ""
        if kind == "local":
            needed, key = ("vi_3_1", "vi_3_2", "vi_3_3"), "body_procedure_local"
        elif kind == "national":
            needed, key = ("vi_4_1",), "body_procedure_national"
        else:
            return
        fields = [self.view.get(fid) for fid in needed]
        if any(f is None or judge_text(f.value, None, False).code is not None for f in fields):
            out.add("incomplete", reason(key, body=name or "評価実施機関"), evidence(fields[0]) if fields[0] else None)

    # ------------------------------------------------------------------ (9) risks identified
    def _v9(self, out: Outcome) -> None:
        iii = self.form.get("iii")
        if not any(self.view.found(s.id) for s in [iii, *self.form.descendants("iii")]):
            out.add("missing", reason("missing_section", where="Ⅲ", label=iii.label))


def _jdate(d) -> str:
    era_year = d.year - 2018
    return f"令和{era_year}年{d.month}月{d.day}日" if d.year >= 2019 else f"{d.year}年{d.month}月{d.day}日"

