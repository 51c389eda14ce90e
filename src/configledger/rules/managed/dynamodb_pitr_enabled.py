"""DYNAMODB_PITR_ENABLED (dynamodb-pitr-enabled).

Point-in-time recovery must be on: the supplementary ``ContinuousBackupsDescription``
(DescribeContinuousBackups, serialised the Java-bean way) shows it ENABLED.
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
    backups = rule_input.supplementary.get("ContinuousBackupsDescription") or {}
    recovery = backups.get("pointInTimeRecoveryDescription") or {}
    if recovery.get("pointInTimeRecoveryStatus") == "ENABLED":
        return compliant()
    return non_compliant("Point-in-time recovery is not enabled for the table.")


RULE = ManagedRule(
    identifier="DYNAMODB_PITR_ENABLED",
    default_name="dynamodb-pitr-enabled",
    description="Checks that point-in-time recovery is enabled for DynamoDB tables.",
    resource_types=("AWS::DynamoDB::Table",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
