# -*- coding: utf-8 -*-
"""Render city_defects.xlsx (openpyxl) and city_defects.pdf (LibreOffice, fit to width)."""
import os, subprocess, shutil, sys
from openpyxl import Workbook
from openpyxl.styles import Font, Alignment, Border, Side, PatternFill
from openpyxl.worksheet.properties import PageSetupProperties

sys.path.insert(0, os.path.dirname(__file__))
from city_content import SHEETS

OUT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
FONT = "IPAexGothic"
TITLES = {
    "表紙": "特定個人情報保護評価書（全項目評価書）　表紙",
    "Ⅰ基本情報": "Ⅰ　基本情報",
    "Ⅱファイル概要": "Ⅱ　特定個人情報ファイルの概要",
    "Ⅲリスク対策": "Ⅲ　特定個人情報ファイルの取扱いプロセスにおけるリスク対策",
    "Ⅳその他のリスク対策": "Ⅳ　その他のリスク対策",
    "Ⅴ開示請求・問合せ": "Ⅴ　開示請求、問合せ",
    "Ⅵ評価実施手続": "Ⅵ　評価実施手続",
}

thin = Side(style="thin", color="000000")
border = Border(left=thin, right=thin, top=thin, bottom=thin)


def est_lines(text, width_chars):
    import unicodedata, math
    n = 0
    for para in (text or " ").split("\n"):
        w = sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in para)
        n += max(1, math.ceil(w / width_chars))
    return n


def main():
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in SHEETS:
        ws = wb.create_sheet(name)
        ws.column_dimensions["A"].width = 34
        ws.column_dimensions["B"].width = 70
        ws.merge_cells("A1:B1")
        ws["A1"] = "浜ノ宮市　個人住民税の賦課・徴収に関する事務　全項目評価書　／　" + TITLES[name]
        ws["A1"].font = Font(name=FONT, size=12, bold=True)
        ws["A1"].alignment = Alignment(vertical="center")
        ws.row_dimensions[1].height = 24
        for col, h in (("A", "項目"), ("B", "記載内容")):
            c = ws[f"{col}2"]
            c.value = h
            c.font = Font(name=FONT, size=10, bold=True)
            c.fill = PatternFill("solid", fgColor="D9D9D9")
            c.border = border
            c.alignment = Alignment(horizontal="center", vertical="center")
        r = 3
        for label, value in rows:
            ca, cb = ws.cell(r, 1, label), ws.cell(r, 2, value if value != "" else None)
            for c in (ca, cb):
                c.font = Font(name=FONT, size=9.5)
                c.alignment = Alignment(wrap_text=True, vertical="top")
                c.border = border
            ca.fill = PatternFill("solid", fgColor="F2F2F2")
            lines = max(est_lines(label, 0.68 * 34), est_lines(value, 0.68 * 70))
            ws.row_dimensions[r].height = 12.8 * lines + 4
            r += 1
        ws.print_title_rows = "1:2"
        ws.page_setup.orientation = "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.gridLines = False
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.oddFooter.center.text = "&A　&P / &N"
        ws.freeze_panes = "A3"
    xlsx = os.path.join(OUT, "city_defects.xlsx")
    wb.save(xlsx)
    print("wrote", xlsx)
    tmp = os.path.join(OUT, "_lo")
    os.makedirs(tmp, exist_ok=True)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{OUT}/_lo_profile",
                    "--convert-to", "pdf", "--outdir", tmp, xlsx], check=True)
    shutil.move(os.path.join(tmp, "city_defects.pdf"), os.path.join(OUT, "city_defects.pdf"))
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(os.path.join(OUT, "_lo_profile"), ignore_errors=True)
    print("wrote", os.path.join(OUT, "city_defects.pdf"))


if __name__ == "__main__":
    main()
