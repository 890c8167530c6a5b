"""The /pia-check flow: may the asker see the file, receive it, check it, post the summary in the thread, attach
the full report. And /pia-index: the same checks, then only a review sheet, minutes or guideline is kept.

Who sees what: before anything is downloaded, the asker must own the file or be a member of a conversation it is
shared in (bot.slack.files.shared_with); otherwise an ephemeral refusal says why, and only ids are logged. The
results (summary, section details, the xlsx with the draft's wording) go to the conversation the command came from
only when the file is shared there; otherwise to the asker's DM with the app, never to a wider channel than the
file's own. The draft is downloaded into a private scratch directory that is removed at the end, whatever happens."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.engine import SHARED_KINDS
from bot.errors import AccessDeniedError, ConfigurationError, PiaError
from bot.models import ANNOTATABLE_FORMATS, FLAG_STATUSES, CheckReport, IndexReport
from bot.reports import write_report
from bot.slack.blocks import check_summary_messages, error_message, index_messages, notice
from bot.slack.files import INDEXABLE, SlackFile, fetch, file_info, safe_name, scratch_dir, shared_with
from bot.slack.progress import Conversation
from bot.slack.runtime import BotServices, user_message

log = logging.getLogger(__name__)

RECEIVED = ":inbox_tray: ファイルを受け取りました: {name}"
CHECKING = ":hourglass_flowing_sand: チェック中… {name}（数十秒から数分かかります）"
QUEUED = (":hourglass: チェックの順番待ちです: {name}（前に {ahead} 件あります。順番が来ると自動で始まり、"
          "このメッセージでお知らせします）")
DONE = ":white_check_mark: チェックが終わりました: {name}（結果はこのスレッドにあります）"
FAILED = ":warning: {message}"
KIND_LABELS = {"review_sheet": "審査書", "minutes": "議事録", "guideline": "指針等"}


def _fail(conv: Conversation, message: str) -> None:
    """Put the failure in the progress message and in the thread, so nobody waits in silence."""
    conv.update(FAILED.format(message=message))
    conv.post(error_message(message))


MOVED_TO_DM = (":lock: このファイルはこの会話では共有されていないため、結果はあなたとのDMに送ります"
               "（評価書の内容を、ファイルより広い範囲に出さないためです）。")


def say_privately(conv: Conversation, text: str) -> None:
    """An ephemeral note to the asker in `conv`; in their DM when the bot cannot post there."""
    try:
        conv.client.chat_postEphemeral(channel=conv.channel, user=conv.user or "", text=text,
                                       thread_ts=conv.thread_ts)
        return
    except SlackApiError as e:
        log.info("chat.postEphemeral in %s failed (%s); telling the user in the DM", conv.channel,
                 e.response.get("error"))
    if conv.user:
        dm_conversation(conv.client, conv.user).post_text(text)


def dm_conversation(client: WebClient, user: str) -> Conversation:
    """The asker's DM with the app (conversations.open gives its id; the user id also works for chat.postMessage)."""
    try:
        channel = ((client.conversations_open(users=user).get("channel")) or {}).get("id") or user
    except SlackApiError as e:
        log.info("conversations.open failed (%s); posting to the user id", e.response.get("error"))
        channel = user
    return Conversation(client, channel, user=user)


def authorize(services: BotServices, conv: Conversation, slack_file: SlackFile,
              user: str) -> tuple[SlackFile, Conversation] | None:
    """(the file as files.info describes it, where its results may go), or None after telling the asker why not."""
    client = conv.client
    try:
        f = slack_file if slack_file.complete else file_info(client, slack_file.id)
        visible = shared_with(client, f, user)
    except AccessDeniedError as e:
        say_privately(conv, f":no_entry: {e}")
        return None
    except PiaError as e:
        say_privately(conv, ":warning: " + user_message(e, doing="ファイルの確認"))
        return None
    if conv.channel in visible or conv.channel == user:  # shared here (and the asker is in it), or the DM already
        return f, conv
    dm = dm_conversation(client, user)
    if dm.channel == conv.channel:  # asked in the DM with the app: the results stay there
        return f, conv
    say_privately(conv, MOVED_TO_DM)
    return f, dm


