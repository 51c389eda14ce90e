"""AWS::EC2::NatGateway.

The document is DescribeNatGateways' record in lowerCamel, with AWS Config's quirk for
this newer type: ``createTime`` and ``deleteTime`` are epoch milliseconds, not ISO
strings (aws-config-rdk's example item). ``availabilityZone`` is "Not Applicable". Its
edges carry no type word: "Is contained in " (trailing space) to the Subnet and the VPC,
shown on this side only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from configledger.recorder.resource_types.ec2._targeted import by_id
from configledger.recorder.types import (
    Described,
    Raw,
    Relation,
    ResourceType,
    Scope,
    epoch_ms,
    lower_camel,
    tags_from_list,
)

# DescribeNatGateways keeps a deleted gateway for about an hour, in state "deleted".
# AWS Config records it as deleted instead; "deleting" is the irreversible step to
# "deleted", so a gateway in either state is no longer listed.
_GONE = frozenset({"deleting", "deleted"})


def fetch(client: Any, scope: Scope) -> Iterable[Raw]:
    for page in client.get_paginator("describe_nat_gateways").paginate():
        yield from (g for g in page["NatGateways"] if g["State"] not in _GONE)


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    answer = client.describe_nat_gateways(NatGatewayIds=ids)
    return (g for g in answer["NatGateways"] if g["State"] not in _GONE)


def transform(raw: Raw, scope: Scope) -> Described:
    gateway_id = raw["NatGatewayId"]
    configuration: dict[str, Any] = lower_camel(raw)
    for key in ("CreateTime", "DeleteTime"):
        if key in raw:
            configuration[key[:1].lower() + key[1:]] = epoch_ms(raw[key])
    configuration.setdefault("tags", [])
    return Described(
        resource_id=gateway_id,
        arn=f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}:natgateway/{gateway_id}",
        availability_zone="Not Applicable",
        resource_creation_ms=epoch_ms(raw.get("CreateTime")),
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
        relations=(
            Relation("Is contained in ", "AWS::EC2::Subnet", raw["SubnetId"]),
            Relation("Is contained in ", "AWS::EC2::VPC", raw["VpcId"]),
        ),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::NatGateway",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id(
        "natGatewayId", "nat", describe, "NatGatewayNotFound", "InvalidNatGatewayID.NotFound"
    ),
    events=frozenset(
        {
            "CreateNatGateway",
            "DeleteNatGateway",
            "AssociateNatGatewayAddress",
            "DisassociateNatGatewayAddress",
            "AssignPrivateNatGatewayAddress",
            "UnassignPrivateNatGatewayAddress",
            "CreateTags",
            "DeleteTags",
        }
    ),
)
