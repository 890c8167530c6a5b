"""The draft reader: a draft (.docx .pdf .xlsx .txt .md) -> the form's fields.

`read_draft(path, display_name=None) -> (DraftDocument, list[DraftField])`; `read_draft_reading` gives the
whole reading (fields, segments, spans) so that the checker can look again for a label before calling a field
missing. The draft's text is never logged and never
indexed; only the fields go back to the caller.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeGuard

from bot.draft.labels import LabelIndex, key
from bot.draft.lines import Segment, segments
from bot.draft.reader import DraftReading, FieldSpan, FormReader, Relocation
from bot.errors import InputFileError, NotAnAssessmentError
from bot.form import load_form
from bot.models import DraftDocument, DraftField, DraftFormat
from bot.resources import knowledge_yaml
from bot.text import japanese_ratio

DRAFT_FORMATS = ("pdf", "docx", "xlsx", "txt", "md")
_READ_LOCK = threading.Lock()


def _is_draft_format(fmt: str) -> TypeGuard[DraftFormat]:
    return fmt in DRAFT_FORMATS


@lru_cache(maxsize=1)
def messages() -> dict:
    return knowledge_yaml("check_messages.yaml")


@lru_cache(maxsize=1)
def _reader() -> FormReader:
    form = load_form()
    return FormReader(form, LabelIndex(form))


def read_text_pages(pages: list[str], fmt: str, name: str = "draft") -> list[DraftField]:
    """The fields of a draft already loaded as pages of text (raises NotAnAssessmentError)."""
    return read_text_reading(pages, fmt, name).fields


def read_text_reading(pages: list[str], fmt: str, name: str = "draft") -> DraftReading:
    """The reading of a draft already loaded as pages of text: its fields, and what looking again needs."""
    reader = _reader()
    segs = segments(pages, fmt, protected=reader.index.is_label_text)
    with _READ_LOCK:  # the reader keeps its working state on itself while it reads
        reader.read(segs, wrapped=fmt == "pdf")
        reading = reader.last
        _check_is_assessment(pages, reader, name)
    assert reading is not None
    return reading


def relocate(reading: DraftReading, spec_id: str, path: list[str], lo: int, hi: int,
             exclude: set[int] | None = None) -> Relocation | None:
    """Look again for a field's label the reading did not anchor (see FormReader.relocate)."""
    return _reader().relocate(reading, spec_id, path, lo, hi, exclude)


@dataclass
class LocatedDraft:
    """A draft's fields with where each was read: `spans[i]` are the indexes into `segments` of field i's label and
    value (for writing comments into the drafter's own file, bot/annotate.py). In memory only."""

    format: str
    fields: list[DraftField]
    spans: list[FieldSpan]
    segments: list[Segment]


def locate_draft(path: Path | str) -> LocatedDraft:
    """The fields of a draft (the same ones read_draft gives) with the segments each was read from."""
    from bot.loaders import load_document

    path = Path(path)
    doc = load_document(path)
    if not _is_draft_format(doc.format):
        raise InputFileError(messages()["reader"]["unsupported_format"].format(name=path.name, fmt=doc.format))
    reading = read_text_reading(doc.pages, doc.format, path.name)
    return LocatedDraft(format=doc.format, fields=reading.fields, spans=list(reading.spans), segments=reading.segments)


def read_draft(path: Path | str, display_name: str | None = None) -> tuple[DraftDocument, list[DraftField]]:
    document, reading = read_draft_reading(path, display_name)
    return document, reading.fields


def read_draft_reading(path: Path | str, display_name: str | None = None) -> tuple[DraftDocument, DraftReading]:
    from bot.loaders import load_document

    path = Path(path)
    name = display_name or path.name
    doc = load_document(path)
    if not _is_draft_format(doc.format):
        raise InputFileError(messages()["reader"]["unsupported_format"].format(name=name, fmt=doc.format))
    reading = read_text_reading(doc.pages, doc.format, name)
    values = {f.field_id: f.value for f in reading.fields if f.value}
    document = DraftDocument(
        path=display_name or str(path),
        title=values.get("cover_title") or None,
        body=values.get("cover_body") or None,
        pages=len(doc.pages),
        format=doc.format,
    )
    return document, reading


def _check_is_assessment(pages: list[str], reader: FormReader, name: str) -> None:
    conf = messages()["reader"]
    matched = set(reader.matched)
    sections = {reader.form.section_of(s).id for s in matched}
    text = "\n".join(pages)
    compact = key(text)
    # a review sheet quotes many of the form's places (Ⅲ 2. リスク1 …) but never as many as a draft has fields
    review_sheet = sum(1 for m in conf["review_sheet_markers"] if key(m) in compact) >= 2
    if review_sheet and len(matched) < conf["review_sheet_max_labels"]:
        raise NotAnAssessmentError(conf["review_sheet"].format(name=name))
    if len(matched) >= conf["min_labels"] and len(sections) >= conf["min_sections"]:
        return
    chars = len(key(text))
    if chars < conf["blank_chars"]:
        raise NotAnAssessmentError(conf["blank"].format(name=name, chars=chars))
    ratio = japanese_ratio(text)
    if ratio < conf["english_ratio"]:
        raise NotAnAssessmentError(conf["english"].format(name=name, ratio=round(ratio * 100)))
    if sum(1 for m in conf["minutes_markers"] if key(m) in compact) >= 2:
        raise NotAnAssessmentError(conf["minutes"].format(name=name))
    raise NotAnAssessmentError(conf["not_assessment"].format(name=name, found=len(matched)))
