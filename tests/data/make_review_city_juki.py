# One-off generator for tests/data/review_city_juki.txt (the synthetic review sheet). Rows take the checkpoint
# wording from the catalog; sections and damage are written by hand below, the findings in
# review_city_juki_findings.py. Run: python tests/data/make_review_city_juki.py
from pathlib import Path

import yaml
from review_city_juki_findings import CP74, CP75, TAIL, F, wrap

ROOT = Path(__file__).resolve().parents[2]
cat = yaml.safe_load((ROOT / "knowledge/catalog.yaml").read_text(encoding="utf-8"))
W = {c["id"]: c["text"] for c in cat["checkpoints"]}
V = {v["id"]: v["text"] for v in cat["viewpoints"]}
C = {c["id"]: c["text"] for c in cat["considerations"]}
OK = "問題は認められない"

HEADER = "審査の観点（指針第10の1(2)）\t主な考慮事項\t主な考慮事項（細目）\t該当箇所\t\t審査結果\t所見"
out = []
def line(*cells):
    out.append("\t".join(cells))

SECTIONS = {
 "2": ("P.3", "I 1. ②"), "3": ("P.4～P.5", "I 2. ②"), "4": ("P.4～P.5", "I 2. ③"), "5": ("P.6", "I 4. ①"),
 "6": ("P.6", "I 4. ②"), "7": ("P.7～P.8", "I (別添1)"),
 "8": ("P.9", "ＩＩ 2. ③"), "9": ("P.9", "ＩＩ 2. ④"), "10": ("P.10", "II 3. ④"), "11": ("P.10", "II 3. ⑤"),
 "12": ("P.10", "II 3. ⑥"), "13": ("P.11", "II 3. ⑧"), "14": ("P.11", "II 3. ⑧"), "15": ("P.11", "II 3. ⑧"),
 "16": ("P.12～13", "II 4. ②"), "17": ("P.12～13", "II 4. ⑤"), "18": ("P.12～13", "II 4. ⑧"),
 "19": ("P.14～P.17", "II 5. ②"), "20": ("P.18", "II 5. ②"), "21": ("P.19", "II 6. ①"), "22": ("P.19", "II 6. ②"),
 "23": ("P.19", "II 6. ③"),
 "24": ("P.21", "III 2. リスク1："), "25": ("P.21", "III 2. リスク1："), "26": ("P.21", "III 2. リスク2："),
 "27": ("P.22", "III 2. リスク3："), "28": ("P.22", "III 2. リスク3："), "29": ("P.22", "III 2. リスク3："),
 "30": ("P.22", "III 2. リスク4："), "31": ("P.23", "III 2. その他の リスク"),
 "32": ("P.23", "III 3. リスク1："), "33": ("P.23", "III 3. リスク1："), "34": ("P.24", "III 3. リスク2："),
 "35": ("P.24", "III 3. リスク2："), "36": ("P.24", "III 3. リスク2："), "37": ("P.25", "III 3. リスク2："),
 "38": ("P.25", "III 3. リスク3："), "39": ("P.25", "III 3. リスク4："), "40": ("P.25", "III 3. その他のリスク"),
 "41": ("P.26", "ＩＩＩ 4. 情報保護管理体制の確認"), "42": ("P.26", "ＩＩＩ 4. 閲覧者・更新者の制限"),
 "43": ("P.26", "ＩＩＩ 4. 取扱いの記録"), "44": ("P.26", "ＩＩＩ 4. 提供ルール"), "45": ("P.27", "ＩＩＩ 4. 消去ルール"),
 "46": ("P.27", "ＩＩＩ 4. 委託契約書中の規定"), "47": ("P.27", "ＩＩＩ 4. 再委託"), "48": ("P.27", "ＩＩＩ 4. その他のリスク"),
 "49": ("P.28", "III 5. リスク1："), "50": ("P.28", "III 5. リスク1："), "51": ("P.28", "III 5. リスク2："),
 "52": ("P.28", "III 5. リスク3："), "53": ("P.28", "III 5. その他のリスク"),
 "54": ("P.29", "III 6. リスク1："), "55": ("P.29", "III 6. リスク2："), "56": ("P.29", "III 6. リスク3："),
 "57": ("P.30", "III 6. リスク4："), "58": ("P.30", "III 6. リスク5："), "59": ("P.30", "III 6. リスク6："),
 "60": ("P.31", "III 6. リスク7："), "61": ("P.31", "III 6. その他のリスク"),
 "62": ("P.32", "III 7. リスク1： ⑤"), "63": ("P.32", "III 7. リスク1： ⑥"), "64": ("P.33", "III 7. リスク1： ⑨"),
 "65": ("P.33", "III 7. リスク1： ⑨"), "66": ("P.33", "III 7. リスク1： ⑩"), "67": ("P.34", "III 7. リスク2："),
 "68": ("P.34", "III 7. リスク3："), "69": ("P.34", "III 7. その他の リスク"),
 "70": ("P.35", "IV 1. ①"), "71": ("P.35", "ＩＶ 1. ②"), "72": ("P.35", "IV 2."), "73": ("P.38", "VI 2. ⑤"),
}
RESULT = dict.fromkeys(SECTIONS, OK)
RESULT.update({"31": "該当 なし", "48": "該当なし", "53": "該当　なし", "61": "該当なし", "69": "該当なし",
               "66": "より具体的に記載する 必要がある", "70": "問題は 認め られない", "71": "問題は 認め られない",
               "72": "問題は 認め られない", "73": "問題は　認められない"})

