"""Consistency between parts of the form (rules.md "Consistency inside the form").

Each rule that fires attaches a reason (and the fields involved as evidence) to the checkpoints it concerns. A
consistency finding overrides "not applicable": Ⅲ 4. ticked 委託しない while Ⅱ 4. says 委託する is a defect of Ⅲ 4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.checker.bands import band, exceeds
from bot.checker.draft_view import DraftView, excerpt, option_key
from bot.checker.messages import reason, text
from bot.checker.rules import evidence, where
from bot.checker.text_rules import judge_text
from bot.models import DraftField, Evidence, Reason
from bot.text import normalize

NETWORK = "情報提供ネットワークシステム"


@dataclass
class Finding:
    reason: Reason
    evidence: list[Evidence] = field(default_factory=list)


def _ticked(f: DraftField | None, option: str) -> bool:
    return f is not None and any(option_key(c) == option_key(option) for c in f.checks)


def _chose(f: DraftField | None, option: str) -> bool:
    return f is not None and f.choice is not None and option_key(f.choice) == option_key(option)


def _answered(f: DraftField | None) -> bool:
    if f is None:
        return False
    return judge_text(f.value, None, False).code is None


def _applies(view: DraftView, cond: str, f: DraftField) -> bool:
    """The block a field belongs to applies: its file's choice says so (委託する, 提供を行っている…)."""
    return view.holds(cond, {"ファイル": view.file_of(f) or 1}) is not None


def consistency_findings(view: DraftView) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}

    def add(ids, key: str, fields: list[DraftField | None], **values) -> None:
        r = reason(key, **values)
        ev = [evidence(f) for f in fields if f is not None]
        for cid in ids:
            out.setdefault(cid, []).append(Finding(r, ev))

    # Ⅰ 6. ① 実施する ⇒ Ⅲ 6. is filled in: the work connects through at least one of its files. A file whose Ⅲ 6.
    # ticks 接続しない in both directions is legitimately out of it (form.yaml na_when); only when no file connects is
    # it a contradiction.
    linkage = view.get("i_6_1")
    iii6 = view.all("iii_6")
    if _chose(linkage, "実施する") and iii6:
        closed = [f for f in iii6 if _ticked(f, "接続しない（入手）") and _ticked(f, "接続しない（提供）")]
        if len(closed) == len(iii6):
            add([str(n) for n in range(54, 62)], "network_connection", [linkage, *closed])

    # Ⅰ 2. ③ 宛名システム等 ⇒ Ⅲ 3. リスク1 宛名システム等における措置の内容, in at least one file (a file that does not
    # use the 宛名システム may say 該当なし with its reason)
    atena = [f for f in view.all("i_2_3") if _ticked(f, "宛名システム等")]
    if atena:
        measures = view.all("iii_3_r1_a")
        if not any(_answered(m) for m in measures):
            add(["32"], "atena_checked", [atena[0], *measures])

    # Ⅱ 4. 委託する ⇒ 委託事項 ①–⑥ and Ⅲ 4. of the same file; 再委託する ⇒ that file's Ⅲ 4. 再委託 is not
    # 再委託していない
    for umu in view.all("ii_4_umu"):
        if not _chose(umu, "委託する"):
            continue
        fno = view.file_of(umu)
        if not any(view.in_file(fid, fno) for fid in ("ii_4_1", "ii_4_2", "ii_4_5", "ii_4_6")):
            add(["16", "17"], "entrust_but_none", [umu], detail=text("entrust_no_items"))
        for iii4 in view.in_file("iii_4", fno):
            if _ticked(iii4, "委託しない"):
                add([str(n) for n in range(41, 49)], "entrust_but_none", [umu, iii4],
                    detail=text("entrust_iii_says_none"))
    # ② 特定個人情報ファイルの全体 ⇒ its 対象となる本人の数 is the file's own (Ⅱ 2. ② of the same file)
    for whole in view.all("ii_4_2"):
        if not _chose(whole, "特定個人情報ファイルの全体"):
            continue
        scope = view.scope(whole)
        count = view.get("ii_4_2_count", scope)
        own = view.get("ii_2_2", {"ファイル": scope.get("ファイル", 1)})
        if count and own and count.choice and own.choice and option_key(count.choice) != option_key(own.choice):
            add(["16"], "entrust_whole_subset", [whole, count, own], where=where(whole.path), count=count.choice,
                own=own.choice)
    for sub_choice in view.all("ii_4_7"):
        if not _chose(sub_choice, "再委託する"):
            continue
        for sub in view.in_file("iii_4_sub_c", view.file_of(sub_choice)):
            if _chose(sub, "再委託していない"):
                add(["47"], "subcontract_but_not", [sub_choice, sub])

    # Ⅱ 5. 提供・移転を行っている ⇒ 提供先/移転先 blocks, and Ⅲ 5. of the same file unless everything goes through the
    # network system
    for umu in view.all("ii_5_umu"):
        fno = view.file_of(umu)
        for option, block, cid, who in (("提供を行っている", "ii_5_p2", "19", "提供先"),
                                        ("移転を行っている", "ii_5_m2", "20", "移転先")):
            prefix = block[:-1]
            if _ticked(umu, option) and not any(view.in_file(f"{prefix}{i}", fno) for i in range(1, 8)):
                add([cid], "provide_no_recipients", [umu], what=option, who=who)
        if _ticked(umu, "提供を行っている") or _ticked(umu, "移転を行っている"):
            blocks = [fid for fid, opt in (("ii_5_p6", "提供を行っている"), ("ii_5_m6", "移転を行っている"))
                      if _ticked(umu, opt)]
            methods = [c for fid in blocks for f in view.in_file(fid, fno) for c in f.checks]
            only_network = bool(methods) and all(option_key(m) == option_key(NETWORK) for m in methods)
            for iii5 in view.in_file("iii_5", fno):
                if _ticked(iii5, "提供・移転しない") and not only_network:
                    add([str(n) for n in range(49, 54)], "provide_but_iii_none", [umu, iii5])

    # each 委託事項's, 提供先's and 移転先's 対象となる本人の数 cannot exceed its file's (rules.md)
    for fid, cid, who, cond in (("ii_4_2_count", "16", "委託事項", "ii_4_umu=委託する"),
                                ("ii_5_p4", "19", "提供先", "ii_5_umu=提供を行っている"),
                                ("ii_5_m4", "20", "移転先", "ii_5_umu=移転を行っている")):
        for part in view.all(fid):
            if not _applies(view, cond, part):
                continue
            own = view.get("ii_2_2", {"ファイル": view.file_of(part) or 1})
            pb, ob = band(part.choice), band(own.choice if own else None)
            if own is not None and pb is not None and ob is not None and exceeds(pb, ob):
                add([cid], "count_exceeds_file", [part, own], where=where(part.path), who=who, count=part.choice,
                    own=own.choice)

    # the legal basis of each 提供先 cites 番号法第19条 and its 号; of each 移転先, the provision allowing the use
    # (番号法第9条, or a local government's 条例) (rules.md)
    for f in view.all("ii_5_p1"):
        if _answered(f) and _applies(view, "ii_5_umu=提供を行っている", f):
            problem = provision_basis_problem(f.value)
            if problem:
                add(["19"], "basis_provision", [f], where=where(f.path), value=excerpt(f.value, 60),
                    problem=text(problem))
    for f in view.all("ii_5_m1"):
        if _answered(f) and _applies(view, "ii_5_umu=移転を行っている", f) and not transfer_basis_ok(f.value):
            add(["20"], "basis_transfer", [f], where=where(f.path), value=excerpt(f.value, 60))

    # Ⅱ 6. ② 定められていない needs a reason (in the same file)
    for period in view.all("ii_6_2_period"):
        if _chose(period, "定められていない"):
            valid = next(iter(view.in_file("ii_6_2_valid", view.file_of(period))), None)
            if not _answered(valid):
                add(["22"], "period_reason", [period, valid])
    return out


