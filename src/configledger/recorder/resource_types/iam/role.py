"""AWS::IAM::Role.

A global type: GetAccountAuthorizationDetails' RoleDetail is AWS Config's document in
lowerCamel, with the trust policy and inline policy documents URL-encoded as IAM returns
them (also inside instanceProfileList's roles). RoleLastUsed is left out: it moves on
every use of the role, and AWS Config keeps it out of the document (it is not among the
type's properties in awslabs/aws-config-resource-schema). The id is the role's unique id
(AROA...), the name its role name.

Relationships (spec 4): "Is attached to CustomerManagedPolicy" -> AWS::IAM::Policy (the
policy shows "Is attached to Role").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.recorder.resource_types.iam._shared import (
    attached_policy_relations,
    authorization_details,
    by_name,
    customer_policies,
    encoded,
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
    tags_from_list,
)


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    policies = policy_ids(customer_policies(client))
    for role in authorization_details(client, "Role")["RoleDetailList"]:
        yield {"Role": role, "Policies": policies}


# The members GetRole shares with GetAccountAuthorizationDetails' RoleDetail.
_ROLE_KEYS = (
    "Path",
    "RoleName",
    "RoleId",
    "Arn",
    "CreateDate",
    "AssumeRolePolicyDocument",
    "PermissionsBoundary",
)


def describe(client: Any, scope: Scope, names: list[str]) -> Iterator[Raw]:
    """The named roles, in the shape of GetAccountAuthorizationDetails' RoleDetail."""
    policies = policy_ids(customer_policies(client))
    for name in names:
        role = client.get_role(RoleName=name)["Role"]
        detail = {key: role[key] for key in _ROLE_KEYS if key in role}
        detail["InstanceProfileList"] = paged(
            client, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name
        )
        detail["RolePolicyList"] = inline_documents(client, "role", name)
        detail["AttachedManagedPolicies"] = paged(
            client, "list_attached_role_policies", "AttachedPolicies", RoleName=name
        )
        detail["Tags"] = paged(client, "list_role_tags", "Tags", RoleName=name)
        yield {"Role": detail, "Policies": policies}


def _profile_role(role: Raw) -> dict[str, Any]:
    skip = ("AssumeRolePolicyDocument", "RoleLastUsed")
    out: dict[str, Any] = lower_camel({k: v for k, v in role.items() if k not in skip})
    out["assumeRolePolicyDocument"] = encoded(role.get("AssumeRolePolicyDocument"))
    return out


def _instance_profile(profile: Raw) -> dict[str, Any]:
    out: dict[str, Any] = lower_camel({k: v for k, v in profile.items() if k != "Roles"})
    out["roles"] = [_profile_role(r) for r in profile.get("Roles", [])]
    return out


def transform(raw: Raw, scope: Scope) -> Described:
    role = raw["Role"]
    configuration = {
        "path": role["Path"],
        "roleName": role["RoleName"],
        "roleId": role["RoleId"],
        "arn": role["Arn"],
        "createDate": lower_camel(role["CreateDate"]),
        "assumeRolePolicyDocument": encoded(role.get("AssumeRolePolicyDocument")),
        "instanceProfileList": [_instance_profile(p) for p in role.get("InstanceProfileList", [])],
        "rolePolicyList": inline_policies(role.get("RolePolicyList")),
        "attachedManagedPolicies": lower_camel(role.get("AttachedManagedPolicies", [])),
        "permissionsBoundary": lower_camel(role.get("PermissionsBoundary")),
        "tags": lower_camel(role.get("Tags", [])),
    }
    relations = attached_policy_relations(
        role.get("AttachedManagedPolicies"), raw["Policies"], "Is attached to Role"
    )
    return Described(
        resource_id=role["RoleId"],
        resource_name=role["RoleName"],
        arn=role["Arn"],
        availability_zone="Not Applicable",
        resource_creation_ms=epoch_ms(role["CreateDate"]),
        configuration=configuration,
        tags=tags_from_list(role.get("Tags")),
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::IAM::Role",
    service="iam",
    fetch=fetch,
    transform=transform,
    global_type=True,
    targeted=by_name(
        "requestParameters.roleName", "responseElements.role.roleName", describe=describe
    ),
    events=frozenset(
        {
            "CreateRole",
            "CreateServiceLinkedRole",
            "UpdateRole",
            "UpdateRoleDescription",
            "UpdateAssumeRolePolicy",
            "DeleteRole",
            "DeleteServiceLinkedRole",
            "TagRole",
            "UntagRole",
            "PutRolePolicy",
            "DeleteRolePolicy",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "PutRolePermissionsBoundary",
            "DeleteRolePermissionsBoundary",
            "AddRoleToInstanceProfile",
            "RemoveRoleFromInstanceProfile",
        }
    ),
)
