"""`pia check` through the CLI: the JSON contract, several drafts as JSON Lines, report files, and bad input giving
exit 2 with one line on stderr and no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BAD = ROOT / "tests" / "data" / "bad"


def test_one_draft_json(check_cli):
    rc, out, _err = check_cli(EXAMPLES / "sample_national_defects.pdf", "--json")
    assert rc == 0
    assert len(out.strip().splitlines()) == 1
    d = json.loads(out)
    assert set(d) == {"document", "summary", "checkpoints", "fields", "degraded"}
    assert d["document"]["format"] == "pdf" and d["document"]["pages"] > 10
    ids = [c["id"] for c in d["checkpoints"]]
    assert len(ids) == len(set(ids)) == 86
    by_id = {c["id"]: c for c in d["checkpoints"]}
    assert by_id["28"]["status"] == "incomplete" and by_id["28"]["reasons"][0]["code"] == "placeholder"
    assert by_id["28"]["evidence"][0]["page"] == by_id["28"]["page"]
    assert by_id["28"]["precedents"]
    assert by_id["31"]["status"] == "ok"


def test_several_drafts_json_lines_and_terminal(check_cli):
    rc, out, _err = check_cli(EXAMPLES / "sample_complete.xlsx", EXAMPLES / "sample_local_defects.md", "--json")
    assert rc == 0
    docs = [json.loads(line) for line in out.strip().splitlines()]
    assert [d["document"]["format"] for d in docs] == ["xlsx", "md"]
    assert docs[0]["summary"]["incomplete"] == docs[0]["summary"]["missing"] == 0
    assert docs[1]["summary"]["incomplete"] + docs[1]["summary"]["missing"] >= 19
    rc, out, _err = check_cli(EXAMPLES / "sample_complete.txt")
    assert rc == 0 and "指摘はありません。" in out and "問題なし" in out


@pytest.mark.parametrize("fmt", ["md", "html", "xlsx"])
def test_report_files(check_cli, tmp_path, fmt):
    target = tmp_path / f"report.{fmt}"
    rc, out, _err = check_cli(EXAMPLES / "sample_vaccination_defects.docx", "--format", fmt, "--output", target)
    assert rc == 0 and target.exists() and target.stat().st_size > 1000
    assert "要修正" in out  # the terminal summary is still printed
    rc, out, _err = check_cli(EXAMPLES / "sample_complete.docx", EXAMPLES / "sample_local_defects.docx",
                              "--format", fmt, "--output", tmp_path)
    assert rc == 0
    assert (tmp_path / f"sample_complete.{fmt}").exists() and (tmp_path / f"sample_local_defects.{fmt}").exists()


def test_format_without_output_is_a_usage_error(check_cli):
    rc, _out, err = check_cli(EXAMPLES / "sample_complete.docx", "--format", "xlsx")
    assert rc == 2 and "--output" in err


def _english(tmp_path: Path) -> Path:
    p = tmp_path / "english.docx"
    import docx

    d = docx.Document()
    d.add_heading("Annual privacy report", level=1)
    for _ in range(20):
        d.add_paragraph("The agency reviewed its handling of personal data and found no incidents this year.")
    d.save(str(p))
    return p


@pytest.mark.parametrize("name,expect", [
    ("corrupt.pdf", "壊れている"),
    ("encrypted.pdf", "パスワード"),
    ("bomb_ratio.docx", "安全のため"),
    ("empty.pdf", "空（0バイト）"),
    ("word_renamed.pdf", "Word文書"),
    ("english", "英語の文書"),
    ("missing.pdf", "見つかりません"),
])
def test_bad_input_exits_2_with_one_line(check_cli, tmp_path, name, expect):
    path = _english(tmp_path) if name == "english" else (tmp_path / name if name == "missing.pdf" else BAD / name)
    rc, out, err = check_cli(path, "--json")
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("エラー:") and expect in lines[0]
    assert "Traceback" not in err


@pytest.mark.slow  # real `pia check` processes
def test_real_process_exit_codes(tmp_path, check_data_dir):
    env = dict(os.environ, PIA_DATA_DIR=str(check_data_dir), PIA_EMBEDDER="hash")
    env.pop("CHROMA_HOST", None)
    pia = [sys.executable, "-c", "from bot.cli import run; run()", "check"]
    bad = subprocess.run([*pia, str(BAD / "encrypted.pdf")], capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=300)
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1
    good = subprocess.run([*pia, str(EXAMPLES / "sample_complete.md"), "--json"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert good.returncode == 0, good.stderr[-2000:]
    assert json.loads(good.stdout)["summary"]["incomplete"] == 0