# --------------------------------------------------------------------------- legal basis of a provision

_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_NUM = re.compile(r"[〇一二三四五六七八九十百]+")
_ARTICLE = re.compile(r"(?:第\s*)?(\d+)\s*条(?:\s*の\s*\d+)?(?:\s*第\s*\d+\s*項)?(?:\s*第?\s*(\d+)\s*号)?")


def _kanji_to_int(k: str) -> int:
    """十九 -> 19, 百二 -> 102, 八 -> 8."""
    total, digit = 0, 0
    for ch in k:
        if ch == "百":
            total += (digit or 1) * 100
            digit = 0
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _KANJI_DIGITS[ch]
    return total + digit


def _arabic(text: str) -> str:
    """Kanji numerals in article references become digits: 第十九条第八号 -> 第19条第8号."""
    return _KANJI_NUM.sub(lambda m: str(_kanji_to_int(m.group(0))), normalize(text or ""))


def _number_act(s: str) -> bool:
    return any(w in s for w in vocabulary_basis()["number_act"])


_LAW_NAME = re.compile(r"([一-龥ぁ-んァ-ヶー・]+?(?:法律|法))(?=第|\d|の|及び|、|\s|$)")


def _act_of(s: str, at: int) -> str | None:
    """The name of the law an article reference at `at` belongs to: the last law named before it (同法 and 法
    alone refer back to it), None when none is named."""
    names = list(_LAW_NAME.finditer(s[:at]))
    return names[-1].group(1) if names else None


def provision_basis_problem(value: str) -> str | None:
    """None when a 提供先's basis cites 番号法第19条 with its 号; else the message key of what is missing."""
    s = _arabic(value)
    acts = vocabulary_basis()["number_act"]
    nineteen = []
    for m in _ARTICLE.finditer(s):
        if int(m.group(1)) != 19:
            continue
        act = _act_of(s, m.start())
        if act is None or any(a in act for a in acts) or act in ("同法", "法"):
            nineteen.append(m.group(2))
    if not nineteen:
        return "basis_no_article19"
    if not any(nineteen):
        return "basis_no_go"
    return None


def transfer_basis_ok(value: str) -> bool:
    """A 移転 inside the body cites the provision that allows the use: 番号法第9条, or the body's 条例."""
    s = _arabic(value)
    if "条例" in s:
        return True
    return _number_act(s) and any(int(m.group(1)) == 9 for m in _ARTICLE.finditer(s))


def vocabulary_basis() -> dict:
    from bot.checker.viewpoints import _vocab

    return _vocab()["legal_basis"]
