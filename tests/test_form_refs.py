"""Form items named in free text (bot/form_refs.py): every label of the form resolves, with its checkpoints or what
the form asks there."""

from __future__ import annotations

import pytest

from bot.form import load_form
from bot.form_refs import (
    checkpoint_nodes,
    covers,
    item_checkpoints,
    item_label,
    item_notes,
    own_segment,
    resolve_item,
    resolve_items,
)


def _anchors():
    form = load_form()
    return [n for n in form if "{n}" not in n.label]


def test_every_node_resolves_from_its_own_label():
    """The canonical label of each item of the form (as zenkoumoku-form.md writes it) leads back to that item."""
    wrong = []
    form = load_form()
    for node in _anchors():
        parent = form.get(node.parent) if node.parent else None
        if parent is not None and parent.label == node.label:
            continue  # the choice that repeats its item's heading (Ⅳ 2. 従業者に対する教育・啓発) is that item
        label = item_label(node)
        ref = resolve_item(label)
        if ref is None or node.id not in {n.id for n in ref.nodes}:
            wrong.append((node.id, label, ref.label if ref else None))
    assert not wrong, wrong


def test_every_item_has_checkpoints_or_says_what_the_form_asks():
    form = load_form()
    notes = item_notes()
    bare = []
    for node in _anchors():
        if node.kind == "choice" and node.label == "リスクへの対策は十分か":
            continue
        has = item_checkpoints([node]) or notes.get(node.id, {}).get("asks")
        # a field without checkpoints of its own is explained by the item it sits in
        parent = form.get(node.parent) if node.parent else None
        if not has and parent is not None and own_segment(form, node) is None:
            has = item_checkpoints([parent]) or notes.get(parent.id, {}).get("asks")
        if not has and node.optional:
            continue
        if not has:
            bare.append((node.id, item_label(node)))
    assert not bare, bare


@pytest.mark.parametrize(
    ("text", "label", "checkpoint"),
    [
        ("Ⅲ 2. その他のリスクには何を書けばいい", "Ⅲ 2. その他のリスク", "31"),
        ("Ⅲ 2. の最後のその他のリスク", "Ⅲ 2. その他のリスク", "31"),
        ("使用におけるその他のリスク", "Ⅲ 3. その他のリスク", "40"),
        ("Ⅲ 4. その他のリスクには何を書く？", "Ⅲ 4. その他のリスク", "48"),
        ("委託のその他のリスク", "Ⅲ 4. その他のリスク", "48"),
        ("Ⅲの委託のところのその他のリスク", "Ⅲ 4. その他のリスク", "48"),
        ("Ⅲ 5. その他のリスク", "Ⅲ 5. その他のリスク", "53"),
        ("III-5 その他のリスク", "Ⅲ 5. その他のリスク", "53"),
        ("情報提供ネットワークシステムとの接続に伴うその他のリスク", "Ⅲ 6. その他のリスク", "61"),
        ("保管・消去におけるその他のリスク", "Ⅲ 7. その他のリスク", "69"),
        ("Ⅳ 3.", "Ⅳ 3. その他のリスク対策", None),
        ("その他のリスク対策", "Ⅳ 3. その他のリスク対策", None),
        ("Ⅰ 8.には何を書く", "Ⅰ 8. 他の評価実施機関", "1"),
        ("Ⅱ 3. ⑦", "Ⅱ 3. ⑦使用の主体", "V1"),
        ("Ⅱの3の⑦", "Ⅱ 3. ⑦使用の主体", "V1"),
        ("II-3-⑧ 突合 書き方", "Ⅱ 3. ⑧情報の突合", "13"),
        ("Ⅲ 7. ⑨", "Ⅲ 7. リスク1 ⑨過去3年以内に、評価実施機関において、個人情報に関する重大事故が発生したか", "64"),
        ("Ⅲ 4. の消去ルール", "Ⅲ 4. 消去ルール", "45"),
        ("Ⅵ 2. ②実施日・期間", "Ⅵ 2. ②実施日・期間", "V5"),
        ("Ⅵ 3. 第三者点検の②方法には", "Ⅵ 3. ②方法", None),
        ("第三者点検の結果はどこに書く？", "Ⅵ 3. ③結果", None),
        ("Ⅵ 4.", "Ⅵ 4. 個人情報保護委員会の承認", None),
        ("表紙 宣言", "表紙 個人のプライバシー等の権利利益の保護の宣言", "V12"),
        ("表紙の宣言文", "表紙 個人のプライバシー等の権利利益の保護の宣言", "V12"),
        ("表紙の特記事項", "表紙 特記事項", None),
        ("Ⅰ (別添1)", "Ⅰ (別添1) 事務の内容", "7"),
        ("別添3", "Ⅵ (別添3) 変更箇所", None),
        ("委託先名の確認方法", "Ⅱ 4. ⑤委託先名の確認方法", "17"),
        ("しきい値判断結果の欄", "Ⅵ 1. ②しきい値判断結果", "V1"),
        ("開示請求の手数料等", "Ⅴ 1. ③手数料等", None),
    ],
)
def test_items_named_by_place_or_label(text, label, checkpoint):
    refs = resolve_items(text)
    assert refs, text
    assert refs[0].label == label
    cps = item_checkpoints(refs[0].nodes)
    if checkpoint is None:
        assert not [c for c in cps if not c.startswith("V")] or label.startswith("Ⅳ 3."), cps
    else:
        assert checkpoint in cps


def test_no_item_in_a_question_about_something_else():
    assert resolve_items("マイナンバーカードの再発行手数料は？") == []
    assert resolve_items("USBメモリへのコピーを防ぐ対策はどこに書く？") == []


def test_covers_items_and_checkpoints():
    vi2 = resolve_item("Ⅵ 2.").nodes
    assert covers(vi2, resolve_item("Ⅵ 2. ③").nodes)
    assert not covers(resolve_item("Ⅵ 2. ③").nodes, resolve_item("Ⅵ 2. ②").nodes)
    assert covers(vi2, checkpoint_nodes("V5")) and covers(vi2, checkpoint_nodes("73"))
    assert covers(resolve_item("Ⅲ 4. その他のリスク").nodes, checkpoint_nodes("48"))
    assert not covers(resolve_item("表紙 宣言").nodes, checkpoint_nodes("1"))  # 1 is on 評価実施機関名, not the 宣言
    assert covers(resolve_item("表紙").nodes, checkpoint_nodes("1"))


def test_the_notes_on_form_items_are_text():
    """knowledge/form_items.yaml: `asks` is a sentence and `law` a list of names; a colon inside an unquoted flow list
    would silently make a mapping that the answer prints as {'…': '…'}."""
    from bot.form_refs import item_notes

    for node_id, note in item_notes().items():
        assert isinstance(note.get("asks", ""), str), node_id
        assert all(isinstance(x, str) for x in note.get("law", [])), (node_id, note.get("law"))
        assert all(isinstance(x, str) for x in note.get("links", [])), node_id
