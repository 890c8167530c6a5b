"""Files users hand the bot: find them, check them, download them with the bot token, throw them away.

Uploaded drafts are confidential. They are written only into a private temporary directory that is removed when the
work is done, they are never indexed, and nothing here logs their content (only ids, sizes and types).

Who may see a file (`shared_with`): its owner, or a member of a conversation it is shared in (files.info's
`channels`, `groups`, `ims` and `shares`, checked against conversations.members). A file id alone proves nothing:
ids travel in links, channel histories and screenshots.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import AccessDeniedError, InputFileError

log = logging.getLogger(__name__)

READABLE = {"pdf", "docx", "xlsx", "txt", "md"}
INDEXABLE = {"pdf", "docx", "txt", "md", "html", "htm"}
_FILE_ID = re.compile(r"\b(F[A-Z0-9]{8,})\b")
_CHUNK = 64 * 1024
MAX_SHARES_CHECKED = 50  # conversations of one file looked at for the asker's membership
MAX_MEMBER_PAGES = 20  # pages of 1,000 members per conversation


class SlackFile(BaseModel):
    """What the bot needs to know about a Slack file (from files.info or an event payload)."""

    id: str
    name: str = ""
    title: str = ""
    size: int = 0
    filetype: str = ""
    mimetype: str = ""
    url: str = ""
    user: str | None = None
    shared_in: list[str] = []  # conversation ids the file is shared in (public, private, DMs), from files.info
    complete: bool = False  # read from files.info (an event payload or a modal's file may lack the shares)

    @property
    def extension(self) -> str:
        suffix = Path(self.name).suffix.lower().lstrip(".")
        return suffix or self.filetype.lower()

    @property
    def display_name(self) -> str:
        return self.name or self.title or self.id

    @classmethod
    def from_payload(cls, f: dict, *, complete: bool = False) -> SlackFile:
        shared: list[str] = []
        for key in ("channels", "groups", "ims"):
            shared += [c for c in f.get(key) or [] if isinstance(c, str)]
        for scope in ("public", "private"):
            shared += list(((f.get("shares") or {}).get(scope) or {}).keys())
        return cls(
            id=f.get("id", ""),
            name=f.get("name") or "",
            title=f.get("title") or "",
            size=int(f.get("size") or 0),
            filetype=f.get("filetype") or "",
            mimetype=f.get("mimetype") or "",
            url=f.get("url_private_download") or f.get("url_private") or "",
            user=f.get("user"),
            shared_in=list(dict.fromkeys(shared)),
            complete=complete,
        )


def file_ids_in_text(text: str) -> list[str]:
    """File ids in a slash command argument: bare `F0123ABCD` or inside a file link (…/files/U…/F0123ABCD/name)."""
    seen: list[str] = []
    for m in _FILE_ID.finditer(text or ""):
        if m.group(1) not in seen:
            seen.append(m.group(1))
    return seen


def file_info(client: WebClient, file_id: str) -> SlackFile:
    try:
        resp = client.files_info(file=file_id)
    except SlackApiError as e:
        code = e.response.get("error", "") if e.response is not None else ""
        if code in ("file_not_found", "file_deleted"):
            raise InputFileError(f"ファイル {file_id} が見つかりませんでした。",
                                 hint="ファイルが削除されていないか、ボットが参加しているチャンネルで"
                                      "共有したかを確認してください") from e
        raise InputFileError(f"ファイル {file_id} の情報を取得できませんでした（{code or 'Slack API エラー'}）。",
                             hint="ボットに files:read 権限があるか管理者に確認してください") from e
    return SlackFile.from_payload(resp["file"], complete=True)


def is_member(client: WebClient, conversation: str, user: str) -> bool:
    """Whether `user` is in `conversation` (conversations.members, page by page). A conversation whose members the
    bot cannot list (a private channel it is not in) counts as not shared with the user."""
    cursor = None
    for _ in range(MAX_MEMBER_PAGES):
        try:
            resp = client.conversations_members(channel=conversation, limit=1000, cursor=cursor)
        except SlackApiError as e:
            log.info("conversations.members %s failed (%s)", conversation, e.response.get("error"))
            return False
        if user in (resp.get("members") or []):
            return True
        cursor = (resp.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return False
    return False


def shared_with(client: WebClient, f: SlackFile, user: str) -> list[str]:
    """The conversations `f` is shared in that `user` is a member of (all of them for its owner, who may see it in
    any case). Raises AccessDeniedError when the user may not see the file. Logs ids only."""
    if not f.complete:
        f = file_info(client, f.id)
    if user and f.user == user:
        return list(f.shared_in)
    visible = [c for c in f.shared_in[:MAX_SHARES_CHECKED] if user and is_member(client, c, user)]
    if visible:
        return visible
    log.info("refused file %s to user %s: not the owner, not in any of its %d conversations", f.id, user,
             len(f.shared_in))
    raise AccessDeniedError(f"このファイル（{f.id}）はあなたが参加している会話で共有されていないため、確認できません。",
                            hint="ファイルが共有されているチャンネルで実行するか、ファイルの共有者に依頼してください")


def latest_file(client: WebClient, user: str, channel: str) -> SlackFile | None:
    """The caller's most recent file in the channel: files.list first, then the channel history."""
    try:
        resp = client.files_list(user=user, channel=channel, count=1)
        files = resp.get("files") or []
        if files:
            return SlackFile.from_payload(files[0])
    except SlackApiError as e:
        log.info("files.list failed (%s); falling back to conversations.history", e.response.get("error"))
    try:
        cursor = None
        for _ in range(3):
            resp = client.conversations_history(channel=channel, limit=100, cursor=cursor)
            for m in resp.get("messages") or []:
                if m.get("user") == user and m.get("files"):
                    return SlackFile.from_payload(m["files"][0])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except SlackApiError as e:
        log.info("conversations.history failed (%s)", e.response.get("error"))
    return None


