"""What one check leaves for the next round: a RoundRecord of the report's statuses and salted field hashes.

Foundation (tests/test_layering.py): the xlsx report writes it into its hidden sheet (presentation), the rounds
service compares with it, the Slack round store keeps it. No draft text goes in: each field is an HMAC-SHA256 of
its value keyed with a random salt of the record, under a key made of its form field id and a digest of its form
path; a later round hashes its own fields with the old record's salt to see which changed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime

from bot.models import FLAG_STATUSES, CheckReport, DraftField, RoundRecord
from bot.text import normalize

RECORD_VERSION = 1


def _digest(salt: str, key: str, value: str) -> str:
    mac = hmac.new(bytes.fromhex(salt), f"{key}\x00{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:24]


def field_keys(fields: list[DraftField]) -> list[str]:
    """A stable key per field: its form field id and a digest of its path and label (the form's structure, e.g. which
    委託事項), numbered when repeated: `iii_2_r1_measure|3f2a…`. No text of the field is in it."""
    seen: dict[str, int] = {}
    out = []
    for f in fields:
        where = hashlib.sha256("/".join([*f.path, f.label]).encode()).hexdigest()[:12]
        base = f"{f.field_id or '-'}|{where}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else f"{base}#{n + 1}")
    return out


def _field_value(f: DraftField) -> str:
    return normalize("\n".join([f.value or "", f.choice or "", "、".join(f.checks)]))


def field_hashes(fields: list[DraftField], salt: str) -> dict[str, str]:
    return {k: _digest(salt, k, _field_value(f)) for k, f in zip(field_keys(fields), fields, strict=True)}


def record_of(report: CheckReport, salt: str | None = None) -> RoundRecord:
    salt = salt or secrets.token_hex(16)
    return RoundRecord(
        version=RECORD_VERSION,
        salt=salt,
        checked_at=datetime.now(UTC).isoformat(timespec="seconds"),
        format=report.document.format,
        statuses={r.id: r.status for r in report.checkpoints},
        fields=field_hashes(report.fields, salt),
    )


def flagged_ids(statuses: Mapping[str, str]) -> set[str]:
    return {cid for cid, s in statuses.items() if s in FLAG_STATUSES}
