"""Values of choice and check-box fields, and clean free text.

- Choice: `[ 十分である ] <選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている`: the bracket holds the
  chosen option; the option list is the form's print-out, never the answer.
- Check boxes: `[○] 名前`, `■ 名前`, `☑ 名前` are ticked; `[ ] 名前`, `□ 名前`, `☐ 名前` are not.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.draft.labels import key
from bot.draft.lines import light_normalize

_TICK_MARKS = "○〇◯●✓✔☑☒xX×✗レ◎"
_BOX_RE = re.compile(
    r"(?:\[\s*([" + _TICK_MARKS + r"]?)\s*\]|([■☑☒]|\u2611|\u2612)|([□☐]))\s*"
    r"([^\[\]■□☑☒☐\t]*)"
)
_OPTIONS_MARK_RE = re.compile(r"<\s*選択肢\s*>|〈\s*選択肢\s*〉|≪\s*選択肢\s*≫|《\s*選択肢\s*》")
_BRACKET_RE = re.compile(r"\[\s*([^\[\]]*?)\s*\]|【\s*([^【】]*?)\s*】")
# an option's number as printed: `1)`, or `1.` in a list in brackets (「十分である（1.特に力を入れている／2.…）」)
_NUMBERED_OPT_RE = r"\d{1,2}\s*[).]\s*"


@lru_cache(maxsize=512)
def _option_list_re(options: tuple[str, ...]) -> re.Pattern | None:
    alts = [r"\s*".join(map(re.escape, light_normalize(o))) for o in sorted(options, key=len, reverse=True)]
    return re.compile(_NUMBERED_OPT_RE + "(?:" + "|".join(alts) + ")") if alts else None


@lru_cache(maxsize=512)
def _option_keys(options: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((o, key(light_normalize(o))) for o in options)


def strip_option_list(text: str, options: list[str]) -> str:
    """Remove the printed `<選択肢> 1) … 2) …` list (and bare `1) option` runs) from a value."""
    text = _OPTIONS_MARK_RE.sub(" ", text)
    pattern = _option_list_re(tuple(options))
    if pattern is not None:
        text = pattern.sub(" ", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def match_option(text: str, options: list[str]) -> str | None:
    """The option a text names (the longest one it contains)."""
    k = key(text)
    if not k:
        return None
    best, best_len = None, 0
    for opt, ok in _option_keys(tuple(options)):
        if ok and (ok in k or (k in ok and len(k) >= 3 and len(k) >= len(ok) - 2)) and len(ok) > best_len:
            best, best_len = opt, len(ok)
    return best


def parse_choice(text: str, options: list[str]) -> tuple[str | None, str]:
    """(chosen option or raw bracket content or None, the value text without the option list)."""
    cleaned = strip_option_list(text, options)
    # options written as check boxes ([○] 十分である [ ] 課題が残されている, ■十分である □…): the one ticked
    ticked, unticked, outside = parse_checks(cleaned, options)
    known = [t for t in ticked if t in options]
    if len(known) == 1 and unticked:
        return known[0], outside
    for m in _BRACKET_RE.finditer(cleaned):
        content = (m.group(1) if m.group(1) is not None else m.group(2) or "").strip()
        if key(content) in ("行政機関等のみ",):
            continue
        rest = (cleaned[: m.start()] + " " + cleaned[m.end() :]).strip()
        if not key(content):
            return None, rest
        return match_option(content, options) or content, rest
    # no bracket: a bare option written as the answer
    chosen = match_option(cleaned, options)
    if chosen:
        rest = cleaned.replace(chosen, " ").strip()
        return chosen, rest
    return None, cleaned


def named_options(text: str, options: list[str]) -> list[str]:
    """The options a check-box answer written without boxes names: 「情報提供ネットワークシステム」 or
    「紙、電子メール」 ticks those. 「その他」 is a word of any sentence and never counts alone; an option named only
    inside a longer one (フラッシュメモリ inside 電子記録媒体（フラッシュメモリを除く。）) is not named."""
    k = key(light_normalize(text))
    if not k:
        return []
    found = [(o, ok) for o, ok in _option_keys(tuple(options)) if ok and ok != key("その他") and ok in k]
    return [o for o, ok in found
            if not any(ok != other and ok in other and k.count(ok) <= k.count(other) for _, other in found)]


def parse_checks(text: str, options: list[str]) -> tuple[list[str], list[str], str]:
    """(ticked option names, unticked names, text outside the boxes)."""
    ticked: list[str] = []
    unticked: list[str] = []
    outside: list[str] = []
    last = 0
    for m in _BOX_RE.finditer(text):
        bracket_mark, filled, _empty, name = m.groups()
        outside.append(text[last : m.start()])
        last = m.end()
        name = name.strip()
        canonical = match_option(name, options) if options else None
        label = canonical or re.sub(r"\s*\(\s*\)\s*$", "", name).strip()
        if not label:
            continue
        is_ticked = bool(filled) or bool(bracket_mark)
        (ticked if is_ticked else unticked).append(label)
    outside.append(text[last:])
    return ticked, unticked, " ".join(o.strip() for o in outside if o.strip())


def read_value(spec, raw: str) -> tuple[str, str | None, list[str]]:
    """(value, chosen option, ticked boxes) of a field's raw text, as the reader reads a field of that kind."""
    choice = None
    checks: list[str] = []
    if spec.kind == "choice":
        choice, rest = parse_choice(raw, spec.options)
        value = choice or clean_text([rest])
    elif spec.kind == "checkbox" or (spec.options and spec.kind in ("item", "group")):
        ticked, unticked, outside = parse_checks(strip_option_list(raw, spec.options), spec.options)
        checks = ticked
        if spec.kind == "checkbox" and not ticked and not unticked:
            checks = named_options(outside, spec.options)  # boxes replaced by the chosen options' names
        value = "、".join(ticked) if spec.kind == "checkbox" and (ticked or unticked) else clean_text([outside])
    else:
        value = clean_text([strip_option_list(raw, [])])
    return value, choice, checks