def check_declared(f: SlackFile, max_mb: int, allowed: set[str] = READABLE) -> None:
    """Refuse before downloading: too big, or a type we cannot read."""
    if f.size and f.size > max_mb * 1024 * 1024:
        raise InputFileError(
            f"「{f.display_name}」は {f.size / 1024 / 1024:.1f} MB で、上限の {max_mb} MB を超えています。",
            hint="画像を圧縮するか、評価書を分割してからもう一度お試しください")
    if f.extension not in allowed:
        kinds = "・".join(sorted(allowed))
        raise InputFileError(f"「{f.display_name}」は読み取れない形式です（{f.extension or '拡張子なし'}）。",
                             hint=f"{kinds} のいずれかで保存してからもう一度お試しください")


def sniff(path: Path, extension: str, name: str) -> None:
    """Check the content matches the name: a Word file renamed .pdf, an old .doc, an empty file are refused."""
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(f"「{name}」は空のファイルです。", hint="内容を保存したファイルをアップロードしてください")
    with path.open("rb") as fh:
        head = fh.read(8192)
    is_zip = head.startswith(b"PK\x03\x04")
    actual: str | None = None
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        actual = "pdf"
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(f"「{name}」は古い Office 形式（.doc / .xls）か暗号化された Office ファイルです。",
                             hint="パスワードを外し、.docx または .xlsx で保存し直してからアップロードしてください")
    elif is_zip:
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile as e:
            raise InputFileError(f"「{name}」は壊れているため開けません。",
                                 hint="元のアプリで保存し直してください") from e
        if "word/document.xml" in names:
            actual = "docx"
        elif "xl/workbook.xml" in names:
            actual = "xlsx"
        else:
            actual = "zip"
    elif head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        actual = "html"
    elif b"\x00" not in head:
        actual = "txt"
    wanted = {"md": "txt", "htm": "html"}.get(extension, extension)
    if actual == "html" and wanted in ("txt",):
        actual = "txt"
    if actual != wanted:
        described = {"pdf": "PDF", "docx": "Word 文書", "xlsx": "Excel ブック", "txt": "テキスト", "html": "HTML",
                     "zip": "ZIP 圧縮ファイル", None: "読み取れない形式"}[actual]
        raise InputFileError(f"「{name}」は拡張子が .{extension} ですが、中身は{described}です。",
                             hint="正しい形式で保存し直してからアップロードしてください")


def download(f: SlackFile, token: str, dest_dir: Path, max_mb: int, timeout: float = 60.0) -> Path:
    """Download url_private(_download) with the bot token into dest_dir; the size cap is enforced while reading."""
    if not f.url:
        raise InputFileError(f"「{f.display_name}」のダウンロード先がわかりません。",
                             hint="ファイルをもう一度共有してください")
    limit = max_mb * 1024 * 1024
    target = dest_dir / f"upload.{f.extension or 'bin'}"
    req = urllib.request.Request(f.url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp, target.open("wb") as out:
            ctype = (resp.headers.get("Content-Type") or "").lower()
            if "text/html" in ctype and f.extension not in ("html", "htm"):
                # Slack answers an unauthorised file request with its sign-in page
                raise InputFileError("ファイルをダウンロードできませんでした"
                                     "（Slack にサインインページを返されました）。",
                                     hint="ボットに files:read 権限があるか管理者に確認してください")
            total = 0
            while True:
                chunk = resp.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise InputFileError(f"「{f.display_name}」は上限の {max_mb} MB を超えています。",
                                         hint="評価書を分割してからもう一度お試しください")
                out.write(chunk)
    except urllib.error.HTTPError as e:
        raise InputFileError(f"ファイルをダウンロードできませんでした（HTTP {e.code}）。",
                             hint="ボットに files:read 権限があるか、ファイルが削除されていないか"
                                  "確認してください") from e
    except urllib.error.URLError as e:
        raise InputFileError("ファイルのダウンロード中に通信エラーが起きました。",
                             hint="しばらくしてからもう一度お試しください") from e
    log.info("downloaded file %s (%d bytes, %s)", f.id, target.stat().st_size, f.extension)
    return target


def fetch(f: SlackFile, token: str, dest_dir: Path, max_mb: int, allowed: set[str] = READABLE) -> Path:
    """check_declared + download + sniff."""
    check_declared(f, max_mb, allowed)
    path = download(f, token, dest_dir, max_mb)
    sniff(path, f.extension, f.display_name)
    return path


@contextmanager
def scratch_dir(base: Path | None = None) -> Iterator[Path]:
    """A private temporary directory (0700) that is removed, with everything in it, when the block ends."""
    if base is not None:
        Path(base).mkdir(parents=True, exist_ok=True)
    d = Path(tempfile.mkdtemp(prefix="pia-slack-", dir=str(base) if base else None))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def safe_name(name: str) -> str:
    """A file name that is safe to keep on disk (for /pia-index sources)."""
    stem = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", Path(name).name).strip(" .")
    return stem[:150] or "source"
