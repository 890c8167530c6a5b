# -*- coding: utf-8 -*-
"""Render the held-out clean draft three ways.

  python render.py            -> flow.png, complete.docx, complete.pdf (LibreOffice),
                                 complete_memo.pdf (reportlab), complete.md
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import content as C  # noqa: E402

FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
CIRC = "①②③④⑤⑥⑦⑧⑨⑩"
FW = str.maketrans("0123456789", "０１２３４５６７８９")

DETAIL_LABELS = {
    "具体的な管理方法", "具体的な方法", "具体的な制限方法", "ルールの内容及びルール遵守の確認方法", "規定の内容",
    "手順の内容", "具体的な対策の内容", "具体的なチェック方法", "具体的な内容", "その妥当性", "具体的な保管方法",
    "その内容", "再発防止策の内容", "委託先から他者への提供に関するルールの内容及びルール遵守の確認方法",
    "委託元と委託先間の提供に関するルールの内容及びルール遵守の確認方法",
}


def circ(n):
    return CIRC[n - 1] if n else ""


def group_title(kind, n, title, style):
    """Heading text of a group node in each rendering's own numbering habit."""
    if kind == "risk":
        if style == "memo":
            return "リスク%s：%s" % (str(n).translate(FW), title)
        return "リスク%d：　%s" % (n, title)
    if kind == "sys":
        return {"docx": "システム%d", "memo": "〔システム %d〕", "md": "システム%d"}[style] % n
    if kind in ("itaku", "teikyo", "iten"):
        # title already "委託事項1　…" ; memo writes 【委託事項 1】…
        m = re.match(r"(委託事項|提供先|移転先)(\d+)\s*(.*)", title)
        head, num, rest = m.group(1), m.group(2), m.group(3)
        if style == "memo":
            return "【%s %s】%s" % (head, num, rest)
        return "%s%s　%s" % (head, num, rest)
    return title


