"""Reports of a draft check: terminal text, the `--json` contract, Markdown, HTML and Excel.

`write_report(report, fmt, path)` writes one file; `terminal_text(report)` is what `pia check` prints.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.models import FLAG_STATUSES, CheckReport, CheckResult
from bot.resources import knowledge_yaml

FLAGGED = FLAG_STATUSES


def wording() -> dict:
    """The report wording and the status labels (knowledge/check_messages.yaml)."""
    return knowledge_yaml("check_messages.yaml")


def status_label(status: str) -> str:
    return wording()["status_labels"][status]


def flagged(report: CheckReport) -> list[CheckResult]:
    return [r for r in report.checkpoints if r.status in FLAGGED]


def to_review(report: CheckReport) -> list[CheckResult]:
    """Results a person should confirm (要確認): never counted as flags, never shown as 問題なし."""
    return [r for r in report.checkpoints if r.status == "review"]


def summary_line(report: CheckReport) -> str | None:
    """The line said when nothing is flagged (None while there are flags): never 「指摘はありません」 alone while
    points are left to confirm."""
    if flagged(report):
        return None
    w = wording()["report"]
    n = len(to_review(report))
    return w["no_flags_but_review"].format(n=n) if n else w["no_flags"]


def degraded_notes(degraded: list[str]) -> list[str]:
    """One sentence per part of the check that could not run (e.g. "precedents": the index was unreachable)."""
    w = wording()["report"]["degraded"]
    return [w.get(part, part) for part in degraded]


def section_group(section: str) -> str:
    """'Ⅲ 2. リスク3' -> 'Ⅲ 2.'; '表紙' -> '表紙'; a viewpoint's list of sections -> its first part."""
    first = section.split("、")[0].strip()
    parts = first.split()
    return " ".join(parts[:2]) if len(parts) >= 2 and parts[1].endswith(".") else (parts[0] if parts else "")


def worst_sections(report: CheckReport, n: int = 5) -> list[tuple[str, int]]:
    counts = Counter(section_group(r.section) for r in flagged(report) if r.section)
    return counts.most_common(n)


def round_label(report: CheckReport, cid: str) -> str:
    """解消 / 新規 / 未解消 for a checkpoint of a report with a previous round ('' otherwise)."""
    ch = report.changes
    if ch is None:
        return ""
    w = wording()["report"]["round"]
    for key in ("fixed", "new", "still"):
        if cid in getattr(ch, key):
            return w[key]
    return ""


def changes_line(report: CheckReport) -> str | None:
    """「前回から12件解消・2件新規・3件未解消」 (None without a previous round)."""
    ch = report.changes
    if ch is None:
        return None
    return wording()["report"]["round"]["line"].format(fixed=len(ch.fixed), new=len(ch.new), still=len(ch.still))


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
                **({"suggestion": r.suggestion} if r.suggestion else {}),
            }
            for r in report.checkpoints
        ],
        "fields": [{"path": list(f.path), "label": f.label, "value": f.value, "page": f.page} for f in report.fields],
        "degraded": list(report.degraded),
        **({"changes": {"fixed": list(report.changes.fixed), "new": list(report.changes.new),
                        "still": list(report.changes.still)}} if report.changes is not None else {}),
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
