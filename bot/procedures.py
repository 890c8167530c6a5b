"""Procedure knowledge (knowledge/procedures.yaml) and the computations it allows.

- `match_rule(question)`: the procedure rule a question is about (by its trigger words), or None;
- `threshold_case(question)`: the numbers of a threshold question (対象人数, 取扱者数, a serious incident within the
  past year) and the assessments the rules.md table requires, with the deciding row;
- `change_case(question)`: a change to a published assessment and whether it is an important change (the item
  carries ※, or lies in Ⅲ / Ⅳ except Ⅲ 7. リスク1 ⑨: re-assessment before the change) or a correction;
- `body_type(question)`: 行政機関等 (national) or 地方公共団体等 (local), when the question says.

Everything here is deterministic and reads only the question: no retrieval, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.form import load_form, path_key
from bot.form_refs import ItemRef, item_label, resolve_items
from bot.models import ChangeCase, FormFieldSpec, ProcedureRule, ThresholdCase
from bot.resources import knowledge_yaml
from bot.text import normalize

HANDLERS_LIMIT = 500


@dataclass
class Procedures:
    rules: list[ProcedureRule]
    basis_title: str
    form_title: str
    change_words: list[str]
    change_consequences: list[str]
    change_items: list[tuple[str, str]]  # (term, form node id), longest term first
    everyday_terms: frozenset[str] = frozenset()  # change terms said of many things besides the assessment

    def rule(self, rule_id: str) -> ProcedureRule:
        return next(r for r in self.rules if r.id == rule_id)


@lru_cache(maxsize=1)
def load_procedures() -> Procedures:
    data = knowledge_yaml("procedures.yaml")
    items = [(str(t), str(ci["field"])) for ci in data.get("change_items", [])
             for t in [*ci["terms"], *ci.get("everyday", [])]]
    everyday = frozenset(str(t) for ci in data.get("change_items", []) for t in ci.get("everyday", []))
    items.sort(key=lambda x: -len(x[0]))
    form = load_form()
    for _, fid in items:
        form.get(fid)  # unknown ids fail loudly at load time
    return Procedures(
        rules=[ProcedureRule(**r) for r in data["rules"]],
        basis_title=data["basis_title"],
        form_title=data["form_title"],
        change_words=[str(w) for w in data.get("change_words", [])],
        change_consequences=[str(w) for w in data.get("change_consequences", [])],
        change_items=items,
        everyday_terms=everyday,
    )


@lru_cache(maxsize=8192)
def _flat(text: str) -> str:
    """The form triggers are compared in: NFKC, no spaces, lower case."""
    return re.sub(r"\s+", "", normalize(text)).lower()


def _has(flat: str, words: list[str]) -> bool:
    """A trigger word is in the (flattened) question; a word written /like this/ is a regular expression on the
    flattened text (「/(?<!再)委託する/」: 委託する, but not inside 再委託する)."""
    for w in words:
        if len(w) > 2 and w.startswith("/") and w.endswith("/"):
            if _pattern(w[1:-1]).search(flat):
                return True
        elif _flat(w) in flat:
            return True
    return False


@lru_cache(maxsize=256)
def _pattern(p: str) -> re.Pattern[str]:
    return re.compile(p)


# the form's own exclusions name what an item is not about: 「Ⅲ 5. 特定個人情報の提供・移転（委託や情報提供ネットワーク
# システムを通じた提供を除く。）」 does not ask about the network
_EXCLUSION = re.compile(r"[(（][^()（）]*除く。?[)）]")


# --------------------------------------------------------------------------- rules by their trigger words


@dataclass
class RuleMatch:
    rule: ProcedureRule
    groups: int  # the size of the trigger set that matched

    @property
    def score(self) -> float:
        return self.groups + 0.1 * self.rule.priority


_REPORT = re.compile(r"(?:全項目|重点項目|基礎項目)評価書")


def rule_matches(question: str) -> list[RuleMatch]:
    """Every rule whose trigger set matches, best first. 「全項目評価書」 names the document, not the kind of
    assessment a threshold question asks about."""
    flat = _REPORT.sub("評価書", _flat(_EXCLUSION.sub("", normalize(question))))
    out: list[RuleMatch] = []
    for rule in load_procedures().rules:
        best = 0
        for groups in rule.triggers:
            if groups and all(_has(flat, g) for g in groups):
                best = max(best, len(groups))
        if best:
            out.append(RuleMatch(rule, best))
    out.sort(key=lambda m: -m.score)
    return out


def match_rule(question: str) -> RuleMatch | None:
    found = rule_matches(question)
    return found[0] if found else None


def rules_for_item(nodes: list[FormFieldSpec]) -> list[ProcedureRule]:
    """Procedure rules that speak about a form item: the item is (inside) one of the rule's form items, or contains
    it. Rules whose home item it is come first. What counts as an answer (kind wording: every measure of Ⅲ and Ⅳ)
    is no rule of one item."""
    from bot.form_refs import covers

    scored: list[tuple[int, int, ProcedureRule]] = []
    for i, rule in enumerate(load_procedures().rules):
        if rule.body is not None or rule.kind in ("wording", "review"):
            continue
        for rank, label in enumerate(rule.form_items):
            ref = _resolve_label(label)
            if ref is None:
                continue
            if covers(ref.nodes, nodes) or covers(nodes, ref.nodes):
                scored.append((rank, i, rule))
                break
    scored.sort(key=lambda x: (x[0], x[1]))
    return [r for _, _, r in scored]


def review_rules_for(checkpoint_id: str) -> list[ProcedureRule]:
    """How the review treats what a draft says about a checkpoint or viewpoint (rules of kind review that list it):
    part of every answer about it."""
    return [r for r in load_procedures().rules if r.kind == "review" and checkpoint_id in r.checkpoints]


@lru_cache(maxsize=256)
def _resolve_label(label: str) -> ItemRef | None:
    refs = resolve_items(label)
    return refs[0] if refs else None


def rule_nodes(rule: ProcedureRule) -> list[FormFieldSpec]:
    """The form nodes of a rule's home item (its first form item)."""
    for label in rule.form_items[:1]:
        ref = _resolve_label(label)
        if ref is not None:
            return ref.nodes
    return []


