"""Flag quality of `pia check` on the sample drafts of examples/: precision and recall at checkpoint level.

Each manifest `<draft>.expected.yaml` lists the planted defects (checkpoints that must be flagged: status incomplete
or missing) and the traps (legitimate answers whose checkpoints must not be flagged). Manifests are read from
`examples/src/` (drafts rendered by examples/build.py into examples/), from each folder of `examples/external/`
(drafts written and laid out by other hands, next to their manifest), and, for a folder given with
`pia eval --samples DIR`, from DIR itself. Every format of the draft (<draft>.<fmt>) is checked; the flagged set is
compared with the union of
the defects' checkpoints, plus the viewpoints those checkpoints belong to (a viewpoint never reads better than the
worst of its own checkpoints, rules.md). A draft with `expect_no_flags` must come out with no flag at all.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from bot.engine import Engine, PrecedentMode
from bot.errors import PiaError
from bot.models import FLAG_STATUSES

FLAGGED = FLAG_STATUSES


class Defect(BaseModel):
    id: str
    where: str = ""
    checkpoints: list[str]
    kind: str | None = None
    also: list[str] = Field(default_factory=list)
    description: str = ""


class Trap(BaseModel):
    id: str
    where: str = ""
    not_flagged: list[str]
    description: str = ""


class Manifest(BaseModel):
    draft: str
    body_kind: str | None = None
    formats: list[str] = Field(default_factory=lambda: ["docx", "pdf", "xlsx", "txt", "md"])
    expect_no_flags: bool = False
    defects: list[Defect] = Field(default_factory=list)
    traps: list[Trap] = Field(default_factory=list)

    @property
    def expected(self) -> set[str]:
        return {str(c) for d in self.defects for c in d.checkpoints}


class DraftFlags(BaseModel):
    draft: str
    format: str
    tp: int
    fp: int
    fn: int
    false_flags: list[str] = Field(default_factory=list)
    missed: list[str] = Field(default_factory=list)
    missed_defects: list[str] = Field(default_factory=list)
    traps_violated: list[str] = Field(default_factory=list)
    wrong_kind: list[str] = Field(default_factory=list, description="defects flagged with none of the expected codes")
    error: str | None = None


class FormatScore(BaseModel):
    format: str
    precision: float
    recall: float
    tp: int
    fp: int
    fn: int
    traps_violated: int
    complete_false_flags: int


class FlagScore(BaseModel):
    formats: list[FormatScore]
    drafts: list[DraftFlags]
    precision: float
    recall: float
    traps_violated: int

    @property
    def ok(self) -> bool:
        return all(f.recall >= 0.95 and f.precision >= 0.9 and f.complete_false_flags == 0 for f in self.formats)


def default_examples_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "examples"


def load_manifests(examples_dir: Path) -> list[tuple[Manifest, Path]]:
    """Each manifest with the folder its draft's files are in."""
    out: list[tuple[Manifest, Path]] = []
    places = [(examples_dir / "src", examples_dir), (examples_dir, examples_dir)]
    places += [(d, d) for d in sorted((examples_dir / "external").glob("*")) if d.is_dir()]
    for manifests, files in places:
        for p in sorted(manifests.glob("*.expected.yaml")):
            out.append((Manifest(**yaml.safe_load(p.read_text(encoding="utf-8"))), files))
    return out


# defects that leave a field of the form unwritten (absent, empty, a placeholder): viewpoint (6) asks whether every
# item of the form is written
UNWRITTEN_KINDS = {"empty", "missing_section", "placeholder"}


def expected_flags(manifest: Manifest, catalog=None) -> set[str]:
    """The defects' checkpoints and the viewpoints made of them ((10) and (11) for a flagged Ⅲ measure; (6) for a
    field left unwritten)."""
    if catalog is None:
        from bot.catalog import load_catalog

        catalog = load_catalog()
    expected = set(manifest.expected)
    unwritten = any({d.kind, *d.also} & UNWRITTEN_KINDS and any(not c.startswith("V") for c in d.checkpoints)
                    for d in manifest.defects)
    return expected | {vp.id for vp in catalog.viewpoints if set(vp.checkpoints) & expected} | (
        {"V6"} if unwritten else set())


