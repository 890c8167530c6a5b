"""How tests/data/review_seed_libreoffice.pdf was made: the seed review sheet as a Word table (this script, run from
the repository root), then `soffice --headless --convert-to pdf tests/data/review_seed_libreoffice.docx` (LibreOffice 7,
Debian package libreoffice-writer-nogui). Kept as a record; the tests read the committed PDF."""
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt

src = Path('knowledge/sources/review_isa_2025-09-30.txt').read_text(encoding='utf-8')
doc = Document()
sec = doc.sections[0]
sec.orientation = WD_ORIENT.LANDSCAPE
sec.page_width, sec.page_height = Mm(297), Mm(210)
for m in ('left_margin','right_margin','top_margin','bottom_margin'):
    setattr(sec, m, Mm(12))
style = doc.styles['Normal']
style.font.size = Pt(8)
style.font.name = 'IPAexGothic'
table = None
for line in src.splitlines():
    if '\t' in line:
        cells = line.split('\t')
        if cells[0].startswith('審査の観点'):
            doc.add_paragraph('')
            table = doc.add_table(rows=0, cols=len(cells))
            table.style = 'Table Grid'
        if table is None:
            continue
        row = table.add_row().cells
        for i, c in enumerate(cells[:len(row)]):
            paras = [p.strip() for p in re.split(r'</?p>', c) if p.strip()] or ['']
            row[i].text = paras[0]
            for p in paras[1:]:
                row[i].add_paragraph(p)
    else:
        table = None if not line.strip() else table
        if line.strip() and table is None:
            doc.add_paragraph(re.sub(r'^#+\s*', '', line.strip()))
doc.save('tests/data/review_seed_libreoffice.docx')
print('ok')
