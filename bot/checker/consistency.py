"""Consistency between parts of the form (rules.md "Consistency inside the form").

Each rule that fires attaches a reason (and the fields involved as evidence) to the checkpoints it concerns. A
consistency finding overrides "not applicable": Ⅲ 4. ticked 委託しない while Ⅱ 4. says 委託する is a defect of Ⅲ 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.checker.draft_view import DraftView, option_key
from bot.checker.messages import reason, text
from bot.checker.rules import evidence
from bot.checker.text_rules import judge_text
from bot.models import DraftField, Evidence, Reason

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


def consistency_findings(view: DraftView) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}

    def add(ids, key: str, fields: list[DraftField | None], **values) -> None:
        r = reason(key, **values)
        ev = [evidence(f) for f in fields if f is not None]
        for cid in ids:
            out.setdefault(cid, []).append(Finding(r, ev))

    # Ⅰ 6. ① 実施する ⇒ Ⅲ 6. is filled in (not 接続しない for both directions)
    linkage = view.get("i_6_1")
    for iii6 in view.all("iii_6"):
        if _chose(linkage, "実施する") and _ticked(iii6, "接続しない（入手）") and _ticked(iii6, "接続しない（提供）"):
            add([str(n) for n in range(54, 62)], "network_connection", [linkage, iii6])

    # Ⅰ 2. ③ 宛名システム等 ⇒ Ⅲ 3. リスク1 宛名システム等における措置の内容
    atena = [f for f in view.all("i_2_3") if _ticked(f, "宛名システム等")]
    if atena:
        for measure in view.all("iii_3_r1_a") or [None]:
            if not _answered(measure):
                add(["32"], "atena_checked", [atena[0], measure])

    # Ⅱ 4. 委託する ⇒ 委託事項 ①–⑥ and Ⅲ 4.; 再委託する ⇒ Ⅲ 4. 再委託 is not 再委託していない
    for umu in view.all("ii_4_umu"):
        if not _chose(umu, "委託する"):
            continue
        if not any(view.found(fid) for fid in ("ii_4_1", "ii_4_2", "ii_4_5", "ii_4_6")):
            add(["16", "17"], "entrust_but_none", [umu], detail=text("entrust_no_items"))
        for iii4 in view.all("iii_4"):
            if _ticked(iii4, "委託しない"):
                add([str(n) for n in range(41, 49)], "entrust_but_none", [umu, iii4], detail=text("entrust_iii_says_none"))
    subcontracting = [f for f in view.all("ii_4_7") if _chose(f, "再委託する")]
    if subcontracting:
        for sub in view.all("iii_4_sub_c"):
            if _chose(sub, "再委託していない"):
                add(["47"], "subcontract_but_not", [subcontracting[0], sub])

    # Ⅱ 5. 提供・移転を行っている ⇒ 提供先/移転先 blocks, and Ⅲ 5. unless everything goes through the network system
    for umu in view.all("ii_5_umu"):
        for option, block, cid, who in (("提供を行っている", "ii_5_p2", "19", "提供先"), ("移転を行っている", "ii_5_m2", "20", "移転先")):
            prefix = block[:-1]
            if _ticked(umu, option) and not any(view.found(f"{prefix}{i}") for i in range(1, 8)):
                add([cid], "provide_no_recipients", [umu], what=option, who=who)
        if _ticked(umu, "提供を行っている") or _ticked(umu, "移転を行っている"):
            blocks = [fid for fid, opt in (("ii_5_p6", "提供を行っている"), ("ii_5_m6", "移転を行っている")) if _ticked(umu, opt)]
            methods = [c for fid in blocks for f in view.all(fid) for c in f.checks]
            only_network = bool(methods) and all(option_key(m) == option_key(NETWORK) for m in methods)
            for iii5 in view.all("iii_5"):
                if _ticked(iii5, "提供・移転しない") and not only_network:
                    add([str(n) for n in range(49, 54)], "provide_but_iii_none", [umu, iii5])

    # Ⅱ 6. ② 定められていない needs a reason
    for period in view.all("ii_6_2_period"):
        if _chose(period, "定められていない"):
            valid = view.get("ii_6_2_valid")
            if not _answered(valid):
                add(["22"], "period_reason", [period, valid])
    return out
