"""CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED (cloud-trail-log-file-validation-enabled).

The trail must have log file integrity validation on.
"""

from __future__ import annotations

from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    if rule_input.configuration.get("logFileValidationEnabled"):
        return compliant()
    return non_compliant("Log file validation is disabled for the trail.")


RULE = ManagedRule(
    identifier="CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    default_name="cloud-trail-log-file-validation-enabled",
    description="Checks that CloudTrail log file validation is enabled.",
    resource_types=("AWS::CloudTrail::Trail",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
