"""Layout agreement of `pia check`, measured through the Engine: the same content gives the same result in any layout.

The layout mutator (tests/layouts/, in a checkout of the repository) renders every sample of examples/ in many
real-world layouts; each variant's 86 results are compared with those of the reference layout (the committed Word
render). Reported per variant kind: variants, variants with every result unchanged, results agreeing / compared.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel, Field

from bot.engine import Engine

TESTS = Path(__file__).resolve().parents[2] / "tests"


class KindDifference(BaseModel):
    variant: str
    error: str | None = None
    changed: list[str] = Field(default_factory=list, description="id: reference status → variant status")


class KindAgreement(BaseModel):
    kind: str
    about: str
    variants: int
    identical: int
    results: int
    agreeing: int
    agreement: float
    differences: list[KindDifference] = Field(default_factory=list)


class LayoutAgreement(BaseModel):
    available: bool = True
    reason: str | None = None
    set: str = "fast"
    variants: int = 0
    identical: int = 0
    results: int = 0
    agreeing: int = 0
    agreement: float = 1.0
    kinds: list[KindAgreement] = Field(default_factory=list)


def evaluate_layouts(engine: Engine, which: str = "fast") -> LayoutAgreement:
    """`which`: fast (one variant of each kind), all (every variant) or none."""
    if which == "none":
        return LayoutAgreement(available=False, reason="--layouts none", set=which)
    if not (TESTS / "layouts" / "variants.py").is_file():
        return LayoutAgreement(available=False, reason="the layout mutator (tests/layouts) is not in this installation",
                               set=which)
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from layouts.agreement import Agreement, by_kind
    from layouts.variants import all_variants, fast_variants

    variants = all_variants() if which == "all" else fast_variants()
    outcomes = Agreement(engine).run(variants)
    results = sum(o.results for o in outcomes)
    agreeing = sum(o.agreeing for o in outcomes)
    return LayoutAgreement(
        set=which,
        variants=len(outcomes),
        identical=sum(1 for o in outcomes if o.ok),
        results=results,
        agreeing=agreeing,
        agreement=round(agreeing / results, 4) if results else 1.0,
        kinds=[KindAgreement(**row) for row in by_kind(outcomes)],
    )
