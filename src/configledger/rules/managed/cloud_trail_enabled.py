"""CLOUD_TRAIL_ENABLED (cloudtrail-enabled).

An account rule: at least one trail must be logging, delivering to ``s3BucketName``,
``snsTopicArn`` and ``cloudWatchLogsLogGroupArn`` when those are given.
"""

from __future__ import annotations

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


def evaluate(rule_input: RuleInput) -> Verdict:
    if next(logging_trails(rule_input), None) is not None:
        return compliant()
    return non_compliant("No logging CloudTrail trail matches the rule's parameters.")


RULE = ManagedRule(
    identifier="CLOUD_TRAIL_ENABLED",
    default_name="cloudtrail-enabled",
    description="Checks that a CloudTrail trail is enabled in the account.",
    resource_types=(ACCOUNT,),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(
        Param("s3BucketName", "String"),
        Param("snsTopicArn", "String"),
        Param("cloudWatchLogsLogGroupArn", "String"),
    ),
)