# --------------------------------------------------------------------------- may a field be left out?


# a question whether a field may be left out: omitted, left blank, not needed (English readings say 空欄)
_OMISSION = re.compile(r"省略|空欄|空白|白紙|省い|省け|省く|飛ばし|書かなくて|書かないで|記載しなくて|記入しなくて|"
                       r"記載せず|書かずに|不要|要らない|いらない|なくても(?:いい|良い|大丈夫|よい|構わ)|無くても|関係な|"
                       r"blank|omit|skip", re.IGNORECASE)
# the question says the choice is not made (「連携しないのですが」, 「使っていない」): the field is then not applicable
_NOT_CHOSEN = re.compile(r"(?:し|使わ|使って|接続して|連携して|委託して|提供して|行って|選んで|付けて|チェックして)"
                         r"(?:い)?(?:ない|ません|ず)|未使用|使用なし|接続なし|連携なし|(?:not|no longer|never)\s+\w+",
                         re.IGNORECASE)


def asks_omission(question: str) -> bool:
    """Does the question ask whether a field may be omitted or left blank, and say the choice that requires it is
    made (not 「連携しないのですが」)?"""
    q = normalize(question)
    return bool(_OMISSION.search(q)) and not _NOT_CHOSEN.search(q)


# --------------------------------------------------------------------------- body type


_LOCAL = re.compile(
    r"市役所|区役所|役場|市町村|市区町村|都道府県|県庁|都庁|道庁|府庁|自治体|地方公共団体|地方独立行政法人|広域連合|"
    r"一部事務組合|教育委員会|特別区|市長|町長|村長|(?:うちの|当|本|わが|我が)(?:市|町|村|県|区)|"
    r"(?<![都政内])(?:市|町|村|県)(?:は|が|で|の|も|に|として|では|から)|"
    r"\b(?:city|cities|town|village|municipal\w*|prefect\w*|local\s+(?:government|body|authorit\w*))\b",
    re.IGNORECASE,
)
_NATIONAL = re.compile(
    r"(?<![県都道府])庁(?!舎)|省(?:庁)?(?:は|が|で|の|も|に)|府省|国の(?:機関|行政機関)|行政機関等?|(?<!地方)独立行政法人|"
    r"\b(?:ministry|ministries|national\s+(?:agency|body|government)|government\s+agency|agency)\b",
    re.IGNORECASE,
)


