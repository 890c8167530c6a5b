#!/bin/sh
# Build local_defects.docx / .txt (python-docx) and local_defects.pdf (LibreOffice).
set -e
cd "$(dirname "$0")"
./venv/bin/python render.py
FONTCONFIG_FILE="$PWD/fonts.conf" soffice --headless --convert-to pdf local_defects.docx --outdir . >/dev/null 2>&1
ls -l local_defects.docx local_defects.pdf local_defects.txt
