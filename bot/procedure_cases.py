"""Rules of rules.md an answer computes from the question's own dates, numbers and quoted words, with the same
arithmetic the checker applies to a draft (bot/checker/dates.py, bands.py, consistency.py, text_rules.py):

- `consultation_period_case(text)`: the first and last day of a public consultation the question gives, counted with
  both days included, and the count it states (「（30日間）」); fewer than 30 days needs Ⅵ 2. ③, a stated count
  that disagrees with the dates is a defect of its own;
- `order_case(text)`: a consultation period and the date of the third-party inspection (or the submission) the
  question gives: the consultation must end before it;
- `band_case(text)`: two number bands the question quotes (対象人数「30万人以上」, 対象となる本人の数「10万人以上
  100万人未満」), compared as ranges: compatible when they share a number of people; a 委託事項's or 提供先's band
  must not lie above its file's;
- `elapsed_case(text)`: the time since the last assessment the question states, against the five-year rule;
- `quoted(text)`, `basis_verdict(quote, transfer)`, `generic_quote(text)`: a legal basis or a measure the question
  quotes, judged as the checker judges Ⅱ 5. ① and a measure field.

Deterministic: no retrieval, no model. The sentences are templates of knowledge/answer_templates.yaml.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from bot.checker.bands import band, compatible_bands, exceeds
from bot.checker.dates import find_dates, stated_days
from bot.text import normalize

CONSULTATION_DAYS = 30
REASSESSMENT_MONTHS = 60

_QUOTE = re.compile(r"「([^「」]{1,200})」|『([^『』]{1,200})』|“([^“”]{1,200})”|\"([^\"]{1,200})\"")


def quoted(text: str) -> list[str]:
    """The quoted parts of a question: 「…」, 『…』, “…”, "…"."""
    return [next(g for g in m.groups() if g is not None).strip() for m in _QUOTE.finditer(normalize(text or ""))]


# --------------------------------------------------------------------------- consultation period


@dataclass
class PeriodCase:
    start: dt.date
    end: dt.date
    stated: int | None  # the count of days the question states itself, if any
    dated: bool = True  # the question gives the year (else the current year is assumed and not written back)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def short(self) -> bool:
        return self.days < CONSULTATION_DAYS

    @property
    def stated_wrong(self) -> bool:
        return self.stated is not None and self.stated != self.days

    @property
    def last_day_for_minimum(self) -> dt.date:
        """The last day that makes the period 30 days."""
        return self.start + dt.timedelta(days=CONSULTATION_DAYS - 1)


# a month and day without a year: 9月1日, and as questions write them, 9/1 (not a part of 2025/9/1 or of 1/2/3)
_MONTH_DAY = re.compile(r"(?<![\d/.])(\d{1,2})\s*(?:月\s*(\d{1,2})\s*日|/\s*(\d{1,2})(?![\d/]))")
# two dates joined as a period: 9月1日から9月30日まで, 9/1〜9/30, 令和7年9月1日－9月30日
_RANGE = re.compile(r"^\s*(?:から|〜|～|~|－|-|–|—|ー)\s*$")


@dataclass
class _Found:
    date: dt.date
    start: int
    end: int
    dated: bool = True


def _found_dates(text: str, today: dt.date | None = None) -> list[_Found]:
    """The dates of a text with where they are; month-and-day dates without any year take the current year (the
    year of the date before them when there is one)."""
    from bot.checker.dates import _DATE_RE

    q = normalize(text)
    dated: list[_Found] = []
    for m in _DATE_RE.finditer(q):  # each date the checker reads, with where it is
        upto = find_dates(q[: m.end()])
        if len(upto) > len(dated):
            dated.append(_Found(upto[-1], m.start(), m.end()))
    if len(dated) >= 2:
        return dated
    year = (today or dt.date.today()).year
    out: list[_Found] = []
    for m in _MONTH_DAY.finditer(q):
        day = m.group(2) or m.group(3)
        try:
            out.append(_Found(dt.date(year, int(m.group(1)), int(day)), m.start(), m.end(), dated=False))
        except ValueError:
            continue
    return out if len(out) > len(dated) else dated


def _dates(text: str, today: dt.date | None = None) -> list[dt.date]:
    return [f.date for f in _found_dates(text, today)]


def _span(found: list[_Found], q: str) -> tuple[int, int] | None:
    """The indexes of two dates written as a period (joined by から, 〜, －), or of the first two."""
    for i in range(len(found) - 1):
        if _RANGE.match(q[found[i].end : found[i + 1].start]):
            return i, i + 1
    return (0, 1) if len(found) >= 2 else None


def consultation_period_case(text: str, today: dt.date | None = None) -> PeriodCase | None:
    """The period a question gives (two dates joined as a period, else its first two dates, in the order written),
    or None without two dates. An end written without its year that falls before the start is in the next year
    (12月15日から1月14日まで)."""
    found = _found_dates(text, today)
    pair = _span(found, normalize(text))
    if pair is None:
        return None
    start, end = found[pair[0]].date, found[pair[1]].date
    if end < start:
        try:
            end = end.replace(year=end.year + 1)
        except ValueError:
            return None
        if (end - start).days > 366:
            return None
    return PeriodCase(start=start, end=end, stated=stated_days(text), dated=found[pair[0]].dated)


# a length the question gives instead of dates: 3週間, 20日間, 25日しか, 二週間 (rules.md: 30 days or more). A month is
# not read: 28 to 31 days, the dates decide
_LENGTH = re.compile(r"(?P<n>\d+|[〇一二三四五六七八九十]+)\s*"
                     r"(?:(?P<w>週間)|日間|日(?=\s*(?:しか|だけ|程度|くらい|ぐらい|ほど|弱)))")


@dataclass
class LengthCase:
    said: str  # as the question writes it: 3週間
    days: int

    @property
    def short(self) -> bool:
        return self.days < CONSULTATION_DAYS


def consultation_length_case(text: str) -> LengthCase | None:
    """A consultation period the question gives as a length (「3週間くらいしか取れない」): its days against the 30
    days of rules.md; None when it gives none (dates are counted by consultation_period_case)."""
    from bot.procedures import _kanji_number

    m = _LENGTH.search(normalize(text))
    if m is None:
        return None
    raw = m.group("n")
    n = int(raw) if raw.isdigit() else (_kanji_number(raw) or 0)
    days = n * 7 if m.group("w") else n
    if days <= 0:
        return None
    return LengthCase(said=re.sub(r"\s+", "", m.group(0)), days=days)


# --------------------------------------------------------------------------- consultation before inspection


# a date of the third-party inspection (local bodies) or of the submission to the Commission (national bodies): the
# word before it in the same clause
_STEP = re.compile(r"(第三者点検|審議会|諮問|点検|提出|承認)")
_CLAUSE = re.compile(r"[。、，,？?！!\n]")


@dataclass
class OrderCase:
    """rules.md "Dates in order": the consultation ends before the inspection (or the submission)."""

    period: PeriodCase
    step: str  # 第三者点検 or 提出
    on: dt.date

    @property
    def in_order(self) -> bool:
        return self.on > self.period.end


def day_ja(d: dt.date, dated: bool = True) -> str:
    """令和7年9月1日, or 9月1日 when the question gave no year."""
    from bot.checker.dates import japanese_date

    return japanese_date(d) if dated else f"{d.month}月{d.day}日"


def order_case(text: str, today: dt.date | None = None) -> OrderCase | None:
    """A consultation period and the date of the third-party inspection or the submission, when the question gives
    both (「第三者点検を9/10に入れて、パブコメは9/1〜9/30」); None otherwise."""
    q = normalize(text)
    found = _found_dates(q, today)
    pair = _span(found, q)
    if pair is None or len(found) < 3:
        return None
    period = consultation_period_case(q, today)
    if period is None:
        return None
    for i, f in enumerate(found):
        if i in pair:
            continue
        before = _CLAUSE.split(q[max(0, f.start - 20) : f.start])[-1]
        after = _CLAUSE.split(q[f.end : f.end + 8])[0]
        m = _STEP.search(before) or _STEP.search(after)
        if m is None:
            continue
        step = "提出" if m.group(1) in ("提出", "承認") else "第三者点検"
        on = f.date
        if on < period.start and (period.start - on).days > 183:  # written without its year, after a new year
            on = on.replace(year=on.year + 1)
        return OrderCase(period=period, step=step, on=on)
    return None


# --------------------------------------------------------------------------- the assessment before programming


# a month, with its year when written (令和8年4月, 2026年4月, 4月); a later month without a year takes the year
# before it
_YEAR_MONTH_RE = re.compile(r"(?:(?P<era>令和|平成|R)\s*(?P<ey>元|\d{1,2})\s*年\s*|(?P<gy>(?:19|20)\d{2})\s*年\s*)?"
                            r"(?<!\d)(?P<mo>\d{1,2})\s*月")
_PROGRAMMING = re.compile(r"プログラミング|開発|改修|構築|カスタマイズ|programming|development", re.IGNORECASE)
_ASSESSMENT_STEP = re.compile(r"第三者点検|審議会|公表|意見聴取|パブコメ|パブリックコメント|意見募集|提出|承認|評価")
_STEP_NAMES = {"審議会": "第三者点検", "パブコメ": "意見聴取", "パブリックコメント": "意見聴取", "意見募集": "意見聴取",
               "承認": "提出"}
_SCHEDULE_CLAUSE = re.compile(r"[。、，,？?！!\n]")


@dataclass
class ScheduleCase:
    """rules.md "Timing" and "Dates in order": a planned programming start and the assessment's own steps."""

    programming: dt.date  # the first day of the month programming starts
    steps: list[tuple[str, dt.date]]  # (step, first day of its month) in the order written

    @property
    def late(self) -> list[tuple[str, dt.date]]:
        """The steps planned in the month programming starts or later."""
        return [(s, d) for s, d in self.steps if d >= self.programming]


