"""The metamorphic layout suite: the same content gives the same result in any layout.

Each sample's source (examples/src/<name>.yaml) is rendered by the layout mutator (tests/layouts/, its own code, not
examples/build.py) in many real-world layouts: Word templates (a heading, then a table repeating its label), Excel
sheets and their PDF prints (label and value on one text line), pasted text, page numbers and running headers
anywhere (mid-block, mid-value), numbering styles, full/half width, references at the start of a value, merged cells,
wrapped choice legends, `－` answers. Every one of the 86 results must keep the status it has in the reference layout
(the committed Word render). One variant of each kind runs by default; the other variants are marked slow.
"""

from __future__ import annotations

import re

import pytest

from layouts.agreement import Agreement, by_kind
from layouts.source import EXAMPLES, load, sample_names
from layouts.variants import KINDS, all_variants, fast_variants, render

FAST = fast_variants()
FAST_IDS = {v.id for v in FAST}
SLOW = [v for v in all_variants() if v.id not in FAST_IDS]


@pytest.fixture(scope="module")
def agreement(check_engine) -> Agreement:
    return Agreement(check_engine)


def _assert_same(agreement: Agreement, variant, folder) -> None:
    out = agreement.outcome(variant, folder)
    assert out.error is None, f"{variant.id}: {out.error}"
    assert not out.differences, f"{variant.id} (render kept in {folder}): " + ", ".join(
        f"{cid} {a}→{b}" for cid, a, b in out.differences)
    assert out.results == out.agreeing == 86


@pytest.mark.parametrize("variant", FAST, ids=lambda v: v.id)
def test_a_variant_of_each_kind_keeps_every_status(agreement, variant, tmp_path):
    _assert_same(agreement, variant, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("variant", SLOW, ids=lambda v: v.id)
def test_every_variant_keeps_every_status(agreement, variant, tmp_path):
    _assert_same(agreement, variant, tmp_path)


def test_the_set_covers_every_sample_kind_and_format():
    variants = all_variants()
    assert len(variants) >= 200
    assert {v.sample for v in variants} == set(sample_names())
    assert len(sample_names()) >= 6
    assert {v.kind for v in variants} == set(KINDS)
    assert {v.fmt for v in variants} == {"docx", "xlsx", "pdf", "txt"}
    for kind in KINDS:
        assert {v.sample for v in variants if v.kind == kind} == set(sample_names()), kind
    assert {v.sample for v in FAST} == set(sample_names()) and {v.kind for v in FAST} == set(KINDS)


def test_the_set_is_reproducible(tmp_path):
    from bot.loaders import load_document

    assert all_variants() == all_variants()
    v = next(v for v in all_variants() if v.kind == "mixed" and v.fmt == "docx")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert load_document(render(v, a)).pages == load_document(render(v, b)).pages


def _text(v, folder) -> str:
    from bot.loaders import load_document

    return "\n".join(load_document(render(v, folder)).pages)


def _one(kind: str, fmt: str, sample: str | None = None):
    return next(v for v in all_variants() if v.kind == kind and v.fmt == fmt and (sample is None or v.sample == sample))


def test_the_layouts_are_the_real_worlds(tmp_path):
    """Each kind really lays the content out its way (the suite would prove nothing on copies of the reference)."""
    reference = _text_of_reference("sample_complete")
    # Word template: a heading, then a table whose first row repeats the heading's label with the value
    word = _text(_one("word_template", "docx", "sample_complete"), tmp_path)
    assert re.search(r"1\.\s*特定個人情報ファイル名\n特定個人情報ファイル名\t個人住民税ファイル", word)
    # Excel print: label and value on one text line
    pdf = _text(_one("excel_print", "pdf", "sample_complete"), tmp_path)
    assert re.search(r"評価実施機関名\s+みなと川市長", pdf)
    # page numbers inside the content, not only at the ends of pages
    noisy = _text(_one("page_noise", "txt"), tmp_path)
    lines = noisy.split("\n")
    mark = re.compile(r"\s*(?:[-－] \d+ [-－]|\d+ / \d+|P\.\d+|\d+ページ)\s*")
    marks = [i for i, ln in enumerate(lines) if mark.fullmatch(ln)]
    assert len(marks) >= 5 and any(0 < i < len(lines) - 1 for i in marks)
    # references written with the section number at the start of the value
    refs = [_text(v, tmp_path) for v in all_variants() if v.kind == "cross_refs" and v.sample == "sample_complete"]
    assert any(re.search(r"(?:Ⅱ|II|ＩＩ)\s*(?:2|２)\s*[.．]\s*③\s*対象となる本人の範囲と同じ", t) for t in refs)
    # every kind changes the text the reader sees
    for kind in KINDS:
        v = _one(kind, KINDS[kind][1][0], "sample_complete")
        assert _text(v, tmp_path) != reference, kind


def _text_of_reference(sample: str) -> str:
    from bot.loaders import load_document

    return "\n".join(load_document(EXAMPLES / f"{sample}.docx").pages)


def test_sources_are_read_whole():
    """The mutator renders every node of every source (its content, not the renderer's, is what is compared)."""
    for name in sample_names():
        draft = load(name)
        assert draft.nodes and draft.header
        fields = [n for n in draft.nodes if n.kind == "f"]
        assert all(n.is_choice or n.is_boxes or n.value is not None for n in fields), name
        assert all(n.label.words or n.label.instance for n in draft.nodes if n.kind != "p"), name


def test_agreement_per_kind_is_reported(agreement, tmp_path):
    outcomes = [agreement.outcome(v, tmp_path) for v in FAST[:2]]
    rows = by_kind(outcomes)
    assert [r["kind"] for r in rows] == [v.kind for v in FAST[:2]]
    assert all(r["results"] == 86 and 0 <= r["agreeing"] <= 86 for r in rows)
