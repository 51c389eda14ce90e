"""AWS::IAM::User.

A global type: listed once per account through GetAccountAuthorizationDetails, whose
UserDetail is AWS Config's document in lowerCamel, with policy documents URL-encoded as
IAM returns them. The id is the user's unique id (AIDA...), the name its user name, the
zone "Not Applicable".

Relationships (spec 4): "Is attached to CustomerManagedPolicy" -> AWS::IAM::Policy
(the policy shows "Is attached to User"), and "Is attached to Group" -> AWS::IAM::Group
(the group shows "Contains User"). The membership edge is declared here, on the user,
because the user's record is where IAM keeps it (UserDetail.GroupList; a group's detail
lists no members), and one declaration per edge lets the engine derive the other side.
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
    Relation,
    ResourceType,
    Scope,
    epoch_ms,
    lower_camel,
    tags_from_list,
)


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    policies = policy_ids(customer_policies(client))
    details = authorization_details(client, "User", "Group")
    groups = {g["GroupName"]: g["GroupId"] for g in details["GroupDetailList"]}
    for user in details["UserDetailList"]:
        yield {"User": user, "GroupIds": groups, "Policies": policies}


def describe(client: Any, scope: Scope, names: list[str]) -> Iterator[Raw]:
    """The named users, in the shape of GetAccountAuthorizationDetails' UserDetail."""
    policies = policy_ids(customer_policies(client))
    for name in names:
        user = client.get_user(UserName=name)["User"]
        groups = paged(client, "list_groups_for_user", "Groups", UserName=name)
        detail = {key: user[key] for key in ("Path", "UserName", "UserId", "Arn", "CreateDate")}
        detail["UserPolicyList"] = inline_documents(client, "user", name)
        detail["GroupList"] = [g["GroupName"] for g in groups]
        detail["AttachedManagedPolicies"] = paged(
            client, "list_attached_user_policies", "AttachedPolicies", UserName=name
        )
        if user.get("PermissionsBoundary"):
            detail["PermissionsBoundary"] = user["PermissionsBoundary"]
        detail["Tags"] = paged(client, "list_user_tags", "Tags", UserName=name)
        yield {
            "User": detail,
            "GroupIds": {g["GroupName"]: g["GroupId"] for g in groups},
            "Policies": policies,
        }


def transform(raw: Raw, scope: Scope) -> Described:
    user = raw["User"]
    group_names = list(user.get("GroupList", []))
    configuration = {
        "path": user["Path"],
        "userName": user["UserName"],
        "userId": user["UserId"],
        "arn": user["Arn"],
        "createDate": lower_camel(user["CreateDate"]),
        "userPolicyList": inline_policies(user.get("UserPolicyList")),
        "groupList": group_names,
        "attachedManagedPolicies": lower_camel(user.get("AttachedManagedPolicies", [])),
        "permissionsBoundary": lower_camel(user.get("PermissionsBoundary")),
        "tags": lower_camel(user.get("Tags", [])),
    }
    relations = [
        Relation(
            "Is attached to Group",
            "AWS::IAM::Group",
            target_id=raw["GroupIds"].get(name),
            target_name=name,
            inverse="Contains User",
        )
        for name in group_names
    ]
    relations += attached_policy_relations(
        user.get("AttachedManagedPolicies"), raw["Policies"], "Is attached to User"
    )
    return Described(
        resource_id=user["UserId"],
        resource_name=user["UserName"],
        arn=user["Arn"],
        availability_zone="Not Applicable",
        resource_creation_ms=epoch_ms(user["CreateDate"]),
        configuration=configuration,
        tags=tags_from_list(user.get("Tags")),
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::IAM::User",
    service="iam",
    fetch=fetch,
    transform=transform,
    global_type=True,
    targeted=by_name(
        "requestParameters.userName", "requestParameters.newUserName", describe=describe
    ),
    events=frozenset(
        {
            "CreateUser",
            "UpdateUser",
            "DeleteUser",
            "TagUser",
            "UntagUser",
            "PutUserPolicy",
            "DeleteUserPolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AddUserToGroup",
            "RemoveUserFromGroup",
            "PutUserPermissionsBoundary",
            "DeleteUserPermissionsBoundary",
        }
    ),
)
