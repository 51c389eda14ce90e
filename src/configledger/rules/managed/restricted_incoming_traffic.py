"""RESTRICTED_INCOMING_TRAFFIC (restricted-common-ports).

A security group in use must not open any blocked TCP port (``blockedPort1``..``5`` and
``blockedPorts``, which may hold ranges) to all IPv4 (0.0.0.0/0) or all IPv6 (::/0)
addresses. A group no network interface carries is not in use: NOT_APPLICABLE.
"""

from __future__ import annotations

from configledger.rules.managed._ec2 import attached_to_interface
from configledger.rules.managed._shared import brief, open_cidrs, parse_ports, permission_ports
from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
    not_applicable,
)

NUMBERED = ("blockedPort1", "blockedPort2", "blockedPort3", "blockedPort4", "blockedPort5")


def _blocked(rule_input: RuleInput) -> list[tuple[int, int]]:
    ports = [
        (int(rule_input.params[name]), int(rule_input.params[name]))
        for name in NUMBERED
        if rule_input.params.get(name) is not None
    ]
    return ports + parse_ports(rule_input.params.get("blockedPorts"))


def evaluate(rule_input: RuleInput) -> Verdict:
    group_id = str(rule_input.configuration.get("groupId") or rule_input.item.get("resourceId"))
    if not attached_to_interface(rule_input.env, group_id):
        return not_applicable("The security group is not in use.")
    blocked = _blocked(rule_input)
    for permission in rule_input.configuration.get("ipPermissions") or []:
        span = permission_ports(permission, "tcp")
        if span is None or not open_cidrs(permission):
            continue
        hits = sorted({low for low, high in blocked if low <= span[1] and high >= span[0]})
        if hits:
            ports = ", ".join(str(p) for p in hits)
            return non_compliant(
                brief(f"The security group allows unrestricted TCP to port {ports}.")
            )
    return compliant()


RULE = ManagedRule(
    identifier="RESTRICTED_INCOMING_TRAFFIC",
    default_name="restricted-common-ports",
    description="Checks that security groups in use do not open blocked TCP ports to all.",
    resource_types=("AWS::EC2::SecurityGroup",),
    triggers=frozenset({Trigger.CHANGE, Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(
        Param("blockedPort1", "int", default="20"),
        Param("blockedPort2", "int", default="21"),
        Param("blockedPort3", "int", default="3389"),
        Param("blockedPort4", "int", default="3306"),
        Param("blockedPort5", "int", default="4333"),
        Param("blockedPorts", "CSV"),
    ),
)
