"""AWS::IAM::Group.

A global type: GetAccountAuthorizationDetails' GroupDetail is AWS Config's document in
lowerCamel (inline policy documents URL-encoded). The id is the group's unique id
(AGPA...), the name its group name; groups carry no tags.

Relationships (spec 4): "Is attached to CustomerManagedPolicy" -> AWS::IAM::Policy (the
policy shows "Is attached to Group"). The group's "Contains User" is the inverse of the
user's "Is attached to Group", declared on the user (see user.py), so it is not declared
twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.recorder.resource_types.iam._shared import (
    attached_policy_relations,
    authorization_details,
    by_name,
    customer_policies,
    inline_documents,
    inline_policies,
    paged,
    policy_ids,
)
from configledger.recorder.types import (
    Described,
    Raw,
    ResourceType,
    Scope,
    epoch_ms,
    lower_camel,
)


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    policies = policy_ids(customer_policies(client))
    for group in authorization_details(client, "Group")["GroupDetailList"]:
        yield {"Group": group, "Policies": policies}


def describe(client: Any, scope: Scope, names: list[str]) -> Iterator[Raw]:
    """The named groups, in the shape of GetAccountAuthorizationDetails' GroupDetail."""
    policies = policy_ids(customer_policies(client))
    for name in names:
        group = client.get_group(GroupName=name, MaxItems=1)["Group"]
        detail = {key: group[key] for key in ("Path", "GroupName", "GroupId", "Arn", "CreateDate")}
        detail["GroupPolicyList"] = inline_documents(client, "group", name)
        detail["AttachedManagedPolicies"] = paged(
            client, "list_attached_group_policies", "AttachedPolicies", GroupName=name
        )
        yield {"Group": detail, "Policies": policies}


def transform(raw: Raw, scope: Scope) -> Described:
    group = raw["Group"]
    configuration = {
        "path": group["Path"],
        "groupName": group["GroupName"],
        "groupId": group["GroupId"],
        "arn": group["Arn"],
        "createDate": lower_camel(group["CreateDate"]),
        "groupPolicyList": inline_policies(group.get("GroupPolicyList")),
        "attachedManagedPolicies": lower_camel(group.get("AttachedManagedPolicies", [])),
    }
    relations = attached_policy_relations(
        group.get("AttachedManagedPolicies"), raw["Policies"], "Is attached to Group"
    )
    return Described(
        resource_id=group["GroupId"],
        resource_name=group["GroupName"],
        arn=group["Arn"],
        availability_zone="Not Applicable",
        resource_creation_ms=epoch_ms(group["CreateDate"]),
        configuration=configuration,
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::IAM::Group",
    service="iam",
    fetch=fetch,
    transform=transform,
    global_type=True,
    targeted=by_name(
        "requestParameters.groupName", "requestParameters.newGroupName", describe=describe
    ),
    events=frozenset(
        {
            "CreateGroup",
            "UpdateGroup",
            "DeleteGroup",
            "PutGroupPolicy",
            "DeleteGroupPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
            "AddUserToGroup",
            "RemoveUserFromGroup",
        }
    ),
)
