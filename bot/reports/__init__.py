"""Reports of a draft check: terminal text, the `--json` contract, Markdown, HTML and Excel.

`write_report(report, fmt, path)` writes one file; `terminal_text(report)` is what `pia check` prints.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

import yaml

from bot.models import CheckReport, CheckResult
from bot.resources import knowledge_file

FLAGGED = ("incomplete", "missing")


@lru_cache(maxsize=1)
def wording() -> dict:
    data = yaml.safe_load(knowledge_file("check_messages.yaml").read_text(encoding="utf-8"))
    return {"report": data["report"], "status": data["status_labels"]}


def status_label(status: str) -> str:
    return wording()["status"][status]


def flagged(report: CheckReport) -> list[CheckResult]:
    return [r for r in report.checkpoints if r.status in FLAGGED]


def section_group(section: str) -> str:
    """'Ⅲ 2. リスク3' -> 'Ⅲ 2.'; '表紙' -> '表紙'; a viewpoint's list of sections -> its first part."""
    first = section.split("、")[0].strip()
    parts = first.split()
    return " ".join(parts[:2]) if len(parts) >= 2 and parts[1].endswith(".") else (parts[0] if parts else "")


def worst_sections(report: CheckReport, n: int = 5) -> list[tuple[str, int]]:
    counts = Counter(section_group(r.section) for r in flagged(report) if r.section)
    return counts.most_common(n)


def display_id(cid: str) -> str:
    return f"({cid[1:]})" if cid.startswith("V") else cid


def source_text(source, full: bool = False) -> str:
    """'出入国在留管理庁長官 2025-09-30' (full: with the assessment's title)."""
    parts = [source.agency, source.date] + ([source.title] if full or not source.agency else [])
    return " ".join(p for p in parts if p) or (source.path or "")


def precedent_source(precedent) -> str:
    """Source of a precedent plus the checkpoints it was written for: a neighbour's finding is shown as such."""
    ids = [c for c in precedent.checkpoints if not c.startswith("V")]
    views = [f"観点({c[1:]})" for c in precedent.checkpoints if c.startswith("V")]
    label = "・".join(([f"細目{'・'.join(ids)}"] if ids else []) + views)
    base = source_text(precedent.source)
    return f"{base}、{label}" if label else base


def report_json(report: CheckReport) -> dict:
    """The `pia check --json` document, exactly as spec/cli.md shapes it."""
    d = report.document
    return {
        "document": {"path": d.path, "title": d.title, "body": d.body, "pages": d.pages, "format": d.format},
        "summary": report.summary.model_dump(),
        "checkpoints": [
            {
                "id": r.id,
                "status": r.status,
                "section": r.section,
                "page": r.page,
                "reasons": [{"code": x.code, "message": x.message} for x in r.reasons],
                "evidence": [{"label": e.label, "text": e.text, "page": e.page} for e in r.evidence],
                "precedents": [
                    {
                        "text": p.text,
                        "source": {k: getattr(p.source, k) for k in ("title", "agency", "date", "path")},
                        "checkpoints": list(p.checkpoints),
                    }
                    for p in r.precedents
                ],
            }
            for r in report.checkpoints
        ],
        "fields": [{"path": list(f.path), "label": f.label, "value": f.value, "page": f.page} for f in report.fields],
    }


def terminal_text(report: CheckReport) -> str:
    from bot.reports.terminal import render

    return render(report)


def write_report(report: CheckReport, fmt: str, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        from bot.reports.markdown import render

        path.write_text(render(report), encoding="utf-8")
    elif fmt == "html":
        from bot.reports.html import render

        path.write_text(render(report), encoding="utf-8")
    elif fmt == "xlsx":
        from bot.reports.xlsx import write

        write(report, path)
    else:
        raise ValueError(fmt)
    return path
