"""AWS::CloudFormation::Stack.

AWS Config identifies a stack by its stack id (an ARN) and names it by its name, and
records only stacks in the states listed in ``RECORDED``; deleted stacks are gone. The
document is DescribeStacks' record in lowerCamel; ListStackResources' summaries are the
supplementary ``StackResourceSummaries``. A stack has no zone: "Not Applicable".

The stack "Contains" each resource it created whose type AWS Config records (the types of
botocore's ResourceType enum), named by its physical id; the edge is one-way.

CloudFormation creates, updates and deletes a stack's resources itself: on AWS those
calls are CloudTrail events of their own (invoked by cloudformation.amazonaws.com), but an
in-process emulation makes none. So a stack event also asks for the types its template
declares (``cascade``), which are then listed with the stack, along with the types the
account's stacks are recorded to contain (what a DeleteStack, which carries no template,
takes away).

A stack part-way between recorded states (an update, a rollback, a deletion) is neither
listed nor gone: ``fetch`` lists every settled stack, then raises ``StackNotSettled`` so
the listing is incomplete and no item is deleted on the strength of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from botocore.loaders import create_loader

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

RECORDED = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_FAILED",
        "DELETE_FAILED",
    }
)
# States a recorded stack passes through on its way to another recorded state or away.
UNSETTLED = frozenset(
    {
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "IMPORT_IN_PROGRESS",
        "IMPORT_ROLLBACK_IN_PROGRESS",
        "DELETE_IN_PROGRESS",
    }
)


# A resource's type in a JSON or YAML template ("Type": "AWS::SQS::Queue" / Type: ...).
_RESOURCE_TYPE = re.compile(r"""["']?Type["']?\s*:\s*["']?(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)\b""")


def cascade(record: Raw) -> Iterator[str]:
    """The resource types the event's template declares (none for a template given by
    URL or kept from the previous version: those resources wait for the next sweep)."""
    body = (record.get("requestParameters") or {}).get("templateBody")
    if isinstance(body, str):
        yield from dict.fromkeys(match.group(1) for match in _RESOURCE_TYPE.finditer(body))


class StackNotSettled(Exception):
    """Some stacks were between recorded states, so the listing is incomplete."""


@cache
def _config_types() -> frozenset[str]:
    model = create_loader().load_service_model("config", "service-2")
    return frozenset(model["shapes"]["ResourceType"]["enum"])


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    unsettled = []
    for page in client.get_paginator("describe_stacks").paginate():
        for stack in page["Stacks"]:
            status = stack["StackStatus"]
            if status in UNSETTLED:
                unsettled.append(f"{stack['StackName']} ({status})")
            if status not in RECORDED:
                continue
            resources = [
                summary
                for resources_page in client.get_paginator("list_stack_resources").paginate(
                    StackName=stack["StackId"]
                )
                for summary in resources_page["StackResourceSummaries"]
            ]
            yield {"Stack": stack, "StackResourceSummaries": resources}
    if unsettled:
        raise StackNotSettled("stacks between recorded states: " + ", ".join(unsettled))


def transform(raw: Raw, scope: Scope) -> Described:
    stack = raw["Stack"]
    summaries = raw["StackResourceSummaries"]
    recorded_types = _config_types()
    relations = tuple(
        Relation("Contains", s["ResourceType"], s["PhysicalResourceId"])
        for s in summaries
        if s.get("PhysicalResourceId")
        and s["ResourceType"] in recorded_types
        and s["ResourceStatus"] != "DELETE_COMPLETE"
    )
    supplementary: dict[str, Any] = {"StackResourceSummaries": lower_camel(summaries)}
    if "EnableTerminationProtection" in stack:
        supplementary["EnableTerminationProtection"] = stack["EnableTerminationProtection"]
    if stack.get("ParentId"):
        supplementary["ParentStackId"] = stack["ParentId"]
    return Described(
        resource_id=stack["StackId"],
        resource_name=stack["StackName"],
        arn=stack["StackId"],
        availability_zone="Not Applicable",
        resource_creation_ms=epoch_ms(stack.get("CreationTime")),
        configuration=lower_camel(stack),
        tags=tags_from_list(stack.get("Tags")),
        supplementary=supplementary,
        relations=relations,
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::CloudFormation::Stack",
    service="cloudformation",
    fetch=fetch,
    transform=transform,
    cascade=cascade,
    events=frozenset(
        {
            "CreateStack",
            "UpdateStack",
            "DeleteStack",
            "ExecuteChangeSet",
            "CancelUpdateStack",
            "ContinueUpdateRollback",
            "RollbackStack",
            "UpdateTerminationProtection",
            "DetectStackDrift",
        }
    ),
)
