"""IAM_GROUP_HAS_USERS_CHECK (iam-group-has-users-check).

A group must have at least one member: its item's "Contains User" relationships (the
inverse of each member's "Is attached to Group").
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
    members = [
        r
        for r in rule_input.item.get("relationships") or []
        if r.get("resourceType") == "AWS::IAM::User"
    ]
    if members:
        return compliant()
    return non_compliant("The group has no users.")


RULE = ManagedRule(
    identifier="IAM_GROUP_HAS_USERS_CHECK",
    default_name="iam-group-has-users-check",
    description="Checks that IAM groups have at least one user.",
    resource_types=("AWS::IAM::Group",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
