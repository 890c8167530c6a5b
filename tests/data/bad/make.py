"""Generate the bad-input fixtures of this folder: `python tests/data/bad/make.py [DIR]` (default: this folder).

Each file is something a user could really upload and the loaders must refuse with a clear Japanese message
(or, for the few `ok_*` files, read correctly). The files are small and committed; tests also regenerate them
into a temporary folder to prove this script still works.
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _docx_bytes(text: str = "特定個人情報保護評価書（全項目評価書）") -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _xlsx_bytes() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "評価書番号"
    wb.active["B1"] = "123"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text_pdf_bytes(lines: list[str], *, pages: int = 1) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for p in range(pages):
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 8, f"{line} (page {p + 1})", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _png_bytes() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(img)
    for y in range(40, 760, 24):  # looks like lines of text on a scanned page
        draw.rectangle([40, y, 40 + (y * 7) % 480 + 40, y + 10], fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _scanned_pdf_bytes() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.image(io.BytesIO(_png_bytes()), x=10, y=10, w=190)
    return bytes(pdf.output())


def _encrypted_pdf_bytes(user_password: str, owner_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_text_pdf_bytes(["Assessment draft, protected copy"] * 3))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")  # pure Python in pypdf: no cryptography package needed
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _ratio_bomb_docx() -> bytes:
    """A real docx plus one member of 60 MB of zeros (deflates ~1000:1): refused on the compression ratio."""
    src = zipfile.ZipFile(io.BytesIO(_docx_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info.filename))
        with z.open("word/media/padding.bin", "w") as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(60):
                f.write(chunk)
    return buf.getvalue()


def _lying_bomb_xlsx() -> bytes:
    """A real xlsx whose central directory declares one member as 300 MB: refused on the total declared size."""
    data = bytearray(_xlsx_bytes())
    # Patch the uncompressed size of the first central-directory entry (signature PK\x01\x02, offset 24).
    pos = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, pos + 24, 300 * 1024 * 1024)
    return bytes(data)


def _ole_bytes() -> bytes:
    # Header of an OLE2 compound file: what Word writes for a password-protected .docx (and old .doc/.xls).
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"EncryptedPackage".ljust(512, b"\0")


def build(out: Path = HERE) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    good_pdf = _text_pdf_bytes(["Tokutei kojin joho hogo hyoka-sho draft"] * 5, pages=2)
    files: dict[str, bytes] = {
        "empty.pdf": b"",
        "empty.docx": b"",
        "corrupt.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF",
        "truncated.pdf": good_pdf[: len(good_pdf) // 3],
        "encrypted.pdf": _encrypted_pdf_bytes("himitsu", "owner-secret"),
        "ok_owner_only_encrypted.pdf": _encrypted_pdf_bytes("", "owner-secret"),
        "scanned.pdf": _scanned_pdf_bytes(),
        "word_renamed.pdf": _docx_bytes(),
        "excel_renamed.pdf": _xlsx_bytes(),
        "excel_renamed.docx": _xlsx_bytes(),
        "pdf_renamed.docx": good_pdf,
        "pdf_renamed.txt": good_pdf,
        "image_renamed.pdf": _png_bytes(),
        "text_renamed.pdf": "これはPDFではなくテキストです。\n".encode(),
        "password_protected.docx": _ole_bytes(),
        "broken_zip.docx": b"PK\x03\x04" + b"\x14\x00" + bytes(range(200)),
        "bomb_ratio.docx": _ratio_bomb_docx(),
        "bomb_declared.xlsx": _lying_bomb_xlsx(),
        "legacy.doc": _ole_bytes(),
        "slides.pptx": _pptx_like(),
        "binary.txt": bytes(range(256)) * 4,
        "undecodable.txt": b"\x81\x81\xff\xfe\x80" * 50,
    }
    written = {}
    for name, data in files.items():
        p = out / name
        p.write_bytes(data)
        written[name] = p
    return written


def _pptx_like() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p:presentation/>")
    return buf.getvalue()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for name, p in build(target).items():
        print(f"{p.stat().st_size:>10}  {name}")
