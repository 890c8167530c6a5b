"""examples/: the sample drafts render in every format, the committed renders are up to date, the loaders read them
back with the form's labels, PDF page numbers are right, and the expected-findings manifests are consistent."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

from bot.catalog import load_catalog
from bot.loaders import load_document
from bot.text import compact

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
REASONS = {"empty", "placeholder", "vague", "inconsistent", "missing_section", "risk_remaining", "rule"}
PLACEHOLDERS = ["○○", "××", "TBD", "未定", "検討中", "記載予定", "【　】", "【　　】"]


def _build_module():
    spec = importlib.util.spec_from_file_location("examples_build", EXAMPLES / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["examples_build"] = module
    spec.loader.exec_module(module)
    return module


build = _build_module()
SOURCES = [build.load_source(p) for p in build.all_sources()]
NAMES = [d.name for d in SOURCES]


@pytest.fixture(scope="session")
def render(tmp_path_factory):
    """Renders a source in a format (or the large benchmark PDF) fresh into a temporary folder, each once a session:
    the fast loop renders only what its tests compare."""
    if not build.FONT_PATH.exists():
        pytest.fail(
            f"IPAex Gothic font missing at {build.FONT_PATH}: `apt-get install -y fonts-ipaexfont-gothic` "
            "(scripts/bootstrap.sh and .ci install it); the PDF renderer cannot run without it"
        )
    out = tmp_path_factory.mktemp("renders")

    def get(name: str, fmt: str) -> Path:
        path = out / f"{name}.{fmt}"
        if not path.exists():
            draft = build.large_draft() if name == build.LARGE_NAME else next(d for d in SOURCES if d.name == name)
            assert build.render(draft, fmt, out) == path
        return path

    return get


def test_sources_exist_with_manifests():
    assert {"sample_complete", "sample_national_defects", "sample_local_defects",
            "sample_vaccination_defects"} <= set(NAMES)
    for name in NAMES:
        assert (EXAMPLES / "src" / f"{name}.expected.yaml").exists(), name


def test_build_writes_every_source_in_every_format_and_the_large_pdf(monkeypatch, tmp_path):
    """What `python examples/build.py --large` writes (each render itself is compared below, one per test)."""
    monkeypatch.setattr(build, "render", lambda draft, fmt, out_dir: Path(out_dir) / f"{draft.name}.{fmt}")
    monkeypatch.setattr(build, "render_pdf", lambda draft, out: out)
    written = build.build(out_dir=tmp_path, large=True)
    assert len(written) == len(SOURCES) * len(build.FORMATS) + 1
    assert set(written) == {tmp_path / f"{n}.{f}" for n in NAMES for f in build.FORMATS} | {
        tmp_path / f"{build.LARGE_NAME}.pdf"}


# every format of the complete sample in the fast loop; the other samples' renders with the slow tests
RENDERS = [pytest.param(name, marks=pytest.mark.slow) if name != "sample_complete" else name for name in NAMES]


@pytest.mark.parametrize("fmt", build.FORMATS)
@pytest.mark.parametrize("name", RENDERS)
def test_committed_render_is_up_to_date(render, name, fmt):
    committed = EXAMPLES / f"{name}.{fmt}"
    assert committed.exists(), f"{committed} missing: run `python examples/build.py --large`"
    fresh = load_document(render(name, fmt))
    old = load_document(committed)
    assert old.pages == fresh.pages, f"{committed.name} is stale: run `python examples/build.py --large`"


@pytest.mark.slow  # renders 60 pages
def test_large_pdf_is_up_to_date_and_60_pages(render):
    fresh = load_document(render(build.LARGE_NAME, "pdf"))
    old = load_document(EXAMPLES / f"{build.LARGE_NAME}.pdf")
    assert old.pages == fresh.pages
    assert 60 <= len(old.pages) <= 64
    # the second file's Ⅱ and Ⅲ are there
    assert compact(old.text).count(compact("個人住民税（特別徴収）ファイル")) >= 3


def _field_labels(draft, fmt):
    style = build.STYLES[fmt]
    return [build.label(n.text, style) for n in draft.nodes if n.kind == "f"]


@pytest.mark.parametrize("fmt", build.FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_loaders_read_every_label_back_in_order(name, fmt):
    """Every field label of the source is in the committed render, in form order (labels compared without spaces)."""
    draft = next(d for d in SOURCES if d.name == name)
    text = compact(load_document(EXAMPLES / f"{name}.{fmt}").text)
    pos = 0
    for lab in _field_labels(draft, fmt):
        key = compact(lab)
        found = text.find(key, pos)
        assert found >= 0, f"{name}.{fmt}: label {lab!r} not found after position {pos}"
        pos = found + len(key)


@pytest.mark.parametrize("name", NAMES)
def test_pdf_page_numbers(name):
    doc = load_document(EXAMPLES / f"{name}.pdf")
    for number, page in enumerate(doc.pages, start=1):
        lines = [x.strip() for x in page.strip().split("\n")]
        assert f"- {number} -" == lines[-1], f"page {number} ends with {lines[-1]!r}"
        assert lines[0] == next(d for d in SOURCES if d.name == name).meta["header"]
    # each section starts on a new page: the page of its heading is right after the previous section's pages
    first_pages = [i for i, p in enumerate(doc.pages, start=1)
                   if re.search(r"^Ⅲ 特定個人情報ファイルの取扱い", p, re.M)]
    assert first_pages, "section Ⅲ heading not found at the start of a line"


def test_complete_sample_is_at_least_30_pages():
    assert len(load_document(EXAMPLES / "sample_complete.pdf").pages) >= 30


@pytest.mark.parametrize("name", NAMES)
def test_page_structure_of_other_formats(name):
    draft = next(d for d in SOURCES if d.name == name)
    n_sections = sum(1 for n in draft.nodes if n.kind == "h1")
    assert len(load_document(EXAMPLES / f"{name}.docx").pages) == n_sections  # explicit page break per section
    assert len(load_document(EXAMPLES / f"{name}.xlsx").pages) == n_sections  # one sheet per section
    assert len(load_document(EXAMPLES / f"{name}.txt").pages) == n_sections  # form feed per section
    assert len(load_document(EXAMPLES / f"{name}.md").pages) == 1


def test_label_variants_per_format():
    """Each render writes the labels its own way (see examples/README.md)."""
    name = "sample_complete"
    docx = load_document(EXAMPLES / f"{name}.docx").text
    pdf = load_document(EXAMPLES / f"{name}.pdf").text
    xlsx = load_document(EXAMPLES / f"{name}.xlsx").text
    txt = load_document(EXAMPLES / f"{name}.txt").text
    md = load_document(EXAMPLES / f"{name}.md").text
    assert "①事務の名称" in docx and "[○] 庁内連携システム" in docx
    assert "① 事務の名称" in pdf and "■庁内連携システム" in pdf and "□住民基本台帳ネットワークシステム" in pdf
    assert re.search(r"^III 特定個人情報ファイルの取扱い", xlsx, re.M) and "Ⅲ 特定個人情報ファイルの取扱い" not in xlsx
    assert "１． 特定個人情報ファイルを取り扱う事務" in txt and "リスク１：" in txt
    assert "| ①事務の名称 |" in md and "☑ 庁内連携システム" in md and "☐ 住民基本台帳ネットワークシステム" in md
    # the choice field reads the same everywhere once white space (and Markdown's <br>) is removed
    for text in (docx, pdf, xlsx, txt, md.replace("<br>", " ")):
        assert compact("[ 十分である ] <選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている") in compact(
            text)


def test_complete_sample_has_no_placeholder_outside_option_lists():
    for fmt in build.FORMATS:
        text = load_document(EXAMPLES / f"sample_complete.{fmt}").text
        cleaned = compact(text).replace("3)未定", "")
        for token in PLACEHOLDERS:
            assert compact(token) not in cleaned, f"sample_complete.{fmt} contains {token!r}"


@pytest.mark.parametrize("name", ["sample_national_defects", "sample_local_defects"])
def test_planted_placeholders_survive_every_render(name):
    manifest = yaml.safe_load((EXAMPLES / "src" / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    planted = {t for d in manifest["defects"] if d["kind"] == "placeholder"
               for t in PLACEHOLDERS if t in d["description"]}
    assert planted, "no placeholder defects described"
    for fmt in build.FORMATS:
        text = compact(load_document(EXAMPLES / f"{name}.{fmt}").text)
        for token in planted:
            assert compact(token) in text, f"{name}.{fmt} lost the planted {token!r}"


def _manifests():
    return {
        p.name.removesuffix(".expected.yaml"): yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((EXAMPLES / "src").glob("*.expected.yaml"))
    }


def test_manifests_are_consistent():
    catalog_ids = set(load_catalog().ids())
    manifests = _manifests()
    assert set(manifests) == set(NAMES)
    n_defects = n_traps = 0
    kinds = set()
    for name, m in manifests.items():
        assert m["draft"] == name
        assert m["body_kind"] in ("local", "national")
        assert m["body_kind"] == next(d for d in SOURCES if d.name == name).meta["body_kind"]
        flagged, kept = set(), set()
        for d in m["defects"]:
            assert d["checkpoints"], d
            assert d["kind"] in REASONS and set(d.get("also", [])) <= REASONS, d
            for cp in d["checkpoints"]:
                assert str(cp) in catalog_ids, f"{name} {d['id']}: unknown checkpoint {cp}"
            flagged |= {str(c) for c in d["checkpoints"]}
            kinds.add(d["kind"])
        for t in m["traps"]:
            for cp in t["not_flagged"]:
                assert str(cp) in catalog_ids, f"{name} {t['id']}: unknown checkpoint {cp}"
            kept |= {str(c) for c in t["not_flagged"]}
        assert not flagged & kept, f"{name}: checkpoints both flagged and kept: {flagged & kept}"
        assert m["expect_no_flags"] == (not m["defects"])
        ids = [x["id"] for x in m["defects"] + m["traps"]]
        assert len(ids) == len(set(ids))
        n_defects += len(m["defects"])
        n_traps += len(m["traps"]) if m["defects"] else 0
    assert n_defects >= 20 and n_traps >= 8
    assert kinds == REASONS, f"reason codes not covered by a planted defect: {REASONS - kinds}"


def test_body_kinds_fill_the_right_procedure():
    """A local government fills Ⅵ 3. (third-party inspection), a national agency Ⅵ 4. (Commission approval)."""
    for draft in SOURCES:
        fields = [(n.text, n.value or "") for n in draft.nodes if n.kind == "f"]
        submitted = next(v for t, v in fields if t == "①提出日")
        if draft.meta["body_kind"] == "national":
            assert submitted.startswith("令和")
        else:
            assert "該当なし" in submitted


def test_font_missing_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(build, "FONT_PATH", tmp_path / "no-such-font.ttf")
    with pytest.raises(build.FontMissingError, match="fonts-ipaexfont-gothic"):
        build.render_pdf(SOURCES[0], tmp_path / "x.pdf")
    assert build.main(["--out", str(tmp_path), "--format", "pdf", SOURCES[0].name]) == 2
