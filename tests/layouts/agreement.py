"""The metamorphic invariant: a variant rendering of a sample gives every one of the 86 results the status it has in
the reference layout (the committed Word render, examples/<sample>.docx)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from layouts.source import EXAMPLES
from layouts.variants import KINDS, Variant, render

REFERENCE_FORMAT = "docx"


@dataclass
class VariantOutcome:
    variant: Variant
    results: int = 0
    agreeing: int = 0
    differences: list[tuple[str, str, str]] = field(default_factory=list)  # (id, reference status, variant status)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.differences


def statuses(engine, path: Path) -> dict[str, str]:
    """The 86 statuses of a check, through the Engine."""
    report = engine.check(path, precedents="none")
    return {r.id: r.status for r in report.checkpoints}


class Agreement:
    def __init__(self, engine):
        self.engine = engine
        self._reference: dict[str, dict[str, str]] = {}

    def reference(self, sample: str) -> dict[str, str]:
        if sample not in self._reference:
            self._reference[sample] = statuses(self.engine, EXAMPLES / f"{sample}.{REFERENCE_FORMAT}")
        return self._reference[sample]

    def outcome(self, v: Variant, folder: Path) -> VariantOutcome:
        ref = self.reference(v.sample)
        out = VariantOutcome(variant=v, results=len(ref))
        try:
            got = statuses(self.engine, render(v, folder))
        except Exception as e:  # a variant the reader refuses is a disagreement on every result, said once
            out.error = f"{type(e).__name__}: {e}"
            return out
        for cid, status in ref.items():
            if got.get(cid) == status:
                out.agreeing += 1
            else:
                out.differences.append((cid, status, got.get(cid, "-")))
        return out

    def run(self, variants: Iterable[Variant], folder: Path | None = None) -> list[VariantOutcome]:
        if folder is None:
            with tempfile.TemporaryDirectory(prefix="pia-layouts-") as tmp:
                return [self.outcome(v, Path(tmp)) for v in variants]
        return [self.outcome(v, folder) for v in variants]


def by_kind(outcomes: list[VariantOutcome]) -> list[dict]:
    """Agreement per variant kind: variants, variants with every result unchanged, results agreeing / compared."""
    rows = []
    for kind, (about, _) in KINDS.items():
        mine = [o for o in outcomes if o.variant.kind == kind]
        if not mine:
            continue
        results = sum(o.results for o in mine)
        agreeing = sum(o.agreeing for o in mine)
        rows.append({
            "kind": kind,
            "about": about,
            "variants": len(mine),
            "identical": sum(1 for o in mine if o.ok),
            "results": results,
            "agreeing": agreeing,
            "agreement": round(agreeing / results, 4) if results else 1.0,
            "differences": [
                {"variant": o.variant.id, "error": o.error,
                 "changed": [f"{cid}: {a} → {b}" for cid, a, b in o.differences]}
                for o in mine if not o.ok
            ],
        })
    return rows
