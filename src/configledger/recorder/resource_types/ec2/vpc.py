"""AWS::EC2::VPC.

The document is DescribeVpcs' record in lowerCamel. A VPC spans its region's zones, so
AWS Config shows ``availabilityZone`` "Multiple Availability Zones". It declares no edge
of its own: "Contains Subnet", "Contains Instance", "Is attached to InternetGateway" and
the rest are the inverses of edges its subnets, instances, gateways... declare.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from configledger.recorder.resource_types.ec2._targeted import by_id
from configledger.recorder.types import (
    Described,
    Raw,
    ResourceType,
    Scope,
    lower_camel,
    tags_from_list,
)


def fetch(client: Any, scope: Scope) -> Iterable[Raw]:
    for page in client.get_paginator("describe_vpcs").paginate():
        yield from page["Vpcs"]


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    return client.describe_vpcs(VpcIds=ids)["Vpcs"]  # type: ignore[no-any-return]


def transform(raw: Raw, scope: Scope) -> Described:
    vpc_id = raw["VpcId"]
    configuration: dict[str, Any] = lower_camel(raw)
    configuration.setdefault("tags", [])
    return Described(
        resource_id=vpc_id,
        arn=f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}:vpc/{vpc_id}",
        availability_zone="Multiple Availability Zones",
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::VPC",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id("vpcId", "vpc", describe, "InvalidVpcID.NotFound"),
    events=frozenset(
        {
            "CreateVpc",
            "CreateDefaultVpc",
            "DeleteVpc",
            "AssociateVpcCidrBlock",
            "DisassociateVpcCidrBlock",
            "AssociateDhcpOptions",
            "ModifyVpcTenancy",
            "CreateTags",
            "DeleteTags",
            # Calls that change the edges other types declare towards the VPC.
            "CreateSubnet",
            "CreateDefaultSubnet",
            "DeleteSubnet",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
            "CreateNetworkAcl",
            "DeleteNetworkAcl",
            "CreateRouteTable",
            "DeleteRouteTable",
            "AttachInternetGateway",
            "DetachInternetGateway",
            "CreateNetworkInterface",
            "DeleteNetworkInterface",
            "RunInstances",
            "TerminateInstances",
        }
    ),
)
