"""Render the sample drafts (examples/src/<name>.yaml) to .docx, .pdf, .xlsx, .txt and .md.

    python examples/build.py                  # every source, every format, into examples/
    python examples/build.py --out /tmp/x     # somewhere else
    python examples/build.py sample_complete --format pdf
    python examples/build.py --large          # also examples/large_60p.pdf (checker benchmark)

A source is a list of nodes in form order (see examples/README.md):
  h1 section heading (new page) · h2 item heading · h3 group heading · g group label without value ·
  f field: `v` text | `c` choice (+ `o` options, `n` count) | `x` ticked boxes (+ `o`, `d` details, `counts`) ·
  p free paragraph. Options are named in examples/src/options.yaml.

Each format writes the form's labels with its own everyday variant, so that readers are tested on all of them:
docx `①事務の名称`, [○]/[ ] · pdf `① 事務の名称`, ■/□, page header and `- n -` footer ·
xlsx ASCII roman numerals (`III`), one sheet per section · txt full-width digits (`１．`, `リスク１`), a form feed
per section · md pipe tables, ☑/☐.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
FORMATS = ("docx", "pdf", "xlsx", "txt", "md")
FONT_PATH = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
FIXED_DATE = datetime(2025, 10, 1, 9, 0, 0, tzinfo=UTC)  # reproducible file metadata

ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"
ASCII_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")

CHOICE_HEAD = "<選択肢>"
COUNT_FMT = "（ {n} ）件"


class FontMissingError(RuntimeError):
    pass


# --------------------------------------------------------------------------- source model


@dataclass
class Node:
    kind: str  # h1 h2 h3 g f p
    text: str = ""  # heading text or field label
    value: str | None = None
    choice: str | None = None
    options: list[str] | dict[str, list[str]] | None = None
    checked: list[str] | None = None
    details: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    count: int | None = None
    cover: bool = False


@dataclass
class Draft:
    name: str
    meta: dict
    nodes: list[Node]


def _yaml(path: Path):
    """Safe YAML, through libyaml when PyYAML has it (the same documents, several times faster)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_options() -> dict:
    return _yaml(SRC / "options.yaml")


def load_source(path: Path) -> Draft:
    data = _yaml(path)
    options = load_options()
    nodes = []
    for i, raw in enumerate(data["body"]):
        kinds = [k for k in ("h1", "h2", "h3", "g", "f", "p") if k in raw]
        if len(kinds) != 1:
            raise ValueError(f"{path.name}: node {i} must have exactly one of h1/h2/h3/g/f/p: {raw}")
        kind = kinds[0]
        opts = raw.get("o")
        if isinstance(opts, str):
            if opts not in options:
                raise ValueError(f"{path.name}: node {i}: unknown option set {opts!r}")
            opts = options[opts]
        node = Node(
            kind=kind,
            text=str(raw[kind]),
            value=None if raw.get("v") is None else str(raw["v"]),
            choice=None if "c" not in raw else str(raw["c"] or ""),
            options=opts,
            checked=None if "x" not in raw else list(raw["x"] or []),
            details=dict(raw.get("d") or {}),
            counts=dict(raw.get("counts") or {}),
            count=raw.get("n"),
            cover=bool(raw.get("cover")),
        )
        _validate(node, path.name, i)
        nodes.append(node)
    return Draft(name=data["meta"]["name"], meta=data["meta"], nodes=nodes)


def _validate(node: Node, name: str, i: int) -> None:
    flat = _flat_options(node.options)
    if node.choice and flat and node.choice not in flat:
        raise ValueError(f"{name}: node {i} ({node.text}): choice {node.choice!r} is not one of {flat}")
    for c in node.checked or []:
        if c not in flat:
            raise ValueError(f"{name}: node {i} ({node.text}): box {c!r} is not one of {flat}")
    for c in list(node.details) + list(node.counts):
        if c not in flat:
            raise ValueError(f"{name}: node {i} ({node.text}): detail/count for unknown box {c!r}")


def _flat_options(options) -> list[str]:
    if options is None:
        return []
    if isinstance(options, dict):
        return [o for group in options.values() for o in group]
    return list(options)


def all_sources() -> list[Path]:
    return sorted(p for p in SRC.glob("*.yaml") if p.name != "options.yaml" and not p.name.endswith(".expected.yaml"))


