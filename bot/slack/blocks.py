"""Block Kit rendering that never breaks Slack's limits.

Slack rejects a message whose section text exceeds 3,000 characters or that has more than 50 blocks, and a streamed
or markdown message is capped at 12,000 characters. Everything here renders domain models (Answer, CheckReport,
finding hits, IndexReport) into `SlackMessage`s that respect those limits, splitting long content across blocks and
then across messages. Quotes from review sheets and minutes are kept verbatim (only &, <, > are escaped, as Slack
requires).
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.models import FLAG_STATUSES, STATUSES, Answer, CheckReport, CheckResult, Citation, IndexReport, Source
from bot.reports import changes_line, degraded_notes, status_label, summary_line, to_review

SECTION_TEXT_LIMIT = 3000
MAX_BLOCKS = 50
MAX_MESSAGE_CHARS = 12000
FALLBACK_TEXT_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
HEADER_TEXT_LIMIT = 150
MAX_FLAGS_IN_SUMMARY = 15
MAX_SECTION_BUTTONS = 5

STATUS_ICON = {"ok": ":white_check_mark:", "incomplete": ":warning:", "missing": ":x:",
               "not_applicable": ":heavy_minus_sign:", "review": ":mag:"}
KIND_LABEL = {"review_sheet": "審査書", "minutes": "議事録", "guideline": "指針", "catalog": "確認事項一覧",
              "other": "資料"}

FEEDBACK_ACTION = "pia_feedback"
SECTION_ACTION = "pia_section_details"
CHECK_MODAL = "pia_check_modal"
INDEX_MODAL = "pia_index_modal"
FILE_BLOCK = "draft"
FILE_ACTION = "file"
UPLOAD_TYPES = ["pdf", "docx", "xlsx", "txt", "md"]
INDEX_TYPES = ["pdf", "docx", "txt", "md", "html"]


@dataclass
class SlackMessage:
    """One chat.postMessage worth: a notification/fallback text and its blocks."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


# --------------------------------------------------------------------------- text helpers


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    return text if len(text) <= limit else text[: max(0, limit - len(ellipsis))] + ellipsis


_SENTENCE_END = re.compile(r"(?<=[。．！？!?])|(?<=\. )")
_SOFT_BREAK = re.compile(r"(?<=[、，,；;：:）)」』])|(?<= )")


def _cut_points(text: str, pattern: re.Pattern) -> list[int]:
    return [m.start() for m in pattern.finditer(text) if 0 < m.start() < len(text)]


def _safe_cut(text: str, at: int) -> int:
    """Move a hard cut back so it does not land inside an &amp;-style entity."""
    amp = text.rfind("&", max(0, at - 6), at)
    if amp != -1 and ";" not in text[amp:at]:
        semi = text.find(";", amp)
        if semi != -1 and semi >= at and amp > 0:
            return amp
    return at


def _split_line(line: str, budget: int) -> list[str]:
    """Split one overlong line into pieces of at most `budget` chars, preferring sentence ends, then commas."""
    pieces: list[str] = []
    rest = line
    while len(rest) > budget:
        window = rest[: budget + 1]
        cut = 0
        for pattern in (_SENTENCE_END, _SOFT_BREAK):
            points = [p for p in _cut_points(window, pattern) if p <= budget]
            # only accept a boundary that keeps the piece reasonably full, else fall through
            if points and points[-1] >= budget // 3:
                cut = points[-1]
                break
        if not cut:
            cut = _safe_cut(rest, budget)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def split_text(text: str, limit: int = SECTION_TEXT_LIMIT, line_prefix: str = "") -> list[str]:
    """Split `text` into chunks of at most `limit` chars; each line of every chunk starts with `line_prefix`.

    Breaks prefer paragraph ends, then line ends, then sentence ends (。), then commas; a line broken in the middle
    continues in the next chunk without an inserted newline, so joining the chunks' lines gives the text back.
    """
    if limit <= len(line_prefix) + 1:
        raise ValueError("limit too small for the prefix")
    budget = limit - len(line_prefix)
    # pieces: (joiner, piece) where joiner is "\n" at the start of an original line, "" for a continuation
    pieces: list[tuple[str, str]] = []
    for line in text.split("\n"):
        for i, piece in enumerate(_split_line(line, budget)):
            pieces.append(("\n" if i == 0 else "", piece))

    chunks: list[str] = []
    current = ""
    started = False
    for joiner, piece in pieces:
        if not started:
            current = line_prefix + piece
            started = True
            continue
        addition = (joiner + line_prefix + piece) if joiner else piece
        # prefer to break at a blank line once the chunk is well filled
        blank_break = joiner and piece.strip() == "" and len(current) > limit * 0.6
        if blank_break:
            chunks.append(current)
            started = False  # the blank line itself is where the break goes
            continue
        if len(current) + len(addition) > limit:
            chunks.append(current)
            current = line_prefix + piece
        else:
            current += addition
    if started:
        chunks.append(current)
    # drop chunks that are only the prefix/whitespace left by blank-line breaks
    out = [c for c in chunks if c.replace(line_prefix, "").strip()]
    return out or ([line_prefix] if line_prefix else [])


