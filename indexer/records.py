"""Typed records for the store, built from the catalog and from parsed documents.

Kinds:
- checkpoint: one per numbered checkpoint and one per viewpoint. index_text = title + wording + form section +
  field labels + everyday aliases + the past findings attributed to it, so that a question in plain words, a form
  section number or the vocabulary of a past finding all lead to the checkpoint.
- finding: one per finding paragraph of a review sheet, attributed to checkpoints by the parser (not by row).
- remark: commissioners' remarks in the minutes, with meeting number and date.
- guideline: the sections of a guideline document (指針, 解説, 記載要領, Q&A) with their place and links
  (indexer/guideline_parser.py); paragraph chunks of documents of no known kind.

Record ids come from the content (kind + source identity + text), so indexing the same file twice gives the same
ids. A source's identity (Source.key) is derived from what the document is, not from where it was read: a review
sheet's body, date and title, the minutes' meeting and date, otherwise the text itself; the bundled files keep
their `knowledge/...` path. Two different review sheets uploaded under one file name are two sources; the same sheet
read again (from any path) is one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from bot.catalog import Catalog
from bot.models import Checkpoint, Finding, GuidelineDocument, Minutes, Record, ReviewSheet, Source, Viewpoint
from bot.store import SUPPORT_MARKER
from bot.text import compact, normalize, pack

CATALOG_PATH = "knowledge/catalog.yaml"
CATALOG_SOURCE = Source(
    title="特定個人情報保護評価指針 第10-1(2) 審査の観点・主な考慮事項(細目)",
    agency="個人情報保護委員会",
    path=CATALOG_PATH,
    kind="catalog",
)
# how much of the attributed findings goes into a checkpoint's index text (keeps short checkpoints from drowning)
FINDINGS_CHARS_PER_CHECKPOINT = 600
CHUNK_CHARS = 500


def record_id(kind: str, source_path: str | None, text: str) -> str:
    h = hashlib.sha256(f"{kind}\x1f{source_path or ''}\x1f{compact(text)}".encode()).hexdigest()
    return f"{kind[:2]}-{h[:24]}"


def _digest(*parts: object) -> str:
    joined = "\x1f".join(compact(normalize(str(p))) if p is not None else "" for p in parts)
    return hashlib.sha256(joined.encode()).hexdigest()[:20]


def identity_key(kind: str, text: str, *, title: str | None = None, agency: str | None = None,
                 date: str | None = None, meeting: int | None = None) -> str:
    """A source's identity: `review_sheet:<hash of body, date, title>`, `minutes:<hash of meeting, date>`, else
    `<kind>:<hash of the text>` (also when a sheet's body/date/title are not all readable)."""
    if kind == "review_sheet" and agency and date and title:
        return f"review_sheet:{_digest(agency, date, title)}"
    if kind == "minutes" and (meeting or date):
        return f"minutes:{_digest(meeting, date)}"
    return f"{kind}:{_digest(text)}"


def _id_base(source: Source) -> str | None:
    return source.key or source.path


def _join(parts: Iterable[str | None]) -> str:
    return "\n".join(p for p in parts if p)


# --------------------------------------------------------------------------- checkpoints


def _findings_text(findings: list[Finding], limit: int = FINDINGS_CHARS_PER_CHECKPOINT) -> str:
    """The attributed findings, after SUPPORT_MARKER (dense side only), one per line, about `limit` chars."""
    out, used = [], 0
    for f in findings:
        t = normalize(f.text).strip()
        if not t or used >= limit:
            continue
        t = t[: limit - used]
        out.append(t)
        used += len(t)
    return "\n".join([SUPPORT_MARKER, *out]) if out else ""


def checkpoint_index_text(cp: Checkpoint, catalog: Catalog | None, findings: list[Finding]) -> str:
    consideration = catalog.consideration(cp.consideration) if (catalog and cp.consideration) else None
    return _join(
        [
            f"{cp.id}. {cp.title}",
            cp.text,
            f"該当箇所: {cp.section} {' '.join(cp.form_path)}",
            "記載欄: " + "、".join(cp.fields) if cp.fields else None,
            "、".join(cp.aliases) if cp.aliases else None,
            f"主な考慮事項{consideration.id}" if consideration else None,
            _findings_text(findings),
        ]
    )


def viewpoint_index_text(vp: Viewpoint, findings: list[Finding]) -> str:
    return _join(
        [
            f"審査の観点({vp.number}) {vp.title}",
            vp.text,
            "該当箇所: " + "、".join(vp.sections) if vp.sections else None,
            "、".join(vp.aliases) if vp.aliases else None,
            _findings_text(findings),
        ]
    )


def checkpoint_display_text(cp: Checkpoint) -> str:
    return f"{cp.id}. {cp.text}（{cp.section}）"


def viewpoint_display_text(vp: Viewpoint) -> str:
    return f"({vp.number}) {vp.text}"


def catalog_records(catalog: Catalog, findings: list[Finding]) -> list[Record]:
    """One checkpoint record per numbered checkpoint and per viewpoint of the catalog.

    Findings of any indexed review sheet are attached to the checkpoints they are attributed to; for the
    body-specific ones (⑩) only findings from the sheet that defined them in the catalog (the bundled ones) count,
    because another body's checkpoint 74 is about something else.
    """
    by_cp: dict[str, list[Finding]] = {}
    # a stable order whatever order the findings arrive in (parsed now or read back from the store), so that the
    # same sources always give the same index text and ids: bundled sheets first, then by path and text
    findings = sorted(
        findings,
        key=lambda f: (not (f.source and (f.source.path or "").startswith("knowledge/")),
                       (f.source.path or "") if f.source else "", compact(f.text)),
    )
    for f in findings:
        for cid in f.checkpoints:
            by_cp.setdefault(cid, []).append(f)
    recs: list[Record] = []
    for cp in catalog.checkpoints:
        fs = by_cp.get(cp.id, [])
        if cp.body_specific or cp.consideration == "⑩":
            fs = [f for f in fs if (f.source and (f.source.path or "").startswith("knowledge/"))]
        text = checkpoint_display_text(cp)
        recs.append(
            Record(
                id=record_id("checkpoint", CATALOG_PATH, text + checkpoint_index_text(cp, catalog, fs)),
                kind="checkpoint",
                text=text,
                index_text=checkpoint_index_text(cp, catalog, fs),
                checkpoints=[cp.id],
                source=CATALOG_SOURCE,
                group=cp.consideration,
            )
        )
    for vp in catalog.viewpoints:
        fs = by_cp.get(vp.id, [])
        text = viewpoint_display_text(vp)
        idx = viewpoint_index_text(vp, fs)
        recs.append(
            Record(
                id=record_id("checkpoint", CATALOG_PATH, text + idx),
                kind="checkpoint",
                text=text,
                index_text=idx,
                checkpoints=[vp.id],
                source=CATALOG_SOURCE,
            )
        )
    return recs


# --------------------------------------------------------------------------- review sheets


def review_source(sheet: ReviewSheet, path: str, key: str | None = None) -> Source:
    return Source(
        title=sheet.meta.title,
        agency=sheet.meta.agency,
        date=sheet.meta.submitted,
        path=path,
        kind="review_sheet",
        key=key,
    )


def review_sheet_records(sheet: ReviewSheet, source: Source, catalog: Catalog, *, bundled: bool) -> list[Record]:
    """Finding records, the sheet's own body-specific checkpoints, 総評 and 審査記載事項."""
    recs: list[Record] = []
    titles = {c.id: c.title for c in catalog.checkpoints} | {v.id: v.title for v in catalog.viewpoints}
    for f in sheet.findings:
        text = normalize(f.text).strip()
        if not text:
            continue
        about = "、".join(titles[c] for c in f.checkpoints if c in titles)
        recs.append(
            Record(
                id=record_id("finding", _id_base(source), text),
                kind="finding",
                text=text,
                index_text=_join([text, about]),
                checkpoints=list(f.checkpoints),
                source=source,
                result=f.result,
                group=f.group,
            )
        )
    for group, items in (("総評", sheet.general_comments), ("審査記載事項", sheet.review_remarks)):
        for t in items:
            text = normalize(t).strip()
            if text:
                recs.append(
                    Record(
                        id=record_id("finding", _id_base(source), group + text),
                        kind="finding",
                        text=text,
                        index_text=f"{group}\n{text}",
                        checkpoints=[],
                        source=source,
                        group=group,
                    )
                )
    for cp in sheet.new_checkpoints:
        known = catalog.checkpoint(cp.id)
        if bundled and known is not None:
            continue  # the catalog already carries the bundled sheet's own checkpoints
        if known is not None and compact(known.text) == compact(cp.text):
            continue
        own = [f for f in sheet.findings if cp.id in f.checkpoints]
        text = checkpoint_display_text(cp)
        idx = checkpoint_index_text(cp, None, own)
        recs.append(
            Record(
                id=record_id("checkpoint", _id_base(source), text + idx),
                kind="checkpoint",
                text=text,
                index_text=idx,
                checkpoints=[cp.id],
                source=source,
                group=cp.consideration or "⑩",
            )
        )
    return recs


def findings_of(records: Iterable[Record]) -> list[Finding]:
    """Findings back out of stored finding records (for rebuilding checkpoint records of kept sources)."""
    return [
        Finding(id=r.id, text=r.text, checkpoints=r.checkpoints, group=r.group, result=r.result, source=r.source)
        for r in records
        if r.kind == "finding" and r.source.kind == "review_sheet" and r.checkpoints
    ]


# --------------------------------------------------------------------------- minutes


def minutes_source(minutes: Minutes, path: str, title: str | None = None, key: str | None = None) -> Source:
    n = minutes.meeting_number
    return Source(
        title=title or (f"第{n}回個人情報保護委員会 議事録" if n else "個人情報保護委員会 議事録"),
        agency="個人情報保護委員会",
        date=minutes.date,
        path=path,
        kind="minutes",
        meeting=n,
        key=key,
    )


def minutes_records(minutes: Minutes, source: Source) -> list[Record]:
    recs: list[Record] = []
    remarks = minutes.remarks
    for rm in remarks:
        text = normalize(rm.text).strip()
        if not text:
            continue
        speaker = rm.speaker or ""
        head = "、".join(x for x in [speaker, rm.assessment or ""] if x)
        recs.append(
            Record(
                id=record_id("remark", _id_base(source), speaker + text),
                kind="remark",
                text=f"（{speaker}）{text}" if speaker else text,
                index_text=_join([head, " ".join(f"審査記載事項{r}" for r in rm.refers_to), text]),
                checkpoints=list(rm.checkpoints),
                source=source,
                group=speaker or None,
            )
        )
    return recs


# --------------------------------------------------------------------------- guideline / other text


_HEADING = re.compile(r"^\s*(?:第[0-9一二三四五六七八九十]+[章節条]|[0-9]+[.．]|[(（][0-9]+[)）]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|#+\s)")


def chunk_text(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Paragraph-aligned chunks of about `size` characters; a heading line starts a new chunk."""
    paras = [normalize(p).strip()
             for p in re.split(r"\n\s*\n|\n(?=\s*(?:第[0-9一二三四五六七八九十]+[章節条]|#+\s))", text)]
    lines: list[str] = []
    for p in paras:
        if not p:
            continue
        if len(p) <= size:
            lines.append(p)
            continue
        lines += pack(re.split(r"(?<=[。．！？!?])", p), size)  # long paragraphs split on sentence ends
    chunks: list[str] = []
    cur = ""
    for ln in lines:
        if cur and (len(cur) + len(ln) + 1 > size or _HEADING.match(ln)):
            chunks.append(cur)
            cur = ""
        cur = f"{cur}\n{ln}" if cur else ln
    if cur:
        chunks.append(cur)
    return [c for c in chunks if len(compact(c)) >= 10]


def guideline_document_records(doc: GuidelineDocument, source: Source) -> list[Record]:
    """One record per chunk of a guideline document read by its structure (indexer/guideline_parser.py): the
    chunk's place goes into its source (cited as 「指針 第6 2 (1)」), its links into checkpoints and form_items."""
    recs = []
    for chunk in doc.chunks:
        src = source.model_copy(update={"place": chunk.place})
        recs.append(
            Record(
                id=record_id("guideline", source.path, f"{chunk.place}\x1f{chunk.text}"),
                kind="guideline",
                text=chunk.text,
                index_text=_join([source.title, chunk.place, *chunk.headings, chunk.text,
                                  " ".join(chunk.form_items)]),
                checkpoints=list(chunk.checkpoints),
                form_items=list(chunk.form_items),
                source=src,
                group=doc.doc,
            )
        )
    return recs


def guideline_records(text: str, source: Source) -> list[Record]:
    recs = []
    for i, chunk in enumerate(chunk_text(text)):
        recs.append(
            Record(
                id=record_id("guideline", _id_base(source), f"{i}\x1f{chunk}"),
                kind="guideline",
                text=chunk,
                index_text=_join([source.title, chunk]),
                checkpoints=[],
                source=source,
            )
        )
    return recs


def dedupe(records: Iterable[Record]) -> list[Record]:
    seen: set[str] = set()
    out = []
    for r in records:
        if r.id not in seen:
            seen.add(r.id)
            out.append(r)
    return out
