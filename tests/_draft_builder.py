"""Build small draft fixtures (txt / md) straight from knowledge/form.yaml, for the reader and checker tests.

The layout mimics the printed form: section and item headings, `リスクn：` headings, circled field numbers, choice
fields as `[ 選択 ] <選択肢> 1) … 2) …` and check boxes as `[○] 名前 [ ] 名前`. `overrides` replace a field's value
(by field id); `drop` removes fields or whole nodes (by id) to plant defects.
"""

from __future__ import annotations

from bot.form import load_form

MEASURES = [
    "担当職員が住民記録システムの操作ログを毎月点検し、不審なアクセスがあれば所属長に報告する。",
    "窓口では申請書と個人番号カード等の本人確認書類を職員が照合し、確認結果を受付台帳に記録する。",
    "システムへのログインはID・パスワードと生体認証により行い、アクセス権限は異動の都度、所属長が見直す。",
    "電子記録媒体は施錠できる保管庫で管理し、持出しは管理簿に記録したうえで課長の承認を得る。",
    "委託契約書に秘密保持と再委託の禁止を定め、委託先から年1回作業報告書を提出させて担当者が確認する。",
    "サーバ室は入退室管理システムで入室者を制限し、入退室記録を四半期ごとに情報政策課が点検する。",
]

