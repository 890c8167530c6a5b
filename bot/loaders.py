"""Read a file into text, page by page: PDF, DOCX, XLSX, HTML, TXT and Markdown.

`load_document(path)` is the one entry point. It sniffs the content first (magic bytes, the members of a zip
container) and the extension second; a file whose content does not match its extension is refused with a message
naming the real type, so the user re-uploads the right file (we never guess on a mislabelled upload).

Page model:
- PDF: one page per PDF page.
- DOCX: pages split at explicit page breaks, page-break-before paragraphs, section breaks and Word's
  `w:lastRenderedPageBreak` markers (breaks with no text between them count once); none present -> one page.
- XLSX: one "page" per visible sheet.
- TXT/MD: split at form feeds (pdftotext output) else one page. HTML: one page.

Tables (DOCX, XLSX, HTML) come out in reading order, interleaved with the paragraphs around them, one line per
row with the cells joined by a TAB; merged cells are not repeated, nested tables are flattened into their cell.

Every failure is an InputFileError with a Japanese message saying what happened and what to do.
"""

from __future__ import annotations

import logging
import re
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bot.errors import InputFileError
from bot.models import LoadedDocument
from bot.pdf_layout import Line, Rule, out_of_order, reading_order

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
}
TEXT_FORMATS = {"txt", "md", "html"}

# Zip containers (DOCX/XLSX) are checked on their declared sizes before anything is extracted.
# Python's zipfile never inflates a member beyond its declared size, so a lying header cannot get past this.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 2 * 1024 * 1024  # tiny members compress well legitimately
MAX_ZIP_MEMBERS = 20_000

# A PDF page with fewer visible characters than this counts as having no text (page numbers, stamps).
MIN_PAGE_CHARS = 20

FORMAT_NAMES = {
    "pdf": "PDF",
    "docx": "Word文書（.docx）",
    "xlsx": "Excelブック（.xlsx）",
    "pptx": "PowerPointプレゼンテーション（.pptx）",
    "odf": "OpenDocument形式の文書",
    "zip": "ZIP圧縮ファイル",
    "ole": "旧形式のOffice文書（.doc/.xls）またはパスワード付きのOffice文書",
    "rtf": "RTF文書",
    "image": "画像ファイル",
    "html": "HTML文書",
    "txt": "テキスト",
    "md": "テキスト",
    "binary": "不明な形式のバイナリファイル",
}
SUPPORTED_LIST = "PDF・Word（.docx）・Excel（.xlsx）・テキスト（.txt/.md）・HTML"


@dataclass(frozen=True)
class Sniffed:
    kind: str  # a key of FORMAT_NAMES
    detail: str = ""


# --------------------------------------------------------------------------- entry point


