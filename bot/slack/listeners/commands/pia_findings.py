import re
from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.blocks import error_message, findings_messages
from bot.slack.progress import Conversation
from bot.slack.runtime import user_message

from .arguments import checkpoint_argument

USAGE = "使い方: `/pia-findings <探したい内容>`（例: `/pia-findings 委託先の監督 --checkpoint 41`）"
_OPTION = re.compile(r"--(checkpoint|agency)[ =]+(\S+)")
MAX_HITS = 5


def parse(text: str) -> tuple[str, dict]:
    filters: dict = {}
    for name, value in _OPTION.findall(text):
        if name == "checkpoint":
            filters["checkpoint"] = checkpoint_argument(value) or value
        else:
            filters["agency"] = value
    return _OPTION.sub(" ", text).strip(), filters


def pia_findings(body: dict, client: WebClient, context: BoltContext, logger: Logger) -> None:
    """Past findings wording for reuse, each quoted verbatim with its source."""
    services = context["pia"]
    conv = Conversation(client, body["channel_id"], user=body["user_id"])
    query, filters = parse(body.get("text") or "")
    if not query:
        conv.post_text(USAGE)
        return
    note = services.engine.query_note(query)
    if note:  # the engine searches with the first PIA_MAX_QUERY_CHARS characters only
        conv.post_text(f":scissors: {note}")
    with services.flows.track(conv):  # a graceful stop waits for the results to be posted
        try:
            hits = services.questions.run(services.engine.findings, query, k=MAX_HITS,
                                          timeout=services.answer_timeout, **filters)
        except Exception as e:
            conv.post(error_message(user_message(e, doing="所見の検索")))
            return
        conv.post(findings_messages(query, list(hits)[:MAX_HITS]))