VALUES = {
    "cover_number": "12345",
    "cover_title": "住民基本台帳に関する事務 全項目評価書",
    "cover_declaration": "みなと市長は、住民基本台帳に関する事務における特定個人情報ファイルの取扱いに当たり、"
                         "個人のプライバシー等の権利利益に影響を及ぼしかねないことを認識し、"
                         "漏えいその他の事態を発生させるリスクを軽減させるための措置を講じ、"
                         "もって個人のプライバシー等の権利利益の保護に取り組んでいることを宣言する。",
    "cover_notes": "特になし",
    "cover_body": "みなと市長",
    "cover_approval": "",
    "cover_published": "令和7年8月1日",
    "i_1_1": "住民基本台帳に関する事務",
    "i_1_2": "住民基本台帳法に基づき、住民の転入・転出・転居等の届出を受け付け、住民票を作成・管理する。"
             "市民課の職員が住民記録システムで届出内容を登録し、"
             "住民基本台帳ネットワークシステムを通じて本人確認情報を都道府県に通知する。",
    "i_1_3": "10万人以上30万人未満",
    "i_2_1": "住民記録システム",
    "i_2_2": "住民異動の登録、住民票の写し等の発行、住民基本台帳ネットワークシステムへの本人確認情報の送信を行う。",
    "i_2_3": ["庁内連携システム", "住民基本台帳ネットワークシステム", "宛名システム等"],
    "i_3": "住民基本台帳ファイル",
    "i_4_1": "住民からの届出に基づき住民票を正確に記録し、各種行政サービスの基礎とするため、"
             "個人番号を含む住民票情報を管理する必要がある。",
    "i_4_2": "届出時の添付書類が省略でき住民の負担が軽減されるほか、他部署への正確な情報提供により事務が効率化される。",
    "i_5_law": "行政手続における特定の個人を識別するための番号の利用等に関する法律第7条、第8条",
    "i_6_1": "実施する",
    "i_6_2": "番号利用法第19条第8号及び別表",
    "i_7_1": "市民生活部市民課",
    "i_7_2": "市民課長",
    "i_8": "なし",
    "i_att1": "転入届を受け付けた市民課の職員が住民記録システムに登録し、"
              "住民基本台帳ネットワークシステムを通じて本人確認情報を県に送信する。特定個人情報の流れを実線、"
              "それ以外の情報の流れを点線で示す。",
    "ii_1": "住民基本台帳ファイル",
    "ii_2_1": "システム用ファイル",
    "ii_2_2": "10万人以上100万人未満",
    "ii_2_3": "市の住民基本台帳に記録された住民（転出者・死亡者等の消除者を含む。）",
    "ii_2_3_need": "住民基本台帳法に基づき、区域内の全ての住民の記録を正確に管理する必要があるため。",
    "ii_2_4": "50項目以上100項目未満",
    "ii_2_4_main": ["識別情報", "連絡先等情報"],
    "ii_2_4_valid": "住民票の記載事項として住民基本台帳法第7条に定められた項目に限って記録している。",
    "ii_2_4_all": "別添2を参照",
    "ii_2_5": "平成27年10月5日",
    "ii_2_6": "市民生活部市民課",
    "ii_3_1": ["本人又は本人の代理人", "地方公共団体・地方独立行政法人"],
    "ii_3_2": ["紙", "庁内連携システム"],
    "ii_3_3": "届出の都度",
    "ii_3_4": "住民基本台帳法に基づく届出により本人から入手するものであり、法令に基づく入手である。",
    "ii_3_5": "届出書の様式に個人番号の利用目的を記載し、窓口で明示している。",
    "ii_3_6": "住民基本台帳法に基づく住民票の作成及び管理のため。",
    "ii_3_6_change": "",
    "ii_3_7": "",
    "ii_3_7_dept": "市民生活部市民課",
    "ii_3_7_users": "50人以上100人未満",
    "ii_3_8": "届出内容を住民記録システムに入力し、住民票を作成する。",
    "ii_3_8_match": "転入届の内容と転出証明書情報を住民基本台帳ネットワークシステムで照合する。",
    "ii_3_8_stats": "統計分析は行わない。",
    "ii_3_8_decision": "住民票の記載に関する決定を行う。",
    "ii_3_9": "平成27年10月5日",
    "ii_4_umu": "委託する",
    "ii_4_1": "住民記録システムの運用保守",
    "ii_4_2": "特定個人情報ファイルの全体",
    "ii_4_2_count": "10万人以上100万人未満",
    "ii_4_2_range": "住民基本台帳に記録された住民",
    "ii_4_2_valid": "システムの運用保守には全体のデータへのアクセスが必要となるため。",
    "ii_4_3": "10人未満",
    "ii_4_4": ["専用線"],
    "ii_4_5": "委託契約書に委託先名を記載し、市のホームページで公表する。",
    "ii_4_6": "株式会社みなと情報サービス",
    "ii_4_re": "",
    "ii_4_7": "再委託しない",
    "ii_4_8": "",
    "ii_4_9": "",
    "ii_5_umu": ["提供を行っている"],
    "ii_5_p1": "番号利用法第19条第8号",
    "ii_5_p2": "地方税の賦課徴収に関する事務において住民の異動情報を確認するため",
    "ii_5_p3": "住民票関係情報",
    "ii_5_p4": "10万人以上100万人未満",
    "ii_5_p5": "住民基本台帳に記録された住民",
    "ii_5_p6": ["情報提供ネットワークシステム"],
    "ii_5_p7": "照会の都度",
    "ii_6_1": "市役所本庁舎のサーバ室（入退室管理システムで入室を制限）に設置したサーバ内に保管する。",
    "ii_6_2": "",
    "ii_6_2_period": "20年以上",
    "ii_6_2_valid": "住民基本台帳法施行令に定める保存期間に従うため。",
    "ii_6_3": "保存期間を過ぎたデータはシステムで自動消去し、消去結果を年1回担当者が確認する。",
    "ii_7": "",
    "ii_att2": "",
    "iii_1": "住民基本台帳ファイル",
    "vi_1_1": "令和7年4月1日",
    "vi_1_2": "基礎項目評価及び重点項目評価の実施が義務付けられる（任意に全項目評価を実施する。）",
    "iii_7_r1_9": "発生なし",
    "iii_7_r1_9_what": "－",
    "iii_7_r1_9_prevent": "－",
    "vi_2_1": "市のホームページへの掲載及び市民課窓口での閲覧により意見を募集した。",
    "vi_2_2": "令和7年6月1日から令和7年6月30日まで",
    "vi_2_3": "該当なし",
    "vi_2_4": "意見はなかった。",
    "vi_2_5": "意見がなかったため、修正は行っていない。",
    "vi_3_1": "令和7年7月15日",
    "vi_3_2": "みなと市個人情報保護審議会による点検",
    "vi_3_3": "適合しているとの意見を得た。",
    "vi_4_1": "",
    "vi_4_2": "",
    "vi_att3": "",
    # Ⅲ / Ⅳ: one concrete answer per measure field, in the terms of its checkpoint (knowledge/rubrics.yaml)
    "ii_5_m2": "国民健康保険税の所得割額の算定のため。",
    "iii_2_r1_a": ("届出の受付時に窓口職員が住民記録システムで届出人の住所と世帯を照会し、"
                   "本市の住民であることを確認してから受理する。"),
    "iii_2_r1_b": "届出書の様式は法定の記載事項の欄に限って設け、持参された不要な書類はその場で返却する。",
    "iii_2_r2_m": "届出は窓口での手渡しと書留郵便に限り、電子メールやFAXでは受け付けない。",
    "iii_2_r3_a": "番号法第16条に基づき、個人番号カード又は通知カードと運転免許証等の提示を受けて確認する。",
    "iii_2_r3_b": ("届出書の個人番号は住民基本台帳ネットワークシステムの"
                   "本人確認情報と4情報が一致するかを照会して確認する。"),
    "iii_2_r3_c": "入力した内容は別の職員が届出書の原本と読み合わせ、照合済みの印を押す。",
    "iii_2_r4_m": "受け付けた届出書は当日中に施錠できる書庫に収納し、受付簿と件数を照合する。",
    "iii_3_r1_a": ("団体内統合宛名システムでは業務ごとに参照できる項目を設定しており、"
                   "設定の変更は情報政策課が所管課長の申請に基づき行う。"),
    "iii_3_r1_b": ("住民記録システムは他の業務システムのデータベースに直接接続できない構成とし、"
                   "連携は庁内連携システムで定めた項目に限る。"),
    "iii_3_r2_auth_how": "職員ごとのIDとパスワードに加え、ICカードによる二要素認証でログインする。",
    "iii_3_r2_grant_how": ("人事異動の都度、所属長の申請書に基づき情報政策課が発令日に権限を付与・削除し、"
                           "毎月職員名簿とID一覧を突合する。"),
    "iii_3_r2_access_how": ("照会のみ・更新・管理者の3区分で権限を設け、"
                            "市民課長が年2回権限一覧を見直して結果を記録する。"),
    "iii_3_r2_log_how": "操作者・日時・照会した住民をログとして記録して5年間保存し、市民課の係長が毎月点検する。",
    "iii_3_r3_m": "全職員に年1回研修を行い、誓約書を提出させる。操作ログの点検で業務外の照会がないかを確認する。",
    "iii_3_r4_m": "端末はUSBメモリ等の外部記録媒体を使用できない設定とし、データの抽出は課長の承認を得て記録する。",
    "iii_4_sys_m": ("プライバシーマークの取得を入札参加資格とし、"
                    "契約前に従事者名簿と作業場所を記載した体制報告書を提出させて市民課長が審査する。"),
    "iii_4_limit_how": "委託先が届け出た従事者にのみIDを払い出し、個人番号の欄はマスキングして表示しない。",
    "iii_4_log_how": ("委託先に作業日・作業者・作業内容を記録した作業報告書を毎月提出させ、"
                      "市民課職員がシステムの操作ログと照合する。"),
    "iii_4_prov_out": "委託契約書で第三者への提供を禁止し、年1回の実地調査で遵守状況を確認する。",
    "iii_4_prov_between": "データの受渡しは専用線に限り、受渡しの記録を毎月市民課職員が照合する。",
    "iii_4_erase_how": ("契約終了時に委託先がデータ消去ソフトで上書き消去し、"
                        "消去証明書を提出する。市民課職員が証明書を確認する。"),
    "iii_4_contract_how": ("秘密保持、目的外利用の禁止、再委託の制限、事故時の報告義務、"
                           "契約終了時の消去、実地調査について定めている。"),
    "iii_4_sub_how": "再委託先に委託先と同等の安全管理措置を義務付ける契約を締結させ、年1回実地調査を行う。",
    "iii_5_r1_log_how": "提供の日時・提供先・件数をログとして記録して7年間保存し、担当係長が毎月照合する。",
    "iii_5_r1_rule_how": ("市の特定個人情報取扱規程で提供先と項目を定め、"
                          "提供の都度課長の決裁を受け、情報政策課が年1回点検する。"),
    "iii_5_r2_m": "提供は情報提供ネットワークシステムに限り、電子メールや電子記録媒体による提供は行わない。",
    "iii_5_r3_m": "提供先は連携定義で固定し、送信前に件数を照合する。",
    "iii_6_r1_m": "中間サーバーは照会許可用照合リストに基づき認められた照会以外を受け付けず、照会の記録を残す。",
    "iii_6_r2_m": "中間サーバーとの通信はLGWAN回線で暗号化して行う。",
    "iii_6_r3_m": "情報保有機関の副本から得た情報を申請内容と照合する。",
    "iii_6_r4_m": "照会結果は中間サーバーから業務システムへ自動で取り込み、紙には出力しない。",
    "iii_6_r5_m": "照会許可用照合リストにより提供の可否が自動で判定され、提供の記録が保存される。",
    "iii_6_r6_m": "提供はLGWAN回線を暗号化して行い、副本の登録は宛名システムからの自動連携に限る。",
    "iii_6_r7_m": "副本には確定した情報だけを登録し、提供先は情報提供用個人識別符号で特定される。",
    "iii_7_r1_5_how": ("サーバは施錠されたサーバ室に設置し、"
                       "入退室はICカードで記録する。窓口と執務室の間に仕切りを設ける。"),
    "iii_7_r1_6_how": ("業務ネットワークはインターネットから分離し、"
                       "ウイルス対策ソフトのパターンファイルを毎日更新する。"),
    "iii_7_r1_10_how": ("死亡者の情報も住民記録システムで同じアクセス制御のもと保管し、"
                        "保存期間の5年を経過したら年次処理で消去する。"),
    "iii_7_r2_m": "転入・転出等の異動は届出の当日に住民記録システムへ入力し、宛名システムへ日次で連携する。",
    "iii_7_r3_how": "消去手順書に基づき、毎年4月に保存期間を経過したデータを一括削除し、係長が削除件数を確認する。",
    "iv_1_1_how": ("毎年9月に市民課の全職員が点検表(30項目)で自己点検を行い、"
                   "課長が結果を取りまとめて情報政策課に報告する。"),
    "iv_1_2_how": "情報政策課の監査担当が2年に1回、アクセス権限と操作ログの点検状況を監査し、結果を副市長に報告する。",
    "iv_2_how": "全職員に毎年4月にeラーニングの研修を行い、確認テストを実施する。違反者は懲戒処分の対象とする。",
    "v_1_1": "市民生活部市民課",
    "v_1_2": "窓口で開示請求書を提出する。",
    "v_1_2_notes": "",
    "v_1_3": "写しの交付は1枚10円",
    "v_1_4": "行っている",
    "v_1_5": "該当なし",
    "v_1_6": "該当なし",
    "v_2_1": "市民生活部市民課 電話 000-000-0000",
    "v_2_2": "問合せ内容を記録し、担当者が回答する。",
    "iv_3": "特になし",
}