def load_document(path: Path | str, *, max_bytes: int | None = None) -> LoadedDocument:
    """Read `path` into a LoadedDocument (path, format, pages). Raises InputFileError on anything unreadable."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise InputFileError(f"ファイル「{name}」が見つかりません。パスを確かめてください。")
    if path.is_dir():
        raise InputFileError(f"「{name}」はフォルダです。読み込むファイルを指定してください。")
    try:
        size = path.stat().st_size
    except OSError as e:
        raise InputFileError(f"ファイル「{name}」の情報を取得できません（{e.strerror}）。"
                             "権限を確かめてください。") from None
    if size == 0:
        raise InputFileError(f"ファイル「{name}」は空（0バイト）です。保存し直したファイルをもう一度指定してください。")
    limit = _default_max_bytes() if max_bytes is None else max_bytes
    if limit and size > limit:
        raise InputFileError(
            f"ファイル「{name}」は大きすぎます（{_mb(size)}、上限 {_mb(limit)}）。"
            "画像を減らす、別添を分けるなどして上限以下にしてから指定してください。"
        )
    try:
        with path.open("rb") as f:
            head = f.read(8192)
    except OSError as e:
        raise InputFileError(f"ファイル「{name}」を開けません（{e.strerror}）。権限を確かめてください。") from None

    ext = path.suffix.lower()
    declared = SUPPORTED_EXTENSIONS.get(ext)
    sniffed = _sniff(path, head)

    if declared is None:
        real = FORMAT_NAMES.get(sniffed.kind, sniffed.kind)
        shown = ext or "（拡張子なし）"
        raise InputFileError(
            f"ファイル「{name}」の形式（{shown}、中身は{real}）には対応していません。"
            f"{SUPPORTED_LIST}のいずれかで保存し直してから指定してください。"
        )
    _check_matches(name, ext, declared, sniffed)

    if sniffed.kind in ("docx", "xlsx"):
        _check_zip_safety(path, name)

    reader = {
        "pdf": _load_pdf,
        "docx": _load_docx,
        "xlsx": _load_xlsx,
        "html": _load_html,
        "txt": _load_text,
        "md": _load_text,
    }[declared]
    try:
        pages = reader(path, name)
    except InputFileError:
        raise
    except Exception as e:  # a parser library choked: the file is damaged in a way we did not foresee
        log.debug("loader failure on %s: %s", name, type(e).__name__)
        raise InputFileError(
            f"ファイル「{name}」を{FORMAT_NAMES[declared]}として読み取れませんでした（{type(e).__name__}）。"
            "ファイルが壊れている可能性があります。元のアプリケーションで開けるか確かめ、保存し直してから指定してください。"
        ) from None
    return LoadedDocument(path=str(path), format=declared, pages=pages)


def _default_max_bytes() -> int:
    from bot.settings import get_settings

    return int(get_settings().pia_max_file_mb) * 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


# --------------------------------------------------------------------------- sniffing


def _sniff(path: Path, head: bytes) -> Sniffed:
    """What the content really is, from magic bytes (and the member names of a zip)."""
    if b"%PDF-" in head[:1024]:
        return Sniffed("pdf")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(path)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Sniffed("ole")
    if head.startswith(b"{\\rtf"):
        return Sniffed("rtf")
    if (
        head.startswith((b"\x89PNG", b"\xff\xd8\xff"))
        or head[:6] in (b"GIF87a", b"GIF89a")
        or head[:4] in (b"II*\x00", b"MM\x00*")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    ):
        return Sniffed("image")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Sniffed("txt", "utf-16")
    if b"\x00" in head:
        return Sniffed("binary")
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html")) or (probe.startswith(b"<") and b"<body" in head.lower()):
        return Sniffed("html")
    return Sniffed("txt")


def _sniff_zip(path: Path) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            mimetype = z.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError):
        return Sniffed("zip", "broken")
    if any(n.startswith("word/") for n in names):
        return Sniffed("docx")
    if any(n.startswith("xl/") for n in names):
        return Sniffed("xlsx")
    if any(n.startswith("ppt/") for n in names):
        return Sniffed("pptx")
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return Sniffed("odf")
    return Sniffed("zip")


def _check_matches(name: str, ext: str, declared: str, sniffed: Sniffed) -> None:
    """Refuse a file whose content is not what its extension says, naming the real type."""
    real = sniffed.kind
    if declared in TEXT_FORMATS:
        if real in TEXT_FORMATS:
            return  # .txt/.md/.html are all read as text; an HTML-looking .txt stays text
        raise InputFileError(_mismatch(name, ext, declared, real))
    if real == declared:
        return
    if declared in ("docx", "xlsx") and real == "zip" and sniffed.detail == "broken":
        raise InputFileError(
            f"ファイル「{name}」は{FORMAT_NAMES[declared]}として読み取れませんでした（ZIP構造が壊れています）。"
            "元のアプリケーションで開けるか確かめ、保存し直してから指定してください。"
        )
    if declared in ("docx", "xlsx") and real == "ole":
        raise InputFileError(
            f"ファイル「{name}」はパスワードで保護されたOffice文書か、旧形式（.doc/.xls）のファイルです。"
            f"パスワードを解除し、{ext}形式で保存し直してから指定してください。"
        )
    if declared == "pdf" and real in ("txt", "html"):
        raise InputFileError(
            f"ファイル「{name}」は拡張子が.pdfですが、PDFの形式になっていません（先頭に%PDFがありません）。"
            "ファイルが壊れているか別の形式です。PDFとして出力し直してから指定してください。"
        )
    raise InputFileError(_mismatch(name, ext, declared, real))


def _mismatch(name: str, ext: str, declared: str, real: str) -> str:
    real_name = FORMAT_NAMES.get(real, real)
    right_ext = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "html": ".html", "txt": ".txt",
                 "md": ".txt"}.get(real)
    if right_ext:
        what_to_do = (f"拡張子を{right_ext}に直すか、{FORMAT_NAMES[declared]}として保存し直してから、"
                      "もう一度指定してください。")
    else:
        what_to_do = f"{SUPPORTED_LIST}のいずれかで保存し直してから、もう一度指定してください。"
    return f"ファイル「{name}」は拡張子が{ext}ですが、中身は{real_name}です。{what_to_do}"


def _check_zip_safety(path: Path, name: str) -> None:
    """Zip-bomb guard on the declared sizes, before python-docx/openpyxl extract anything."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise InputFileError(
            f"ファイル「{name}」のZIP構造が壊れていて読み取れません。元のアプリケーションで開けるか確かめ、保存し直してから指定してください。"
        ) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _bomb(name, f"内部のファイル数が多すぎます（{len(infos)}個）")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _bomb(name, f"展開後のサイズが{_mb(total)}になります（上限 {_mb(MAX_UNCOMPRESSED_BYTES)}）")
    for i in infos:
        if i.file_size > RATIO_CHECK_MIN_BYTES and i.file_size > MAX_COMPRESSION_RATIO * max(i.compress_size, 1):
            raise _bomb(name, f"内部の「{i.filename}」の圧縮率が異常です（{i.file_size // max(i.compress_size, 1)}倍）")
    if total > RATIO_CHECK_MIN_BYTES and total > MAX_COMPRESSION_RATIO * max(packed, 1):
        raise _bomb(name, f"全体の圧縮率が異常です（{total // max(packed, 1)}倍）")


