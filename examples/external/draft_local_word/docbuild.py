"""Small builder for the municipality-style Word template (own design).

Tables have three columns: [number or grouped label | label | value].
Row kinds:
  ('title', text)              whole row merged, shaded (repeats the heading's label)
  ('band', label, value)       shaded row: label over col0+col1, value in col2 (e.g. 委託事項1 | name)
  ('r', c0, label, value)      starts a group: c0 in col0 (merged down over following 'sub' rows)
  ('sub', label, value)        continues the group above (col0 merged vertically)
  ('wide', label, value)       label over col0+col1, value in col2
  ('full', text)               whole row merged, plain
Values: str (\n = new paragraph), Choice, Checks, or a list of those.
"""
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Cm, RGBColor

MINCHO = "ＭＳ 明朝"
GOTHIC = "ＭＳ ゴシック"


class Choice:
    def __init__(self, chosen, options, after="", note=None):
        self.chosen, self.options, self.after, self.note = chosen, options, after, note


class Checks:
    def __init__(self, items, lines=None, prefix=""):
        # items: list of (name, checked); lines: list of lists of indices -> line grouping
        self.items, self.lines, self.prefix = items, lines, prefix


def _set_font(run, name=MINCHO, size=None, bold=None):
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(a), name)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def _shade(cell, fill):
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _para_fmt(p, before=0, after=0, line=None):
    pf = p.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line:
        pf.line_spacing = line


