"""Hybrid retrieval on the bundled knowledge indexed with the default embedder (USE), real Chroma.

Also: Sudachi tokenisation, explicit references (checkpoint numbers, form sections), glossary expansion.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.catalog import load_catalog
from bot.errors import PiaError
from bot.retrieval import Glossary, HybridRetriever, find_references, normalize_query
from bot.tokenize import tokenize

# --------------------------------------------------------------------------- tokenisation


def test_sudachi_drops_particles_and_normalises_spelling():
    toks = tokenize("引越しの届出と引っ越しの手続")
    assert toks.count("引っ越し") == 2  # 表記ゆれ unified by Sudachi's normalised form
    assert "の" not in toks and "と" not in toks


def test_sudachi_splits_compounds_and_keeps_form_labels():
    toks = tokenize("委託先の選定 Ⅲ 2. リスク3 と Ⅱ 6. ②")
    assert {"委託先", "委託", "選定"} <= set(toks)
    assert {"Ⅲ", "Ⅱ", "②", "リスク3"} <= set(toks)
    assert "2" in toks and "6" in toks


def test_sudachi_normalises_width_and_wrapped_text():
    assert tokenize("ＵＳＢメモリ") == tokenize("USBメモリ")
    assert tokenize("特定個人情報 ファイル") == tokenize("特定個人情報ファイル")


# --------------------------------------------------------------------------- query understanding


@pytest.mark.parametrize(
    "query, ids",
    [
        ("41番について", ["41"]),
        ("細目41の書き方", ["41"]),
        ("チェックポイント66ってなに", ["66"]),
        ("細目の12番", ["12"]),
        ("審査の観点(5)", ["V5"]),
        ("個人番号の真正性", []),  # 番号 inside 個人番号 is not a reference
        ("30万人以上", []),
    ],
)
def test_explicit_checkpoint_numbers(query, ids):
    refs = find_references(normalize_query(query), load_catalog())
    assert refs.ids == ids


@pytest.mark.parametrize(
    "query, sections",
    [
        ("Ⅲ 4. の再委託欄には何を書けばいい？", ["47"]),
        ("III 2 リスク3", ["27", "28", "29"]),
        ("III-7 リスク2", ["67"]),
        ("Ⅱ 6. ②", ["22"]),
        ("Ⅲ 7. リスク1 ⑩", ["66"]),
        ("Ⅲ 4. 閲覧者の制限", ["42"]),
        ("Ⅲ 5. その他のリスク", ["53"]),
        ("Ⅳ 1. ②", ["71"]),
    ],
)
def test_form_section_references(query, sections):
    refs = find_references(normalize_query(query), load_catalog())
    assert refs.sections == sections


def test_glossary_expands_everyday_words():
    g = Glossary()
    assert "電子記録媒体" in g.expand(normalize_query("USBメモリにコピー"))
    assert "死者" in g.expand(normalize_query("亡くなった人の番号"))
    assert "意見聴取" in g.expand(normalize_query("パブコメの期間"))
    assert "再委託" in g.expand(normalize_query("What about subcontracting?"))
    assert g.expand(normalize_query("委託先の選定")) == [] or "委託先" not in g.expand("委託先の選定")


def test_glossary_finds_a_term_by_its_lemmas():
    """「亡くなった人」 is also 「亡くなった方」, 「亡くなられた方」; 「辞めた職員」 also 「職員が辞めた」."""
    g = Glossary()
    for q in ("亡くなった方の番号", "亡くなられた方のマイナンバー"):
        assert "死者" in g.expand(normalize_query(q)), q
    assert "元職員" in g.expand(normalize_query("職員が辞めたあとのID"))
    assert "死者" not in g.expand(normalize_query("人の番号を保管する"))  # the lemma, not the one-character word


@pytest.mark.parametrize("query, checkpoint", [("USBメモリ", "39"), ("パブコメ", "V5")])
def test_glossary_expansion_lets_bm25_find_past_findings(seed_retriever, seed_settings, query, checkpoint):
    """Past findings never say 'USBメモリ' or 'パブコメ'; only the glossary (→ 電子記録媒体, 意見聴取…) finds them."""
    q = normalize_query(query)
    lex = seed_retriever._ready()
    findings = lex.kinds == "finding"

    with_glossary = seed_retriever.lexical_scores(q, lex)
    bare = HybridRetriever(seed_retriever.store, seed_settings)
    bare.glossary.entries = []
    without = bare.lexical_scores(q, bare._ready())

    assert not np.any(without[findings] > 0)
    top = [i for i in np.argsort(-with_glossary, kind="stable") if findings[i]][:2]
    assert with_glossary[top[0]] > 0
    assert any(checkpoint in lex.records[i].checkpoints for i in top)
    # and through the whole hybrid search
    hits = seed_retriever.search(query, kind="finding", k=2, mode="lexical")
    assert any(checkpoint in h.checkpoints for h in hits)
    assert bare.search(query, kind="finding", k=2, mode="lexical") == []


# --------------------------------------------------------------------------- search


def test_outsourcing_query_finds_checkpoint_41_first(seed_retriever):
    hits = seed_retriever.search("委託先の選定")
    assert hits[0].kind == "checkpoint" and hits[0].id == "41" and hits[0].checkpoints == ["41"]
    assert hits[0].source.path == "knowledge/catalog.yaml"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("41番", "41"),
        ("Ⅲ 4. の再委託欄には何を書けばいい？", "47"),
        ("III-7 リスク2", "67"),
        ("Ⅱ 6. ②", "22"),
        ("亡くなった人のマイナンバーはどう保管すればいい？", "66"),
        ("USBメモリにデータをコピーして持ち出せないようにしたい", "39"),
        ("How should we store the My Number of deceased people?", "66"),
    ],
)
def test_questions_find_their_checkpoint(seed_retriever, query, expected):
    assert seed_retriever.search(query, kind="checkpoint", k=3)[0].id == expected


def test_section_reference_returns_the_whole_section_first(seed_retriever):
    ids = [h.id for h in seed_retriever.search("III 2 リスク3", kind="checkpoint", k=3)]
    assert sorted(ids) == ["27", "28", "29"]


def test_kind_filter_and_provenance(seed_retriever):
    hits = seed_retriever.search("アクセスログの保存", kind="finding", k=5)
    assert hits and all(h.kind == "finding" for h in hits)
    assert all(h.source.agency == "出入国在留管理庁長官" and h.source.date == "2025-09-30" for h in hits)
    assert all(h.checkpoints for h in hits)
    remarks = seed_retriever.search("自己点検や監査を実効性のあるものに", kind="remark", k=3)
    assert remarks and remarks[0].kind == "remark" and remarks[0].source.meeting == 337


def test_finding_records_keep_their_attribution(seed_retriever):
    hits = seed_retriever.search("電子記録媒体 複製", kind="finding", k=10)
    assert any("39" in h.checkpoints for h in hits)
    assert all(h.id.startswith("fi-") for h in hits)


def test_empty_query_is_refused(seed_retriever):
    with pytest.raises(PiaError):
        seed_retriever.search("  ？ ")


def test_modes_rank_differently(seed_retriever):
    q = "職員が業務外でデータを見ないようにする"
    lexical = [h.id for h in seed_retriever.search(q, kind="checkpoint", mode="lexical")]
    dense = [h.id for h in seed_retriever.search(q, kind="checkpoint", mode="dense")]
    assert lexical and dense and lexical != dense