def _bomb(name: str, why: str) -> InputFileError:
    return InputFileError(
        f"ファイル「{name}」は安全のため読み込みを中止しました：{why}。"
        "通常の評価書ファイルではありえない構造です。元のアプリケーションで保存し直したファイルを指定してください。"
    )


# --------------------------------------------------------------------------- PDF


# PDFium keeps global state and is not thread-safe: one document at a time (a 60-page draft takes ~0.5 s).
_PDFIUM_LOCK = threading.Lock()
_PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD


def _load_pdf(path: Path, name: str) -> list[str]:
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        try:
            # Opens PDFs that are encrypted with an owner password only (copy/print restrictions) as well.
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            if getattr(e, "err_code", None) == _PDFIUM_PASSWORD_ERROR:
                raise InputFileError(
                    f"PDF「{name}」はパスワードで保護（暗号化）されているため読み取れません。"
                    "パスワードを解除したPDFを保存し直してから指定してください。"
                ) from None
            raise InputFileError(
                f"PDF「{name}」は壊れているため読み取れません（{e}）。元の文書からPDFを出力し直してから指定してください。"
            ) from None
        try:
            pages = []
            for i in range(len(document)):
                page = document[i]
                try:
                    textpage = page.get_textpage()
                    try:
                        rules = _pdf_rules(page)
                        if out_of_order(_pdf_boxes(textpage), page.get_height(), rules):
                            text = "\n".join(ln.text for ln in reading_order(_pdf_lines(textpage), rules))
                        else:
                            text = textpage.get_text_range()
                        pages.append(_clean_pdf_text(text))
                    finally:
                        textpage.close()
                except pdfium.PdfiumError as e:  # one damaged page should not lose the rest
                    log.debug("pdf page %d failure in %s: %s", i + 1, name, type(e).__name__)
                    pages.append("")
                finally:
                    page.close()
        finally:
            document.close()
    if not pages:
        raise InputFileError(f"PDF「{name}」にはページがありません。"
                             "元の文書からPDFを出力し直してから指定してください。")
    if all(len(re.sub(r"\s", "", p)) < MIN_PAGE_CHARS for p in pages):
        raise InputFileError(
            f"PDF「{name}」には文字情報（テキスト層）がありません。スキャンした画像だけのPDFのようです。"
            "ワープロ・表計算ソフトから直接出力したPDFか元のWord/Excelファイルを指定するか、OCRで文字認識したPDFにしてください。"
        )
    return pages


def _pdf_boxes(textpage) -> list[Line]:
    """The page's text runs in stored order, as boxes without their text (cheap: PDFium computes them), runs on one
    baseline joined: enough to tell whether the page is stored in reading order."""
    boxes: list[Line] = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        if boxes:
            prev = boxes[-1]
            if left >= prev.left and bottom < prev.top and top > prev.bottom and left - prev.right < 2 * (top - bottom):
                boxes[-1] = Line("", prev.left, min(prev.bottom, bottom), max(prev.right, right), max(prev.top, top))
                continue
        boxes.append(Line("", left, bottom, right, top))
    return boxes