_LOCAL_ONLY = re.compile(r"第三者点検|審議会|third[- ]party|council", re.IGNORECASE)
_NATIONAL_ONLY = re.compile(r"承認|審査書|審査記載事項|approval", re.IGNORECASE)


def body_type(question: str) -> str | None:
    """"local" (地方公共団体等) or "national" (行政機関等) when the question says which; None when it does not or
    names both. A question about the third-party inspection alone is a local body's."""
    q = normalize(question)
    local = bool(_LOCAL.search(q))
    national = bool(_NATIONAL.search(q))
    if local and not national:
        return "local"
    if national and not local:
        return "national"
    if not local and not national and _LOCAL_ONLY.search(q) and not _NATIONAL_ONLY.search(q):
        return "local"
    return None


# --------------------------------------------------------------------------- threshold


_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}


def _kanji_number(s: str) -> int | None:
    """'八万' -> 80000, '十二万五千' -> 125000, '三百' -> 300."""
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _KANJI_DIGITS:
            digit = _KANJI_DIGITS[ch]
        elif ch in _KANJI_UNITS:
            section += (digit if digit is not None else 1) * _KANJI_UNITS[ch]
            digit = None
        elif ch == "万":
            section += digit or 0
            total += (section or 1) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


_JA_NUMBER = re.compile(
    r"(?P<a>\d[\d,]*(?:\.\d+)?)\s*(?P<ua>万|千)?(?:\s*(?P<b>\d[\d,]*)\s*(?P<ub>千|百)?)?\s*(?P<suffix>人|名)"
    r"|(?P<k>[〇一二三四五六七八九十百千万]+)\s*(?P<ksuffix>人|名)"
)
_EN_NUMBER = re.compile(
    r"(?P<a>\d[\d,]*(?:\.\d+)?)\s*(?P<ua>k|thousand|million)?\s*\+?\s*(?:of\s+)?(?:the\s+)?"
    r"(?P<noun>residents?|people|persons?|individuals?|citizens?|inhabitants?|users?|staff|employees?|handlers?|"
    r"workers?|officials?|operators?|members?|records?|contractors?|vendors?|subcontractors?)\b",
    re.IGNORECASE,
)
_HANDLER_WORDS = re.compile(r"取扱者|取扱い者|取り扱|取扱う|扱う|扱い|使用者|職員|作業員|従業者|従事者|委託先|スタッフ|"
                            r"オペレーター|担当者|staff|employee|handler|worker|official|operator|member|user|contractor|"
                            r"vendor",
                            re.IGNORECASE)
_PEOPLE_WORDS = re.compile(r"対象人数|対象者|対象|住民|市民|町民|村民|県民|人口|本人|受給者|被保険者|申請者|世帯|"
                           r"resident|people|person|individual|citizen|inhabitant|population|record",
                           re.IGNORECASE)
_INCIDENT = re.compile(r"重大事故|事故|漏えい|漏洩|流出|紛失|インシデント|incident|breach|leak", re.IGNORECASE)
_NEGATION_AFTER = re.compile(r"^.{0,10}?(?:なし|無し|ない|無い|なかった|無かった|ありません|していない|起きていない|"
                             r"発生していない|起こっていない|ゼロ)")
_NEGATION_BEFORE = re.compile(r"(?:\bno|\bnot|\bnever|\bwithout|\bzero)\W+(?:\w+\W+){0,3}$", re.IGNORECASE)
_LONG_AGO = re.compile(r"一昨年|(?:two|three|four|five|several)\s+years\s+ago|(?:1[3-9]|[2-9]\d)\s+months\s+ago",
                       re.IGNORECASE)
_KANJI_NUM = r"[〇一二三四五六七八九十]+"
# how long ago: 2年前, 1年半前, 1年3か月前, 18か月前, 半年前 (months)
_KA = r"\s*(?:か|ヶ|ケ|ヵ|カ|箇)\s*月"
_AGO = re.compile(rf"(?:(?P<y>\d+|{_KANJI_NUM})\s*年\s*(?P<half>半)?\s*(?:(?P<ym>\d+|{_KANJI_NUM}){_KA})?"
                  rf"|(?P<m>\d+|{_KANJI_NUM}){_KA}|(?P<halfyear>半年))\s*(?:以上|ほど|くらい|ぐらい|程度)?\s*前")
