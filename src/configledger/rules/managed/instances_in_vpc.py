"""INSTANCES_IN_VPC (ec2-instances-in-vpc).

The instance must be in a VPC, and in ``vpcId`` when that is given.
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
    vpc = rule_input.configuration.get("vpcId")
    if not vpc:
        return non_compliant("The instance is not in a VPC.")
    wanted = rule_input.params.get("vpcId")
    if wanted and vpc != wanted:
        return non_compliant(f"The instance is in {vpc}, not {wanted}.")
    return compliant()


RULE = ManagedRule(
    identifier="INSTANCES_IN_VPC",
    default_name="ec2-instances-in-vpc",
    description="Checks that EC2 instances belong to a VPC.",
    resource_types=("AWS::EC2::Instance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("vpcId", "String"),),
)