def schedule_case(text: str, today: dt.date | None = None) -> ScheduleCase | None:
    """The month programming starts and the months of the assessment's steps (第三者点検, 公表, 意見聴取 …) the
    question gives; None without both."""
    q = normalize(text)
    year = (today or dt.date.today()).year
    programming: dt.date | None = None
    steps: list[tuple[str, dt.date]] = []
    for m in _YEAR_MONTH_RE.finditer(q):
        if m.group("era"):
            year = _ERA_START[m.group("era")] + (1 if m.group("ey") == "元" else int(m.group("ey")))
        elif m.group("gy"):
            year = int(m.group("gy"))
        month = int(m.group("mo"))
        if not 1 <= month <= 12:
            continue
        on = dt.date(year, month, 1)
        before = _SCHEDULE_CLAUSE.split(q[max(0, m.start() - 30) : m.start()])[-1]
        after = _SCHEDULE_CLAUSE.split(q[m.end() : m.end() + 20])[0]
        # what the month is of: the nearest word (after it, then before it) naming programming or a step; a named
        # step (第三者点検) before the bare 評価
        near: list[tuple[int, str, str]] = []
        for rx, kind in ((_PROGRAMMING, "programming"), (_ASSESSMENT_STEP, "step")):
            near += [(x.start(), kind, x.group(0)) for x in rx.finditer(after)]
            near += [(len(before) - x.end(), kind, x.group(0)) for x in rx.finditer(before)]
        if not near:
            continue
        near.sort(key=lambda x: (x[0], x[2] == "評価"))
        kind, word = near[0][1], near[0][2]
        if kind == "programming":
            programming = programming or on
            continue
        if word == "評価":
            word = next((w for _, k, w in near if k == "step" and w != "評価"), word)
        steps.append((_STEP_NAMES.get(word, word), on))
    if programming is None or not steps:
        return None
    return ScheduleCase(programming=programming, steps=steps)


