"""AWS::EC2::InternetGateway.

The document is DescribeInternetGateways' record in lowerCamel; AWS Config shows
``availabilityZone`` "Multiple Availability Zones" for it. Each attachment is an edge
"Is attached to Vpc" (the VPC shows "Is attached to InternetGateway").
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
    for page in client.get_paginator("describe_internet_gateways").paginate():
        yield from page["InternetGateways"]


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    answer = client.describe_internet_gateways(InternetGatewayIds=ids)
    return answer["InternetGateways"]  # type: ignore[no-any-return]


def transform(raw: Raw, scope: Scope) -> Described:
    gateway_id = raw["InternetGatewayId"]
    configuration: dict[str, Any] = lower_camel(raw)
    configuration.setdefault("attachments", [])
    configuration.setdefault("tags", [])
    vpcs = dict.fromkeys(a["VpcId"] for a in raw.get("Attachments", []) if a.get("VpcId"))
    return Described(
        resource_id=gateway_id,
        arn=(
            f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}"
            f":internet-gateway/{gateway_id}"
        ),
        availability_zone="Multiple Availability Zones",
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
        relations=tuple(
            Relation(
                "Is attached to Vpc", "AWS::EC2::VPC", vpc, inverse="Is attached to InternetGateway"
            )
            for vpc in vpcs
        ),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::InternetGateway",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id("internetGatewayId", "igw", describe, "InvalidInternetGatewayID.NotFound"),
    events=frozenset(
        {
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "AttachInternetGateway",
            "DetachInternetGateway",
            "CreateTags",
            "DeleteTags",
        }
    ),
)