def quote(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Verbatim text as Slack block quotes, escaped, split to fit."""
    return split_text(escape(text.strip()), limit, line_prefix="> ")


# --------------------------------------------------------------------------- blocks


def section(text: str) -> list[dict]:
    """One or more mrkdwn section blocks for (already escaped) text."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
            for chunk in split_text(text) if chunk.strip()]


def quoted_sections(text: str, heading: str = "") -> list[dict]:
    """A heading line followed by the verbatim quote, split across as many sections as needed."""
    blocks: list[dict] = []
    chunks = quote(text, SECTION_TEXT_LIMIT - len(heading) - 1)
    for i, chunk in enumerate(chunks):
        body = f"{heading}\n{chunk}" if (i == 0 and heading) else chunk
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body}})
    return blocks


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_LIMIT)}]}


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, HEADER_TEXT_LIMIT), "emoji": True}}


def divider() -> dict:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    b = {"type": "button", "text": {"type": "plain_text", "text": truncate(text, BUTTON_TEXT_LIMIT)},
         "action_id": action_id, "value": value[:2000]}
    if style:
        b["style"] = style
    return b


def feedback_block() -> dict:
    """Thumbs up/down buttons under an answer (Slack's feedback_buttons element)."""
    return {
        "type": "context_actions",
        "elements": [{
            "type": "feedback_buttons",
            "action_id": FEEDBACK_ACTION,
            "positive_button": {"text": {"type": "plain_text", "text": "役に立った"}, "value": "good",
                                "accessibility_label": "この回答は役に立った"},
            "negative_button": {"text": {"type": "plain_text", "text": "役に立たなかった"}, "value": "bad",
                                "accessibility_label": "この回答は役に立たなかった"},
        }],
    }


