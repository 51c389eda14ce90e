"""How the S3 rules read a bucket's item: its ACL, policy and Block Public Access.

The recorder keeps a bucket's settings in the supplementary configuration, under AWS
Config's names: ``AccessControlList`` stays JSON text (S3's Java model: group grantees
as ``AllUsers`` / ``AuthenticatedUsers``, permissions as ``Read``, ``FullControl``...),
``BucketPolicy.policyText`` is the policy text, ``PublicAccessBlockConfiguration`` the
bucket-level Block Public Access flags (absent when none is set).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from configledger.rules.managed._shared import (
    action_matches,
    as_list,
    policy_document,
    principal_is_everyone,
    statements,
)

PUBLIC_GROUPS = frozenset({"AllUsers", "AuthenticatedUsers"})
READ_PERMISSIONS = frozenset({"Read", "FullControl"})
WRITE_PERMISSIONS = frozenset({"Write", "WriteAcp", "FullControl"})
READ_ACTIONS = ("s3:GetObject", "s3:ListBucket")
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl")
BLOCK_FLAGS = ("blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets")


def access_control_list(supplementary: Mapping[str, Any]) -> Mapping[str, Any]:
    acl = supplementary.get("AccessControlList")
    if isinstance(acl, str):
        try:
            acl = json.loads(acl)
        except ValueError:
            return {}
    return acl if isinstance(acl, Mapping) else {}


def acl_grants_public(supplementary: Mapping[str, Any], permissions: frozenset[str]) -> bool:
    for grant in access_control_list(supplementary).get("grantList") or []:
        grantee = grant.get("grantee")
        if isinstance(grantee, Mapping):
            grantee = grantee.get("identifier") or grantee.get("id")
        name = str(grantee or "").rsplit("/", 1)[-1]
        if name in PUBLIC_GROUPS and grant.get("permission") in permissions:
            return True
    return False


def bucket_policy(supplementary: Mapping[str, Any]) -> dict[str, Any] | None:
    policy = supplementary.get("BucketPolicy")
    text = policy.get("policyText") if isinstance(policy, Mapping) else None
    return policy_document(text)


def policy_grants_public(supplementary: Mapping[str, Any], actions: tuple[str, ...]) -> bool:
    """An Allow to everyone, for one of ``actions``, that no condition narrows (AWS: a
    policy is non-public only when it grants to fixed values)."""
    for statement in statements(bucket_policy(supplementary)):
        if statement.get("Effect") != "Allow" or statement.get("Condition"):
            continue
        if not principal_is_everyone(statement.get("Principal")):
            continue
        granted = [str(a) for a in as_list(statement.get("Action"))]
        if any(action_matches(granted, wanted) for wanted in actions):
            return True
    return False


def block_public_access(supplementary: Mapping[str, Any]) -> Mapping[str, Any]:
    found = supplementary.get("PublicAccessBlockConfiguration")
    return found if isinstance(found, Mapping) else {}


def publicly_granted(
    supplementary: Mapping[str, Any], permissions: frozenset[str], actions: tuple[str, ...]
) -> str | None:
    """Why the bucket is public for these permissions/actions, or None if it is not."""
    block = block_public_access(supplementary)
    if not block.get("restrictPublicBuckets") and policy_grants_public(supplementary, actions):
        return "The bucket policy grants public access."
    if not block.get("ignorePublicAcls") and acl_grants_public(supplementary, permissions):
        return "The bucket ACL grants public access."
    return None