def _bot_token(conv: Conversation) -> str:
    """The token files are downloaded with: the bot's own (create_app does not start without one)."""
    if not conv.client.token:
        raise ConfigurationError("SLACK_BOT_TOKEN が設定されていません。",
                                 hint=".env に xoxb- で始まるボットトークンを設定してください")
    return conv.client.token


def check_file(services: BotServices, conv: Conversation, slack_file: SlackFile, user: str) -> CheckReport | None:
    with services.flows.track(conv):
        return _check_file(services, conv, slack_file, user)


def _check_file(services: BotServices, conv: Conversation, slack_file: SlackFile, user: str) -> CheckReport | None:
    allowed = authorize(services, conv, slack_file, user)
    if allowed is None:
        return None
    slack_file, conv = allowed
    name = slack_file.display_name
    channel, thread = conv.channel, conv.thread_ts  # where the user asked, before the bot starts a thread
    if conv.progress_ts is None:
        conv.start(RECEIVED.format(name=name))
    else:
        conv.update(RECEIVED.format(name=name))
    with scratch_dir(services.scratch_base) as workdir:
        try:
            path = fetch(slack_file, _bot_token(conv), workdir, services.max_upload_mb)
        except PiaError as e:
            _fail(conv, user_message(e, doing="ファイルの受け取り"))
            return None
        except Exception as e:
            _fail(conv, user_message(e, doing="ファイルの受け取り"))
            return None
        try:
            report = services.checks.run(
                services.engine.check, path, display_name=name, timeout=services.check_timeout,
                on_queued=lambda ahead: conv.update(QUEUED.format(name=name, ahead=ahead)),
                on_started=lambda: conv.update(CHECKING.format(name=name)))
        except Exception as e:  # PiaError, timeout and bugs all become a message
            _fail(conv, user_message(e, doing="チェック"))
            return None
        report = _with_last_round(services, report, thread=_place(channel, thread), owner=_place(channel, user))
        key = services.reports.put(report, user)
        conv.update(DONE.format(name=name))
        conv.post(check_summary_messages(report, name, key))
        _remember_round(services, report, thread=_place(conv.channel, conv.thread_ts), owner=_place(channel, user))
        try:
            xlsx = workdir / "report.xlsx"
            write_report(report, "xlsx", xlsx)
            conv.upload(xlsx, filename=f"{Path(name).stem}_チェック結果.xlsx", title=f"チェック結果（全項目）: {name}",
                        comment="全項目のチェック結果（Excel）です。")
        except Exception as e:
            conv.post(error_message(user_message(e, doing="チェック結果の Excel の添付")))
        _upload_annotated(services, conv, report, path, name, slack_file.extension)
        return report


# --------------------------------------------------------------------------- rounds and the annotated file


def _place(channel: str | None, sub: str | None) -> str | None:
    """A key for the round store: a thread (channel:thread_ts) or a user in a channel (channel:user)."""
    return f"{channel}:{sub}" if channel and sub else None


def _with_last_round(services: BotServices, report: CheckReport, *, thread: str | None,
                     owner: str | None) -> CheckReport:
    """The report compared with the last round in this thread, or with the same 評価書名 this user checked in this
    channel within the retention period (statuses and field hashes only). Any failure: the report as it is."""
    try:
        recalled = services.worker.run(services.engine.recall_round, report, thread=thread, owner=owner,
                                       timeout=30)
    except Exception as e:  # the comparison is a bonus: never lose the check for it
        log.warning("could not compare with the last round: %s", type(e).__name__)
        return report
    return recalled or report


def _remember_round(services: BotServices, report: CheckReport, *, thread: str | None, owner: str | None) -> None:
    try:
        services.worker.run(services.engine.remember_round, report, thread=thread, owner=owner, timeout=30)
    except Exception as e:
        log.warning("could not keep the round: %s", type(e).__name__)