def _texts(obj: Any) -> Iterable[str]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "text" and isinstance(v, str):
                yield v
            else:
                yield from _texts(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _texts(v)


def block_chars(block: dict) -> int:
    return sum(len(t) for t in _texts(block))


def paginate(blocks: list[dict], fallback: str, *, max_blocks: int = MAX_BLOCKS,
             max_chars: int = MAX_MESSAGE_CHARS) -> list[SlackMessage]:
    """Group blocks into messages of at most `max_blocks` blocks and `max_chars` characters of text."""
    messages: list[SlackMessage] = []
    current: list[dict] = []
    chars = 0
    for b in blocks:
        n = block_chars(b)
        if current and (len(current) >= max_blocks or chars + n > max_chars):
            messages.append(SlackMessage(text="", blocks=current))
            current, chars = [], 0
        current.append(b)
        chars += n
    if current or not messages:
        messages.append(SlackMessage(text="", blocks=current))
    total = len(messages)
    for i, m in enumerate(messages):
        suffix = f"（{i + 1}/{total}）" if total > 1 else ""
        m.text = truncate(fallback, FALLBACK_TEXT_LIMIT - len(suffix)) + suffix
    return messages


def notice(text: str) -> SlackMessage:
    """A plain message (errors, progress, refusals)."""
    return SlackMessage(text=truncate(text, FALLBACK_TEXT_LIMIT), blocks=section(escape(text)))


def error_message(text: str) -> SlackMessage:
    return notice(f":warning: {text}" if not text.startswith(":") else text)


# --------------------------------------------------------------------------- answers


def checkpoint_label(cid: str) -> str:
    if cid.upper().startswith("V"):
        return f"審査の観点({cid[1:]})"
    return f"細目{cid}"


def source_label(source: Source | None, checkpoints: list[str] | None = None) -> str:
    """`審査書「…」 / 機関 / 日付 / 細目41` — which document a quote comes from."""
    parts: list[str] = []
    if source is not None:
        kind = KIND_LABEL.get(source.kind, "資料")
        if source.kind == "minutes" and source.meeting:
            parts.append(f"{kind} 第{source.meeting}回")
        elif source.title:
            parts.append(f"{kind}「{truncate(source.title, 80)}」")
        else:
            parts.append(kind)
        if source.agency:
            parts.append(source.agency)
        if source.date:
            parts.append(source.date)
    if checkpoints:
        parts.append("・".join(checkpoint_label(c) for c in checkpoints[:5]))
    return " / ".join(escape(p) for p in parts) or "出典不明"


def _citation_blocks(number: int, c: Citation) -> list[dict]:
    heading = f"*[{number}]* {source_label(c.source, c.checkpoints)}"
    return quoted_sections(c.text, heading)


def answer_messages(answer: Answer, *, feedback: bool = True, title: str | None = None, body: bool = True,
                    max_chars: int = MAX_MESSAGE_CHARS) -> list[SlackMessage]:
    """Checkpoints with number/title/section, the answer, numbered verbatim sources, remarks, feedback buttons.
    `body=False` leaves the answer's text out (it was streamed; these blocks close the streamed message)."""
    blocks: list[dict] = []
    if title:
        blocks.append(header(title))
    if answer.checkpoints:
        lines = ["*該当する確認事項*"]
        for ref in answer.checkpoints[:3]:
            where = f" — 評価書「{escape(ref.section)}」" if ref.section else ""
            lines.append(f"• *{checkpoint_label(ref.id)}* {escape(ref.title)}{where}")
        blocks += section("\n".join(lines))
    text = answer.answer.strip() or "回答を作成できませんでした。"
    if body:
        blocks += section(escape(text))

    numbered = list(enumerate(answer.citations, start=1))
    sources = [(n, c) for n, c in numbered if c.kind != "remark"]
    remarks = [(n, c) for n, c in numbered if c.kind == "remark"]
    if sources:
        blocks.append(divider())
        blocks += section("*出典*")
        for n, c in sources:
            blocks += _citation_blocks(n, c)
    if remarks:
        blocks += section("*委員会での発言（議事録）*")
        for n, c in remarks:
            blocks += _citation_blocks(n, c)
    if not answer.citations:
        blocks.append(context("出典となる過去の審査書・議事録が見つかりませんでした。回答は確認事項の一覧のみに基づきます。"))
    if answer.llm:
        blocks.append(context(f"文章の整形に {escape(answer.llm)} を使用。引用部分は原文のままです。"))
    if feedback:
        blocks.append(feedback_block())
    return paginate(blocks, fallback=text, max_chars=max_chars)


def no_answer_message() -> SlackMessage:
    return notice("関連する確認事項や過去の所見が見つかりませんでした。評価書の項目名（例: 「再委託」「バックアップ」）"
                  "を含めて言い換えるか、/pia-check 41 のように細目番号で聞いてください。")


# --------------------------------------------------------------------------- findings


def findings_messages(query: str, hits: list[Any]) -> list[SlackMessage]:
    """Past findings wording, each quoted verbatim with its source (hits as returned by engine.findings)."""
    if not hits:
        return [notice(f"「{query}」に近い過去の所見は見つかりませんでした。別の言い方（評価書の項目名や細目番号）で"
                       "もう一度お試しください。")]
    blocks: list[dict] = [*section(f"*「{escape(truncate(query, 200))}」に近い過去の所見（{len(hits)}件）*")]
    for n, hit in enumerate(hits, start=1):
        heading = f"*[{n}]* {source_label(getattr(hit, 'source', None), list(getattr(hit, 'checkpoints', []) or []))}"
        result = getattr(hit, "result", None)
        if result:
            heading += f" / 審査結果: {escape(result)}"
        blocks += quoted_sections(getattr(hit, "text", ""), heading)
    blocks.append(context("所見は審査書の原文どおりに引用しています。"))
    return paginate(blocks, fallback=f"「{truncate(query, 100)}」に近い過去の所見 {len(hits)}件")


# --------------------------------------------------------------------------- check reports

_SECTION_KEY = re.compile(r"^\s*([ⅠⅡⅢⅣⅤⅥ]+)\s*(\d+\s*[.．])?")


def section_key(section_text: str) -> str:
    """'Ⅲ 2. リスク3' -> 'Ⅲ 2.'; the unit the summary groups flags by."""
    m = _SECTION_KEY.match(section_text or "")
    if not m:
        return (section_text or "").strip() or "その他"
    return f"{m.group(1)} {m.group(2).replace(' ', '').replace('．', '.')}" if m.group(2) else m.group(1)


def flagged(report: CheckReport) -> list[CheckResult]:
    return [c for c in report.checkpoints if c.status in FLAG_STATUSES]


def worst_sections(report: CheckReport, n: int = MAX_SECTION_BUTTONS) -> list[tuple[str, int]]:
    counts: OrderedDict[str, int] = OrderedDict()
    for c in flagged(report):
        key = section_key(c.section)
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])[:n]