def cp_row(n, vcell="", ccell="", damage=False):
    pages, sec = SECTIONS[n]
    text = f"{n}. {W[n]}"
    if damage:
        text = wrap(text, 11)
    line(vcell, ccell, text, pages, sec, RESULT[n], F.get(n, ""))

def vp_row(v, res=OK, cp="—", pages="—", sec="—"):
    line(f"({v[1:]}){V[v]}", "—", cp, pages, sec, res, F.get(v, ""))

out += ["", "", "## 特定個人情報保護評価書の特定個人情報保護評価指針への適合性・妥当性の審査", "",
        "評価書名：住民基本台帳に関する事務", "評価実施機関名：みどり市長", "提出日：令和６年１２月２日", "概要説明日\t令和7年1月15日", "",
        "(目次)", "", "○ 全体的な事項 .....\t1", "○ 特定個人情報ファイル(住民基本台帳ファイル) .....\t4",
        "○ 評価実施機関に特有の問題に対するリスク対策 .....\t10", "○ 総評 .....\t11",
        "○ 個人情報保護委員会による審査記載事項 .....\t11", "", "## 全体的な事項", "", HEADER]
vp_row("V1")
line(f"(2){V['V2']}", "—", f"1. {W['1']}", "—", "—", OK, F["1"])
for v in ["V3", "V4", "V5", "V6"]:
    vp_row(v)
out += ["", HEADER]
vp_row("V7")
cp_row("2", f"(8){V['V8']}", f"①{C['①']}")
for n in ["3", "4", "5", "6", "7"]:
    cp_row(n)
out += ["", HEADER]
line(wrap(f"(9) {V['V9']}", 8), "—", "—", "P.20～P.36", "III、IV", "問題は 認め られない", F.get("V9", ""))
cp_row("70", wrap(f"(10) {V['V10']}", 9) + "  " + wrap(f"(11) {V['V11']}", 9), wrap(f"⑨ {C['⑨']}", 8), damage=True)
for n in ["71", "72", "73"]:
    cp_row(n, damage=True)
out += ["", HEADER]
vp_row("V12", sec="表紙")
out += ["", "特定個人情報ファイル  ", "(住民基本台帳ファイル)", "", HEADER]
cp_row("8", f"(8) {V['V8']}", f"②{C['②']}")
for n in range(9, 24):
    cp_row(str(n))
vcell = f"<p>(10) {V['V10']}</p> <p>(11) {V['V11']}</p>"
groups = [("③", range(24, 32)), ("④", range(32, 41)), ("⑤", range(41, 49)), ("⑥", range(49, 54)),
          ("⑦", range(54, 62)), ("⑧", range(62, 70))]
for g, rng in groups:
    out += ["", HEADER]
    first = True
    for n in rng:
        n = str(n)
        pages, sec = SECTIONS[n]
        if g == "③":  # cells wrapped in <p>
            cells = [vcell if first else "", f"<p>③ {C['③']}</p>" if first else "", f"<p>{n}. {W[n]}</p>",
                     f"<p>{pages}</p>", f"<p>{sec}</p>", f"<p>{RESULT[n]}</p>", F.get(n, "")]
        else:
            ccell = (wrap(f"{g}{C[g]}", 8) if g == "⑧" else f"{g}{C[g]}") if first else ""
            cells = ["", ccell, f"{n}. {W[n]}", pages, sec, RESULT[n], F.get(n, "")]
        line(*cells)
        first = False
out += ["", "評価実施機関に特有の問題に対するリスク対策", "", HEADER]
line(vcell, "<p>⑩その他、評価実施機関に特有な問題や懸念に対し、特定されたリスクを軽減するために講ずべき措置を具体的に記載しているか。記載された対策は、特定個人情報保護評価の目的に照らし妥当なものか。</p>",
     f"<p>74. {CP74}</p>", "<p>P.41</p>", "<p>III 7. リスク1</p>", "<p>問題は認められない</p>", F["74"])
line("", "", f"<p>75. {CP75}</p>", "<p>P.42 ～ P.43</p>", "<p>III 7. その他のリスク</p>", "<p>問題は認められない</p>", F.get("75", ""))
out += ["", TAIL]
(ROOT / "tests/data/review_city_juki.txt").write_text("\n".join(out) + "\n", encoding="utf-8")
print(len(out), "lines")
