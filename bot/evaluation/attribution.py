"""Finding attribution quality against hand-made tables (knowledge/eval/seed_attribution.yaml and the like).

A table lists, for one review sheet, every finding paragraph (by its opening) with the checkpoints a human reader
says it is about, and every row's result. The parser's output is matched paragraph by paragraph: exact-match
accuracy (same checkpoint set), per-checkpoint precision/recall, and row-result accuracy.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from bot.engine import Engine
from bot.models import Finding, ReviewSheet, Source
from bot.resources import knowledge_dir, knowledge_file
from bot.text import compact


class ExpectedFinding(BaseModel):
    opening: str
    contains: str | None = None
    group: str | None = None
    checkpoints: list[str]
    printed_on: str | None = None


class AttributionTable(BaseModel):
    sheet: str
    meta: dict[str, str | None] = Field(default_factory=dict)
    general_comments: int | None = None
    review_remarks: int | None = None
    new_checkpoints: list[str] = Field(default_factory=list)
    rows: dict[str, list[str | None]] = Field(default_factory=dict, description="row id -> [result, pages, section]")
    findings: list[ExpectedFinding]
    path: str | None = None


class CheckpointScore(BaseModel):
    checkpoint: str
    precision: float
    recall: float
    support: int = Field(description="expected findings about this checkpoint")
    predicted: int = Field(description="parsed findings attributed to it")


class FindingMismatch(BaseModel):
    sheet: str
    opening: str
    group: str | None
    expected: list[str]
    got: list[str] | None = Field(description="None when no parsed paragraph matched the opening")


class SheetScore(BaseModel):
    sheet: str
    findings_total: int
    findings_found: int
    findings_extra: int = Field(description="parsed paragraphs the table does not list")
    exact_matches: int
    exact_match_accuracy: float
    rows_total: int
    rows_found: int
    row_result_accuracy: float
    row_location_accuracy: float = Field(description="pages and section both right")


class AttributionScore(BaseModel):
    findings_total: int
    exact_matches: int
    exact_match_accuracy: float
    micro_precision: float
    micro_recall: float
    macro_precision: float
    macro_recall: float
    per_checkpoint: list[CheckpointScore]
    rows_total: int
    row_result_accuracy: float
    row_location_accuracy: float
    sheets: list[SheetScore]
    mismatches: list[FindingMismatch] = Field(default_factory=list)


def default_tables() -> list[Path]:
    return [knowledge_file("eval/seed_attribution.yaml")]


def load_table(path: Path) -> AttributionTable:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    data["rows"] = {str(k): v for k, v in (data.get("rows") or {}).items()}
    for f in data.get("findings") or []:
        f["checkpoints"] = [str(c) for c in f["checkpoints"]]
        if f.get("printed_on") is not None:
            f["printed_on"] = str(f["printed_on"])
    return AttributionTable(**data, path=str(path))


def sheet_path(table: AttributionTable) -> Path:
    """The table's review sheet: relative to the table's folder, else to knowledge/."""
    p = Path(table.sheet)
    if p.is_absolute():
        return p
    if table.path and (Path(table.path).parent / p).is_file():
        return Path(table.path).parent / p
    return knowledge_dir() / p


def match_findings(
    sheet: ReviewSheet, table: AttributionTable
) -> tuple[list[tuple[ExpectedFinding, Finding | None]], list[Finding]]:
    """Pair every expected finding with the parsed paragraph it names; also return the parsed ones left over."""
    used: set[int] = set()
    pairs: list[tuple[ExpectedFinding, Finding | None]] = []
    for exp in table.findings:
        opening, contains = compact(exp.opening), compact(exp.contains or "")
        hit = None
        for i, f in enumerate(sheet.findings):
            if i in used or f.group != exp.group:
                continue
            text = compact(f.text)
            if text.startswith(opening) and (not contains or contains in text):
                hit = i
                break
        if hit is not None:
            used.add(hit)
        pairs.append((exp, sheet.findings[hit] if hit is not None else None))
    extra = [f for i, f in enumerate(sheet.findings) if i not in used]
    return pairs, extra


def _score(pairs, extra, name: str, sheet: ReviewSheet, table: AttributionTable, counts: dict,
           mismatches: list) -> SheetScore:
    exact = 0
    for exp, got in pairs:
        expected = set(exp.checkpoints)
        predicted = set(got.checkpoints) if got else set()
        if got is not None and expected == predicted:
            exact += 1
        else:
            mismatches.append(FindingMismatch(sheet=name, opening=exp.opening, group=exp.group,
                                              expected=exp.checkpoints, got=got.checkpoints if got else None))
        for c in expected | predicted:
            tp, fp, fn = counts.setdefault(c, [0, 0, 0])
            counts[c] = [tp + (c in expected and c in predicted), fp + (c in predicted and c not in expected),
                         fn + (c in expected and c not in predicted)]
    for f in extra:
        for c in f.checkpoints:
            counts.setdefault(c, [0, 0, 0])[1] += 1
    rows = {r.checkpoint: r for r in sheet.rows}
    found = [rid for rid in table.rows if rid in rows]
    result_ok = sum(1 for rid in found if rows[rid].result == table.rows[rid][0])
    loc_ok = sum(
        1 for rid in found
        if len(table.rows[rid]) < 3
        or (rows[rid].pages == table.rows[rid][1] and rows[rid].section == table.rows[rid][2])
    )
    n = len(table.findings)
    nr = len(table.rows)
    return SheetScore(
        sheet=name,
        findings_total=n,
        findings_found=sum(1 for _, g in pairs if g is not None),
        findings_extra=len(extra),
        exact_matches=exact,
        exact_match_accuracy=exact / n if n else 0.0,
        rows_total=nr,
        rows_found=len(found),
        row_result_accuracy=result_ok / nr if nr else 0.0,
        row_location_accuracy=loc_ok / nr if nr else 0.0,
    )


def _cp_key(c: str) -> tuple[int, int]:
    return (1, int(c[1:])) if c.startswith("V") and c[1:].isdigit() else (0, int(c)) if c.isdigit() else (2, 0)


def evaluate_attribution(engine: Engine, tables: list[Path] | None = None) -> AttributionScore:
    """Parse each table's review sheet and score the attribution of its findings against the table."""

    counts: dict[str, list[int]] = {}
    mismatches: list[FindingMismatch] = []
    sheets: list[SheetScore] = []
    for tpath in tables or default_tables():
        table = load_table(Path(tpath))
        spath = sheet_path(table)
        source = Source(path=str(spath), kind="review_sheet")
        sheet = engine.parse_review_text(spath.read_text(encoding="utf-8"), source)
        pairs, extra = match_findings(sheet, table)
        sheets.append(_score(pairs, extra, spath.name, sheet, table, counts, mismatches))

    per = []
    for c in sorted(counts, key=_cp_key):
        tp, fp, fn = counts[c]
        per.append(CheckpointScore(
            checkpoint=c,
            precision=tp / (tp + fp) if tp + fp else 0.0,
            recall=tp / (tp + fn) if tp + fn else 0.0,
            support=tp + fn,
            predicted=tp + fp,
        ))
    tp = sum(v[0] for v in counts.values())
    fp = sum(v[1] for v in counts.values())
    fn = sum(v[2] for v in counts.values())
    supported = [p for p in per if p.support]
    predicted = [p for p in per if p.predicted]
    total = sum(s.findings_total for s in sheets)
    exact = sum(s.exact_matches for s in sheets)
    rows_total = sum(s.rows_total for s in sheets)
    return AttributionScore(
        findings_total=total,
        exact_matches=exact,
        exact_match_accuracy=exact / total if total else 0.0,
        micro_precision=tp / (tp + fp) if tp + fp else 0.0,
        micro_recall=tp / (tp + fn) if tp + fn else 0.0,
        macro_precision=sum(p.precision for p in predicted) / len(predicted) if predicted else 0.0,
        macro_recall=sum(p.recall for p in supported) / len(supported) if supported else 0.0,
        per_checkpoint=per,
        rows_total=rows_total,
        row_result_accuracy=(sum(s.row_result_accuracy * s.rows_total for s in sheets) / rows_total
                             if rows_total else 0.0),
        row_location_accuracy=(sum(s.row_location_accuracy * s.rows_total for s in sheets) / rows_total
                               if rows_total else 0.0),
        sheets=sheets,
        mismatches=mismatches,
    )