def has_boxes(text: str) -> bool:
    return bool(_BOX_RE.search(text))


_JP = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_JOIN_RE = re.compile(rf"(?<=[{_JP}、])\n(?=[{_JP}])")


def clean_text(parts: list[str]) -> str:
    """Join the pieces of a value: wrapped Japanese lines rejoin without a break, other pieces keep a new line."""
    text = "\n".join(p.strip() for p in parts if p and p.strip())
    text = _JOIN_RE.sub("", text)
    return text.strip()


# what opens a new line on purpose: a bullet, a list number (1 / (1) / ① / 1.), a note, a box, a bracket
_LINE_START_RE = re.compile(r"^\s*(?:[・※●○◆■□☑☐\[【「（(<＜〈]|[①-⑩]|\d{1,2}(?:\s|[.)．）、])|[-－―]\s)")
_LINE_END_RE = re.compile(r"[。．：:]\s*$")


def rejoin_wrapped(text: str) -> str:
    """A PDF wraps a value wherever the cell ends, even inside a word or a number (`年1` / `回`): rejoin the lines
    that are a wrap, keeping the breaks that end a sentence or open a list item."""
    lines = text.split("\n")
    out = [lines[0]]
    for ln in lines[1:]:
        prev = out[-1]
        if prev.strip() and ln.strip() and not _LINE_END_RE.search(prev) and not _LINE_START_RE.match(ln):
            out[-1] = prev.rstrip() + ln.lstrip()
        else:
            out.append(ln)
    return "\n".join(out)


_FILE_LIST_SPLIT_RE = re.compile(r"\n|[、，,;；]|及び|並びに|[(（]\s*\d{1,2}\s*[)）]|[①-⑩]|(?:^|\s)\d{1,2}\s*[.．]")


def listed_files(value: str) -> int | None:
    """How many 特定個人情報ファイル a value of Ⅰ 3. names (`(1) 生活保護ファイル (2) 返還金債権管理ファイル` -> 2);
    None when it names none."""
    names = [p.strip() for p in _FILE_LIST_SPLIT_RE.split(light_normalize(value or "")) if p and p.strip()]
    n = sum(1 for p in names if "ファイル" in p)
    return n or None
