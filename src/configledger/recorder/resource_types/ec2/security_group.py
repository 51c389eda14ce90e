"""AWS::EC2::SecurityGroup.

AWS Config's document is DescribeSecurityGroups' record in lowerCamel, with one quirk
kept for old consumers: each permission's ``ipRanges`` is a list of CIDR strings, while
``ipv4Ranges`` / ``ipv6Ranges`` keep the objects (spec 3.4).
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
    for page in client.get_paginator("describe_security_groups").paginate():
        yield from page["SecurityGroups"]


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    return client.describe_security_groups(GroupIds=ids)["SecurityGroups"]  # type: ignore[no-any-return]


def _permission(permission: Raw) -> dict[str, Any]:
    out: dict[str, Any] = lower_camel(permission)
    out["ipv4Ranges"] = out.pop("ipRanges", [])
    out["ipRanges"] = [r["cidrIp"] for r in out["ipv4Ranges"]]
    out.setdefault("ipv6Ranges", [])
    out.setdefault("prefixListIds", [])
    out.setdefault("userIdGroupPairs", [])
    out.setdefault("fromPort", None)
    out.setdefault("toPort", None)
    return out


def transform(raw: Raw, scope: Scope) -> Described:
    configuration = lower_camel(raw)
    configuration["ipPermissions"] = [_permission(p) for p in raw.get("IpPermissions", [])]
    configuration["ipPermissionsEgress"] = [
        _permission(p) for p in raw.get("IpPermissionsEgress", [])
    ]
    configuration.setdefault("tags", [])
    group_id = raw["GroupId"]
    relations = []
    if raw.get("VpcId"):
        relations.append(
            Relation(
                "Is contained in Vpc",
                "AWS::EC2::VPC",
                raw["VpcId"],
                inverse="Contains SecurityGroup",
            )
        )
    return Described(
        resource_id=group_id,
        resource_name=raw.get("GroupName"),
        arn=f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}:security-group/{group_id}",
        availability_zone="Not Applicable",
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::SecurityGroup",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id("groupId", "sg", describe, "InvalidGroup.NotFound"),
    events=frozenset(
        {
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
            "CreateVpc",  # a VPC comes with its default group, and takes it along
            "DeleteVpc",
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "UpdateSecurityGroupRuleDescriptionsIngress",
            "UpdateSecurityGroupRuleDescriptionsEgress",
            "ModifySecurityGroupRules",
            "CreateTags",
            "DeleteTags",
        }
    ),
)