def month_ja(d: dt.date) -> str:
    """2026-04-01 -> 令和8年4月."""
    return f"令和{d.year - 2018}年{d.month}月" if d.year >= 2019 else f"{d.year}年{d.month}月"


# --------------------------------------------------------------------------- number bands


_BAND = re.compile(r"\d[\d,]*\s*万?\s*人\s*以上(?:\s*\d[\d,]*\s*万?\s*人\s*未満)?|\d[\d,]*\s*万?\s*人\s*未満")
_PART = re.compile(r"委託事項|委託先|委託する|提供先|移転先|提供する情報")


@dataclass
class BandCase:
    first: str  # the options as the question quotes them
    second: str
    low: float  # the numbers of people both allow: [low, high); high may be inf
    high: float
    compatible: bool
    part_exceeds: bool = False  # the second is a 委託事項's / 提供先's band above its file's (or the reverse)
    part: str = ""  # "entrustment" or "provision" when one band is a 委託事項's or a 提供先's


def band_case(text: str) -> BandCase | None:
    """Two bands quoted in the question, compared as ranges (rules.md "Numbers that must agree")."""
    q = normalize(text)
    found = [(m.start(), m.group(0)) for m in _BAND.finditer(q)]
    bands = [(pos, opt, band(opt)) for pos, opt in found]
    bands = [(pos, opt, b) for pos, opt, b in bands if b is not None]
    if len(bands) < 2:
        return None
    (p1, o1, b1), (p2, o2, b2) = bands[:2]
    assert b1 is not None and b2 is not None
    low, high = max(b1[0], b2[0]), min(b1[1], b2[1])
    case = BandCase(first=re.sub(r"\s+", "", o1), second=re.sub(r"\s+", "", o2), low=low, high=high,
                    compatible=compatible_bands(b1, b2))
    # a part (委託事項, 提供先) named just before one band and not the other: it may not exceed the file's
    part1 = bool(_PART.search(q[max(0, p1 - 25) : p1]))
    part2 = bool(_PART.search(q[max(p1 + len(o1), p2 - 25) : p2]))
    if part1 != part2:
        part, whole = (b1, b2) if part1 else (b2, b1)
        case.part_exceeds = exceeds(part, whole)
        pos = p1 if part1 else p2
        named = _PART.findall(q[max(0, pos - 25) : pos])
        case.part = "provision" if named and named[-1] in ("提供先", "移転先", "提供する情報") else "entrustment"
    return case


