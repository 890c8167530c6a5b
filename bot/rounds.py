"""Review rounds: a revised draft checked against the last round (`pia check NEW --since OLD`, and Slack re-checks).

A round is remembered as a RoundRecord (bot/round_record.py): each checkpoint's status and, per field, an
HMAC-SHA256 of its value keyed with a random salt of the record. No draft text is kept anywhere: not in the xlsx
report's hidden sheet, not in the Slack store. The hashes only tell whether a field changed between two rounds.
The Engine reads OLD (the previous draft, checked again in memory, or the xlsx report of the previous check with the
審査側コメント / 作成側の対応 written in it) into a PreviousRound; then

- apply_round(report, previous): sets report.changes (fixed / new / still: ids of incomplete|missing checkpoints),
  carries the two comment columns forward for checkpoints still open, and lists the still-open checkpoints whose
  fields were not edited (report.unedited);
- RoundStore: the Slack side's memory (sqlite in the data dir) of the last round per thread and per
  (channel, user, 評価書名), expired after `pia_round_retention_days`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.form import load_form
from bot.models import FLAG_STATUSES, CheckChanges, CheckReport, PreviousRound, RoundRecord
from bot.round_record import field_hashes, flagged_ids
from bot.text import normalize

# --------------------------------------------------------------------------- comparing two rounds


def compare(previous: RoundRecord, report: CheckReport) -> CheckChanges:
    """fixed: flagged before and not now; new: flagged now and not before; still: flagged in both (report order)."""
    before = flagged_ids(previous.statuses)
    now = {r.id for r in report.checkpoints if r.status in FLAG_STATUSES}
    order = [r.id for r in report.checkpoints] + [c for c in previous.statuses if c not in
                                                   {r.id for r in report.checkpoints}]
    return CheckChanges(fixed=[c for c in order if c in before and c not in now],
                        new=[c for c in order if c in now and c not in before],
                        still=[c for c in order if c in now and c in before])


def unedited(previous: RoundRecord, report: CheckReport, ids: list[str]) -> list[str]:
    """Of `ids`, those whose own fields (form.yaml maps fields to checkpoints) hash the same as in the previous
    round, with none added or removed. A checkpoint with no mapped field is never claimed unedited."""
    form = load_form()
    now = field_hashes(report.fields, previous.salt)
    out = []
    for cid in ids:
        specs = {s.id for s in form.for_checkpoint(cid)}
        if not specs:
            continue
        mine_now = {k: v for k, v in now.items() if k.split("|", 1)[0] in specs}
        mine_before = {k: v for k, v in previous.fields.items() if k.split("|", 1)[0] in specs}
        if mine_now and mine_now == mine_before:
            out.append(cid)
    return out


def changed_fields(previous: RoundRecord, report: CheckReport) -> int:
    """How many fields were added, removed or edited since the previous round."""
    now = field_hashes(report.fields, previous.salt)
    keys = set(now) | set(previous.fields)
    return sum(1 for k in keys if now.get(k) != previous.fields.get(k))


def apply_round(report: CheckReport, previous: PreviousRound) -> CheckReport:
    """The report with its round: changes, the comments carried forward, the still-open fields left as they were."""
    changes = compare(previous.record, report)
    report.changes = changes
    report.notes = {cid: note for cid, note in previous.notes.items()
                    if cid in changes.still and (note.reviewer or note.drafter)}
    report.unedited = unedited(previous.record, report, changes.still)
    return report


# --------------------------------------------------------------------------- Slack: the last round, for a while


class RoundStore:
    """The last rounds checked in Slack, for a re-check: by thread, and by (channel, user, 評価書名).

    sqlite in the data dir. What is stored: the place keys (Slack ids), an HMAC of the 評価書名 keyed with a secret
    of this store (never the name), the time, and the RoundRecord (statuses and field hashes). Rows older than the
    retention period are deleted on every use; retention 0 keeps nothing."""

    def __init__(self, data_dir: Path, retention_days: float):
        self.path = Path(data_dir) / "rounds.sqlite3"
        self.retention = float(retention_days) * 86400
        self._lock = threading.Lock()
        self._ready = False

    @property
    def enabled(self) -> bool:
        return self.retention > 0

    @contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        """One connection under the lock, committed and closed at the end."""
        with self._lock:
            conn = self._connect()
            try:
                with conn:
                    yield conn
            finally:
                conn.close()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=10)
        if not self._ready:
            conn.execute("CREATE TABLE IF NOT EXISTS rounds (thread TEXT, owner TEXT, title TEXT, "
                         "checked REAL NOT NULL, record TEXT NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS secret (k TEXT NOT NULL)")
            if conn.execute("SELECT COUNT(*) FROM secret").fetchone()[0] == 0:
                conn.execute("INSERT INTO secret VALUES (?)", (secrets.token_hex(32),))
            conn.commit()
            os.chmod(self.path, 0o600)
            self._ready = True
        return conn

    def _title_key(self, conn: sqlite3.Connection, title: str | None) -> str | None:
        t = normalize(title or "").strip()
        if not t:
            return None
        secret = conn.execute("SELECT k FROM secret").fetchone()[0]
        return hmac.new(bytes.fromhex(secret), t.encode(), hashlib.sha256).hexdigest()

    def _purge(self, conn: sqlite3.Connection, now: float) -> None:
        conn.execute("DELETE FROM rounds WHERE checked < ?", (now - self.retention,))

    def remember(self, record: RoundRecord, *, thread: str | None, owner: str | None, title: str | None,
                 now: float | None = None) -> None:
        if not self.enabled:
            return
        now = time.time() if now is None else now
        with self._session() as conn:
            self._purge(conn, now)
            conn.execute("INSERT INTO rounds VALUES (?, ?, ?, ?, ?)",
                         (thread, owner, self._title_key(conn, title), now, record.model_dump_json()))

    def recall(self, *, thread: str | None, owner: str | None, title: str | None,
               now: float | None = None) -> RoundRecord | None:
        """The last round in this thread; else the last one this owner checked under the same 評価書名."""
        if not self.enabled:
            return None
        now = time.time() if now is None else now
        with self._session() as conn:
            self._purge(conn, now)
            row = None
            if thread:
                row = conn.execute("SELECT record FROM rounds WHERE thread = ? ORDER BY checked DESC LIMIT 1",
                                   (thread,)).fetchone()
            key = self._title_key(conn, title)
            if row is None and owner and key:
                row = conn.execute("SELECT record FROM rounds WHERE owner = ? AND title = ? "
                                   "ORDER BY checked DESC LIMIT 1", (owner, key)).fetchone()
        return RoundRecord.model_validate(json.loads(row[0])) if row else None

    def count(self) -> int:
        with self._session() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0])
