"""EC2_INSTANCE_NO_PUBLIC_IP (ec2-instance-no-public-ip).

The instance's item must show no public IPv4 address, on the instance or on any of its
network interfaces.
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
    if configuration.get("publicIpAddress"):
        return non_compliant("The instance has a public IP address.")
    for interface in configuration.get("networkInterfaces") or []:
        if (interface.get("association") or {}).get("publicIp"):
            return non_compliant("A network interface of the instance has a public IP address.")
    return compliant()


RULE = ManagedRule(
    identifier="EC2_INSTANCE_NO_PUBLIC_IP",
    default_name="ec2-instance-no-public-ip",
    description="Checks that EC2 instances have no public IP address.",
    resource_types=("AWS::EC2::Instance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