PAST_YEAR_MONTHS = 12  # the threshold counts a serious incident of the past year only


def _int(s: str) -> int:
    return int(s) if s.isdigit() else (_kanji_number(s) or 0)


def months_ago(text: str) -> int | None:
    """How many months back the text places something (「1年半前」 -> 18, 「半年前」 -> 6), or None."""
    m = _AGO.search(normalize(text))
    if m is None:
        return None
    if m.group("halfyear"):
        return 6
    if m.group("m"):
        return _int(m.group("m"))
    return 12 * _int(m.group("y")) + (6 if m.group("half") else 0) + (_int(m.group("ym")) if m.group("ym") else 0)


_DELIMS = re.compile(r"[、，,。．・;；\n]")


@dataclass
class _Number:
    value: int
    start: int
    end: int
    role: str | None  # "people" | "handlers" | None


def _numbers(q: str) -> list[_Number]:
    out: list[_Number] = []
    for m in _JA_NUMBER.finditer(q):
        if m.group("k"):
            v = _kanji_number(m.group("k"))
            if v is None:
                continue
            value = v
        else:
            a = float(m.group("a").replace(",", ""))
            unit = {"万": 10000, "千": 1000}.get(m.group("ua") or "", 1)
            value = int(a * unit)
            if m.group("b"):
                value += int(m.group("b").replace(",", "")) * {"千": 1000, "百": 100}.get(m.group("ub") or "", 1)
        tail = q[m.end() : m.end() + 3]
        if tail.startswith("未満"):
            value -= 1
        out.append(_Number(value, m.start(), m.end(), None))
    for m in _EN_NUMBER.finditer(q):
        a = float(m.group("a").replace(",", ""))
        unit = {"k": 1000, "thousand": 1000, "million": 1_000_000}.get((m.group("ua") or "").lower(), 1)
        noun = m.group("noun").lower()
        role = "handlers" if _HANDLER_WORDS.search(noun) else "people"
        out.append(_Number(int(a * unit), m.start(), m.end(), role))
    for n in out:
        if n.role is None:
            before = _DELIMS.split(q[max(0, n.start - 12) : n.start])[-1]
            after = _DELIMS.split(q[n.end : n.end + 4])[0]
            h = _HANDLER_WORDS.search(before) or _HANDLER_WORDS.search(after)
            p = _PEOPLE_WORDS.search(before) or _PEOPLE_WORDS.search(after)
            if h and not p:
                n.role = "handlers"
            elif p and not h:
                n.role = "people"
            elif h and p:  # the nearer word decides
                hb = [x.end() for x in _HANDLER_WORDS.finditer(before)]
                pb = [x.end() for x in _PEOPLE_WORDS.finditer(before)]
                n.role = "handlers" if (max(hb) if hb else -1) > (max(pb) if pb else -1) else "people"
    return out


_QUOTED_SPAN = re.compile(r"「[^「」]*」|『[^『』]*』")


def _incident(q: str) -> bool | None:
    found = None
    quotes = [m.span() for m in _QUOTED_SPAN.finditer(q)]
    for m in _INCIDENT.finditer(q):
        if any(a <= m.start() < b for a, b in quotes):
            # a quoted word names the notion (しきい値の「重大事故」って…), not an incident: when the question says
            # one happened, how long ago (「2年前に一件あって」) is read from the whole question
            months = months_ago(q)
            if months is not None:
                found = (months <= PAST_YEAR_MONTHS) if found is None else found
            continue
        after = q[m.end() : m.end() + 14]
        before = q[max(0, m.start() - 30) : m.start()]
        if _NEGATION_AFTER.search(after) or _NEGATION_BEFORE.search(before):
            found = False if found is None else found
            continue
        window = q[max(0, m.start() - 15) : m.end() + 15]
        # how long ago: said next to the word, else wherever the question says it (「2年前に一件あって」)
        months = months_ago(window)
        if months is None:
            months = months_ago(q)
        if _LONG_AGO.search(window) or (months is not None and months > PAST_YEAR_MONTHS):
            found = False if found is None else found
            continue
        found = True
    return found


