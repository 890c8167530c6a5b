"""Removing a source works end to end: an extra review sheet is indexed, `pia findings` and `pia ask` cite it, then
`pia index --remove PATH` takes it out and no answer cites it any more (CLI in process, embedded Chroma)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main

FIXTURE = Path(__file__).parent / "data" / "review_removal_fixture.txt"
WORD = "閉塞キャップ"  # only the fixture's finding on checkpoint 39 says this
QUESTION = "USBポートに閉塞キャップを付けて複製を防ぐ対策はどこに書く？"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    from bot.settings import reset_settings

    monkeypatch.setenv("PIA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PIA_LLM", raising=False)
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    reset_settings()

    def run(*args: str) -> dict:
        code = main(list(args))
        out = capsys.readouterr().out
        assert code == 0, (args, out)
        return json.loads(out)

    yield run
    reset_settings()


def cites(doc: dict, path: str) -> list[dict]:
    items = doc.get("results") or doc.get("citations") or []
    return [c for c in items if (c["source"].get("path") or "").endswith(Path(path).name)]


def test_removed_source_is_no_longer_cited(cli, tmp_path):
    sheet = tmp_path / "review_removal_fixture.txt"
    shutil.copy(FIXTURE, sheet)

    report = cli("index", str(sheet), "--json")
    added = [d for d in report["documents"] if d["path"].endswith(sheet.name)]
    assert added and added[0]["kind"] == "review_sheet" and added[0]["records"] > 0

    # cited: past findings search and the drafter's answer
    found = cli("findings", WORD, "--json")
    assert found["results"][0]["text"].startswith("特定個人情報ファイルが不正に複製されるリスク対策として、"
                                                  "業務端末のUSBポート")
    assert cites(found, str(sheet)) and found["results"][0]["source"]["agency"] == "架空市長"
    assert found["results"][0]["checkpoints"] == ["39"]
    answer = cli("ask", QUESTION, "--json")
    assert answer["checkpoints"][0]["id"] == "39"
    assert cites(answer, str(sheet)), [c["source"] for c in answer["citations"]]
    assert WORD in answer["answer"]

    removed = cli("index", "--remove", str(sheet), "--json")
    assert removed["removed"][0]["records"] > 0

    # gone: no finding, answer, search result or source listing refers to it
    found = cli("findings", WORD, "--json")
    assert not cites(found, str(sheet))
    assert all(WORD not in r["text"] for r in found["results"])
    answer = cli("ask", QUESTION, "--json")
    assert not cites(answer, str(sheet))
    assert WORD not in answer["answer"]
    assert all(WORD not in c["text"] for c in answer["citations"])
    assert answer["checkpoints"][0]["id"] == "39"  # the seed still answers the question
    for kind in ("finding", "checkpoint"):
        search = cli("search", WORD, "--kind", kind, "-k", "20", "--json")
        assert all(WORD not in r["text"] for r in search["results"])
        assert not cites(search, str(sheet))
    assert main(["index", "--remove", str(sheet)]) == 2  # already gone: a clear error
