"""The findings written into the drafter's own file: `pia check DRAFT.docx --annotate OUT.docx` (and .xlsx).

OUT is a copy of the drafter's file with one comment per flagged checkpoint at the field it is about:
- Word: a real comment (word/comments.xml), anchored with commentRangeStart/End around the runs of the field's value
  (its table cell or paragraphs), or of its label when the value is empty;
- Excel: a cell note on the value's cell (the label's cell when the value is empty; when two checkpoints point at one
  cell, the next free cell of the row, as a cell holds one note).
Each comment opens with 【細目N】 or 【観点(N)】, then the status, the reasons and the 修正例 where the check has one.
A checkpoint whose field is not in the file at all (a missing item or section) is anchored on the field just before
the place the form gives it, and says so.

The draft is read, never written: OUT must be another path. Its text stays in memory; nothing is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.catalog import Catalog, load_catalog
from bot.errors import InputFileError
from bot.form import load_form
from bot.models import ANNOTATABLE_FORMATS, FLAG_STATUSES, CheckReport, CheckResult, DraftField
from bot.resources import knowledge_yaml
from bot.text import compact, normalize

ANNOTATABLE = ANNOTATABLE_FORMATS
AUTHOR, INITIALS = "pia-assistant", "PIA"


def wording() -> dict:
    return knowledge_yaml("check_messages.yaml")["annotate"]


def status_label(status: str) -> str:
    return knowledge_yaml("check_messages.yaml")["status_labels"][status]


@dataclass
class Placement:
    """Where one flagged checkpoint's comment goes: a field (index into the draft's fields) and its value or label."""

    checkpoint: str
    field_index: int | None
    on: str  # "value" | "label"
    exact: bool  # False: the checkpoint's own field is not in the file; anchored on the field before its place
    text: str = ""


@dataclass
class AnnotationResult:
    path: Path
    comments: list[Placement] = field(default_factory=list)


# --------------------------------------------------------------------------- entry point


def annotate(report: CheckReport, draft: Path, output: Path) -> AnnotationResult:
    """Write OUT: a copy of `draft` with one comment per flagged checkpoint of `report` (see module doc)."""
    from bot.draft import locate_draft

    draft, output = Path(draft), Path(output)
    w = wording()
    fmt = draft.suffix.lower().lstrip(".")
    if fmt not in ANNOTATABLE:
        raise InputFileError(w["wrong_format"].format(name=draft.name, fmt=fmt or "拡張子なし"))
    if output.suffix.lower().lstrip(".") != fmt:
        raise InputFileError(w["wrong_output"].format(output=output.name, ext=f".{fmt}"))
    if output.exists() and output.resolve() == draft.resolve():
        raise InputFileError(w["same_file"].format(name=draft.name))
    located = locate_draft(draft)
    if located.format != fmt:
        raise InputFileError(w["wrong_format"].format(name=draft.name, fmt=located.format))
    placements = place_comments(report, located.fields)
    for p in placements:
        p.text = comment_text(report, p)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt == "docx":
            _write_docx(draft, output, located, placements)
        else:
            _write_xlsx(draft, output, located, placements)
    except OSError as e:
        raise InputFileError(w["cannot_write"].format(output=output, why=e.strerror or type(e).__name__)) from None
    return AnnotationResult(path=output, comments=placements)


# --------------------------------------------------------------------------- which field each flag goes to


def _flagged(report: CheckReport) -> list[CheckResult]:
    return [r for r in report.checkpoints if r.status in FLAG_STATUSES]


def _evidence_field(res: CheckResult, fields: list[DraftField]) -> int | None:
    """The field a result's evidence quotes (evidence carries the label, an excerpt of the value and the page)."""
    for ev in res.evidence:
        head = compact(normalize(ev.text.rstrip("…")))[:30]
        empty = ev.text.strip() in ("（空欄）", "(空欄)", "")
        for i, f in enumerate(fields):
            if not (ev.label == f.label or ev.label.endswith(" " + f.label)):
                continue
            if ev.page is not None and f.page is not None and ev.page != f.page:
                continue
            value = compact(normalize(f.value or f.choice or "、".join(f.checks)))
            if (empty and not value) or (head and value.startswith(head)):
                return i
    return None


def place_comments(report: CheckReport, fields: list[DraftField]) -> list[Placement]:
    """One placement per flagged checkpoint, in the report's order."""
    form = load_form()
    order = {spec.id: n for n, spec in enumerate(form)}
    out: list[Placement] = []
    for res in _flagged(report):
        i = _evidence_field(res, fields)
        exact = i is not None
        if i is None:
            ids = {s.id for s in form.for_checkpoint(res.id)}
            i = next((n for n, f in enumerate(fields) if f.field_id in ids), None)
            exact = i is not None
        if i is None:
            i = _field_before(res.id, fields, form, order)
        on = "value" if i is not None and _has_value(fields[i]) else "label"
        out.append(Placement(checkpoint=res.id, field_index=i, on=on, exact=exact))
    return out


def _has_value(f: DraftField) -> bool:
    return bool((f.value or f.choice or "").strip() or f.checks)


def _field_before(cid: str, fields: list[DraftField], form, order: dict[str, int]) -> int | None:
    """The field just before where the form puts the checkpoint's own fields (which the file does not have)."""
    specs = form.for_checkpoint(cid)
    if not specs:
        return 0 if fields else None
    target = min(order[s.id] for s in specs)
    best = None
    for n, f in enumerate(fields):
        fo = order.get(f.field_id or "")
        if fo is not None and fo < target:
            best = n
    return best if best is not None else (0 if fields else None)


