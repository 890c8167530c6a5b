"""`pia check DRAFT --annotate OUT`: the findings written into a copy of the drafter's own Word or Excel file.

Each annotated file is reopened (python-docx / openpyxl) and its XML read: one comment per flagged checkpoint, each
opening with its 【細目N】/【観点(N)】, each anchored (commentRangeStart … commentRangeEnd + commentReference in
word/document.xml; an Excel note on a cell) at the field it is about; the original's bytes never change."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TAG = re.compile(r"^【(?:細目(\d+)|観点\((\d+)\))】")
FLAGS = ("incomplete", "missing")


@pytest.fixture(scope="module")
def engine(check_engine):
    """The session's checker engine (tests/conftest.py): these tests only check drafts with it."""
    return check_engine


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tag_id(text: str) -> str:
    m = TAG.match(text)
    assert m, text[:40]
    return m.group(1) or f"V{m.group(2)}"


def _word_comments(path: Path) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """(comment id -> its text, comment id -> the document text inside its range, ids with a commentReference)."""
    with zipfile.ZipFile(path) as z:
        assert "word/comments.xml" in z.namelist()
        rels = z.read("word/_rels/document.xml.rels").decode()
        assert "relationships/comments" in rels
        doc = etree.fromstring(z.read("word/document.xml"))
        comments = etree.fromstring(z.read("word/comments.xml"))
    texts = {c.get(W + "id"): "\n".join("".join(p.itertext()) for p in c.iter(W + "p"))
             for c in comments.iter(W + "comment")}
    open_: dict[str, list[str]] = {}
    inside: dict[str, str] = {}
    for el in doc.iter():
        if el.tag == W + "commentRangeStart":
            open_[el.get(W + "id")] = []
        elif el.tag == W + "commentRangeEnd":
            inside[el.get(W + "id")] = "".join(open_.pop(el.get(W + "id")))
        elif el.tag == W + "t":
            for k in open_:
                open_[k].append(el.text or "")
    assert not open_, "a comment range is never closed"
    refs = {el.get(W + "id") for el in doc.iter(W + "commentReference")}
    return texts, inside, refs


@pytest.mark.parametrize("name", ["sample_local_defects.docx", "sample_national_defects.docx"])
def test_word_comments_one_per_flag_anchored_on_the_field(check_cli, engine, tmp_path, name):
    from docx import Document

    from bot.annotate import place_comments
    from bot.draft import read_draft

    src = tmp_path / name
    shutil.copy(EXAMPLES / name, src)
    before = _sha(src)
    out = tmp_path / "annotated.docx"
    rc, _, err = check_cli(src, "--annotate", out)
    assert rc == 0 and "コメント" in err
    assert _sha(src) == before  # the drafter's file is never written

    report = engine.check(EXAMPLES / name)
    flagged = [r.id for r in report.checkpoints if r.status in FLAGS]
    assert len(flagged) >= 15
    texts, inside, refs = _word_comments(out)
    assert len(texts) == len(flagged)
    assert sorted(_tag_id(t) for t in texts.values()) == sorted(flagged)
    assert set(texts) == set(inside) == refs  # every comment has its range and its reference
    # python-docx reopens it and sees the same comments
    doc = Document(str(out))
    assert len(list(doc.comments)) == len(flagged)
    # each exact anchor covers the field: its value (or its label when the value is empty)
    _, fields = read_draft(EXAMPLES / name)
    placements = {p.checkpoint: p for p in place_comments(report, fields)}
    by_cid = {_tag_id(t): cid for cid, t in texts.items()}
    exact = 0
    for cid in flagged:
        p = placements[cid]
        covered = re.sub(r"\s+", "", inside[by_cid[cid]])
        assert covered, cid
        if not p.exact:
            continue
        f = fields[p.field_index]
        want = f.value if p.on == "value" else f.label
        head = re.sub(r"\s+", "", want)[:12].replace("【", "").replace("】", "")
        assert head[:6] in covered.replace("【", "").replace("】", "") or covered in re.sub(r"\s+", "", want), \
            (cid, covered[:40], want[:40])
        exact += 1
    assert exact >= len(flagged) - 6
    # the comment says what the checker said
    for text in texts.values():
        res = next(r for r in report.checkpoints if r.id == _tag_id(text))
        assert res.reasons[0].message in text


