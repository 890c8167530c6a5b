"""knowledge/ and prompts/ travel inside the wheel, so a plain `pip install .` finds them too."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # builds the wheel with pip
def test_wheel_carries_knowledge_prompts_and_templates(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path),
         str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("pia_assistant-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ROOT.joinpath("knowledge").rglob("*"):
        if data.is_file() and data.suffix in {".yaml", ".txt"}:
            assert data.relative_to(ROOT).as_posix() in names, data
    for prompt in ROOT.joinpath("prompts").glob("*.md"):
        assert prompt.relative_to(ROOT).as_posix() in names, prompt
    assert "bot/reports/templates/check_report.html" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "pia = bot.cli:run" in zipfile.ZipFile(wheel).read(entry_points).decode()
