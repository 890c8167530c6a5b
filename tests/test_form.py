"""knowledge/form.yaml: the whole form loads, every catalog checkpoint points at a part of it, labels are unique where
the reader needs them to be, and every dependency names a real field and a real option."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.catalog import load_catalog
from bot.form import INSTANCE_SEG, load_form, parse_condition, path_key
from bot.text import compact

FORM = load_form()
CATALOG = load_catalog()


def test_loads_the_whole_form():
    ids = [f.id for f in FORM]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert [f.path[0] for f in FORM if f.kind == "section"] == ["表紙", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ"]
    # a few fixed points of the form, by path
    assert FORM.get("i_1_2").path == ["Ⅰ", "1.", "②"] and FORM.get("i_1_2").required
    assert FORM.get("iii_7_r1_5").path == ["Ⅲ", "7.", "リスク1", "⑤"]
    assert FORM.get("ii_4_8").path == ["Ⅱ", "4.", "委託事項{n}", "⑧"]
    assert FORM.get("iii_4_sub_c").path == ["Ⅲ", "4.", "再委託"]
    assert FORM.get("i_att1").path == ["Ⅰ", "別添1"]
    assert FORM.get("vi_2_5").path == ["Ⅵ", "2.", "⑤"]
    assert FORM.get("iv_2_c").path == ["Ⅳ", "2."]
    assert len(FORM) > 250


@pytest.mark.parametrize("cp", CATALOG.checkpoints, ids=lambda c: c.id)
def test_every_checkpoint_section_exists_in_the_form(cp):
    assert cp.form_path, cp.id
    assert FORM.has_path(cp.form_path), (cp.id, cp.form_path)
    # the catalog's written section names the same place
    written = compact(cp.section).replace("(", "").replace(")", "")
    assert written.startswith(compact(" ".join(cp.form_path[:2]))), cp.section
    if not cp.body_specific:
        fields = FORM.for_checkpoint(cp.id)
        assert fields, f"no field of the form answers checkpoint {cp.id}"
        # the fields answering it lie in the item of the form the catalog names (checkpoint 1: 表紙 and Ⅰ 8.)
        for f in fields:
            if cp.id != "1":
                assert path_key(f.path)[:2] == tuple(cp.form_path[:2]), (cp.id, f.id)
        # and at least one lies exactly at the catalog's place
        assert any(path_key(f.path)[: len(cp.form_path)] == tuple(cp.form_path) for f in fields), cp.id


def test_checkpoint_and_viewpoint_ids_in_the_form_are_real():
    known = set(CATALOG.ids())
    used = {c for f in FORM for c in f.checkpoints}
    assert used <= known, used - known
    # every viewpoint with fields of its own, and those that are judged by rules only
    assert {"V1", "V2", "V4", "V5", "V7", "V12"} <= used


def test_options_are_whole_options():
    """Options with a thousands separator survive YAML flow lists (1,000人以上 is one option, not two)."""
    assert FORM.get("i_1_3").options == [
        "1,000人未満（任意実施）", "1,000人以上1万人未満", "1万人以上10万人未満", "10万人以上30万人未満", "30万人以上"]
    for f in FORM:
        for o in f.options:
            assert not o.isdigit() and not o.startswith("000"), (f.id, o)
        if f.kind == "choice":
            assert len(f.options) >= 2, f.id


def test_labels_unique_within_their_parent():
    by_parent: dict[str | None, Counter] = {}
    for f in FORM:
        by_parent.setdefault(f.parent, Counter())[(compact(f.label), tuple(f.path))] += 1
    dupes = {p: [k for k, n in c.items() if n > 1] for p, c in by_parent.items()}
    assert not any(dupes.values()), {p: d for p, d in dupes.items() if d}


def test_every_dependency_refers_to_existing_fields_and_options():
    for f in FORM:
        conds = [part for cond in f.not_applicable_when + f.required_when for part in cond.split("&")]
        for cond in conds:
            field_id, option, _ = parse_condition(cond)
            assert FORM.has(field_id), (f.id, cond)
            target = FORM.get(field_id)
            assert option in target.options, (f.id, cond, target.options)
        assert set(f.depends_on) == {parse_condition(c)[0] for c in conds}
    # a conjunction: Ⅲ 6. is out only when neither direction connects
    assert "iii_6=接続しない（入手）&iii_6=接続しない（提供）" in FORM.na_conditions("iii_6_other")


def test_repeated_blocks_and_dependencies_of_the_rules():
    assert FORM.get("ii").repeat == "file" and FORM.get("iii").repeat == "file"
    assert FORM.get("ii_4_item").repeat == "entrustment"
    assert FORM.get("ii_5_prov").repeat == "recipient" and FORM.get("ii_5_move").repeat == "recipient"
    assert FORM.get("i_2_sys").repeat == "system"
    assert all(INSTANCE_SEG.match(f.path[2]) for f in FORM.descendants("ii_4_item"))
    # 委託しない -> Ⅱ 4. details and Ⅲ 4. do not apply
    assert "ii_4_umu=委託しない" in FORM.na_conditions("ii_4_5")
    assert "ii_4_umu=委託しない" in FORM.na_conditions("iii_4_sub_how")
    # 行っている -> 具体的な…; 発生あり -> その内容 / 再発防止策; 再委託する -> ⑧⑨; 保管している -> 具体的な保管方法
    assert FORM.get("iii_3_r2_auth_how").required_when == ["iii_3_r2_auth=行っている"]
    assert FORM.get("iii_7_r1_9_what").required_when == ["iii_7_r1_9=発生あり"]
    assert FORM.get("iii_7_r1_9_prevent").not_applicable_when == ["iii_7_r1_9=発生なし"]
    assert FORM.get("ii_4_8").required_when == ["ii_4_7=再委託する"] == FORM.get("ii_4_9").required_when
    assert FORM.get("iii_7_r1_10_how").required_when == ["iii_7_r1_10=保管している"]
    # the parts that only one kind of body fills
    assert FORM.get("vi_3").body == "local" and FORM.get("vi_4").body == "national"


def test_instance_segments_are_dropped_when_comparing_paths():
    assert path_key(["Ⅱ", "4.", "委託事項2", "⑥"]) == ("Ⅱ", "4.", "⑥")
    assert path_key(["Ⅲ", "ファイル2", "2.", "リスク3"]) == ("Ⅲ", "2.", "リスク3")
    assert FORM.at_path(["Ⅱ", "4.", "⑧"])[0].id == "ii_4_8"