# --------------------------------------------------------------------------- label variants


@dataclass(frozen=True)
class Style:
    box_on: str = "[○]"
    box_off: str = "[ ]"
    box_sep: str = " "
    circled_space: bool = False
    ascii_roman: bool = False
    fullwidth_digits: bool = False


STYLES = {
    "docx": Style(),
    "pdf": Style(box_on="■", box_off="□", box_sep="", circled_space=True),
    "xlsx": Style(ascii_roman=True),
    "txt": Style(fullwidth_digits=True),
    "md": Style(box_on="☑", box_off="☐"),
}


def label(text: str, style: Style) -> str:
    """The form's label as this format writes it."""
    out = text
    if style.circled_space:
        out = re.sub(f"^([{CIRCLED}])\\s*", r"\1 ", out)
    if style.ascii_roman:
        out = re.sub(f"^([{ROMAN}])(?=\\s)", lambda m: ASCII_ROMAN[ROMAN.index(m.group(1))], out)
    if style.fullwidth_digits:
        out = out.translate(FULLWIDTH)
    return out


def choice_lines(node: Node, *, stacked: bool = False) -> list[str]:
    """`[ 十分である ]`, `<選択肢>`, `1) … 2) …` (the bracket holds the chosen option); stacked: one option a line."""
    chosen = node.choice or ""
    first = f"[ {chosen} ]" if chosen else "[ ]"
    opts = [f"{i}) {o}" for i, o in enumerate(_flat_options(node.options), start=1)]
    count = [COUNT_FMT.format(n=node.count)] if node.count is not None else []
    if stacked:
        return [first + ("　" + count[0] if count else ""), CHOICE_HEAD, *opts]
    return [first, CHOICE_HEAD, " ".join(opts + count)]


def box_items(node: Node, style: Style) -> list[str]:
    """One string per check box, e.g. `[○] 庁内連携システム` / `■その他（ eLTAX ）` / `☑ 提供を行っている （ 1 ）件`."""
    checked = set(node.checked or [])
    items = []
    for opt in _flat_options(node.options):
        mark = style.box_on if opt in checked else style.box_off
        text = f"{mark}{style.box_sep}{opt}"
        if opt in node.details:
            text += f"（ {node.details[opt]} ）"
        if opt in node.counts:
            text += " " + COUNT_FMT.format(n=node.counts[opt])
        items.append(text)
    return items


def box_lines(node: Node, style: Style, *, one_per_line: bool) -> list[str]:
    """Check boxes as lines; grouped lists (主な記録項目) get one line (or block) per group."""
    if isinstance(node.options, dict):
        lines = []
        all_items = iter(box_items(node, style))
        for group, opts in node.options.items():
            items = [next(all_items) for _ in opts]
            if one_per_line:
                lines.append(f"・{group}")
                lines.extend(items)
            else:
                lines.append(f"・{group}　" + "　".join(items))
        return lines
    items = box_items(node, style)
    return items if one_per_line else ["　".join(items)]


def value_lines(node: Node, style: Style, *, one_box_per_line: bool = False) -> list[str]:
    """The value cell of a field as lines of text (one_box_per_line: boxes and choice options stacked)."""
    lines: list[str] = []
    if node.choice is not None:
        lines.extend(choice_lines(node, stacked=one_box_per_line))
    if node.checked is not None:
        lines.extend(box_lines(node, style, one_per_line=one_box_per_line))
    if node.value is not None:
        lines.extend(node.value.split("\n") if node.value else ([] if lines else [""]))
    return lines


def para_text(node: Node, style: Style) -> str:
    """A free paragraph: lines that start like a heading (a table of contents) follow the format's label style."""
    return "\n".join(label(line, style) for line in node.text.split("\n"))


def heading_text(node: Node, style: Style) -> str:
    text = label(node.text, style)
    if node.checked is not None:
        text += "　" + "　".join(box_items(node, style))
    return text


def sections(draft: Draft) -> list[list[Node]]:
    """Nodes grouped by h1 (each group starts with its h1)."""
    groups: list[list[Node]] = []
    for n in draft.nodes:
        if n.kind == "h1" or not groups:
            groups.append([])
        groups[-1].append(n)
    return groups