class Builder:
    def __init__(self, header_text):
        self.doc = Document()
        st = self.doc.styles["Normal"]
        st.font.name = MINCHO
        st.font.size = Pt(10)
        rpr = st.element.get_or_add_rPr()
        rf = rpr.find(qn("w:rFonts"))
        if rf is None:
            rf = OxmlElement("w:rFonts"); rpr.insert(0, rf)
        for a in ("w:ascii", "w:hAnsi", "w:eastAsia"):
            rf.set(qn(a), MINCHO)
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        sec.left_margin = sec.right_margin = Cm(2.0)
        sec.top_margin, sec.bottom_margin = Cm(2.2), Cm(2.0)
        sec.header_distance, sec.footer_distance = Cm(1.0), Cm(1.0)
        sec.different_first_page_header_footer = True  # cover page without header
        hp = sec.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_font(hp.add_run(header_text), MINCHO, 8)
        fp = sec.footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(fp.add_run("－ "), MINCHO, 9)
        self._page_field(fp)
        _set_font(fp.add_run(" －"), MINCHO, 9)
        self.widths = (Cm(2.6), Cm(4.6), Cm(9.8))

    def _page_field(self, p):
        r = p.add_run(); _set_font(r, MINCHO, 9)
        b = OxmlElement("w:fldChar"); b.set(qn("w:fldCharType"), "begin"); r._element.append(b)
        r2 = p.add_run(); _set_font(r2, MINCHO, 9)
        it = OxmlElement("w:instrText"); it.set(qn("xml:space"), "preserve"); it.text = " PAGE "
        r2._element.append(it)
        r3 = p.add_run(); _set_font(r3, MINCHO, 9)
        s = OxmlElement("w:fldChar"); s.set(qn("w:fldCharType"), "separate"); r3._element.append(s)
        r4 = p.add_run("1"); _set_font(r4, MINCHO, 9)
        r5 = p.add_run(); _set_font(r5, MINCHO, 9)
        e = OxmlElement("w:fldChar"); e.set(qn("w:fldCharType"), "end"); r5._element.append(e)

    # ---- paragraphs
    def para(self, text, size=10, bold=False, align=None, font=MINCHO, before=0, after=2):
        p = self.doc.add_paragraph()
        _para_fmt(p, before, after)
        if align == "center":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_font(p.add_run(text), font, size, bold)
        return p

    def section(self, text):
        p = self.para(text, size=13, bold=True, font=GOTHIC, before=0, after=6)
        # bottom border under the section heading
        ppr = p._p.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        b = OxmlElement("w:bottom")
        for k, v in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
            b.set(qn(k), v)
        bdr.append(b); ppr.append(bdr)
        return p

    def item(self, text):
        return self.para(text, size=10.5, bold=True, font=GOTHIC, before=8, after=3)

    def page_break(self):
        p = self.doc.add_paragraph()
        _para_fmt(p)
        p.add_run().add_break(WD_BREAK.PAGE)

    # ---- values
    def _fill_value(self, cell, value, size=9):
        first = [True]

        def newp():
            if first[0]:
                first[0] = False
                p = cell.paragraphs[0]
            else:
                p = cell.add_paragraph()
            _para_fmt(p, 0, 1)
            return p

        vals = value if isinstance(value, list) else [value]
        for v in vals:
            if isinstance(v, Choice):
                p = newp()
                _set_font(p.add_run("［ " + v.chosen + " ］" + v.after), MINCHO, size)
                p2 = newp()
                legend = "＜選択肢＞　" + "　".join(f"{i}) {o}" for i, o in enumerate(v.options, 1))
                _set_font(p2.add_run(legend), MINCHO, 7.5)
                if v.note:
                    p3 = newp(); _set_font(p3.add_run(v.note), MINCHO, size)
            elif isinstance(v, Checks):
                groups = v.lines or [list(range(len(v.items)))]
                for g in groups:
                    p = newp()
                    parts = []
                    for i in g:
                        name, on = v.items[i]
                        parts.append(("☑" if on else "☐") + " " + name)
                    _set_font(p.add_run(v.prefix + "　".join(parts) if v.prefix else "　".join(parts)), MINCHO, size)
            else:
                for line in str(v).split("\n"):
                    p = newp()
                    _set_font(p.add_run(line), MINCHO, size)

    def _label(self, cell, text, shade="F2F2F2", size=9, bold=False):
        cell.paragraphs[0].text = ""
        lines = text.split("\n")
        for i, line in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            _para_fmt(p, 0, 1)
            _set_font(p.add_run(line), MINCHO, size, bold)
        if shade:
            _shade(cell, shade)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

    def table(self, rows, widths=None):
        widths = widths or self.widths
        t = self.doc.add_table(rows=len(rows), cols=3)
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        for i, col in enumerate(t.columns):
            col.width = widths[i]
        for r in t.rows:
            for i, c in enumerate(r.cells):
                c.width = widths[i]
        tblpr = t._tbl.tblPr
        lay = OxmlElement("w:tblLayout"); lay.set(qn("w:type"), "fixed"); tblpr.append(lay)
        vgroups = []  # (start, end)
        hmerge = []   # (row, c_from, c_to)
        cur = None
        for ri, row in enumerate(rows):
            kind = row[0]
            cells = t.rows[ri].cells
            if kind != "sub" and cur is not None:
                if cur[1] > cur[0]:
                    vgroups.append(tuple(cur))
                cur = None
            if kind == "title":
                self._label(cells[0], row[1], shade="D9D9D9", size=9.5, bold=True)
                hmerge.append((ri, 0, 2))
            elif kind == "full":
                self._fill_value(cells[0], row[1])
                hmerge.append((ri, 0, 2))
            elif kind == "band":
                self._label(cells[0], row[1], shade="E7E6E6", bold=True)
                self._fill_value(cells[2], row[2])
                _shade(cells[2], "E7E6E6")
                hmerge.append((ri, 0, 1))
            elif kind == "pair":
                self._fill_value(cells[0], row[1])
                self._fill_value(cells[2], row[2])
                hmerge.append((ri, 0, 1))
            elif kind == "wide":
                self._label(cells[0], row[1])
                self._fill_value(cells[2], row[2])
                hmerge.append((ri, 0, 1))
            elif kind == "r":
                self._label(cells[0], row[1])
                self._label(cells[1], row[2])
                self._fill_value(cells[2], row[3])
                cur = [ri, ri]
            elif kind == "r2":
                self._label(cells[0], row[1])
                self._fill_value(cells[1], row[2])
                hmerge.append((ri, 1, 2))
                cur = [ri, ri]
            elif kind == "sub":
                assert cur is not None, row
                self._label(cells[1], row[1])
                self._fill_value(cells[2], row[2])
                cur[1] = ri
            else:
                raise ValueError(kind)
        if cur is not None and cur[1] > cur[0]:
            vgroups.append(tuple(cur))
        for (ri, a, b) in hmerge:
            t.cell(ri, a).merge(t.cell(ri, b))
        for (s, e) in vgroups:
            t.cell(s, 0).merge(t.cell(e, 0))
        # spacer
        p = self.doc.add_paragraph(); _para_fmt(p, 0, 2)
        return t

    def save(self, path):
        self.doc.save(path)


def docx_to_text(path):
    """What a user gets by copying the Word body and pasting into a plain-text editor:
    paragraphs one per line; table cells joined by tabs, rows by newlines; a cell's own
    paragraphs on separate lines; vertically merged continuation cells empty;
    header/footer not included."""
    from docx import Document as D
    d = D(path)
    out = []
    body = d.element.body
    for child in body.iterchildren():
        tag = child.tag.split("}")[1]
        if tag == "p":
            out.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif tag == "tbl":
            for tr in child.iter(qn("w:tr")):
                cells = []
                for tc in tr.findall(qn("w:tc")):
                    tcpr = tc.find(qn("w:tcPr"))
                    vm = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
                    if vm is not None and vm.get(qn("w:val")) in (None, "continue"):
                        cells.append("")
                        continue
                    paras = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.findall(qn("w:p"))]
                    cells.append("\n".join(paras))
                out.append("\t".join(cells))
    text = "\n".join(out)
    return text.rstrip() + "\n"
