"""AWS::EC2::NetworkAcl.

The document is DescribeNetworkAcls' record in lowerCamel. An ACL serves subnets in any
zone, so AWS Config shows ``availabilityZone`` "Multiple Availability Zones". Each
association is an edge "Is attached to Subnet" (the subnet shows "Is attached to
NetworkAcl"); the ACL "Is contained in Vpc" (the VPC shows "Contains NetworkAcl").
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
    for page in client.get_paginator("describe_network_acls").paginate():
        yield from page["NetworkAcls"]


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    return client.describe_network_acls(NetworkAclIds=ids)["NetworkAcls"]  # type: ignore[no-any-return]


def transform(raw: Raw, scope: Scope) -> Described:
    acl_id = raw["NetworkAclId"]
    configuration: dict[str, Any] = lower_camel(raw)
    configuration.setdefault("tags", [])
    subnets = dict.fromkeys(a["SubnetId"] for a in raw.get("Associations", []) if a.get("SubnetId"))
    relations = [
        Relation(
            "Is attached to Subnet", "AWS::EC2::Subnet", subnet, inverse="Is attached to NetworkAcl"
        )
        for subnet in subnets
    ]
    relations.append(
        Relation(
            "Is contained in Vpc", "AWS::EC2::VPC", raw["VpcId"], inverse="Contains NetworkAcl"
        )
    )
    return Described(
        resource_id=acl_id,
        arn=f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}:network-acl/{acl_id}",
        availability_zone="Multiple Availability Zones",
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::NetworkAcl",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id(
        "networkAclId",
        "acl",
        describe,
        "InvalidNetworkAclID.NotFound",
        "InvalidRouteTableID.NotFound",  # moto's answer for an unknown network ACL
        # the association moves from an ACL the event does not name
        listing_events=frozenset({"ReplaceNetworkAclAssociation"}),
    ),
    events=frozenset(
        {
            "CreateNetworkAcl",
            "DeleteNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
            "CreateTags",
            "DeleteTags",
            # A new VPC brings its default ACL; a new subnet is associated with it.
            "CreateVpc",
            "CreateDefaultVpc",
            "DeleteVpc",
            "CreateSubnet",
            "CreateDefaultSubnet",
            "DeleteSubnet",
        }
    ),
)
