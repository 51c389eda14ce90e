"""SECURITYHUB_ENABLED (securityhub-enabled).

An account rule: Security Hub must be enabled (DescribeHub answers; an account that
is not subscribed gets InvalidAccessException or ResourceNotFoundException).
"""

from __future__ import annotations

from configledger.rules.types import (
    ACCOUNT,
    AwsCallFailed,
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)

NOT_SUBSCRIBED = frozenset({"InvalidAccessException", "ResourceNotFoundException"})


def evaluate(rule_input: RuleInput) -> Verdict:
    try:
        rule_input.env.call("securityhub", "describe_hub")
    except AwsCallFailed as failure:
        if failure.code in NOT_SUBSCRIBED:
            return non_compliant("Security Hub is not enabled.")
        raise
    return compliant()


RULE = ManagedRule(
    identifier="SECURITYHUB_ENABLED",
    default_name="securityhub-enabled",
    description="Checks that Security Hub is enabled for the account.",
    resource_types=(ACCOUNT,),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