def _pdf_lines(textpage) -> list[Line]:
    """The page's text in stored order as lines with their boxes: the lines PDFium breaks the text into, each cut
    where a wide gap separates its characters (a label and its value's cell on one baseline)."""
    import ctypes

    import pypdfium2.raw as raw

    handle = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    lines: list[Line] = []
    chars: list[str] = []
    box: list[float] | None = None

    def close() -> None:
        nonlocal box
        if box is not None and "".join(chars).strip():
            lines.append(Line("".join(chars).strip(), *box))
        chars.clear()
        box = None

    for i in range(raw.FPDFText_CountChars(handle)):
        code = raw.FPDFText_GetUnicode(handle, i)
        ch = chr(code) if code else ""
        if ch in ("\r", "\n"):
            close()
            continue
        if ch.strip() and raw.FPDFText_GetCharBox(handle, i, left, right, bottom, top):
            if box is not None and left.value - box[2] > 3 * max(top.value - bottom.value, 4.0):
                close()  # another cell on the same baseline
            chars.append(ch)
            if box is None:
                box = [left.value, bottom.value, right.value, top.value]
            else:
                box = [min(box[0], left.value), min(box[1], bottom.value), max(box[2], right.value),
                       max(box[3], top.value)]
        else:
            chars.append(ch)
    close()
    return lines


def _pdf_rules(page) -> list[Rule]:
    """The page's horizontal edges: thin paths (cell borders) and the top and bottom of wider boxes (shading)."""
    import pypdfium2.raw as raw

    rules: list[Rule] = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        if right - left < 10:
            continue
        if top - bottom < 2:
            rules.append(Rule((top + bottom) / 2, left, right))
        else:
            rules += [Rule(top, left, right), Rule(bottom, left, right)]
    return rules


def _clean_pdf_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\ufffe", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


# --------------------------------------------------------------------------- DOCX

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


W_P, W_TBL, W_TR, W_TC, W_SDT, W_SDTCONTENT = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("sdt"), _w("sdtContent")
W_T, W_TAB, W_BR, W_CR, W_LRPB = _w("t"), _w("tab"), _w("br"), _w("cr"), _w("lastRenderedPageBreak")
W_PPR, W_SECTPR, W_TYPE, W_TCPR, W_VMERGE = _w("pPr"), _w("sectPr"), _w("type"), _w("tcPr"), _w("vMerge")
W_PAGEBREAKBEFORE, W_TXBX = _w("pageBreakBefore"), _w("txbxContent")
W_NBH, W_CUSTOMXML = _w("noBreakHyphen"), _w("customXml")
W_VAL = _w("val")
MC_FALLBACK = f"{{{_MC}}}Fallback"
BREAK = object()  # page-break marker in the token stream


class _DocxPages:
    """Collects lines into pages; consecutive breaks with no text between them count once."""

    def __init__(self) -> None:
        self.pages: list[list[str]] = [[]]

    def line(self, text: str) -> None:
        self.pages[-1].append(text)

    def brk(self) -> None:
        if any(s.strip() for s in self.pages[-1]):
            self.pages.append([])

    def result(self) -> list[str]:
        out = ["\n".join(lines).strip("\n") for lines in self.pages]
        while len(out) > 1 and not out[-1].strip():
            out.pop()
        return out


def _load_docx(path: Path, name: str) -> list[str]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise InputFileError(
            f"ファイル「{name}」はWord文書（.docx）として開けません（{type(e).__name__}）。"
            "Wordで開けるか確かめ、.docx形式で保存し直してから指定してください。"
        ) from None
    out = _DocxPages()
    _walk_block_container(document.element.body, out)
    return out.result()


def _walk_block_container(container, out: _DocxPages) -> None:
    for child in container:
        tag = child.tag
        if tag == W_P:
            _emit_paragraph(child, out)
        elif tag == W_TBL:
            _emit_table(child, out)
        elif tag in (W_SDT, W_CUSTOMXML):
            inner = child.find(W_SDTCONTENT) if tag == W_SDT else child
            if inner is not None:
                _walk_block_container(inner, out)


