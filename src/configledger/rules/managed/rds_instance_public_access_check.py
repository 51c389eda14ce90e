"""RDS_INSTANCE_PUBLIC_ACCESS_CHECK (rds-instance-public-access-check).

The DB instance must not be publicly accessible.
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
    if rule_input.configuration.get("publiclyAccessible"):
        return non_compliant("The DB instance is publicly accessible.")
    return compliant()


RULE = ManagedRule(
    identifier="RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
    default_name="rds-instance-public-access-check",
    description="Checks that RDS DB instances are not publicly accessible.",
    resource_types=("AWS::RDS::DBInstance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
