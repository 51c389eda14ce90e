"""MULTI_REGION_CLOUD_TRAIL_ENABLED (multi-region-cloudtrail-enabled).

An account rule: at least one multi-region trail must be logging, match the bucket,
topic and log-group parameters, and record management events (of ``readWriteType``
when given; AWS's default is all of them) without excluding any event source. A trail
with no selectors keeps CloudTrail's default: all management events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configledger.rules.managed._trails import logging_trails
from configledger.rules.types import (
    ACCOUNT,
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def _records_management(selectors: Mapping[str, Any], read_write: str) -> bool:
    if not selectors.get("EventSelectors") and not selectors.get("AdvancedEventSelectors"):
        return True  # a trail's default selector: every management event
    for selector in selectors.get("EventSelectors") or []:
        if (
            selector.get("IncludeManagementEvents", True)
            and not selector.get("ExcludeManagementEventSources")
            and selector.get("ReadWriteType", "All") in ("All", read_write)
        ):
            return True
    for selector in selectors.get("AdvancedEventSelectors") or []:
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors") or []}
        if "Management" not in (fields.get("eventCategory") or {}).get("Equals", []):
            continue
        if "eventSource" in fields:
            continue
        read_only = (fields.get("readOnly") or {}).get("Equals")
        wanted = {"All": None, "ReadOnly": ["true"], "WriteOnly": ["false"]}[read_write]
        if read_only is None or read_only == wanted:
            return True
    return False


def evaluate(rule_input: RuleInput) -> Verdict:
    read_write = str(rule_input.params.get("readWriteType") or "All")
    if read_write not in ("All", "ReadOnly", "WriteOnly"):
        read_write = "All"
    need_management = rule_input.params.get("includeManagementEvents", True)
    for trail in logging_trails(rule_input):
        if not trail.get("IsMultiRegionTrail"):
            continue
        if not need_management:
            return compliant()
        selectors = rule_input.env.call(
            "cloudtrail", "get_event_selectors", TrailName=trail["TrailARN"]
        )
        if _records_management(selectors, read_write):
            return compliant()
    return non_compliant("No logging multi-region trail matches the rule's parameters.")


RULE = ManagedRule(
    identifier="MULTI_REGION_CLOUD_TRAIL_ENABLED",
    default_name="multi-region-cloudtrail-enabled",
    description="Checks that at least one multi-region CloudTrail trail is logging.",
    resource_types=(ACCOUNT,),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(
        Param("s3BucketName", "String"),
        Param("snsTopicArn", "String"),
        Param("cloudWatchLogsLogGroupArn", "String"),
        Param("includeManagementEvents", "boolean"),
        Param("readWriteType", "String"),
    ),
)