def _row(people: int) -> str:
    if people < 1000:
        return "1,000人未満"
    if people < 10_000:
        return "1,000人以上1万人未満"
    if people < 100_000:
        return "1万人以上10万人未満"
    if people < 300_000:
        return "10万人以上30万人未満"
    return "30万人以上"


def decide_threshold(people: int, handlers: int | None, incident: bool | None) -> ThresholdCase:
    """The rules.md table: which assessments the numbers require, and the deciding row."""
    row = _row(people)
    heavy = (handlers is not None and handlers >= HANDLERS_LIMIT) or incident is True
    unknown = not heavy and (handlers is None or incident is None)
    case = ThresholdCase(people=people, handlers=handlers, incident=incident, row=row)
    if people < 1000:
        case.required = []
        case.optional = ["基礎項目評価", "重点項目評価", "全項目評価"]
    elif people < 10_000:
        case.required = ["基礎項目評価"]
        case.optional = ["全項目評価"]
    elif people < 100_000:
        case.required = ["基礎項目評価", "重点項目評価"] if heavy else ["基礎項目評価"]
        case.optional = ["全項目評価"]
        if unknown:
            case.undecided = "取扱者数が500人以上か、過去1年以内に重大事故があれば、重点項目評価も必要です。"
    elif people < 300_000:
        case.required = ["基礎項目評価", "全項目評価"] if heavy else ["基礎項目評価", "重点項目評価"]
        if not heavy:
            case.optional = ["全項目評価"]
        if unknown:
            case.undecided = ("取扱者数が500人以上か、過去1年以内に重大事故があれば、重点項目評価に代えて"
                              "全項目評価が必要です。")
    else:
        case.required = ["基礎項目評価", "全項目評価"]
    return case


def threshold_case(question: str) -> ThresholdCase | None:
    """The threshold judgement for the numbers in a question; None when it gives no 対象人数."""
    q = normalize(question)
    nums = _numbers(q)
    people = [n for n in nums if n.role == "people"]
    handlers = [n for n in nums if n.role == "handlers"]
    free = sorted((n for n in nums if n.role is None), key=lambda n: -n.value)
    if not people and free:
        people.append(free.pop(0))
    if not handlers and free and people and free[0].value < people[0].value:
        handlers.append(free.pop(0))
    if not people:
        return None
    total, parts = _handlers_total(q, handlers)
    case = decide_threshold(max(n.value for n in people), total, _incident(q))
    case.handlers_parts = parts
    return case


_STAFF = re.compile(r"職員|使用者|従業者|従事者|スタッフ|正職員|会計年度|staff|employee|official", re.IGNORECASE)
_CONTRACTOR = re.compile(r"委託先|委託事業者|受託|業者|作業員|ベンダー|派遣|contractor|vendor|outsourc", re.IGNORECASE)
_PART_OF = re.compile(r"うち|内訳|のうち|含め|含む|含んで|合わせて|あわせて|併せて|合計|全体で|including|of whom",
                      re.IGNORECASE)


def _handlers_total(q: str, handlers: list[_Number]) -> tuple[int | None, list[int]]:
    """取扱者数: staff and contractors who handle the file (rules.md). Numbers given for each (「職員400人と委託先
    150人」) add up (and the parts are returned: [staff, contractors]); otherwise (one number, or 「600人、うち委託先
    150人」) the largest is the count."""
    if not handlers:
        return None, []
    by_kind: dict[str, int] = {}
    for n in handlers:
        before = _DELIMS.split(q[max(0, n.start - 12) : n.start])[-1]
        after = _DELIMS.split(q[n.end : n.end + 12])[0]
        # the nearest word says whose number it is: 「職員400人と委託先150人」, 「300 staff and 250 contractors」
        near: list[tuple[int, str]] = []
        for kind, rx in (("staff", _STAFF), ("contractor", _CONTRACTOR)):
            near += [(len(before) - m.end(), kind) for m in rx.finditer(before)]
            near += [(m.start(), kind) for m in rx.finditer(after)]
        own = q[n.start : n.end]  # an English number carries its noun (250 contractors)
        kind = ("contractor" if _CONTRACTOR.search(own) else "staff" if _STAFF.search(own)
                else min(near)[1] if near else "other")
        by_kind[kind] = max(by_kind.get(kind, 0), n.value)
    if {"staff", "contractor"} <= set(by_kind) and not _PART_OF.search(q):
        return by_kind["staff"] + by_kind["contractor"], [by_kind["staff"], by_kind["contractor"]]
    return max(n.value for n in handlers), []


