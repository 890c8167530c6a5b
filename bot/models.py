"""Pydantic models that name the domain. Data crosses module boundaries as these types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SourceKind = Literal["review_sheet", "minutes", "guideline", "catalog", "other"]
RecordKind = Literal["checkpoint", "finding", "remark", "guideline"]
Status = Literal["ok", "incomplete", "missing", "not_applicable"]
ReasonCode = Literal["empty", "placeholder", "vague", "inconsistent", "missing_section", "risk_remaining", "rule"]
DraftFormat = Literal["pdf", "docx", "xlsx", "txt", "md"]


# --------------------------------------------------------------------------- catalog


class Viewpoint(BaseModel):
    """審査の観点 (1)-(12) of 指針第10-1(2). id is "V1".."V12"."""

    id: str
    number: int
    text: str
    title: str = ""
    checkpoints: list[str] = Field(default_factory=list)
    sections: list[str] = Field(default_factory=list, description="where to look in a draft")
    aliases: list[str] = Field(default_factory=list)


class Consideration(BaseModel):
    """主な考慮事項 ①-⑩. id is the circled numeral."""

    id: str
    number: int
    text: str
    viewpoints: list[str] = Field(default_factory=list)
    checkpoints: list[str] = Field(default_factory=list)


class Checkpoint(BaseModel):
    """主な考慮事項(細目): the numbered checkpoints "1".."74" (and above, body-specific ones under ⑩)."""

    id: str
    number: int
    text: str
    consideration: str | None = None
    viewpoints: list[str] = Field(default_factory=list)
    section: str = Field(description="form section, written the way review sheets write it, e.g. 'Ⅲ 4. 再委託'")
    form_path: list[str] = Field(default_factory=list, description="path of the form node, e.g. ['Ⅲ','4.','再委託']")
    fields: list[str] = Field(default_factory=list, description="labels of the form fields the checkpoint points at")
    aliases: list[str] = Field(default_factory=list, description="everyday ways to say the same thing")
    title: str = Field(default="", description="short name used in lists and messages")
    body_specific: bool = False


class GlossaryEntry(BaseModel):
    """Everyday word -> the form's words."""

    term: str
    form_terms: list[str]


class FormFieldSpec(BaseModel):
    """One field (or group) of the 全項目評価書 form."""

    id: str
    path: list[str]
    label: str
    variants: list[str] = Field(default_factory=list)
    kind: Literal["section", "item", "text", "choice", "checkbox", "group"] = "text"
    options: list[str] = Field(default_factory=list)
    required: bool = False
    repeat: Literal["file", "entrustment", "recipient", "system"] | None = None
    not_applicable_when: list[str] = Field(default_factory=list)
    depends_on: list[str] = Field(default_factory=list)
    # additive (knowledge/form.yaml): "<field id>=<option>" conditions making the field required; the numbered
    # checkpoints it answers; blank allowed; "特になし" is a full answer; a group the form does not print;
    # how free text is judged; the body type an item applies to
    required_when: list[str] = Field(default_factory=list)
    checkpoints: list[str] = Field(default_factory=list)
    optional: bool = False
    none_ok: bool = False
    virtual: bool = False
    judge: Literal["measure", "describe"] | None = None
    body: Literal["national", "local"] | None = None
    parent: str | None = None


# --------------------------------------------------------------------------- sources and records


class Source(BaseModel):
    """Where a record comes from. Every finding keeps its provenance."""

    title: str | None = None
    agency: str | None = None
    date: str | None = None
    path: str | None = None
    kind: SourceKind = "other"
    meeting: int | None = None


class ReviewMeta(BaseModel):
    title: str | None = None
    agency: str | None = None
    submitted: str | None = None
    overview_date: str | None = None


class ReviewRow(BaseModel):
    """One checkpoint (or viewpoint) row of a review sheet."""

    checkpoint: str
    viewpoint: str | None = None
    consideration: str | None = None
    text: str = ""
    pages: str | None = None
    section: str | None = None
    result: str | None = None


class Finding(BaseModel):
    """One finding (所見) paragraph, attributed to checkpoints by its content."""

    id: str = ""
    text: str
    checkpoints: list[str]
    group: str | None = None
    result: str | None = None
    printed_on: str | None = Field(default=None, description="the row the PDF printed it on (not trusted)")
    source: Source | None = None


class ReviewSheet(BaseModel):
    meta: ReviewMeta
    rows: list[ReviewRow]
    findings: list[Finding]
    general_comments: list[str] = Field(default_factory=list)
    review_remarks: list[str] = Field(default_factory=list)
    new_checkpoints: list[Checkpoint] = Field(default_factory=list)


class SpeakerTurn(BaseModel):
    speaker: str
    role: str | None = None
    text: str


