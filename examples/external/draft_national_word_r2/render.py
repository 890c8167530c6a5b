# -*- coding: utf-8 -*-
"""Render the national draft twice (complete / defects) to DOCX (+PDF via LibreOffice) and the defects draft to MD.

usage: venv/bin/python render.py
"""
import os
import subprocess

from docx import Document
from docx.enum.section import WD_SECTION  # noqa: F401
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from PIL import Image, ImageDraw, ImageFont

from content import build

HERE = os.path.dirname(os.path.abspath(__file__))
FONT = 'IPAexGothic'
FONT_FILE = '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf'
HEADER = 'こども家庭庁　特定個人情報保護評価書（全項目評価書）　多子世帯高等教育応援給付金の支給に関する事務'


# ---------------------------------------------------------------- flow chart image (別添1)
def draw_flow(path):
    W, H = 1800, 1100
    im = Image.new('RGB', (W, H), 'white')
    dr = ImageDraw.Draw(im)
    f = ImageFont.truetype(FONT_FILE, 26)
    fs = ImageFont.truetype(FONT_FILE, 22)
    boxes = {
        'shinsei': (60, 80, 330, 170, '申請者（保護者）'),
        'portal': (60, 330, 330, 420, 'マイナポータル\n（電子申請）'),
        'center': (470, 80, 800, 190, '給付金事務センター\n（委託先）'),
        'kyufu': (470, 330, 800, 470, '給付システム\n（給付金受給者情報ファイル）'),
        'saiken': (470, 640, 800, 760, '債権管理機能\n（返還債権管理ファイル）'),
        'juki': (960, 80, 1300, 170, '住民基本台帳\nネットワークシステム'),
        'chukan': (960, 330, 1300, 420, '中間サーバー'),
        'nws': (1400, 330, 1740, 420, '情報提供\nネットワークシステム'),
        'shichoson': (1400, 80, 1740, 170, '市町村長'),
        'todofuken': (1400, 580, 1740, 690, '都道府県知事等\n（生活保護の実施機関）'),
        'daigaku': (60, 580, 330, 670, '大学等'),
        'kaikei': (960, 880, 1300, 970, '官庁会計システム'),
        'saimusha': (60, 860, 330, 950, '債務者'),
    }
    for k, (x1, y1, x2, y2, t) in boxes.items():
        dr.rectangle((x1, y1, x2, y2), outline='black', width=3)
        lines = t.split('\n')
        for i, ln in enumerate(lines):
            tw = dr.textlength(ln, font=f)
            dr.text(((x1 + x2 - tw) / 2, (y1 + y2) / 2 - 18 * len(lines) + 36 * i), ln, font=f, fill='black')

    def arrow(p1, p2, label, double=False):
        import math
        if double:
            # two parallel thin lines = 特定個人情報を含まない情報
            dx, dy = p2[0] - p1[0], p2[1] - p1[1]
            n = math.hypot(dx, dy)
            ox, oy = -dy / n * 4, dx / n * 4
            dr.line((p1[0] + ox, p1[1] + oy, p2[0] + ox, p2[1] + oy), fill='gray', width=2)
            dr.line((p1[0] - ox, p1[1] - oy, p2[0] - ox, p2[1] - oy), fill='gray', width=2)
            col = 'gray'
        else:
            dr.line((p1, p2), fill='black', width=4)
            col = 'black'
        ang = math.atan2(p2[1] - p1[1], p2[0] - p1[0])
        for s in (+0.45, -0.45):
            dr.line((p2, (p2[0] - 22 * math.cos(ang + s), p2[1] - 22 * math.sin(ang + s))), fill=col, width=4)
        mx, my = (p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2
        dr.text((mx + 8, my - 30), label, font=fs, fill=col)

    arrow((330, 125), (470, 125), '1')
    arrow((195, 170), (195, 330), "1'")
    arrow((330, 375), (470, 375), "1'")
    arrow((635, 190), (635, 330), '1')
    arrow((800, 360), (960, 140), '2')
    arrow((800, 375), (960, 375), '3')
    arrow((1300, 375), (1400, 375), '3')
    arrow((1570, 330), (1570, 170), '3')
    arrow((1570, 580), (1570, 420), '6')
    arrow((330, 625), (470, 440), '4', double=True)
    arrow((800, 450), (960, 900), '5', double=True)
    arrow((635, 470), (635, 640), '7')
    arrow((470, 720), (330, 900), '7')
    dr.text((60, 1010), '実線の矢印：特定個人情報の流れ　　二重線の矢印（灰色）：特定個人情報を含まない情報の流れ　　数字：事務の流れの説明の番号',
            font=fs, fill='black')
    im.save(path)


# ---------------------------------------------------------------- docx helpers
def set_run_font(run, size=None, bold=None, color=None):
    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    rf = rpr.find(qn('w:rFonts'))
    if rf is None:
        rf = OxmlElement('w:rFonts')
        rpr.insert(0, rf)
    for a in ('w:ascii', 'w:hAnsi', 'w:eastAsia', 'w:cs'):
        rf.set(qn(a), FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if color:
        run.font.color.rgb = RGBColor(*color)


def fix_style_font(style, size=None, bold=None, color=(0, 0, 0)):
    rpr = style.element.get_or_add_rPr()
    rf = rpr.find(qn('w:rFonts'))
    if rf is None:
        rf = OxmlElement('w:rFonts')
        rpr.insert(0, rf)
    for a in list(rf.attrib):
        del rf.attrib[a]
    for a in ('w:ascii', 'w:hAnsi', 'w:eastAsia', 'w:cs'):
        rf.set(qn(a), FONT)
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(*color)


def add_page_field(par):
    def fld(instr):
        r = par.add_run()
        set_run_font(r, 9)
        b = OxmlElement('w:fldChar'); b.set(qn('w:fldCharType'), 'begin'); r._element.append(b)
        r2 = par.add_run(); set_run_font(r2, 9)
        it = OxmlElement('w:instrText'); it.set(qn('xml:space'), 'preserve'); it.text = instr; r2._element.append(it)
        r3 = par.add_run(); set_run_font(r3, 9)
        e = OxmlElement('w:fldChar'); e.set(qn('w:fldCharType'), 'end'); r3._element.append(e)
    r = par.add_run('－ '); set_run_font(r, 9)
    fld('PAGE')
    r = par.add_run(' －'); set_run_font(r, 9)


def opts_text(options):
    return '（選択肢：' + ' '.join(f'{i}) {o}' for i, o in enumerate(options, 1)) + '）'


def checks_text(items, on='■', off='□'):
    return '　'.join(f'{on if v else off} {n}' for n, v in items)


def as_list(v):
    return v if isinstance(v, list) else ([v] if v != '' else [])


def render_docx(blocks, out):
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(2.2), Cm(2.0)
    st = doc.styles
    fix_style_font(st['Normal'], 10)
    st['Normal'].paragraph_format.space_after = Pt(3)
    st['Normal'].paragraph_format.line_spacing = 1.15
    for name, size in (('Heading 1', 15), ('Heading 2', 12), ('Heading 3', 11), ('Heading 4', 10.5), ('Title', 20)):
        fix_style_font(st[name], size, True)
        st[name].paragraph_format.space_before = Pt(10 if name != 'Heading 4' else 6)
        st[name].paragraph_format.space_after = Pt(4)
        st[name].paragraph_format.keep_with_next = True
    # header / footer
    hp = sec.header.paragraphs[0]
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_run_font(hp.add_run(HEADER), 8, color=(80, 80, 80))
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_page_field(fp)

    def para(indent=0.4):
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Cm(indent)
        return p

    first_h1 = True
    for b in blocks:
        k = b[0]
        if k == 'title':
            p = doc.add_paragraph(style='Title')
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_before = Pt(120)
            p.paragraph_format.space_after = Pt(60)
            set_run_font(p.add_run(b[1]), 20, True)
        elif k in ('cover', 'coverlong'):
            p = para(1.0)
            p.paragraph_format.space_before = Pt(8)
            set_run_font(p.add_run('◆ ' + b[1]), 11, True)
            if k == 'cover':
                set_run_font(p.add_run('：' + b[2]), 11)
            else:
                q = para(1.6)
                set_run_font(q.add_run(b[2]), 10.5)
        elif k == 'h1':
            p = doc.add_paragraph(style='Heading 1')
            p.paragraph_format.page_break_before = True
            set_run_font(p.add_run(b[1]), 15, True)
            first_h1 = False
        elif k == 'h2':
            p = doc.add_paragraph(style='Heading 2')
            if b[1].startswith('（別添'):
                p.paragraph_format.page_break_before = True
            set_run_font(p.add_run(b[1]), 12, True)
        elif k == 'h3':
            p = doc.add_paragraph(style='Heading 3')
            p.paragraph_format.left_indent = Cm(0.2)
            set_run_font(p.add_run(b[1]), 11, True)
        elif k == 'h4':
            p = doc.add_paragraph(style='Heading 4')
            p.paragraph_format.left_indent = Cm(0.4)
            set_run_font(p.add_run(b[1]), 10.5, True)
        elif k == 'kv':
            p = para()
            set_run_font(p.add_run(b[1]), bold=True)
            set_run_font(p.add_run('：' + b[2]))
        elif k == 'kb':
            p = para()
            set_run_font(p.add_run(b[1]), bold=True)
            for v in as_list(b[2]):
                q = para(1.1)
                set_run_font(q.add_run(v))
        elif k == 'choice':
            _, label, chosen, options, extra = b
            p = para()
            set_run_font(p.add_run(label), bold=True)
            set_run_font(p.add_run(f'：［{chosen}］'))
            set_run_font(p.add_run(opts_text(options)), 8.5, color=(90, 90, 90))
            if extra:
                set_run_font(p.add_run(extra))
        elif k == 'check':
            p = para()
            if b[1]:
                set_run_font(p.add_run(b[1]), bold=True)
                set_run_font(p.add_run('：'))
            set_run_font(p.add_run(checks_text(b[2])))
        elif k == 'text':
            p = para(0.8)
            set_run_font(p.add_run(b[1]))
        elif k == 'note':
            p = para(0.8)
            set_run_font(p.add_run(b[1]), 9, color=(60, 60, 60))
        elif k == 'image':
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(os.path.join(HERE, b[1]), width=Cm(16.5))
        else:
            raise ValueError(k)
    doc.save(out)


def render_md(blocks, out):
    L = []
    for b in blocks:
        k = b[0]
        if k == 'title':
            L += [f'# {b[1]}', '']
        elif k == 'cover':
            L += [f'- **{b[1]}**：{b[2]}']
        elif k == 'coverlong':
            L += [f'- **{b[1]}**：', f'  {b[2]}']
        elif k == 'h1':
            L += ['', '---', '', f'## {b[1]}', '']
        elif k == 'h2':
            L += ['', f'### {b[1]}', '']
        elif k == 'h3':
            L += ['', f'#### {b[1]}', '']
        elif k == 'h4':
            L += [f'**{b[1]}**', '']
        elif k == 'kv':
            L += [f'**{b[1]}**：{b[2]}', '']
        elif k == 'kb':
            L += [f'**{b[1]}**', '']
            for v in as_list(b[2]):
                L += [v, '']
        elif k == 'choice':
            _, label, chosen, options, extra = b
            L += [f'**{label}**：［{chosen}］{opts_text(options)}{extra}', '']
        elif k == 'check':
            if b[1]:
                L += [f'**{b[1]}**', '']
            L += [f'- [{"x" if v else " "}] {n}' for n, v in b[2]] + ['']
        elif k in ('text', 'note'):
            L += [b[1], '']
        elif k == 'image':
            L += ['（フロー図は Word 版を参照。以下に流れを文章で示す。）', '']
    txt = '\n'.join(L)
    while '\n\n\n' in txt:
        txt = txt.replace('\n\n\n', '\n\n')
    open(out, 'w', encoding='utf-8').write(txt.strip() + '\n')


def to_pdf(docx_path):
    subprocess.run(['soffice', '--headless', '--convert-to', 'pdf', '--outdir', HERE, docx_path],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    draw_flow(os.path.join(HERE, 'flow.png'))
    for name, d in (('national_complete', False), ('national_defects', True)):
        blocks = build(d)
        out = os.path.join(HERE, name + '.docx')
        render_docx(blocks, out)
        to_pdf(out)
        if d:
            render_md(blocks, os.path.join(HERE, name + '.md'))
    print('done')


if __name__ == '__main__':
    main()
