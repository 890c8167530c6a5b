"""Path arguments with the same one-line Japanese errors as every other bad input (click's own are English and
several lines long): a folder where a file is wanted, a missing file, a file that cannot be read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from bot.errors import InputFileError


class InputPath(click.Path):
    """click.Path whose checks fail with InputFileError (exit 2, one Japanese line)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        p = Path(os.fsdecode(value)) if isinstance(value, (str, bytes, os.PathLike)) else None
        if p is not None and str(p) != "-":
            if not p.exists():
                if self.exists:
                    raise InputFileError(f"ファイル {p} が見つかりません。", hint="パスを確認してください")
            elif p.is_dir() and not self.dir_okay:
                raise InputFileError(f"{p} はフォルダです。", hint="ファイルを 1 つずつ指定してください")
            elif p.is_file() and not self.file_okay:
                raise InputFileError(f"{p} はファイルです。", hint="フォルダを指定してください")
            elif self.readable and not os.access(p, os.R_OK):
                raise InputFileError(f"{p} を読み取れません（読み取りの権限がありません）。",
                                     hint="ファイルの権限を確認してください")
        return super().convert(value, param, ctx)


def draft_path() -> InputPath:
    """An existing, readable file (a draft, a review sheet, a batch file)."""
    return InputPath(path_type=Path, exists=True, dir_okay=False, readable=True)
