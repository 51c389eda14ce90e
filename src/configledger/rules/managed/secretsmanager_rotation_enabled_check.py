"""SECRETSMANAGER_ROTATION_ENABLED_CHECK (secretsmanager-rotation-enabled-check).

The secret must rotate automatically, at least as often as
``maximumAllowedRotationFrequencyInHours`` (checked first) or
``maximumAllowedRotationFrequency`` (days) when given. The period is the rotation
rules' AutomaticallyAfterDays or a ``rate(...)`` schedule; a ``cron(...)`` schedule is
not compared. A secret scheduled for deletion is NOT_APPLICABLE.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
    not_applicable,
)

_RATE = re.compile(r"rate\(\s*(\d+)\s+(hour|hours|day|days)\s*\)")


def _period_hours(rules: Mapping[str, Any]) -> float | None:
    if rules.get("AutomaticallyAfterDays"):
        return float(rules["AutomaticallyAfterDays"]) * 24
    found = _RATE.fullmatch(str(rules.get("RotationScheduleExpression") or "").strip())
    if found:
        amount = float(found.group(1))
        return amount if found.group(2).startswith("hour") else amount * 24
    return None


def evaluate(rule_input: RuleInput) -> Verdict:
    configuration = rule_input.configuration
    if configuration.get("Deleted"):
        return not_applicable("The secret is scheduled for deletion.")
    if not configuration.get("RotationEnabled"):
        return non_compliant("Rotation is not enabled for the secret.")
    period = _period_hours(configuration.get("RotationRules") or {})
    hours = rule_input.params.get("maximumAllowedRotationFrequencyInHours")
    days = rule_input.params.get("maximumAllowedRotationFrequency")
    limit = float(hours) if hours is not None else float(days) * 24 if days is not None else None
    if period is not None and limit is not None and period > limit:
        return non_compliant("The secret rotates less often than allowed.")
    return compliant()


RULE = ManagedRule(
    identifier="SECRETSMANAGER_ROTATION_ENABLED_CHECK",
    default_name="secretsmanager-rotation-enabled-check",
    description="Checks that Secrets Manager secrets have rotation enabled.",
    resource_types=("AWS::SecretsManager::Secret",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(
        Param("maximumAllowedRotationFrequencyInHours", "int"),
        Param("maximumAllowedRotationFrequency", "int"),
    ),
)