def default_value(spec, i: int):
    if spec.id in VALUES:
        return VALUES[spec.id]
    if spec.kind == "choice":
        if spec.options[0].startswith("特に力を入れて"):
            return spec.options[1]
        return spec.options[0]
    if spec.kind == "checkbox":
        return spec.options[:1]
    if spec.kind in ("section", "item", "group"):
        return ""
    if spec.none_ok:
        return "特になし"
    return MEASURES[i % len(MEASURES)]


def render_value(spec, value) -> str:
    if spec.kind == "choice":
        opts = " ".join(f"{n}) {o}" for n, o in enumerate(spec.options, 1))
        return f"[ {value} ]\t<選択肢> {opts}" if value is not None else f"[ ]\t<選択肢> {opts}"
    if spec.kind == "checkbox" or (spec.options and spec.kind in ("item", "group")):
        ticked = value or []
        return " ".join(f"[{'○' if o in ticked else ' '}] {o}" for o in spec.options)
    return value or ""


def heading(spec) -> str:
    seg = spec.path[-1] if spec.path else ""
    if spec.kind == "section":
        return spec.label if seg == "表紙" else f"{seg} {spec.label}"
    if seg.endswith(".") or seg[:1] in "①②③④⑤⑥⑦⑧⑨⑩":
        return f"{seg}{'' if seg[:1] in '①②③④⑤⑥⑦⑧⑨⑩' else ' '}{spec.label}{' ※' if spec.required else ''}"
    if seg.startswith("リスク"):
        return f"{seg}： {spec.label}"
    if seg.startswith("別添"):
        return f"({seg}) {spec.label}"
    return f"{spec.label}{' ※' if spec.required else ''}"


