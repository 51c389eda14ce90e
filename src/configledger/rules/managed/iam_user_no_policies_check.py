"""IAM_USER_NO_POLICIES_CHECK (iam-user-no-policies-check).

A user must get permissions from groups or roles only: no inline and no attached
managed policies of its own.
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
    configuration = rule_input.configuration
    if configuration.get("userPolicyList") or configuration.get("attachedManagedPolicies"):
        return non_compliant("The user has policies attached directly.")
    return compliant()


RULE = ManagedRule(
    identifier="IAM_USER_NO_POLICIES_CHECK",
    default_name="iam-user-no-policies-check",
    description="Checks that IAM users have no policies attached directly.",
    resource_types=("AWS::IAM::User",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