# the assessment, by name or by its kinds (「基礎＋重点でやってた」), or a serious incident, whose effect on the
# threshold is what a question with numbers of people asks
_ASKS_ASSESSMENT = re.compile(r"評価|基礎項目|重点項目|全項目|基礎\s*[+＋・と]\s*重点|重大事故|assessment|pia",
                              re.IGNORECASE)
_ASKS_NEED = re.compile(r"必要|要る|いる[?？か]|不要|義務|しなくて|しないと|しなければ|やらな|いい[?？で]|良い|"
                        r"どの|どれ|何の|足り|十分|対象|need|require|which|must|enough", re.IGNORECASE)


# the threshold's own words for its inputs: 対象人数 / 対象者, 取扱者 (「住民5万人、職員100人の町」 is no threshold
# question)
_THRESHOLD_WORDS = re.compile(r"対象|取扱|取り扱|扱う|使用者|handl|in scope|covered", re.IGNORECASE)


def asks_threshold(question: str) -> bool:
    """Numbers of people and a question about which assessment is needed (「800人の事務は評価をしなくていい？」); the
    number of people and the number of handlers together are the threshold's own input (「対象5万人、取扱者100人。
    どれが必要？」) even when the assessment is not named."""
    q = normalize(question)
    nums = _numbers(q)
    if not nums or not _ASKS_NEED.search(q):
        return False
    roles = {n.role for n in nums}
    return bool(_ASKS_ASSESSMENT.search(q)) or ({"people", "handlers"} <= roles and bool(_THRESHOLD_WORDS.search(q)))


# --------------------------------------------------------------------------- important change or correction


_EXCEPTED = ("Ⅲ", "7.", "リスク1", "⑨")


def is_important_change(node: FormFieldSpec) -> tuple[bool, str]:
    """(important, why): an item carrying ※ (or under a heading that carries it: Ⅲ except 7. リスク1 ⑨, Ⅳ)."""
    form = load_form()
    key = path_key(node.path)
    if key[: len(_EXCEPTED)] == _EXCEPTED:
        return False, "Ⅲ 7. リスク1 ⑨（重大事故の有無）はⅢの※の対象から除かれています"
    for n in [node, *form.ancestors(node.id)]:
        if n.required:
            if n.id == node.id:
                return True, f"「{item_label(node)}」には※が付いています"
            return True, f"「{item_label(node)}」は※の付いた「{item_label(n)}」の中にあります"
    for child in form.descendants(node.id):
        if child.required:
            return True, f"「{item_label(node)}」には※の付いた「{item_label(child)}」が含まれます"
    # a choice that switches a ※ item on or off (Ⅱ 5. 提供・移転の有無 -> Ⅲ 5.): changing it changes that item too
    for other in form:
        conds = [c for x in [*other.not_applicable_when, *other.required_when] for c in str(x).split("&")]
        if any(re.split(r"!?=", str(c))[0] == node.id for c in conds) and _marked(other):
            return True, f"「{item_label(node)}」を変えると、※の付いた「{item_label(other)}」の記載の要否も変わります"
    return False, f"「{item_label(node)}」には※が付いていません"


def _marked(node: FormFieldSpec) -> bool:
    """The item carries ※ itself or under its heading (Ⅲ except 7. リスク1 ⑨, Ⅳ)."""
    if path_key(node.path)[: len(_EXCEPTED)] == _EXCEPTED:
        return False
    return any(n.required for n in [node, *load_form().ancestors(node.id)])


def _change_item(question: str) -> FormFieldSpec | None:
    found = _change_item_and_term(question)
    return found[0] if found else None


