"""The IAM rules: user, role, group and policy items shaped as the recorder records them
(GetAccountAuthorizationDetails in lowerCamel, policy documents URL-encoded by the
recorder's own ``encoded``), and the account rules answered from IAM's own shapes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from configledger.recorder.resource_types.iam._shared import encoded
from configledger.rules.types import AwsCallFailed
from tests.rules.managed.support import (
    NA,
    NC,
    NOW,
    C,
    Case,
    DictEnvironment,
    account_item,
    ids,
    stream_item,
)

ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
SERVICE_ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
ALL_ON_ONE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": "arn:aws:s3:::b"}],
}


def user(
    name: str = "alice",
    inline: tuple[str, ...] = (),
    attached: tuple[str, ...] = (),
) -> dict[str, Any]:
    return stream_item(
        "AWS::IAM::User",
        "AIDAEXAMPLE0000000001",
        {
            "path": "/",
            "userName": name,
            "userId": "AIDAEXAMPLE0000000001",
            "arn": f"arn:aws:iam::123456789012:user/{name}",
            "createDate": "2025-01-01T00:00:00Z",
            "userPolicyList": [
                {"policyName": p, "policyDocument": encoded(SERVICE_ADMIN)} for p in inline
            ],
            "groupList": [],
            "attachedManagedPolicies": [
                {"policyName": p, "policyArn": f"arn:aws:iam::123456789012:policy/{p}"}
                for p in attached
            ],
            "permissionsBoundary": None,
            "tags": [],
        },
        name=name,
    )


def role(inline: bool) -> dict[str, Any]:
    return stream_item(
        "AWS::IAM::Role",
        "AROAEXAMPLE0000000001",
        {
            "path": "/",
            "roleName": "app",
            "roleId": "AROAEXAMPLE0000000001",
            "rolePolicyList": (
                [{"policyName": "p", "policyDocument": encoded(SERVICE_ADMIN)}] if inline else []
            ),
            "attachedManagedPolicies": [],
        },
        name="app",
    )


def group(inline: bool) -> dict[str, Any]:
    return stream_item(
        "AWS::IAM::Group",
        "AGPAEXAMPLE0000000001",
        {
            "path": "/",
            "groupName": "ops",
            "groupPolicyList": (
                [{"policyName": "p", "policyDocument": encoded(SERVICE_ADMIN)}] if inline else []
            ),
            "attachedManagedPolicies": [],
        },
        name="ops",
    )


def policy(document: dict[str, Any], boundary_uses: int = 0) -> dict[str, Any]:
    return stream_item(
        "AWS::IAM::Policy",
        "ANPAEXAMPLE0000000001",
        {
            "policyName": "p",
            "policyId": "ANPAEXAMPLE0000000001",
            "arn": "arn:aws:iam::123456789012:policy/p",
            "defaultVersionId": "v2",
            "attachmentCount": 1,
            "permissionsBoundaryUsageCount": boundary_uses,
            "isAttachable": True,
            "policyVersionList": [
                {"document": encoded(SERVICE_ADMIN), "versionId": "v1", "isDefaultVersion": False},
                {"document": encoded(document), "versionId": "v2", "isDefaultVersion": True},
            ],
        },
        name="p",
    )


NO_SUCH = AwsCallFailed("NoSuchEntity", "not found")


def iam(
    *,
    password: bool = False,
    mfa: bool = False,
    keys: tuple[dict[str, Any], ...] = (),
    password_used: Any = None,
    last_used: dict[str, Any] | None = None,
) -> DictEnvironment:
    profile = (
        {"LoginProfile": {"UserName": "alice", "CreateDate": NOW - timedelta(days=400)}}
        if password
        else NO_SUCH
    )
    user_record = {"UserName": "alice", "UserId": "AIDAEXAMPLE0000000001"}
    if password_used is not None:
        user_record["PasswordLastUsed"] = password_used
    return DictEnvironment(
        calls={
            ("iam", "get_login_profile"): profile,
            ("iam", "list_mfa_devices"): {
                "MFADevices": [{"UserName": "alice", "SerialNumber": "arn:mfa"}] if mfa else []
            },
            ("iam", "list_access_keys"): {"AccessKeyMetadata": list(keys), "IsTruncated": False},
            ("iam", "get_user"): {"User": user_record},
            ("iam", "get_access_key_last_used"): lambda AccessKeyId: {
                "UserName": "alice",
                "AccessKeyLastUsed": (last_used or {}).get(AccessKeyId, {"Region": "N/A"}),
            },
        }
    )


def key(key_id: str, age_days: int, status: str = "Active") -> dict[str, Any]:
    return {
        "UserName": "alice",
        "AccessKeyId": key_id,
        "Status": status,
        "CreateDate": NOW - timedelta(days=age_days),
    }


STRONG_POLICY = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "ExpirePasswords": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
}


def password_policy(**changes: Any) -> DictEnvironment:
    answer = {
        "PasswordPolicy": {k: v for k, v in {**STRONG_POLICY, **changes}.items() if v is not None}
    }
    return DictEnvironment(calls={("iam", "get_account_password_policy"): answer})


def summary(**values: int) -> DictEnvironment:
    answer = {
        "SummaryMap": {"Users": 3, "AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, **values}
    }
    return DictEnvironment(calls={("iam", "get_account_summary"): answer})


POLICY_RULE = "IAM_PASSWORD_POLICY"
ROOT_KEY = "IAM_ROOT_ACCESS_KEY_CHECK"
ROOT_MFA = "ROOT_ACCOUNT_MFA_ENABLED"
CONSOLE_MFA = "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS"
USER_MFA = "IAM_USER_MFA_ENABLED"
ROTATED = "ACCESS_KEYS_ROTATED"
UNUSED = "IAM_USER_UNUSED_CREDENTIALS_CHECK"
ADMIN_RULE = "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS"
NO_POLICIES = "IAM_USER_NO_POLICIES_CHECK"
NO_INLINE = "IAM_NO_INLINE_POLICY_CHECK"

CASES = [
    Case("policy as strict as the defaults", POLICY_RULE, account_item(), C, env=password_policy()),
    Case(
        "no password policy",
        POLICY_RULE,
        account_item(),
        NC,
        env=DictEnvironment(calls={("iam", "get_account_password_policy"): NO_SUCH}),
    ),
    Case(
        "passwords too short",
        POLICY_RULE,
        account_item(),
        NC,
        env=password_policy(MinimumPasswordLength=8),
    ),
    Case(
        "no symbols required",
        POLICY_RULE,
        account_item(),
        NC,
        env=password_policy(RequireSymbols=False),
    ),
    Case(
        "passwords never expire",
        POLICY_RULE,
        account_item(),
        NC,
        env=password_policy(MaxPasswordAge=None, ExpirePasswords=False),
    ),
    Case(
        "reuse allowed too soon",
        POLICY_RULE,
        account_item(),
        NC,
        env=password_policy(PasswordReusePrevention=3),
    ),
    Case(
        "weaker policy within relaxed parameters",
        POLICY_RULE,
        account_item(),
        C,
        {"MinimumPasswordLength": "8", "RequireSymbols": "false", "PasswordReusePrevention": "3"},
        password_policy(MinimumPasswordLength=8, RequireSymbols=False, PasswordReusePrevention=3),
    ),
    Case("root has no access key", ROOT_KEY, account_item(), C, env=summary()),
    Case(
        "root has an access key",
        ROOT_KEY,
        account_item(),
        NC,
        env=summary(AccountAccessKeysPresent=1),
    ),
    Case("root has MFA", ROOT_MFA, account_item(), C, env=summary(AccountMFAEnabled=1)),
    Case("root has no MFA", ROOT_MFA, account_item(), NC, env=summary()),
    Case("console user with MFA", CONSOLE_MFA, user(), C, env=iam(password=True, mfa=True)),
    Case("console user without MFA", CONSOLE_MFA, user(), NC, env=iam(password=True)),
    Case("programmatic user without MFA", CONSOLE_MFA, user(), C, env=iam()),
    Case("user with MFA", USER_MFA, user(), C, env=iam(mfa=True)),
    Case("user without MFA", USER_MFA, user(), NC, env=iam()),
    Case("fresh active key", ROTATED, user(), C, env=iam(keys=(key("AKIA1", 10),))),
    Case(
        "old active key", ROTATED, user(), NC, env=iam(keys=(key("AKIA1", 10), key("AKIA2", 120)))
    ),
    Case("old inactive key", ROTATED, user(), C, env=iam(keys=(key("AKIA1", 120, "Inactive"),))),
    Case(
        "key older than a tighter limit",
        ROTATED,
        user(),
        NC,
        {"maxAccessKeyAge": "30"},
        iam(keys=(key("AKIA1", 45),)),
    ),
    Case("no credentials", UNUSED, user(), C, env=iam()),
    Case(
        "password used yesterday",
        UNUSED,
        user(),
        C,
        env=iam(password=True, password_used=NOW - timedelta(days=1)),
    ),
    Case("password never used, made long ago", UNUSED, user(), NC, env=iam(password=True)),
    Case(
        "key used last week",
        UNUSED,
        user(),
        C,
        env=iam(
            keys=(key("AKIA1", 300),),
            last_used={"AKIA1": {"LastUsedDate": NOW - timedelta(days=7)}},
        ),
    ),
    Case(
        "key unused for half a year",
        UNUSED,
        user(),
        NC,
        env=iam(
            keys=(key("AKIA1", 300),),
            last_used={"AKIA1": {"LastUsedDate": NOW - timedelta(days=180)}},
        ),
    ),
    Case("new key never used", UNUSED, user(), C, env=iam(keys=(key("AKIA1", 3),))),
    Case("service-wide policy", ADMIN_RULE, policy(SERVICE_ADMIN), C),
    Case("all actions on one resource", ADMIN_RULE, policy(ALL_ON_ONE), C),
    Case("admin policy", ADMIN_RULE, policy(ADMIN), NC),
    Case(
        "admin boundary, boundaries excluded",
        ADMIN_RULE,
        policy(ADMIN, boundary_uses=2),
        NA,
        {"excludePermissionBoundaryPolicy": "true"},
    ),
    Case("admin boundary, boundaries included", ADMIN_RULE, policy(ADMIN, boundary_uses=2), NC),
    Case("user with no policies", NO_POLICIES, user(), C),
    Case("user with an inline policy", NO_POLICIES, user(inline=("s3",)), NC),
    Case("user with an attached policy", NO_POLICIES, user(attached=("ReadOnly",)), NC),
    Case("user without inline policies", NO_INLINE, user(attached=("ReadOnly",)), C),
    Case("user with an inline policy", NO_INLINE, user(inline=("s3",)), NC),
    Case("role with an inline policy", NO_INLINE, role(inline=True), NC),
    Case("role without", NO_INLINE, role(inline=False), C),
    Case("group with an inline policy", NO_INLINE, group(inline=True), NC),
    Case("group without", NO_INLINE, group(inline=False), C),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_case(case: Case) -> None:
    case.run()


def test_user_rules_ask_iam_about_the_items_user() -> None:
    env = iam(password=True, mfa=True)
    Case("", CONSOLE_MFA, user("bob"), C, env=env).run()
    assert [(op, params) for _, op, params in env.made] == [
        ("get_login_profile", {"UserName": "bob"}),
        ("list_mfa_devices", {"UserName": "bob"}),
    ]
