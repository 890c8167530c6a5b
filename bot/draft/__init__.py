"""The draft reader: a draft (.docx .pdf .xlsx .txt .md) -> the form's fields.

`read_draft(path, display_name=None) -> (DraftDocument, list[DraftField])`. The draft's text is never logged and never
indexed; only the fields go back to the caller.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.draft.labels import LabelIndex, key
from bot.draft.lines import segments
from bot.draft.reader import FormReader
from bot.errors import InputFileError, NotAnAssessmentError
from bot.form import load_form
from bot.models import DraftDocument, DraftField
from bot.resources import knowledge_file
from bot.text import japanese_ratio

DRAFT_FORMATS = ("pdf", "docx", "xlsx", "txt", "md")


@lru_cache(maxsize=1)
def messages() -> dict:
    return yaml.safe_load(knowledge_file("check_messages.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _reader() -> FormReader:
    form = load_form()
    return FormReader(form, LabelIndex(form))


def read_text_pages(pages: list[str], fmt: str, name: str = "draft") -> list[DraftField]:
    """The fields of a draft already loaded as pages of text (raises NotAnAssessmentError)."""
    reader = _reader()
    segs = segments(pages, fmt, protected=reader.index.is_label_text)
    fields = reader.read(segs)
    _check_is_assessment(pages, reader, name)
    return fields


def read_draft(path: Path | str, display_name: str | None = None) -> tuple[DraftDocument, list[DraftField]]:
    from indexer.loaders import load_document

    path = Path(path)
    name = display_name or path.name
    doc = load_document(path)
    if doc.format not in DRAFT_FORMATS:
        raise InputFileError(messages()["reader"]["unsupported_format"].format(name=name, fmt=doc.format))
    fields = read_text_pages(doc.pages, doc.format, name)
    values = {f.field_id: f.value for f in fields if f.value}
    document = DraftDocument(
        path=display_name or str(path),
        title=values.get("cover_title") or None,
        body=values.get("cover_body") or None,
        pages=len(doc.pages),
        format=doc.format,
    )
    return document, fields


def _check_is_assessment(pages: list[str], reader: FormReader, name: str) -> None:
    conf = messages()["reader"]
    matched = set(reader.matched)
    sections = {reader.form.section_of(s).id for s in matched}
    if len(matched) >= conf["min_labels"] and len(sections) >= conf["min_sections"]:
        return
    text = "\n".join(pages)
    chars = len(key(text))
    if chars < conf["blank_chars"]:
        raise NotAnAssessmentError(conf["blank"].format(name=name, chars=chars))
    ratio = japanese_ratio(text)
    if ratio < conf["english_ratio"]:
        raise NotAnAssessmentError(conf["english"].format(name=name, ratio=round(ratio * 100)))
    compact = key(text)
    if sum(1 for m in conf["review_sheet_markers"] if key(m) in compact) >= 2:
        raise NotAnAssessmentError(conf["review_sheet"].format(name=name))
    if sum(1 for m in conf["minutes_markers"] if key(m) in compact) >= 2:
        raise NotAnAssessmentError(conf["minutes"].format(name=name))
    raise NotAnAssessmentError(conf["not_assessment"].format(name=name, found=len(matched)))
