"""NO_UNRESTRICTED_ROUTE_TO_IGW (no-unrestricted-route-to-igw).

A route table must have no route for 0.0.0.0/0 or ::/0 to an internet gateway, unless
it is one of ``routeTableIds`` (tables meant to be public).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configledger.rules.managed._shared import OPEN_IPV4, OPEN_IPV6
from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def _open_to_gateway(route: Mapping[str, Any]) -> bool:
    destination = route.get("destinationCidrBlock") or route.get("destinationIpv6CidrBlock")
    return destination in (OPEN_IPV4, OPEN_IPV6) and str(route.get("gatewayId") or "").startswith(
        "igw-"
    )


def evaluate(rule_input: RuleInput) -> Verdict:
    table = rule_input.configuration.get("routeTableId") or rule_input.item.get("resourceId")
    if table in (rule_input.params.get("routeTableIds") or []):
        return compliant("The route table may route to an internet gateway.")
    if any(_open_to_gateway(r) for r in rule_input.configuration.get("routes") or []):
        return non_compliant("The route table routes all addresses to an internet gateway.")
    return compliant()


RULE = ManagedRule(
    identifier="NO_UNRESTRICTED_ROUTE_TO_IGW",
    default_name="no-unrestricted-route-to-igw",
    description="Checks that route tables have no unrestricted route to an internet gateway.",
    resource_types=("AWS::EC2::RouteTable",),
    triggers=frozenset({Trigger.CHANGE, Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(Param("routeTableIds", "CSV"),),
)
