"""AWS::IAM::Policy.

AWS Config records customer managed policies only (AWS managed ones are not resources of
the account). A global type: ListPolicies (Scope=Local) lists them with their ids and
names, GetAccountAuthorizationDetails (LocalManagedPolicy) adds each one's description
and every version's document, ListPolicyTags its tags. The document is the
ManagedPolicyDetail in lowerCamel, each version's document URL-encoded as IAM returns it.
The id is the policy's unique id (ANPA...), the name its policy name.

The listing is taken first: a policy deleted before the detail call is absent from it and
so skipped (gone); one created in between waits for the next listing.

Relationships: none declared here. "Is attached to User/Role/Group" are the inverses of
those resources' "Is attached to CustomerManagedPolicy".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.recorder.resource_types.iam._shared import (
    authorization_details,
    customer_policies,
    encoded,
    paged,
)
from configledger.recorder.types import (
    Described,
    Raw,
    ResourceType,
    Scope,
    Targeted,
    epoch_ms,
    lower_camel,
    tags_from_list,
)


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    listed = customer_policies(client)
    details = {p["Arn"]: p for p in authorization_details(client, "LocalManagedPolicy")["Policies"]}
    for arn, policy in listed.items():
        if arn not in details:
            continue
        tags = [
            tag
            for page in client.get_paginator("list_policy_tags").paginate(PolicyArn=arn)
            for tag in page.get("Tags", [])
        ]
        yield {"Policy": {**details[arn], **policy}, "Tags": tags}


def describe(client: Any, scope: Scope, names: list[str]) -> Iterator[Raw]:
    """The named policies: ListPolicies finds their ARNs (an event's ARN may carry a
    path), then each one's description, versions and tags, shaped as ``fetch``'s."""
    wanted = set(names)
    for arn, policy in customer_policies(client).items():
        if policy["PolicyName"] not in wanted:
            continue
        found = client.get_policy(PolicyArn=arn)["Policy"]
        versions = []
        for version in paged(client, "list_policy_versions", "Versions", PolicyArn=arn):
            document = client.get_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
            versions.append({**version, "Document": document["PolicyVersion"].get("Document")})
        detail = {k: v for k, v in found.items() if k != "Tags"}
        detail["PolicyVersionList"] = versions
        tags = paged(client, "list_policy_tags", "Tags", PolicyArn=arn)
        yield {"Policy": {**detail, **policy}, "Tags": tags}


def _policy_name(candidate: str, scope: Scope) -> str | None:
    """A customer managed policy's name from its ARN (AWS managed ones are not recorded)."""
    parts = candidate.split(":", 5)
    if len(parts) < 6 or parts[2] != "iam" or not parts[4].isdigit():
        return None
    kind, _, rest = parts[5].partition("/")
    return rest.rsplit("/", 1)[-1] if kind == "policy" and rest else None


def _version(version: Raw) -> dict[str, Any]:
    return {
        "document": encoded(version.get("Document")),
        "versionId": version["VersionId"],
        "isDefaultVersion": version["IsDefaultVersion"],
        "createDate": lower_camel(version.get("CreateDate")),
    }


def transform(raw: Raw, scope: Scope) -> Described:
    policy = raw["Policy"]
    configuration = {
        "policyName": policy["PolicyName"],
        "policyId": policy["PolicyId"],
        "arn": policy["Arn"],
        "path": policy["Path"],
        "defaultVersionId": policy.get("DefaultVersionId"),
        "attachmentCount": policy.get("AttachmentCount"),
        "permissionsBoundaryUsageCount": policy.get("PermissionsBoundaryUsageCount"),
        "isAttachable": policy.get("IsAttachable"),
        "description": policy.get("Description"),
        "createDate": lower_camel(policy["CreateDate"]),
        "updateDate": lower_camel(policy.get("UpdateDate")),
        "policyVersionList": [_version(v) for v in policy.get("PolicyVersionList", [])],
    }
    return Described(
        resource_id=policy["PolicyId"],
        resource_name=policy["PolicyName"],
        arn=policy["Arn"],
        availability_zone="Not Applicable",
        resource_creation_ms=epoch_ms(policy["CreateDate"]),
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::IAM::Policy",
    service="iam",
    fetch=fetch,
    transform=transform,
    global_type=True,
    targeted=Targeted(
        paths=(
            "requestParameters.policyArn",
            "requestParameters.permissionsBoundary",
            "responseElements.policy.arn",
        ),
        describe=describe,
        not_found=frozenset({"NoSuchEntity"}),
        key=_policy_name,
        by_name=True,
    ),
    events=frozenset(
        {
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "SetDefaultPolicyVersion",
            "TagPolicy",
            "UntagPolicy",
            # attachments move attachmentCount / permissionsBoundaryUsageCount
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "PutUserPermissionsBoundary",
            "DeleteUserPermissionsBoundary",
            "PutRolePermissionsBoundary",
            "DeleteRolePermissionsBoundary",
        }
    ),
)
