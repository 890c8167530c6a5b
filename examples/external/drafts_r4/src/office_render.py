import re
from docx import Document
from docx.shared import Pt, Cm, RGBColor
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml import OxmlElement
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side, Font, PatternFill
from rows import build_rows
from form import flatten


def _font(doc, name="IPAexGothic", size=9):
    st = doc.styles["Normal"]
    st.font.name = name
    st.font.size = Pt(size)
    st.element.rPr.rFonts.set(qn("w:eastAsia"), name)
    st.paragraph_format.space_after = Pt(0)
    st.paragraph_format.space_before = Pt(0)


def _shade(cell, hexcol):
    tcPr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hexcol)
    tcPr.append(shd)


def _set_text(cell, text, indent=0):
    cell.text = ""
    paras = (text or "").split("\n")
    p = cell.paragraphs[0]
    for i, t in enumerate(paras):
        if i:
            p = cell.add_paragraph()
        p.add_run(t)
        if indent:
            p.paragraph_format.left_indent = Cm(0.35 * indent)


def _page_field(par):
    run = par.add_run()
    for tag, txt in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = txt
        run._r.append(el)


def _header_footer(doc, head, foot_prefix="", foot_suffix=""):
    sec = doc.sections[0]
    hp = sec.header.paragraphs[0]
    hp.text = head
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for r in hp.runs:
        r.font.size = Pt(7.5)
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.add_run(foot_prefix)
    _page_field(fp)
    fp.add_run(foot_suffix)


# ---------------------------------------------------------------- A: docx tables
def docx_tables(path, sections, head, colw=(4.2, 5.3, 8.5), title_fn=None):
    doc = Document()
    _font(doc)
    s = doc.sections[0]
    s.left_margin = s.right_margin = Cm(1.6)
    s.top_margin = Cm(1.8)
    s.bottom_margin = Cm(1.6)
    _header_footer(doc, head, "- ", " -")
    L = len(colw) - 1
    for si, (title, nodes) in enumerate(sections):
        if si:
            doc.add_page_break()
        p = doc.add_paragraph()
        run = p.add_run(title_fn(title) if title_fn else title)
        run.font.size = Pt(13)
        run.bold = True
        rows, groups = build_rows(nodes, L)
        t = doc.add_table(rows=len(rows), cols=L + 1)
        t.style = "Table Grid"
        t.autofit = False
        for i, r in enumerate(rows):
            cells = t.rows[i].cells
            for j, w in enumerate(colw):
                cells[j].width = Cm(w)
        for i, r in enumerate(rows):
            row = t.rows[i]
            if r["header"]:
                c = row.cells[r["start"]].merge(row.cells[L])
                _set_text(c, r["label"], r["indent"])
                _shade(c, "DCE3EC")
            else:
                c = row.cells[r["start"]]
                if r["start"] < L - 1:
                    c = c.merge(row.cells[L - 1])
                _set_text(c, r["label"], r["indent"])
                _shade(c, "F2F2F2")
                _set_text(row.cells[L], r["value"])
        for g in groups:
            c = t.cell(g["first"], g["level"]).merge(t.cell(g["last"], g["level"]))
            _set_text(c, g["label"])
            _shade(c, "E7E7E7")
    doc.save(path)


# ---------------------------------------------------------------- C: numbered paragraphs
Z = str.maketrans("0123456789", "０１２３４５６７８９")


def zen_num(label):
    m = re.match(r"^(\d+)\. ?(.*)$", label, re.S)
    if m:
        return m.group(1).translate(Z) + "．" + m.group(2)
    return label


def para_items(sections, cover_title):
    """list of (kind, text, indent_mm, size) used by both docx and pdf renderers"""
    items = []
    for title, nodes in sections:
        if title == "表紙":
            items.append(("h1", cover_title, 0, 14))
        else:
            items.append(("h1", title.replace("Ⅱ ", "Ⅱ　").replace("Ⅲ ", "Ⅲ　").replace("Ⅰ ", "Ⅰ　")
                          .replace("Ⅳ ", "Ⅳ　").replace("Ⅴ ", "Ⅴ　").replace("Ⅵ ", "Ⅵ　"), 0, 13))
        for depth, label, value in flatten(nodes):
            lab = zen_num(label)
            if depth == 0 and title != "表紙":
                items.append(("h2", lab, 0, 11))
            else:
                items.append(("label", ("■ " if title == "表紙" else "") + lab, 4 * depth, 9.5))
            if value is not None:
                items.append(("value", value if value != "" else "", 4 * depth + 8, 9))
    return items


