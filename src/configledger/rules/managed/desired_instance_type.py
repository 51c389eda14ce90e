"""DESIRED_INSTANCE_TYPE (desired-instance-type).

The instance's type must be one of ``instanceType`` (required, e.g. "t2.small,m5.large").
"""

from __future__ import annotations

from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    kind = rule_input.configuration.get("instanceType")
    if kind in (rule_input.params.get("instanceType") or []):
        return compliant()
    return non_compliant(f"Instance type {kind} is not a desired type.")


RULE = ManagedRule(
    identifier="DESIRED_INSTANCE_TYPE",
    default_name="desired-instance-type",
    description="Checks that EC2 instances are of the desired instance types.",
    resource_types=("AWS::EC2::Instance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("instanceType", "CSV", optional=False),),
)