def test_excel_notes_one_per_flag_on_the_fields_cells(check_cli, engine, tmp_path):
    from openpyxl import load_workbook

    from bot.annotate import place_comments
    from bot.draft import read_draft

    name = "sample_local_defects.xlsx"
    src = tmp_path / name
    shutil.copy(EXAMPLES / name, src)
    before = _sha(src)
    out = tmp_path / "annotated.xlsx"
    assert check_cli(src, "--annotate", out)[0] == 0
    assert _sha(src) == before
    report = engine.check(EXAMPLES / name)
    flagged = [r.id for r in report.checkpoints if r.status in FLAGS]
    wb = load_workbook(out)
    notes = [(ws.title, c) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment is not None]
    assert len(notes) == len(flagged)
    assert sorted(_tag_id(c.comment.text) for _, c in notes) == sorted(flagged)
    # an exact note sits on the field's row: the value's cell, the label's cell, or the next free cell of that row
    _, fields = read_draft(EXAMPLES / name)
    placements = {p.checkpoint: p for p in place_comments(report, fields)}
    original = load_workbook(EXAMPLES / name)
    for title, cell in notes:
        p = placements[_tag_id(cell.comment.text)]
        if not p.exact:
            continue
        f = fields[p.field_index]
        row_text = re.sub(r"\s+", "", "".join(str(c.value or "") for c in original[title][cell.row]))
        label = re.sub(r"\s+", "", f.label)[:8]
        assert label in row_text or re.sub(r"\s+", "", f.value)[:8] in row_text, (cell.coordinate, f.label)
    # the workbook is otherwise the drafter's: same sheets, same values
    assert wb.sheetnames == original.sheetnames
    def values(ws):
        return {c.coordinate: c.value for r in ws.iter_rows() for c in r if c.value is not None}

    for ws in original.worksheets:
        assert values(ws) == values(wb[ws.title])


def test_a_complete_draft_gets_no_comments(check_cli, tmp_path):
    out = tmp_path / "complete.docx"
    assert check_cli(EXAMPLES / "sample_complete.docx", "--annotate", out)[0] == 0
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        comments = etree.fromstring(z.read("word/comments.xml")) if "word/comments.xml" in names else None
    assert comments is None or not list(comments.iter(W + "comment"))


@pytest.mark.parametrize("fmt", ["pdf", "txt", "md"])
def test_other_formats_are_refused_with_a_message_asking_for_word_or_excel(check_cli, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    rc, stdout, err = check_cli(EXAMPLES / f"sample_local_defects.{fmt}", "--annotate", out)
    assert rc == 2 and not stdout
    assert len(err.strip().splitlines()) == 1 and "Word" in err and "Excel" in err
    assert not out.exists()


def test_bad_output_paths_exit_2_and_leave_the_draft_alone(check_cli, tmp_path):
    src = tmp_path / "draft.docx"
    shutil.copy(EXAMPLES / "sample_local_defects.docx", src)
    before = _sha(src)
    rc, _, err = check_cli(src, "--annotate", src)
    assert rc == 2 and "元のファイルは変更しない" in err
    rc, _, err = check_cli(src, "--annotate", tmp_path / "out.xlsx")
    assert rc == 2 and ".docx" in err
    rc, _, _ = check_cli(src, EXAMPLES / "sample_complete.docx", "--annotate", tmp_path / "out.docx")
    assert rc == 2
    assert _sha(src) == before


def test_missing_items_are_anchored_before_their_place_and_say_so(engine, tmp_path):
    """Ⅳ is absent from the local defect sample: 70-72 go on the field before where Ⅳ would be, saying so."""
    from bot.annotate import annotate

    report = engine.check(EXAMPLES / "sample_local_defects.docx")
    result = annotate(report, EXAMPLES / "sample_local_defects.docx", tmp_path / "a.docx")
    by_cid = {p.checkpoint: p for p in result.comments}
    for cid in ("70", "71", "72"):
        p = by_cid[cid]
        assert not p.exact and p.field_index is not None
        assert "見つからない" in p.text
    assert by_cid["12"].exact and "見つからない" not in by_cid["12"].text