def _title(cid: str) -> str:
    try:
        from bot.catalog import load_catalog

        return load_catalog().title(cid)
    except Exception:  # the catalog is data; a broken entry must not break a report
        return ""


def _result_heading(c: CheckResult) -> str:
    title = _title(c.id)
    where = escape(c.section) if c.section else ""
    page = f"（p.{c.page}）" if c.page else ""
    return (f"{STATUS_ICON.get(c.status, '')} *{checkpoint_label(c.id)}* {escape(title)}"
            f"{' — ' + where if where else ''}{page} : {status_label(c.status)}")


def _result_blocks(c: CheckResult, *, evidence: bool, max_precedents: int) -> list[dict]:
    lines = [_result_heading(c)]
    for r in c.reasons:
        lines.append(f"• 理由: {escape(r.message)}")
    if c.suggestion:
        lines.append(f"• {escape(truncate(c.suggestion, 600))}")
    if evidence:
        for e in c.evidence[:5]:
            page = f"（p.{e.page}）" if e.page else ""
            lines.append(f"• 記載{page}: {escape(e.label)} 「{escape(truncate(e.text, 400))}」")
    blocks = section("\n".join(lines))
    for p in c.precedents[:max_precedents]:
        blocks += quoted_sections(p.text, f"先例: {source_label(p.source, p.checkpoints)}")
    return blocks


def summary_counts_line(report: CheckReport) -> str:
    s = report.summary
    return "　".join(f"{STATUS_ICON[k]} {status_label(k)} {getattr(s, k)}" for k in STATUSES)


def round_blocks(report: CheckReport) -> list[dict]:
    """「前回から12件解消・2件新規・3件未解消」 and which checkpoints, when the report has a previous round."""
    line = changes_line(report)
    if line is None or report.changes is None:
        return []
    ch = report.changes
    parts = [f":arrows_counterclockwise: *{escape(line)}*"]
    for label, ids in (("解消", ch.fixed), ("新規", ch.new), ("未解消", ch.still)):
        if ids:
            shown = "、".join(_short_id(c) for c in ids[:30]) + ("ほか" if len(ids) > 30 else "")
            parts.append(f"{label}: {shown}")
    return section("\n".join(parts))


def _short_id(cid: str) -> str:
    return f"観点({cid[1:]})" if cid.startswith("V") else f"細目{cid}"


