"""One-off helper: pull the full wording of viewpoints, considerations and checkpoints out of a review sheet.

Used to seed knowledge/catalog.yaml; the catalog itself is data and is edited by hand afterwards.
"""
import json
import re
import sys
from pathlib import Path

from bot.text import normalize


def cells(line):
    return [re.sub(r"</?p>", " ", c).strip() for c in line.split("\t")]


def main(path):
    text = Path(path).read_text(encoding="utf-8")
    cps, views, cons = {}, {}, {}
    for line in text.splitlines():
        cs = cells(line)
        if len(cs) < 3:
            continue
        for c in cs[:3]:
            n = normalize(c)
            for m in re.finditer(r"\((\d{1,2})\)\s*(.+?)(?=\(\d{1,2}\)|$)", n):
                if m.group(2).strip().endswith("か。") or "か。" in m.group(2):
                    views.setdefault(int(m.group(1)), m.group(2).strip())
            m = re.match(r"^([①②③④⑤⑥⑦⑧⑨⑩])\s*(.+)$", n)
            if m:
                cons.setdefault(m.group(1), m.group(2).strip())
        n3 = normalize(cs[2])
        m = re.match(r"^(\d{1,3})\.\s*(.+)$", n3)
        if m:
            cps[int(m.group(1))] = m.group(2).strip()
    json.dump({"viewpoints": views, "considerations": cons, "checkpoints": cps}, sys.stdout, ensure_ascii=False,
              indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
