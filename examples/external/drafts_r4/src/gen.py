import sys, os
sys.path.insert(0, os.path.dirname(__file__))
from form import Builder
import draft_a, draft_b, draft_c
import office_render as orr
import pdf_render as pr

OUT = "/tmp/heldout_d4"

# A: 広域連合, docx two-column tables with merged left cells + own PDF + txt
a = Builder(draft_a.DATA).build()
headA = "北陵地域後期高齢者医療広域連合　特定個人情報保護評価書（全項目評価書）"
ttlA = lambda t: "特定個人情報保護評価書（全項目評価書）" if t == "表紙" else t
orr.docx_tables(f"{OUT}/a_koiki_kouki.docx", a, headA, title_fn=ttlA)
pr.table_pdf(f"{OUT}/a_koiki_kouki.pdf", a, [38, 52, 90], headA, title_fn=ttlA)
orr.txt_table(f"{OUT}/a_koiki_kouki.txt", a, 2)

# B: national agency, xlsx one sheet per section + own grid PDF (landscape) + txt
b = Builder(draft_b.DATA).build()
headB = "被災者支援庁　特定個人情報保護評価書（全項目評価書）"


def sheetB(t):
    if t == "表紙":
        return "表紙"
    t = t.replace("特定個人情報ファイルの取扱いプロセスにおけるリスク対策 ※", "").replace("特定個人情報ファイルの概要", "")
    return t.replace(" ", "").replace("（", "_").replace("）", "")[:28]


orr.xlsx_book(f"{OUT}/b_shinsai_kyufu.xlsx", b, sheetB, headB)
pr.table_pdf(f"{OUT}/b_shinsai_kyufu.pdf", b, [34, 38, 55, 140], headB, foot="{} ページ",
             title_fn=lambda t: "特定個人情報保護評価書（全項目評価書）　表紙" if t == "表紙" else t,
             newpage_each=True, orient="L", size=8)
orr.txt_table(f"{OUT}/b_shinsai_kyufu.txt", b, 3)

# C: 市, numbered paragraphs (full-width numbering/brackets) docx + own paragraph PDF
c = Builder(draft_c.DATA, wide=True).build()
headC = "湊台市　介護保険に関する事務　全項目評価書"
items = orr.para_items(c, "特定個人情報保護評価書（全項目評価書）")
orr.docx_paras(f"{OUT}/c_minatodai_kaigo.docx", items, headC)
pr.para_pdf(f"{OUT}/c_minatodai_kaigo.pdf", items, headC, foot="{}")
print("ok")
