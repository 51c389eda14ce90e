"""AWS::EC2::EIP.

The document is DescribeAddresses' record in lowerCamel. AWS Config records VPC
addresses only ("Elastic IP (VPC only)"), identified by their allocation id, which is
also the ``resourceId``; an EIP has no zone ("Not Applicable"). The address declares
"Is attached to Instance" (the instance shows "Is attached to ElasticIp": only this side
knows the allocation id) and "Is attached to NetworkInterface" (no reverse edge is
documented on the interface).
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
    # DescribeAddresses has no paging: one call returns every address. EC2-Classic
    # addresses (no AllocationId) are not a type AWS Config records.
    yield from (a for a in client.describe_addresses()["Addresses"] if a.get("AllocationId"))


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    answer = client.describe_addresses(AllocationIds=ids)
    return (a for a in answer["Addresses"] if a.get("AllocationId"))


def transform(raw: Raw, scope: Scope) -> Described:
    allocation_id = raw["AllocationId"]
    configuration: dict[str, Any] = lower_camel(raw)
    configuration.setdefault("tags", [])
    relations = []
    if raw.get("InstanceId"):
        relations.append(
            Relation(
                "Is attached to Instance",
                "AWS::EC2::Instance",
                raw["InstanceId"],
                inverse="Is attached to ElasticIp",
            )
        )
    if raw.get("NetworkInterfaceId"):
        relations.append(
            Relation(
                "Is attached to NetworkInterface",
                "AWS::EC2::NetworkInterface",
                raw["NetworkInterfaceId"],
            )
        )
    return Described(
        resource_id=allocation_id,
        arn=(
            f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}"
            f":elastic-ip/{allocation_id}"
        ),
        availability_zone="Not Applicable",
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::EIP",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id("allocationId", "eipalloc", describe, "InvalidAllocationID.NotFound"),
    events=frozenset(
        {
            "AllocateAddress",
            "ReleaseAddress",
            "AssociateAddress",
            "DisassociateAddress",
            "CreateTags",
            "DeleteTags",
            # Addresses released from terminated instances and taken by NAT gateways.
            "TerminateInstances",
            "CreateNatGateway",
            "DeleteNatGateway",
        }
    ),
)
