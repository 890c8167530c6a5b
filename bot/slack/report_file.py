"""The full check report as an .xlsx attachment.

The project's report writer (bot/reports) is used when it is there; until then a plain one-sheet table is written
here so the Slack flow always has a valid workbook to attach."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.models import CheckReport

log = logging.getLogger(__name__)
STATUS_JA = {"ok": "記載あり", "incomplete": "不十分", "missing": "未記載", "not_applicable": "該当なし"}


def _project_writer():
    try:
        from bot.reports import xlsx as project_xlsx  # helper module owned by the reports work
    except ImportError:
        return None
    for name in ("write_xlsx", "write_check_xlsx", "write_report_xlsx"):
        fn = getattr(project_xlsx, name, None)
        if callable(fn):
            return fn
    return None


def write_report_xlsx(report: CheckReport, path: Path) -> Path:
    writer = _project_writer()
    if writer is not None:
        try:
            writer(report, Path(path))
            return Path(path)
        except Exception as e:  # noqa: BLE001 - the user still gets a report, in the plain layout
            log.warning("report writer failed (%s); writing the plain table instead", type(e).__name__)
    return _write_table(report, Path(path))


def _write_table(report: CheckReport, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from bot.catalog import load_catalog

    catalog = load_catalog()
    wb = Workbook()
    ws = wb.active
    ws.title = "チェック結果"
    s = report.summary
    ws.append(["文書", report.document.title or Path(report.document.path).name])
    ws.append(["記載あり", s.ok, "不十分", s.incomplete, "未記載", s.missing, "該当なし", s.not_applicable])
    ws.append([])
    head = ["細目", "確認事項", "評価書の該当箇所", "ページ", "判定", "理由", "記載内容", "先例（所見）", "先例の出典"]
    ws.append(head)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for c in report.checkpoints:
        precedent = c.precedents[0] if c.precedents else None
        src = precedent.source if precedent else None
        ws.append([
            c.id, catalog.title(c.id), c.section, c.page, STATUS_JA.get(c.status, c.status),
            "\n".join(r.message for r in c.reasons),
            "\n".join(f"{e.label}: {e.text}" for e in c.evidence)[:32000],
            precedent.text if precedent else "",
            " / ".join(x for x in [src.title, src.agency, src.date] if x) if src else "",
        ])
    for col, width in zip("ABCDEFGHI", (6, 40, 24, 6, 10, 50, 60, 60, 30)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
    return path
