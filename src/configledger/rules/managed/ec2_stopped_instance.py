"""EC2_STOPPED_INSTANCE (ec2-stopped-instance).

An instance must not have been stopped for more than ``AllowedDays`` days. When it was
stopped is read from ``stateTransitionReason`` ("User initiated (2024-01-31 10:00:00
GMT)"); without a date there, from when its stopped state was recorded.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from configledger.rules.managed._shared import timestamp
from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)

_REASON_DATE = re.compile(r"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) GMT\)")


def _stopped_at(rule_input: RuleInput) -> datetime | None:
    found = _REASON_DATE.search(str(rule_input.configuration.get("stateTransitionReason") or ""))
    if found:
        return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return timestamp(rule_input.item.get("configurationItemCaptureTime"))


def evaluate(rule_input: RuleInput) -> Verdict:
    state = (rule_input.configuration.get("state") or {}).get("name")
    if state != "stopped":
        return compliant()
    allowed = int(rule_input.params.get("AllowedDays", 30))
    since = _stopped_at(rule_input)
    if since is not None and (rule_input.env.now - since).total_seconds() > allowed * 86400:
        return non_compliant(f"The instance has been stopped for more than {allowed} days.")
    return compliant()


RULE = ManagedRule(
    identifier="EC2_STOPPED_INSTANCE",
    default_name="ec2-stopped-instance",
    description="Checks that no EC2 instance stays stopped longer than allowed.",
    resource_types=("AWS::EC2::Instance",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(Param("AllowedDays", "int", default="30"),),
)
