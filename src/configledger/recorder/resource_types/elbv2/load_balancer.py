"""AWS::ElasticLoadBalancingV2::LoadBalancer.

AWS Config identifies a load balancer by its ARN and names it by its name. The document
is DescribeLoadBalancers' record in lowerCamel (``dNSName``: only the first letter is
lowered). The supplementary configuration carries DescribeLoadBalancerAttributes'
``LoadBalancerAttributes`` and DescribeTags' ``Tags``, both as [{key, value}] lists.
A load balancer spans zones: "Multiple Availability Zones". Its edges to its security
groups, subnets and VPC are direct and one-way (no inverse).
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

_TAGS_PER_CALL = 20  # DescribeTags takes at most 20 ARNs


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    for page in client.get_paginator("describe_load_balancers").paginate():
        balancers = page["LoadBalancers"]
        for start in range(0, len(balancers), _TAGS_PER_CALL):
            chunk = balancers[start : start + _TAGS_PER_CALL]
            described = client.describe_tags(ResourceArns=[b["LoadBalancerArn"] for b in chunk])
            tags = {d["ResourceArn"]: d.get("Tags", []) for d in described["TagDescriptions"]}
            for balancer in chunk:
                arn = balancer["LoadBalancerArn"]
                attributes = client.describe_load_balancer_attributes(LoadBalancerArn=arn)
                yield {
                    "LoadBalancer": balancer,
                    "Attributes": attributes["Attributes"],
                    "Tags": tags[arn],
                }


def transform(raw: Raw, scope: Scope) -> Described:
    balancer = raw["LoadBalancer"]
    relations = [
        Relation("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", group)
        for group in balancer.get("SecurityGroups", [])
    ]
    relations += [
        Relation("Is attached to Subnet", "AWS::EC2::Subnet", zone["SubnetId"])
        for zone in balancer.get("AvailabilityZones", [])
        if zone.get("SubnetId")
    ]
    if balancer.get("VpcId"):
        relations.append(Relation("Is contained in Vpc", "AWS::EC2::VPC", balancer["VpcId"]))
    return Described(
        resource_id=balancer["LoadBalancerArn"],
        resource_name=balancer["LoadBalancerName"],
        arn=balancer["LoadBalancerArn"],
        availability_zone="Multiple Availability Zones",
        resource_creation_ms=epoch_ms(balancer.get("CreatedTime")),
        configuration=lower_camel(balancer),
        tags=tags_from_list(raw["Tags"]),
        supplementary={
            "LoadBalancerAttributes": lower_camel(raw["Attributes"]),
            "Tags": lower_camel(raw["Tags"]),
        },
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::ElasticLoadBalancingV2::LoadBalancer",
    service="elbv2",
    fetch=fetch,
    transform=transform,
    events=frozenset(
        {
            "CreateLoadBalancer",
            "DeleteLoadBalancer",
            "ModifyLoadBalancerAttributes",
            "SetSecurityGroups",
            "SetSubnets",
            "SetIpAddressType",
            "AddTags",
            "RemoveTags",
        }
    ),
)