def _upload_annotated(services: BotServices, conv: Conversation, report: CheckReport, path: Path, name: str,
                      extension: str) -> None:
    """For a Word or Excel draft with flags: the drafter's own file with one comment per flag, next to the report.
    It goes only where the draft itself was shared (this conversation), and is written in the scratch dir."""
    if extension not in ANNOTATABLE_FORMATS or not report.fields:  # no fields read: nothing to anchor comments on
        return
    if not any(r.status in FLAG_STATUSES for r in report.checkpoints):
        return
    out = path.with_name(f"annotated.{extension}")
    try:
        result = services.checks.run(services.engine.annotate, report, path, out, timeout=services.check_timeout)
        conv.upload(out, filename=f"{Path(name).stem}_指摘コメント付き.{extension}",
                    title=f"指摘コメント付きの評価書: {name}",
                    comment=f"評価書の写しに、指摘 {len(result.comments)} 件をコメントとして書き込みました"
                            "（元のファイルは変更していません）。")
    except Exception as e:
        conv.post(error_message(user_message(e, doing="指摘コメントの書き込み")))


def index_file(services: BotServices, conv: Conversation, slack_file: SlackFile, user: str) -> IndexReport | None:
    """Add a review sheet / minutes / guideline to the shared knowledge (callers check the allow-list first).

    The asker must be allowed to see the file; a draft, or anything that does not parse as knowledge, is refused
    before it is kept. Kept files are saved under PIA_DATA_DIR/slack_sources/<content hash>/<name>, so two different
    files with one name never overwrite each other (the index keys sources by identity, not by name)."""
    with services.flows.track(conv):
        return _index_file(services, conv, slack_file, user)


def _index_file(services: BotServices, conv: Conversation, slack_file: SlackFile, user: str) -> IndexReport | None:
    allowed = authorize(services, conv, slack_file, user)
    if allowed is None:
        return None
    slack_file, conv = allowed
    name = slack_file.display_name
    conv.start(f":inbox_tray: 共有ナレッジに追加するファイルを受け取りました: {name}")
    with scratch_dir(services.scratch_base) as workdir:
        try:
            tmp = fetch(slack_file, _bot_token(conv), workdir, services.max_upload_mb, allowed=INDEXABLE)
        except Exception as e:
            _fail(conv, user_message(e, doing="ファイルの受け取り"))
            return None
        conv.update(f":mag: 種類を確認中… {name}")
        try:
            kind = services.worker.run(services.engine.source_kind, tmp, display_name=name, kinds=set(SHARED_KINDS),
                                       timeout=services.check_timeout)
        except Exception as e:  # a draft, a document of no known kind, an unreadable file
            _fail(conv, user_message(e, doing="共有ナレッジへの追加"))
            return None
        digest = hashlib.sha256(tmp.read_bytes()).hexdigest()[:16]
        keep_dir = services.settings.data_dir / "slack_sources" / digest
        keep_dir.mkdir(parents=True, exist_ok=True)
        target = keep_dir / safe_name(name)
        if target.suffix.lower().lstrip(".") != slack_file.extension:
            target = target.with_name(f"{target.name}.{slack_file.extension}")
        shutil.move(str(tmp), target)
    conv.update(f":hourglass_flowing_sand: 索引に追加中… {name}（{KIND_LABELS.get(kind, kind)}）")
    try:
        report = services.checks.run(services.engine.index, [target], kinds=set(SHARED_KINDS), wait=0.0,
                                     timeout=services.check_timeout)
    except Exception as e:
        _fail(conv, user_message(e, doing="共有ナレッジへの追加"))
        return None
    log.info("user %s indexed file %s as %s (%d records)", user, slack_file.id, kind, report.total_records)
    conv.update(f":white_check_mark: 追加しました: {name}（{KIND_LABELS.get(kind, kind)}）")
    conv.post(index_messages(report, name))
    return report


def refuse_index(conv: Conversation) -> None:
    conv.post(notice(":no_entry: 共有ナレッジに資料を追加できるのは、管理者が登録した担当者（PIA_INDEXERS）だけです。"
                     "追加したい資料があれば担当者に依頼してください。"))
