"""SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED (subnet-auto-assign-public-ip-disabled).

Instances launched in the subnet must not get a public IPv4 address by default
(``mapPublicIpOnLaunch``).
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
    if rule_input.configuration.get("mapPublicIpOnLaunch"):
        return non_compliant("The subnet assigns public IPv4 addresses on launch.")
    return compliant()


RULE = ManagedRule(
    identifier="SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED",
    default_name="subnet-auto-assign-public-ip-disabled",
    description="Checks that subnets do not assign public IP addresses automatically.",
    resource_types=("AWS::EC2::Subnet",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