# a choice asked about (どれを選べば, どの区分): 「どれが必要？」 asks which assessment
_ASKS_CHOICE = re.compile(r"選べ|選ぶ|選び|選択|選ん|どの区分|どこに(?:チェック|印)|which option|choose|select",
                          re.IGNORECASE)
# which assessment to do is the threshold's question (「評価はどれをやればいい？」), not a field's choice
_ASKS_ASSESSMENT = re.compile(r"評価(?:は|を|が|って)?(?:どれ|どの|何)|どの評価|必要な評価|評価の種類|assessment")
_HANDLER_FIELDS = ("ii_3_7_users", "ii_4_3")


@dataclass
class CountOption:
    field_id: str
    label: str  # the field as the form writes it: Ⅱ 2. ②対象となる本人の数
    count: int
    option: str  # the option whose range holds the count


def count_options(text: str) -> list[CountOption]:
    """A number the question gives (約45万人) and the count fields it names (Ⅰ 1. ③, Ⅱ 2. ②, Ⅱ 3. ⑦ …), when it asks
    which choice to pick: the option of each field whose range holds the number (the choice lists use different
    limits, rules.md). A number written as a limit (「30万人以上」, 30万人未満) is an option, not the count."""
    from bot.form_refs import item_label, resolve_items
    from bot.procedures import _numbers

    q = normalize(text)
    if not _ASKS_CHOICE.search(q) or _ASKS_ASSESSMENT.search(q):
        return []
    from bot.form import load_form

    form = load_form()
    # the count field named, or the one inside the item named (Ⅱ 3. ⑦使用の主体 -> 使用者数)
    fields = list({n.id: n for r in resolve_items(text) if r.explicit
                   for n in [r.node, *form.descendants(r.node.id)] if any(band(o) for o in n.options)}.values())
    if not fields:
        return []
    counts = [n for n in _numbers(q) if not re.match(r"\s*(?:以上|未満|超)", q[n.end : n.end + 3])]
    out: list[CountOption] = []
    for node in fields:
        handlers = node.id in _HANDLER_FIELDS
        mine = [n for n in counts if n.role == ("handlers" if handlers else "people")] or \
            [n for n in counts if n.role is None]
        if not mine:
            continue
        value = max(n.value for n in mine)
        for option in node.options:
            b = band(option)
            if b is not None and b[0] <= value < b[1]:
                out.append(CountOption(node.id, item_label(node), value, re.sub(r"（.*?）", "", option)))
                break
    return out


def people_range(low: float, high: float) -> str:
    """[300000, 1000000) -> '30万人以上100万人未満'; [300000, inf) -> '30万人以上'."""
    from bot.answer_topics import people_ja

    lo = people_ja(int(low)) + "以上" if low > 0 else ""
    hi = people_ja(int(high)) + "未満" if not math.isinf(high) else ""
    return lo + hi


# --------------------------------------------------------------------------- time since the last assessment


_KANJI = "〇一二三四五六七八九十"
_NUM = rf"\d+(?:\.\d+)?|[{_KANJI}]+"
_DURATION = (rf"(?:(?P<y>{_NUM})\s*年\s*(?P<half>半)?(?:\s*(?P<ym>\d+|[{_KANJI}]+)\s*(?:か|ヶ|ケ|ヵ|カ|箇)\s*月)?"
             rf"|(?P<m>\d+|[{_KANJI}]+)\s*(?:か|ヶ|ケ|ヵ|カ|箇)\s*月)")
_SINCE = re.compile(rf"(?:評価|公表|承認|実施|作成|提出)[^。？?]{{0,12}}(?:から|以来|して|し)"
                    rf"[^。？?]{{0,6}}?{_DURATION}"
                    rf"\s*(?:ほど|くらい|ぐらい|程度|近く|以上|余り|あまり)?\s*(?:が)?\s*"
                    r"(?:経|た[ちっつ]|過ぎ|になり|になる|になっ|経過)")
_AGO = re.compile(rf"{_DURATION}\s*(?:ほど|くらい|ぐらい|程度|近く|以上)?\s*前に[^。？?]{{0,10}}(?:評価|公表|承認)")