def build_lines(overrides: dict | None = None, drop: set[str] | None = None, layout: str = "table",
                extra_entrustments: int = 0, extra_recipients: int = 0) -> list[str]:
    """Lines of a complete draft (one file, one 委託事項 and one 提供先 unless extra_entrustments / extra_recipients).
    An override keyed "<field id>#<n>" applies to instance n of a repeated block only (提供先2: "ii_5_p2#2")."""
    form = load_form()
    overrides = overrides or {}
    drop = set(drop or ())
    dropped_ids = set(drop)
    for d in drop:
        dropped_ids.update(x.id for x in form.descendants(d))
    lines: list[str] = []
    # the numbering is printed on the first field of a numbered group only (③ 対象となる本人の範囲 / その必要性)
    own = {}
    seen_paths = set()
    for spec in form:
        parent = form.get(spec.parent) if spec.parent else None
        own[spec.id] = (parent is None or len(spec.path) > len(parent.path)) and tuple(spec.path) not in seen_paths
        seen_paths.add(tuple(spec.path))

    def emit(spec, i, instance=None):
        if spec.id in dropped_ids or spec.virtual:
            return
        value = overrides.get(f"{spec.id}#{instance or 1}", overrides.get(spec.id, default_value(spec, i)))
        if "{n}" in spec.label:
            head = spec.label.replace("{n}", str(instance or 1))
            text = overrides.get(spec.id, "")
        else:
            head = heading(spec) if own[spec.id] else spec.label
            text = render_value(spec, value)
        if layout == "table":
            lines.append(f"{head}\t{text}" if text else head)
        elif layout == "lines":
            lines.append(head)
            if text:
                lines.extend(text.split("\t"))
        elif layout == "md":
            if spec.kind in ("section", "item") or (spec.kind == "group" and not text):
                lines.append(f"## {head}" if spec.kind == "section" else f"### {head}")
                if text:
                    lines.append(text)
            else:
                lines.append(f"| {head} | {text.replace(chr(9), ' ')} |")

    recipients = {"ii_5_prov"} | {d.id for d in form.descendants("ii_5_prov")}
    i = 0
    for spec in form:
        if any(a.repeat == "entrustment" for a in form.ancestors(spec.id)) or spec.repeat == "entrustment":
            continue
        i += 1
        if spec.id in recipients and spec.id != "ii_5_prov":
            continue
        if spec.id == "ii_5_prov":
            block = [spec, *form.descendants(spec.id)]
            for n in range(1, 2 + extra_recipients):
                for j, s in enumerate(block):
                    emit(s, i + j, instance=n)
            continue
        emit(spec, i)
        if spec.id == "ii_4_umu" and "ii_4_item" not in dropped_ids:
            for n in range(1, 2 + extra_entrustments):
                block = [form.get("ii_4_item"), *form.descendants("ii_4_item")]
                for j, s in enumerate(block):
                    emit(s, i + j, instance=n)
    return lines