def sheet_title(h1: Node, style: Style, used: set[str]) -> str:
    if h1.cover:
        base = "表紙"
    else:
        m = re.match(f"^([{ROMAN}])", h1.text)
        if m:
            base = label(m.group(1) + " ", style).strip()
        else:
            m = re.search(r"別添\d", h1.text)
            base = m.group(0) if m else h1.text[:20]
    title, k = base, 2
    while title in used:
        title = f"{base}({k})"
        k += 1
    used.add(title)
    return title


# --------------------------------------------------------------------------- DOCX


def render_docx(draft: Draft, out: Path) -> Path:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    style = STYLES["docx"]
    d = docx.Document()
    d.core_properties.created = FIXED_DATE.replace(tzinfo=None)
    d.core_properties.modified = FIXED_DATE.replace(tzinfo=None)
    d.core_properties.author = draft.meta.get("body", "")
    d.core_properties.title = draft.meta.get("header", "")
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(1.8)
    sec.top_margin = sec.bottom_margin = Cm(1.8)
    normal = d.styles["Normal"]
    normal.font.size = Pt(9.5)
    normal.font.name = "IPAexGothic"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "IPAexGothic")
    normal.paragraph_format.space_after = Pt(0)

    header = sec.header.paragraphs[0]
    header.text = draft.meta.get("header", "")
    footer = sec.footer.paragraphs[0]
    footer.alignment = 1
    footer.add_run("- ")
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    footer._p.append(fld)
    footer.add_run(" -")

    def shade(cell, color: str) -> None:
        tcpr = cell._tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), color)
        tcpr.append(shd)

    def set_lines(cell, lines: list[str]) -> None:
        cell.text = lines[0] if lines else ""
        for line in lines[1:]:
            cell.add_paragraph(line)

    first = True
    for group in sections(draft):
        h1 = group[0]
        if not first:
            d.add_page_break()
        first = False
        if h1.cover:
            p = d.add_paragraph()
            run = p.add_run(h1.text)
            run.font.size = Pt(16)
            p.alignment = 1
        else:
            hp = d.add_heading(label(h1.text, style), level=1)
            for run in hp.runs:
                run.font.color.rgb = RGBColor(0, 0, 0)
        table = None
        for node in group[1:]:
            if node.kind == "p" and table is None:
                for line in para_text(node, style).split("\n"):
                    d.add_paragraph(line)
                continue
            if table is None:
                table = d.add_table(rows=0, cols=2)
                table.style = "Table Grid"
                table.autofit = False
            row = table.add_row()
            row.cells[0].width, row.cells[1].width = Cm(5.6), Cm(11.8)
            if node.kind in ("h2", "h3", "g", "p"):
                cell = row.cells[0].merge(row.cells[1])
                text = para_text(node, style) if node.kind == "p" else heading_text(node, style)
                set_lines(cell, text.split("\n"))
                if node.kind != "p":
                    shade(cell, "D9E2F3" if node.kind == "h2" else "EDEDED")
            else:
                set_lines(row.cells[0], [label(node.text, style)])
                set_lines(row.cells[1], value_lines(node, style))
                shade(row.cells[0], "F2F2F2")
    out.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(out))
    return out


# --------------------------------------------------------------------------- XLSX


