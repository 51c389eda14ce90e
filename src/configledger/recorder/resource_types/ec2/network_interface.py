"""AWS::EC2::NetworkInterface.

The document is DescribeNetworkInterfaces' record in lowerCamel; this API names the tag
list ``TagSet``, so the document has ``tagSet``. ``availabilityZone`` is the interface's
zone. The interface declares "Is contained in Subnet" and "Is contained in Vpc" (their
items show "Contains NetworkInterface") and "Is associated with SecurityGroup" (the
groups' reverse edge is one of the indirect relationships AWS Config deprecated, so it
has no inverse). Its "Is attached to Instance" is the inverse of the instance's
"Contains NetworkInterface".
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
    lower_camel,
    tags_from_list,
)


def fetch(client: Any, scope: Scope) -> Iterable[Raw]:
    for page in client.get_paginator("describe_network_interfaces").paginate():
        yield from page["NetworkInterfaces"]


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    answer = client.describe_network_interfaces(NetworkInterfaceIds=ids)
    return answer["NetworkInterfaces"]  # type: ignore[no-any-return]


def transform(raw: Raw, scope: Scope) -> Described:
    eni_id = raw["NetworkInterfaceId"]
    configuration: dict[str, Any] = lower_camel(raw)
    configuration.setdefault("tagSet", [])
    relations = [
        Relation(
            "Is contained in Subnet",
            "AWS::EC2::Subnet",
            raw["SubnetId"],
            inverse="Contains NetworkInterface",
        ),
        Relation(
            "Is contained in Vpc",
            "AWS::EC2::VPC",
            raw["VpcId"],
            inverse="Contains NetworkInterface",
        ),
    ]
    groups = dict.fromkeys(g["GroupId"] for g in raw.get("Groups", []))
    relations += (
        Relation("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", group)
        for group in groups
    )
    return Described(
        resource_id=eni_id,
        arn=f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}:network-interface/{eni_id}",
        availability_zone=raw["AvailabilityZone"],
        configuration=configuration,
        tags=tags_from_list(raw.get("TagSet")),
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::NetworkInterface",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id("networkInterfaceId", "eni", describe, "InvalidNetworkInterfaceID.NotFound"),
    events=frozenset(
        {
            "CreateNetworkInterface",
            "DeleteNetworkInterface",
            "AttachNetworkInterface",
            "DetachNetworkInterface",
            "ModifyNetworkInterfaceAttribute",
            "ResetNetworkInterfaceAttribute",
            "AssignPrivateIpAddresses",
            "UnassignPrivateIpAddresses",
            "AssignIpv6Addresses",
            "UnassignIpv6Addresses",
            "AssociateAddress",
            "DisassociateAddress",
            "CreateTags",
            "DeleteTags",
            # Interfaces created, re-grouped and deleted on behalf of instances and
            # NAT gateways.
            "RunInstances",
            "TerminateInstances",
            "ModifyInstanceAttribute",
            "CreateNatGateway",
            "DeleteNatGateway",
        }
    ),
)