def score_report(manifest: Manifest, fmt: str, report, catalog=None) -> DraftFlags:
    flagged = {r.id for r in report.checkpoints if r.status in FLAGGED}
    by_id = {r.id: r for r in report.checkpoints}
    expected = expected_flags(manifest, catalog)
    missed_defects, wrong_kind = [], []
    for d in manifest.defects:
        ids = [str(c) for c in d.checkpoints]
        if not all(c in flagged for c in ids):
            missed_defects.append(d.id)
        elif d.kind:
            codes = {d.kind, *d.also}
            if not any(r.code in codes for c in ids for r in by_id[c].reasons):
                wrong_kind.append(d.id)
    traps = [t.id for t in manifest.traps if any(str(c) in flagged for c in t.not_flagged)]
    return DraftFlags(
        draft=manifest.draft,
        format=fmt,
        tp=len(flagged & expected),
        fp=len(flagged - expected),
        fn=len(expected - flagged),
        false_flags=sorted(flagged - expected, key=_order),
        missed=sorted(expected - flagged, key=_order),
        missed_defects=missed_defects,
        traps_violated=traps,
        wrong_kind=wrong_kind,
    )


def _order(cid: str) -> tuple:
    return (1, int(cid[1:])) if cid.startswith("V") else (0, int(cid))


def evaluate_flags(engine: Engine, examples_dir: Path | None = None, precedents: PrecedentMode = "none") -> FlagScore:
    """Check every rendered sample draft and score the flags against the manifests."""
    examples_dir = Path(examples_dir) if examples_dir else default_examples_dir()
    drafts: list[DraftFlags] = []
    for manifest, folder in load_manifests(examples_dir):
        for fmt in manifest.formats:
            path = folder / f"{manifest.draft}.{fmt}"
            if not path.exists():
                expected = expected_flags(manifest, engine.catalog)
                drafts.append(DraftFlags(draft=manifest.draft, format=fmt, tp=0, fp=0, fn=len(expected),
                                         missed=sorted(expected, key=_order), error="file not found"))
                continue
            try:
                report = engine.check(path, precedents=precedents)
            except PiaError as e:  # a draft the checker refuses (not read as an assessment): every flag missed
                expected = expected_flags(manifest, engine.catalog)
                drafts.append(DraftFlags(draft=manifest.draft, format=fmt, tp=0, fp=0, fn=len(expected),
                                         missed=sorted(expected, key=_order), error=str(e)))
                continue
            drafts.append(score_report(manifest, fmt, report, engine.catalog))
    formats = []
    for fmt in sorted({d.format for d in drafts}):
        ds = [d for d in drafts if d.format == fmt]
        tp, fp, fn = sum(d.tp for d in ds), sum(d.fp for d in ds), sum(d.fn for d in ds)
        complete = [d for d in ds if not _manifest(drafts, d) and d.fp]
        formats.append(
            FormatScore(
                format=fmt,
                precision=round(tp / (tp + fp), 4) if tp + fp else 1.0,
                recall=round(tp / (tp + fn), 4) if tp + fn else 1.0,
                tp=tp,
                fp=fp,
                fn=fn,
                traps_violated=sum(len(d.traps_violated) for d in ds),
                complete_false_flags=sum(d.fp for d in complete),
            )
        )
    tp, fp, fn = sum(d.tp for d in drafts), sum(d.fp for d in drafts), sum(d.fn for d in drafts)
    return FlagScore(
        formats=formats,
        drafts=drafts,
        precision=round(tp / (tp + fp), 4) if tp + fp else 1.0,
        recall=round(tp / (tp + fn), 4) if tp + fn else 1.0,
        traps_violated=sum(len(d.traps_violated) for d in drafts),
    )


def _manifest(drafts, d: DraftFlags) -> bool:
    """True when the draft has planted defects (tp + fn > 0), False for a complete draft."""
    return d.tp + d.fn > 0
