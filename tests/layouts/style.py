"""How a layout writes the fixed parts of the form: numbering, marks, choices, check boxes, dashes, references.

A `Style` is drawn from a seeded random generator; every choice is one that real drafts make (the Commission's Word
and Excel templates, PDFs printed from them, text pasted out of them). The value a drafter wrote is never changed,
only its notation: a choice stays the same option, a ticked box stays ticked, `－` stays a dash.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from layouts.source import CIRCLED, Label, Node

_FULL_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
ROMAN_ASCII = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V", "Ⅵ": "VI"}
ROMAN_FULL = {k: v.translate(str.maketrans("IV", "ＩＶ")) for k, v in ROMAN_ASCII.items()}


def full_digits(text: str) -> str:
    return text.translate(_FULL_DIGITS)


@dataclass
class Style:
    roman: str = "Ⅲ"  # Ⅲ | III | ＩＩＩ
    roman_sep: str = " "  # between the numeral and the section title
    item: str = "1."  # 1. | １． | 1． | 1 | (1)
    circled: str = "①"  # ① | (1) | （１） | ①␣
    risk: str = "リスク1："  # リスク1： | リスク１： | リスク1: | リスク 1 | ■リスク1：
    instance: str = "委託事項1"  # 委託事項1 | 委託事項１ | 委託事項 1
    attach: str = "（別添1）"  # （別添1） | (別添1) | 別添1 | 【別添1】
    mark: str = " ※"  # ※ written as: " ※" | "※" | "（※）" | "" (dropped)
    gov_only: str = "【行政機関等のみ】"  # 【行政機関等のみ】 | [行政機関等のみ] | （行政機関等のみ） | ""
    label_spaces: float = 0.0  # chance of a space inside a long label (PDF justification, hand typing)
    choice: str = "bracket"  # bracket | lenticular | boxes_o | boxes_sq | bare
    legend: str = "same_line"  # same_line | next_line | wrapped | none
    legend_mark: str = "<選択肢>"  # <選択肢> | ＜選択肢＞ | 〈選択肢〉
    boxes: str = "o_line"  # o_line | o_lines | squares | ballot
    count: str = "（ {n} ）件"
    dash: str = "－"  # how a bare － answer is typed
    refs: str = "keep"  # how a value that refers to another section is written: keep | roman | full | plain
    full_width_values: bool = False  # digits in short values typed full width
    seed: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def draw(cls, rng: random.Random, **fixed) -> Style:
        s = cls(
            roman=rng.choice(["Ⅲ", "Ⅲ", "III", "ＩＩＩ"]),
            roman_sep=rng.choice([" ", "　", "．", " "]),
            item=rng.choice(["1.", "１．", "1．", "1 ", "1. "]),
            circled=rng.choice(["①", "① ", "(1)", "（１）", "①"]),
            risk=rng.choice(["リスク1：", "リスク１：", "リスク1:", "リスク 1 ", "■リスク1："]),
            instance=rng.choice(["委託事項1", "委託事項１", "委託事項 1"]),
            attach=rng.choice(["（別添1）", "(別添1)", "別添1", "【別添1】"]),
            mark=rng.choice([" ※", "※", "（※）", "", " ※"]),
            gov_only=rng.choice(["【行政機関等のみ】", "[行政機関等のみ]", "（行政機関等のみ）", ""]),
            label_spaces=rng.choice([0.0, 0.0, 0.15]),
            choice=rng.choice(["bracket", "bracket", "lenticular", "boxes_o", "boxes_sq", "bare"]),
            legend=rng.choice(["same_line", "next_line", "wrapped", "none"]),
            legend_mark=rng.choice(["<選択肢>", "＜選択肢＞", "〈選択肢〉"]),
            boxes=rng.choice(["o_line", "o_lines", "squares", "ballot"]),
            count=rng.choice(["（ {n} ）件", "（{n}）件", "({n})件"]),
            dash=rng.choice(["－", "-", "―", "－", "‐"]),
            refs=rng.choice(["keep", "roman", "full", "plain"]),
            full_width_values=rng.random() < 0.3,
            seed=rng.randrange(1 << 30),
        )
        for k, v in fixed.items():
            setattr(s, k, v)
        s.rng = random.Random(s.seed)
        return s

    # ------------------------------------------------------------------ labels
    def roman_text(self, roman: str) -> str:
        if self.roman == "III":
            return ROMAN_ASCII[roman]
        if self.roman == "ＩＩＩ":
            return ROMAN_FULL[roman]
        return roman

    def item_text(self, n: int) -> str:
        if self.item == "１．":
            return full_digits(str(n)) + "．"
        if self.item == "1．":
            return f"{n}．"
        if self.item == "1 ":
            return f"{n} "
        if self.item == "1. ":
            return f"{n}. "
        return f"{n}."

    def circled_text(self, c: str) -> str:
        n = CIRCLED.index(c) + 1
        if self.circled == "(1)":
            return f"({n})"
        if self.circled == "（１）":
            return "（" + full_digits(str(n)) + "）"
        return c + (" " if self.circled == "① " else "")

    def risk_text(self, n: int) -> str:
        return {"リスク1：": f"リスク{n}：", "リスク１：": f"リスク{full_digits(str(n))}：", "リスク1:": f"リスク{n}:",
                "リスク 1 ": f"リスク {n} ", "■リスク1：": f"■リスク{n}："}[self.risk]

    def instance_text(self, base: str, n: int) -> str:
        if self.instance == "委託事項１":
            return base + full_digits(str(n))
        if self.instance == "委託事項 1":
            return f"{base} {n}"
        return f"{base}{n}"

    def attach_text(self, n: int) -> str:
        return {"（別添1）": f"（別添{n}）", "(別添1)": f"(別添{n})", "別添1": f"別添{n}", "【別添1】": f"【別添{n}】"}[
            self.attach]

    def spaced(self, words: str) -> str:
        """A long label with a space slipped in here and there (never inside a roman numeral or a number)."""
        if self.label_spaces <= 0 or len(words) < 8:
            return words
        out = []
        for i, ch in enumerate(words):
            out.append(ch)
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if nxt and _kana_kanji(ch) and _kana_kanji(nxt) and self.rng.random() < self.label_spaces:
                out.append(self.rng.choice([" ", "　"]))
        return "".join(out)

    def label(self, lab: Label, *, numbering: bool = True) -> str:
        """The label as this layout prints it: numbering, words, marks."""
        if lab.instance is not None:
            return self.instance_text(*lab.instance)
        words = self.spaced(lab.words)
        marks = []
        for m in lab.marks:
            if m == "※":
                if self.mark:
                    marks.append(self.mark)
            elif self.gov_only:
                marks.append(self.gov_only)
        body = words + "".join(marks)
        if not numbering:
            return body
        if lab.roman:
            return self.roman_text(lab.roman) + self.roman_sep + body
        if lab.attach is not None:
            return self.attach_text(lab.attach) + body
        if lab.item is not None:
            return self.item_text(lab.item) + body
        if lab.circled:
            return self.circled_text(lab.circled) + body
        if lab.risk is not None:
            return self.risk_text(lab.risk) + body
        return body

    # ------------------------------------------------------------------ values
    def value_lines(self, node: Node) -> list[str]:
        """A field's value as lines of text (choices, check boxes and free text)."""
        if node.is_choice:
            return self._choice(node)
        if node.is_boxes:
            return self._boxes(node)
        if node.value is None:
            return []
        return self.text_lines(node.value)

    def text_lines(self, value: str) -> list[str]:
        if value.strip() == "－":
            return [self.dash]
        value = self._reference(value)
        lines = value.split("\n")
        if self.full_width_values and len(value) <= 20:
            lines = [full_digits(x) for x in lines]
        return lines

    def _reference(self, value: str) -> str:
        """「2.③対象となる本人の範囲」と同じ written as drafters do: Ⅱ 2. ③対象となる本人の範囲と同じ。…"""
        m = re.match(r"^「(\d)\.([①-⑩])(.+?)」と同じ。?$", value.strip())
        if m is None or self.refs == "keep":
            return value
        item, circ, words = m.groups()
        if self.refs == "roman":
            return f"{self.roman_text('Ⅱ')} {item}. {circ}{words}と同じ。"
        if self.refs == "full":
            return f"{self.roman_text('Ⅱ')}{full_digits(item)}．{circ} {words}と同じ"
        return f"{item}.{circ}{words}と同じ。"

    def _legend(self, options: list[str]) -> list[str]:
        items = [f"{i}) {o}" for i, o in enumerate(options, start=1)]
        if self.legend == "none":
            return []
        if self.legend == "same_line":
            return [self.legend_mark + " " + " ".join(items)]
        if self.legend == "next_line":
            return [self.legend_mark, " ".join(items)]
        # wrapped: the legend broken over lines at a fixed width, as a narrow cell wraps it (mid-word too)
        text = self.legend_mark + " " + " ".join(items)
        width = self.rng.choice([18, 24, 31])
        return [text[i: i + width] for i in range(0, len(text), width)]

    def _choice(self, node: Node) -> list[str]:
        options = node.flat_options()
        chosen = node.choice or ""
        count = self.count.format(n=node.count) if node.count is not None else ""
        style = self.choice
        if style.startswith("boxes") and chosen and chosen not in options:
            style = "bracket"  # a value that is no option (a placeholder) is written in the bracket
        if style == "boxes_o":
            line = "　".join(("[○] " if o == chosen else "[ ] ") + o for o in options)
            return [line + (" " + count if count else "")]
        if style == "boxes_sq":
            line = " ".join(("■" if o == chosen else "□") + o for o in options)
            return [line + (" " + count if count else "")]
        if style == "lenticular":
            head = f"【 {chosen} 】" if chosen else "【　　】"
        elif style == "bare" and chosen:
            head = chosen
        else:
            head = f"[ {chosen} ]" if chosen else "[ ]"
        legend = self._legend(options)
        if style == "bare" and not legend:
            legend = self._legend_forced(options)
        if not legend:
            return [head + (" " + count if count else "")]
        if self.legend == "same_line":
            return [head + "　" + legend[0] + (" " + count if count else "")]
        return [head, *legend[:-1], legend[-1] + (" " + count if count else "")]

    def _legend_forced(self, options: list[str]) -> list[str]:
        return [self.legend_mark + " " + " ".join(f"{i}) {o}" for i, o in enumerate(options, start=1))]

    def _box(self, ticked: bool, name: str) -> str:
        if self.boxes == "squares":
            return ("■" if ticked else "□") + name
        if self.boxes == "ballot":
            return ("☑ " if ticked else "☐ ") + name
        return ("[○] " if ticked else "[ ] ") + name

    def _boxes(self, node: Node) -> list[str]:
        ticked = set(node.ticked or [])
        groups = node.options if isinstance(node.options, dict) else {"": node.options or []}
        lines: list[str] = []
        for title, options in groups.items():
            boxes = []
            for o in options:
                name = o
                if o in node.details:
                    name += f"（ {node.details[o]} ）"
                if o in node.counts:
                    name += " " + self.count.format(n=node.counts[o])
                boxes.append(self._box(o in ticked, name))
            if self.boxes == "o_lines" or self.boxes == "squares":
                if title:
                    lines.append("・" + title)
                lines.extend(boxes)
            else:
                lines.append(("・" + title + "　" if title else "") + "　".join(boxes))
        return lines


def _kana_kanji(ch: str) -> bool:
    o = ord(ch)
    return 0x3041 <= o <= 0x30FA or 0x4E00 <= o <= 0x9FFF
