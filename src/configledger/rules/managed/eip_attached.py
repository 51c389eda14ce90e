"""EIP_ATTACHED (eip-attached).

An Elastic IP must be associated with an instance or an in-use network interface.
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
    if (
        configuration.get("associationId")
        or configuration.get("instanceId")
        or configuration.get("networkInterfaceId")
    ):
        return compliant()
    return non_compliant("The Elastic IP is not attached to an instance or network interface.")


RULE = ManagedRule(
    identifier="EIP_ATTACHED",
    default_name="eip-attached",
    description="Checks that Elastic IP addresses are attached.",
    resource_types=("AWS::EC2::EIP",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