# --------------------------------------------------------------------------- comment text


def checkpoint_tag(cid: str) -> str:
    w = wording()
    return w["tag_viewpoint"].format(n=cid[1:]) if cid.startswith("V") else w["tag_checkpoint"].format(n=cid)


def comment_text(report: CheckReport, p: Placement, catalog: Catalog | None = None) -> str:
    catalog = catalog or load_catalog()
    w = wording()
    res = next(r for r in report.checkpoints if r.id == p.checkpoint)
    lines = [w["head"].format(tag=checkpoint_tag(res.id), status=status_label(res.status),
                              title=catalog.title(res.id), section=res.section or catalog.section(res.id))]
    lines += [w["reason"].format(message=r.message) for r in res.reasons]
    if res.suggestion:
        lines.append(w["suggestion"].format(text=res.suggestion))
    if not p.exact:
        lines.append(w["not_found"])
    lines.append(w["footer"])
    return "\n".join(lines)


# --------------------------------------------------------------------------- Word


def _runs_of(el) -> list:
    """The w:r elements of a paragraph or cell that carry text (not those of text boxes or fallbacks)."""
    from bot.draft.origins import MC_FALLBACK, W_R, W_T, W_TXBX

    out = []
    for r in el.iter(W_R):
        anc = r.getparent()
        skip = False
        while anc is not None and anc is not el:
            if anc.tag in (MC_FALLBACK, W_TXBX):
                skip = True
                break
            anc = anc.getparent()
        if not skip and r.find(W_T) is not None:
            out.append(r)
    return out


def _anchor_elements(placement: Placement, located, units, mapping) -> list:
    """The elements (w:p / w:tc, or Excel cells) holding the placement's value (or label), in order, distinct."""
    span = located.spans[placement.field_index]
    segs = span.value if placement.on == "value" and span.value else span.label
    out: list = []
    for s in segs:
        u = mapping[s] if s < len(mapping) else None
        if u is None:
            continue
        el = units[u].element
        if not any(el is x or el == x for x in out):
            out.append(el)
    if not out and span.label:  # the value could not be placed: fall back on the label
        for s in span.label:
            u = mapping[s]
            if u is not None:
                out.append(units[u].element)
                break
    return out


def _write_docx(draft: Path, output: Path, located, placements: list[Placement]) -> None:
    import docx
    from docx.text.run import Run

    from bot.draft.origins import align, docx_units

    document = docx.Document(str(draft))
    units = docx_units(document.element.body)
    mapping = align(located.segments, units)
    first_runs = _runs_of(document.element.body)
    for p in placements:
        elements = _anchor_elements(p, located, units, mapping) if p.field_index is not None else []
        runs = _range_runs(elements)
        if not runs:
            runs = first_runs[:1]
        if not runs:
            continue
        document.add_comment([Run(runs[0], document), Run(runs[-1], document)], text=p.text, author=AUTHOR,
                             initials=INITIALS)
    document.save(str(output))


def _range_runs(elements: list) -> list:
    """The first and last text run of a range over the elements: one cell, or paragraphs of one container."""
    if not elements:
        return []
    first = elements[0]
    same = [e for e in elements if e.getparent() is first.getparent()]
    runs = [r for e in same for r in _runs_of(e)]
    if not runs:
        runs = _runs_of(first)
    return [runs[0], runs[-1]] if runs else []


# --------------------------------------------------------------------------- Excel


def _write_xlsx(draft: Path, output: Path, located, placements: list[Placement]) -> None:
    import openpyxl
    from openpyxl.comments import Comment

    from bot.draft.origins import align, xlsx_units

    values = openpyxl.load_workbook(str(draft), data_only=True)
    units = xlsx_units(values)
    values.close()
    mapping = align(located.segments, units)
    wb = openpyxl.load_workbook(str(draft))
    used: set[tuple[str, int, int]] = set()
    for p in placements:
        cells = _anchor_elements(p, located, units, mapping) if p.field_index is not None else []
        if not cells and units:
            cells = [units[0].element]
        if not cells:
            continue
        sheet, row, col = _free_cell(wb, cells, located, p, units, mapping, used)
        used.add((sheet, row, col))
        note = Comment(p.text, AUTHOR)
        note.width, note.height = 420, max(120, 18 * (p.text.count("\n") + 2) + len(p.text) // 2)
        wb[sheet].cell(row=row, column=col).comment = note
    wb.save(str(output))
    wb.close()


def _free_cell(wb, cells, located, p: Placement, units, mapping, used) -> tuple[str, int, int]:
    """The first of the anchor cells without a note yet; else the label's cell; else the next free cell of the row."""
    candidates = list(cells)
    if p.field_index is not None:
        candidates += [units[mapping[s]].element for s in located.spans[p.field_index].label
                       if mapping[s] is not None]
    for c in candidates:
        if tuple(c) not in used and wb[c[0]].cell(row=c[1], column=c[2]).comment is None:
            return c
    sheet, row, col = candidates[0]
    col += 1
    while (sheet, row, col) in used or wb[sheet].cell(row=row, column=col).comment is not None:
        col += 1
    return sheet, row, col
