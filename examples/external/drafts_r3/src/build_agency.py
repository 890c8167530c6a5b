# -*- coding: utf-8 -*-
"""Render agency_defects.pdf (reportlab, own two-column table layout) and agency_defects.md."""
import os, sys
from xml.sax.saxutils import escape
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle, Paragraph, Spacer

sys.path.insert(0, os.path.dirname(__file__))
from agency_content import DOC, Choice, Checks, BODY

OUT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
FONT_PATH = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
pdfmetrics.registerFont(TTFont("IPAexG", FONT_PATH))
HEADER = "特定個人情報保護評価書（全項目評価書）　" + BODY + "　学資金の貸与・給付及び返還に関する事務"

st_label = ParagraphStyle("label", fontName="IPAexG", fontSize=8.5, leading=12, wordWrap="CJK")
st_value = ParagraphStyle("value", fontName="IPAexG", fontSize=8.5, leading=12, wordWrap="CJK")
st_opt = ParagraphStyle("opt", parent=st_value, fontSize=7.5, leading=10, textColor=colors.HexColor("#333333"))
st_h1 = ParagraphStyle("h1", fontName="IPAexG", fontSize=11, leading=15, textColor=colors.white, wordWrap="CJK")
st_h2 = ParagraphStyle("h2", fontName="IPAexG", fontSize=9.5, leading=13, wordWrap="CJK")
st_h3 = ParagraphStyle("h3", fontName="IPAexG", fontSize=9, leading=12, wordWrap="CJK")
st_title = ParagraphStyle("title", fontName="IPAexG", fontSize=15, leading=22, alignment=1)


def esc(t):
    return escape(t).replace("\n", "<br/>")


def value_flowables(v):
    if isinstance(v, Choice):
        out = [Paragraph(esc("[ " + v.chosen + " ]" + ("　" + v.note if v.note else "")), st_value)]
        opts = "＜選択肢＞　" + "　".join(f"{i}) {o}" for i, o in enumerate(v.options, 1))
        out.append(Paragraph(esc(opts), st_opt))
        return out
    if isinstance(v, Checks):
        line = "　".join(("[○] " if b else "[　] ") + l for b, l in v.items)
        out = [Paragraph(esc(line), st_value)]
        if v.note:
            out.append(Paragraph(esc(v.note), st_value))
        return out
    return [Paragraph(esc(v), st_value)] if v else [Paragraph("", st_value)]


class NumberedCanvas(rl_canvas.Canvas):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self._states = []

    def showPage(self):
        self._states.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        n = len(self._states)
        for s in self._states:
            self.__dict__.update(s)
            self._decorate(n)
            super().showPage()
        super().save()

    def _decorate(self, total):
        w, h = A4
        self.setFont("IPAexG", 7.5)
        self.setFillColor(colors.HexColor("#444444"))
        self.drawString(15 * mm, h - 10 * mm, HEADER)
        self.setStrokeColor(colors.HexColor("#888888"))
        self.setLineWidth(0.4)
        self.line(15 * mm, h - 11.5 * mm, w - 15 * mm, h - 11.5 * mm)
        self.setFont("IPAexG", 9)
        self.setFillColor(colors.black)
        self.drawCentredString(w / 2, 9 * mm, f"{self._pageNumber} / {total}")


def build_pdf(path):
    doc = SimpleDocTemplate(path, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=17 * mm, bottomMargin=16 * mm,
                            title="特定個人情報保護評価書（全項目評価書）", author=BODY)
    width = A4[0] - 30 * mm
    cw = [58 * mm, width - 58 * mm]
    story = [Paragraph("特定個人情報保護評価書（全項目評価書）", st_title), Spacer(1, 4 * mm)]
    rows, styles = [], []

    def flush():
        nonlocal rows, styles
        if not rows:
            return
        t = Table(rows, colWidths=cw, splitByRow=1, splitInRow=1)
        base = [("FONTNAME", (0, 0), (-1, -1), "IPAexG"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
        t.setStyle(TableStyle(base + styles))
        story.append(t)
        story.append(Spacer(1, 3 * mm))
        rows, styles = [], []

    for node in DOC:
        kind = node[0]
        if kind == "h1":
            flush()
            rows.append([Paragraph(esc(node[1]), st_h1), ""])
            styles += [("SPAN", (0, 0), (1, 0)), ("BACKGROUND", (0, 0), (1, 0), colors.HexColor("#404040"))]
        elif kind in ("h2", "h3"):
            i = len(rows)
            rows.append([Paragraph(esc(node[1]), st_h2 if kind == "h2" else st_h3), ""])
            styles += [("SPAN", (0, i), (1, i)),
                       ("BACKGROUND", (0, i), (1, i), colors.HexColor("#C8C8C8" if kind == "h2" else "#E6E6E6"))]
        else:
            i = len(rows)
            rows.append([Paragraph(esc(node[1]), st_label), value_flowables(node[2])])
            styles.append(("BACKGROUND", (0, i), (0, i), colors.HexColor("#F4F4F4")))
    flush()
    doc.build(story, canvasmaker=NumberedCanvas)


def md_value(v):
    if isinstance(v, Choice):
        # a person typing Markdown writes only the chosen option
        return v.chosen + (f"　{v.note}" if v.note else "")
    if isinstance(v, Checks):
        s = "\n".join(("- [x] " if b else "- [ ] ") + l for b, l in v.items)
        if v.note:
            s += "\n\n" + v.note
        return s
    return v


def build_md(path):
    out = ["# 特定個人情報保護評価書（全項目評価書）", "",
           f"{BODY}　学資金の貸与・給付及び返還に関する事務", ""]
    for node in DOC:
        kind = node[0]
        if kind == "h1":
            out += [f"## {node[1]}", ""]
        elif kind == "h2":
            out += [f"### {node[1]}", ""]
        elif kind == "h3":
            out += [f"#### {node[1]}", ""]
        else:
            label, v = node[1], node[2]
            val = md_value(v)
            if isinstance(v, Checks) or (isinstance(v, str) and "\n" in v):
                out += [f"**{label}**", "", val.replace("\n", "  \n") if isinstance(v, str) else val, ""]
            else:
                out += [f"**{label}**：{val}", ""]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out).rstrip() + "\n")


if __name__ == "__main__":
    pdf = os.path.join(OUT, "agency_defects.pdf")
    build_pdf(pdf)
    print("wrote", pdf)
    md = os.path.join(OUT, "agency_defects.md")
    build_md(md)
    print("wrote", md)
