"""Parse the Commission's minutes (議事録) into Minutes: meeting number, date, attendees, agenda, speaker turns,
and the commissioners' remarks linked to the assessment they were about, the 審査記載事項 they refer to and the
checkpoints they name."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.catalog import load_catalog
from bot.errors import PiaError
from bot.models import Minutes, Remark, Source, SpeakerTurn
from bot.resources import knowledge_yaml
from bot.text import compact, normalize
from bot.wareki import find_date


class NotMinutesError(PiaError):
    """The text has no speaker turns (lines beginning with ○)."""


@dataclass(frozen=True)
class MinutesVocab:
    roles: tuple[str, ...]
    commissioner_roles: tuple[str, ...]
    header_labels: tuple[str, ...]
    procedural: tuple[str, ...]
    min_substantive_chars: int


@lru_cache(maxsize=1)
def load_minutes_vocab() -> MinutesVocab:
    d = knowledge_yaml("minutes_vocab.yaml")
    return MinutesVocab(
        roles=tuple(sorted(d["roles"], key=len, reverse=True)),
        commissioner_roles=tuple(d["commissioner_roles"]),
        header_labels=tuple(d["header_labels"]),
        procedural=tuple(compact(p) for p in d["procedural"]),
        min_substantive_chars=int(d.get("min_substantive_chars", 30)),
    )


_TURN = re.compile(r"^\s*[○〇◯]\s*(.+)$")
_SENTENCE_END = tuple("。」』)）?？!！")
_MEETING_OPEN = re.compile(r"第\s*(\d{1,4})\s*回\s*個人情報保護委員会\s*を\s*開催")
_MEETING_ANY = re.compile(r"第\s*(\d{1,4})\s*回\s*個人情報保護委員会")
_AGENDA_QUOTED = re.compile(r"議題\s*\d*\s*[「『](.+?)[」』]")
_AGENDA_ITEM = re.compile(r"^\s*(?:[(（]\s*\d+\s*[)）]|\d+[.．、]|[・-])\s*(.+)$")
_REFERS = re.compile(r"審査記載事項\s*(?:の)?\s*((?:[(（]\s*\d{1,2}\s*[)）]\s*(?:及び|、|,|と|・|並びに|又は)?\s*)+)")
_REF_NO = re.compile(r"[(（]\s*(\d{1,2})\s*[)）]")
_EXPLICIT_CP = re.compile(r"細目\s*[)）」』]*\s*(?:の)?\s*(?:第)?\s*(\d{1,3})(?!\d)")


def _split_speaker(label_and_text: str, vocab: MinutesVocab) -> tuple[str, str | None, str]:
    """`清水委員 ただいま…` -> ("清水委員", "委員", "ただいま…")."""
    s = label_and_text.strip()
    parts = re.split(r"[ \t\u3000]+", s, maxsplit=1)
    head = parts[0]
    for role in vocab.roles:
        if head.endswith(role):
            return head, role, parts[1] if len(parts) > 1 else ""
    # no space after the label: find the first role suffix within the first few characters
    for role in vocab.roles:
        i = s.find(role)
        if 0 <= i <= 10:
            end = i + len(role)
            return s[:end], role, s[end:].strip()
    return head, None, parts[1] if len(parts) > 1 else ""


def _join_paragraphs(lines: list[str]) -> str:
    """Paragraphs of a turn; a paragraph broken mid-sentence by a page break is joined back."""
    paras: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if paras and not paras[-1].endswith(_SENTENCE_END):
            paras[-1] += line
        else:
            paras.append(line)
    return "\n".join(normalize(p) for p in paras)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。?？!！])|\n", text) if s.strip()]


def _header(lines: list[str], vocab: MinutesVocab) -> dict[str, list[str]]:
    """The block before the first turn: label -> its lines (a label's value may run over several lines)."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for raw in lines:
        if _TURN.match(raw):
            break
        line = normalize(raw).strip()
        if not line:
            continue
        label = next((lab for lab in vocab.header_labels if line.startswith(lab)), None)
        if label:
            current = label
            rest = line[len(label):].lstrip(":：　 ")
            out.setdefault(label, [])
            if rest:
                out[label].append(rest)
        elif current:
            out[current].append(line)
    return out


def _attendees(values: list[str]) -> list[str]:
    names = []
    for v in values:
        for name in re.split(r"[、,，\s]+", v):
            name = name.strip("、。 ")
            if name:
                names.append(name)
    return names


def _agenda(text: str, header: dict[str, list[str]]) -> list[str]:
    items: list[str] = []
    for v in header.get("議題", []) + header.get("議事", []):
        m = _AGENDA_ITEM.match(v)
        items.append((m.group(1) if m else v).strip())
    for m in _AGENDA_QUOTED.finditer(normalize(text)):
        items.append(m.group(1).strip())
    seen, out = set(), []
    for it in items:
        key = compact(it)
        if key and key not in seen:
            seen.add(key)
            out.append(it)
    return out


def _is_procedural(sentence: str, vocab: MinutesVocab, speakers: set[str]) -> bool:
    c = compact(sentence).rstrip("。")
    if not c:
        return True
    if c in speakers:  # calling on someone: 「清水委員。」
        return True
    return any(p in c for p in vocab.procedural)


def refers_to(text: str) -> list[str]:
    """`審査記載事項(3)` / `審査記載事項の(1)及び(2)` -> ["(3)"] / ["(1)", "(2)"]."""
    out: list[str] = []
    for m in _REFERS.finditer(normalize(text)):
        for n in _REF_NO.findall(m.group(1)):
            ref = f"({int(n)})"
            if ref not in out:
                out.append(ref)
    return out


@lru_cache(maxsize=1)
def _checkpoint_terms() -> list[tuple[str, str]]:
    """(term, checkpoint id): catalog titles and the aliases only one checkpoint uses (3+ characters).

    Body-specific checkpoints (⑩) are left out: their words belong to one body's sheet, and another body's
    remark about, say, its cloud is not about that checkpoint (explicit numbers still count)."""
    catalog = load_catalog()
    alias_use: dict[str, set[str]] = {}
    for cp in catalog.checkpoints:
        for a in cp.aliases:
            alias_use.setdefault(compact(a), set()).add(cp.id)
    terms: list[tuple[str, str]] = []
    for cp in catalog.checkpoints:
        if cp.body_specific:
            continue
        if cp.title and len(compact(cp.title)) >= 2:
            terms.append((compact(cp.title), cp.id))
        for a in cp.aliases:
            c = compact(a)
            if len(c) >= 3 and len(alias_use[c]) == 1:
                terms.append((c, cp.id))
    return terms


def checkpoints_named(text: str) -> list[str]:
    """Checkpoints a remark names: explicit 細目 numbers, or the catalog's titles and aliases."""
    catalog = load_catalog()
    norm = normalize(text)
    found: set[str] = set()
    for m in _EXPLICIT_CP.finditer(norm):
        if catalog.checkpoint(m.group(1)) or int(m.group(1)) >= 74:
            found.add(str(int(m.group(1))))
    c = compact(norm)
    for term, cid in _checkpoint_terms():
        if term in c:
            found.add(cid)
    return sorted(found, key=int)


def _assessment(agenda_item: str | None) -> str | None:
    if not agenda_item:
        return None
    return re.sub(r"について$", "", agenda_item).strip() or agenda_item


_AGENCY = re.compile(r"^(.+?)(?:\(|の(?:全項目|重点項目|基礎項目)評価書)")


def _agency(agenda_item: str | None) -> str | None:
    """`出入国在留管理庁長官(…)の全項目評価書…` -> `出入国在留管理庁長官`."""
    m = _AGENCY.match(agenda_item or "")
    return m.group(1).strip() if m else None


def parse_minutes(text: str, source: Source | None = None) -> Minutes:
    """Parse minutes text. Raises NotMinutesError when it has no speaker turns."""
    vocab = load_minutes_vocab()
    lines = (text or "").splitlines()
    turns_raw: list[tuple[str, str | None, list[str]]] = []
    for raw in lines:
        m = _TURN.match(raw)
        if m:
            speaker, role, first = _split_speaker(m.group(1), vocab)
            turns_raw.append((normalize(speaker), role, [first]))
        elif turns_raw:
            turns_raw[-1][2].append(raw)
    if not turns_raw:
        raise NotMinutesError(
            "議事録として読み取れませんでした（「○」で始まる発言がありません）。個人情報保護委員会の議事録を指定してください。"
        )

    header = _header(lines, vocab)
    norm_text = normalize(text)
    m = _MEETING_OPEN.search(norm_text) or _MEETING_ANY.search(norm_text)
    meeting = int(m.group(1)) if m else None
    date = find_date(" ".join(header.get("日時", []))) or find_date("\n".join(lines[:15]))
    agenda = _agenda(text, header)
    turns = [SpeakerTurn(speaker=s, role=r, text=_join_paragraphs(body)) for s, r, body in turns_raw]

    src = (source or Source(kind="minutes")).model_copy()
    src.kind = "minutes"
    src.meeting = src.meeting or meeting
    src.date = src.date or date
    if not src.title and meeting:
        src.title = f"第{meeting}回個人情報保護委員会 議事録"
    basis = src.path or f"{meeting}|{date}|{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"
    slug = f"minutes-{meeting}" if meeting else "minutes-" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:10]

    speakers = {compact(t.speaker) for t in turns}
    remarks: list[Remark] = []
    current = agenda[0] if len(agenda) == 1 else None
    for t in turns:
        # the agenda item under discussion: the last one a turn announced
        for i, item in enumerate(agenda):
            if compact(item) in compact(t.text) or re.search(rf"議題\s*{i + 1}(?!\d)", t.text):
                current = item
        if t.role not in vocab.commissioner_roles:
            continue
        substantive = [s for s in _sentences(t.text) if not _is_procedural(s, vocab, speakers)]
        if sum(len(compact(s)) for s in substantive) < vocab.min_substantive_chars:
            continue
        remarks.append(
            Remark(
                id=f"{slug}-r{len(remarks) + 1}",
                speaker=t.speaker,
                text=t.text,
                assessment=_assessment(current),
                refers_to=refers_to(t.text),
                checkpoints=checkpoints_named("".join(substantive)),
                source=src.model_copy(update={"agency": src.agency or _agency(current)}),
            )
        )
    return Minutes(
        meeting_number=meeting,
        date=date,
        attendees=_attendees(header.get("出席者", [])),
        agenda=agenda,
        turns=turns,
        remarks=remarks,
    )