class Remark(BaseModel):
    """A commissioner's remark in the minutes, linked to the assessment it was about."""

    id: str = ""
    speaker: str
    text: str
    assessment: str | None = None
    refers_to: list[str] = Field(default_factory=list, description="審査記載事項 like '(3)'")
    checkpoints: list[str] = Field(default_factory=list)
    source: Source | None = None


class Minutes(BaseModel):
    meeting_number: int | None = None
    date: str | None = None
    attendees: list[str] = Field(default_factory=list)
    agenda: list[str] = Field(default_factory=list)
    turns: list[SpeakerTurn] = Field(default_factory=list)
    remarks: list[Remark] = Field(default_factory=list)


class Record(BaseModel):
    """What goes into the store: one searchable unit."""

    id: str
    kind: RecordKind
    text: str
    index_text: str = Field(default="", description="text used for embedding/lexical search; defaults to text")
    checkpoints: list[str] = Field(default_factory=list)
    source: Source = Field(default_factory=Source)
    result: str | None = None
    group: str | None = None


class LoadedDocument(BaseModel):
    """Text out of a file, page by page where the format has pages."""

    path: str
    format: str
    pages: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


class IndexedDocument(BaseModel):
    path: str
    kind: SourceKind
    records: int


class IndexReport(BaseModel):
    documents: list[IndexedDocument]
    total_records: int
    embedder: str


class IndexedSource(Source):
    """One source document the index holds (`pia sources`)."""

    records: int = 0


# --------------------------------------------------------------------------- answers


class SearchHit(BaseModel):
    kind: RecordKind
    id: str
    checkpoints: list[str] = Field(default_factory=list)
    text: str
    source: Source = Field(default_factory=Source)
    score: float = 0.0
    result: str | None = None


class CheckpointRef(BaseModel):
    id: str
    title: str
    section: str
    score: float = 0.0


class Citation(BaseModel):
    kind: RecordKind
    text: str
    source: Source = Field(default_factory=Source)
    checkpoints: list[str] = Field(default_factory=list)


class Answer(BaseModel):
    answer: str
    checkpoints: list[CheckpointRef] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    llm: str | None = None


# --------------------------------------------------------------------------- drafts and checks


class DraftField(BaseModel):
    """One field read out of a draft."""

    path: list[str]
    label: str
    value: str = ""
    choice: str | None = None
    checks: list[str] = Field(default_factory=list, description="labels of ticked check boxes")
    page: int | None = None
    field_id: str | None = None


class DraftDocument(BaseModel):
    path: str
    title: str | None = None
    body: str | None = None
    pages: int = 0
    format: DraftFormat


class Reason(BaseModel):
    code: ReasonCode
    message: str


class Evidence(BaseModel):
    label: str
    text: str
    page: int | None = None


class Precedent(BaseModel):
    text: str
    source: Source = Field(default_factory=Source)
    checkpoints: list[str] = Field(default_factory=list)


class CheckResult(BaseModel):
    id: str
    status: Status
    section: str = ""
    page: int | None = None
    reasons: list[Reason] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    precedents: list[Precedent] = Field(default_factory=list)


class CheckSummary(BaseModel):
    ok: int = 0
    incomplete: int = 0
    missing: int = 0
    not_applicable: int = 0


class CheckReport(BaseModel):
    document: DraftDocument
    summary: CheckSummary
    checkpoints: list[CheckResult]
    fields: list[DraftField]


# --------------------------------------------------------------------------- secretariat: findings search, review sheet


class FindingHit(BaseModel):
    """One past finding returned by `pia findings`, quoted verbatim with its source."""

    text: str
    checkpoints: list[str] = Field(default_factory=list)
    result: str | None = None
    source: Source = Field(default_factory=Source)
    score: float = 0.0


class ReviewDraftRow(BaseModel):
    """One row of a pre-filled review sheet: 審査の観点 / 主な考慮事項 / 細目 / 該当箇所 / 審査結果 / 所見."""

    part: str = Field(description="the sheet's part heading: 全体的な事項, 特定個人情報ファイル, ...")
    checkpoint: str = Field(description="'1'..'74' (and up) or 'V1'..'V12'")
    viewpoint: str | None = None
    viewpoint_text: str = ""
    consideration: str | None = None
    consideration_text: str = ""
    checkpoint_text: str = ""
    pages: str | None = Field(default=None, description="'P.12' or 'P.12 ～ P.14'")
    section: str = ""
    status: Status = "missing"
    result: str = ""
    finding: str = ""
    measures: list[str] = Field(default_factory=list, description="the draft's own clauses the finding is built from")
    topic: str = Field(default="", description="the finding's opening topic (fixed part, not from the draft)")


class ReviewDraft(BaseModel):
    document: DraftDocument
    rows: list[ReviewDraftRow]
    general_comments: list[str] = Field(default_factory=list)
    review_remarks: list[str] = Field(default_factory=list)
    llm: str | None = None
