"""The checker's Japanese messages (knowledge/check_messages.yaml) turned into Reasons."""

from __future__ import annotations

from functools import lru_cache

import yaml

from bot.models import Reason
from bot.resources import knowledge_file

# message key -> reason code of the `pia check` contract
CODES = {
    "missing_field": "missing_section",
    "missing_section": "missing_section",
    "missing_required": "missing_section",
    "body_procedure_local": "missing_section",
    "body_procedure_national": "missing_section",
    "empty": "empty",
    "empty_choice": "empty",
    "no_checks": "empty",
    "threshold_missing": "empty",
    "placeholder": "placeholder",
    "generic": "vague",
    "short": "vague",
    "vague": "vague",
    "risk_remaining": "risk_remaining",
    "required_by_choice": "inconsistent",
    "network_connection": "inconsistent",
    "atena_checked": "inconsistent",
    "entrust_but_none": "inconsistent",
    "subcontract_but_not": "inconsistent",
    "entrust_whole_subset": "inconsistent",
    "provide_but_iii_none": "inconsistent",
    "provide_no_recipients": "inconsistent",
    "period_reason": "inconsistent",
    "threshold_mismatch": "inconsistent",
    "timing_after_start": "inconsistent",
}


@lru_cache(maxsize=1)
def templates() -> dict:
    return yaml.safe_load(knowledge_file("check_messages.yaml").read_text(encoding="utf-8"))


def text(key: str, **values) -> str:
    return templates()["reasons"][key].format(**values)


def reason(key: str, **values) -> Reason:
    return Reason(code=CODES.get(key, "rule"), message=text(key, **values))


def status_label(status: str) -> str:
    return templates()["status_labels"][status]
