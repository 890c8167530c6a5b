"""The /pia-check flow: receive the file, check it, post the summary in the thread, attach the full report.

The draft is downloaded into a private scratch directory that is removed at the end, whatever happens."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from bot.errors import PiaError
from bot.models import CheckReport, IndexReport
from bot.slack.blocks import check_summary_messages, error_message, index_messages, notice
from bot.slack.files import INDEXABLE, SlackFile, fetch, safe_name, scratch_dir
from bot.slack.progress import Conversation
from bot.reports import write_report
from bot.slack.runtime import BotServices, user_message

log = logging.getLogger(__name__)

RECEIVED = ":inbox_tray: ファイルを受け取りました: {name}"
CHECKING = ":hourglass_flowing_sand: チェック中… {name}（数十秒から数分かかります）"
DONE = ":white_check_mark: チェックが終わりました: {name}（結果はこのスレッドにあります）"
FAILED = ":warning: {message}"


def _fail(conv: Conversation, message: str) -> None:
    """Put the failure in the progress message and in the thread, so nobody waits in silence."""
    conv.update(FAILED.format(message=message))
    conv.post(error_message(message))


def check_file(services: BotServices, conv: Conversation, slack_file: SlackFile, user: str) -> CheckReport | None:
    name = slack_file.display_name
    if conv.progress_ts is None:
        conv.start(RECEIVED.format(name=name))
    else:
        conv.update(RECEIVED.format(name=name))
    with scratch_dir(services.scratch_base) as workdir:
        try:
            path = fetch(slack_file, conv.client.token, workdir, services.max_upload_mb)
        except PiaError as e:
            _fail(conv, user_message(e, doing="ファイルの受け取り"))
            return None
        except Exception as e:  # noqa: BLE001
            _fail(conv, user_message(e, doing="ファイルの受け取り"))
            return None
        conv.update(CHECKING.format(name=name))
        try:
            report = services.worker.run(services.engine.check, path, display_name=name,
                                         timeout=services.check_timeout)
        except Exception as e:  # noqa: BLE001 - PiaError, timeout and bugs all become a message
            _fail(conv, user_message(e, doing="チェック"))
            return None
        key = services.reports.put(report, user)
        conv.update(DONE.format(name=name))
        conv.post(check_summary_messages(report, name, key))
        try:
            xlsx = workdir / "report.xlsx"
            write_report(report, "xlsx", xlsx)
            conv.upload(xlsx, filename=f"{Path(name).stem}_チェック結果.xlsx", title=f"チェック結果（全項目）: {name}",
                        comment="全項目のチェック結果（Excel）です。")
        except Exception as e:  # noqa: BLE001
            conv.post(error_message(user_message(e, doing="チェック結果の Excel の添付")))
        return report


def index_file(services: BotServices, conv: Conversation, slack_file: SlackFile, user: str) -> IndexReport | None:
    """Add a review sheet / minutes / guideline to the shared knowledge (callers check the allow-list first).

    Unlike drafts, these are kept: the file is saved under PIA_DATA_DIR/slack_sources so the index can point at it."""
    name = slack_file.display_name
    conv.start(f":inbox_tray: 共有ナレッジに追加するファイルを受け取りました: {name}")
    with scratch_dir(services.scratch_base) as workdir:
        try:
            tmp = fetch(slack_file, conv.client.token, workdir, services.max_upload_mb, allowed=INDEXABLE)
        except Exception as e:  # noqa: BLE001
            _fail(conv, user_message(e, doing="ファイルの受け取り"))
            return None
        keep_dir = services.settings.data_dir / "slack_sources"
        keep_dir.mkdir(parents=True, exist_ok=True)
        target = keep_dir / safe_name(name)
        if target.suffix.lower().lstrip(".") != slack_file.extension:
            target = target.with_name(f"{target.name}.{slack_file.extension}")
        shutil.move(str(tmp), target)
    conv.update(f":hourglass_flowing_sand: 索引に追加中… {name}")
    try:
        report = services.worker.run(services.engine.index, [target], timeout=services.check_timeout)
    except Exception as e:  # noqa: BLE001
        _fail(conv, user_message(e, doing="共有ナレッジへの追加"))
        return None
    log.info("user %s indexed %s (%d records)", user, target.name, report.total_records)
    conv.update(f":white_check_mark: 追加しました: {name}")
    conv.post(index_messages(report, name))
    return report


def refuse_index(conv: Conversation) -> None:
    conv.post(notice(":no_entry: 共有ナレッジに資料を追加できるのは、管理者が登録した担当者（PIA_INDEXERS）だけです。"
                     "追加したい資料があれば担当者に依頼してください。"))
