from logging import Logger

from slack_bolt import Say, SetSuggestedPrompts

GREETING = ("特定個人情報保護評価（全項目評価書）の作成・審査をお手伝いします。評価書のどこに何を書くか、"
            "過去の審査でどんな所見があったかを、出典つきでお答えします。評価書ドラフトを添付して"
            "「チェックして」と送ると、記載の不足を確認します。")

SUGGESTED_PROMPTS = [
    {"title": "再委託先の監督はどこに書く？",
     "message": "再委託先の監督について、評価書のどこに何を書けばよいですか？"},
    {"title": "バックアップの記載で指摘されたことは？",
     "message": "バックアップの保管について、過去の審査でどんな所見がありましたか？"},
    {"title": "しきい値判断の考え方", "message": "しきい値判断で全項目評価が必要になるのはどんな場合ですか？"},
    {"title": "ドラフトをチェックしたい", "message": "評価書ドラフトのチェックのしかたを教えてください。"},
]


def assistant_thread_started(say: Say, set_suggested_prompts: SetSuggestedPrompts, logger: Logger) -> None:
    try:
        say(GREETING)
        set_suggested_prompts(prompts=SUGGESTED_PROMPTS, title="たとえば、こんな質問ができます")
    except Exception as e:
        logger.exception("assistant_thread_started failed: %s", type(e).__name__)
        say(":warning: 準備中にエラーが起きました。もう一度スレッドを開き直してください。")
