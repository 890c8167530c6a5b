"""`pia findings`: past findings by wording and meaning, filtered, quoted verbatim with their source."""

from __future__ import annotations

import json

from bot.cli import main
from bot.findings import parse_date_bound, search_findings, wording_score
from bot.text import compact
from seed_util import seed_finding_paragraphs


def run_json(capsys, *args) -> dict:
    assert main(["findings", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_subcontracting_finding_first_and_verbatim(seed_cli_env, capsys):
    doc = run_json(capsys, "再委託")
    assert set(doc) == {"results"}
    results = doc["results"]
    assert results
    for r in results:
        assert set(r) == {"text", "checkpoints", "result", "source", "score"}
        assert set(r["source"]) == {"title", "agency", "date", "path"}
    first = results[0]
    assert "再委託" in first["text"]
    # exactly a paragraph of the seed review sheet, after normalisation
    assert compact(first["text"]) in seed_finding_paragraphs()
    assert "出入国在留管理庁" in first["source"]["agency"]
    assert first["source"]["date"] == "2025-09-30"
    assert first["source"]["path"].endswith(".txt")
    assert first["result"] == "問題は認められない"
    # every seed paragraph that mentions 再委託 ranks above every one that does not
    mentions = ["再委託" in r["text"] for r in results]
    assert mentions == sorted(mentions, reverse=True)
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


def test_meaning_finds_findings_without_the_words(seed_engine):
    # none of these words is in the finding on checkpoint 39, which speaks of 複製 and ダウンロード
    hits = search_findings(seed_engine, "USBメモリで持ち出されないようにする", k=5)
    assert any("39" in h.checkpoints for h in hits[:3]), [h.checkpoints for h in hits]


def test_filter_by_checkpoint(seed_engine):
    hits = search_findings(seed_engine, "委託先", checkpoint="45", k=5)
    assert hits and all("45" in h.checkpoints for h in hits)
    assert "消去" in hits[0].text
    assert search_findings(seed_engine, "委託先", checkpoint="４５", k=5) == hits  # full-width digits


def test_filter_by_agency_result_and_dates(seed_engine):
    assert search_findings(seed_engine, "委託", agency="出入国在留管理庁", k=3)
    assert search_findings(seed_engine, "委託", agency="架空市", k=3) == []
    ok = search_findings(seed_engine, "委託", result="問題は認められない", k=5)
    assert ok and all(h.result == "問題は認められない" for h in ok)
    na = search_findings(seed_engine, "委託", result="要確認", k=5)
    assert na == []
    assert search_findings(seed_engine, "委託", since="2025-09-01", until="令和7年9月30日", k=3)
    assert search_findings(seed_engine, "委託", since="2026", k=3) == []
    assert search_findings(seed_engine, "委託", until="2025-08", k=3) == []


def test_k_limits_results(seed_engine):
    assert len(search_findings(seed_engine, "リスク対策", k=3)) == 3


def test_date_bounds_and_wording():
    assert parse_date_bound("2025", end=False) == "2025-01-01"
    assert parse_date_bound("2025-02", end=True) == "2025-02-28"
    assert parse_date_bound("令和7年9月30日", end=True) == "2025-09-30"
    assert parse_date_bound(None, end=True) is None
    assert wording_score(["再委託", "承認"], "再委託先の承認") == 1.0
    assert wording_score(["再委託", "監査"], "再委託先の承認") == 0.5


def test_bad_filters_exit_2(seed_cli_env, capsys):
    assert main(["findings", "委託", "--since", "そのうち", "--json"]) == 2
    err = capsys.readouterr().err
    assert "日付" in err and len(err.strip().splitlines()) == 1
    assert main(["findings", "委託", "--checkpoint", "abc"]) == 2
    assert main(["findings", "委託", "--since", "2026-01-01", "--until", "2025-01-01"]) == 2


def test_human_output_quotes_with_source(seed_cli_env, capsys):
    assert main(["findings", "再委託", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert "出入国在留管理庁長官" in out and "再委託" in out
