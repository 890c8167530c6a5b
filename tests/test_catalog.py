"""knowledge/catalog.yaml and knowledge/glossary.yaml through bot.catalog."""

from __future__ import annotations

import pytest

from bot.catalog import load_catalog, load_glossary, normalize_checkpoint_id
from bot.models import Checkpoint
from bot.text import ROMAN


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_74_numbered_checkpoints_with_unique_ids(catalog):
    ids = [c.id for c in catalog.checkpoints]
    assert len(ids) == len(set(ids)) == 74
    assert ids == [str(n) for n in range(1, 75)]
    assert all(c.number == int(c.id) for c in catalog.checkpoints)


def test_12_viewpoints_and_10_considerations(catalog):
    assert [v.id for v in catalog.viewpoints] == [f"V{n}" for n in range(1, 13)]
    assert [v.number for v in catalog.viewpoints] == list(range(1, 13))
    assert [c.id for c in catalog.considerations] == list("①②③④⑤⑥⑦⑧⑨⑩")
    assert catalog.ids()[:74] == [str(n) for n in range(1, 75)]
    assert catalog.ids()[74:] == [f"V{n}" for n in range(1, 13)]


def test_each_checkpoint_belongs_to_its_consideration(catalog):
    listed = {}
    for cons in catalog.considerations:
        for cid in cons.checkpoints:
            assert cid not in listed, f"{cid} listed under two considerations"
            listed[cid] = cons.id
    for cp in catalog.checkpoints:
        if cp.consideration is None:
            assert cp.id == "1"  # viewpoint (2) only, no consideration
            continue
        cons = catalog.consideration(cp.consideration)
        assert cons is not None, cp.id
        assert cp.id in cons.checkpoints, cp.id
        assert listed[cp.id] == cp.consideration
    # ① 2–7, ③ 24–31, ⑧ 62–69, ⑨ 70–73, ⑩ 74 (the seed's table)
    assert catalog.consideration("①").checkpoints == [str(n) for n in range(2, 8)]
    assert catalog.consideration("③").checkpoints == [str(n) for n in range(24, 32)]
    assert catalog.consideration("⑧").checkpoints == [str(n) for n in range(62, 70)]
    assert catalog.consideration("⑨").checkpoints == ["70", "71", "72", "73"]
    assert catalog.consideration("⑩").checkpoints == ["74"]


def test_viewpoints_and_checkpoints_agree(catalog):
    for cp in catalog.checkpoints:
        assert cp.viewpoints, cp.id
        for vid in cp.viewpoints:
            vp = catalog.viewpoint(vid)
            assert vp is not None and cp.id in vp.checkpoints, (cp.id, vid)
    assert catalog.viewpoint("V2").checkpoints == ["1"]
    for vid in ("V1", "V3", "V4", "V5", "V6", "V7", "V9", "V12"):
        assert catalog.viewpoint(vid).checkpoints == []


def test_every_checkpoint_has_text_title_section_form_path(catalog):
    for cp in catalog.checkpoints:
        assert cp.text.strip() and cp.text.endswith("か。"), cp.id
        assert cp.title.strip(), cp.id
        assert cp.section.strip(), cp.id
        assert cp.form_path, cp.id
        head = cp.section.split()[0]
        assert head in ROMAN[:6] or head == "表紙", cp.id
        assert cp.form_path[0] == head, cp.id
        assert cp.body_specific == (cp.consideration == "⑩"), cp.id


def test_lookup_accepts_the_ways_ids_are_written(catalog):
    assert catalog.checkpoint("41").title == catalog.checkpoint("４１").title == catalog.checkpoint(" 41 ").title
    assert catalog.viewpoint("(3)").id == catalog.viewpoint("V3").id == "V3"
    assert catalog.checkpoint("99") is None and catalog.checkpoint("abc") is None
    assert normalize_checkpoint_id("０７") == "7" and normalize_checkpoint_id("v12") == "V12"
    assert normalize_checkpoint_id("リスク") is None
    assert catalog.section("47") == "Ⅲ 4. 再委託" and catalog.title("V5") == catalog.viewpoint("V5").title


def test_with_extra_adds_body_specific_checkpoints_without_replacing(catalog):
    extra = [
        Checkpoint(id="75", number=75, text="コンビニ交付サービスのリスク対策を具体的に記載しているか。",
                   consideration="⑩", section="Ⅲ 7. リスク1", body_specific=True),
        Checkpoint(id="74", number=74, text="別の機関の74", consideration="⑩", section="Ⅲ", body_specific=True),
    ]
    ext = catalog.with_extra(extra)
    assert ext.checkpoint("75").text.startswith("コンビニ交付")
    assert ext.checkpoint("74").text == catalog.checkpoint("74").text
    assert [c.id for c in ext.checkpoints][-2:] == ["74", "75"]
    assert catalog.checkpoint("75") is None  # the loaded catalog itself is unchanged


@pytest.mark.parametrize(
    "term,expected",
    [
        ("マイナンバー", ["個人番号"]),
        ("外部の業者", ["委託先"]),
        ("USBメモリ", ["電子記録媒体", "フラッシュメモリ"]),
        ("亡くなった人", ["死者"]),
        ("パブコメ", ["意見聴取"]),
        ("退職者", ["元職員"]),
    ],
)
def test_glossary_maps_everyday_words_to_the_forms_words(term, expected):
    entries = {e.term: e.form_terms for e in load_glossary()}
    assert term in entries
    for form_term in expected:
        assert form_term in entries[term]


def test_glossary_terms_are_unique_and_non_empty():
    entries = load_glossary()
    terms = [e.term for e in entries]
    assert len(terms) == len(set(terms))
    assert all(e.form_terms and all(t.strip() for t in e.form_terms) for e in entries)