def render_xlsx(draft: Draft, out: Path) -> Path:
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    style = STYLES["xlsx"]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.creator = draft.meta.get("body", "")
    wb.properties.created = FIXED_DATE.replace(tzinfo=None)
    wb.properties.modified = FIXED_DATE.replace(tzinfo=None)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    fills = {"h2": PatternFill("solid", fgColor="D9E2F3"), "h3": PatternFill("solid", fgColor="EDEDED"),
             "g": PatternFill("solid", fgColor="EDEDED"), "label": PatternFill("solid", fgColor="F2F2F2")}  # fmt: skip
    used: set[str] = set()
    for group in sections(draft):
        h1 = group[0]
        ws = wb.create_sheet(sheet_title(h1, style, used))
        ws.column_dimensions["A"].width = 44
        ws.column_dimensions["B"].width = 92
        ws.append([h1.text if h1.cover else label(h1.text, style)])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
        ws.cell(1, 1).font = Font(bold=True, size=13)
        for node in group[1:]:
            r = ws.max_row + 1
            if node.kind in ("h2", "h3", "g", "p"):
                text = para_text(node, style) if node.kind == "p" else heading_text(node, style)
                ws.cell(r, 1, text)
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
                ws.cell(r, 1).alignment = wrap
                if node.kind in fills:
                    ws.cell(r, 1).fill = fills[node.kind]
                if node.kind == "p":
                    ws.row_dimensions[r].height = 15 * (text.count("\n") + 1)
            else:
                lines = value_lines(node, style)
                ws.cell(r, 1, label(node.text, style))
                ws.cell(r, 2, "\n".join(lines) if any(lines) else None)
                ws.cell(r, 1).fill = fills["label"]
                ws.cell(r, 1).alignment = wrap
                ws.cell(r, 2).alignment = wrap
                est = sum(max(1, len(line) // 45 + 1) for line in lines) if lines else 1
                ws.row_dimensions[r].height = max(15, 14 * est)
            for c in (1, 2):
                ws.cell(r, c).border = border
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(out))
    return out


# --------------------------------------------------------------------------- TXT and Markdown


def render_txt(draft: Draft, out: Path) -> Path:
    style = STYLES["txt"]
    chunks = []
    for group in sections(draft):
        h1 = group[0]
        lines = [h1.text if h1.cover else label(h1.text, style), "━" * 30]
        for node in group[1:]:
            if node.kind == "h2":
                lines += ["", heading_text(node, style)]
            elif node.kind == "h3":
                lines += ["◆" + heading_text(node, style)]
            elif node.kind == "g":
                lines += [label(node.text, style)]
            elif node.kind == "p":
                lines += para_text(node, style).split("\n")
            else:
                lines.append(label(node.text, style))
                vals = value_lines(node, style)
                if node.choice is not None:  # a choice on one line, as copied out of the form
                    vals = ["　".join(vals[:2]) + " " + vals[2], *vals[3:]]
                lines += ["　　" + v for v in vals if v]
        chunks.append("\n".join(lines) + "\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\f".join(chunks), encoding="utf-8")
    return out


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render_md(draft: Draft, out: Path) -> Path:
    style = STYLES["md"]
    lines: list[str] = []
    in_table = False

    def close() -> None:
        nonlocal in_table
        if in_table:
            lines.append("")
        in_table = False

    for group in sections(draft):
        h1 = group[0]
        close()
        lines += ["# " + h1.text if h1.cover else "## " + label(h1.text, style), ""]
        for node in group[1:]:
            if node.kind in ("h2", "h3", "g"):
                close()
                level = {"h2": "###", "h3": "####", "g": "#####"}[node.kind]
                lines += [f"{level} {heading_text(node, style)}", ""]
            elif node.kind == "p":
                close()
                lines += [line + "  " for line in para_text(node, style).split("\n")] + [""]
            else:
                if not in_table:
                    lines += ["| 項目 | 記載内容 |", "| --- | --- |"]
                    in_table = True
                vals = value_lines(node, style)
                lines.append(f"| {_md_cell(label(node.text, style))} | {_md_cell(chr(10).join(vals))} |")
    close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return out


# --------------------------------------------------------------------------- PDF


_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/.,:@%()&+']*|.")
_NO_LINE_START = set("、。，．,.）)」』】〕］]・ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ！？!?：；:;％%")


def _require_font() -> str:
    if not FONT_PATH.exists():
        raise FontMissingError(
            f"IPAex Gothic font not found at {FONT_PATH}: install it with `apt-get install -y fonts-ipaexfont-gothic` "
            "(scripts/bootstrap.sh and .ci do) to render PDFs"
        )
    return str(FONT_PATH)


def render_pdf(draft: Draft, out: Path) -> Path:
    from fpdf import FPDF

    font = _require_font()
    style = STYLES["pdf"]
    header_text = draft.meta.get("header", "")

    class DraftPDF(FPDF):
        def header(self):
            self.set_font("ipaexg", size=7.5)
            self.set_text_color(90, 90, 90)
            self.set_xy(15, 8)
            self.cell(180, 5, header_text, align="R")
            self.set_text_color(0, 0, 0)
            self.set_xy(15, 16)

        def footer(self):
            self.set_font("ipaexg", size=9)
            self.set_xy(15, -13)
            self.cell(180, 5, f"- {self.page_no()} -", align="C")

    pdf = DraftPDF(format="A4", unit="mm")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(header_text)
    pdf.set_author(draft.meta.get("body", ""))
    pdf.add_font("ipaexg", fname=font)
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 16, 15)
    size, lh = 10.5, 5.6
    left, label_w, value_w = 15.0, 55.0, 125.0
    bottom = 297 - 18
    pad = 1.2

    def wrap(text: str, width: float) -> list[str]:
        """Japanese line breaking: any character may end a line, ASCII words stay whole, no line starts with
        closing punctuation (it hangs on the line before)."""
        pdf.set_font("ipaexg", size=size)
        room = width - 2 * pad
        out_lines: list[str] = []
        for para in text.split("\n"):
            line, used = "", 0.0
            for tok in _TOKENS.findall(para):
                w = pdf.get_string_width(tok)
                if used + w > room and line:
                    if tok == " ":
                        out_lines.append(line)
                        line, used = "", 0.0
                        continue
                    carry = ""
                    if tok in _NO_LINE_START and len(line) > 1:  # push the last character down with it
                        carry, line = line[-1], line[:-1]
                    out_lines.append(line)
                    line, used = carry, pdf.get_string_width(carry) if carry else 0.0
                if w > room:  # an ASCII run longer than the line: break it anywhere
                    for ch in tok:
                        cw = pdf.get_string_width(ch)
                        if used + cw > room and line:
                            out_lines.append(line)
                            line, used = "", 0.0
                        line += ch
                        used += cw
                    continue
                line += tok
                used += w
            out_lines.append(line)
        return out_lines or [""]

    def need_page(height: float) -> None:
        if pdf.get_y() + height > bottom:
            pdf.add_page()

    def draw_lines(x: float, y: float, width: float, lines: list[str]) -> None:
        for i, line in enumerate(lines):
            pdf.set_xy(x + pad, y + pad / 2 + i * lh)
            pdf.cell(width - 2 * pad, lh, line)

    def span_row(text: str, fill: tuple[int, int, int] | None, font_size: float = size) -> None:
        pdf.set_font("ipaexg", size=font_size)
        lines = wrap(text, label_w + value_w)
        h = len(lines) * lh + pad
        need_page(h)
        y = pdf.get_y()
        if fill:
            pdf.set_fill_color(*fill)
            pdf.rect(left, y, label_w + value_w, h, style="DF")
        else:
            pdf.rect(left, y, label_w + value_w, h)
        pdf.set_font("ipaexg", size=font_size)
        draw_lines(left, y, label_w + value_w, lines)
        pdf.set_y(y + h)

    def field_row(lab: str, vals: list[str]) -> None:
        """Label cell then value cell; a long value runs over the page break (the label stays on the first part)."""
        lab_lines = wrap(lab, label_w)
        val_lines: list[str] = []
        for v in vals or [""]:
            val_lines.extend(wrap(v, value_w))
        first = True
        while first or val_lines:
            room = int((bottom - pdf.get_y() - pad) // lh)
            needed = max(len(lab_lines) if first else 0, len(val_lines))
            if room < min(needed, 3):
                pdf.add_page()
                continue
            take = min(room, max(len(val_lines), 1))
            part_lab = lab_lines if first else []
            if first and len(part_lab) > room:
                part_lab = lab_lines[:room]
            rows = max(take, len(part_lab))
            h = rows * lh + pad
            y = pdf.get_y()
            pdf.set_fill_color(242, 242, 242)
            pdf.rect(left, y, label_w, h, style="DF")
            pdf.rect(left + label_w, y, value_w, h)
            pdf.set_font("ipaexg", size=size)
            draw_lines(left, y, label_w, part_lab)
            draw_lines(left + label_w, y, value_w, val_lines[:take])
            val_lines = val_lines[take:]
            pdf.set_y(y + h)
            first = False
            if val_lines:
                pdf.add_page()

    for group in sections(draft):
        h1 = group[0]
        pdf.add_page()
        if h1.cover:
            pdf.set_font("ipaexg", size=16)
            pdf.set_y(40)
            pdf.cell(180, 10, h1.text, align="C")
            pdf.set_y(60)
        else:
            span_row(label(h1.text, style), (200, 210, 230), font_size=12)
            pdf.set_y(pdf.get_y() + 2)
        for node in group[1:]:
            if node.kind == "h2":
                span_row(heading_text(node, style), (217, 226, 243))
            elif node.kind in ("h3", "g"):
                span_row(heading_text(node, style), (237, 237, 237))
            elif node.kind == "p":
                span_row(para_text(node, style), None)
            else:
                field_row(label(node.text, style), value_lines(node, style, one_box_per_line=True))
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


RENDERERS = {"docx": render_docx, "pdf": render_pdf, "xlsx": render_xlsx, "txt": render_txt, "md": render_md}


def render(draft: Draft, fmt: str, out_dir: Path) -> Path:
    return RENDERERS[fmt](draft, Path(out_dir) / f"{draft.name}.{fmt}")


# --------------------------------------------------------------------------- large benchmark draft


LARGE_NAME = "large_60p"
LARGE_SOURCE = "sample_complete"
LARGE_EXTRA_FILES = ["個人住民税（特別徴収）ファイル"]
LARGE_EXTRA_ENTRUSTMENTS = 6  # more 委託事項 in each file, copies of the first one: brings the PDF to 60 pages


def _entrustment_blocks(nodes: list[Node]) -> tuple[int, list[Node]]:
    """Index after the last 委託事項 block of Ⅱ 4. and the nodes of the first 委託事項 (from `委託事項1` to
    `委託事項2`)."""
    start = next(i for i, n in enumerate(nodes) if n.kind == "f" and n.text == "委託事項1")
    second = next(i for i, n in enumerate(nodes) if n.kind == "f" and n.text == "委託事項2")
    end = next(i for i, n in enumerate(nodes) if i > second and n.kind in ("h1", "h2"))
    return end, nodes[start:second]


def large_draft() -> Draft:
    """The complete sample with Ⅱ and Ⅲ repeated for one more file (the form repeats them per file) and more
    委託事項 in Ⅱ 4. of each file: 60 pages as PDF, for the checker benchmark."""
    base = load_source(SRC / f"{LARGE_SOURCE}.yaml")
    nodes = list(base.nodes)
    end, block = _entrustment_blocks(nodes)
    more: list[Node] = []
    for k in range(LARGE_EXTRA_ENTRUSTMENTS):
        for n in block:
            m = copy.deepcopy(n)
            if m.text == "委託事項1":
                m.text = f"委託事項{3 + k}"
            more.append(m)
    nodes[end:end] = more
    for n in nodes:
        if n.kind == "f" and n.text.startswith("委託の有無"):
            n.count = 2 + LARGE_EXTRA_ENTRUSTMENTS
    groups = sections(Draft(base.name, base.meta, nodes))
    file_groups = [g for g in groups if re.match("^[ⅡⅢ] ", g[0].text)]
    original = next(n.value for n in nodes if n.kind == "f" and n.text.endswith("特定個人情報ファイル名"))
    extra: list[Node] = []
    for fname in LARGE_EXTRA_FILES:
        for g in file_groups:
            for n in g:
                m = copy.deepcopy(n)
                if m.value:
                    m.value = m.value.replace(original, fname)
                extra.append(m)
    out: list[Node] = []
    for g in groups:
        if extra and g[0].text.startswith("Ⅳ"):
            out.extend(extra)
            extra = []
        out.extend(g)
    for n in out:  # Ⅰ 3. lists every file
        if n.kind == "f" and n.text == "3. 特定個人情報ファイル名":
            n.value = "\n".join([original, *LARGE_EXTRA_FILES])
            break
    return Draft(name=LARGE_NAME, meta=dict(base.meta, name=LARGE_NAME), nodes=out)


# --------------------------------------------------------------------------- CLI


def build(names: list[str] | None = None, formats: tuple[str, ...] = FORMATS, out_dir: Path = HERE,
          large: bool = False) -> list[Path]:  # fmt: skip
    written = []
    for src in all_sources():
        draft = load_source(src)
        if names and draft.name not in names:
            continue
        for fmt in formats:
            written.append(render(draft, fmt, out_dir))
    if large:
        written.append(render_pdf(large_draft(), Path(out_dir) / f"{LARGE_NAME}.pdf"))
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="source names (default: all)")
    ap.add_argument("--format", action="append", choices=FORMATS, help="formats (default: all)")
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--large", action="store_true", help=f"also render {LARGE_NAME}.pdf")
    args = ap.parse_args(argv)
    try:
        paths = build(args.names, tuple(args.format or FORMATS), args.out, args.large)
    except FontMissingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for p in paths:
        print(p, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