def _paragraph_tokens(p) -> tuple[list, list[str]]:
    """Text tokens (str or BREAK) of a paragraph in document order, plus lines of text boxes anchored in it."""
    tokens: list = []
    boxes: list[str] = []
    ppr = p.find(W_PPR)
    if ppr is not None:
        pbb = ppr.find(W_PAGEBREAKBEFORE)
        if pbb is not None and pbb.get(W_VAL) not in ("0", "false", "off"):
            tokens.append(BREAK)

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue  # comments, processing instructions
            if tag in (MC_FALLBACK, W_PPR):
                continue
            if tag == W_TXBX:
                for para in child.iter(W_P):
                    text = "".join(t for t in _paragraph_tokens(para)[0] if t is not BREAK).strip()
                    if text:
                        boxes.append(text)
                continue
            if tag == W_T:
                tokens.append(child.text or "")
            elif tag == W_TAB:
                tokens.append("\t")
            elif tag == W_NBH:
                tokens.append("-")
            elif tag == W_CR:
                tokens.append("\n")
            elif tag == W_BR:
                tokens.append(BREAK if child.get(W_TYPE) == "page" else "\n")
            elif tag == W_LRPB:
                tokens.append(BREAK)
            else:
                walk(child)

    walk(p)
    if ppr is not None:
        sect = ppr.find(W_SECTPR)
        if sect is not None:
            stype = sect.find(W_TYPE)
            if stype is None or stype.get(W_VAL) in ("nextPage", "oddPage", "evenPage"):
                tokens.append(BREAK)
    return tokens, boxes


def _emit_paragraph(p, out: _DocxPages) -> None:
    tokens, boxes = _paragraph_tokens(p)
    buf: list[str] = []
    for tok in tokens:
        if tok is BREAK:
            if "".join(buf).strip():
                out.line("".join(buf))
            buf = []
            out.brk()
        else:
            buf.append(tok)
    text = "".join(buf)
    out.line(text)
    for line in boxes:
        out.line(line)


def _cell_text(tc, breaks: list[bool]) -> str:
    """Flattened text of a table cell: paragraphs and nested tables joined by spaces, one line.

    Appends to `breaks` one flag per page break met in the cell: True when no text of the cell came before it.
    """
    parts: list[str] = []

    def collect(container) -> None:
        for child in container:
            tag = child.tag
            if tag == W_P:
                tokens, boxes = _paragraph_tokens(child)
                if BREAK in tokens:
                    before = "".join(t for t in tokens[: tokens.index(BREAK)] if t is not BREAK)
                    breaks.append(not any(p.strip() for p in parts) and not before.strip())
                parts.append("".join(t for t in tokens if t is not BREAK))
                parts.extend(boxes)
            elif tag == W_TBL:
                for tr in child.iter(W_TR):
                    cells = [c for c in (_cell_text(tc2, breaks) for tc2 in docx_row_cells(tr)) if c]
                    if cells:
                        parts.append(" ".join(cells))
            elif tag in (W_SDT, W_CUSTOMXML):
                inner = child.find(W_SDTCONTENT) if tag == W_SDT else child
                if inner is not None:
                    collect(inner)

    collect(tc)
    text = " ".join(p.strip() for p in parts if p and p.strip())
    return re.sub(r"[\t\r\n]+", " ", text).strip()


def docx_row_cells(tr):
    """The w:tc of a row (also those wrapped in content controls), skipping vertical-merge continuations."""
    cells = []
    for child in tr:
        if child.tag == W_TC:
            cells.append(child)
        elif child.tag in (W_SDT, W_CUSTOMXML):
            cells.extend(child.iter(W_TC))
    result = []
    for tc in cells:
        tcpr = tc.find(W_TCPR)
        vm = tcpr.find(W_VMERGE) if tcpr is not None else None
        if vm is not None and vm.get(W_VAL) != "restart":
            continue  # continuation of a vertically merged cell: its content belongs to the cell above
        result.append(tc)
    return result


def _emit_table(tbl, out: _DocxPages) -> None:
    for tr in tbl:
        if tr.tag in (W_SDT, W_CUSTOMXML):
            rows = list(tr.iter(W_TR))
        elif tr.tag == W_TR:
            rows = [tr]
        else:
            continue
        for row in rows:
            cells: list[str] = []
            break_before = break_inside = False
            for tc in docx_row_cells(row):
                flags: list[bool] = []
                text = _cell_text(tc, flags)
                if flags:
                    if flags[0] and not any(cells):
                        break_before = True
                    else:
                        break_inside = True
                    if len(flags) > 1:
                        break_inside = True
                cells.append(text)
            line = "\t".join(c for c in cells if c)
            if break_before:
                out.brk()  # the row starts on the next page
            if line:
                out.line(line)
            if break_inside:
                out.brk()  # the row runs over a page break: it starts on this page


# --------------------------------------------------------------------------- XLSX


