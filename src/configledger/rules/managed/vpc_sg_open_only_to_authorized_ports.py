"""VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS (vpc-sg-open-only-to-authorized-ports).

Every port a group opens to 0.0.0.0/0 or ::/0 over TCP or UDP must be within
``authorizedTcpPorts`` / ``authorizedUdpPorts`` (e.g. "443,1020-1025"). An all-protocol
permission opens every port of both.
"""

from __future__ import annotations

from configledger.rules.managed._shared import covered, open_cidrs, parse_ports, permission_ports
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
    authorized = {
        "tcp": parse_ports(rule_input.params.get("authorizedTcpPorts")),
        "udp": parse_ports(rule_input.params.get("authorizedUdpPorts")),
    }
    for permission in rule_input.configuration.get("ipPermissions") or []:
        if not open_cidrs(permission):
            continue
        for protocol, allowed in authorized.items():
            span = permission_ports(permission, protocol)
            if span is not None and not covered(span, allowed):
                return non_compliant(
                    f"{protocol.upper()} ports {span[0]}-{span[1]} are open to the internet "
                    "and not authorized."
                )
    return compliant()


RULE = ManagedRule(
    identifier="VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS",
    default_name="vpc-sg-open-only-to-authorized-ports",
    description="Checks that security groups open to the internet expose only authorized ports.",
    resource_types=("AWS::EC2::SecurityGroup",),
    triggers=frozenset({Trigger.CHANGE, Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(Param("authorizedTcpPorts", "String"), Param("authorizedUdpPorts", "String")),
)
