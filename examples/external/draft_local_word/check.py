"""Self-check: manifest parses; planted strings present in DOCX text, TXT and PDF text."""
import yaml, pymupdf
from docbuild import docx_to_text
m = yaml.safe_load(open("local_defects.expected.yaml"))
assert len(m["defects"]) == 12 and len(m["traps"]) == 8
ids = [d["id"] for d in m["defects"]] + [t["id"] for t in m["traps"]]
assert len(set(ids)) == len(ids)
dc = {c for d in m["defects"] for c in d["checkpoints"]}
tc = {c for t in m["traps"] for c in t["not_flagged"]}
assert not (dc & tc), dc & tc
txt = open("local_defects.txt", encoding="utf-8").read()
pdf = "".join(p.get_text() for p in pymupdf.open("local_defects.pdf")).replace("\n", "")
probes = ["○○市は、", "［ 1万人以上10万人未満 ］", "介護保険法第203条（資料の提供等）", "【　　　　　　】により確認する",
          "○○により消去する", "適切な方法により確実に消去させる", "［ 再委託していない ］", "［ 課題が残されている ］",
          "厳重に管理している", "定期的に自己点検を実施し", "令和7年8月18日から令和7年9月16日まで（30日間）",
          "Ⅱ 2. ③と同じ。", "☑ 提供・移転しない", "番号法第9条第2項、東湊市"]
for p in probes:
    assert p in txt, ("txt", p)
    norm = lambda s: s.replace(" ", "").replace("\u3000", "")
    assert norm(p) in norm(pdf), ("pdf", p)
# empty 使用の記録 method in file 1, and リスク3 of Ⅲ 3. present once only (file 1)
assert txt.count("リスク3： 従業者が事務外で使用するリスク") == 1
assert "\t具体的な方法\t\n" in txt or txt.count("\t具体的な方法\t") >= 1
print("ok", sorted(dc), sorted(tc))
