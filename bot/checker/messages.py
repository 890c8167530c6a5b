"""The checker's Japanese messages (knowledge/check_messages.yaml) turned into Reasons."""

from __future__ import annotations

from functools import lru_cache

from bot.models import Reason, ReasonCode
from bot.resources import knowledge_yaml

# message key -> reason code of the `pia check` contract
CODES: dict[str, ReasonCode] = {
    "missing_field": "missing_section",
    "missing_section": "missing_section",
    "missing_required": "missing_section",
    "body_procedure_local": "missing_section",
    "body_procedure_national": "missing_section",
    "empty": "empty",
    "reader_unsure": "missing_section",
    "reader_unsure_empty": "empty",
    "pointer_unresolved": "rule",
    "empty_choice": "empty",
    "no_checks": "empty",
    "checks_as_text": "empty",
    "threshold_missing": "empty",
    "placeholder": "placeholder",
    "generic": "vague",
    "generic_rubric": "vague",
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
    "threshold_incident_when": "rule",
    "timing_after_start": "inconsistent",
    "consultation_count": "rule",
    "consultation_reversed": "rule",
    "consultation_after_procedure": "rule",
    "people_bands": "inconsistent",
    "department_not_found": "rule",
    "count_exceeds_file": "inconsistent",
    "basis_provision": "rule",
    "basis_transfer": "rule",
    "viewpoint_checkpoints": "rule",
    "unwritten_items": "rule",
    "viewpoint_checkpoints_review": "rule",
    "person_v3": "rule",
    "person_v11": "rule",
}


@lru_cache(maxsize=1)
def templates() -> dict:
    return knowledge_yaml("check_messages.yaml")


def text(key: str, **values) -> str:
    return templates()["reasons"][key].format(**values)


def reason(key: str, **values) -> Reason:
    return Reason(code=CODES.get(key, "rule"), message=text(key, **values))


def status_label(status: str) -> str:
    return templates()["status_labels"][status]
