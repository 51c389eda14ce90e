"""AWS::RDS::DBInstance.

AWS Config identifies an instance by its ``DbiResourceId`` (``db-...``, stable across
renames) and names it by its identifier. The document is DescribeDBInstances' record in
lowerCamel (``dBInstanceIdentifier``, ``iAMDatabaseAuthenticationEnabled``: only the
first letter is lowered), tags included as ``tagList``; the supplementary configuration
repeats the tags as ``Tags``. ``availabilityZone`` is the instance's zone.

Edges are direct and one-way (AWS Config's FAQ on indirect relationships): the security
groups and the subnet group do not show the instance, so no inverse is declared. The
subnet group is named by its name, which is its AWS Config resource id.
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
    epoch_ms,
    lower_camel,
    tags_from_list,
)


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    for page in client.get_paginator("describe_db_instances").paginate():
        yield from page["DBInstances"]


def transform(raw: Raw, scope: Scope) -> Described:
    relations = [
        Relation(
            "Is associated with SecurityGroup",
            "AWS::EC2::SecurityGroup",
            group["VpcSecurityGroupId"],
        )
        for group in raw.get("VpcSecurityGroups", [])
    ]
    subnet_group = raw.get("DBSubnetGroup")
    if subnet_group:
        relations.append(
            Relation(
                "Is associated with DBSubnetGroup",
                "AWS::RDS::DBSubnetGroup",
                subnet_group["DBSubnetGroupName"],
            )
        )
    return Described(
        resource_id=raw["DbiResourceId"],
        resource_name=raw["DBInstanceIdentifier"],
        arn=raw["DBInstanceArn"],
        availability_zone=raw.get("AvailabilityZone"),
        resource_creation_ms=epoch_ms(raw.get("InstanceCreateTime")),
        configuration=lower_camel(raw),
        tags=tags_from_list(raw.get("TagList")),
        supplementary={"Tags": lower_camel(raw.get("TagList", []))},
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::RDS::DBInstance",
    service="rds",
    fetch=fetch,
    transform=transform,
    events=frozenset(
        {
            "CreateDBInstance",
            "CreateDBInstanceReadReplica",
            "RestoreDBInstanceFromDBSnapshot",
            "RestoreDBInstanceFromS3",
            "RestoreDBInstanceToPointInTime",
            "ModifyDBInstance",
            "RebootDBInstance",
            "StartDBInstance",
            "StopDBInstance",
            "PromoteReadReplica",
            "SwitchoverReadReplica",
            "AddRoleToDBInstance",
            "RemoveRoleFromDBInstance",
            "DeleteDBInstance",
            "AddTagsToResource",
            "RemoveTagsFromResource",
        }
    ),
)
