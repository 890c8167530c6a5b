"""The check report as one self-contained HTML page (inline CSS, no external assets), from
bot/reports/templates/check_report.html."""

from __future__ import annotations

from html import escape
from importlib import resources
from string import Template

from bot.catalog import load_catalog
from bot.models import STATUSES, CheckReport
from bot.reports import (
    changes_line,
    degraded_notes,
    display_id,
    flagged,
    precedent_source,
    round_label,
    status_label,
    summary_line,
    to_review,
    wording,
    worst_sections,
)


def _template() -> Template:
    text = resources.files("bot.reports").joinpath("templates/check_report.html").read_text(encoding="utf-8")
    return Template(text)


def _status(status: str) -> str:
    return f'<span class="status s-{status}">{escape(status_label(status))}</span>'


def render(report: CheckReport) -> str:
    w = wording()["report"]
    cols = w["columns"]
    cat = load_catalog()
    d = report.document
    meta = [(w["document"], d.title or ""), (w["body"], d.body or ""), (w["file"], d.path),
            (w["format"], d.format), (w["pages"], str(d.pages))]
    s = report.summary
    counts = "".join(
        f'<div class="count s-{k}" data-status="{k}">{escape(status_label(k))}<b>{getattr(s, k)}</b></div>'
        for k in STATUSES
    )
    worst = worst_sections(report)
    worst_html = ""
    if worst:
        items = "、".join(f"{escape(sec)}（{n}{escape(w['count_suffix'])}）" for sec, n in worst)
        worst_html = f'<p class="worst">{escape(w["worst_sections"])}: {items}</p>'
    worst_html = "".join(f'<p class="degraded">{escape(n)}</p>' for n in degraded_notes(report.degraded)) + worst_html
    flag_html = []
    for r in flagged(report):
        page = f"、{w['page_prefix']}{r.page}" if r.page else ""
        tag = _round_badge(report, r.id)
        same = (f' <span class="unedited">{escape(w["round"]["unedited"])}</span>' if r.id in report.unedited
                else "")
        parts = [f'<div class="flag {r.status}" id="flag-{escape(r.id)}">',
                 f"<h3>{_status(r.status)}{tag} {escape(display_id(r.id))} {escape(cat.title(r.id))}"
                 f"（{escape(r.section)}{escape(page)}）{same}</h3>", "<ul>"]
        parts += [f'<li class="reason" data-code="{escape(x.code)}">{escape(x.message)}</li>' for x in r.reasons]
        parts.append("</ul>")
        if r.suggestion:
            parts.append(f'<div class="suggestion">{escape(r.suggestion)}</div>')
        for e in r.evidence[:3]:
            pg = f"（{w['page_prefix']}{e.page}）" if e.page else ""
            parts.append(f'<div class="evidence">{escape(cols["evidence"])}「{escape(e.label)}」{escape(pg)}: '
                         f"{escape(e.text)}</div>")
        for p in r.precedents:
            parts.append(f'<div class="precedent">{escape(w["precedent"])}: {escape(p.text)} '
                         f'<span class="src">— {escape(precedent_source(p))}</span></div>')
        parts.append("</div>")
        flag_html.append("\n".join(parts))
    if not flag_html:
        flag_html.append(f"<p>{escape(summary_line(report) or '')}</p>")
    review = to_review(report)
    if review:
        review_items: list[str] = []
        for r in review:
            page = f"、{w['page_prefix']}{r.page}" if r.page else ""
            reasons = "".join(f'<li class="reason" data-code="{escape(x.code)}">{escape(x.message)}</li>'
                              for x in r.reasons)
            review_items.append(f'<div class="flag review" id="review-{escape(r.id)}"><h3>{_status(r.status)} '
                         f"{escape(display_id(r.id))} {escape(cat.title(r.id))}（{escape(r.section)}{escape(page)}）"
                         f"</h3><ul>{reasons}</ul></div>")
        flag_html.append(f"<h3>{escape(w['review'])}（{len(review)}{escape(w['count_suffix'])}）</h3>")
        flag_html.extend(review_items)
    keys = ["id", "title", "status", "section", "page", "reasons", "precedent"]
    if report.changes is not None:
        keys.insert(3, "round")
    header = "".join(f"<th>{escape(cols[k])}</th>" for k in keys)
    rows = []
    for r in report.checkpoints:
        reasons = "<br>".join(escape(x.message) for x in r.reasons)
        prec = "<br>".join(f"{escape(p.text[:80])}{'…' if len(p.text) > 80 else ''} "
                           f'<span class="src">— {escape(precedent_source(p))}</span>' for p in r.precedents)
        rows.append(
            f'<tr class="result r-{r.status}" data-id="{escape(r.id)}" data-status="{r.status}">'
            f"<td>{escape(display_id(r.id))}</td><td>{escape(cat.title(r.id))}</td><td>{_status(r.status)}</td>"
            + (f'<td class="round">{escape(round_label(report, r.id))}</td>' if report.changes is not None else "")
            + f"<td>{escape(r.section)}</td><td>{r.page or ''}</td><td>{reasons}</td><td>{prec}</td></tr>"
        )
    return _template().substitute(
        title=escape(f"{w['title']}: {d.title or d.path}"),
        meta="".join(f"<span>{escape(k)}: {escape(v)}</span>" for k, v in meta),
        summary_heading=escape(w["summary"]),
        counts=counts,
        worst=worst_html + _round_html(report),
        flags_heading=escape(f"{w['flags']}（{len(flagged(report))}{w['count_suffix']}）"),
        flags="\n".join(flag_html),
        results_heading=escape(w["all_results"]),
        header=header,
        rows="\n".join(rows),
        note=escape(w["note"]),
    )


def _round_badge(report: CheckReport, cid: str) -> str:
    label = round_label(report, cid)
    if not label:
        return ""
    key = next(k for k in ("fixed", "new", "still") if cid in getattr(report.changes, k))
    return f' <span class="round r-{key}" data-round="{key}">{escape(label)}</span>'


def _round_html(report: CheckReport) -> str:
    """The comparison with the previous round: the line and the three lists."""
    line = changes_line(report)
    if line is None or report.changes is None:
        return ""
    w = wording()["report"]
    rw = w["round"]
    cat = load_catalog()
    items = []
    for key in ("fixed", "new", "still"):
        ids = getattr(report.changes, key)
        names = "、".join(f"{escape(display_id(c))} {escape(cat.title(c))}" for c in ids) or escape(rw["none"])
        items.append(f'<li data-round="{key}" data-ids="{escape(" ".join(ids))}"><b>{escape(rw[key])}'
                     f"（{len(ids)}{escape(w['count_suffix'])}）</b>: {names}</li>")
    carried = f"<p>{escape(rw['carried'])}</p>" if report.notes else ""
    return (f'<section id="round"><h2>{escape(rw["heading"])}</h2><p class="round-line">{escape(line)}</p>'
            f"<ul>{''.join(items)}</ul>{carried}</section>")
