"""INCOMING_SSH_DISABLED (restricted-ssh): no inbound TCP 22 from 0.0.0.0/0.

AWS checks IPv4 ranges only, and a rule covering port 22 counts whether it names 22 or
spans it (``-1`` protocol, or a from/to range that includes 22).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)

SSH = 22
OPEN = "0.0.0.0/0"


def _covers_ssh(permission: Mapping[str, Any]) -> bool:
    protocol = str(permission.get("ipProtocol", ""))
    if protocol == "-1":
        return True
    if protocol not in ("tcp", "6"):
        return False
    low, high = permission.get("fromPort"), permission.get("toPort")
    if low is None or high is None:
        return True
    return int(low) <= SSH <= int(high)


def _open_to_world(permission: Mapping[str, Any]) -> bool:
    ranges = [r.get("cidrIp") for r in permission.get("ipv4Ranges") or []]
    ranges += list(permission.get("ipRanges") or [])
    return OPEN in ranges


def evaluate(rule_input: RuleInput) -> Verdict:
    for permission in rule_input.configuration.get("ipPermissions") or []:
        if _covers_ssh(permission) and _open_to_world(permission):
            return non_compliant("The security group allows inbound SSH from 0.0.0.0/0.")
    return compliant()


RULE = ManagedRule(
    identifier="INCOMING_SSH_DISABLED",
    default_name="restricted-ssh",
    description="Checks whether security groups disallow unrestricted incoming SSH traffic.",
    resource_types=("AWS::EC2::SecurityGroup",),
    triggers=frozenset({Trigger.CHANGE, Trigger.PERIODIC}),
    evaluate=evaluate,
)
