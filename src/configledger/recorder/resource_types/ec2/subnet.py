"""AWS::EC2::Subnet.

The document is DescribeSubnets' record in lowerCamel; ``availabilityZone`` is the
subnet's zone. The subnet declares "Is contained in Vpc" (the VPC shows "Contains
Subnet"); its "Is attached to NetworkAcl", "Contains Instance" and "Contains
NetworkInterface" are the inverses of edges the ACL, instance and interface declare.
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
    for page in client.get_paginator("describe_subnets").paginate():
        yield from page["Subnets"]


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    return client.describe_subnets(SubnetIds=ids)["Subnets"]  # type: ignore[no-any-return]


def transform(raw: Raw, scope: Scope) -> Described:
    subnet_id = raw["SubnetId"]
    configuration: dict[str, Any] = lower_camel(raw)
    configuration.setdefault("tags", [])
    return Described(
        resource_id=subnet_id,
        arn=f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}:subnet/{subnet_id}",
        availability_zone=raw["AvailabilityZone"],
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
        relations=(
            Relation(
                "Is contained in Vpc", "AWS::EC2::VPC", raw["VpcId"], inverse="Contains Subnet"
            ),
        ),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::Subnet",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id("subnetId", "subnet", describe, "InvalidSubnetID.NotFound"),
    events=frozenset(
        {
            "CreateSubnet",
            "CreateDefaultSubnet",
            "DeleteSubnet",
            "ModifySubnetAttribute",
            "AssociateSubnetCidrBlock",
            "DisassociateSubnetCidrBlock",
            "CreateTags",
            "DeleteTags",
            # Its NACL edge, and its instances and interfaces (which also move
            # availableIpAddressCount).
            "ReplaceNetworkAclAssociation",
            "RunInstances",
            "TerminateInstances",
            "CreateNetworkInterface",
            "DeleteNetworkInterface",
            "AssignPrivateIpAddresses",
            "UnassignPrivateIpAddresses",
            "CreateNatGateway",
            "DeleteNatGateway",
        }
    ),
)