def _change_item_and_term(question: str) -> tuple[FormFieldSpec, str] | None:
    """What changes, and the words that named it: a place (Ⅲ 4.) first, then the longer of an everyday name
    (knowledge/procedures.yaml change_items) and a form label."""
    flat = _flat(question)
    refs = [r for r in resolve_items(question) if r.explicit]
    if refs and refs[0].how == "place":
        return refs[0].node, "place"
    best: tuple[int, FormFieldSpec, str] | None = None
    # the question's words, then its everyday words read as the form's (下請けに出す -> 再委託に出す, glossary.yaml)
    for text in dict.fromkeys((flat, _form_words(flat))):
        for term, fid in load_procedures().change_items:
            if len(term) > 2 and term.startswith("/") and term.endswith("/"):
                m = _pattern(term[1:-1]).search(text)
                if m:
                    best = (m.end() - m.start(), load_form().get(fid), term)
                    break
            elif _flat(term) in text:
                best = (len(_flat(term)), load_form().get(fid), term)
                break
        if best is not None:
            break
    for ref in refs:
        if best is None or ref.end - ref.start > best[0]:
            best = (ref.end - ref.start, ref.node, "label")
    return (best[1], best[2]) if best else None


@lru_cache(maxsize=1)
def _glossary_pairs() -> tuple[tuple[str, str], ...]:
    """(everyday word, the form's word), longest everyday word first."""
    from bot.catalog import load_glossary

    pairs = [(_flat(e.term), _flat(e.form_terms[0])) for e in load_glossary() if e.form_terms]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _form_words(flat: str) -> str:
    """A flattened question with its everyday words replaced by the form's (下請け -> 再委託), each place once."""
    out, i = [], 0
    pairs = _glossary_pairs()
    while i < len(flat):
        hit = next(((term, form) for term, form in pairs if term and flat.startswith(term, i)), None)
        if hit is None:
            out.append(flat[i])
            i += 1
        else:
            out.append(hit[1])
            i += len(hit[0])
    return "".join(out)


_LABELS_WITH_CHANGE = ("変更箇所", "変更の妥当性")


def is_change_question(question: str) -> bool:
    """A change (変更, 増やす, 変わる …) and what follows from it (再評価, 修正, どうなる …). The form's own labels that
    contain 変更 (（別添3）変更箇所, ⑥変更の妥当性) are no change."""
    p = load_procedures()
    # the words of a quoted draft text (「必要に応じて研修を行う」) are not the question's; a quoted term
    # (「重要な変更」) is
    flat = _flat(_QUOTED_TEXT.sub("\u3000", normalize(question)))
    bare = _KIND_CHANGES.sub("", flat)
    for label in _LABELS_WITH_CHANGE:
        bare = bare.replace(label, "")
    return _has(bare, p.change_words) and _has(flat, p.change_consequences)


_QUOTED_TEXT = re.compile(r"「[^「」]{8,}」|『[^『』]{8,}』")
# the kind of assessment required changing is the threshold's question (「重大事故があった。必要な評価の種類は変わり
# ますか」), not a change to an item of the published assessment
_KIND_CHANGES = re.compile(r"(?:必要な)?評価(?:の種類|の区分|の種別)?(?:は|が|も)?(?:変わ|変え|変更)")


# the threshold's result made heavier (by a serious incident, rules.md): the assessment is done again, whatever item
# the question also names (「重大事故でしきい値判断の結果が重い評価に変わった。修正で済む？」)
_HEAVIER = re.compile(r"(?:しきい値|閾値)[^。？?]{0,24}(?:重い|重く|重たい|重た|厳しい|厳しく|上の評価)|"
                      r"(?:より|もっと)(?:重い|重たい)評価")
HEAVIER_WHY = "しきい値判断の結果がより重い評価に変わる場合は、修正では済まず、評価を再実施します"

# the answer a choice has now, quoted (今「再委託しない」になっている, 「委託しない」で公表している)
_NOW_BEFORE = re.compile(r"(?:今|いま|現在|現状|これまで|従来|もともと|元々|公表済みの評価書では|評価書では)"
                         r"[^。？?「」]{0,8}$")
_NOW_AFTER = re.compile(r"^(?:に(?:なって|して|なってい)|として|と(?:して|記載|書い)|で公表|を選|のまま|"
                        r"にチェック|に印)")


def _quoted_spans(q: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)[1:-1]) for m in _QUOTED_SPAN.finditer(q)]