# the date of the last assessment or its publication, as a year and month (「最後の公表が令和3年2月」, 「2021年2月に
#評価書を公表」): counted to today
_ERA_START = {"令和": 2018, "平成": 1988, "R": 2018, "H": 1988}
_YEAR_MONTH = (r"(?:(?P<era>令和|平成|R|H)\s*(?P<ey>元|\d{1,2})|(?P<gy>(?:19|20)\d{2}))\s*(?:年|[./])\s*"
               r"(?P<mo>\d{1,2})\s*(?:月|(?=[./]))")
_SINCE_DATE = (re.compile(rf"(?:評価|公表|承認)(?:日)?[^。？?\d]{{0,8}}?{_YEAR_MONTH}"),
               re.compile(rf"{_YEAR_MONTH}[^。？?]{{0,8}}?(?:に|の)[^。？?]{{0,6}}?(?:評価|公表|承認)[^。？?]{{0,6}}?"
                          r"(?:した|しました|された|されました|済)"))


_ASSESSMENT_NAMED = re.compile(r"評価書|全項目|重点項目|基礎項目|特定個人情報保護評価|PIA", re.IGNORECASE)


@dataclass
class ElapsedCase:
    months: float
    since: dt.date | None = None  # the year and month of the last assessment, when the question gives it

    @property
    def due(self) -> bool:
        return self.months >= REASSESSMENT_MONTHS

    @property
    def remaining(self) -> float:
        return REASSESSMENT_MONTHS - self.months


def _number(s: str) -> float:
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s)
    from bot.procedures import _kanji_number

    return float(_kanji_number(s) or 0)


def elapsed_case(text: str, today: dt.date | None = None) -> ElapsedCase | None:
    """The time since the last assessment (or its publication) the question states: 「前回の評価から4年半たちました」,
    「3年前に評価した」, or its date: 「最後の公表が令和3年2月」 (counted to today, in months)."""
    q = normalize(text)
    m = _SINCE.search(q) or _AGO.search(q)
    if m is None:
        # a date alone is the assessment's only with the assessment named (人事評価の公表, 有給の承認 are not)
        d = _SINCE_DATE[0].search(q) or _SINCE_DATE[1].search(q)
        if d is None or not _ASSESSMENT_NAMED.search(q):
            return None
        era, ey, month = d.group("era"), d.group("ey"), int(d.group("mo"))
        year = _ERA_START[era] + (1 if ey == "元" else int(ey)) if era else int(d.group("gy"))
        if not 1 <= month <= 12:
            return None
        now = today or dt.date.today()
        counted = (now.year - year) * 12 + now.month - month
        return ElapsedCase(months=counted, since=dt.date(year, month, 1)) if counted > 0 else None
    if m.group("m"):
        months = _number(m.group("m"))
    else:
        months = 12 * _number(m.group("y")) + (6 if m.group("half") else 0) + (
            _number(m.group("ym")) if m.group("ym") else 0)
    return ElapsedCase(months=months) if months > 0 else None


def year_month_ja(d: dt.date) -> str:
    """2021-02 -> '令和3年2月', 2019-04 -> '平成31年4月'."""
    if d >= dt.date(2019, 5, 1):
        y = d.year - 2018
        return f"令和{'元' if y == 1 else y}年{d.month}月"
    return f"平成{d.year - 1988}年{d.month}月"


def months_ja(months: float) -> str:
    """54 -> '4年6か月', 6 -> '6か月', 60 -> '5年'."""
    whole = round(months)
    years, rest = divmod(whole, 12)
    if years and rest:
        return f"{years}年{rest}か月"
    return f"{years}年" if years else f"{rest}か月"


# --------------------------------------------------------------------------- quoted basis and measures


def basis_verdict(quote: str, transfer: bool = False) -> str | None:
    """What the checker says of a quoted legal basis of a provision (or, with `transfer`, of a transfer): the
    message of knowledge/check_messages.yaml, or None when the basis is complete."""
    from bot.checker.consistency import provision_basis_problem, transfer_basis_ok
    from bot.checker.messages import text as message

    if transfer:
        from bot.answer import templates

        return None if transfer_basis_ok(quote) else str(templates()["procedure"]["basis_transfer_missing"])
    problem = provision_basis_problem(quote)
    return message(problem) if problem else None


def generic_quote(text: str) -> str | None:
    """A quoted measure made of generic promises alone (関係法令に基づき適切に取り扱う), as the checker judges a
    measure field; None when nothing quoted is generic."""
    from bot.checker.text_rules import judge_text

    for q in quoted(text):
        if judge_text(q, "measure", False).code == "generic":
            return q
    return None
