"""AWS::EC2::Instance.

The document is DescribeInstances' record in lowerCamel; ``availabilityZone`` is the
placement zone and ``resourceCreationTime`` the launch time, as in AWS Config's items.
The instance declares:

* "Is contained in Subnet" / "Is contained in Vpc" (the subnet and VPC show "Contains
  Instance");
* "Is associated with SecurityGroup" (the group's reverse edge is one of the indirect
  relationships AWS Config deprecated, so it has no inverse);
* "Is attached to Volume" for each EBS block device (the volume shows "Is attached to
  Instance");
* "Contains NetworkInterface" for each interface (the interface shows "Is attached to
  Instance").

Its "Is attached to ElasticIp" is the inverse of the address's edge: DescribeInstances
gives an associated public IP but not its allocation id.
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
    epoch_ms,
    lower_camel,
    tags_from_list,
)

# DescribeInstances keeps showing a terminated instance for about an hour. AWS Config
# does not record it as an item whose state is "terminated": it records the instance
# as deleted (ResourceDeleted). "shutting-down" is the irreversible way to
# "terminated" (nothing can change the instance any more), so an instance in either
# state is no longer listed, and the TerminateInstances event yields the deletion at
# once. Stopping and stopped instances still exist and are listed.
_GONE = frozenset({"shutting-down", "terminated"})


def fetch(client: Any, scope: Scope) -> Iterable[Raw]:
    for page in client.get_paginator("describe_instances").paginate():
        for reservation in page["Reservations"]:
            yield from (i for i in reservation["Instances"] if i["State"]["Name"] not in _GONE)


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    for reservation in client.describe_instances(InstanceIds=ids)["Reservations"]:
        yield from (i for i in reservation["Instances"] if i["State"]["Name"] not in _GONE)


def transform(raw: Raw, scope: Scope) -> Described:
    instance_id = raw["InstanceId"]
    configuration: dict[str, Any] = lower_camel(raw)
    configuration.setdefault("tags", [])
    relations = []
    if raw.get("SubnetId"):
        relations.append(
            Relation(
                "Is contained in Subnet",
                "AWS::EC2::Subnet",
                raw["SubnetId"],
                inverse="Contains Instance",
            )
        )
    if raw.get("VpcId"):
        relations.append(
            Relation(
                "Is contained in Vpc", "AWS::EC2::VPC", raw["VpcId"], inverse="Contains Instance"
            )
        )
    groups = dict.fromkeys(g["GroupId"] for g in raw.get("SecurityGroups", []))
    relations += (
        Relation("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", group)
        for group in groups
    )
    volumes = dict.fromkeys(
        m["Ebs"]["VolumeId"] for m in raw.get("BlockDeviceMappings", []) if "Ebs" in m
    )
    relations += (
        Relation(
            "Is attached to Volume", "AWS::EC2::Volume", volume, inverse="Is attached to Instance"
        )
        for volume in volumes
    )
    interfaces = dict.fromkeys(n["NetworkInterfaceId"] for n in raw.get("NetworkInterfaces", []))
    relations += (
        Relation(
            "Contains NetworkInterface",
            "AWS::EC2::NetworkInterface",
            eni,
            inverse="Is attached to Instance",
        )
        for eni in interfaces
    )
    return Described(
        resource_id=instance_id,
        arn=f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}:instance/{instance_id}",
        availability_zone=raw["Placement"]["AvailabilityZone"],
        resource_creation_ms=epoch_ms(raw.get("LaunchTime")),
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::Instance",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id("instanceId", "i", describe, "InvalidInstanceID.NotFound"),
    events=frozenset(
        {
            "RunInstances",
            "StartInstances",
            "StopInstances",
            "TerminateInstances",
            "ModifyInstanceAttribute",
            "ResetInstanceAttribute",
            "ModifyInstanceMetadataOptions",
            "ModifyInstancePlacement",
            "ModifyPrivateDnsNameOptions",
            "MonitorInstances",
            "UnmonitorInstances",
            "AssociateIamInstanceProfile",
            "DisassociateIamInstanceProfile",
            "ReplaceIamInstanceProfileAssociation",
            "CreateTags",
            "DeleteTags",
            # Its volumes, interfaces, addresses and groups.
            "AttachVolume",
            "DetachVolume",
            "AttachNetworkInterface",
            "DetachNetworkInterface",
            "ModifyNetworkInterfaceAttribute",
            "AssignPrivateIpAddresses",
            "UnassignPrivateIpAddresses",
            "AssignIpv6Addresses",
            "UnassignIpv6Addresses",
            "AssociateAddress",
            "DisassociateAddress",
        }
    ),
)
