"""INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY (internet-gateway-authorized-vpc-only).

An internet gateway may be attached only to VPCs in ``AuthorizedVpcIds``; without the
parameter every attached gateway is non-compliant. A gateway attached to no VPC is
attached to no unauthorized one.
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
    authorized = set(rule_input.params.get("AuthorizedVpcIds") or [])
    attached = [
        a.get("vpcId") for a in rule_input.configuration.get("attachments") or [] if a.get("vpcId")
    ]
    unauthorized = [vpc for vpc in attached if vpc not in authorized]
    if unauthorized:
        return non_compliant(brief("Attached to unauthorized VPC " + ", ".join(unauthorized) + "."))
    return compliant()


RULE = ManagedRule(
    identifier="INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY",
    default_name="internet-gateway-authorized-vpc-only",
    description="Checks that internet gateways are attached only to authorized VPCs.",
    resource_types=("AWS::EC2::InternetGateway",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("AuthorizedVpcIds", "CSV"),),
)
