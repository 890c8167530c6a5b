#!/usr/bin/env python3
"""Render the held-out local-government draft (介護保険に関する事務, 東湊市) to DOCX and TXT.
PDF is produced afterwards with LibreOffice (see README.md / build.sh)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from docbuild import Builder, Choice, Checks, docx_to_text  # noqa: E402
import content_1  # noqa: E402
import content_2  # noqa: E402
import content_3  # noqa: E402

OUT = os.path.dirname(os.path.abspath(__file__))
NAME = "local_defects"


def main():
    b = Builder("東湊市　介護保険に関する事務　特定個人情報保護評価書（全項目評価書）")
    content_1.cover_and_part1(b)      # 表紙, Ⅰ, (別添1)
    content_2.part2(b)                # Ⅱ (two files), (別添2)
    content_3.part3_to_6(b)           # Ⅲ (two files), Ⅳ, Ⅴ, Ⅵ, (別添3)
    docx_path = os.path.join(OUT, NAME + ".docx")
    b.save(docx_path)
    with open(os.path.join(OUT, NAME + ".txt"), "w", encoding="utf-8") as f:
        f.write(docx_to_text(docx_path))
    print("wrote", docx_path)


if __name__ == "__main__":
    main()
