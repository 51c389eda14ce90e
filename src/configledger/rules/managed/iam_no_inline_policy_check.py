"""IAM_NO_INLINE_POLICY_CHECK (iam-no-inline-policy-check).

A user, role or group must have no inline policy.
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

INLINE = {
    "AWS::IAM::User": "userPolicyList",
    "AWS::IAM::Role": "rolePolicyList",
    "AWS::IAM::Group": "groupPolicyList",
}


def evaluate(rule_input: RuleInput) -> Verdict:
    key = INLINE.get(str(rule_input.item.get("resourceType")), "")
    if rule_input.configuration.get(key):
        return non_compliant("The identity has an inline policy.")
    return compliant()


RULE = ManagedRule(
    identifier="IAM_NO_INLINE_POLICY_CHECK",
    default_name="iam-no-inline-policy-check",
    description="Checks that IAM users, roles and groups have no inline policies.",
    resource_types=("AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::User"),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