def docx_paras(path, items, head):
    doc = Document()
    _font(doc, size=9.5)
    _header_footer(doc, head, "", "")
    for kind, text, ind, size in items:
        if kind == "h1":
            if len(doc.paragraphs) > 1:
                doc.add_page_break()
            p = doc.add_paragraph()
            r = p.add_run(text)
            r.bold = True
            r.font.size = Pt(size)
            p.paragraph_format.space_after = Pt(6)
            continue
        lines = text.split("\n") if text else [""]
        for ln in lines:
            p = doc.add_paragraph()
            r = p.add_run(ln)
            r.font.size = Pt(size)
            if kind in ("h2",):
                r.bold = True
                p.paragraph_format.space_before = Pt(6)
            if kind == "label":
                r.bold = True
                p.paragraph_format.space_before = Pt(3)
            p.paragraph_format.left_indent = Cm(ind / 10)
    doc.save(path)


# ---------------------------------------------------------------- B: xlsx, one sheet per section
SPLIT = re.compile(r"^(\d+\.|[①-⑩]|リスク\d+：|システム\d+|委託事項\d+|提供先\d+|移転先\d+|\(別添\d\))\s*(.*)$", re.S)


def split_label(l):
    m = SPLIT.match(l)
    return (m.group(1), m.group(2)) if m else ("", l)


def xlsx_book(path, sections, sheet_name_fn, head):
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    lab_fill = PatternFill("solid", fgColor="EEF2F7")
    hdr_fill = PatternFill("solid", fgColor="D9E1F2")
    font = Font(name="IPAexゴシック", size=9)
    wrap = Alignment(wrap_text=True, vertical="top")
    # columns: A no0, B label0, C no1, D label1, E label2+, F..K value (merged)
    widths = {"A": 4, "B": 20, "C": 7, "D": 22, "E": 26, "F": 14, "G": 14, "H": 14, "I": 14, "J": 14}
    VAL0, VAL1 = 6, 10
    for title, nodes in sections:
        ws = wb.create_sheet(sheet_name_fn(title))
        for k, v in widths.items():
            ws.column_dimensions[k].width = v
        ws.oddHeader.right.text = head
        ws.oddHeader.right.size = 8
        ws.oddFooter.center.text = "&P / &N"
        ws.cell(1, 1, title).font = Font(name="IPAexゴシック", size=12, bold=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=VAL1)
        rows, groups = build_rows(nodes, 3)
        base = 3
        colof = {0: (1, 2), 1: (3, 4), 2: (5, 5)}
        for i, r in enumerate(rows):
            rr = base + i
            if r["header"]:
                no, tx = split_label(r["label"])
                c0 = colof[r["start"]][0]
                ws.cell(rr, c0, ("　" * r["indent"]) + r["label"])
                ws.merge_cells(start_row=rr, start_column=c0, end_row=rr, end_column=VAL1)
                for cc in range(c0, VAL1 + 1):
                    ws.cell(rr, cc).fill = hdr_fill
            else:
                c0 = colof[r["start"]][0]
                if r["start"] < 2:
                    no, tx = split_label(r["label"])
                    ws.cell(rr, c0, no)
                    ws.cell(rr, c0 + 1, tx)
                    if c0 + 1 < 5:
                        ws.merge_cells(start_row=rr, start_column=c0 + 1, end_row=rr, end_column=5)
                else:
                    ws.cell(rr, 5, ("　" * r["indent"]) + r["label"])
                for cc in range(c0, 6):
                    ws.cell(rr, cc).fill = lab_fill
                ws.cell(rr, VAL0, r["value"])
                ws.merge_cells(start_row=rr, start_column=VAL0, end_row=rr, end_column=VAL1)
            n = max(len(r["value"] or "") // 60 + (r["value"] or "").count("\n") + 1, len(r["label"]) // 14 + 1)
            ws.row_dimensions[rr].height = 13 * n
        for g in groups:
            no, tx = split_label(g["label"])
            cn, ct = colof[g["level"]]
            ws.cell(base + g["first"], cn, no)
            ws.cell(base + g["first"], ct, tx)
            ws.merge_cells(start_row=base + g["first"], start_column=cn, end_row=base + g["last"], end_column=cn)
            ws.merge_cells(start_row=base + g["first"], start_column=ct, end_row=base + g["last"], end_column=ct)
            for i in range(g["first"], g["last"] + 1):
                for cc in (cn, ct):
                    ws.cell(base + i, cc).fill = lab_fill
        for row in ws.iter_rows(min_row=base, max_row=base + len(rows) - 1, min_col=1, max_col=VAL1):
            for c in row:
                c.border = box
                c.alignment = wrap
                if c.value is not None:
                    c.font = font
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
    wb.save(path)


# ---------------------------------------------------------------- text copies
def txt_table(path, sections, L):
    out = []
    for title, nodes in sections:
        out.append(title)
        rows, groups = build_rows(nodes, L)
        gl = {}
        for g in groups:
            gl.setdefault(g["first"], []).append(g)
        for i, r in enumerate(rows):
            pre = ["" for _ in range(L)]
            for g in gl.get(i, []):
                pre[g["level"]] = g["label"]
            pre[r["start"]] = r["label"]
            cells = [p for p in pre if p]
            if r["value"] is not None:
                cells.append(r["value"])
            out.append("\t".join(cells))
        out.append("")
    open(path, "w", encoding="utf-8").write("\n".join(out))