def build_text(**kw) -> str:
    return "\n".join(build_lines(**kw)) + "\n"


def with_second_file(lines: list[str], replace: dict[str, str]) -> list[str]:
    """The draft with Ⅱ and Ⅲ written a second time (a second 特定個人情報ファイル), each text replaced as given."""
    ii, iii, iv = (next(i for i, ln in enumerate(lines) if ln.startswith(h)) for h in ("Ⅱ ", "Ⅲ ", "Ⅳ "))

    def again(block: list[str]) -> list[str]:
        out = []
        for ln in block:
            for old, new in replace.items():
                ln = ln.replace(old, new)
            out.append(ln)
        return out

    return lines[:iii] + again(lines[ii:iii]) + lines[iii:iv] + again(lines[iii:iv]) + lines[iv:]


def two_files(first: dict | None = None, second: dict | None = None, drop_first: set[str] | None = None,
              drop_second: set[str] | None = None) -> list[str]:
    """A draft with two 特定個人情報ファイル: Ⅱ(1) Ⅱ(2) Ⅲ(1) Ⅲ(2), each file built with its own overrides and drops
    (the second file is named 附票ファイル unless its overrides say otherwise). Ⅰ and Ⅳ–Ⅵ come from the first."""
    second = {"ii_1": "附票ファイル", "iii_1": "附票ファイル", **(second or {})}
    a = build_lines(overrides=first, drop=drop_first)
    b = build_lines(overrides=second, drop=drop_second)

    def cut(lines):
        return tuple(next(i for i, ln in enumerate(lines) if ln.startswith(h)) for h in ("Ⅱ ", "Ⅲ ", "Ⅳ "))

    (_ii, iii, iv), (ii2, iii2, iv2) = cut(a), cut(b)
    return a[:iii] + b[ii2:iii2] + a[iii:iv] + b[iii2:iv2] + a[iv:]
