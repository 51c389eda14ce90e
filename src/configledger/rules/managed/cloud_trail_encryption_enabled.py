"""CLOUD_TRAIL_ENCRYPTION_ENABLED (cloud-trail-encryption-enabled).

The trail must encrypt its log files with a KMS key (``kmsKeyId`` set).
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
    if rule_input.configuration.get("kmsKeyId"):
        return compliant()
    return non_compliant("The trail's log files are not encrypted with a KMS key.")


RULE = ManagedRule(
    identifier="CLOUD_TRAIL_ENCRYPTION_ENABLED",
    default_name="cloud-trail-encryption-enabled",
    description="Checks that CloudTrail trails use server-side encryption with KMS.",
    resource_types=("AWS::CloudTrail::Trail",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
