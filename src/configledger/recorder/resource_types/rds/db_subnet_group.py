"""AWS::RDS::DBSubnetGroup.

AWS Config identifies a subnet group by its name (the id DB instances' "Is associated
with DBSubnetGroup" edges carry). The document is DescribeDBSubnetGroups' record in
lowerCamel; that call returns no tags, so ``fetch`` adds ListTagsForResource's.
A group spans the zones of its subnets: "Multiple Availability Zones".
Its edges to the subnets and the VPC are direct and one-way (no inverse).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.recorder.types import (
    Described,
    Raw,
    Relation,
    ResourceType,
    Scope,
    lower_camel,
    tags_from_list,
)


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    for page in client.get_paginator("describe_db_subnet_groups").paginate():
        for group in page["DBSubnetGroups"]:
            tags = client.list_tags_for_resource(ResourceName=group["DBSubnetGroupArn"])
            yield {"DBSubnetGroup": group, "TagList": tags["TagList"]}


def transform(raw: Raw, scope: Scope) -> Described:
    group = raw["DBSubnetGroup"]
    relations = [
        Relation("Is associated with Subnet", "AWS::EC2::Subnet", subnet["SubnetIdentifier"])
        for subnet in group.get("Subnets", [])
    ]
    if group.get("VpcId"):
        relations.append(Relation("Is associated with Vpc", "AWS::EC2::VPC", group["VpcId"]))
    return Described(
        resource_id=group["DBSubnetGroupName"],
        resource_name=group["DBSubnetGroupName"],
        arn=group["DBSubnetGroupArn"],
        availability_zone="Multiple Availability Zones",
        configuration=lower_camel(group),
        tags=tags_from_list(raw["TagList"]),
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::RDS::DBSubnetGroup",
    service="rds",
    fetch=fetch,
    transform=transform,
    events=frozenset(
        {
            "CreateDBSubnetGroup",
            "ModifyDBSubnetGroup",
            "DeleteDBSubnetGroup",
            "AddTagsToResource",
            "RemoveTagsFromResource",
        }
    ),
)
