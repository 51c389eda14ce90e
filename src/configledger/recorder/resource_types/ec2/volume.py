"""AWS::EC2::Volume.

The document is DescribeVolumes' record in lowerCamel; ``availabilityZone`` is the
volume's zone and ``resourceCreationTime`` its CreateTime. The volume's "Is attached to
Instance" is the inverse of the instance's "Is attached to Volume": the edge is declared
once, on the instance, so a volume of a terminating instance loses it with the instance.
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
    epoch_ms,
    lower_camel,
    tags_from_list,
)

# A volume being deleted cannot come back; like a deleted one, it is no longer listed.
_GONE = frozenset({"deleting", "deleted"})


def fetch(client: Any, scope: Scope) -> Iterable[Raw]:
    for page in client.get_paginator("describe_volumes").paginate():
        yield from (v for v in page["Volumes"] if v["State"] not in _GONE)


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    return (v for v in client.describe_volumes(VolumeIds=ids)["Volumes"] if v["State"] not in _GONE)


def transform(raw: Raw, scope: Scope) -> Described:
    volume_id = raw["VolumeId"]
    configuration: dict[str, Any] = lower_camel(raw)
    configuration.setdefault("attachments", [])
    configuration.setdefault("tags", [])
    return Described(
        resource_id=volume_id,
        arn=f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}:volume/{volume_id}",
        availability_zone=raw["AvailabilityZone"],
        resource_creation_ms=epoch_ms(raw.get("CreateTime")),
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::Volume",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id("volumeId", "vol", describe, "InvalidVolume.NotFound"),
    events=frozenset(
        {
            "CreateVolume",
            "DeleteVolume",
            "AttachVolume",
            "DetachVolume",
            "ModifyVolume",
            "CreateTags",
            "DeleteTags",
            # Instances create, attach, release and delete their block devices, and
            # set their deleteOnTermination flag.
            "RunInstances",
            "TerminateInstances",
            "ModifyInstanceAttribute",
        }
    ),
)
