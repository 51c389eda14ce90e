"""AUTOSCALING_MULTIPLE_AZ (autoscaling-multiple-az).

The group must span more than one Availability Zone, at least
``minAvailabilityZones`` when given.
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
    zones = len(rule_input.configuration.get("availabilityZones") or [])
    wanted = int(rule_input.params.get("minAvailabilityZones") or 2)
    if zones >= wanted:
        return compliant()
    return non_compliant(f"The group spans {zones} Availability Zones, fewer than {wanted}.")


RULE = ManagedRule(
    identifier="AUTOSCALING_MULTIPLE_AZ",
    default_name="autoscaling-multiple-az",
    description="Checks that Auto Scaling groups span multiple Availability Zones.",
    resource_types=("AWS::AutoScaling::AutoScalingGroup",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("minAvailabilityZones", "int"),),
)