# ---------------------------------------------------------------------------
# flow chart
# ---------------------------------------------------------------------------
def draw_flow(path):
    from PIL import Image, ImageDraw, ImageFont
    W, H = 1800, 1150
    im = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(im)
    f = ImageFont.truetype(FONT, 26)
    fs = ImageFont.truetype(FONT, 22)

    boxes = {
        "app": (40, 40, 380, 150, "申請者\n（本人・代理人）"),
        "town": (460, 40, 800, 150, "町村\n（申請書の経由）"),
        "bank": (1380, 40, 1760, 150, "金融機関・扶養義務者"),
        "juki": (40, 330, 350, 450, "住民基本台帳\nネットワークシステム\n（都道府県サーバ）"),
        "fo": (460, 300, 960, 500, "福祉事務所・地域福祉課\n（地区担当員）\n生活保護システム"),
        "atena": (1060, 330, 1360, 450, "団体内統合\n宛名システム"),
        "mid": (1460, 330, 1760, 450, "中間サーバー"),
        "nws": (1460, 600, 1760, 710, "情報提供ネット\nワークシステム"),
        "other": (1060, 860, 1400, 990, "照会先：市町村（地方税）\n日本年金機構（年金）"),
        "prov": (1460, 860, 1760, 990, "提供先：市町村長\n（介護保険）"),
        "jutaku": (40, 860, 380, 990, "移転先：県土整備部\n住宅課（家賃減免）"),
        "saiken": (460, 860, 960, 990, "生活保護返還金・徴収金\n債権管理ファイル"),
        "med": (40, 560, 350, 720, "指定医療機関\n指定介護機関\n指定金融機関"),
    }
    for k, (x0, y0, x1, y1, t) in boxes.items():
        d.rectangle((x0, y0, x1, y1), outline="black", width=3)
        lines = t.split("\n")
        th = len(lines) * 32
        for i, ln in enumerate(lines):
            w = d.textlength(ln, font=f)
            d.text(((x0 + x1) / 2 - w / 2, (y0 + y1) / 2 - th / 2 + i * 32), ln, fill="black", font=f)

    def arrow(p, q, label, dashed=False, both=False):
        import math
        (x0, y0), (x1, y1) = p, q
        if dashed:
            n = int(math.hypot(x1 - x0, y1 - y0) // 18)
            for i in range(0, n, 2):
                a = (x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n)
                b = (x0 + (x1 - x0) * (i + 1) / n, y0 + (y1 - y0) * (i + 1) / n)
                d.line([a, b], fill="black", width=3)
        else:
            d.line([p, q], fill="black", width=4)

        def head(a, b):
            ang = math.atan2(b[1] - a[1], b[0] - a[0])
            for s in (+1, -1):
                d.line([b, (b[0] - 22 * math.cos(ang + s * 0.45), b[1] - 22 * math.sin(ang + s * 0.45))], fill="black", width=4)
        head(p, q)
        if both:
            head(q, p)
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        w = d.textlength(label, font=fs)
        d.rectangle((mx - w / 2 - 4, my - 14, mx + w / 2 + 4, my + 14), fill="white")
        d.text((mx - w / 2, my - 13), label, fill="black", font=fs)

    arrow((210, 150), (560, 300), "1 申請書（個人番号）")
    arrow((630, 150), (680, 300), "1 送付")
    arrow((460, 390), (350, 390), "2 照会", both=True)
    arrow((960, 390), (1060, 390), "3・4", both=True)
    arrow((1360, 390), (1460, 390), "3・4", both=True)
    arrow((1610, 450), (1610, 600), "3 照会・4 提供", both=True)
    arrow((1560, 710), (1230, 860), "3 照会")
    arrow((1610, 710), (1610, 860), "4 提供")
    arrow((600, 500), (300, 860), "5 移転（照会・回答）", both=True)
    arrow((710, 500), (710, 860), "6 CSV抽出")
    arrow((960, 320), (1380, 120), "7 調査・扶養照会", dashed=True, both=True)
    arrow((460, 480), (350, 620), "8・9 通知・振込・医療券", dashed=True)
    d.line((1000, 1060, 1080, 1060), fill="black", width=4)
    d.text((1090, 1046), "特定個人情報", fill="black", font=fs)
    for i in range(0, 80, 18):
        d.line((1300 + i, 1060, 1309 + i, 1060), fill="black", width=3)
    d.text((1390, 1046), "その他の情報", fill="black", font=fs)
    im.save(path)


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------
def build_docx(path):
    from docx import Document
    from docx.enum.section import WD_ORIENT  # noqa: F401
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(2.2), Cm(2.0)

    def set_font(run, size=None, bold=None, name="IPAexGothic"):
        run.font.name = name
        rpr = run._element.get_or_add_rPr()
        rf = rpr.find(qn("w:rFonts"))
        if rf is None:
            rf = OxmlElement("w:rFonts")
            rpr.append(rf)
        for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rf.set(qn(a), name)
        if size:
            run.font.size = Pt(size)
        if bold is not None:
            run.bold = bold

    st = doc.styles["Normal"]
    st.font.name = "IPAexGothic"
    st.element.rPr.rFonts.set(qn("w:eastAsia"), "IPAexGothic")
    st.font.size = Pt(9.5)
    st.paragraph_format.space_after = Pt(0)
    for hn, sz in (("Heading 1", 14), ("Heading 2", 11.5), ("Heading 3", 10.5)):
        hs = doc.styles[hn]
        hs.font.name = "IPAexGothic"
        hs.element.rPr.rFonts.set(qn("w:eastAsia"), "IPAexGothic")
        hs.element.rPr.rFonts.set(qn("w:ascii"), "IPAexGothic")
        hs.element.rPr.rFonts.set(qn("w:hAnsi"), "IPAexGothic")
        hs.font.size = Pt(sz)
        hs.font.color.rgb = RGBColor(0, 0, 0)
        hs.font.bold = True
        hs.paragraph_format.space_before = Pt(10)
        hs.paragraph_format.space_after = Pt(4)

    def add_field(par, instr):
        r = par.add_run()
        set_font(r, 8.5)
        for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"), ("end", None)):
            if kind == "instr":
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
                r._r.append(el)
            elif kind == "text":
                el = OxmlElement("w:t")
                el.text = text
                r._r.append(el)
            else:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
                r._r.append(el)

    # header / footer
    hp = sec.header.paragraphs[0]
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(hp.add_run("青葉県知事　｜　" + C.TITLE), 8)
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(fp.add_run("青葉県　　　"), 8.5)
    add_field(fp, "PAGE")
    set_font(fp.add_run(" / "), 8.5)
    add_field(fp, "NUMPAGES")

    def shade(cell, color="E7E6E6"):
        tcPr = cell._tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), color)
        tcPr.append(shd)

    def write(cell, text, size=9, bold=False, first=True):
        """Write text (with \n) into a cell; check-box glyphs get a font that has them."""
        par = cell.paragraphs[0] if first else cell.add_paragraph()
        for i, line in enumerate(text.split("\n")):
            if i:
                par = cell.add_paragraph()
            for piece in re.split(r"([☑☐])", line):
                if not piece:
                    continue
                r = par.add_run(piece)
                set_font(r, size, bold, "DejaVu Sans" if piece in "☑☐" else "IPAexGothic")
        return par

    W0, W1, W2 = Cm(3.3), Cm(3.9), Cm(9.8)

    def new_table(title):
        t = doc.add_table(rows=0, cols=3)
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        for ci, w in enumerate((W0, W1, W2)):
            t.columns[ci].width = w
        if title:
            row = t.add_row()
            c = row.cells[0].merge(row.cells[2])
            write(c, title, 9, True)
            shade(c, "D9E2F3")
        return t

    def fix_widths(t):
        for row in t.rows:
            for i, w in enumerate((W0, W1, W2)):
                row.cells[i].width = w

    def label_of(node, numbered=True):
        num, label = node[1], node[2]
        return (circ(num) if (num and numbered) else "") + label

    def choice_text(sel, opts, note):
        legend = "<選択肢>\n" + "　".join("%d) %s" % (i + 1, o) for i, o in enumerate(opts))
        return "[ %s ]%s" % (sel, note or ""), legend

    def checks_text(items):
        return "　".join(("☑" if on else "☐") + name for name, on in items)

    # ---- walk ----
    doc_nodes = C.DOC
    # cover title
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(60)
    set_font(p.add_run("特定個人情報保護評価書（全項目評価書）"), 20, True)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(30)
    set_font(p.add_run(C.BODY), 14)

    table = None
    pending_break = False
    i = 0
    cur_item_title = None
    while i < len(doc_nodes):
        n = doc_nodes[i]
        k = n[0]
        if k == "S":
            if n[1] == "表紙":
                table = new_table("表紙")
            else:
                title = ("%s　%s" % (n[1], n[2])) if n[1] not in ("別添",) else n[2]
                if n[1] == "Ⅰ" and n[2].startswith("（別添1）"):
                    title = "Ⅰ　" + n[2]
                h = doc.add_heading(title, level=1)
                if pending_break:
                    h.paragraph_format.page_break_before = True
                    pending_break = False
                table = None
        elif k == "I":
            cur_item_title = "%d. %s" % (n[1], n[2])
            doc.add_heading(cur_item_title, level=2)
            table = new_table(cur_item_title)  # first row repeats the heading's label
        elif k == "G":
            if n[1] == "file":
                doc.add_heading(n[3], level=3)
                table = None
            else:
                if table is None:
                    table = new_table(None)
                row = table.add_row()
                c = row.cells[0].merge(row.cells[2])
                write(c, group_title(n[1], n[2], n[3], "docx"), 9, True)
                shade(c, "F2F2F2")
        elif k in ("F", "C", "K"):
            if table is None:
                table = new_table(None)
            # collect detail followers of a choice
            followers = []
            if k == "C":
                j = i + 1
                while j < len(doc_nodes) and doc_nodes[j][0] == "F" and doc_nodes[j][1] is None \
                        and doc_nodes[j][2] in DETAIL_LABELS:
                    followers.append(doc_nodes[j])
                    j += 1
            if k == "F":
                row = table.add_row()
                lab = row.cells[0].merge(row.cells[1])
                write(lab, label_of(n))
                shade(lab)
                write(row.cells[2], n[3])
            elif k == "K":
                row = table.add_row()
                lab = row.cells[0].merge(row.cells[1])
                write(lab, label_of(n) if n[2] else "")
                shade(lab)
                write(row.cells[2], checks_text(n[3]))
                if n[4]:
                    write(row.cells[2], n[4], first=False)
            else:  # choice
                head, legend = choice_text(n[3], n[4], n[5])
                if followers:
                    first_row = table.add_row()
                    rows = [first_row] + [table.add_row() for _ in followers]
                    lab = rows[0].cells[0].merge(rows[-1].cells[0])  # vertical merge
                    write(lab, label_of(n))
                    shade(lab)
                    val = rows[0].cells[1].merge(rows[0].cells[2])
                    write(val, head, 9, True)
                    write(val, legend, 7.5, first=False)
                    for r, fnode in zip(rows[1:], followers):
                        write(r.cells[1], fnode[2])
                        shade(r.cells[1], "F2F2F2")
                        write(r.cells[2], fnode[3])
                    i += len(followers)
                else:
                    row = table.add_row()
                    lab = row.cells[0].merge(row.cells[1])
                    write(lab, label_of(n))
                    shade(lab)
                    write(row.cells[2], head, 9, True)
                    write(row.cells[2], legend, 7.5, first=False)
        elif k == "N":
            if table is None:
                table = new_table(None)
            row = table.add_row()
            c = row.cells[0].merge(row.cells[2])
            write(c, n[1], 8.5)
        elif k == "P":
            if table is not None:
                fix_widths(table)
            table = None
            pending_break = True
        elif k == "IMG":
            doc.add_picture(os.path.join(HERE, n[1]), width=Cm(16.5))
            cp = doc.add_paragraph()
            cp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_font(cp.add_run(n[2]), 8.5)
            table = None
        elif k == "T":
            t = doc.add_table(rows=1, cols=2)
            t.style = "Table Grid"
            t.autofit = False
            t.columns[0].width, t.columns[1].width = Cm(1.5), Cm(15.5)
            for ci, h in enumerate(n[1]):
                write(t.rows[0].cells[ci], h, 9, True)
                shade(t.rows[0].cells[ci])
            for r in n[2]:
                cells = t.add_row().cells
                write(cells[0], r[0])
                write(cells[1], r[1])
            for row in t.rows:
                row.cells[0].width, row.cells[1].width = Cm(1.5), Cm(15.5)
            table = None
        if table is not None:
            fix_widths(table)
        i += 1
    doc.save(path)