def _load_xlsx(path: Path, name: str) -> list[str]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise InputFileError(
            f"ファイル「{name}」はExcelブック（.xlsx）として開けません（{type(e).__name__}）。"
            "Excelで開けるか確かめ、.xlsx形式で保存し直してから指定してください。"
        ) from None
    pages: list[str] = []
    try:
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            lines = []
            for row in ws.iter_rows(values_only=True):
                cells = [xlsx_cell_text(v) for v in row]
                cells = [c for c in cells if c]
                if cells:
                    lines.append("\t".join(cells))
            pages.append("\n".join(lines))
    finally:
        wb.close()
    if not pages:
        raise InputFileError(f"Excelブック「{name}」には表示されているシートがありません。"
                             "シートを再表示して保存し直してください。")
    return pages


def xlsx_cell_text(v) -> str:
    """One Excel cell as text: whole floats without ".0", dates without a midnight time, no tabs or line breaks."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        iso = v.isoformat()
        return iso[:10] if iso.endswith("T00:00:00") else iso
    text = str(v)
    return re.sub(r"[\t\r\n]+", " ", text).strip()


# --------------------------------------------------------------------------- text, markdown, HTML


_GOOD_CHAR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e\x20-\x7e\n\t]")
_BAD_CHAR = re.compile(r"[\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\uff61-\uff9f]")


def _decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; else the better-looking of cp932 (Shift_JIS) and EUC-JP."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best, best_score = None, 0.0
    for enc in ("cp932", "euc_jp"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        n = max(len(text), 1)
        good, bad = len(_GOOD_CHAR.findall(text)) / n, len(_BAD_CHAR.findall(text)) / n
        score = good - 5 * bad
        if bad < 0.02 and score > best_score:
            best, best_score = text, score
    if best is None:
        raise InputFileError(
            f"テキストファイル「{name}」の文字コードを判別できません（UTF-8・Shift_JIS・EUC-JPのいずれでもありません）。"
            "UTF-8で保存し直してから指定してください。"
        )
    return best


def _load_text(path: Path, name: str) -> list[str]:
    text = _decode_text(path.read_bytes(), name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = [p.strip("\n") for p in text.split("\f")]
    while len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    if not any(p.strip() for p in pages):
        raise InputFileError(f"ファイル「{name}」には文字がありません（空白だけです）。"
                             "内容を保存したファイルを指定してください。")
    return pages


_BLOCK_TAGS = [
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "li", "ul", "ol", "dl", "dt",
    "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "form", "fieldset", "figure",
    "figcaption", "hr", "address", "caption",
]  # fmt: skip


def _load_html(path: Path, name: str) -> list[str]:
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction
    from bs4.dammit import EncodingDetector

    data = path.read_bytes()
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    if declared and declared.lower().replace("-", "_") in ("shift_jis", "sjis", "x_sjis", "ms_kanji", "windows_31j"):
        declared = "cp932"  # as browsers do: Shift_JIS pages use the Windows extensions (①, Ⅱ, ...)
    markup = None
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            markup = data.decode(declared, errors="replace")
        except LookupError:  # an encoding name Python does not know
            markup = None
    if markup is None:
        markup = _decode_text(data, name)
    soup = BeautifulSoup(markup, "lxml")
    for junk in soup(["script", "style", "noscript", "template", "head"]):
        junk.decompose()
    for node in soup.find_all(string=lambda s: isinstance(s, (Comment, Declaration, Doctype, ProcessingInstruction))):
        node.extract()
    # Collapse source white space the way a browser does (except in <pre>).
    for s in list(soup.find_all(string=True)):
        if s.find_parent("pre") is None and isinstance(s, NavigableString):
            s.replace_with(re.sub(r"\s+", " ", str(s)))
    # Tables innermost first: a nested table becomes plain text inside its cell.
    tables = soup.find_all("table")
    outer = {id(t) for t in tables if t.find_parent("table") is None}
    for table in reversed(tables):
        rows = []
        for tr in table.find_all("tr"):
            if tr.find_parent("table") is not table:
                continue
            cells = [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"], recursive=False)]
            cells = [re.sub(r"\s+", " ", c) for c in cells if c]
            if cells:
                rows.append(cells)
        if id(table) in outer:
            table.replace_with("\n" + "\n".join("\t".join(r) for r in rows) + "\n")
        else:
            table.replace_with(" " + " ".join(" ".join(r) for r in rows) + " ")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for el in soup.find_all(_BLOCK_TAGS):
        el.insert_before("\n")
        el.insert_after("\n")
    text = soup.get_text()
    lines = [re.sub(r" {2,}", " ", line).strip(" ") for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    if not text.strip():
        raise InputFileError(f"HTMLファイル「{name}」には本文の文字がありません。"
                             "内容のあるページを保存して指定してください。")
    return [text]
