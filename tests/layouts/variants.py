"""The variant renderings of every sample: kinds of real-world layout, drawn from a seeded generator.

`all_variants()` is the whole set (≥ 200, reproducible from SEED); `fast_variants()` the subset run by default. Each
variant is (kind, sample, format, seed); `render(variant, folder)` writes the file. A kind fixes the layout feature
it is about and leaves everything else as in the reference notation, except `mixed`, which draws every feature at
random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from layouts.docx_writer import DocxLayout, render_docx
from layouts.pdf_writer import PdfLayout, render_pdf
from layouts.rows import rows_of
from layouts.source import load, sample_names
from layouts.style import Style
from layouts.text_writer import TextLayout, render_text
from layouts.xlsx_writer import XlsxLayout, render_xlsx

SEED = 20261202
PER_KIND_AND_SAMPLE = 4

# kind -> (what it is about, the formats it is rendered to)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "word_template": ("見出しの後に同じラベルを1行目に持つ表（Wordの様式）、結合セル", ("docx", "txt")),
    "excel_print": ("Excelの印刷PDF: ラベルと値が同じ行、列幅で折り返すラベル", ("pdf",)),
    "excel_sheet": ("Excelの様式: 番号・ラベル・値の列、結合セル、1シートまたは節ごとのシート", ("xlsx",)),
    "copy_paste": ("コピー&ペーストしたテキスト: ラベル：値、タブ区切り、空行", ("txt",)),
    "page_noise": ("ページ番号・柱がブロックや値の途中に入る", ("txt", "pdf", "docx")),
    "numbering": ("番号の書き方（①/(1)/1.）、全角・半角、ローマ数字、ラベル内の空白", ("txt", "docx", "xlsx", "pdf")),
    "cross_refs": ("値の先頭の節番号の参照（Ⅱ 2. ③対象となる本人の範囲と同じ。）", ("txt", "docx", "pdf", "xlsx")),
    "tables_paragraphs": ("表と段落、結合セル", ("docx",)),
    "legends": ("選択肢の凡例の折返し、チェックボックスの書き方、※の書き方", ("txt", "docx", "xlsx", "pdf")),
    "dashes": ("「－」の回答（全ての形式）", ("txt", "docx", "xlsx", "pdf")),
    "mixed": ("全ての特徴を無作為に組み合わせたもの", ("txt", "docx", "xlsx", "pdf")),
}


@dataclass(frozen=True)
class Variant:
    kind: str
    sample: str
    fmt: str
    seed: int

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.sample.removeprefix('sample_')}-{self.fmt}-{self.seed % 100000}"


def all_variants(seed: int = SEED, per_kind_and_sample: int = PER_KIND_AND_SAMPLE) -> list[Variant]:
    rng = random.Random(seed)
    out = []
    samples = sample_names()
    for kind, (_, formats) in KINDS.items():
        n = 0
        for sample in samples:
            for _ in range(per_kind_and_sample):
                out.append(Variant(kind, sample, formats[n % len(formats)], rng.randrange(1 << 30)))
                n += 1
    return out


def fast_variants(seed: int = SEED) -> list[Variant]:
    """One variant of each kind, the samples taken in turn (every sample appears), for the default test run."""
    out = []
    samples = sample_names()
    for i, kind in enumerate(KINDS):
        mine = [v for v in all_variants(seed) if v.kind == kind]
        want = samples[i % len(samples)]
        out.append(next(v for v in mine if v.sample == want))
    return out


# --------------------------------------------------------------------------- layouts of a kind


def _style(kind: str, rng: random.Random) -> Style:
    base = Style(seed=rng.randrange(1 << 30))
    base.rng = random.Random(base.seed)
    if kind == "mixed":
        return Style.draw(rng)
    drawn = Style.draw(rng)
    fields: dict[str, tuple[str, ...]] = {
        "numbering": ("roman", "roman_sep", "item", "circled", "risk", "instance", "attach", "label_spaces"),
        "cross_refs": ("refs",),
        "legends": ("choice", "legend", "legend_mark", "boxes", "count", "mark", "gov_only"),
        "dashes": ("dash",),
    }
    for name in fields.get(kind, ()):
        setattr(base, name, getattr(drawn, name))
    if kind == "numbering":
        base.full_width_values = drawn.full_width_values
    if kind == "cross_refs" and base.refs == "keep":
        base.refs = "roman"
    if kind == "dashes" and base.dash == "－":
        base.dash = rng.choice(["-", "―", "‐"])
    return base


def _text_layout(kind: str, rng: random.Random, header: str) -> TextLayout:
    lay = TextLayout()
    if kind in ("copy_paste", "mixed"):
        lay.field_layout = rng.choice(["colon", "tab", "below", "colon", "spaces"])
        lay.indent = rng.choice(["", "　", "    ", "　　"])
        lay.section_break = rng.choice(["none", "blank", "rule", "\f"])
        lay.blank_lines = rng.choice([0.0, 0.1, 0.3])
    if kind in ("page_noise", "mixed") or (kind == "copy_paste" and rng.random() < 0.5):
        lay.page_marks = rng.choice(["- {n} -", "{n} / {total}", "P.{n}", "{n}ページ", "－ {n} －"])
        lay.page_lines = rng.choice([(12, 30), (25, 45)])
        lay.running_header = header if rng.random() < 0.7 else None
        if kind == "page_noise":
            lay.section_break = rng.choice(["none", "\f"])
    if kind == "word_template":
        lay.repeat_heading = True
        lay.numbered_item_as_heading = True
    if kind == "mixed":
        lay.repeat_heading = rng.random() < 0.5
        lay.numbered_item_as_heading = lay.repeat_heading or rng.random() < 0.3
    return lay


def _docx_layout(kind: str, rng: random.Random, header: str) -> DocxLayout:
    lay = DocxLayout(structure="section_tables", repeat_heading=False, merge_groups=False)
    if kind in ("word_template", "mixed"):
        lay.structure = "heading_tables"
        lay.repeat_heading = True
        lay.merge_groups = rng.random() < 0.7
    if kind in ("tables_paragraphs", "word_template"):
        lay.header_row = rng.random() < 0.5
    if kind == "tables_paragraphs":
        lay.structure = rng.choice(["paragraphs", "mixed", "section_tables", "heading_tables"])
        lay.merge_groups = True
        lay.repeat_heading = rng.random() < 0.5
        lay.value_paragraphs = rng.random() < 0.7
    if kind in ("page_noise", "mixed"):
        lay.page_breaks = rng.choice([0.1, 0.25])
        lay.page_number_paragraphs = rng.random() < 0.6
        lay.running_header = header if lay.page_number_paragraphs and rng.random() < 0.5 else None
        lay.section_page_break = rng.random() < 0.6
    if kind == "mixed":
        lay.structure = rng.choice(["heading_tables", "section_tables", "paragraphs", "mixed"])
    return lay


def _xlsx_layout(kind: str, rng: random.Random) -> XlsxLayout:
    lay = XlsxLayout()
    if kind in ("excel_sheet", "mixed"):
        lay.sheets = rng.choice(["per_section", "single"])
        lay.columns = rng.choice(["label_value", "number_label_value", "group_label_value"])
        lay.header_row = rng.random() < 0.5
        lay.title_row = rng.random() < 0.7
        lay.line_breaks = rng.random() < 0.7
    return lay


def _pdf_layout(kind: str, rng: random.Random, header: str) -> PdfLayout:
    lay = PdfLayout(header=header)
    if kind in ("excel_print", "mixed"):
        lay.mode = "table"
        lay.label_width = rng.choice([45.0, 60.0, 75.0])
        lay.size = rng.choice([8.0, 9.0, 10.0])
        lay.header = header if rng.random() < 0.6 else None
        lay.footer = rng.choice(["- {n} -", "{n} / {total}", "{n}", "P.{n}"])
    if kind in ("page_noise", "mixed"):
        lay.mode = rng.choice(["table", "table", "stacked"])
        lay.page_breaks = rng.choice([0.15, 0.3])
        lay.section_new_page = rng.random() < 0.5
        lay.footer = rng.choice(["- {n} -", "{n} / {total}", "{n}", "P.{n}", "{n}ページ"])
    if kind == "mixed":
        lay.mode = rng.choice(["table", "stacked"])
    return lay


def render(v: Variant, folder: Path) -> Path:
    draft = load(v.sample)
    rng = random.Random(v.seed)
    style = _style(v.kind, rng)
    if v.fmt == "pdf" and style.boxes == "ballot":
        style.boxes = "squares"  # the PDF font (IPAex Gothic) has no ☑/☐ glyphs: they would print as nothing
    rows = rows_of(draft, style)
    path = Path(folder) / f"{v.id}.{v.fmt}"
    if v.fmt == "txt":
        path.write_text(render_text(rows, _text_layout(v.kind, rng, draft.header), rng), encoding="utf-8")
        return path
    if v.fmt == "docx":
        return render_docx(rows, _docx_layout(v.kind, rng, draft.header), rng, path)
    if v.fmt == "xlsx":
        return render_xlsx(rows, _xlsx_layout(v.kind, rng), rng, path)
    if v.fmt == "pdf":
        return render_pdf(rows, _pdf_layout(v.kind, rng, draft.header), rng, path)
    raise ValueError(v.fmt)
