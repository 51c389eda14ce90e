"""LAMBDA_INSIDE_VPC (lambda-inside-vpc).

The function must be attached to a VPC (subnets in ``vpcConfig``); with ``subnetIds``
given, every subnet it uses must be one of them.
"""

from __future__ import annotations

from configledger.rules.managed._shared import brief
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
    subnets = list((rule_input.configuration.get("vpcConfig") or {}).get("subnetIds") or [])
    if not subnets:
        return non_compliant("The function is not in a VPC.")
    allowed = rule_input.params.get("subnetIds") or []
    outside = [s for s in subnets if allowed and s not in allowed]
    if outside:
        return non_compliant(
            brief("The function uses subnets not in subnetIds: " + ", ".join(outside))
        )
    return compliant()


RULE = ManagedRule(
    identifier="LAMBDA_INSIDE_VPC",
    default_name="lambda-inside-vpc",
    description="Checks that Lambda functions are in a VPC.",
    resource_types=("AWS::Lambda::Function",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("subnetIds", "CSV"),),
)