def docx_to_pdf(docx_path, outdir):
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    prof = "file:///tmp/heldout/draft_complete/.lo_profile"
    subprocess.run([soffice, "-env:UserInstallation=" + prof, "--headless", "--convert-to", "pdf",
                    "--outdir", outdir, docx_path], check=True, timeout=300)


# ---------------------------------------------------------------------------
# memo PDF (reportlab, drawn directly)
# ---------------------------------------------------------------------------
def build_memo(path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexG", FONT))
    PW, PH = A4
    LM, RM, TOP, BOT = 22 * mm, 20 * mm, 24 * mm, 20 * mm
    cv = canvas.Canvas(path, pagesize=A4)
    cv.setTitle(C.TITLE)
    cv.setAuthor(C.BODY)
    state = {"y": PH - TOP, "page": 1}

    def header_footer():
        cv.setFont("IPAexG", 8)
        cv.drawString(LM, PH - 13 * mm, "特定個人情報保護評価書（全項目評価書）　" + C.WORK)
        cv.drawRightString(PW - RM, PH - 13 * mm, C.BODY)
        cv.setLineWidth(0.4)
        cv.line(LM, PH - 15 * mm, PW - RM, PH - 15 * mm)
        cv.setFont("IPAexG", 9)
        cv.drawCentredString(PW / 2, 11 * mm, "- %d -" % state["page"])

    def new_page():
        cv.showPage()
        state["page"] += 1
        state["y"] = PH - TOP
        header_footer()

    def need(h):
        if state["y"] - h < BOT:
            new_page()

    def wrap(text, width, size):
        out = []
        for para in text.split("\n"):
            line = ""
            for ch in para:
                if pdfmetrics.stringWidth(line + ch, "IPAexG", size) > width:
                    out.append(line)
                    line = ch
                else:
                    line += ch
            out.append(line)
        return out

    def text(t, indent=0.0, size=9.5, lead=None, gap_after=0.0):
        lead = lead or size * 1.6
        for ln in wrap(t, PW - LM - RM - indent, size):
            need(lead)
            cv.setFont("IPAexG", size)
            cv.drawString(LM + indent, state["y"] - size, ln)
            state["y"] -= lead
        state["y"] -= gap_after

    def num(n):
        return "(%d) " % n if n else ""

    header_footer()
    # title block
    text("特定個人情報保護評価書（全項目評価書）", 0, 15, 26)
    text(C.WORK, 0, 11, 18)
    text(C.BODY, 0, 11, 18, 10)

    prev = None
    for n in C.DOC:
        k = n[0]
        prev_node_kind = prev
        prev = k
        if k == "S":
            need(40)
            if n[1] == "表紙":
                title = "【表紙】"
            elif n[1] == "別添":
                title = n[2]
            elif n[2].startswith("（別添1）"):
                title = "Ⅰ " + n[2]
            else:
                title = "%s %s" % (n[1], n[2])
            state["y"] -= 6
            text(title, 0, 12.5, 19)
            cv.setLineWidth(0.8)
            cv.line(LM, state["y"] + 4, PW - RM, state["y"] + 4)
            state["y"] -= 4
        elif k == "I":
            need(30)
            state["y"] -= 3
            text("%s．%s" % (str(n[1]).translate(FW), n[2]), 0, 10.5, 17)
        elif k == "G":
            need(28)
            state["y"] -= 2
            text(group_title(n[1], n[2], n[3], "memo"), 6, 10, 16)
        elif k == "F":
            label = num(n[1]) + n[2]
            val = n[3]
            detail = not n[1] and n[2] in DETAIL_LABELS and prev_node_kind in ("C", "D")
            li, vi = (24, 40) if detail else (12, 30)
            if "\n" not in val and len(label) + len(val) <= 38:
                text(label + "：" + val, li, 9.5, gap_after=2)
            else:
                text(label, li, 9.5)
                text(val, vi, 9.5, gap_after=3)
            prev = "D" if detail else "F"
            continue
        elif k == "C":
            label = num(n[1]) + n[2]
            text(label + "：［" + n[3] + "］" + (n[5] or ""), 12, 9.5, gap_after=2)
        elif k == "K":
            boxes = "　".join(("■" if on else "□") + name for name, on in n[3])
            if n[2]:
                text(num(n[1]) + n[2], 12, 9.5)
                text(boxes + (("\n" + n[4]) if n[4] else ""), 30, 9.5, gap_after=3)
            else:
                text(boxes, 12, 9.5, gap_after=3)
        elif k == "N":
            text(n[1], 30, 8.5, gap_after=3)
        elif k == "P":
            pass  # the memo runs on; no forced page breaks
        elif k == "IMG":
            from reportlab.lib.utils import ImageReader
            img = ImageReader(os.path.join(HERE, n[1]))
            iw, ih = img.getSize()
            w = PW - LM - RM
            h = w * ih / iw
            need(h + 20)
            cv.drawImage(img, LM, state["y"] - h, w, h)
            state["y"] -= h + 6
            text(n[2], 20, 8.5, gap_after=4)
        elif k == "T":
            text("　".join(n[1]), 12, 9, 14)
            for r in n[2]:
                text("%s　%s" % (r[0].rjust(2), r[1]), 12, 9, 14)
            state["y"] -= 4
    cv.showPage()
    cv.save()


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------
def build_md(path):
    out = ["# 特定個人情報保護評価書（全項目評価書）", "", "**%s**　／　%s" % (C.BODY, C.WORK), ""]
    table_open = False
    in_sec3 = False
    prev_kind = None

    def md_escape(t):
        return t.replace("|", "｜").replace("\n", "<br>")

    def close_table():
        nonlocal table_open
        if table_open:
            out.append("")
        table_open = False

    def row(label, value):
        nonlocal table_open
        if not table_open:
            out.extend(["| 項目 | 内容 |", "|---|---|"])
            table_open = True
        out.append("| %s | %s |" % (md_escape(label), md_escape(value)))

    def bullet(label, value, ind=""):
        lines = value.split("\n")
        out.append(ind + ("- **%s**：%s" % (label, lines[0]) if label else "- %s" % lines[0]))
        for ln in lines[1:]:
            out.append(ind + "  %s" % ln)

    for n in C.DOC:
        k = n[0]
        if k == "S":
            close_table()
            in_sec3 = n[1] == "Ⅲ"
            if n[1] == "表紙":
                out.append("## 表紙")
            elif n[1] == "別添":
                out.append("## " + n[2])
            elif n[2].startswith("（別添1）"):
                out.append("## Ⅰ " + n[2])
            else:
                out.append("## %s %s" % (n[1], n[2]))
            out.append("")
        elif k == "I":
            close_table()
            out.append("### %d. %s" % (n[1], n[2]))
            out.append("")
        elif k == "G":
            close_table()
            out.append("#### " + group_title(n[1], n[2], n[3], "md"))
            out.append("")
        elif k in ("F", "C", "K"):
            label = (circ(n[1]) if n[1] else "") + n[2]
            if k == "F":
                val = n[3]
            elif k == "C":
                val = "[ %s ]%s\n＜選択肢＞ %s" % (n[3], n[5] or "", "　".join("%d) %s" % (i + 1, o) for i, o in enumerate(n[4])))
            else:
                val = "　".join(("[○] " if on else "[ ] ") + name for name, on in n[3]) + (("\n" + n[4]) if n[4] else "")
            is_detail = k == "F" and not n[1] and n[2] in DETAIL_LABELS and prev_kind in ("C", "D")
            if in_sec3:
                bullet(label, val, "  " if is_detail else "")
            else:
                row(("└ " if is_detail else "") + label, val)
            prev_kind = "D" if is_detail else k
            continue
        elif k == "N":
            close_table()
            out.append("> " + n[1])
            out.append("")
        elif k == "IMG":
            close_table()
            out.append("![%s](%s)" % (n[2], n[1]))
            out.append("")
            out.append("*" + n[2] + "*")
            out.append("")
        elif k == "T":
            close_table()
            out.append("| " + " | ".join(n[1]) + " |")
            out.append("|---|---|")
            for r in n[2]:
                out.append("| " + " | ".join(r) + " |")
            out.append("")
        elif k == "P":
            close_table()
            if in_sec3 and out and out[-1] != "":
                out.append("")
            out.append("---")
            out.append("")
        prev_kind = k
    close_table()
    # blank line after bullet runs before headings
    text = "\n".join(out) + "\n"
    text = re.sub(r"\n(- .*|  .*)\n(#)", r"\n\1\n\n\2", text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    draw_flow(os.path.join(HERE, "flow.png"))
    build_docx(os.path.join(HERE, "complete.docx"))
    docx_to_pdf(os.path.join(HERE, "complete.docx"), HERE)
    build_memo(os.path.join(HERE, "complete_memo.pdf"))
    build_md(os.path.join(HERE, "complete.md"))
    print("done")
