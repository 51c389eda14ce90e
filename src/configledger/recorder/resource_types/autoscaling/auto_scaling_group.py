"""AWS::AutoScaling::AutoScalingGroup.

AWS Config identifies a group by its ARN and names it by its name (a recorded item:
``"resourceId": "arn:aws:autoscaling:...:autoScalingGroupName/<name>"``). The document
is DescribeAutoScalingGroups' record serialised the Java-bean way AWS Config uses for
this type: a key's whole leading run of capitals is lowered (``VPCZoneIdentifier`` ->
``vpczoneIdentifier``, ``VCpuCount`` -> ``vcpuCount``) and timestamps are epoch
milliseconds (``"createdTime": 1558686277512``). DescribeLifecycleHooks' hooks are the
supplementary ``LifeCycleHooks``. A group spans zones: "Multiple Availability Zones".

Edges, named "Is associated with " (no short name), are direct and one-way: one per
subnet of ``VPCZoneIdentifier``, and one to the launch configuration, which the group
knows only by name, so the edge carries its name.
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
    bean,
    epoch_ms,
    tags_from_list,
)

ASSOCIATED = "Is associated with "


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    for page in client.get_paginator("describe_auto_scaling_groups").paginate():
        for group in page["AutoScalingGroups"]:
            # DescribeLifecycleHooks is not paginated: it returns every hook of the group.
            hooks = client.describe_lifecycle_hooks(
                AutoScalingGroupName=group["AutoScalingGroupName"]
            )
            yield {"AutoScalingGroup": group, "LifecycleHooks": hooks["LifecycleHooks"]}


def transform(raw: Raw, scope: Scope) -> Described:
    group = raw["AutoScalingGroup"]
    subnets = [s.strip() for s in (group.get("VPCZoneIdentifier") or "").split(",") if s.strip()]
    relations = [Relation(ASSOCIATED, "AWS::EC2::Subnet", subnet) for subnet in subnets]
    if group.get("LaunchConfigurationName"):
        relations.append(
            Relation(
                ASSOCIATED,
                "AWS::AutoScaling::LaunchConfiguration",
                target_name=group["LaunchConfigurationName"],
            )
        )
    return Described(
        resource_id=group["AutoScalingGroupARN"],
        resource_name=group["AutoScalingGroupName"],
        arn=group["AutoScalingGroupARN"],
        availability_zone="Multiple Availability Zones",
        resource_creation_ms=epoch_ms(group.get("CreatedTime")),
        configuration=bean(group),
        tags=tags_from_list(group.get("Tags")),
        supplementary={"LifeCycleHooks": bean(raw["LifecycleHooks"])},
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::AutoScaling::AutoScalingGroup",
    service="autoscaling",
    fetch=fetch,
    transform=transform,
    events=frozenset(
        {
            "CreateAutoScalingGroup",
            "UpdateAutoScalingGroup",
            "DeleteAutoScalingGroup",
            "SetDesiredCapacity",
            "SetInstanceProtection",
            "SetInstanceHealth",
            "SuspendProcesses",
            "ResumeProcesses",
            "AttachInstances",
            "DetachInstances",
            "TerminateInstanceInAutoScalingGroup",
            "EnterStandby",
            "ExitStandby",
            "AttachLoadBalancers",
            "DetachLoadBalancers",
            "AttachLoadBalancerTargetGroups",
            "DetachLoadBalancerTargetGroups",
            "AttachTrafficSources",
            "DetachTrafficSources",
            "EnableMetricsCollection",
            "DisableMetricsCollection",
            "PutLifecycleHook",
            "DeleteLifecycleHook",
            "PutWarmPool",
            "DeleteWarmPool",
            "CreateOrUpdateTags",
            "DeleteTags",
        }
    ),
)
