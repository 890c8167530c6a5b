"""Pydantic models that name the domain. Data crosses module boundaries as these types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SourceKind = Literal["review_sheet", "minutes", "guideline", "catalog", "other"]
RecordKind = Literal["checkpoint", "finding", "remark", "guideline"]
SearchMode = Literal["hybrid", "lexical", "dense"]  # lexical/dense alone are for `pia eval`
Status = Literal["ok", "incomplete", "missing", "not_applicable", "review"]
# every status, in the order reports list them; only incomplete and missing are flags
STATUSES: tuple[Status, ...] = ("ok", "review", "incomplete", "missing", "not_applicable")
FLAG_STATUSES: tuple[Status, ...] = ("incomplete", "missing")
ReasonCode = Literal["empty", "placeholder", "vague", "inconsistent", "missing_section", "risk_remaining", "rule"]
DraftFormat = Literal["pdf", "docx", "xlsx", "txt", "md"]
# drafts whose own file can carry the findings as comments (`pia check --annotate`)
ANNOTATABLE_FORMATS: tuple[DraftFormat, ...] = ("docx", "xlsx")


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
    key: str | None = Field(default=None, description="identity in the index: derived from the document's body, "
                            "date and title (or its content), never from a file name; bundled files: their path")
    place: str | None = Field(default=None, description="where inside the source, e.g. 「指針 第6 2 (1)」")


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
    form_items: list[str] = Field(default_factory=list, description="form items a guideline chunk speaks about")


class GuidelineChunk(BaseModel):
    """One section of a guideline document (指針, 解説, 記載要領, Q&A), with its place and links."""

    place: str = Field(description="where it sits: 「指針 第6 2 (1)」, 「記載要領 Ⅲ 4. その他のリスク」, 「Q&A 問3」")
    headings: list[str] = Field(default_factory=list, description="the headings above it, outermost first")
    text: str
    form_items: list[str] = Field(default_factory=list, description="form items it speaks about")
    checkpoints: list[str] = Field(default_factory=list, description="checkpoints / viewpoints on them")


class GuidelineDocument(BaseModel):
    title: str
    doc: str = Field(description="指針 | 解説 | 記載要領 | Q&A | 規則 | 指針等")
    chunks: list[GuidelineChunk] = Field(default_factory=list)


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
    form_items: list[str] = Field(default_factory=list)


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


TopicKind = Literal["checkpoint", "viewpoint", "procedure", "form_item", "out_of_scope"]


class AnswerTopic(BaseModel):
    """What an answer is about: a checkpoint ("41"), a viewpoint ("V5"), a procedure topic, a form item, or nothing
    the assistant covers (out_of_scope, id None)."""

    kind: TopicKind
    id: str | None = None


class Answer(BaseModel):
    answer: str
    checkpoints: list[CheckpointRef] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    topic: AnswerTopic | None = None
    llm: str | None = None
    form_items: list[str] = Field(
        default_factory=list,
        description="form items the answer points at, best first, written as zenkoumoku-form.md writes them "
        "('Ⅵ 2. ③期間を短縮する特段の理由'); not part of the CLI contract",
    )


# --------------------------------------------------------------------------- procedure knowledge


BodyType = Literal["national", "local"]


class ProcedureRule(BaseModel):
    """One rule of the assessment procedure (knowledge/procedures.yaml, from rules.md): what it says in one
    sentence, where it goes in the form and where it comes from."""

    id: str
    title: str
    rule: str = Field(description="the rule in one sentence")
    details: list[str] = Field(default_factory=list, description="further sentences an answer may add")
    form_items: list[str] = Field(default_factory=list, description="where it goes in the form, first = home")
    checkpoints: list[str] = Field(default_factory=list, description="viewpoints / checkpoints that review it")
    basis: str = Field(description="where the rule comes from")
    gist_en: str = Field(default="", description="one-line English gist")
    triggers: list[list[list[str]]] = Field(
        default_factory=list,
        description="sets of word groups; the rule matches when every group of one set has a word in the question")
    priority: int = Field(default=0, description="higher wins among rules that match equally")
    required: str = Field(
        default="",
        description="consistency rules: what cannot be left out once the choice is made, said when a question asks "
                    "whether it may be omitted or left blank (「Ⅲ 6. は省略できず、記載が必要です」)")
    body: BodyType | None = Field(default=None, description="the body type the rule is for, when it differs")
    kind: Literal["procedure", "consistency", "wording", "review"] = Field(
        default="procedure",
        description="procedure: the assessment procedure; consistency: what one field's answer requires of others "
                    "(answered even when the question names the field); wording: what counts as an answer; review: "
                    "how the review treats what a draft says (statuses, findings, points left to a person), part of "
                    "every answer about its checkpoints")


class ThresholdCase(BaseModel):
    """The numbers of a threshold question and what the rules.md table makes of them."""

    people: int | None = Field(default=None, description="対象人数")
    handlers: int | None = Field(default=None, description="取扱者数")
    handlers_parts: list[int] = Field(default_factory=list,
                                      description="staff and contractors given apart, added up into handlers")
    incident: bool | None = Field(default=None, description="a serious incident within the past year")
    row: str = Field(default="", description="the deciding row of the table, e.g. '1万人以上10万人未満'")
    required: list[str] = Field(default_factory=list, description="the required assessments")
    optional: list[str] = Field(default_factory=list, description="assessments that may be done voluntarily")
    undecided: str = Field(default="", description="what the answer depends on when a number is missing")


class ChangeCase(BaseModel):
    """A change to a published assessment: an important change (re-assessment) or a correction."""

    item: str = Field(description="the form item that changes, as the form writes it")
    field_id: str | None = None
    important: bool = Field(description="the item carries ※ (or sits in Ⅲ / Ⅳ, except Ⅲ 7. リスク1 ⑨)")
    why: str = ""
    also: list[ChangeCase] = Field(default_factory=list,
                                   description="other items the question names by their place, judged the same way "
                                               "(「Ⅲの変更は全部？Ⅲ 7. リスク1 ⑨も？」)")


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
    suggestion: str | None = Field(default=None, description="修正例: the draft's facts kept, gaps as 【　】 slots")


class FieldVerdict(BaseModel):
    """How `pia check` judges one text as the value of one form field (the wording sets of `pia eval`)."""

    field_id: str
    status: Status
    reasons: list[Reason] = Field(default_factory=list)
    suggestion: str | None = None


class CheckSummary(BaseModel):
    ok: int = 0
    incomplete: int = 0
    missing: int = 0
    not_applicable: int = 0
    review: int = 0

    @property
    def flags(self) -> int:
        return self.incomplete + self.missing


class CheckChanges(BaseModel):
    """Flags compared with the previous round (`pia check --since OLD`): ids of incomplete/missing checkpoints."""

    fixed: list[str] = Field(default_factory=list, description="flagged before, not now")
    new: list[str] = Field(default_factory=list, description="flagged now, not before")
    still: list[str] = Field(default_factory=list, description="flagged in both")


class RoundNote(BaseModel):
    """The two round columns of the xlsx report for one checkpoint, as the reviewer and the drafter filled them in."""

    reviewer: str = Field(default="", description="審査側コメント")
    drafter: str = Field(default="", description="作成側の対応")


class RoundRecord(BaseModel):
    """What a check leaves for the next round (bot/rounds.py): statuses and salted hashes of the fields, never the
    draft's text. Kept in the xlsx report's hidden sheet and, for Slack, in the data dir for a limited time."""

    version: int = 1
    salt: str = Field(description="hex; the field hashes are HMAC-SHA256 keyed with it")
    checked_at: str = Field(description="ISO 8601, UTC")
    format: str | None = None
    statuses: dict[str, Status] = Field(default_factory=dict)
    fields: dict[str, str] = Field(default_factory=dict, description="field key -> hash of its value")


class PreviousRound(BaseModel):
    """The round a check is compared with: read from the previous draft, its xlsx report, or the Slack store."""

    source: Literal["draft", "report", "store"]
    name: str = ""
    record: RoundRecord
    notes: dict[str, RoundNote] = Field(default_factory=dict, description="checkpoint id -> the report's two columns")


class CheckReport(BaseModel):
    document: DraftDocument
    summary: CheckSummary
    checkpoints: list[CheckResult]
    fields: list[DraftField]
    degraded: list[str] = Field(default_factory=list, description="parts of the check that could not run")
    changes: CheckChanges | None = None
    # the round (`--since`): notes carried forward for checkpoints still open; still-open ids whose fields were not
    # edited since the previous round. Not part of the --json contract.
    notes: dict[str, RoundNote] = Field(default_factory=dict)
    unedited: list[str] = Field(default_factory=list)


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
    statement: str = Field(default="", description="the draft's statement for the row (checklist: 評価書の記載)")
    confirm: str = Field(default="", description="what the inspector should confirm (checklist: 確認すること)")


ReviewKind = Literal["review_sheet", "third_party_checklist"]


class ReviewDraft(BaseModel):
    """`pia review`: a national body's pre-filled 審査書, or a local government's 第三者点検 checklist (which has no
    審査記載事項)."""

    kind: ReviewKind = "review_sheet"
    document: DraftDocument
    rows: list[ReviewDraftRow]
    general_comments: list[str] = Field(default_factory=list)
    review_remarks: list[str] = Field(default_factory=list)
    llm: str | None = None
    degraded: list[str] = Field(default_factory=list, description="parts that could not run, e.g. ['precedents']")
