"""Form items named in free text, resolved to the nodes of the form (knowledge/form.yaml) and their checkpoints.

A question (or a guideline paragraph, or an evaluation label) names a form item in one of two ways:
- by its place: 「Ⅲ 4. その他のリスク」, 「Ⅱの3の⑦」, 「III-2 リスク3」, 「Ⅰ (別添1)」, 「別添3」, 「表紙の宣言」;
- by the form's own label: 「委託先名の確認方法」, 「しきい値判断結果」, 「第三者点検の結果」.

`resolve_items(text)` returns ItemRefs, best first. An ItemRef holds the form nodes at that place (an item such as
「Ⅱ 3. ⑦」 is several sibling fields), its canonical label as zenkoumoku-form.md writes it, and how it was named.
`item_checkpoints` lists the checkpoints and viewpoints on an item; `checkpoint_nodes` the nodes a checkpoint is on;
`covers` says whether an item contains a node (an expectation 「Ⅵ 2.」 is met by a pointer at 「Ⅵ 2. ③」 or by a
checkpoint on it).

Foundation layer: depends on the form, the catalog and text normalisation only (words are runs of kanji, katakana or
Latin letters, compared by their two-character pieces: no tokenizer), so that the indexer (guideline chunks link to
form items), the services (answers) and the evaluation share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from bot.catalog import load_catalog
from bot.form import Form, load_form, path_key
from bot.models import FormFieldSpec
from bot.resources import knowledge_yaml
from bot.text import CIRCLED, compact, normalize

ROMANS = "ⅠⅡⅢⅣⅤⅥ"
_ASCII_ROMAN_SECTION = re.compile(r"(?<![A-Za-z])(VI|IV|V|III|II|I)\s*[-－‐ー・.．]?\s*(?=\d{1,2}(?!\d))")
_ROMAN_SECTION_SEP = re.compile(r"([ⅠⅡⅢⅣⅤⅥ])\s*[-－‐ー・]\s*(?=\d)")
_ASCII_ROMAN_MAP = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "VI": "Ⅵ"}
_ATTACHMENT_SECTION = {"1": "Ⅰ", "2": "Ⅱ", "3": "Ⅵ"}

_SEP = r"\s*(?:の|[-－‐ー・、,])?\s*"
_REF = re.compile(
    r"(?P<cover>表紙)"
    r"|(?P<att>[(（]?\s*別添\s*(?P<attn>[123])\s*[)）]?)"
    r"|(?P<roman>[" + ROMANS + r"])(?:" + _SEP + r"(?P<item>\d{1,2})(?!\d)(?:\s*[.．])?)?"
)
_TAIL = re.compile(
    _SEP + r"(?:リスク\s*(?P<risk>\d)(?:" + _SEP + r"(?P<riskfield>[" + CIRCLED[:10] + r"]))?"
    r"|(?P<field>[" + CIRCLED[:10] + r"])"
    r"|[(（]?\s*別添\s*(?P<att>[123])\s*[)）]?)"
)
MIN_LABEL_CHARS = 3
WINDOW = 30  # characters around a place reference read for a field label

# Labels that name a kind of field, not one field: they only count after a place reference or a specific label.
GENERIC_LABELS = {
    compact(x) for x in (
        "その妥当性", "具体的な方法", "具体的な管理方法", "具体的な内容", "具体的な対策の内容", "具体的な保管方法",
        "具体的な制限方法", "方法", "結果", "期間", "実施日", "その内容", "法令上の根拠", "対象となる本人の数",
        "対象となる本人の範囲", "その他の措置の内容", "リスクに対する措置の内容", "時期・頻度", "特記事項", "備考",
        "部署", "提出日", "手順の内容", "規定の内容", "その必要性",
        "事務の内容", "特定個人情報ファイル名", "リスクへの対策は十分か", "その他の措置", "監査", "再委託",
        "提供方法", "移転方法", "提供する情報", "移転する情報", "使用の主体",
    )
}


def normalize_refs(text: str) -> str:
    """Normalised text with section numbers in one notation: `III-7`, `III 2`, `Ⅲ-2` -> `Ⅲ 7`, `Ⅲ 2`."""
    q = normalize(text)
    q = _ASCII_ROMAN_SECTION.sub(lambda m: _ASCII_ROMAN_MAP[m.group(1)] + " ", q)
    q = _ROMAN_SECTION_SEP.sub(lambda m: m.group(1) + " ", q)
    return re.sub(r"[ \t]+", " ", q).strip()


# --------------------------------------------------------------------------- the form's nodes


def own_segment(form: Form, node: FormFieldSpec) -> str | None:
    """The path segment the node adds itself (None when it shares its parent's place)."""
    parent = form.get(node.parent) if node.parent else None
    key = path_key(node.path)
    if parent is not None and path_key(parent.path) == key:
        return None
    return key[-1] if key else None


def _is_word_segment(seg: str) -> bool:
    return not (seg in ROMANS or seg in CIRCLED or re.fullmatch(r"\d{1,2}\.", seg) or seg == "表紙"
                or seg.startswith("別添"))


def _head(node: FormFieldSpec) -> str:
    """The place of a node written out: 'Ⅵ 2. ③', 'Ⅲ 4. その他のリスク', 'Ⅰ (別添1)', '表紙'."""
    return " ".join(f"({s})" if s.startswith("別添") else s for s in path_key(node.path))


def item_label(node: FormFieldSpec) -> str:
    """The item as zenkoumoku-form.md writes it: 'Ⅵ 2. ③期間を短縮する特段の理由', 'Ⅲ 4. その他のリスク',
    'Ⅰ (別添1) 事務の内容', '表紙 個人のプライバシー等の権利利益の保護の宣言', 'Ⅱ 4. 委託の有無'."""
    form = load_form()
    seg = own_segment(form, node)
    if seg is None:
        parent = form.get(node.parent) if node.parent else None
        while parent is not None and "{n}" in parent.label and parent.parent:
            parent = form.get(parent.parent)  # an instance block (委託事項{n}) is not written
        if parent is None:
            return node.label
        pseg = own_segment(form, parent)
        heading = pseg is not None and (pseg in ROMANS or re.fullmatch(r"\d{1,2}\.", pseg))
        prefix = _head(parent) if heading else item_label(parent)
        return f"{prefix} {node.label}"
    head = _head(node)
    if seg in CIRCLED:
        return head + node.label
    if seg.startswith("別添") or re.fullmatch(r"\d{1,2}\.", seg) or seg in ROMANS:
        return f"{head} {node.label}"
    return head  # 表紙, a word segment (その他のリスク, 再委託, リスク1)


@dataclass
class ItemRef:
    """A form item named in a text."""

    nodes: list[FormFieldSpec]
    how: str  # "place" (Ⅲ 4. …) | "label" (the form's own label)
    start: int = 0
    end: int = 0
    ambiguous: bool = False
    alternatives: list[FormFieldSpec] = field(default_factory=list)

    @property
    def node(self) -> FormFieldSpec:
        return self.nodes[0]

    @property
    def label(self) -> str:
        return item_label(self.node)

    @property
    def explicit(self) -> bool:
        """Named beyond doubt: by its place, or by a label only one item of the form carries."""
        return self.how == "place" or not self.ambiguous


@lru_cache(maxsize=1)
def _anchors() -> dict[tuple[str, ...], list[FormFieldSpec]]:
    """Nodes that open a place of their own, by path (instance segments dropped)."""
    form = load_form()
    out: dict[tuple[str, ...], list[FormFieldSpec]] = {}
    for node in form:
        if own_segment(form, node) is not None:
            out.setdefault(path_key(node.path), []).append(node)
    return out


def nodes_at(path: list[str]) -> list[FormFieldSpec]:
    """The nodes opening the place `path`, backing off to the nearest existing ancestor place.
    A field number written without its risk (「Ⅲ 7. ⑨」 for Ⅲ 7. リスク1 ⑨) is found when only one risk has it."""
    anchors = _anchors()
    key = tuple(path)
    if key not in anchors and len(key) >= 3 and key[-1] in CIRCLED:
        under = [k for k in anchors if len(k) == len(key) + 1 and k[: len(key) - 1] == key[:-1] and k[-1] == key[-1]]
        if len(under) == 1:
            return list(anchors[under[0]])
    while key:
        if key in anchors:
            return list(anchors[key])
        key = key[:-1]
    return []


def scope(nodes: list[FormFieldSpec]) -> list[FormFieldSpec]:
    """The nodes and everything under them, in form order, without repeats."""
    given = {n.id: n for n in reversed(nodes)}  # the nodes passed in stand for themselves, as given
    return [given.get(f.id, f) for f in _scope(tuple(n.id for n in nodes))]


@lru_cache(maxsize=4096)
def _scope(ids: tuple[str, ...]) -> tuple[FormFieldSpec, ...]:
    """scope() of the form's own nodes, by id: a question asks it thousands of times over the same few items."""
    form = load_form()
    seen: dict[str, FormFieldSpec] = {}
    for i in ids:
        seen.setdefault(i, form.get(i))
        for d in form.descendants(i):
            seen.setdefault(d.id, d)
    order = _form_order()
    return tuple(sorted(seen.values(), key=lambda f: order[f.id]))


@lru_cache(maxsize=1)
def _form_order() -> dict[str, int]:
    return {f.id: i for i, f in enumerate(load_form())}


# --------------------------------------------------------------------------- extra knowledge about items


@lru_cache(maxsize=1)
def item_notes() -> dict[str, dict]:
    """knowledge/form_items.yaml: what the form asks at items no checkpoint covers, extra links, procedures."""
    data = knowledge_yaml("form_items.yaml") or {}
    return {str(k): (v or {}) for k, v in (data.get("items") or {}).items()}


def item_checkpoints(nodes: list[FormFieldSpec]) -> list[str]:
    """Checkpoints and viewpoints on an item: the form's links of its nodes (and of what is under them), the extra
    links of knowledge/form_items.yaml, and the numbered checkpoints whose form path lies inside the item."""
    catalog = load_catalog()
    out: list[str] = []
    inside = scope(nodes)
    for n in inside:
        for cid in [*n.checkpoints, *item_notes().get(n.id, {}).get("links", [])]:
            if str(cid) not in out:
                out.append(str(cid))
    if out:
        return out
    keys = {path_key(n.path) for n in nodes if own_segment(load_form(), n) is not None}
    for cp in catalog.checkpoints:
        fp = tuple(cp.form_path)
        if any(fp[: len(k)] == k for k in keys) and cp.id not in out:
            out.append(cp.id)
    return out


@lru_cache(maxsize=256)
def _checkpoint_node_ids(cid: str) -> frozenset[str]:
    form = load_form()
    ids = {f.id for f in form if cid in f.checkpoints}
    ids |= {nid for nid, note in item_notes().items() if cid in [str(x) for x in note.get("links", [])]}
    cp = load_catalog().checkpoint(cid)
    if cp is not None and cp.form_path:
        ids |= {n.id for n in _anchors().get(tuple(cp.form_path), [])}
    return frozenset(ids)


def checkpoint_nodes(cid: str) -> list[FormFieldSpec]:
    """The form nodes a checkpoint or viewpoint is on."""
    form = load_form()
    ids = _checkpoint_node_ids(cid)
    return [f for f in form if f.id in ids]


def covers(item: list[FormFieldSpec], nodes: list[FormFieldSpec]) -> bool:
    """True when one of `nodes` lies inside the item."""
    inside = {n.id for n in scope(item)}
    return any(n.id in inside for n in nodes)


# --------------------------------------------------------------------------- resolving a text


def _lcs(a: str, b: str) -> int:
    if not a or not b:
        return 0
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def _strings(node: FormFieldSpec) -> list[str]:
    form = load_form()
    out = [compact(node.label), *(compact(v) for v in node.variants)]
    seg = own_segment(form, node)
    if seg and _is_word_segment(seg) and not re.fullmatch(r"リスク\d", seg):
        out.append(compact(seg))
    return [s for s in dict.fromkeys(out) if s and "{n}" not in s]


_PAREN = re.compile(r"[(（][^()（）]*[)）]")


_RUN = re.compile(r"[\u4e00-\u9fff\u3005]{2,}|[\u30a0-\u30ff]{2,}|[A-Za-z]{3,}")


def words_of(text: str) -> set[str]:
    """The two-character pieces of the kanji, katakana and Latin runs of a text: 「委託先の消去」 -> 委託 託先 消去."""
    out: set[str] = set()
    for run in _RUN.findall(compact(text)):
        out |= {run[i : i + 2] for i in range(len(run) - 1)}
    return out


@lru_cache(maxsize=512)
def _chain_words_by_id(node_id: str) -> frozenset[str]:
    form = load_form()
    node = form.get(node_id)
    # a parenthesised exclusion (「（委託や…を除く。）」) is not what the item is about
    labels = [_PAREN.sub("", x.label) for x in [node, *form.ancestors(node.id)]]
    return frozenset(words_of(" ".join(labels)))


def _chain_words(node: FormFieldSpec) -> set[str]:
    """The word pieces of the node's label and its headings."""
    return set(_chain_words_by_id(node.id))


def _refine(nodes: list[FormFieldSpec], around: str, words: set[str], depth: int = 0) -> list[FormFieldSpec]:
    """The field under `nodes` whose label the text around the reference names (「Ⅲ 4. の消去ルール」)."""
    text = compact(around)
    if not text:
        return nodes
    candidates = scope(nodes)
    scored: list[tuple[float, int, FormFieldSpec, tuple[int, int]]] = []
    for n in candidates:
        best, span = 0.0, (0, 0)
        for s in _strings(n):
            m = SequenceMatcher(None, text, s, autojunk=False).find_longest_match(0, len(text), 0, len(s))
            k = m.size
            full = k == len(s)
            if (k >= MIN_LABEL_CHARS or (full and k >= 2)) and k + (1.5 if full else 0.0) > best:
                best, span = k + (1.5 if full else 0.0), (m.a, m.a + k)
        if best:
            scored.append((best, len(words & _chain_words(n)), n, span))
    if not scored:
        return _refine_by_word(nodes, candidates, around)
    scored.sort(key=lambda x: (-x[0], -x[1]))
    top = [s for s in scored if (s[0], s[1]) == (scored[0][0], scored[0][1])]
    if len(top) == 1:
        chosen, (a, b) = top[0][2], top[0][3]
        rest = text[:a] + " " + text[b:]
        if load_form().descendants(chosen.id) and len(compact(rest)) >= 2 and depth < 3:
            # a field label after its group's label: 「閲覧者・更新者の制限 具体的な制限方法」
            deeper = _refine([chosen], rest, words, depth + 1)
            if deeper != [chosen] and deeper[0].id != chosen.id:
                return deeper
        return [chosen]
    # a tie inside one subtree: keep the outermost of the tied nodes
    form = load_form()
    ids = {t[2].id for t in top}
    outer = [t[2] for t in top if not any(a.id in ids for a in form.ancestors(t[2].id))]
    return outer if len(outer) == 1 else nodes


_WEAK_WORDS = {"内容", "方法", "記載", "措置", "対策", "リス", "スク", "具体", "体的", "情報", "特定", "個人", "定個",
               "人情", "書き", "何を", "場合",
               # rules.md's qualifiers with nothing behind them name no field (「適切な方法により消去」 is not 再委託の
               # 「適切な取扱いの確保」)
               "適切", "確実", "厳重", "適正", "徹底"}


def _refine_by_word(nodes: list[FormFieldSpec], candidates: list[FormFieldSpec], around: str) -> list[FormFieldSpec]:
    """A two-character word after the reference that only one field's label contains (「表紙 宣言」, 「⑧ 突合」)."""
    for w in sorted(words_of(around) - _WEAK_WORDS, key=compact(around).find):
        having = [n for n in candidates if any(w in s for s in _strings(n))]
        form = load_form()
        ids = {n.id for n in having}
        outer = [n for n in having if not any(a.id in ids for a in form.ancestors(n.id))]
        if len(outer) == 1:
            return outer
    return nodes

@lru_cache(maxsize=1)
def _label_table() -> list[tuple[str, FormFieldSpec]]:
    table: list[tuple[str, FormFieldSpec]] = []
    for node in load_form():
        for s in _strings(node):
            forms = {s}
            for suffix in ("等", "の内容"):
                if s.endswith(suffix) and len(s) - len(suffix) >= 4:
                    forms.add(s[: -len(suffix)])
            for f in forms:
                if len(f) >= MIN_LABEL_CHARS and f not in GENERIC_LABELS:
                    table.append((f, node))
    return table


def _place_refs(q: str, words: set[str]) -> list[ItemRef]:
    matches = list(_REF.finditer(q))
    refs: list[ItemRef] = []
    for i, m in enumerate(matches):
        end = m.end()
        path: list[str]
        if m.group("cover"):
            path = ["表紙"]
        elif m.group("att"):
            n = m.group("attn")
            path = [_ATTACHMENT_SECTION[n], f"別添{n}"]
        else:
            path = [m.group("roman")]
            if m.group("item"):
                path.append(f"{int(m.group('item'))}.")
            tail = _TAIL.match(q, end)
            if tail and (tail.group("risk") or tail.group("field") or tail.group("att")):
                if tail.group("att"):
                    path = [path[0], f"別添{tail.group('att')}"]
                elif tail.group("risk"):
                    path.append(f"リスク{tail.group('risk')}")
                    if tail.group("riskfield"):
                        path.append(tail.group("riskfield"))
                elif len(path) >= 2:
                    path.append(tail.group("field"))
                end = tail.end()
        nxt = matches[i + 1].start() if i + 1 < len(matches) else len(q)
        if len(path) == 2 and not path[1].startswith("別添"):
            # a field number after the item's label: 「Ⅵ 3. 第三者点検の②方法」
            later = re.search(f"[{CIRCLED[:10]}]", q[end : min(nxt, end + WINDOW // 2)])
            if later and (*path, later.group(0)) in _anchors():
                path.append(later.group(0))
                end = end + later.end()
        nodes = nodes_at(path)
        if not nodes:
            continue
        prev = matches[i - 1].end() if i else 0
        around = q[max(prev, m.start() - WINDOW // 2) : m.start()] + " " + q[end : min(nxt, end + WINDOW)]
        refs.append(ItemRef(nodes=_refine(nodes, around, words), how="place", start=m.start(), end=end))
    return refs


def _label_refs(q: str, words: set[str]) -> list[ItemRef]:
    cq = compact(q)
    hits: list[tuple[int, int, FormFieldSpec]] = []
    for s, node in _label_table():
        pos = cq.find(s)
        while pos >= 0:
            hits.append((pos, pos + len(s), node))
            pos = cq.find(s, pos + 1)
    if not hits:
        return []
    # a label inside a longer label that also matched does not count (委託先名 inside 委託先名の確認方法)
    spans = {(a, b) for a, b, _ in hits}
    kept = [(a, b, n) for a, b, n in hits if not any(x <= a and b <= y and (x, y) != (a, b) for x, y in spans)]
    by_span: dict[tuple[int, int], list[FormFieldSpec]] = {}
    for a, b, n in kept:
        lst = by_span.setdefault((a, b), [])
        if n.id not in {x.id for x in lst}:
            lst.append(n)
    refs: list[ItemRef] = []
    for (a, b), nodes in sorted(by_span.items(), key=lambda kv: (-(kv[0][1] - kv[0][0]), kv[0][0])):
        chosen, alternatives = nodes, []
        if len(nodes) > 1:
            # the same label on a heading and a field under it (その他のリスク対策: Ⅳ and Ⅳ 3.): the field
            ids = {n.id for n in nodes}
            form = load_form()
            deeper = [n for n in nodes if any(a.id in ids for a in form.ancestors(n.id))]
            nodes = deeper or nodes
        if len(nodes) == 1:
            chosen = nodes
        elif len(nodes) > 1:
            # the same label at several places (その他のリスク, 再委託): the place whose headings the question shares
            overlaps = [(len(words & _chain_words(n)), n) for n in nodes]
            overlaps.sort(key=lambda x: -x[0])
            if overlaps[0][0] > overlaps[1][0]:
                chosen = [overlaps[0][1]]
            else:
                chosen, alternatives = [nodes[0]], nodes[1:]
        after = cq[b : b + WINDOW]
        refined = _refine(chosen, after, words) if after else chosen
        refs.append(ItemRef(nodes=refined, how="label", start=a, end=b, ambiguous=bool(alternatives),
                            alternatives=alternatives))
    return refs


def resolve_items(text: str) -> list[ItemRef]:
    """Form items the text names, best first: places (Ⅲ 4. …) before labels, longer labels before shorter."""
    q = normalize_refs(text or "")
    if not q:
        return []
    words = words_of(q)
    refs = _place_refs(q, words) or _label_refs(q, words)
    out: list[ItemRef] = []
    for r in refs:  # 「Ⅰ (別添1)」 is read twice (the numeral with its tail, then the bracket alone)
        if not any([n.id for n in r.nodes] == [n.id for n in o.nodes] for o in out):
            out.append(r)
    return out


def resolve_item(text: str) -> ItemRef | None:
    """The one item a label such as 'Ⅵ 2. ②実施日・期間' or '表紙 宣言' names (for evaluation labels)."""
    refs = resolve_items(text)
    return refs[0] if refs else None
