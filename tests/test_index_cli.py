"""`pia index`, `pia sources`, `pia search` (incl. --batch) and `pia eval` against the CLI contract.

One end-to-end run goes through real subprocesses on a fresh data dir with the default embedder; the rest runs the
CLI in process on the shared seed index (or on a private data dir for commands that write).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from index_util import ROOT

HIT_KEYS = {"kind", "id", "checkpoints", "text", "source", "score"}
SOURCE_KEYS = {"title", "agency", "date", "path"}
PIA = str(Path(sys.executable).with_name("pia"))


@pytest.fixture
def run(capsys):
    def _run(*args: str, expect: int = 0):
        code = main(list(args))
        cap = capsys.readouterr()
        assert code == expect, (args, cap.out[-500:], cap.err[-500:])
        return cap

    return _run


def check_hit(hit: dict) -> None:
    assert set(hit) == HIT_KEYS
    assert set(hit["source"]) == SOURCE_KEYS
    assert hit["kind"] in {"checkpoint", "finding", "remark", "guideline"}
    assert isinstance(hit["checkpoints"], list) and all(isinstance(c, str) for c in hit["checkpoints"])
    assert isinstance(hit["score"], float) and hit["text"]


@pytest.mark.slow
def test_fresh_index_then_search_end_to_end(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"CHROMA_HOST", "PIA_EMBEDDER", "PIA_LLM"}}
    env["PIA_DATA_DIR"] = str(tmp_path / "data")
    out = subprocess.run([PIA, "index", "--json"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout)
    assert set(report) == {"documents", "total_records", "embedder"} and report["embedder"] == "use"
    assert {d["kind"] for d in report["documents"]} == {"review_sheet", "minutes"}
    assert all(set(d) == {"path", "kind", "records"} and d["records"] > 0 for d in report["documents"])
    assert "[pia index]" in out.stderr  # progress goes to stderr, stdout holds exactly one JSON document

    out = subprocess.run([PIA, "search", "委託先の選定", "--json"], env=env, cwd=tmp_path, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    doc = json.loads(out.stdout)
    assert set(doc) == {"results"} and len(doc["results"]) == 10
    for hit in doc["results"]:
        check_hit(hit)
    first = doc["results"][0]
    assert first["kind"] == "checkpoint" and first["id"] == "41" and first["checkpoints"] == ["41"]


def test_search_json_contract(run, pia_env, seed_settings):
    pia_env(seed_settings.data_dir)
    doc = json.loads(run("search", "アクセスログ", "--kind", "finding", "-k", "3", "--json").out)
    assert set(doc) == {"results"} and 1 <= len(doc["results"]) <= 3
    for hit in doc["results"]:
        check_hit(hit)
        assert hit["kind"] == "finding" and hit["source"]["agency"] == "出入国在留管理庁長官"
    human = run("search", "委託先の選定", "-k", "3").out
    assert "41." in human and "出典" in human


def test_search_batch_prints_json_lines_in_order(run, pia_env, seed_settings, tmp_path):
    pia_env(seed_settings.data_dir)
    queries = ["Ⅲ 4. の再委託欄には何を書けばいい？", "亡くなった人のマイナンバー", "41番",
               "Do we need to keep access logs?", "パブコメは何日間？"]
    batch = tmp_path / "queries.txt"
    batch.write_text("\n".join(queries) + "\n\n", encoding="utf-8")
    lines = run("search", "--batch", str(batch), "--kind", "checkpoint", "-k", "3", "--json").out.splitlines()
    assert len(lines) == len(queries)
    docs = [json.loads(line) for line in lines]
    for q, doc in zip(queries, docs, strict=True):
        assert set(doc) == {"results"}
        single = json.loads(run("search", q, "--kind", "checkpoint", "-k", "3", "--json").out)
        assert [h["id"] for h in doc["results"]] == [h["id"] for h in single["results"]]
    assert [d["results"][0]["id"] for d in docs[:3]] == ["47", "66", "41"]


def test_bad_input_exits_2_with_one_line(run, pia_env, seed_settings, tmp_path):
    pia_env(seed_settings.data_dir)
    err = run("search", "--batch", str(tmp_path / "missing.txt"), "--json", expect=2).err
    assert err.strip().count("\n") == 0 and "missing.txt" in err
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9\n".encode("latin-1"))
    assert "UTF-8" in run("search", "--batch", str(bad), "--json", expect=2).err
    run("search", "委託", "--kind", "bogus", expect=2)
    run("search", expect=2)  # neither QUERY nor --batch
    assert run("search", "？", "--json", expect=2).err.startswith("エラー")


def test_index_add_list_and_remove(run, pia_env, tmp_path):
    pia_env(tmp_path / "data", embedder="hash")
    doc = tmp_path / "手引き.md"
    doc.write_text("# 委託先管理の手引き\n\n委託先の作業場所に年一回の立入検査を行う。\n", encoding="utf-8")
    report = json.loads(run("index", str(doc), "--json").out)
    assert report["embedder"] == "hash"
    added = [d for d in report["documents"] if d["path"] == str(doc.resolve())]
    assert added and added[0]["kind"] in {"guideline", "other"} and added[0]["records"] == 1

    sources = json.loads(run("sources", "--json").out)
    paths = {s["path"]: s for s in sources["sources"]}
    assert str(doc.resolve()) in paths and "knowledge/catalog.yaml" in paths
    assert sources["embedder"] == "hash"
    assert report["total_records"] == sum(s["records"] for s in sources["sources"])

    hits = json.loads(run("search", "立入検査", "--kind", "guideline", "--json").out)["results"]
    assert hits and hits[0]["source"]["path"] == str(doc.resolve())

    removed = json.loads(run("index", "--remove", str(doc), "--json").out)
    assert removed["removed"] == [{"path": str(doc), "records": 1}]
    assert json.loads(run("search", "立入検査", "--kind", "guideline", "--json").out)["results"] == []
    err = run("index", "--remove", str(doc), expect=2).err
    assert "pia sources" in err
    run("index", str(tmp_path / "nowhere.pdf"), expect=2)


def test_index_refuses_another_embedder(run, pia_env, tmp_path):
    pia_env(tmp_path / "data", embedder="hash")
    run("index", "--json")
    pia_env(tmp_path / "data", embedder="use")
    err = run("search", "委託先の選定", "--json", expect=2).err
    assert "--rebuild" in err and "hash" in err


@pytest.mark.slow  # a whole `pia eval`
def test_eval_reports_three_modes(run, pia_env, seed_settings):
    pia_env(seed_settings.data_dir)
    doc = json.loads(run("eval", "--json").out)
    modes = {m["mode"]: m for m in doc["retrieval"]["modes"]}
    assert set(modes) == {"lexical", "dense", "hybrid"}
    assert doc["retrieval"]["questions"] >= 80
    hybrid = modes["hybrid"]
    assert hybrid["hit_at_1"] >= 0.85 and hybrid["hit_at_3"] >= 0.95
    assert hybrid["hit_at_1"] >= max(modes["lexical"]["hit_at_1"], modes["dense"]["hit_at_1"])
    for m in modes.values():
        assert 0 <= m["hit_at_1"] <= m["hit_at_3"] <= 1 and m["hit_at_1"] <= m["mrr"] <= 1
    assert doc["attribution"]["exact_match_accuracy"] >= 0.95
    assert doc["flags"]["precision"] >= 0.95 and doc["flags"]["recall"] >= 0.95
    layouts = doc["layouts"]  # one variant of each layout kind, by default
    assert layouts["variants"] == len(layouts["kinds"]) >= 10 and layouts["results"] == 86 * layouts["variants"]
    assert 0 <= layouts["agreeing"] <= layouts["results"]
    # the wording sets: per file, boilerplate flagged and concrete passed, misses with their text in --json
    wording = {f["file"]: f for f in doc["wording"]["files"]}
    dev = wording["wording_dev.yaml"]
    assert dev["boilerplate"] >= 150 and dev["concrete"] >= 150
    assert dev["boilerplate_flagged_rate"] >= 0.95 and dev["concrete_passed_rate"] >= 0.95
    assert all({"id", "checkpoint", "label", "status", "text"} <= set(m) for m in dev["misses"])
    human = run("eval", "--layouts", "none").out
    assert "hybrid" in human and "hit@1" in human and "様式の配置" in human
    assert "表現の判定（wording_dev.yaml" in human and "boilerplate flagged" in human


def test_question_set_covers_the_catalog():
    from bot.catalog import load_catalog
    from bot.evaluation.retrieval import load_questions

    questions = load_questions()
    catalog = load_catalog()
    assert len(questions) >= 80
    labels = {c for q in questions for c in q.expect}
    assert labels <= set(catalog.ids())
    numbered = {c.id for c in catalog.checkpoints}
    assert len(labels & numbered) >= 0.9 * len(numbered)
    considerations = {catalog.checkpoint(c).consideration for c in labels & numbered}
    assert {c.id for c in catalog.considerations} <= considerations
    assert sum("en" in q.tags for q in questions) >= 3
    assert ROOT.joinpath("knowledge/eval/questions.yaml").is_file()