def check_summary_messages(report: CheckReport, name: str, report_key: str) -> list[SlackMessage]:
    """The thread summary: counts, worst sections (with detail buttons), each flag with reason and a precedent."""
    flags = flagged(report)
    blocks: list[dict] = round_blocks(report)  # a re-check opens with what changed since the last round
    blocks.append(header(f"チェック結果: {name}"))
    blocks += section(summary_counts_line(report))
    blocks += [context(":warning: " + escape(n)) for n in degraded_notes(report.degraded)]
    worst = worst_sections(report)
    if worst:
        blocks += section("*指摘の多いセクション*\n"
                          + "\n".join(f"{i}. {escape(k)}（{n}件）" for i, (k, n) in enumerate(worst, 1)))
        blocks.append({"type": "actions", "block_id": "sections", "elements": [
            button(f"{k} の詳細", f"{SECTION_ACTION}_{i}", json.dumps({"r": report_key, "s": k}, ensure_ascii=False))
            for i, (k, _) in enumerate(worst)]})
    else:
        blocks += section(escape(summary_line(report) or "") + "\n提出前に全項目をご自身でも確認してください。")
    if flags:
        blocks.append(divider())
        for c in flags[:MAX_FLAGS_IN_SUMMARY]:
            blocks += _result_blocks(c, evidence=False, max_precedents=1)
        if len(flags) > MAX_FLAGS_IN_SUMMARY:
            blocks.append(context(f"ほか {len(flags) - MAX_FLAGS_IN_SUMMARY} 件は"
                                  "添付の Excel（全結果）を参照してください。"))
    review = to_review(report)
    if review:
        blocks.append(divider())
        blocks += section(f"*{status_label('review')}（{len(review)}件）*: 人による確認が必要な点です。")
        for c in review[:MAX_FLAGS_IN_SUMMARY]:
            blocks += _result_blocks(c, evidence=False, max_precedents=0)
    blocks.append(context("チェックは機械的な目安です。判定理由と先例を確かめたうえで修正してください。"
                          "アップロードされた評価書は保存・索引化されません。"))
    line = changes_line(report)
    fallback = ((f"{line}。" if line else "")
                + f"チェック結果: {name} — {status_label('incomplete')} {report.summary.incomplete} 件、"
                f"{status_label('missing')} {report.summary.missing} 件、"
                f"{status_label('review')} {report.summary.review} 件")
    return paginate(blocks, fallback=fallback)


def section_detail_messages(report: CheckReport, key: str) -> list[SlackMessage]:
    results = [c for c in report.checkpoints if section_key(c.section) == key]
    if not results:
        return [notice(f"「{key}」に当たる確認結果はありません。")]
    blocks: list[dict] = [header(f"{key} の確認結果")]
    order = {"missing": 0, "incomplete": 1, "review": 2, "ok": 3, "not_applicable": 4}
    for c in sorted(results, key=lambda c: order.get(c.status, 9)):
        if c.status in ("ok", "not_applicable") and not c.reasons:
            blocks += section(_result_heading(c))
        else:
            blocks += _result_blocks(c, evidence=True, max_precedents=3)
    return paginate(blocks, fallback=f"{key} の確認結果（{len(results)}件）")


# --------------------------------------------------------------------------- index, modals


def index_messages(report: IndexReport, name: str) -> list[SlackMessage]:
    lines = [f":books: 「{escape(name)}」を共有ナレッジに追加しました"
             f"（{report.total_records} 件、埋め込み: {escape(report.embedder)}）。"]
    for d in report.documents:
        lines.append(f"• {KIND_LABEL.get(d.kind, d.kind)}: {d.records} 件")
    if report.total_records == 0:
        lines.append("新しい記録はありませんでした（同じファイルは二重に登録されません）。")
    return paginate(section("\n".join(lines)), fallback=f"「{name}」を共有ナレッジに追加しました")


def file_modal(callback_id: str, title: str, label: str, private_metadata: dict, note: str,
               filetypes: list[str] | None = None) -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": truncate(title, 24)},
        "submit": {"type": "plain_text", "text": "送信"},
        "close": {"type": "plain_text", "text": "キャンセル"},
        "private_metadata": json.dumps(private_metadata),
        "blocks": [
            {"type": "input", "block_id": FILE_BLOCK, "label": {"type": "plain_text", "text": truncate(label, 2000)},
             "element": {"type": "file_input", "action_id": FILE_ACTION, "filetypes": filetypes or UPLOAD_TYPES,
                         "max_files": 1}},
            context(note),
        ],
    }


def check_modal(private_metadata: dict) -> dict:
    return file_modal(CHECK_MODAL, "評価書ドラフトのチェック", "評価書ドラフト（PDF・Word・Excel）", private_metadata,
                      "ファイルはチェックにだけ使い、保存・索引化はしません。結果はこのチャンネルのスレッドに届きます。")


def index_modal(private_metadata: dict) -> dict:
    return file_modal(INDEX_MODAL, "共有ナレッジに追加", "審査書・議事録・指針（PDF・Word・テキスト）",
                      private_metadata,
                      "追加した資料は全員の回答の出典になります。評価書ドラフトは追加しないでください。",
                      filetypes=INDEX_TYPES)