def _common_prefix(words: list[str]) -> str:
    """The characters all the options begin with: 再委託 of 再委託する / 再委託しない."""
    first = min(words, key=len)
    n = 0
    while n < len(first) and all(w[n] == first[n] for w in words):
        n += 1
    return first[:n]


# an option's stem said as a deed or a plan: 再委託したい, 委託する, 再委託の申し出, 委託を検討 (not 再委託の欄,
# not 再委託しない)
_DEED = (r"(?:し(?!な[いかく])|する|させ|を始め|を開始|あり|"
         r"(?:の|を|が)(?:申し出|申出|予定|検討|希望|要望|依頼|相談|計画|話))")


def option_switch(question: str) -> FormFieldSpec | None:
    """A change from one choice to another on a form item (rules.md: a change is read by what it does): the question
    quotes the item's answer now (今「再委託しない」になっています) and speaks of another of its options outside the
    quotes (再委託したい, 「再委託する」に変える). The item, or None."""
    q = normalize(question)
    spans = _quoted_spans(q)
    if not spans:
        return None
    outside = _QUOTED_SPAN.sub("\u3000", q)
    form = load_form()
    for start, end, quote in spans:
        now = bool(_NOW_BEFORE.search(q[max(0, start - 20) : start])) or bool(_NOW_AFTER.match(q[end : end + 8]))
        if not now:
            continue
        cq = _flat(quote)
        for node in form:
            opts = [_flat(o) for o in node.options]
            if cq not in opts or len(opts) < 2:
                continue
            others = [o for o in opts if o != cq]
            if any(_flat(x) in others for _, _, x in spans):
                return node
            # another option said as a deed outside the quotes: 再委託したい, 委託する, 発生した (not 再委託の欄,
            # not 再委託しない)
            for other in others:
                base = _common_prefix([cq, other]).rstrip("し")
                if len(base) >= 2 and re.search(re.escape(base) + _DEED,
                                                _flat(outside)):
                    return node
    return None


_ABOUT_ASSESSMENT = re.compile(r"評価|pia|assessment|公表|別添|変更箇所|重要な変更|様式|記載|委託|受託|特定個人情報|"
                               r"個人番号|マイナンバー|番号法", re.IGNORECASE)


def change_case(question: str) -> ChangeCase | None:
    """A change to a published assessment, when the question asks about one and names what changes: a ※ item
    changed, a choice switched from one option to another, or the threshold's result made heavier."""
    p = load_procedures()
    flat = _flat(question)
    asks = _has(flat, p.change_consequences)
    became = _has(flat, p.change_words) or "なっ" in flat or "なり" in flat
    if asks and became and _HEAVIER.search(normalize(question)):
        result = load_form().get("vi_1_2")
        return ChangeCase(item=item_label(result), field_id=result.id, important=True, why=HEAVIER_WHY)
    switched = option_switch(question) if asks else None
    if switched is not None:
        important, why = is_important_change(switched)
        return ChangeCase(item=item_label(switched), field_id=switched.id, important=important, why=why)
    if not is_change_question(question):
        return None
    found = _change_item_and_term(question)
    if found is None:
        return None
    node, term = found
    # a change named in words said of many things (社名, 電話番号, 研修) is the assessment's only when the question
    # speaks of the assessment: 「社名変更の登記に必要な書類は？」 is not
    if term in p.everyday_terms and not _ABOUT_ASSESSMENT.search(flat):
        return None
    important, why = is_important_change(node)
    return ChangeCase(item=item_label(node), field_id=node.id, important=important, why=why,
                      also=_also_named(question, node))


def _also_named(question: str, node: FormFieldSpec) -> list[ChangeCase]:
    """The other items the question names by a place of their own (Ⅲ 7. リスク1 ⑨ besides Ⅲ), each judged: an
    exception the question asks about is answered, not hidden behind the first item's verdict."""
    out: list[ChangeCase] = []
    seen = {node.id}
    for ref in resolve_items(question):
        if not ref.explicit or ref.how != "place" or ref.node.id in seen or ref.end - ref.start <= 2:
            continue
        seen.add(ref.node.id)
        important, why = is_important_change(ref.node)
        out.append(ChangeCase(item=item_label(ref.node), field_id=ref.node.id, important=important, why=why))
    return out
