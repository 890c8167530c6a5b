"""The twelve viewpoints (審査の観点 (1)–(12)): their own fields (form.yaml maps them) plus the rules of rules.md that
belong to them: the threshold judgement (1), non-publication (3), timing (4), public consultation (5), the form's
sections and the body-type procedure (6), departments (7), risks identified (9).

Honest statuses (rules.md "What no rule can decide"): a viewpoint never reads better than the worst of its own
numbered checkpoints ((2) ← 1, (8) ← 2–23, (10) and (11) ← 24–74), and (3) (whether the non-public parts are rightly
withheld) and (11) (whether the measures as a whole are adequate) are points a person confirms: `review`, never ok.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from bot.catalog import Catalog
from bot.checker.bands import band, compatible_bands
from bot.checker.dates import (
    dated,
    find_dates,
    find_months,
    inclusive_days,
    japanese_date,
    month_end,
    period_days,
    span,
    stated_days,
)
from bot.checker.draft_view import DraftView, excerpt
from bot.checker.messages import reason
from bot.checker.rules import SEVERITY, CheckpointRules, Outcome, evidence
from bot.checker.text_rules import judge_text
from bot.form import Form
from bot.models import Evidence, Status
from bot.resources import knowledge_yaml
from bot.text import compact, normalize

AGGREGATE = {"V8", "V10", "V11"}
# what no rule can decide: at best a point to confirm
NEEDS_PERSON = {"V3": "person_v3", "V11": "person_v11"}
LEVELS = {0: "評価は不要（任意）", 1: "基礎項目評価", 2: "基礎項目評価及び重点項目評価",
          3: "基礎項目評価及び全項目評価"}


@lru_cache(maxsize=1)
def _vocab() -> dict:
    return knowledge_yaml("generic_phrases.yaml")


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


def required_level(people: int, heavier: bool) -> int:
    """The assessments rules.md's threshold table requires (a LEVELS key): by 対象人数, heavier with 取扱者数 ≥ 500 or
    a serious incident within the past year."""
    if people < 1000:
        return 0
    if people < 10000:
        return 1
    if people < 100000:
        return 2 if heavier else 1
    if people < 300000:
        return 3 if heavier else 2
    return 3


_NONE_WITHHELD_RE = re.compile(r"(部分|箇所|項目|事項|もの|ところ)(は|も)?(ない|なし|無い|無し|ありません|存在しない)")
_CHOSEN_RE = re.compile(r"[\[［]\s*([^\]］]+?)\s*[\]］]")
_VOLUNTARY_RE = re.compile(r"[(（][^)）]*任意[^)）]*[)）]|任意に全項目評価を実施")


def stated_value(value: str) -> str:
    """The result Ⅵ 1. ② states: the chosen option in brackets when the legend is written out, else the text
    before any option list."""
    s = normalize(value or "")
    m = _CHOSEN_RE.search(s)
    if m:
        return m.group(1)
    return re.split(r"<選択肢>|＜選択肢＞|\s1\)\s", s)[0]


def stated_level(value: str) -> tuple[int | None, bool]:
    """(the assessments Ⅵ 1. ② says are required, whether a full assessment is done voluntarily besides):
    「基礎項目評価及び重点項目評価の実施が義務付けられる（任意に全項目評価を実施）」 -> (2, True)."""
    text = stated_value(value)
    voluntary = "任意" in text
    required = _VOLUNTARY_RE.sub(" ", text)
    if "全項目" in required:
        return 3, voluntary
    if "重点項目" in required:
        return 2, voluntary
    if "基礎項目" in required:
        return 1, voluntary
    if voluntary or "不要" in required or "義務付けられない" in required:
        return 0, voluntary
    return None, voluntary


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
        # numbered checkpoints flagged because a field they ask for is absent, empty or a placeholder: (6) asks
        # whether every item of the form is written
        self.unwritten: list[str] = []

    def check(self, vid: str, numbered: dict[str, Status],
              evidence_of: dict[str, list[Evidence]] | None = None) -> Outcome:
        """`numbered`: the status of every numbered checkpoint already judged; `evidence_of`: the fields each one
        quotes (a viewpoint flagged through its checkpoints quotes the first of them)."""
        out = self.rules.check(vid) if self.form.for_checkpoint(vid) else Outcome()
        handler = getattr(self, f"_v{vid[1:]}", None)
        if handler is not None:
            handler(out)
        if vid == "V1":
            self._bands(out)
        vp = self.catalog.viewpoint(vid)
        own = [c for c in (vp.checkpoints if vp else []) if c in numbered]
        flagged = [c for c in own if numbered[c] in ("incomplete", "missing")]
        if vid in AGGREGATE:
            summary = f"{len(own)}件中{len(flagged)}件に指摘（各細目の結果を参照）"
            out.evidence.append(Evidence(label="細目", text=summary + (f": {', '.join(flagged)}" if flagged else "")))
        # never better than the worst of its own checkpoints
        worst = max((numbered[c] for c in own), key=SEVERITY.__getitem__, default=None)
        if worst is not None and SEVERITY[worst] > SEVERITY[out.status] and worst != "not_applicable":
            if out.status == "not_applicable":
                out.status = "ok"
            ids = [c for c in own if numbered[c] == worst]
            key = "viewpoint_checkpoints" if worst in ("incomplete", "missing") else "viewpoint_checkpoints_review"
            first = next((e for c in [*ids, *flagged] for e in (evidence_of or {}).get(c, [])), None)
            out.add(worst, reason(key, count=len(ids), ids="、".join(ids[:12]) + ("等" if len(ids) > 12 else "")),
                    first)
        if vid in NEEDS_PERSON and SEVERITY[out.status] < SEVERITY["review"]:
            out.status = "review"
            out.reasons.append(reason(NEEDS_PERSON[vid]))
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
        incident_f, incident = self._serious_incident()
        stated, voluntary = stated_level(stated_f.value)
        required = required_level(people, staff >= 500 or incident == "yes")

        def agrees(level: int) -> bool:
            return stated == level or (stated is not None and stated > level and voluntary)

        if agrees(required):
            heavier = required_level(people, True)
            if incident == "unknown" and not agrees(heavier):
                # 発生あり without a date: whether it counts (within the past year) decides the result
                assert incident_f is not None
                out.add("review", reason("threshold_incident_when", required=LEVELS[heavier]), evidence(incident_f))
                out.evidence.append(evidence(stated_f))
                out.page = out.page or stated_f.page
            return
        extra = ""
        if staff >= 500:
            extra += reason("threshold_extra_staff", staff=f"{staff}人以上").message
        if incident == "yes":
            extra += reason("threshold_extra_incident").message
        out.add("incomplete", reason("threshold_mismatch", stated=excerpt(stated_value(stated_f.value), 60),
                                     people=people_f.choice, extra=extra, required=LEVELS[required]),
                evidence(people_f))
        out.evidence.append(evidence(stated_f))
        for f in staff_fields[:2]:
            out.evidence.append(evidence(f))
        out.page = out.page or stated_f.page

    def _serious_incident(self):
        """(the ⑨ field answered 発生あり, "yes" | "no" | "unknown"): a serious incident counts for the threshold when
        it happened within the year before the assessment (rules.md); ⑨ asks about three years, so its date in
        その内容 decides. No 発生あり: "no"; 発生あり with no date to read: "unknown"."""
        incident_f = next((f for f in self.view.all("iii_7_r1_9") if f.choice == "発生あり"), None)
        if incident_f is None:
            return None, "no"
        assessed = [d for fid in ("vi_1_1", "vi_2_2", "vi_3_1", "vi_4_1") for f in self.view.all(fid)
                    for d in find_dates(f.value)]
        when = [d for f in self.view.all("iii_7_r1_9_what") for d in find_months(f.value)]
        if not assessed or not when:
            return incident_f, "unknown"
        first = min(assessed)
        return incident_f, "yes" if any(d >= first - dt.timedelta(days=365) for d in when) else "no"

    def _bands(self, out: Outcome) -> None:
        """Ⅰ 1. ③ 対象人数 and the largest Ⅱ 2. ② 対象となる本人の数 of the files are compatible bands (rules.md)."""
        people_f = self.view.get("i_1_3")
        people = band(people_f.choice if people_f else None)
        files = [(b, f) for f in self.view.all("ii_2_2") if f.choice for b in [band(f.choice)] if b is not None]
        if people is None or people_f is None or not files:
            return
        largest, largest_f = max(files, key=lambda x: (x[0][0], x[0][1]))
        if compatible_bands(people, largest):
            return
        out.add("incomplete", reason("people_bands", people=people_f.choice, file=largest_f.choice,
                                     where=" ".join(largest_f.path[:3])), evidence(people_f))
        out.add("incomplete", None, evidence(largest_f))

    # ------------------------------------------------------------------ (3) non-publication
    def _v3(self, out: Outcome) -> None:
        voc = _vocab()
        word = voc["unpublished_word"]
        for f in self.view.fields:
            v = normalize(f.value or "")
            # a sentence saying nothing is withheld (本評価書に非公表とした部分はない) withholds nothing
            said = [x for x in re.split(r"(?<=。)", v) if word in x and not _NONE_WITHHELD_RE.search(x)]
            if said and not any(w in v for w in voc["unpublished_reason_words"]):
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
        self._procedure_order(out)
        if start is None:
            return
        latest, latest_f = max(dated, key=lambda t: t[0])
        if latest > start:
            out.add("incomplete", reason("timing_after_start", assessed=_jdate(latest), start=_jdate(start)),
                    evidence(start_field))
            out.evidence.append(evidence(latest_f))
            out.page = out.page or start_field.page

    def _procedure_order(self, out: Outcome) -> None:
        """The consultation ends before Ⅵ 4. ①提出日 (national) or Ⅵ 3. ①第三者点検 (local) (rules.md)."""
        period_f = self.view.get("vi_2_2")
        got = span(period_f.value) if period_f is not None else None
        if period_f is None or got is None:
            return
        end = max(got)
        kind = body_type(self.view)
        targets = {"national": ["vi_4_1"], "local": ["vi_3_1"]}.get(kind or "", ["vi_4_1", "vi_3_1"])
        for fid in targets:
            f = self.view.get(fid)
            dates = find_dates(f.value) if f is not None else []
            if f is None or not dates:
                continue
            if end >= dates[0]:
                out.add("incomplete", reason("consultation_after_procedure", end=japanese_date(end),
                                             what=_vocab()["procedure_names"][fid], date=japanese_date(dates[0])),
                        evidence(period_f))
                out.add("incomplete", None, evidence(f))

    def _programming_start(self):
        """The earliest programming start or planned go-live the draft states: each such word with the date nearest
        to it in its sentence."""
        words = _vocab()["programming_words"]
        golive = _vocab()["golive_words"]
        planned = _vocab()["golive_planned"]
        found: list[tuple] = []
        for f in self.view.fields:
            v = normalize(f.value or "")
            for sentence in re.split(r"(?<=。)", v):
                pos = [m.start() for w in words for m in re.finditer(re.escape(w), sentence)]
                # a go-live counts when it is planned (an existing system went live before its re-assessment)
                if any(p in sentence for p in planned):
                    pos += [m.start() for w in golive for m in re.finditer(re.escape(w), sentence)]
                # a month without its day (令和7年6月から) may be any day of it: its last day, so that a start is
                # never read as earlier than it was
                dates = [(at, month_end(d) if month_only else d) for at, d, month_only in dated(sentence)]
                for p in pos:
                    if dates:
                        _, d = min(dates, key=lambda x: (abs(x[0] - p), x[1]))
                        found.append((d, f))
        if not found:
            return None, None
        d, f = min(found, key=lambda x: x[0])
        return d, f

    # ------------------------------------------------------------------ (5) public consultation
    def _v5(self, out: Outcome) -> None:
        period_f = self.view.get("vi_2_2")
        if period_f is None or judge_text(period_f.value, None, False).code is not None:
            return
        # consultation arithmetic (rules.md): the days counted from the dates, both ends included
        got = span(period_f.value)
        if got is not None:
            start, end = got
            if end < start:
                out.add("incomplete", reason("consultation_reversed", start=japanese_date(start),
                                             end=japanese_date(end)), evidence(period_f))
                return
            counted = inclusive_days(start, end)
            stated = stated_days(period_f.value)
            if stated is not None and stated != counted:
                out.add("incomplete", reason("consultation_count", start=japanese_date(start), end=japanese_date(end),
                                             counted=counted, stated=stated), evidence(period_f))
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
        if self.unwritten:
            ids = self.unwritten
            out.add("incomplete", reason("unwritten_items", count=len(ids),
                                         ids="、".join(ids[:12]) + ("等" if len(ids) > 12 else "")))
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
        needed: tuple[str, ...]
        if kind == "local":
            needed, key = ("vi_3_1", "vi_3_2", "vi_3_3"), "body_procedure_local"
        elif kind == "national":
            needed, key = ("vi_4_1",), "body_procedure_national"
        else:
            return
        fields = [self.view.get(fid) for fid in needed]
        if any(f is None or judge_text(f.value, None, False).code is not None for f in fields):
            out.add("incomplete", reason(key, body=name or "評価実施機関"), evidence(fields[0]) if fields[0] else None)

    # ------------------------------------------------------------------ (7) departments
    def _v7(self, out: Outcome) -> None:
        """Ⅰ 7. ①部署 should appear among Ⅱ 2. ⑥事務担当部署 or Ⅱ 3. ⑦使用部署: a point to confirm (rules.md)."""
        dept_f = self.view.get("i_7_1")
        if dept_f is None or judge_text(dept_f.value, None, False).code is not None:
            return
        others = [f for fid in ("ii_2_6", "ii_3_7_dept") for f in self.view.all(fid)
                  if judge_text(f.value, None, False).code is None]
        if not others:
            return
        if any(same_department(dept_f.value, f.value) for f in others):
            return
        out.add("review", reason("department_not_found", dept=excerpt(dept_f.value, 40),
                                 others="、".join(f"「{excerpt(f.value, 40)}」" for f in others[:3])), evidence(dept_f))
        for f in others[:3]:
            out.add("review", None, evidence(f))

    # ------------------------------------------------------------------ (9) risks identified
    def _v9(self, out: Outcome) -> None:
        iii = self.form.get("iii")
        if not any(self.view.found(s.id) for s in [iii, *self.form.descendants("iii")]):
            out.add("missing", reason("missing_section", where="Ⅲ", label=iii.label))


_UNIT_RE = re.compile(r"[^\s、,，・/／()（）「」]+?(?:課|係|室|班|センター|事務所|支所|出張所|局|部|庁|署)")


def same_department(dept: str, other: str) -> bool:
    """Does `other` name the department `dept` names? Compared on its most specific unit (市民生活部市民課 ->
    市民課), white space and width ignored."""
    d, o = compact(dept), compact(other)
    if not d or not o:
        return False
    if d in o or o in d:
        return True
    units = _UNIT_RE.findall(d)
    return bool(units) and units[-1] in o


def _jdate(d) -> str:
    era_year = d.year - 2018
    return f"令和{era_year}年{d.month}月{d.day}日" if d.year >= 2019 else f"{d.year}年{d.month}月{d.day}日"

