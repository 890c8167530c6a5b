# Own PDF rendering with fpdf2: table layout with merged group cells, and a paragraph layout.
from fpdf import FPDF
from rows import build_rows
import re

FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"


class Doc(FPDF):
    def __init__(self, head, foot_fmt, **kw):
        super().__init__(**kw)
        self.head, self.foot_fmt = head, foot_fmt
        self.add_font("ipa", "", FONT)
        self.set_auto_page_break(False)
        self.set_margins(15, 18, 15)

    def header(self):
        self.set_font("ipa", size=7.5)
        self.set_text_color(90)
        self.set_xy(15, 8)
        self.cell(0, 4, self.head, align="R")
        self.set_text_color(0)
        self.set_y(18)

    def footer(self):
        self.set_font("ipa", size=8)
        self.set_xy(15, self.h - 11)
        self.cell(0, 4, self.foot_fmt.format(self.page_no()), align="C")


def lines_of(pdf, w, text, size):
    pdf.set_font("ipa", size=size)
    if not text:
        return []
    out = []
    for para in text.split("\n"):
        if para == "":
            out.append("")
            continue
        out += pdf.multi_cell(w - 2, 4, para, dry_run=True, output="LINES", wrapmode="CHAR", new_x="LEFT", new_y="NEXT")
    return out


def put_lines(pdf, x, y, w, lines, size, lh, maxh=None):
    pdf.set_font("ipa", size=size)
    n = len(lines) if maxh is None else max(0, min(len(lines), int((maxh - 2) // lh)))
    for i, ln in enumerate(lines[:n]):
        pdf.set_xy(x + 1, y + 1 + i * lh)
        pdf.cell(w - 2, lh, ln)


def table_pdf(path, sections, colw, head, foot="- {} -", size=8.5, title_fn=None, newpage_each=False, orient="P"):
    pdf = Doc(head, foot, orientation=orient, format="A4")
    L = len(colw) - 1
    xs = [15]
    for w in colw:
        xs.append(xs[-1] + w)
    lh = size * 0.46
    bottom = pdf.h - 16
    pdf.add_page()
    y = 18
    for si, (title, nodes) in enumerate(sections):
        if newpage_each and si > 0:
            pdf.add_page()
            y = 18
        ttl = title_fn(title) if title_fn else title
        if y + 20 > bottom:
            pdf.add_page()
            y = 18
        pdf.set_font("ipa", size=11)
        pdf.set_xy(15, y + 1)
        pdf.cell(0, 7, ttl)
        y += 10
        rows, groups = build_rows(nodes, L)
        # row heights
        for r in rows:
            if r["header"]:
                w = xs[L + 1] - xs[r["start"]] - r["indent"] * 3
                r["ll"] = lines_of(pdf, w, r["label"], size)
                r["h"] = len(r["ll"]) * lh + 2
            else:
                w = xs[L] - xs[r["start"]] - r["indent"] * 3
                r["ll"] = lines_of(pdf, w, r["label"], size)
                r["vl"] = lines_of(pdf, colw[L], r["value"], size)
                r["h"] = max(len(r["ll"]), len(r["vl"]), 1) * lh + 2
        for g in sorted(groups, key=lambda g: -g["level"]):
            g["ll"] = lines_of(pdf, colw[g["level"]], g["label"], size)
            need = len(g["ll"]) * lh + 2
            have = sum(rows[i]["h"] for i in range(g["first"], g["last"] + 1))
            if need > have:
                rows[g["last"]]["h"] += need - have
        # layout
        for r in rows:
            if y + r["h"] > bottom:
                pdf.add_page()
                y = 18
                r["newpage"] = True
            r["page"], r["y"] = pdf.page, y
            y += r["h"]
        # draw rows
        for r in rows:
            pdf.page = r["page"]
            x0 = xs[r["start"]]
            if r["header"]:
                pdf.set_fill_color(232, 236, 242)
                pdf.rect(x0, r["y"], xs[L + 1] - x0, r["h"], style="DF")
                put_lines(pdf, x0 + r["indent"] * 3, r["y"], xs[L + 1] - x0, r["ll"], size, lh)
            else:
                pdf.set_fill_color(246, 246, 246)
                pdf.rect(x0, r["y"], xs[L] - x0, r["h"], style="DF")
                put_lines(pdf, x0 + r["indent"] * 3, r["y"], xs[L] - x0, r["ll"], size, lh)
                pdf.rect(xs[L], r["y"], colw[L], r["h"])
                put_lines(pdf, xs[L], r["y"], colw[L], r["vl"], size, lh)
        # draw groups, one segment per page
        for g in groups:
            segs = []
            for i in range(g["first"], g["last"] + 1):
                r = rows[i]
                if segs and segs[-1][0] == r["page"]:
                    segs[-1][2] = r["y"] + r["h"]
                else:
                    segs.append([r["page"], r["y"], r["y"] + r["h"]])
            for k, (pg, y0, y1) in enumerate(segs):
                pdf.page = pg
                pdf.set_fill_color(238, 238, 238)
                pdf.rect(xs[g["level"]], y0, colw[g["level"]], y1 - y0, style="DF")
                ll = g["ll"] if k == 0 else lines_of(pdf, colw[g["level"]], g["label"] + "（続き）", size)
                put_lines(pdf, xs[g["level"]], y0, colw[g["level"]], ll, size, lh, maxh=y1 - y0)
        pdf.page = pdf.pages.__len__()
        y = rows[-1]["y"] + rows[-1]["h"] + 6 if rows else y
    pdf.output(path)


def para_pdf(path, items, head, foot="{}"):
    """items: list of (kind, text, indent_mm, size). kind in h1,h2,label,value"""
    pdf = Doc(head, foot, format="A4")
    pdf.set_auto_page_break(True, 18)
    pdf.add_page()
    for kind, text, ind, size in items:
        pdf.set_font("ipa", size=size)
        if kind == "h1":
            if pdf.get_y() > 40:
                pdf.add_page()
            pdf.ln(2)
        if kind == "h2":
            pdf.ln(1.5)
        pdf.set_x(15 + ind)
        w = pdf.w - 30 - ind
        for para in (text.split("\n") if text else [""]):
            pdf.set_x(15 + ind)
            pdf.multi_cell(w, size * 0.5, para if para else " ", wrapmode="CHAR", new_x="LMARGIN", new_y="NEXT")
        if kind == "h1":
            y = pdf.get_y()
            pdf.line(15, y + 0.5, pdf.w - 15, y + 0.5)
            pdf.ln(2)
        elif kind == "value":
            pdf.ln(0.8)
    pdf.output(path)
